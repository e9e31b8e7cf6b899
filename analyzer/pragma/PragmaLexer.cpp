// lexPragmaText: enough of C++'s lexical grammar for pragma lines — identifiers,
// pp-numbers (so `100ms` is one token, as in Clang), string and character literals, and
// the punctuators that clause arguments use. Used by unit tests and the fuzz target.
#include "luminar/pragma/PragmaToken.h"

#include <cctype>

namespace luminar::pragma {
namespace {

bool isIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Longest punctuators first so that `&&` is not lexed as two `&`.
constexpr std::string_view kPunctuators[] = {
    "<<=", ">>=", "->*", "...", "::", "&&", "||", "<<", ">>", "<=", ">=", "==", "!=", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "++", "--", "->", ".*"};

}  // namespace

std::vector<PragmaToken> lexPragmaText(std::string_view text) {
  std::vector<PragmaToken> tokens;
  std::size_t i = 0;
  bool space = false;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      ++i;
      continue;
    }
    PragmaToken token;
    token.leadingSpace = space;
    token.loc = static_cast<model::LocId>(i);
    std::size_t start = i;
    if (isIdentStart(c)) {
      token.kind = PragmaToken::Kind::Identifier;
      while (i < text.size() && isIdentChar(text[i])) ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < text.size() &&
                std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
      // pp-number: digits, letters, '.', '\'' and exponent signs.
      token.kind = PragmaToken::Kind::Number;
      ++i;
      while (i < text.size()) {
        char d = text[i];
        if ((d == '+' || d == '-') && (text[i - 1] == 'e' || text[i - 1] == 'E' ||
                                       text[i - 1] == 'p' || text[i - 1] == 'P')) {
          ++i;
        } else if (isIdentChar(d) || d == '.' || d == '\'') {
          ++i;
        } else {
          break;
        }
      }
    } else if (c == '"' || c == '\'') {
      token.kind = PragmaToken::Kind::String;
      ++i;
      while (i < text.size() && text[i] != c) i += (text[i] == '\\' && i + 1 < text.size()) ? 2 : 1;
      if (i < text.size()) ++i;  // closing quote; an unterminated literal runs to the end
    } else {
      token.kind = PragmaToken::Kind::Punct;
      std::size_t length = 1;
      for (std::string_view p : kPunctuators) {
        if (text.substr(i, p.size()) == p) {
          length = p.size();
          break;
        }
      }
      i += length;
    }
    token.text = std::string(text.substr(start, i - start));
    tokens.push_back(std::move(token));
    space = false;
  }
  return tokens;
}

}  // namespace luminar::pragma
