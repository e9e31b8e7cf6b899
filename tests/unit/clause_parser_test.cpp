// The pragma clause parser on its own: every pragma and clause form, and the diagnostic
// (message and token) for each kind of mistake.
#include "luminar/pragma/ClauseParser.h"

#include <doctest/doctest.h>

using namespace luminar;
using pragma::parsePragma;
using pragma::lexPragmaText;

namespace {

pragma::ParseResult parse(const std::string &text) { return parsePragma(lexPragmaText(text), 0); }

model::Directive ok(const std::string &text) {
  pragma::ParseResult r = parse(text);
  INFO(text);
  REQUIRE_MESSAGE(r.directive.has_value(), (r.diagnostics.empty() ? std::string("no diagnostic") : r.diagnostics[0].message));
  return *r.directive;
}

// The first error's message and the text offset it points at.
std::pair<std::string, unsigned> firstError(const std::string &text) {
  pragma::ParseResult r = parse(text);
  REQUIRE(r.hasErrors());
  REQUIRE_FALSE(r.directive.has_value());
  return {r.diagnostics.front().message, r.diagnostics.front().loc};
}

}  // namespace

TEST_CASE("lexer keeps pp-numbers, strings and two-character punctuators whole") {
  auto tokens = lexPragmaText("timeout(100ms) name(\"a b\") reduction(&&: x)");
  std::vector<std::string> texts;
  for (auto &t : tokens) texts.push_back(t.text);
  CHECK(texts == std::vector<std::string>{"timeout", "(", "100ms", ")", "name", "(", "\"a b\"", ")", "reduction", "(", "&&", ":", "x", ")"});
}

TEST_CASE("pragma names") {
  CHECK(ok("parallel for").kind == model::PragmaKind::ParallelFor);
  CHECK(ok("parallel").kind == model::PragmaKind::Parallel);
  CHECK(ok("concurrent").kind == model::PragmaKind::Concurrent);
  CHECK(ok("spawn").kind == model::PragmaKind::Spawn);
  CHECK(ok("defer").kind == model::PragmaKind::Defer);
  CHECK(ok("atomic").kind == model::PragmaKind::Atomic);
  model::Directive critical = ok("critical(io_lock)");
  CHECK(critical.kind == model::PragmaKind::Critical);
  CHECK(critical.criticalName == "io_lock");
  CHECK_FALSE(ok("critical").criticalName.has_value());
}

TEST_CASE("parallel for clauses") {
  model::Directive d = ok("parallel for num_threads(n + 1) schedule(dynamic, CHUNK) reduction(+: a, b) reduction(max: m) "
                          "private(t) firstprivate(u) shared(v) on_error(collect) mode(bare_metal) if(n > 100) name(\"hist\")");
  CHECK(d.numThreads->text == "n + 1");
  CHECK(d.schedule == model::ScheduleKind::Dynamic);
  CHECK(d.scheduleChunk->text == "CHUNK");
  REQUIRE(d.reductions.size() == 2);
  CHECK(d.reductions[0].op == model::ReductionOp::Add);
  CHECK(d.reductions[0].vars.size() == 2);
  CHECK(d.reductions[1].op == model::ReductionOp::Max);
  CHECK(d.privateVars[0].name == "t");
  CHECK(d.firstprivateVars[0].name == "u");
  CHECK(d.sharedVars[0].name == "v");
  CHECK(d.onError == model::ErrorStrategy::Collect);
  CHECK(d.mode == model::ModeRequest::BareMetal);
  CHECK(d.ifCondition->text == "n > 100");
  CHECK(d.label == "hist");
  CHECK(d.clauses.size() == 11);
}

TEST_CASE("every reduction operator") {
  const std::pair<const char *, model::ReductionOp> ops[] = {
      {"+", model::ReductionOp::Add},     {"*", model::ReductionOp::Mul},    {"-", model::ReductionOp::Sub},
      {"&", model::ReductionOp::BitAnd},  {"|", model::ReductionOp::BitOr},  {"^", model::ReductionOp::BitXor},
      {"&&", model::ReductionOp::LogAnd}, {"||", model::ReductionOp::LogOr}, {"min", model::ReductionOp::Min},
      {"max", model::ReductionOp::Max}};
  for (const auto &[spelling, op] : ops) {
    model::Directive d = ok(std::string("parallel for reduction(") + spelling + ": x)");
    CHECK(d.reductions[0].op == op);
    CHECK(std::string(model::spelling(op)) == spelling);
  }
}

TEST_CASE("durations") {
  CHECK(ok("parallel timeout(100ms)").timeout->cppExpr == "std::chrono::milliseconds(100)");
  CHECK(ok("concurrent timeout(2s)").timeout->cppExpr == "std::chrono::seconds(2)");
  CHECK(ok("spawn timeout(5min)").timeout->cppExpr == "std::chrono::minutes(5)");
  CHECK(ok("spawn timeout(1'000us)").timeout->cppExpr == "std::chrono::microseconds(1'000)");
  CHECK(ok("spawn timeout(250ns)").timeout->cppExpr == "std::chrono::nanoseconds(250)");
  CHECK(ok("parallel timeout((budget / 2))").timeout->cppExpr == "budget / 2");
  CHECK(firstError("parallel timeout(10)").first == "duration '10' has no unit; add ns, us, ms, s or min (e.g. 10ms)");
  CHECK(firstError("parallel timeout(10xs)").first.find("invalid duration '10xs'") == 0);
  CHECK(firstError("parallel timeout(1.5s)").first.find("invalid duration '1.5s'") == 0);
  CHECK(firstError("parallel timeout(budget)").first.find("expected a duration") == 0);
}

