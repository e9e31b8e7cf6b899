// Failure paths of plugin loading and configuration (SPEC 4.1, 4.2): each is a
// luminar::runtime_error with the expected message, never a crash. A failed load leaves the
// runtime unloaded, so the cases run one after another in this process; the last one
// loads the real plugin.
#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <cstdlib>
#include <string>

namespace {

std::string load_error() {
  try {
    luminar::detail::runtime_hooks();
  } catch (const luminar::runtime_error &e) {
    return e.what();
  }
  return "loaded";
}

void use(const char *runtime, const char *plugin_path = BAD_PLUGIN_DIR) {
  setenv("LUMINAR_RUNTIME", runtime, 1);
  setenv("LUMINAR_PLUGIN_PATH", plugin_path, 1);
}

}  // namespace

TEST_CASE("a plugin that cannot be found names the places searched") {
  use("nosuchplugin", "/nonexistent/a:/nonexistent/b");
  const std::string message = load_error();
  CHECK(message.find("runtime plugin 'nosuchplugin' (LUMINAR_RUNTIME) not found") != std::string::npos);
  CHECK(message.find("/nonexistent/a/libluminar_nosuchplugin.so") != std::string::npos);
  CHECK(message.find("/nonexistent/b/libluminar_nosuchplugin.so") != std::string::npos);
  CHECK(message.find(LUMINAR_INSTALLED_PLUGIN_DIR "/libluminar_nosuchplugin.so") != std::string::npos);

  use("/nonexistent/libluminar_x.so");
  CHECK(load_error().find("'/nonexistent/libluminar_x.so' (LUMINAR_RUNTIME) not found") != std::string::npos);
}

TEST_CASE("a file that is not a plugin") {
  use(NOT_A_PLUGIN_FILE);
  CHECK(load_error().find("cannot load runtime plugin '" NOT_A_PLUGIN_FILE "'") != std::string::npos);
  use("noentry");
  const std::string message = load_error();
  CHECK(message.find("libluminar_noentry.so' is not a Luminar runtime plugin") != std::string::npos);
  CHECK(message.find("luminar_plugin_entry") != std::string::npos);
}

TEST_CASE("an ABI version mismatch names both versions") {
  use("badabi");
  const std::string message = load_error();
  // bad_plugin.c announces the version after this one.
  const std::string theirs = std::to_string(LUMINAR_ABI_VERSION + 1), ours = std::to_string(LUMINAR_ABI_VERSION);
  CHECK(message.find("libluminar_badabi.so' implements ConcurrencyHooks ABI version " + theirs) != std::string::npos);
  CHECK(message.find("requires version " + ours) != std::string::npos);
}

TEST_CASE("a table too small for the ABI version") {
  use("smalltable");
  const std::string message = load_error();
  CHECK(message.find("libluminar_smalltable.so' offers a ConcurrencyHooks table of 136 bytes") != std::string::npos);
  CHECK(message.find("requires at least " + std::to_string(sizeof(ConcurrencyHooks)) + " bytes") != std::string::npos);
}

TEST_CASE("an incomplete table lists the missing hooks") {
  use("incomplete");
  const std::string message = load_error();
  CHECK(message.find("libluminar_incomplete.so' leaves required hooks unset: spawn_task, join_task") !=
        std::string::npos);
  CHECK(message.find("select") != std::string::npos);
  CHECK(message.find("get_metrics") != std::string::npos);
  CHECK(message.find("init,") == std::string::npos);  // set: not listed
}

TEST_CASE("invalid LUMINAR_* values name the variable and the value") {
  use("default", LUMINAR_BUILD_PLUGIN_DIR);
  struct bad {
    const char *variable, *value, *expected;
  } cases[] = {
      {"LUMINAR_THREADS", "abc", "luminar: invalid LUMINAR_THREADS='abc': expected a positive integer"},
      {"LUMINAR_THREADS", "0", "luminar: invalid LUMINAR_THREADS='0'"},
      {"LUMINAR_THREADS", "-3", "luminar: invalid LUMINAR_THREADS='-3'"},
      {"LUMINAR_BLOCKING_THREADS", "12x", "luminar: invalid LUMINAR_BLOCKING_THREADS='12x'"},
      {"LUMINAR_STACK_SIZE", "64Q", "luminar: invalid LUMINAR_STACK_SIZE='64Q': expected a positive size"},
      {"LUMINAR_STACK_SIZE", "K", "luminar: invalid LUMINAR_STACK_SIZE='K'"},
      {"LUMINAR_NUMA", "yes", "luminar: invalid LUMINAR_NUMA='yes': expected 0 or 1"},
      {"LUMINAR_METRICS", "2", "luminar: invalid LUMINAR_METRICS='2': expected 0 or 1"},
      {"LUMINAR_LOG", "loud", "luminar: invalid LUMINAR_LOG='loud'"},
      {"LUMINAR_RUNTIME", "bad name", "luminar: invalid LUMINAR_RUNTIME='bad name'"},
  };
  for (const bad &c : cases) {
    CAPTURE(c.variable);
    CAPTURE(c.value);
    const char *old = std::getenv(c.variable);
    const std::string saved = old != nullptr ? old : "";
    setenv(c.variable, c.value, 1);
    CHECK(load_error().find(c.expected) == 0);
    if (old != nullptr) {
      setenv(c.variable, saved.c_str(), 1);
    } else {
      unsetenv(c.variable);
    }
  }
}

TEST_CASE("valid values load the plugin (last: a loaded runtime stays loaded)") {
  use("default", "/nonexistent::" LUMINAR_BUILD_PLUGIN_DIR);
  setenv("LUMINAR_STACK_SIZE", "256K", 1);
  setenv("LUMINAR_THREADS", "2", 1);
  setenv("LUMINAR_LOG", "debug", 1);
  CHECK(load_error() == "loaded");
  CHECK(luminar::detail::loaded_runtime_hooks() != nullptr);
}
