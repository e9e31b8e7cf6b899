#include "plugin_loader.hpp"

#include "hook_names.hpp"

#include <luminar/errors.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace luminar {
namespace detail {
namespace {

[[noreturn]] void fail(const std::string &message) { throw luminar::runtime_error("luminar: " + message); }

// `<directory of libluminar.so>/luminar`: where `cmake --install` puts the plugins, so an
// install moved to another prefix still finds its own plugins.
std::string plugin_dir_beside_library() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void *>(&plugin_dir_beside_library), &info) == 0 || info.dli_fname == nullptr) return {};
  const std::string library = info.dli_fname;
  const std::size_t slash = library.rfind('/');
  return slash == std::string::npos ? std::string() : library.substr(0, slash) + "/luminar";
}

// The candidate files for a plugin name, in search order.
std::vector<std::string> candidates(const std::string &name, const std::vector<std::string> &search_path) {
  const std::string file = "libluminar_" + name + ".so";
  std::vector<std::string> dirs = search_path;
  const std::string beside = plugin_dir_beside_library();
  if (!beside.empty() && beside != LUMINAR_INSTALLED_PLUGIN_DIR) dirs.push_back(beside);
  dirs.push_back(LUMINAR_INSTALLED_PLUGIN_DIR);
#ifdef LUMINAR_BUILD_PLUGIN_DIR
  dirs.push_back(LUMINAR_BUILD_PLUGIN_DIR);
#endif
  std::vector<std::string> files;
  for (const std::string &dir : dirs) files.push_back(dir + (dir.back() == '/' ? "" : "/") + file);
  return files;
}

std::string resolve(const std::string &runtime, const std::vector<std::string> &search_path) {
  if (runtime.find('/') != std::string::npos) {
    if (access(runtime.c_str(), R_OK) != 0)
      fail("runtime plugin '" + runtime + "' (LUMINAR_RUNTIME) not found: " + std::strerror(errno));
    return runtime;
  }
  const std::vector<std::string> files = candidates(runtime, search_path);
  for (const std::string &file : files)
    if (access(file.c_str(), R_OK) == 0) return file;
  std::string searched;
  for (const std::string &file : files) searched += (searched.empty() ? "" : ", ") + file;
  fail("runtime plugin '" + runtime + "' (LUMINAR_RUNTIME) not found; searched: " + searched +
       " (set LUMINAR_PLUGIN_PATH to add directories)");
}

void validate(const std::string &path, const ConcurrencyHooks *hooks) {
  const std::string plugin = "runtime plugin '" + path + "'";
  if (hooks == nullptr)
    fail(plugin + " refuses ConcurrencyHooks ABI version " + std::to_string(LUMINAR_ABI_VERSION) +
         " (luminar_plugin_entry returned no table)");
  if (hooks->abi_version != LUMINAR_ABI_VERSION)
    fail(plugin + " implements ConcurrencyHooks ABI version " + std::to_string(hooks->abi_version) +
         "; this libluminar requires version " + std::to_string(LUMINAR_ABI_VERSION));
  if (hooks->struct_size < sizeof(ConcurrencyHooks))
    fail(plugin + " offers a ConcurrencyHooks table of " + std::to_string(hooks->struct_size) +
         " bytes; ABI version " + std::to_string(LUMINAR_ABI_VERSION) + " requires at least " +
         std::to_string(sizeof(ConcurrencyHooks)) + " bytes");
  std::string missing;
  for (const HookName &hook : kRequiredHooks) {
    void (*entry)(void) = nullptr;
    std::memcpy(&entry, reinterpret_cast<const char *>(hooks) + hook.offset, sizeof entry);
    if (entry == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(hook.name);
  }
  if (!missing.empty())
    fail(plugin + " leaves required hooks unset: " + missing + " (ABI version " +
         std::to_string(LUMINAR_ABI_VERSION) + " requires every hook)");
}

}  // namespace

LoadedPlugin load_plugin(const std::string &runtime, const std::vector<std::string> &search_path) {
  const std::string path = resolve(runtime, search_path);
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) fail("cannot load runtime plugin '" + path + "': " + dlerror());
  void *entry = dlsym(library, LUMINAR_PLUGIN_ENTRY_SYMBOL);
  if (entry == nullptr) {
    dlclose(library);
    fail("'" + path + "' is not a Luminar runtime plugin: it does not export " LUMINAR_PLUGIN_ENTRY_SYMBOL);
  }
  LuminarPluginEntry entry_fn = nullptr;
  std::memcpy(&entry_fn, &entry, sizeof entry_fn);  // object to function pointer, as dlsym requires
  const ConcurrencyHooks *hooks = entry_fn(LUMINAR_ABI_VERSION);
  try {
    validate(path, hooks);
  } catch (...) {
    dlclose(library);
    throw;
  }
  return LoadedPlugin{path, hooks};
}

}  // namespace detail
}  // namespace luminar
