#include "PragmaCollector.h"

#include "luminar/pragma/ClauseParser.h"

#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

namespace luminar::frontend {
namespace {

pragma::PragmaToken::Kind tokenKind(const clang::Token &token) {
  using Kind = pragma::PragmaToken::Kind;
  if (token.getIdentifierInfo()) return Kind::Identifier;  // keywords too: `if(...)`
  if (token.is(clang::tok::numeric_constant)) return Kind::Number;
  if (clang::tok::isStringLiteral(token.getKind()) || token.is(clang::tok::char_constant))
    return Kind::String;
  return Kind::Punct;
}

}  // namespace

void PragmaCollector::HandlePragma(clang::Preprocessor &pp, clang::PragmaIntroducer introducer,
                                   clang::Token &firstToken) {
  clang::SourceManager &sm = pp.getSourceManager();
  RawPragma raw;
  raw.fromMacro = introducer.Loc.isMacroID();
  raw.location = sm.getExpansionLoc(introducer.Loc);
  raw.inMainFile = sm.isInMainFile(raw.location);
  const bool hashPragma = introducer.Kind == clang::PIK_HashPragma;

  // Tokens of a _Pragma string live in scratch space; point their diagnostics at the
  // _Pragma (or at the macro that produced it), which is what the user wrote.
  auto userLocation = [&](clang::SourceLocation loc) {
    return hashPragma ? sm.getExpansionLoc(loc) : raw.location;
  };

  std::vector<pragma::PragmaToken> tokens;
  clang::SourceLocation last = firstToken.getLocation();
  clang::Token token;
  for (pp.LexUnexpandedToken(token); token.isNot(clang::tok::eod); pp.LexUnexpandedToken(token)) {
    pragma::PragmaToken t;
    t.kind = tokenKind(token);
    t.text = pp.getSpelling(token);
    t.leadingSpace = token.hasLeadingSpace();
    t.loc = locations_.add(userLocation(token.getLocation()));
    if (!raw.text.empty() && t.leadingSpace) raw.text += ' ';
    raw.text += t.text;
    tokens.push_back(std::move(t));
    last = token.getLocation();
  }
  raw.lastToken = hashPragma ? sm.getExpansionLoc(last) : raw.location;
  if (!hashPragma && !raw.fromMacro) {
    // `_Pragma ( "…" )` written in the file: the statement starts after its ')'.
    clang::SourceLocation loc = raw.location;
    for (int i = 0; i < 3 && loc.isValid(); ++i) {
      llvm::Optional<clang::Token> next = clang::Lexer::findNextToken(loc, sm, pp.getLangOpts());
      if (!next) break;
      loc = next->getLocation();
    }
    raw.lastToken = loc;
  } else if (raw.fromMacro) {
    raw.lastToken = sm.getExpansionRange(introducer.Loc).getEnd();
  }

  pragma::ParseResult parsed = pragma::parsePragma(tokens, locations_.add(userLocation(firstToken.getLocation())));
  for (const pragma::PragmaDiagnostic &d : parsed.diagnostics) {
    clang::SourceLocation loc = locations_[d.loc];
    switch (d.severity) {
    case pragma::PragmaDiagnostic::Severity::Error: {
      std::optional<clang::FixItHint> fix;
      if (d.replacement && hashPragma) {
        clang::SourceLocation end = clang::Lexer::getLocForEndOfToken(loc, 0, sm, pp.getLangOpts());
        fix = clang::FixItHint::CreateReplacement(clang::CharSourceRange::getCharRange(loc, end), *d.replacement);
      }
      diags_.error(loc, d.message, fix);
      break;
    }
    case pragma::PragmaDiagnostic::Severity::Warning: diags_.warning(loc, d.message); break;
    case pragma::PragmaDiagnostic::Severity::Note: diags_.note(loc, d.message); break;
    }
  }
  raw.directive = std::move(parsed.directive);
  pragmas_.push_back(std::move(raw));
}

}  // namespace luminar::frontend
