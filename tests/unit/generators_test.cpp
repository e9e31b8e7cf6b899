// The bare-metal generators (generators/): golden text of each kind of site, with and
// without #line directives, and compile-and-run checks: translated programs are compiled
// with g++ and clang++ (-std=c++17 -Wall -Wextra -Werror -pthread) and must print what the
// serial program prints. Set LUMINAR_KEEP_TEST_FILES=1 to keep the programs for a look.
#include "luminar/generators/BareMetalGenerator.h"
#include "luminar/generators/RuntimeGenerator.h"
#include "luminar/pragma/ClauseParser.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#ifndef LUMINAR_SOURCE_DIR
#error "build with -DLUMINAR_SOURCE_DIR=\"<repository root>\""
#endif

namespace gen = luminar::generators;
namespace model = luminar::model;
using gen::CodePiece;
using gen::CompareOp;
using gen::SiteContext;

namespace {

// ---------------------------------------------------------------------------------------
// Site construction
// ---------------------------------------------------------------------------------------

SiteContext context(unsigned site, unsigned pragmaLine, std::string pragmaText, bool lineDirectives = true) {
  SiteContext c;
  c.fileName = "demo.cpp";
  c.lineDirectives = lineDirectives;
  c.pragmaLine = pragmaLine;
  c.pragmaColumn = 3;
  c.indent = "  ";
  c.siteNumber = site;
  c.pragmaText = std::move(pragmaText);
  return c;
}

CodePiece piece(std::string text, unsigned line, unsigned column) {
  CodePiece p;
  p.text = std::move(text);
  p.line = line;
  p.column = column;
  return p;
}

model::Directive directive(model::PragmaKind kind) {
  model::Directive d;
  d.kind = kind;
  return d;
}

model::Reduction reduction(model::ReductionOp op, const std::vector<std::string> &vars) {
  model::Reduction r;
  r.op = op;
  for (const std::string &v : vars) r.vars.push_back(model::VarRef{v, 0});
  return r;
}

std::vector<model::VarRef> varRefs(const std::vector<std::string> &vars) {
  std::vector<model::VarRef> refs;
  for (const std::string &v : vars) refs.push_back(model::VarRef{v, 0});
  return refs;
}

std::string trim(const std::string &s) {
  const auto b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// "int i = 0; i < n; ++i" → LoopShape (test inputs only: one space around operators).
gen::LoopShape loopShape(const std::string &header, const std::string &body, unsigned line) {
  gen::LoopShape loop;
  const auto semi1 = header.find(';');
  const auto semi2 = header.find(';', semi1 + 1);
  const std::string init = trim(header.substr(0, semi1));
  const std::string cond = trim(header.substr(semi1 + 1, semi2 - semi1 - 1));
  const std::string incr = trim(header.substr(semi2 + 1));

  const auto eq = init.find(" = ");
  const std::string declarator = init.substr(0, eq);
  const auto space = declarator.rfind(' ');
  loop.varName = space == std::string::npos ? declarator : declarator.substr(space + 1);
  loop.varType = space == std::string::npos ? "" : declarator.substr(0, space);
  loop.lowerBound = piece(init.substr(eq + 3), line, 10);

  static const std::pair<const char *, CompareOp> ops[] = {
      {" <= ", CompareOp::LessEqual}, {" >= ", CompareOp::GreaterEqual}, {" != ", CompareOp::NotEqual},
      {" < ", CompareOp::Less},       {" > ", CompareOp::Greater}};
  for (const auto &[text, op] : ops) {
    const auto at = cond.find(text);
    if (at == std::string::npos) continue;
    loop.compare = op;
    loop.bound = piece(cond.substr(at + std::string(text).size()), line, 20);
    break;
  }
  if (incr.find("++") != std::string::npos || incr.find("--") != std::string::npos) {
    loop.ascending = incr.find("++") != std::string::npos;
    loop.step = piece("1", line, 30);
  } else {
    loop.ascending = incr.find("+=") != std::string::npos;
    loop.step = piece(trim(incr.substr(incr.find('=') + 1)), line, 30);
  }
  loop.body = piece(body, line + 1, 5);
  return loop;
}

// The directive the real clause parser makes of `text` ("parallel for reduction(+: s)").
model::Directive parse(const std::string &text) {
  const luminar::pragma::ParseResult result = luminar::pragma::parsePragma(luminar::pragma::lexPragmaText(text), 0);
  INFO("pragma: " << text);
  REQUIRE(!result.hasErrors());
  return *result.directive;
}

// ---------------------------------------------------------------------------------------
// A tiny language for test programs: every construct yields the serial program text (the
// pragmas' meaning, written by hand or the statement as it is) and the translated text.
// ---------------------------------------------------------------------------------------

struct Code {
  std::string serial;
  std::string parallel;
};

Code plain(const std::string &text) { return Code{text + "\n", text + "\n"}; }
Code operator+(Code a, const Code &b) { return Code{a.serial + b.serial, a.parallel + b.parallel}; }

struct Sites {
  bool lineDirectives = true;
  unsigned next = 1;
  std::vector<std::string> criticalNames;
  bool needsErrorList = false;

  SiteContext take(const std::string &pragmaText) {
    const unsigned site = next++;
    return context(site, 1000 + 10 * site, pragmaText, lineDirectives);
  }

  Code parallelFor(const std::string &pragma, const std::string &header, const Code &body) {
    model::Directive d = parse(pragma);
    if (d.onError == model::ErrorStrategy::Collect) needsErrorList = true;
    gen::ParallelForSite site;
    site.context = take(pragma);
    site.directive = std::move(d);
    site.loop = loopShape(header, body.parallel, site.context.pragmaLine + 1);
    return Code{"for (" + header + ") " + body.serial, gen::generateParallelFor(site)};
  }

  Code block(const std::string &pragma, const std::string &group, const Code &inner) {
    model::Directive d = parse(pragma);
    if (d.onError == model::ErrorStrategy::Collect) needsErrorList = true;
    gen::ParallelBlockSite site;
    site.context = take(pragma);
    site.directive = std::move(d);
    site.innerBody = piece(inner.parallel, site.context.pragmaLine + 1, 4);
    site.groupName = group;
    return Code{"{\n" + inner.serial + "}\n", gen::generateParallelBlock(site)};
  }

  Code spawn(const std::string &group, const std::vector<std::string> &copied, const Code &statement,
             const std::vector<std::string> &privateVars = {}) {
    gen::SpawnSite site;
    site.context = take("spawn");
    site.directive = directive(model::PragmaKind::Spawn);
    site.statement = piece(statement.parallel, site.context.pragmaLine + 1, 5);
    site.groupName = group;
    site.copiedVars = copied;
    site.privateVars = privateVars;
    site.label = "spawn at demo.cpp:" + std::to_string(site.context.pragmaLine);
    return Code{statement.serial, gen::generateSpawn(site)};
  }

  Code critical(const std::string &name, const Code &statement, bool declaration = false) {
    gen::CriticalSite site;
    site.context = take(name.empty() ? "critical" : "critical(" + name + ")");
    site.directive = directive(model::PragmaKind::Critical);
    if (!name.empty()) {
      site.directive.criticalName = name;
      criticalNames.push_back(name);
    }
    site.statement = piece(statement.parallel, site.context.pragmaLine + 1, 5);
    site.statementIsDeclaration = declaration;
    return Code{statement.serial, gen::generateCritical(site)};
  }

  // `target op= operand;` written as `statement`.
  Code atomic(const std::string &target, gen::AtomicOp op, const std::string &operand, const std::string &statement,
              bool stdAtomic = false) {
    gen::AtomicSite site;
    site.context = take("atomic");
    const unsigned line = site.context.pragmaLine + 1;
    site.target = piece(target, line, 5);
    site.operand = piece(operand, line, 12);
    site.op = op;
    site.targetIsStdAtomic = stdAtomic;
    site.statement = piece(statement, line, 5);
    return Code{statement + "\n", gen::generateAtomic(site)};
  }

  // The serial meaning of defer is placed by hand (at the end of the scope).
  Code defer(const std::string &statement) {
    gen::DeferSite site;
    site.context = take("defer");
    site.statement = piece(statement, site.context.pragmaLine + 1, 5);
    return Code{"", gen::generateDefer(site)};
  }

  std::string prelude() const {
    gen::PreludeRequest request;
    request.context = context(0, 1, "", lineDirectives);
    request.needsErrorList = needsErrorList;
    request.criticalNames = criticalNames;
    return gen::generatePrelude(request);
  }
};

// A program that computes `result` twice, serially and translated, and exits 0 when the
// translated version always (over several runs) agrees with the serial one.
struct Program {
  std::string name;
  std::string globals;  // declarations before the two versions (may hold translated code)
  Code body;            // the body of `std::string run()`: appends to `out`
};

std::string assemble(const Sites &sites, const Program &program, bool translated) {
  std::string text = sites.prelude();
  text += R"(#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

template <class... T>
std::string show(const T &...values) {
  std::ostringstream s;
  ((s << values << ' '), ...);
  s << '\n';
  return s.str();
}

std::vector<int> sample(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  unsigned x = 12345;
  for (int &e : v) {
    x = x * 1103515245u + 12345u;
    e = static_cast<int>((x >> 8) % 10000);
  }
  return v;
}
)";
  text += program.globals;
  text += "\nstd::string run() {\n  std::string out;\n";
  text += translated ? program.body.parallel : program.body.serial;
  text += "  return out;\n}\n";
  text += R"(
int main() {
  const std::string first = run();
  std::fputs(first.c_str(), stdout);
  for (int round = 0; round < 20; ++round) {
    const std::string again = run();
    if (again != first) {
      std::fputs("--- differs on a later run:\n", stdout);
      std::fputs(again.c_str(), stdout);
      return 1;
    }
  }
  return 0;
}
)";
  return text;
}

