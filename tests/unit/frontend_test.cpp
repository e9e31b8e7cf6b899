// The Clang front end on in-memory sources: loop canonicalisation (which shapes translate,
// with which trip-count helper) and ConcurrencyModeAnalyzer decisions (mode, reasons and
// where they point). No standard headers, so each case parses in milliseconds.
#include "luminar/frontend/Translate.h"

#include <clang/Tooling/Tooling.h>
#include <doctest/doctest.h>

#include <algorithm>

using namespace luminar;

namespace {

frontend::TranslationResult translate(const std::string &code, frontend::TranslateOptions options = {}) {
  frontend::TranslationSession session(options);
  auto factory = session.actionFactory();
  clang::tooling::runToolOnCodeWithArgs(factory->create(), code, {"-std=c++17", "-fsyntax-only"}, "input.cpp");
  REQUIRE(session.results().size() == 1);
  return session.results().front();
}

frontend::TranslationResult analyse(const std::string &code) {
  frontend::TranslateOptions options;
  options.checkOnly = true;
  return translate(code, options);
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

std::vector<std::string> features(const model::BlockReport &block) {
  std::vector<std::string> out;
  for (const model::Reason &r : block.reasons) out.emplace_back(model::spelling(r.feature));
  return out;
}

const char *kChannelStub = "namespace luminar { template <class T> struct channel { channel(unsigned long = 0); bool send(T); }; "
                           "int select(); namespace io { long read(int, void *, unsigned long, long); } }\n";

}  // namespace

TEST_CASE("canonical loop shapes choose the matching trip count") {
  struct Case {
    const char *loop;
    const char *helper;
  } cases[] = {
      {"for (int i = 0; i < n; ++i)", "trip_count_less("},
      {"for (int i = 0; i <= n; i += 2)", "trip_count_less_equal("},
      {"for (int i = n; i > 0; --i)", "trip_count_greater("},
      {"for (int i = n; i >= 0; i -= 3)", "trip_count_greater_equal("},
      {"for (int i = 0; i != n; i++)", "trip_count_not_equal("},
      {"for (int i = 0; n > i; i = i + 4)", "trip_count_less("},
      {"for (int i = 0; i < n; i = 2 + i)", "trip_count_less("},
      {"for (unsigned i = n; i > 0; i--)", "trip_count_greater("},
      {"for (int *p = a; p < a + n; ++p)", "trip_count_less("},
  };
  for (const Case &c : cases) {
    INFO(c.loop);
    std::string code = std::string("void f(int *a, int n) {\n#pragma luminar parallel for\n") + c.loop + " { a[0] = 1; }\n}\n";
    frontend::TranslationResult r = translate(code);
    CHECK_FALSE(r.failed);
    CHECK(contains(r.output, c.helper));
  }
}

TEST_CASE("the step's direction and value reach the generated loop") {
  frontend::TranslationResult r = translate("void f(int *a, int n) {\n#pragma luminar parallel for\nfor (int i = n; i >= 0; i -= 3) a[i] = i;\n}\n");
  REQUIRE_FALSE(r.failed);
  CHECK(contains(r.output, "= 3;"));
  CHECK(contains(r.output, ", false);"));  // iteration_value(..., ascending = false)
}

TEST_CASE("non-canonical loops are refused") {
  const char *loops[] = {
      "for (; i < n; ++i)",                  // no init
      "for (int i = 0, j = 0; i < n; ++i)",  // two declarations
      "for (int i = 0; i * 2 < n; ++i)",     // condition not on the variable
      "for (int i = 0; i < n; i *= 2)",      // bad increment
      "for (int i = 0; i < n; --i)",         // wrong direction
      "for (double d = 0; d < n; ++d)",      // not an integer
  };
  for (const char *loop : loops) {
    INFO(loop);
    std::string code = std::string("void f(int n) { int i = 0; (void)i;\n#pragma luminar parallel for\n") + loop + " {}\n}\n";
    CHECK(analyse(code).failed);
  }
  CHECK(analyse("void f(int n) {\n#pragma luminar parallel for\nfor (int i = 0; i < n; ++i) { if (i) break; }\n}\n").failed);
  CHECK(analyse("int f(int n) {\n#pragma luminar parallel for\nfor (int i = 0; i < n; ++i) { if (i) return 1; }\nreturn 0; }\n").failed);
  CHECK(analyse("void f(int n) {\n#pragma luminar parallel for\nfor (int i = 0; i < n; ++i) { n--; }\n}\n").failed);
  // Exits that leave only an inner construct are fine.
  CHECK_FALSE(analyse("void f(int n) {\n#pragma luminar parallel for\nfor (int i = 0; i < n; ++i) {\n"
                      "  for (int j = 0; j < 3; ++j) if (j == i) break;\n"
                      "  switch (i) { case 1: break; }\n"
                      "  auto g = [] { return 1; }; (void)g;\n"
                      "  if (i == 2) continue;\n}\n}\n")
                   .failed);
}

TEST_CASE("a plain parallel for is bare-metal with no reasons") {
  frontend::TranslationResult r = analyse("void f(int *a) {\n  #pragma luminar parallel for num_threads(2)\n  for (int i = 0; i < 100; ++i) a[i] = i;\n}\n");
  REQUIRE(r.blocks.size() == 1);
  const model::BlockReport &b = r.blocks[0];
  CHECK(b.mode == model::ConcurrencyMode::BareMetal);
  CHECK(b.modeSource == model::ModeSource::Analyzer);
  CHECK(b.reasons.empty());
  CHECK(b.estimatedTaskCount == 2);  // 100 iterations, at most 2 threads
  CHECK(b.location.line == 2);
  CHECK(b.location.column == 3);
  CHECK(b.bareMetal.threadCount == "2");
}

TEST_CASE("channels and select make a block runtime-assisted, with locations") {
  std::string code = std::string(kChannelStub) +
                     "void f() {\n"                              // line 2
                     "  luminar::channel<int> jobs(4);\n"        // 3
                     "  #pragma luminar concurrent\n"            // 4
                     "  {\n"                                     // 5
                     "    #pragma luminar spawn\n"               // 6
                     "    jobs.send(1);\n"                       // 7
                     "    luminar::select();\n"                  // 8
                     "  }\n}\n";
  frontend::TranslationResult r = analyse(code);
  REQUIRE(r.blocks.size() == 1);
  const model::BlockReport &b = r.blocks[0];
  CHECK(b.mode == model::ConcurrencyMode::RuntimeAssisted);
  CHECK(features(b) == std::vector<std::string>{"ChannelCommunication", "Select"});
  CHECK(b.reasons[0].location.line == 7);
  CHECK(b.reasons[0].location.column == 5);
  CHECK(b.reasons[1].location.line == 8);
  CHECK(b.runtime.channelNames == std::vector<std::string>{"jobs"});
}

TEST_CASE("dynamic task creation: spawns in loops and recursion through the call graph") {
  frontend::TranslationResult loop = analyse("void work(int);\nvoid f() {\n#pragma luminar parallel\n{\n"
                                             "  for (int i = 0; i < 4; ++i) {\n#pragma luminar spawn\n    work(i);\n  }\n}\n}\n");
  REQUIRE(loop.blocks.size() == 1);
  CHECK(features(loop.blocks[0]) == std::vector<std::string>{"DynamicTaskCreation"});
  CHECK(loop.blocks[0].reasons[0].location.line == 6);

  // fib → helper → fib: the spawned call reaches a function with a Luminar block.
  frontend::TranslationResult recursion = analyse("int fib(int n);\nint helper(int n) { return fib(n); }\n"
                                                  "int fib(int n) {\n  if (n < 2) return n;\n  int a = 0;\n"
                                                  "#pragma luminar parallel\n  {\n#pragma luminar spawn\n    a = helper(n - 1);\n  }\n"
                                                  "  return a;\n}\n");
  REQUIRE(recursion.blocks.size() == 1);
  CHECK(features(recursion.blocks[0]) == std::vector<std::string>{"DynamicTaskCreation"});
  CHECK(contains(recursion.blocks[0].reasons[0].detail, "'helper'"));
}

TEST_CASE("clauses that need the runtime") {
  auto block = [](const std::string &clauses, const std::string &spawnClauses = "") {
    frontend::TranslationResult r = analyse("void g();\nvoid f() {\n#pragma luminar parallel " + clauses + "\n{\n#pragma luminar spawn " +
                                            spawnClauses + "\n  g();\n}\n}\n");
    REQUIRE(r.blocks.size() == 1);
    return r.blocks[0];
  };
  CHECK(features(block("timeout(10ms)")) == std::vector<std::string>{"Cancellation"});
  CHECK(features(block("max_concurrency(2)")) == std::vector<std::string>{"TaskScheduling"});
  CHECK(features(block("", "blocking")) == std::vector<std::string>{"TaskScheduling"});
  CHECK(features(block("", "priority(high)")) == std::vector<std::string>{"TaskScheduling"});
  CHECK(features(block("", "timeout(1s)")) == std::vector<std::string>{"Cancellation"});
  CHECK(block("").mode == model::ConcurrencyMode::BareMetal);
  CHECK(block("", "priority(normal)").mode == model::ConcurrencyMode::BareMetal);
}

TEST_CASE("more spawns than --max-bare-metal-tasks") {
  std::string code = "void g();\nvoid f() {\n#pragma luminar parallel\n{\n";
  for (int i = 0; i < 3; ++i) code += "#pragma luminar spawn\n  g();\n";
  code += "}\n}\n";
  frontend::TranslateOptions options;
  options.checkOnly = true;
  options.maxBareMetalTasks = 2;
  frontend::TranslationResult r = translate(code, options);
  REQUIRE(r.blocks.size() == 1);
  CHECK(r.blocks[0].mode == model::ConcurrencyMode::RuntimeAssisted);
  CHECK(contains(r.blocks[0].reasons[0].detail, "3 spawns exceed --max-bare-metal-tasks=2"));
  options.maxBareMetalTasks = 3;
  CHECK(translate(code, options).blocks[0].mode == model::ConcurrencyMode::BareMetal);
}

TEST_CASE("mode overrides: the clause wins over the command line, which wins over the analyzer") {
  const std::string plain = "void f(int *a) {\n#pragma luminar parallel for MODE\nfor (int i = 0; i < 8; ++i) a[i] = i;\n}\n";
  auto with = [&](const std::string &clause, std::optional<model::ModeRequest> global) {
    std::string code = plain;
    code.replace(code.find("MODE"), 4, clause);
    frontend::TranslateOptions options;
    options.checkOnly = true;
    options.globalMode = global;
    return translate(code, options);
  };
  frontend::TranslationResult clause = with("mode(runtime)", std::nullopt);
  CHECK(clause.blocks[0].mode == model::ConcurrencyMode::RuntimeAssisted);
  CHECK(clause.blocks[0].modeSource == model::ModeSource::Clause);
  frontend::TranslationResult line = with("", model::ModeRequest::Runtime);
  CHECK(line.blocks[0].modeSource == model::ModeSource::CommandLine);
  frontend::TranslationResult both = with("mode(bare_metal)", model::ModeRequest::Runtime);
  CHECK(both.blocks[0].mode == model::ConcurrencyMode::BareMetal);
  CHECK(both.blocks[0].modeSource == model::ModeSource::Clause);

  // Forcing bare_metal on a block that needs the runtime is an error.
  std::string needsRuntime = std::string(kChannelStub) + "void f() {\n  luminar::channel<int> c;\n#pragma luminar parallel mode(bare_metal)\n{\n  c.send(1);\n}\n}\n";
  frontend::TranslateOptions options;
  options.checkOnly = true;
  CHECK(translate(needsRuntime, options).failed);
}

TEST_CASE("nested blocks decide for themselves") {
  std::string code = std::string(kChannelStub) +
                     "void f() {\n#pragma luminar parallel\n{\n#pragma luminar spawn\n  {\n"
                     "#pragma luminar concurrent\n    {\n      luminar::channel<int> c;\n      c.send(1);\n    }\n  }\n}\n}\n";
  frontend::TranslationResult r = analyse(code);
  REQUIRE(r.blocks.size() == 2);
  CHECK(r.blocks[0].mode == model::ConcurrencyMode::BareMetal);
  CHECK(r.blocks[1].mode == model::ConcurrencyMode::RuntimeAssisted);
}

TEST_CASE("I/O makes a block I/O-bound") {
  std::string code = std::string(kChannelStub) + "void f(char *buf) {\n#pragma luminar parallel for\nfor (int i = 0; i < 4; ++i) luminar::io::read(0, buf, 1, i);\n}\n";
  frontend::TranslationResult r = analyse(code);
  REQUIRE(r.blocks.size() == 1);
  CHECK(r.blocks[0].ioBound);
  CHECK_FALSE(r.blocks[0].cpuBound);
  CHECK(features(r.blocks[0]) == std::vector<std::string>{"AsyncIO"});
}

TEST_CASE("race lint: unprotected shared writes warn, protected ones do not") {
  auto warnings = [](const std::string &body) {
    frontend::TranslationResult r = analyse("int g(int);\nvoid f(int *a) {\n  int s = 0;\n#pragma luminar parallel for\nfor (int i = 0; i < 8; ++i) {\n" + body + "\n}\n}\n");
    REQUIRE(r.blocks.size() == 1);
    return r.blocks[0].warnings.size();
  };
  CHECK(warnings("s += a[i];") == 1);
  CHECK(warnings("a[i] = s;") == 0);  // element writes cannot be judged
  CHECK(warnings("int t = 0; t += a[i]; (void)t;") == 0);
  CHECK(warnings("\n#pragma luminar atomic\ns += a[i];") == 0);
  CHECK(warnings("\n#pragma luminar critical\ns += a[i];") == 0);
}
