// ConcurrencyModeAnalyzer: decides for each block (`parallel for`, `parallel`,
// `concurrent`) whether plain threads suffice (bare-metal) or the runtime is needed, and
// records every construct that needs it with its location (SPEC §1.5, §3.2).
#pragma once

#include "Diagnostics.h"
#include "Site.h"
#include "luminar/frontend/Translate.h"

#include <clang/AST/ASTContext.h>

#include <map>
#include <set>

namespace luminar::frontend {

class ConcurrencyModeAnalyzer {
public:
  ConcurrencyModeAnalyzer(clang::ASTContext &context, const TranslateOptions &options,
                          const SiteList &sites, std::string fileName);

  // Fills block.report: reasons, features, mode and its source, estimates. Reports an
  // error when a `mode(bare_metal)` clause or `--mode=bare_metal` contradicts a reason.
  void analyze(Site &block, Diagnostics &diags);

private:
  struct Scan;
  void scanBlockBody(Site &block, Scan &scan) const;
  void addSpawnReasons(Site &block, const Site &spawn, Scan &scan) const;
  const clang::FunctionDecl *reachesLuminarFunction(const clang::Stmt *stmt) const;
  model::Location location(clang::SourceLocation loc) const;
  static const Site *innermostBlock(const Site &site);

  clang::ASTContext &context_;
  const TranslateOptions &options_;
  const SiteList &sites_;
  std::string fileName_;
  std::set<const clang::Decl *> functionsWithSites_;                         // canonical decls
  std::map<const clang::Decl *, std::set<const clang::Decl *>> callees_;  // canonical → canonical
};

}  // namespace luminar::frontend
