// parsePragma: the grammar of SPEC §1 for one pragma line.
//
//   pragma  := "parallel" ["for"] clauses | "concurrent" clauses | "spawn" clauses
//            | "defer" | "critical" ["(" identifier ")"] | "atomic"
//   clauses := { [","] clause }
//   clause  := identifier [ "(" arguments ")" ]
//
// Every error names the token it is about; the parser stops at the first error of a
// pragma (later clauses could only produce follow-on noise).
#include "luminar/pragma/ClauseParser.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace luminar::pragma {

using model::ClauseKind;
using model::Directive;
using model::Expr;
using model::LocId;
using model::PragmaKind;
using Kind = PragmaToken::Kind;

bool ParseResult::hasErrors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const PragmaDiagnostic &d) {
    return d.severity == PragmaDiagnostic::Severity::Error;
  });
}

bool clauseAllowedOn(ClauseKind clause, PragmaKind pragma) {
  const bool loop = pragma == PragmaKind::ParallelFor;
  const bool block = pragma == PragmaKind::Parallel || pragma == PragmaKind::Concurrent;
  const bool spawn = pragma == PragmaKind::Spawn;
  switch (clause) {
  case ClauseKind::NumThreads:
  case ClauseKind::OnError:
  case ClauseKind::Mode:
  case ClauseKind::If: return loop || block;
  case ClauseKind::Schedule:
  case ClauseKind::Reduction: return loop;
  case ClauseKind::Private:
  case ClauseKind::Firstprivate:
  case ClauseKind::Shared: return loop || spawn;
  case ClauseKind::Timeout: return block || spawn;
  case ClauseKind::MaxConcurrency: return block;
  case ClauseKind::Name: return loop || block || spawn;
  case ClauseKind::Priority:
  case ClauseKind::Blocking: return spawn;
  }
  return false;
}

