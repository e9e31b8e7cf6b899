// A rewrite site: one Luminar pragma attached to the statement it applies to, with the
// file range that its translation replaces and the sites nested inside it.
#pragma once

#include "AtomicMatcher.h"
#include "LoopCanonicalizer.h"
#include "PragmaCollector.h"
#include "luminar/model/BlockReport.h"

#include <clang/AST/Decl.h>
#include <clang/AST/Stmt.h>

#include <memory>
#include <string>
#include <vector>

namespace luminar::frontend {

struct Site {
  const RawPragma *pragma = nullptr;
  model::Directive directive;
  const clang::Stmt *stmt = nullptr;
  const clang::Decl *function = nullptr;  // the function (or lambda operator) holding the site
  const clang::Decl *topLevelDecl = nullptr;  // its outermost declaration in the file

  // Replaced file range [begin, end): from the pragma (or the start of its line when only
  // indentation precedes it) to the end of the statement (through the newline when only
  // whitespace follows it).
  unsigned begin = 0, end = 0;
  unsigned statementBegin = 0, statementEnd = 0;  // the statement alone

  Site *parent = nullptr;
  std::vector<Site *> children;
  unsigned number = 0;  // unique within the file, in source order

  Site *enclosingBlock = nullptr;  // spawn: innermost parallel/concurrent site around it
  bool isBlock() const {
    return directive.kind == model::PragmaKind::ParallelFor ||
           directive.kind == model::PragmaKind::Parallel ||
           directive.kind == model::PragmaKind::Concurrent;
  }

  // What the analysis found, per kind.
  std::optional<CanonicalLoop> loop;       // parallel for
  std::optional<AtomicUpdate> atomic;      // atomic
  std::vector<std::string> copiedVars;     // spawn: firstprivate captures
  bool copyEveryLocal = false;             // spawn outside any block or loop: copies all it names
  std::vector<std::string> privateVars;    // spawn: private(...)

  model::BlockReport report;  // blocks only
  std::string replacement;    // filled by SiteLowering, innermost first
};

using SiteList = std::vector<std::unique_ptr<Site>>;

}  // namespace luminar::frontend
