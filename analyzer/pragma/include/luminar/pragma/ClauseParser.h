// Parses the tokens of one `#pragma luminar …` line into a model::Directive, reporting
// every problem as a PragmaDiagnostic located at the offending token. Clang-free so that
// it can be unit-tested and fuzzed on its own.
#pragma once

#include "luminar/model/Directive.h"
#include "luminar/pragma/PragmaToken.h"

#include <optional>
#include <string>
#include <vector>

namespace luminar::pragma {

struct PragmaDiagnostic {
  enum class Severity { Error, Warning, Note };
  Severity severity = Severity::Error;
  model::LocId loc = 0;
  std::string message;
  // "did you mean" fix-it: replace the token at `loc` with this spelling.
  std::optional<std::string> replacement;
};

struct ParseResult {
  std::optional<model::Directive> directive;  // empty when an error was reported
  std::vector<PragmaDiagnostic> diagnostics;
  bool hasErrors() const;
};

// `pragmaLoc` locates the diagnostics that have no token to point at (an empty pragma).
ParseResult parsePragma(const std::vector<PragmaToken> &tokens, model::LocId pragmaLoc);

// Whether `clause` may be written on `pragma` (SPEC §1.2).
bool clauseAllowedOn(model::ClauseKind clause, model::PragmaKind pragma);

// The closest of `candidates` to `word` within a small edit distance, for "did you mean".
std::optional<std::string> closestSpelling(const std::string &word,
                                           const std::vector<std::string> &candidates);

}  // namespace luminar::pragma
