#include "RaceLint.h"

#include "AstText.h"
#include "SiteFinder.h"
#include "VariableWrites.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>

namespace luminar::frontend {
namespace {

// Types whose operations synchronise by themselves.
bool isSynchronisingType(clang::QualType type) {
  const auto *record = type.getNonReferenceType()->getAsCXXRecordDecl();
  if (!record) return false;
  const std::string name = record->getQualifiedNameAsString();
  static const char *const kPrefixes[] = {"std::atomic", "std::__atomic", "std::mutex", "std::recursive_mutex",
                                          "std::timed_mutex", "std::shared_mutex", "std::condition_variable",
                                          "std::counting_semaphore", "std::latch", "std::barrier", "std::promise",
                                          "std::once_flag", "luminar::"};
  for (const char *prefix : kPrefixes)
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

// File offsets where the region takes a lock: a lock_guard/unique_lock/scoped_lock
// variable or a `.lock()` call. Writes after one of them in the region count as protected.
std::vector<unsigned> lockOffsets(const clang::Stmt *region, const clang::SourceManager &sm) {
  struct Finder : clang::RecursiveASTVisitor<Finder> {
    const clang::SourceManager &sm;
    std::vector<unsigned> offsets;
    explicit Finder(const clang::SourceManager &s) : sm(s) {}
    bool VisitVarDecl(clang::VarDecl *var) {
      if (const auto *record = var->getType()->getAsCXXRecordDecl()) {
        std::string name = record->getQualifiedNameAsString();
        if (name == "std::lock_guard" || name == "std::unique_lock" || name == "std::scoped_lock" || name == "std::shared_lock")
          offsets.push_back(fileOffset(sm, var->getLocation()));
      }
      return true;
    }
    bool VisitCXXMemberCallExpr(clang::CXXMemberCallExpr *call) {
      if (const clang::CXXMethodDecl *m = call->getMethodDecl())
        if (m->getName() == "lock") offsets.push_back(fileOffset(sm, call->getBeginLoc()));
      return true;
    }
  } finder(sm);
  finder.TraverseStmt(const_cast<clang::Stmt *>(region));
  return finder.offsets;
}

}  // namespace

void lintRaces(const Site &site, const clang::Stmt *region, clang::ASTContext &context, const SiteList &sites,
               const std::function<bool(const clang::VarDecl *)> &isShared, const std::string &fileName,
               Diagnostics &diags, model::BlockReport &report) {
  const clang::SourceManager &sm = context.getSourceManager();
  const unsigned regionBegin = fileOffset(sm, region->getBeginLoc());
  const unsigned regionEnd = statementEndOffset(context, region);
  std::vector<std::pair<unsigned, unsigned>> protectedRanges;
  // Writes inside atomic/critical sites are protected; writes inside a nested
  // `parallel for` are that loop's own lint's business (its reductions make them safe).
  for (const auto &s : sites) {
    const bool nested = s.get() != &site && s->statementBegin >= regionBegin && s->statementEnd <= regionEnd;
    const model::PragmaKind kind = s->directive.kind;
    if (nested && (kind == model::PragmaKind::Atomic || kind == model::PragmaKind::Critical || kind == model::PragmaKind::ParallelFor))
      protectedRanges.emplace_back(s->statementBegin, s->statementEnd);
  }
  const std::vector<unsigned> locks = lockOffsets(region, sm);
  std::set<const clang::VarDecl *> reported;

  for (const VariableWrite &w : collectWrites(region, context).writes) {
    const clang::VarDecl *var = w.var;
    if (reported.count(var) || !isShared(var) || isSynchronisingType(var->getType())) continue;
    if (!sm.isInMainFile(sm.getExpansionLoc(var->getLocation()))) continue;  // std::cout and friends
    const unsigned at = fileOffset(sm, w.expr->getExprLoc());
    bool safe = false;
    for (const auto &[b, e] : protectedRanges) safe |= at >= b && at < e;
    for (unsigned lock : locks) safe |= lock < at;
    if (safe) continue;
    reported.insert(var);
    const std::string name = var->getNameAsString();
    const std::string where = site.directive.kind == model::PragmaKind::ParallelFor ? "every iteration of this 'parallel for'"
                                                                                     : "the tasks of this block";
    const std::string message = "'" + name + "' is shared by " + where +
                                " and written here without reduction, atomic, critical or a lock: a data race";
    diags.warning(w.expr->getExprLoc(), message);
    diags.note(var->getLocation(), "'" + name + "' declared here");
    report.warnings.push_back({modelLocation(sm, w.expr->getExprLoc(), fileName), message});
  }
}

}  // namespace luminar::frontend
