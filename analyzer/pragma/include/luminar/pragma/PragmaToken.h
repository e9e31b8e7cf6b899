// The tokens of one `#pragma luminar` line after the word `luminar`, as the clause parser
// sees them. The Clang front end fills them from the preprocessor (unexpanded, so macro
// names in clause arguments survive); tests and the fuzz target use lexPragmaText().
#pragma once

#include "luminar/model/Directive.h"

#include <string>
#include <string_view>
#include <vector>

namespace luminar::pragma {

struct PragmaToken {
  enum class Kind { Identifier, Number, String, Punct };
  Kind kind = Kind::Punct;
  std::string text;           // spelling, e.g. "num_threads", "100ms", "\"label\"", "&&"
  bool leadingSpace = false;  // whitespace before it in the source (kept in expressions)
  model::LocId loc = 0;
};

// A small C++-like lexer for pragma text ("parallel for reduction(+: s)"). Locations are
// byte offsets into `text`. Characters that start no token become one-character Punct
// tokens, so the parser (and not the lexer) reports them.
std::vector<PragmaToken> lexPragmaText(std::string_view text);

}  // namespace luminar::pragma