// ---------------------------------------------------------------------------------------
// Shell helpers
// ---------------------------------------------------------------------------------------

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult shell(const std::string &command) {
  CommandResult result;
  FILE *pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string findCompiler(const std::vector<std::string> &names) {
  for (const std::string &name : names) {
    CommandResult r = shell("command -v " + name);
    if (r.status == 0 && !r.output.empty()) return trim(r.output.substr(0, r.output.find('\n')));
  }
  return "";
}

std::vector<std::string> compilers() {
  std::vector<std::string> found;
  const std::vector<std::vector<std::string>> families = {{"g++-12", "g++"}, {"clang++-14", "clang++"}};
  for (const auto &names : families) {
    std::string path = findCompiler(names);
    if (!path.empty()) found.push_back(path);
  }
  return found;
}

std::filesystem::path scratchDirectory() {
  const auto dir = std::filesystem::temp_directory_path() / ("luminar_generators_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

void writeFile(const std::filesystem::path &path, const std::string &text) {
  std::ofstream(path) << text;
}

// Compiles the serial and the translated program with every compiler found (in parallel),
// runs them and checks that the translated output equals the serial output.
void compileAndRun(const Sites &sites, const Program &program) {
  const std::vector<std::string> found = compilers();
  if (found.empty()) {
    MESSAGE("no C++ compiler found with command -v: compile-and-run check of '" << program.name << "' skipped");
    return;
  }
  const auto dir = scratchDirectory();
  const std::string include = std::string(LUMINAR_SOURCE_DIR) + "/hooks/include";
  struct Job {
    std::string label, source, binary;
    std::future<CommandResult> compiled;
  };
  std::vector<Job> jobs;
  for (bool translated : {false, true}) {
    const std::string stem = program.name + (translated ? "_translated" : "_serial");
    const std::string source = (dir / (stem + ".cpp")).string();
    writeFile(source, assemble(sites, program, translated));
    for (const std::string &compiler : found) {
      if (!translated && compiler != found.front()) continue;  // the serial meaning: one compiler is enough
      const std::string binary = (dir / (stem + "_" + std::filesystem::path(compiler).filename().string())).string();
      // -O2 for the translated program: some warnings (maybe-uninitialized) need the optimiser.
      const std::string command = compiler + " -std=c++17 " + (translated ? "-O2" : "-O0") +
                                  " -Wall -Wextra -Werror -pthread -I '" + include + "' '" + source + "' -o '" +
                                  binary + "'";
      jobs.push_back(Job{compiler + " " + stem, source, binary, std::async(std::launch::async, shell, command)});
    }
  }
  std::string serialOutput;
  for (Job &job : jobs) {
    const CommandResult compiled = job.compiled.get();
    INFO("compiling " << job.label << " (" << job.source << "):\n" << compiled.output);
    REQUIRE(compiled.status == 0);
    CHECK(compiled.output.empty());  // not even a note
    const CommandResult ran = shell("'" + job.binary + "'");
    INFO("running " << job.label << ":\n" << ran.output);
    REQUIRE(ran.status == 0);
    REQUIRE(!ran.output.empty());
    if (serialOutput.empty()) {
      serialOutput = ran.output;
    } else {
      CHECK(ran.output == serialOutput);
    }
  }
  if (std::getenv("LUMINAR_KEEP_TEST_FILES") != nullptr) {
    MESSAGE("programs of '" << program.name << "' kept in " << dir.string() << "; serial output:\n" << serialOutput);
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace

// =======================================================================================
// Golden text
// =======================================================================================

TEST_CASE("atomic: golden text with and without #line") {
  gen::AtomicSite site;
  site.context = context(1, 5, "atomic");
  site.target = piece("hits", 6, 3);
  site.operand = piece("1", 6, 3);
  site.op = gen::AtomicOp::Add;
  site.statement = piece("++hits;", 6, 3);
  CHECK(gen::generateAtomic(site) ==
        "#line 5 \"demo.cpp\"\n"
        "  // #pragma luminar atomic\n"
        "#line 6 \"demo.cpp\"\n"
        "  luminar::bare_metal::atomic_update<luminar::bare_metal::atomic_op::add>(hits, 1);\n");

  site.context.lineDirectives = false;
  site.target = piece("total[k]", 6, 3);
  site.operand = piece("x * 2", 6, 15);
  site.op = gen::AtomicOp::Shl;
  CHECK(gen::generateAtomic(site) ==
        "  // #pragma luminar atomic\n"
        "  luminar::bare_metal::atomic_update<luminar::bare_metal::atomic_op::shl>(total[k], x * 2);\n");
}

TEST_CASE("atomic: a std::atomic target keeps its statement") {
  gen::AtomicSite site;
  site.context = context(2, 7, "atomic");
  site.target = piece("counter", 8, 5);
  site.operand = piece("2", 8, 16);
  site.targetIsStdAtomic = true;
  site.statement = piece("counter += 2;", 8, 5);
  CHECK(gen::generateAtomic(site) ==
        "#line 7 \"demo.cpp\"\n"
        "  // #pragma luminar atomic -- the target is a std::atomic: the statement already is atomic\n"
        "#line 8 \"demo.cpp\"\n"
        "    counter += 2;\n");
}

TEST_CASE("atomic: a multi-line operand keeps its own lines") {
  gen::AtomicSite site;
  site.context = context(3, 10, "atomic");
  site.target = piece("sum", 11, 3);
  site.operand = piece("a +\n         b", 11, 10);
  site.op = gen::AtomicOp::Add;
  CHECK(gen::generateAtomic(site) ==
        "#line 10 \"demo.cpp\"\n"
        "  // #pragma luminar atomic\n"
        "#line 11 \"demo.cpp\"\n"
        "  luminar::bare_metal::atomic_update<luminar::bare_metal::atomic_op::add>(sum, \n"
        "#line 11 \"demo.cpp\"\n"
        "         a +\n"
        "         b\n"
        "#line 10 \"demo.cpp\"\n"
        "    );\n");
}

TEST_CASE("defer: golden text with and without #line") {
  gen::DeferSite site;
  site.context = context(4, 20, "defer");
  site.statement = piece("std::fclose(f);", 21, 3);
  CHECK(gen::generateDefer(site) ==
        "#line 20 \"demo.cpp\"\n"
        "  // #pragma luminar defer\n"
        "  auto luminar_defer_4 = luminar::bare_metal::defer([&]() {\n"
        "#line 21 \"demo.cpp\"\n"
        "  std::fclose(f);\n"
        "#line 20 \"demo.cpp\"\n"
        "  });\n");

  site.context.lineDirectives = false;
  CHECK(gen::generateDefer(site) ==
        "  // #pragma luminar defer\n"
        "  auto luminar_defer_4 = luminar::bare_metal::defer([&]() {\n"
        "  std::fclose(f);\n"
        "  });\n");
}

TEST_CASE("critical: statement, declaration, named") {
  gen::CriticalSite site;
  site.context = context(5, 30, "critical");
  site.directive = directive(model::PragmaKind::Critical);
  site.statement = piece("log.push_back(x);", 31, 5);
  CHECK(gen::generateCritical(site) ==
        "#line 30 \"demo.cpp\"\n"
        "  // #pragma luminar critical\n"
        "  {\n"
        "    std::lock_guard<std::mutex> luminar_lock_5(luminar::bare_metal::unnamed_critical_mutex());\n"
        "#line 31 \"demo.cpp\"\n"
        "    log.push_back(x);\n"
        "#line 30 \"demo.cpp\"\n"
        "  }\n");

  site.context = context(6, 40, "critical(ids)");
  site.directive.criticalName = "ids";
  site.statement = piece("int id = next_id++;", 41, 3);
  site.statementIsDeclaration = true;
  CHECK(gen::generateCritical(site) ==
        "#line 40 \"demo.cpp\"\n"
        "  // #pragma luminar critical(ids)\n"
        "  std::unique_lock<std::mutex> luminar_lock_6(luminar_critical_ids());\n"
        "#line 41 \"demo.cpp\"\n"
        "  int id = next_id++;\n"
        "#line 40 \"demo.cpp\"\n"
        "  luminar_lock_6.unlock();\n");

  site.context.lineDirectives = false;
  CHECK(gen::generateCritical(site) ==
        "  // #pragma luminar critical(ids)\n"
        "  std::unique_lock<std::mutex> luminar_lock_6(luminar_critical_ids());\n"
        "  int id = next_id++;\n"
        "  luminar_lock_6.unlock();\n");
  CHECK(gen::criticalMutexExpression(site.directive) == "luminar_critical_ids()");
}

TEST_CASE("the pragma comment cannot swallow the next line") {
  gen::DeferSite site;
  site.context = context(7, 50, "defer \\\n  ", false);
  site.statement = piece("f();", 51, 1);
  CHECK(gen::generateDefer(site).rfind("  // #pragma luminar defer\n", 0) == 0);
}

TEST_CASE("spawn: copies declared-inside variables, shares the rest") {
  gen::SpawnSite site;
  site.context = context(8, 60, "spawn private(tmp)");
  site.directive = directive(model::PragmaKind::Spawn);
  site.statement = piece("results[i] = work(i, tmp);", 61, 7);
  site.groupName = "luminar_group_3";
  site.copiedVars = {"i", "tmp"};
  site.privateVars = {"tmp"};
  site.label = "spawn at demo.cpp:60";
  CHECK(gen::generateSpawn(site) ==
        "#line 60 \"demo.cpp\"\n"
        "  // #pragma luminar spawn private(tmp)\n"
        "  luminar_group_3.spawn([&, i]() mutable {\n"
        "    [[maybe_unused]] std::remove_reference_t<decltype(tmp)> tmp{};\n"
        "#line 61 \"demo.cpp\"\n"
        "      results[i] = work(i, tmp);\n"
        "#line 60 \"demo.cpp\"\n"
        "  }, \"spawn at demo.cpp:60\");\n");
}

TEST_CASE("parallel block: error state, task group, join") {
  gen::ParallelBlockSite site;
  site.context = context(9, 70, "parallel num_threads(4) on_error(collect)", false);
  site.directive = directive(model::PragmaKind::Parallel);
  site.directive.numThreads = model::Expr{"4", 0};
  site.directive.onError = model::ErrorStrategy::Collect;
  site.innerBody = piece("\n    step();\n", 70, 13);
  site.groupName = "luminar_group_9";
  CHECK(gen::generateParallelBlock(site) ==
        "  // #pragma luminar parallel num_threads(4) on_error(collect)\n"
        "  {\n"
        "    luminar::bare_metal::error_state luminar_errors_9(luminar::bare_metal::error_strategy::collect);\n"
        "    luminar::bare_metal::task_group luminar_group_9(static_cast<std::size_t>(4), false, luminar_errors_9);\n"
        "            \n"
        "    step();\n"
        "    // end of the block: wait for every task\n"
        "    luminar_group_9.join();\n"
        "    luminar_errors_9.throw_collected<luminar::error_list>();\n"
        "  }\n");
}

TEST_CASE("runtime block: task group with its clauses, then wait") {
  gen::ParallelBlockSite site;
  site.context = context(4, 30, "concurrent on_error(collect) max_concurrency(k) timeout(2s) if(big)", false);
  site.directive = directive(model::PragmaKind::Concurrent);
  site.directive.onError = model::ErrorStrategy::Collect;
  site.directive.maxConcurrency = model::Expr{"k", 0};
  site.directive.timeout = model::Duration{"std::chrono::seconds(2)", 0};
  site.directive.ifCondition = model::Expr{"big", 0};
  site.innerBody = piece("\n    step();\n", 30, 13);
  site.groupName = "luminar_group_4";
  site.runtimeAssisted = true;
  site.label = "concurrent at demo.cpp:30";
  CHECK(gen::generateRuntimeBlock(site) ==
        "  // #pragma luminar concurrent on_error(collect) max_concurrency(k) timeout(2s) if(big) -- runtime-assisted\n"
        "  {\n"
        "    luminar::runtime::task_group luminar_group_4(luminar::runtime::error_strategy::collect, "
        "static_cast<std::uint32_t>(k), luminar::detail::to_timeout_ns(std::chrono::seconds(2)), "
        "\"concurrent at demo.cpp:30\", !static_cast<bool>(big));\n"
        "            \n"
        "    step();\n"
        "    // end of the block: wait for every task, then throw what on_error(collect) says\n"
        "    luminar_group_4.wait();\n"
        "  }\n");
}

TEST_CASE("runtime spawn: clauses become spawn_options; a dynamic spawn copies what it names") {
  gen::SpawnSite site;
  site.context = context(5, 40, "spawn name(\"io\") priority(high) blocking timeout(5ms)", false);
  site.directive = directive(model::PragmaKind::Spawn);
  site.directive.priority = model::Priority::High;
  site.directive.blocking = true;
  site.directive.timeout = model::Duration{"std::chrono::milliseconds(5)", 0};
  site.statement = piece("load(i);", 41, 5);
  site.target = gen::SpawnTarget::RuntimeGroup;
  site.groupName = "luminar_group_4";
  site.copiedVars = {"i"};
  site.label = "io";
  CHECK(gen::generateRuntimeSpawn(site) ==
        "  // #pragma luminar spawn name(\"io\") priority(high) blocking timeout(5ms)\n"
        "  luminar_group_4.spawn([&, i]() mutable {\n"
        "    load(i);\n"
        "  }, luminar::runtime::spawn_options{\"io\", LUMINAR_PRIORITY_HIGH, true, "
        "luminar::detail::to_timeout_ns(std::chrono::milliseconds(5)), \"demo.cpp\", 40});\n");

  gen::SpawnSite dynamic;
  dynamic.context = context(6, 50, "spawn shared(total)", false);
  dynamic.directive = directive(model::PragmaKind::Spawn);
  dynamic.statement = piece("total += visit(node->left);", 51, 5);
  dynamic.target = gen::SpawnTarget::Dynamic;
  dynamic.copyEveryLocal = true;
  dynamic.sharedVars = {"total"};
  dynamic.label = "spawn at demo.cpp:50";
  CHECK(gen::generateRuntimeSpawn(dynamic) ==
        "  // #pragma luminar spawn shared(total) -- joins the block of the task running it, else detached\n"
        "  luminar::runtime::spawn_detached([=, &total]() mutable {\n"
        "    total += visit(node->left);\n"
        "  }, luminar::runtime::spawn_options{\"spawn at demo.cpp:50\", LUMINAR_PRIORITY_NORMAL, false, -1, "
        "\"demo.cpp\", 50});\n");
}

TEST_CASE("runtime parallel for: the same loop, its shares run by luminar::runtime::parallel_for") {
  gen::ParallelForSite site;
  site.context = context(7, 20, "parallel for mode(runtime)", false);
  site.directive = directive(model::PragmaKind::ParallelFor);
  site.loop = loopShape("int i = 0; i < n; ++i", "a[i] = 0;", 21);
  site.runtimeAssisted = true;
  site.label = "parallel for at demo.cpp:20";
  const std::string runtime = gen::generateRuntimeParallelFor(site);
  std::string bare = gen::generateParallelFor(site);
  CHECK(runtime.find("luminar::runtime::parallel_for(luminar_count_7, luminar_options_7, luminar_errors_7,") !=
        std::string::npos);
  CHECK(runtime.find("}, \"parallel for at demo.cpp:20\");\n") != std::string::npos);
  // Everything else is the bare-metal loop's text.
  const std::string call = "luminar::bare_metal::parallel_for(";
  bare.replace(bare.find(call), call.size(), "luminar::runtime::parallel_for(");
  const std::size_t close = bare.rfind("});\n", bare.find("luminar_errors_7.rethrow_first()"));
  bare.replace(close, 4, "}, \"parallel for at demo.cpp:20\");\n");
  CHECK(bare == runtime);
}

TEST_CASE("prelude: runtime-assisted sites include the header API") {
  gen::PreludeRequest request;
  request.context = context(0, 12, "", false);
  request.needsRuntime = true;
  const std::string prelude = gen::generatePrelude(request);
  CHECK(prelude.find("#include <luminar/luminar.hpp>\n") != std::string::npos);
  request.needsRuntime = false;
  CHECK(gen::generatePrelude(request).find("luminar.hpp") == std::string::npos);
}

TEST_CASE("parallel for reduction(+: sum): golden text") {
  gen::ParallelForSite site;
  site.context = context(3, 10, "parallel for reduction(+: sum)");
  site.directive = directive(model::PragmaKind::ParallelFor);
  site.directive.reductions.push_back(reduction(model::ReductionOp::Add, {"sum"}));
  site.loop.varName = "i";
  site.loop.varType = "std::size_t";
  site.loop.lowerBound = piece("0", 11, 23);
  site.loop.bound = piece("v.size()", 11, 30);
  site.loop.step = piece("1", 11, 40);
  site.loop.body = piece("{\n    sum += v[i];\n  }", 11, 45);
  CHECK(gen::generateParallelFor(site) ==
        R"(#line 10 "demo.cpp"
  // #pragma luminar parallel for reduction(+: sum)
  {
#line 11 "demo.cpp"
    std::size_t luminar_lb_3 = 0; auto luminar_ub_3 = v.size(); auto luminar_step_3 = 1;
#line 10 "demo.cpp"
    const std::uint64_t luminar_count_3 = luminar::bare_metal::trip_count_less(luminar_lb_3, luminar_ub_3, luminar_step_3);
    luminar::bare_metal::loop_options luminar_options_3;
    luminar_options_3.schedule = luminar::bare_metal::schedule_kind::static_;
    luminar::bare_metal::error_state luminar_errors_3(luminar::bare_metal::error_strategy::stop);
    // reduction(+: sum): per-thread copies start at the identity, combined at the end
    using luminar_type_sum_3 = std::remove_reference_t<decltype(sum)>;
    auto &luminar_shared_sum_3 = sum;
    luminar::bare_metal::parallel_for(luminar_count_3, luminar_options_3, luminar_errors_3, [&](luminar::bare_metal::loop_worker &luminar_worker_3) {
      luminar_type_sum_3 sum = luminar::bare_metal::reduction_identity<luminar::bare_metal::reduction_op::add, luminar_type_sum_3>();
      luminar_worker_3.for_each_chunk([&](std::uint64_t luminar_lo_3, std::uint64_t luminar_hi_3) {
        for (std::uint64_t luminar_k_3 = luminar_lo_3; luminar_k_3 < luminar_hi_3; ++luminar_k_3) {
          [[maybe_unused]] std::size_t i = luminar::bare_metal::iteration_value(luminar_lb_3, luminar_k_3, luminar_step_3, true);
#line 11 "demo.cpp"
                                            {
    sum += v[i];
  }
#line 10 "demo.cpp"
        }
      });
      luminar_worker_3.combine([&]() {
        luminar::bare_metal::reduction_combine<luminar::bare_metal::reduction_op::add>(luminar_shared_sum_3, sum);
      });
    });
    luminar_errors_3.rethrow_first();
  }
)");
}

TEST_CASE("parallel for: clauses, outer induction variable, collect") {
  gen::ParallelForSite site;
  site.context = context(4, 20, "parallel for ...", false);
  site.directive = directive(model::PragmaKind::ParallelFor);
  site.directive.numThreads = model::Expr{"t", 0};
  site.directive.ifCondition = model::Expr{"n > 100", 0};
  site.directive.schedule = model::ScheduleKind::Dynamic;
  site.directive.scheduleChunk = model::Expr{"8", 0};
  site.directive.onError = model::ErrorStrategy::Collect;
  site.directive.privateVars = varRefs({"tmp"});
  site.directive.firstprivateVars = varRefs({"seed"});
  site.loop = loopShape("j = n; j != 0; j -= 2", "f(j);", 21);
  const std::string text = gen::generateParallelFor(site);
  CHECK(text.find("#line") == std::string::npos);
  const char *expected[] = {
      "std::remove_reference_t<decltype(j)> luminar_lb_4 = n; auto luminar_ub_4 = 0; auto luminar_step_4 = 2;",
      "luminar::bare_metal::trip_count_not_equal(luminar_lb_4, luminar_ub_4, luminar_step_4, false);",
      "luminar_options_4.max_threads = static_cast<std::size_t>(t);",
      "luminar_options_4.serial = !static_cast<bool>(n > 100);",
      "luminar_options_4.schedule = luminar::bare_metal::schedule_kind::dynamic;",
      "luminar_options_4.chunk = static_cast<std::uint64_t>(8);",
      "luminar::bare_metal::error_strategy::collect",
      "[[maybe_unused]] luminar_type_tmp_4 tmp{};",
      "[[maybe_unused]] luminar_type_seed_4 seed = luminar_shared_seed_4;",
      "[[maybe_unused]] auto j = luminar::bare_metal::iteration_value(luminar_lb_4, luminar_k_4, luminar_step_4, false);",
      "luminar_errors_4.record(std::current_exception(), \"iteration \" + std::to_string(luminar_k_4));",
      "j = luminar::bare_metal::iteration_value(luminar_lb_4, luminar_count_4, luminar_step_4, false);",
      "luminar_errors_4.throw_collected<luminar::error_list>();",
  };
  for (const char *line : expected) {
    INFO(line);
    CHECK(text.find(line) != std::string::npos);
  }
}

TEST_CASE("parallel for: a loop header over several lines maps each expression to its line") {
  gen::ParallelForSite site;
  site.context = context(5, 30, "parallel for");
  site.directive = directive(model::PragmaKind::ParallelFor);
  site.loop.varName = "i";
  site.loop.varType = "int";
  site.loop.lowerBound = piece("first", 31, 16);
  site.loop.bound = piece("last(\n           v)", 32, 10);
  site.loop.step = piece("stride", 33, 15);
  site.loop.compare = CompareOp::LessEqual;
  site.loop.body = piece("use(i);", 34, 5);
  const std::string text = gen::generateParallelFor(site);
  const std::string header = text.substr(0, text.find("    const std::uint64_t"));
  CHECK(header ==
        "#line 30 \"demo.cpp\"\n"
        "  // #pragma luminar parallel for\n"
        "  {\n"
        "#line 31 \"demo.cpp\"\n"
        "    int luminar_lb_5 = first;\n"
        "    auto luminar_ub_5 = \n"  // line 32 already
        "#line 32 \"demo.cpp\"\n"
        "         last(\n"
        "           v)\n"
        "#line 30 \"demo.cpp\"\n"
        "      ;\n"
        "#line 33 \"demo.cpp\"\n"
        "    auto luminar_step_5 = stride;\n"
        "#line 30 \"demo.cpp\"\n");
  CHECK(text.find("trip_count_less_equal(luminar_lb_5, luminar_ub_5, luminar_step_5)") != std::string::npos);
}

TEST_CASE("prelude: embedded header, error list, named mutexes, resync") {
  std::ifstream in(std::string(LUMINAR_SOURCE_DIR) + "/hooks/include/luminar/bare_metal.hpp");
  std::stringstream header;
  header << in.rdbuf();
  REQUIRE(!header.str().empty());

  gen::PreludeRequest request;
  request.context = context(0, 12, "");
  request.needsErrorList = true;
  request.criticalNames = {"io", "ids", "io"};
  std::string expected = "#line 1 \"luminar/bare_metal.hpp\"\n" + header.str();
  if (expected.back() != '\n') expected += '\n';
  expected +=
      "#include <luminar/errors.hpp>\n"
      "// mutexes of the named critical sections (one per name in the whole program)\n"
      "inline std::mutex &luminar_critical_ids() { static std::mutex m; return m; }\n"
      "inline std::mutex &luminar_critical_io() { static std::mutex m; return m; }\n"
      "#line 12 \"demo.cpp\"\n";
  CHECK(gen::generatePrelude(request) == expected);

  request.context.lineDirectives = false;
  request.needsErrorList = false;
  request.criticalNames.clear();
  std::string bare = header.str();
  if (bare.back() != '\n') bare += '\n';
  CHECK(gen::generatePrelude(request) == bare);
}

// =======================================================================================
// Compile and run
// =======================================================================================

namespace {

struct ReductionCase {
  model::ReductionOp op;
  const char *decl;  // declares and initialises r
  const char *body;
};

const ReductionCase kReductions[] = {
    {model::ReductionOp::Add, "long long r = 5;", "{ r += v[i]; }"},
    {model::ReductionOp::Sub, "long long r = 1000;", "{ r -= v[i]; }"},
    {model::ReductionOp::Mul, "unsigned long long r = 3;",
     "{ r *= static_cast<unsigned long long>(2 * (v[i] % 5) + 1); }"},  // odd factors: never 0
    {model::ReductionOp::BitAnd, "unsigned r = ~0u;", "{ r &= static_cast<unsigned>(v[i]) | 0xFFFFF000u; }"},
    {model::ReductionOp::BitOr, "unsigned r = 0;", "{ r |= 1u << (v[i] % 29); }"},
    {model::ReductionOp::BitXor, "unsigned r = 7;", "{ r ^= static_cast<unsigned>(v[i]) * 2654435761u; }"},
    {model::ReductionOp::LogAnd, "bool r = true;", "{ r = r && (v[i] % 997 != 0); }"},
    {model::ReductionOp::LogOr, "bool r = false;", "{ r = r || (v[i] % 500 == 7); }"},
    {model::ReductionOp::Min, "int r = INT_MAX;", "{ if (v[i] < r) r = v[i]; }"},
    {model::ReductionOp::Max, "int r = -5;", "{ r = v[i] > r ? v[i] : r; }"},
};

// Clause sets covering both schedules, chunks, num_threads and if (true and false).
const char *const kSchedules[] = {
    "",
    " schedule(static, 3) num_threads(3)",
    " schedule(dynamic)",
    " schedule(dynamic, 7) if(n > 5)",
    " if(n < 0)",
};

}  // namespace

TEST_CASE("compile and run: every reduction operator under every schedule") {
  for (bool lineDirectives : {true, false}) {
    Sites sites;
    sites.lineDirectives = lineDirectives;
    Program program{lineDirectives ? "reductions" : "reductions_no_line", "", plain("const std::vector<int> v = sample(2000);\nconst int n = static_cast<int>(v.size());")};
    // Without #line the text differs only in the directives: two clause sets suffice.
    const std::size_t schedules = lineDirectives ? std::size(kSchedules) : 2;
    for (std::size_t s = 0; s < schedules; ++s) {
      const std::string schedule = kSchedules[s];
      for (const ReductionCase &rc : kReductions) {
        const std::string pragma =
            std::string("parallel for reduction(") + model::spelling(rc.op) + ": r)" + schedule;
        program.body = program.body + plain("{") + plain(rc.decl) +
                       sites.parallelFor(pragma, "int i = 0; i < n; ++i", plain(rc.body)) +
                       plain("out += show(\"" + std::string(model::spelling(rc.op)) + "\", r);") + plain("}");
      }
    }
    compileAndRun(sites, program);
  }
}

TEST_CASE("compile and run: loop shapes, data sharing, templates, members, nesting") {
  Sites sites;
  Program program;
  program.name = "shapes";

  // A template with dependent types, a member function reducing into a member, a generic lambda.
  {
    const Code loop = sites.parallelFor("parallel for reduction(+: acc)", "std::size_t i = 0; i < xs.size(); ++i",
                                        plain("acc += xs[i];"));
    program.globals += "template <class T>\nT total_serial(const std::vector<T> &xs) {\n  T acc{};\n" + loop.serial +
                       "  return acc;\n}\n";
    program.globals += "template <class T>\nT total_parallel(const std::vector<T> &xs) {\n  T acc{};\n" + loop.parallel +
                       "  return acc;\n}\n";
  }
  {
    const Code loop = sites.parallelFor("parallel for reduction(max: best) reduction(+: total)",
                                        "auto it = data.cbegin(); it != data.cend(); ++it",
                                        plain("{ total += *it; if (*it > best) best = *it; }"));
    for (const char *which : {"serial", "parallel"}) {
      program.globals += std::string("struct Acc_") + which +
                         " {\n  std::vector<long> data;\n  long total = 0;\n  long best = -1;\n  void run() {\n" +
                         (std::string(which) == "serial" ? loop.serial : loop.parallel) + "  }\n};\n";
    }
  }

  Code body = plain("const std::vector<int> v = sample(3000);\nconst int n = static_cast<int>(v.size());");
  // Templates and members, called from run().
  body = body + Code{"out += show(total_serial(v), total_serial(std::vector<double>{1.5, 2.5, 3.0}));\n",
                     "out += show(total_parallel(v), total_parallel(std::vector<double>{1.5, 2.5, 3.0}));\n"};
  body = body + Code{"{ Acc_serial a; a.data.assign(v.begin(), v.end()); a.run(); out += show(a.total, a.best); }\n",
                     "{ Acc_parallel a; a.data.assign(v.begin(), v.end()); a.run(); out += show(a.total, a.best); }\n"};
  // size_t against an int literal (no sign-compare warning), shared writes to distinct elements.
  {
    body = body + plain("{ std::vector<std::size_t> sq(100);") +
           sites.parallelFor("parallel for", "std::size_t i = 0; i < 100; ++i", plain("sq[i] = i * i;")) +
           plain("out += show(std::accumulate(sq.begin(), sq.end(), std::size_t{0}), sq[99]); }");
  }
  // Descending with >=, step with <=, unsigned descending with >, each with a reduction.
  {
    body = body + plain("{ long long s = 0; std::vector<int> back(static_cast<std::size_t>(n));") +
           sites.parallelFor("parallel for reduction(+: s)", "int i = n - 1; i >= 0; --i",
                             plain("{ back[static_cast<std::size_t>(n - 1 - i)] = v[static_cast<std::size_t>(i)]; s += i; }")) +
           plain("out += show(s, back.front(), back.back()); }");
    body = body + plain("{ long long s = 0;") +
           sites.parallelFor("parallel for reduction(+: s) schedule(dynamic, 2)", "long k = 3; k <= 200; k += 7",
                             plain("s += k * k;")) +
           plain("out += show(s); }");
    body = body + plain("{ long long s = 0;") +
           sites.parallelFor("parallel for reduction(+: s)", "unsigned u = 100; u > 3; u -= 4", plain("s += u;")) +
           plain("out += show(s); }");
  }
  // An induction variable declared outside: it ends with the serial loop's final value.
  {
    body = body + plain("{ long long s = 0; int j = -7;") +
           sites.parallelFor("parallel for reduction(+: s)", "j = 0; j < 50; j += 3", plain("s += j;")) +
           plain("out += show(s, j); }");
  }
  // Iterators with != writing through the iterator; continue.
  {
    body = body + plain("{ std::vector<int> w = v;") +
           sites.parallelFor("parallel for", "auto it = w.begin(); it != w.end(); ++it", plain("*it = *it * 2 + 1;")) +
           plain("out += show(std::accumulate(w.begin(), w.end(), 0LL)); }");
    body = body + plain("{ long long s = 0;") +
           sites.parallelFor("parallel for reduction(+: s)", "int i = 0; i < n; ++i",
                             plain("{\n      if (i % 3 != 0) continue;\n      s += v[static_cast<std::size_t>(i)];\n    }")) +
           plain("out += show(s); }");
  }
  // private / firstprivate.
  {
    body = body + plain("{ long long s = 0; int tmp = 0; const int base = 10;") +
           sites.parallelFor("parallel for reduction(+: s) private(tmp) firstprivate(base)", "int i = 0; i < n; ++i",
                             plain("{ tmp = v[static_cast<std::size_t>(i)] * 2; s += tmp + base; }")) +
           plain("out += show(s); (void)tmp; }");
  }
  // if(false): the loop runs on the calling thread, in order.
  {
    body = body + plain("{ std::vector<int> order;") +
           sites.parallelFor("parallel for if(n < 0)", "int i = 0; i < 50; i += 5", plain("order.push_back(i);")) +
           plain("for (int x : order) out += std::to_string(x) + ','; out += '\\n'; }");
  }
  // Nested: an inner parallel for (with an atomic) inside the body of an outer one.
  {
    const Code atomicHit = sites.atomic("hits", gen::AtomicOp::Add, "1", "++hits;");
    const Code innerLoop =
        sites.parallelFor("parallel for reduction(+: row)", "int c = 0; c < 40; ++c",
                          Code{"{ row += r * c; ", "{ row += r * c;\n"} + atomicHit + plain("}"));
    body = body + plain("{ long long grand = 0; int hits = 0;") +
           sites.parallelFor("parallel for reduction(+: grand) schedule(dynamic)", "int r = 0; r < 30; ++r",
                             plain("{ long long row = 0;") + innerLoop + plain("grand += row; }")) +
           plain("out += show(grand, hits); }");
  }
  // A generic lambda holding a loop.
  {
    const Code loop = sites.parallelFor("parallel for reduction(*: p)", "int i = 1; i <= 20; ++i",
                                        plain("p *= static_cast<decltype(p)>(i % 3 + 1) * scale;"));
    body = body + Code{"{ auto product = [&](auto scale) { auto p = scale; " + loop.serial + " return p; };\n",
                       "{ auto product = [&](auto scale) { auto p = scale;\n" + loop.parallel + " return p; };\n"} +
           plain("out += show(product(1LL), product(1.0)); }");
  }
  program.body = body;
  compileAndRun(sites, program);
}

TEST_CASE("compile and run: on_error(collect|ignore|stop) in loops and blocks") {
  Sites sites;
  Program program;
  program.name = "errors";
  Code body = plain("const int n = 100;");
  // collect: every iteration runs, the block throws an error_list with every failure.
  {
    const Code loop = sites.parallelFor(
        "parallel for on_error(collect)", "int i = 0; i < n; ++i",
        plain("{ ran.fetch_add(1); if (i % 10 == 3) throw std::runtime_error(\"bad \" + std::to_string(i)); }"));
    body = body + Code{"{ (void)n;\n"
                       "  out += show(\"failed\", 10, \"ran\", 100);\n"
                       "  for (int k = 3; k < 100; k += 10) out += \"iteration \" + std::to_string(k) + \": bad \" + std::to_string(k) + \"\\n\";\n"
                       "}\n",
                       "{ std::atomic<int> ran{0};\n  try {\n" + loop.parallel +
                           "    out += \"no error_list\\n\";\n"
                           "  } catch (const luminar::error_list &e) {\n"
                           "    out += show(\"failed\", e.size(), \"ran\", ran.load());\n"
                           "    std::set<std::pair<int, std::string>> lines;\n"
                           "    for (const auto &entry : e) {\n"
                           "      try { std::rethrow_exception(entry.error); } catch (const std::exception &x) {\n"
                           "        lines.insert({std::stoi(entry.task.substr(10)), entry.task + \": \" + x.what()}); }\n"
                           "    }\n"
                           "    for (const auto &l : lines) out += l.second + \"\\n\";\n"
                           "  }\n}\n"};
  }
  // ignore: every iteration runs, nothing is thrown.
  {
    const Code loop = sites.parallelFor("parallel for reduction(+: s) on_error(ignore)", "int i = 0; i < n; ++i",
                                        plain("{ if (i % 7 == 0) throw 42; s += i; }"));
    body = body + Code{"{ long long s = 0; for (int i = 0; i < n; ++i) if (i % 7 != 0) s += i; out += show(\"ignored\", s); }\n",
                       "{ long long s = 0;\n" + loop.parallel + "out += show(\"ignored\", s); }\n"};
  }
  // stop: the first exception comes out of the loop.
  {
    const Code loop = sites.parallelFor("parallel for", "int i = 0; i < n; ++i",
                                        plain("{ if (i == 50) throw std::runtime_error(\"stopped at 50\"); }"));
    body = body + Code{"out += show(\"caught\", \"stopped at 50\");\n",
                       "try {\n" + loop.parallel + "  out += \"nothing thrown\\n\";\n} catch (const std::runtime_error &e) {\n"
                       "  out += show(\"caught\", e.what());\n}\n"};
  }
  // A block with on_error(collect): every task runs, the failures come out together.
  {
    const std::string group = "luminar_group_errors";
    const Code inner = plain("for (int t = 0; t < 8; ++t) {") +
                       sites.spawn(group, {"t"},
                                   plain("{ done.fetch_add(1); if (t % 3 == 0) throw std::runtime_error(\"task \" + std::to_string(t)); }")) +
                       plain("}");
    const Code block = sites.block("parallel on_error(collect)", group, inner);
    body = body + Code{"out += show(\"block failed\", 3, \"done\", 8);\n",
                       "{ std::atomic<int> done{0};\n  try {\n" + block.parallel +
                           "  } catch (const luminar::error_list &e) {\n"
                           "    out += show(\"block failed\", e.size(), \"done\", done.load());\n  }\n}\n"};
  }
  program.body = body;
  compileAndRun(sites, program);
}

TEST_CASE("compile and run: blocks with spawns, critical, atomic, defer") {
  Sites sites;
  Program program;
  program.name = "tasks";
  Code body = plain("const std::vector<int> v = sample(64);");

  // A block spawning one task per element (copied loop variable), results by index, a
  // critical log sorted afterwards, an atomic counter, a named critical declaration.
  {
    const std::string group = "luminar_group_main";
    const Code task =
        plain("{") + plain("std::size_t slot = static_cast<std::size_t>(k);") +
        plain("results[slot] = v[slot] * 3;") +
        sites.critical("", plain("log.push_back(v[slot] % 100);")) +
        sites.atomic("count", gen::AtomicOp::Add, "2", "count += 2;") +
        sites.critical("ids", plain("int id = next_id++;"), true) + plain("ids.fetch_add(id);") + plain("}");
    const Code inner = plain("for (int k = 0; k < 64; ++k) {") + sites.spawn(group, {"k"}, task) + plain("}") +
                       plain("calling_thread = 1;");
    body = body + plain("{ std::vector<int> results(64); std::vector<int> log; int count = 0; int next_id = 0;") +
           plain("std::atomic<int> ids{0}; int calling_thread = 0;") +
           sites.block("parallel num_threads(4)", group, inner) +
           plain("std::sort(log.begin(), log.end());") +
           plain("out += show(std::accumulate(results.begin(), results.end(), 0), log.size(), log.front(), log.back(),"
                 " count, next_id, ids.load(), calling_thread); }");
  }
  // A thread-per-task block (no num_threads) and a serial one (if false): private variables.
  for (const char *condition : {"", "false"}) {
    const std::string group = std::string("luminar_group_t") + (condition[0] ? "s" : "p");
    const Code task = plain("{ scratch = k * 2; sums[static_cast<std::size_t>(k)] = scratch + 1; }");
    const Code inner = plain("for (int k = 0; k < 10; ++k) {") + sites.spawn(group, {"k"}, task, {"scratch"}) + plain("}");
    body = body + plain("{ std::vector<int> sums(10); int scratch = -1;") +
           sites.block(std::string("concurrent") + (condition[0] ? " if(false)" : ""), group, inner) +
           plain("out += show(std::accumulate(sums.begin(), sums.end(), 0), scratch == -1 || scratch == 18); }");
  }
  // Atomic with every operator (single thread: values), and a std::atomic target.
  {
    struct AtomicCase {
      gen::AtomicOp op;
      const char *operand;
      const char *statement;
    };
    const AtomicCase cases[] = {
        {gen::AtomicOp::Add, "5", "x += 5;"},  {gen::AtomicOp::Sub, "1", "x--;"},
        {gen::AtomicOp::Mul, "3", "x *= 3;"},  {gen::AtomicOp::Div, "2", "x /= 2;"},
        {gen::AtomicOp::Mod, "7", "x %= 7;"},  {gen::AtomicOp::BitAnd, "6", "x &= 6;"},
        {gen::AtomicOp::BitOr, "9", "x |= 9;"}, {gen::AtomicOp::BitXor, "5", "x = x ^ 5;"},
        {gen::AtomicOp::Shl, "3", "x <<= 3;"}, {gen::AtomicOp::Shr, "1", "x >>= 1;"},
    };
    body = body + plain("{ long x = 40; double d = 0.5; std::atomic<int> a{1};");
    for (const AtomicCase &c : cases)
      body = body + sites.atomic("x", c.op, c.operand, c.statement) + plain("out += std::to_string(x) + ' ';");
    body = body + sites.atomic("d", gen::AtomicOp::Mul, "4", "d *= 4;") +
           sites.atomic("a", gen::AtomicOp::Add, "2", "a += 2;", true) + plain("out += show(d, a.load()); }");
  }
  // Atomic updates racing inside a parallel for.
  {
    body = body + plain("{ long hits = 0; double weight = 0;") +
           sites.parallelFor("parallel for schedule(dynamic, 3)", "int i = 0; i < 5000; ++i",
                             plain("{") + sites.atomic("hits", gen::AtomicOp::Add, "1", "hits++;") +
                                 sites.atomic("weight", gen::AtomicOp::Add, "0.5", "weight += 0.5;") + plain("}")) +
           plain("out += show(hits, weight); }");
  }
  // defer: LIFO at scope exit, reads variables when it runs, also on return and exception.
  {
    const Code first = sites.defer("log += \"first(\" + std::to_string(step) + \");\";");
    const Code second = sites.defer("log += \"second;\";");
    program.globals +=
        "int early_serial(std::string &log) { log += \"deferred;\"; return 1; }\n"
        "int early_parallel(std::string &log) {\n" + sites.defer("log += \"deferred;\";").parallel +
        "  return 1;\n}\n";
    body = body + Code{"{ std::string log; int step = 0; { step = 1; log += \"body;\"; step = 2; log += \"second;\"; "
                       "log += \"first(\" + std::to_string(step) + \");\"; } int r = early_serial(log); out += show(log, r); }\n",
                       "{ std::string log; int step = 0; {\n" + first.parallel + second.parallel +
                           "step = 1; log += \"body;\"; step = 2; }\n"
                           "int r = early_parallel(log); out += show(log, r); }\n"};
    const Code onThrow = sites.defer("log += \"unwound;\";");
    body = body + Code{"out += show(\"unwound;thrown\");\n",
                       "{ std::string log;\n  try {\n" + onThrow.parallel +
                           "    throw std::runtime_error(\"thrown\");\n  } catch (const std::exception &e) {\n"
                           "    log += e.what();\n  }\n  out += show(log);\n}\n"};
  }
  program.body = body;
  compileAndRun(sites, program);
}
