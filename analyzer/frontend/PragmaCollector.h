// Collects every `#pragma luminar …` / `_Pragma("luminar …")` the preprocessor meets,
// parses its clauses at once (so its diagnostics come in source order with Clang's own),
// and remembers where it sits so that SiteFinder can attach it to a statement.
#pragma once

#include "Diagnostics.h"
#include "luminar/model/Directive.h"
#include "luminar/pragma/PragmaToken.h"

#include <clang/Lex/Pragma.h>
#include <clang/Lex/Preprocessor.h>

#include <optional>
#include <vector>

namespace luminar::frontend {

struct RawPragma {
  clang::SourceLocation location;   // the '#' of #pragma, or _Pragma, or the macro's name (file location)
  clang::SourceLocation lastToken;  // file location of the pragma's last token (where the statement search starts)
  bool fromMacro = false;           // _Pragma produced by a macro expansion
  bool inMainFile = false;
  std::string text;                 // "parallel for reduction(+: s)", for comments in the output
  std::optional<model::Directive> directive;  // empty when the pragma had errors
};

// Maps the parser's LocIds back to Clang source locations.
class LocationTable {
public:
  model::LocId add(clang::SourceLocation loc) {
    locations_.push_back(loc);
    return static_cast<model::LocId>(locations_.size() - 1);
  }
  clang::SourceLocation operator[](model::LocId id) const { return locations_.at(id); }

private:
  std::vector<clang::SourceLocation> locations_;
};

class PragmaCollector : public clang::PragmaHandler {
public:
  PragmaCollector(Diagnostics &diags, LocationTable &locations, std::vector<RawPragma> &pragmas)
      : clang::PragmaHandler("luminar"), diags_(diags), locations_(locations), pragmas_(pragmas) {}

  void HandlePragma(clang::Preprocessor &pp, clang::PragmaIntroducer introducer,
                    clang::Token &firstToken) override;

private:
  Diagnostics &diags_;
  LocationTable &locations_;
  std::vector<RawPragma> &pragmas_;
};

}  // namespace luminar::frontend
