// Produces the translated file: asks the generators for each site's text, innermost
// first (a site's user code already holds its nested sites' translations), splices the
// results into the original text with `#line` directives that map back to the user's
// file, and inserts the prelude (bare-metal support, and the runtime header where a site is
// runtime-assisted) before the first declaration that needs it.
#pragma once

#include "Site.h"
#include "luminar/frontend/Translate.h"

#include <clang/AST/ASTContext.h>

#include <string>

namespace luminar::frontend {

class SiteLowering {
public:
  SiteLowering(clang::ASTContext &context, const TranslateOptions &options, std::string lineFileName);

  // All sites must be error-free.
  std::string translate(SiteList &sites);

private:
  void lowerSite(Site &site);
  generators::SiteContext contextFor(const Site &site) const;
  // name("…"), or "<pragma> at <file>:<line>", escaped for a string literal.
  std::string label(const Site &site, unsigned pragmaLine) const;
  generators::CodePiece piece(unsigned begin, unsigned end, const std::vector<Site *> &children) const;
  generators::CodePiece exprPiece(const clang::Expr *expr) const;
  std::string rewrittenText(unsigned begin, unsigned end, const std::vector<Site *> &children) const;
  std::string resync(unsigned offset) const;
  unsigned lineOf(unsigned offset) const;
  unsigned columnOf(unsigned offset) const;

  clang::ASTContext &context_;
  const clang::SourceManager &sm_;
  const TranslateOptions &options_;
  std::string lineFileName_;  // escaped for a string literal
  llvm::StringRef buffer_;
};

}  // namespace luminar::frontend