std::optional<std::string> closestSpelling(const std::string &word,
                                           const std::vector<std::string> &candidates) {
  auto distance = [](const std::string &a, const std::string &b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::optional<std::string> best;
  std::size_t bestDistance = 0;
  for (const std::string &candidate : candidates) {
    std::size_t d = distance(word, candidate);
    // A truncated spelling ("reduce" for "reduction") is as good as one typo.
    if (word.size() >= 4 && candidate.compare(0, word.size() - 1, word, 0, word.size() - 1) == 0) d = std::min<std::size_t>(d, 1);
    // Allow about one typo per three characters, as clang's typo correction does.
    if (d <= (word.size() + 2) / 3 && (!best || d < bestDistance)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

namespace {

constexpr std::array kAllClauses = {
    ClauseKind::NumThreads, ClauseKind::Schedule,       ClauseKind::Reduction,
    ClauseKind::Private,    ClauseKind::Firstprivate,   ClauseKind::Shared,
    ClauseKind::OnError,    ClauseKind::Timeout,        ClauseKind::MaxConcurrency,
    ClauseKind::Mode,       ClauseKind::If,             ClauseKind::Name,
    ClauseKind::Priority,   ClauseKind::Blocking};

// Clauses that may be written at most once; list clauses may repeat.
bool isExclusive(ClauseKind kind) {
  return kind != ClauseKind::Reduction && kind != ClauseKind::Private &&
         kind != ClauseKind::Firstprivate && kind != ClauseKind::Shared;
}

struct ParseError {};  // thrown after the diagnostic is recorded; caught in parsePragma

class Parser {
public:
  Parser(const std::vector<PragmaToken> &tokens, LocId pragmaLoc, std::vector<PragmaDiagnostic> &diags)
      : tokens_(tokens), pragmaLoc_(pragmaLoc), diags_(diags) {}

  Directive parse() {
    Directive directive;
    parsePragmaName(directive);
    switch (directive.kind) {
    case PragmaKind::Defer:
    case PragmaKind::Atomic:
      if (!atEnd())
        error(peek().loc, std::string("'") + model::spelling(directive.kind) + "' takes no clauses");
      return directive;
    case PragmaKind::Critical:
      parseCriticalName(directive);
      if (!atEnd()) error(peek().loc, "expected end of pragma after 'critical'");
      return directive;
    default:
      break;
    }
    while (!atEnd()) {
      if (peek().text == ",") {
        ++pos_;
        continue;
      }
      parseClause(directive);
    }
    return directive;
  }

private:
  // ---- token access ----
  bool atEnd() const { return pos_ >= tokens_.size(); }
  const PragmaToken &peek() const { return tokens_[pos_]; }
  LocId endLoc() const { return tokens_.empty() ? pragmaLoc_ : tokens_.back().loc; }
  LocId hereLoc() const { return atEnd() ? endLoc() : peek().loc; }
  bool nextIs(const char *text) const { return !atEnd() && peek().text == text; }

  [[noreturn]] void error(LocId loc, std::string message,
                          std::optional<std::string> replacement = std::nullopt) {
    diags_.push_back({PragmaDiagnostic::Severity::Error, loc, std::move(message), std::move(replacement)});
    throw ParseError{};
  }
  void note(LocId loc, std::string message) {
    diags_.push_back({PragmaDiagnostic::Severity::Note, loc, std::move(message), std::nullopt});
  }

  void expect(const char *text, const std::string &context) {
    if (!nextIs(text)) error(hereLoc(), std::string("expected '") + text + "' " + context);
    ++pos_;
  }

  const PragmaToken &expectIdentifier(const std::string &what) {
    if (atEnd() || peek().kind != Kind::Identifier) error(hereLoc(), "expected " + what);
    return tokens_[pos_++];
  }

  // ---- pragma name ----
  void parsePragmaName(Directive &directive) {
    static const std::vector<std::string> kNames = {"parallel", "concurrent", "spawn", "defer",
                                                    "critical", "atomic"};
    if (atEnd())
      error(pragmaLoc_, "expected a Luminar pragma: parallel for, parallel, concurrent, spawn, "
                        "defer, critical or atomic");
    const PragmaToken &name = peek();
    directive.loc = name.loc;
    ++pos_;
    if (name.text == "parallel") {
      directive.kind = PragmaKind::Parallel;
      if (nextIs("for")) {
        directive.kind = PragmaKind::ParallelFor;
        ++pos_;
      }
    } else if (name.text == "concurrent") {
      directive.kind = PragmaKind::Concurrent;
    } else if (name.text == "spawn") {
      directive.kind = PragmaKind::Spawn;
    } else if (name.text == "defer") {
      directive.kind = PragmaKind::Defer;
    } else if (name.text == "critical") {
      directive.kind = PragmaKind::Critical;
    } else if (name.text == "atomic") {
      directive.kind = PragmaKind::Atomic;
    } else if (auto guess = closestSpelling(name.text, kNames)) {
      error(name.loc, "unknown Luminar pragma '" + name.text + "'; did you mean '" + *guess + "'?", *guess);
    } else {
      error(name.loc, "unknown Luminar pragma '" + name.text +
                          "'; expected parallel for, parallel, concurrent, spawn, defer, critical or atomic");
    }
  }

  void parseCriticalName(Directive &directive) {
    if (!nextIs("(")) return;
    ++pos_;
    directive.criticalName = expectIdentifier("a lock name in 'critical(...)'").text;
    expect(")", "after the lock name");
  }

  // ---- clauses ----
  void parseClause(Directive &directive) {
    const PragmaToken &name = peek();
    if (name.kind != Kind::Identifier) error(name.loc, "expected a clause name, found '" + name.text + "'");
    std::optional<ClauseKind> kind = clauseNamed(name.text);
    if (!kind) {
      std::vector<std::string> names;
      for (ClauseKind k : kAllClauses) names.emplace_back(model::spelling(k));
      if (auto guess = closestSpelling(name.text, names))
        error(name.loc, "unknown clause '" + name.text + "'; did you mean '" + *guess + "'?", *guess);
      error(name.loc, "unknown clause '" + name.text + "' on '" + model::spelling(directive.kind) + "'");
    }
    if (!clauseAllowedOn(*kind, directive.kind)) {
      diags_.push_back({PragmaDiagnostic::Severity::Error, name.loc,
                        std::string("clause '") + model::spelling(*kind) + "' is not allowed on '" +
                            model::spelling(directive.kind) + "'",
                        std::nullopt});
      note(directive.loc, "allowed here: " + allowedClauses(directive.kind));
      throw ParseError{};
    }
    if (isExclusive(*kind)) {
      if (const model::ClauseSite *previous = directive.find(*kind)) {
        diags_.push_back({PragmaDiagnostic::Severity::Error, name.loc,
                          std::string("clause '") + model::spelling(*kind) + "' appears more than once",
                          std::nullopt});
        note(previous->loc, "first written here");
        throw ParseError{};
      }
    }
    directive.clauses.push_back({*kind, name.loc});
    ++pos_;
    parseClauseArguments(directive, *kind);
  }

  static std::optional<ClauseKind> clauseNamed(const std::string &text) {
    for (ClauseKind k : kAllClauses)
      if (text == model::spelling(k)) return k;
    return std::nullopt;
  }

  static std::string allowedClauses(PragmaKind pragma) {
    std::string list;
    for (ClauseKind k : kAllClauses) {
      if (!clauseAllowedOn(k, pragma)) continue;
      if (!list.empty()) list += ", ";
      list += model::spelling(k);
    }
    return list;
  }

  void parseClauseArguments(Directive &d, ClauseKind kind) {
    const std::string clause = model::spelling(kind);
    if (kind == ClauseKind::Blocking) {
      if (nextIs("(")) error(peek().loc, "clause 'blocking' takes no arguments");
      d.blocking = true;
      return;
    }
    if (!nextIs("(")) error(hereLoc(), "expected '(' after '" + clause + "'");
    ++pos_;
    switch (kind) {
    case ClauseKind::NumThreads: d.numThreads = expression(clause); break;
    case ClauseKind::MaxConcurrency: d.maxConcurrency = expression(clause); break;
    case ClauseKind::If: d.ifCondition = expression(clause); break;
    case ClauseKind::Schedule: parseSchedule(d); break;
    case ClauseKind::Reduction: parseReduction(d); break;
    case ClauseKind::Private: parseVarList(d.privateVars, clause); break;
    case ClauseKind::Firstprivate: parseVarList(d.firstprivateVars, clause); break;
    case ClauseKind::Shared: parseVarList(d.sharedVars, clause); break;
    case ClauseKind::OnError:
      d.onError = keyword<model::ErrorStrategy>(
          clause, {{"stop", model::ErrorStrategy::Stop}, {"collect", model::ErrorStrategy::Collect},
                   {"ignore", model::ErrorStrategy::Ignore}});
      break;
    case ClauseKind::Mode:
      d.mode = keyword<model::ModeRequest>(
          clause, {{"auto", model::ModeRequest::Auto}, {"bare_metal", model::ModeRequest::BareMetal},
                   {"runtime", model::ModeRequest::Runtime}});
      break;
    case ClauseKind::Priority:
      d.priority = keyword<model::Priority>(
          clause, {{"low", model::Priority::Low}, {"normal", model::Priority::Normal},
                   {"high", model::Priority::High}, {"critical", model::Priority::Critical}});
      break;
    case ClauseKind::Name: parseLabel(d); break;
    case ClauseKind::Timeout: parseDuration(d); break;
    case ClauseKind::Blocking: break;
    }
    if (!nextIs(")")) error(hereLoc(), "expected ')' to close '" + clause + "('");
    ++pos_;
  }

  // Collects a balanced token sequence up to (not including) a ',' or ')' at depth 0.
  Expr expression(const std::string &clause, bool stopAtComma = false) {
    Expr expr;
    expr.loc = hereLoc();
    int depth = 0;
    std::size_t start = pos_;
    while (!atEnd()) {
      const std::string &t = peek().text;
      if (peek().kind == Kind::Punct) {
        if (t == "(" || t == "[" || t == "{") {
          ++depth;
        } else if (t == ")" || t == "]" || t == "}") {
          if (depth == 0) break;
          --depth;
        } else if (t == "," && depth == 0 && stopAtComma) {
          break;
        }
      }
      if (pos_ > start && peek().leadingSpace) expr.text += ' ';
      expr.text += t;
      ++pos_;
    }
    if (depth != 0) error(endLoc(), "unbalanced brackets in the argument of '" + clause + "'");
    if (pos_ == start) error(hereLoc(), "expected an expression in '" + clause + "(...)'");
    return expr;
  }

  template <class Enum>
  Enum keyword(const std::string &clause, std::initializer_list<std::pair<const char *, Enum>> choices) {
    std::vector<std::string> spellings;
    std::string list;
    for (const auto &choice : choices) {
      spellings.emplace_back(choice.first);
      list += (list.empty() ? "" : ", ") + std::string(choice.first);
    }
    const PragmaToken &word = expectIdentifier("one of " + list + " in '" + clause + "(...)'");
    for (const auto &choice : choices)
      if (word.text == choice.first) return choice.second;
    if (auto guess = closestSpelling(word.text, spellings))
      error(word.loc, "invalid argument '" + word.text + "' to '" + clause + "'; did you mean '" + *guess + "'?", *guess);
    error(word.loc, "invalid argument '" + word.text + "' to '" + clause + "'; expected one of " + list);
  }

  void parseSchedule(Directive &d) {
    d.schedule = keyword<model::ScheduleKind>(
        "schedule", {{"static", model::ScheduleKind::Static}, {"dynamic", model::ScheduleKind::Dynamic}});
    if (nextIs(",")) {
      ++pos_;
      d.scheduleChunk = expression("schedule");
    }
  }

  void parseReduction(Directive &d) {
    model::Reduction reduction;
    reduction.loc = hereLoc();
    static const std::pair<const char *, model::ReductionOp> kOps[] = {
        {"+", model::ReductionOp::Add},     {"*", model::ReductionOp::Mul},
        {"-", model::ReductionOp::Sub},     {"&", model::ReductionOp::BitAnd},
        {"|", model::ReductionOp::BitOr},   {"^", model::ReductionOp::BitXor},
        {"&&", model::ReductionOp::LogAnd}, {"||", model::ReductionOp::LogOr},
        {"min", model::ReductionOp::Min},   {"max", model::ReductionOp::Max}};
    bool found = false;
    if (!atEnd()) {
      for (const auto &op : kOps) {
        if (peek().text == op.first) {
          reduction.op = op.second;
          found = true;
          break;
        }
      }
    }
    if (!found)
      error(hereLoc(), "expected a reduction operator (one of + * - & | ^ && || min max)");
    ++pos_;
    expect(":", "after the reduction operator");
    parseVarList(reduction.vars, "reduction");
    d.reductions.push_back(std::move(reduction));
  }

  void parseVarList(std::vector<model::VarRef> &vars, const std::string &clause) {
    do {
      if (nextIs(",")) ++pos_;
      const PragmaToken &var = expectIdentifier("a variable name in '" + clause + "(...)'");
      vars.push_back({var.text, var.loc});
    } while (nextIs(","));
  }

  void parseLabel(Directive &d) {
    if (atEnd() || peek().kind != Kind::String || peek().text.size() < 2 || peek().text.front() != '"')
      error(hereLoc(), "expected a string literal in 'name(...)', e.g. name(\"ingest\")");
    const std::string &text = peek().text;
    d.label = text.substr(1, text.size() - 2);
    ++pos_;
  }

  // timeout(100ms) or timeout((expr)), SPEC §1.2.
  void parseDuration(Directive &d) {
    model::Duration duration;
    duration.loc = hereLoc();
    if (nextIs("(")) {
      ++pos_;
      duration.cppExpr = expression("timeout").text;
      expect(")", "to close the duration expression");
      d.timeout = std::move(duration);
      return;
    }
    if (atEnd() || peek().kind != Kind::Number)
      error(hereLoc(), "expected a duration: an integer literal with a unit suffix (ns, us, ms, s, "
                       "min) or a parenthesised std::chrono::duration expression");
    const std::string &literal = peek().text;
    std::size_t digits = 0;
    while (digits < literal.size() &&
           (std::isdigit(static_cast<unsigned char>(literal[digits])) || literal[digits] == '\''))
      ++digits;
    const std::string number = literal.substr(0, digits);
    const std::string suffix = literal.substr(digits);
    static const std::pair<const char *, const char *> kUnits[] = {
        {"ns", "nanoseconds"}, {"us", "microseconds"}, {"ms", "milliseconds"},
        {"s", "seconds"},      {"min", "minutes"}};
    const char *unit = nullptr;
    for (const auto &u : kUnits)
      if (suffix == u.first) unit = u.second;
    if (suffix.empty())
      error(peek().loc, "duration '" + literal + "' has no unit; add ns, us, ms, s or min (e.g. " + literal + "ms)");
    if (!unit || number.empty() || number.front() == '\'' || number.back() == '\'')
      error(peek().loc, "invalid duration '" + literal +
                            "'; expected an integer literal with a unit suffix ns, us, ms, s or min");
    duration.cppExpr = std::string("std::chrono::") + unit + "(" + number + ")";
    ++pos_;
    d.timeout = std::move(duration);
  }

  const std::vector<PragmaToken> &tokens_;
  LocId pragmaLoc_;
  std::vector<PragmaDiagnostic> &diags_;
  std::size_t pos_ = 0;
};

// A variable may be named by one data-sharing clause only (as in OpenMP).
void checkDataSharingConflicts(const Directive &d, std::vector<PragmaDiagnostic> &diags) {
  struct Named {
    const model::VarRef *var;
    const char *clause;
  };
  std::vector<Named> all;
  for (const auto &v : d.privateVars) all.push_back({&v, "private"});
  for (const auto &v : d.firstprivateVars) all.push_back({&v, "firstprivate"});
  for (const auto &v : d.sharedVars) all.push_back({&v, "shared"});
  for (const auto &r : d.reductions)
    for (const auto &v : r.vars) all.push_back({&v, "reduction"});
  // Report the later mention, as written.
  std::stable_sort(all.begin(), all.end(), [](const Named &a, const Named &b) { return a.var->loc < b.var->loc; });
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (all[i].var->name != all[j].var->name) continue;
      std::string message = "variable '" + all[i].var->name + "' appears in '" + all[j].clause + "' and '" +
                            all[i].clause + "'";
      if (all[i].clause == all[j].clause) message = "variable '" + all[i].var->name + "' appears twice in '" + all[i].clause + "'";
      diags.push_back({PragmaDiagnostic::Severity::Error, all[i].var->loc, message, std::nullopt});
      diags.push_back({PragmaDiagnostic::Severity::Note, all[j].var->loc, "previously named here", std::nullopt});
      return;
    }
  }
}

}  // namespace

ParseResult parsePragma(const std::vector<PragmaToken> &tokens, LocId pragmaLoc) {
  ParseResult result;
  try {
    Directive directive = Parser(tokens, pragmaLoc, result.diagnostics).parse();
    checkDataSharingConflicts(directive, result.diagnostics);
    if (!result.hasErrors()) result.directive = std::move(directive);
  } catch (const ParseError &) {
  }
  return result;
}

}  // namespace luminar::pragma