TEST_CASE("spawn clauses") {
  model::Directive d = ok("spawn priority(high) blocking name(\"io\") firstprivate(x) timeout(1s)");
  CHECK(d.priority == model::Priority::High);
  CHECK(d.blocking);
  CHECK(d.label == "io");
  CHECK(d.timeout.has_value());
}

TEST_CASE("commas between clauses are allowed, as in OpenMP") {
  CHECK(ok("parallel for num_threads(2), schedule(static)").clauses.size() == 2);
}

TEST_CASE("misspelt names get a suggestion pointing at the word") {
  auto [message, loc] = firstError("paralel for");
  CHECK(message == "unknown Luminar pragma 'paralel'; did you mean 'parallel'?");
  CHECK(loc == 0);
  pragma::ParseResult r = parse("paralel for");
  CHECK(r.diagnostics[0].replacement == "parallel");
  CHECK(firstError("parallel for reduce(+: s)").first == "unknown clause 'reduce'; did you mean 'reduction'?");
  CHECK(firstError("parallel for shedule(static)").first == "unknown clause 'shedule'; did you mean 'schedule'?");
  CHECK(firstError("parallel for schedule(dinamic)").first == "invalid argument 'dinamic' to 'schedule'; did you mean 'dynamic'?");
  CHECK(firstError("parallel for frobnicate(1)").first == "unknown clause 'frobnicate' on 'parallel for'");
  CHECK(firstError("walk").first.find("unknown Luminar pragma 'walk'; expected") == 0);
}

TEST_CASE("clauses on the wrong pragma name the allowed ones") {
  pragma::ParseResult r = parse("parallel schedule(static)");
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].message == "clause 'schedule' is not allowed on 'parallel'");
  CHECK(r.diagnostics[0].loc == 9);
  CHECK(r.diagnostics[1].severity == pragma::PragmaDiagnostic::Severity::Note);
  CHECK(r.diagnostics[1].message == "allowed here: num_threads, on_error, timeout, max_concurrency, mode, if, name");
  CHECK(firstError("spawn reduction(+: x)").first == "clause 'reduction' is not allowed on 'spawn'");
  CHECK(firstError("parallel for priority(high)").first == "clause 'priority' is not allowed on 'parallel for'");
  CHECK(firstError("defer num_threads(2)").first == "'defer' takes no clauses");
  CHECK(firstError("atomic x").first == "'atomic' takes no clauses");
}

TEST_CASE("repeated exclusive clauses point at the second and note the first") {
  pragma::ParseResult r = parse("parallel for num_threads(2) num_threads(3)");
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].message == "clause 'num_threads' appears more than once");
  CHECK(r.diagnostics[0].loc == 28);
  CHECK(r.diagnostics[1].loc == 13);
  // List clauses may repeat.
  CHECK(ok("parallel for reduction(+: a) reduction(*: b)").reductions.size() == 2);
}

TEST_CASE("a variable in two data-sharing clauses") {
  CHECK(firstError("parallel for private(x) shared(x)").first == "variable 'x' appears in 'private' and 'shared'");
  CHECK(firstError("parallel for reduction(+: s, s)").first == "variable 's' appears twice in 'reduction'");
}

TEST_CASE("malformed arguments") {
  CHECK(firstError("parallel for num_threads").first == "expected '(' after 'num_threads'");
  CHECK(firstError("parallel for num_threads()").first == "expected an expression in 'num_threads(...)'");
  CHECK(firstError("parallel for num_threads(2").first == "expected ')' to close 'num_threads('");
  CHECK(firstError("parallel for num_threads((2").first == "unbalanced brackets in the argument of 'num_threads'");
  CHECK(firstError("parallel for schedule(guided)").first == "invalid argument 'guided' to 'schedule'; expected one of static, dynamic");
  CHECK(firstError("parallel for reduction(/: x)").first == "expected a reduction operator (one of + * - & | ^ && || min max)");
  CHECK(firstError("parallel for reduction(+ x)").first == "expected ':' after the reduction operator");
  CHECK(firstError("parallel for reduction(+:)").first == "expected a variable name in 'reduction(...)'");
  CHECK(firstError("parallel for private(1)").first == "expected a variable name in 'private(...)'");
  CHECK(firstError("parallel name(label)").first.find("expected a string literal") == 0);
  CHECK(firstError("parallel on_error(retry)").first == "invalid argument 'retry' to 'on_error'; expected one of stop, collect, ignore");
  CHECK(firstError("spawn blocking(true)").first == "clause 'blocking' takes no arguments");
  CHECK(firstError("critical(1)").first == "expected a lock name in 'critical(...)'");
  CHECK(firstError("parallel for )").first == "expected a clause name, found ')'");
  CHECK(firstError("").first.find("expected a Luminar pragma") == 0);
}

TEST_CASE("clause expressions keep macro names and spacing for the compiler") {
  CHECK(ok("parallel for num_threads(MAX_THREADS)").numThreads->text == "MAX_THREADS");
  CHECK(ok("parallel for if(v.size() > LIMIT && !quiet)").ifCondition->text == "v.size() > LIMIT && !quiet");
}
