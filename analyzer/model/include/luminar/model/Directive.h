// A parsed `#pragma luminar …` line: which pragma and every clause, as written.
//
// Clang-free on purpose: the clause parser, its fuzz target, the analyzer and the
// generators all share this model without pulling in Clang's headers.
// Locations are opaque `LocId`s handed out by whoever produced the tokens (the Clang
// front end maps them back to SourceLocations; the fuzz target uses byte offsets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace luminar::model {

using LocId = std::uint32_t;

enum class PragmaKind { ParallelFor, Parallel, Concurrent, Spawn, Defer, Critical, Atomic };

enum class ClauseKind {
  NumThreads, Schedule, Reduction, Private, Firstprivate, Shared, OnError, Timeout,
  MaxConcurrency, Mode, If, Name, Priority, Blocking
};

enum class ScheduleKind { Static, Dynamic };
enum class ErrorStrategy { Stop, Collect, Ignore };
enum class ModeRequest { Auto, BareMetal, Runtime };
enum class Priority { Low, Normal, High, Critical };
// `Sub` combines like `Add` (OpenMP's rule); it is kept apart only for the metadata.
enum class ReductionOp { Add, Mul, Sub, BitAnd, BitOr, BitXor, LogAnd, LogOr, Min, Max };

const char *spelling(PragmaKind kind);     // "parallel for"
const char *spelling(ClauseKind kind);     // "num_threads"
const char *spelling(ScheduleKind kind);   // "static"
const char *spelling(ErrorStrategy kind);  // "stop"
const char *spelling(ModeRequest kind);    // "bare_metal"
const char *spelling(Priority kind);       // "high"
const char *spelling(ReductionOp op);      // "+", "min"

// A C++ expression copied verbatim from a clause argument (macro names kept, so the
// real compiler expands them in the translated file).
struct Expr {
  std::string text;
  LocId loc = 0;
};

struct VarRef {
  std::string name;
  LocId loc = 0;
};

struct Reduction {
  ReductionOp op = ReductionOp::Add;
  std::vector<VarRef> vars;
  LocId loc = 0;
};

// `timeout(100ms)` becomes `std::chrono::milliseconds(100)`; `timeout((expr))` keeps expr.
struct Duration {
  std::string cppExpr;
  LocId loc = 0;
};

struct ClauseSite {
  ClauseKind kind;
  LocId loc = 0;
};

struct Directive {
  PragmaKind kind = PragmaKind::Parallel;
  LocId loc = 0;  // first token of the pragma name ("parallel", "spawn", …)

  std::optional<Expr> numThreads;
  ScheduleKind schedule = ScheduleKind::Static;
  std::optional<Expr> scheduleChunk;
  std::vector<Reduction> reductions;
  std::vector<VarRef> privateVars;
  std::vector<VarRef> firstprivateVars;
  std::vector<VarRef> sharedVars;
  ErrorStrategy onError = ErrorStrategy::Stop;
  std::optional<Duration> timeout;
  std::optional<Expr> maxConcurrency;
  ModeRequest mode = ModeRequest::Auto;
  std::optional<Expr> ifCondition;
  std::optional<std::string> label;  // name("…"), unquoted
  Priority priority = Priority::Normal;
  bool blocking = false;
  std::optional<std::string> criticalName;

  std::vector<ClauseSite> clauses;  // in the order written

  bool has(ClauseKind kind) const {
    for (const ClauseSite &c : clauses)
      if (c.kind == kind) return true;
    return false;
  }
  const ClauseSite *find(ClauseKind kind) const {
    for (const ClauseSite &c : clauses)
      if (c.kind == kind) return &c;
    return nullptr;
  }
};

}  // namespace luminar::model
