#include "ClauseChecker.h"

#include "luminar/pragma/ClauseParser.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/ParentMapContext.h>
#include <clang/AST/RecursiveASTVisitor.h>

#include "SiteFinder.h"

namespace luminar::frontend {
namespace {

// Local variables, parameters and fields visible at `stmt`, innermost first.
std::vector<const clang::ValueDecl *> localsVisibleAt(clang::ASTContext &context, const clang::Stmt *stmt) {
  std::vector<const clang::ValueDecl *> visible;
  auto addDeclStmt = [&](const clang::Stmt *s) {
    if (const auto *ds = llvm::dyn_cast_or_null<clang::DeclStmt>(s))
      for (const clang::Decl *d : ds->decls())
        if (const auto *v = llvm::dyn_cast<clang::VarDecl>(d)) visible.push_back(v);
  };
  clang::DynTypedNode node = clang::DynTypedNode::create(*stmt);
  while (true) {
    clang::DynTypedNodeList parents = context.getParents(node);
    if (parents.empty()) break;
    const clang::DynTypedNode &parent = parents[0];
    if (const auto *compound = parent.get<clang::CompoundStmt>()) {
      const clang::Stmt *child = node.get<clang::Stmt>();
      for (const clang::Stmt *s : compound->body()) {
        if (s == child) break;
        addDeclStmt(s);
      }
    } else if (const auto *loop = parent.get<clang::ForStmt>()) {
      addDeclStmt(loop->getInit());
      if (const clang::VarDecl *v = loop->getConditionVariable()) visible.push_back(v);
    } else if (const auto *range = parent.get<clang::CXXForRangeStmt>()) {
      visible.push_back(range->getLoopVariable());
    } else if (const auto *branch = parent.get<clang::IfStmt>()) {
      addDeclStmt(branch->getInit());
      if (const clang::VarDecl *v = branch->getConditionVariable()) visible.push_back(v);
    } else if (const auto *sw = parent.get<clang::SwitchStmt>()) {
      addDeclStmt(sw->getInit());
      if (const clang::VarDecl *v = sw->getConditionVariable()) visible.push_back(v);
    } else if (const auto *wh = parent.get<clang::WhileStmt>()) {
      if (const clang::VarDecl *v = wh->getConditionVariable()) visible.push_back(v);
    } else if (const auto *handler = parent.get<clang::CXXCatchStmt>()) {
      if (const clang::VarDecl *v = handler->getExceptionDecl()) visible.push_back(v);
    } else if (const auto *fn = parent.get<clang::FunctionDecl>()) {
      for (const clang::ParmVarDecl *p : fn->parameters()) visible.push_back(p);
      if (const auto *method = llvm::dyn_cast<clang::CXXMethodDecl>(fn)) {
        for (const clang::FieldDecl *f : method->getParent()->fields()) visible.push_back(f);
      }
    }
    node = parent;
  }
  return visible;
}

// Namespace-scope and static member variables, found by ordinary name lookup.
const clang::ValueDecl *lookupNonLocal(clang::ASTContext &context, const clang::Decl *function, const std::string &name) {
  if (!function) return nullptr;
  clang::DeclarationName declName(&context.Idents.get(name));
  for (const clang::DeclContext *ctx = function->getDeclContext(); ctx; ctx = ctx->getParent()) {
    for (const clang::NamedDecl *d : ctx->lookup(declName)) {
      if (const auto *v = llvm::dyn_cast<clang::ValueDecl>(d)) return v;
    }
  }
  return nullptr;
}

// A local variable of the site's function with this name, wherever it is declared.
const clang::VarDecl *declaredElsewhereInFunction(const Site &site, const std::string &name) {
  const auto *fn = llvm::dyn_cast_or_null<clang::FunctionDecl>(site.function);
  if (!fn || !fn->getBody()) return nullptr;
  struct Finder : clang::RecursiveASTVisitor<Finder> {
    const std::string &name;
    const clang::VarDecl *found = nullptr;
    explicit Finder(const std::string &n) : name(n) {}
    bool VisitVarDecl(clang::VarDecl *var) {
      if (!found && var->getName() == name) found = var;
      return !found;
    }
  } finder(name);
  finder.TraverseStmt(fn->getBody());
  return finder.found;
}

}  // namespace

bool checkClauseVariables(Site &site, clang::ASTContext &context, const LocationTable &locations,
                          Diagnostics &diags, const clang::VarDecl *loopVar,
                          std::map<std::string, const clang::ValueDecl *> &named) {
  const model::Directive &d = site.directive;
  struct Ref {
    const model::VarRef *var;
    const char *clause;
  };
  std::vector<Ref> refs;
  for (const auto &r : d.reductions)
    for (const auto &v : r.vars) refs.push_back({&v, "reduction"});
  for (const auto &v : d.privateVars) refs.push_back({&v, "private"});
  for (const auto &v : d.firstprivateVars) refs.push_back({&v, "firstprivate"});
  for (const auto &v : d.sharedVars) refs.push_back({&v, "shared"});
  if (refs.empty()) return true;
  std::stable_sort(refs.begin(), refs.end(), [](const Ref &a, const Ref &b) { return a.var->loc < b.var->loc; });
  std::map<std::string, model::ReductionOp> reductionOps;
  for (const auto &r : d.reductions)
    for (const auto &v : r.vars) reductionOps[v.name] = r.op;

  std::vector<const clang::ValueDecl *> locals = localsVisibleAt(context, site.stmt);
  bool ok = true;
  for (const Ref &ref : refs) {
    const std::string &name = ref.var->name;
    clang::SourceLocation loc = locations[ref.var->loc];
    if (loopVar && loopVar->getName() == name) {
      if (std::string(ref.clause) == "reduction") {
        diags.error(loc, "the loop variable '" + name + "' cannot be a reduction variable");
        ok = false;
      }
      continue;  // private by nature (SPEC 1.3)
    }
    const clang::ValueDecl *decl = nullptr;
    for (const clang::ValueDecl *v : locals)
      if (v->getName() == name) { decl = v; break; }
    if (!decl) decl = lookupNonLocal(context, site.function, name);
    if (!decl) {
      if (const clang::VarDecl *elsewhere = declaredElsewhereInFunction(site, name)) {
        const bool inside = fileOffset(context.getSourceManager(), elsewhere->getLocation()) >= site.statementBegin &&
                            fileOffset(context.getSourceManager(), elsewhere->getLocation()) < site.statementEnd;
        diags.error(loc, "'" + name + "' in '" + ref.clause + "' clause is not visible at the pragma: it is declared " +
                             (inside ? "inside the statement, where each iteration or task has its own already"
                                     : "later in the function"));
        diags.note(elsewhere->getLocation(), "'" + name + "' declared here");
        ok = false;
        continue;
      }
      std::vector<std::string> candidates;
      for (const clang::ValueDecl *v : locals) candidates.push_back(v->getNameAsString());
      std::string message = "use of undeclared identifier '" + name + "' in '" + ref.clause + "' clause";
      if (auto guess = pragma::closestSpelling(name, candidates)) message += "; did you mean '" + *guess + "'?";
      diags.error(loc, message);
      ok = false;
      continue;
    }
    if (std::string(ref.clause) == "reduction") {
      clang::QualType type = decl->getType().getNonReferenceType();
      const std::string typeName = type.getAsString(context.getPrintingPolicy());
      if (!type->isDependentType() && !type->isArithmeticType()) {
        diags.error(loc, "reduction variable '" + name + "' has type '" + typeName +
                             "'; reductions need an arithmetic type");
        diags.note(decl->getLocation(), "'" + name + "' declared here");
        ok = false;
        continue;
      }
      const model::ReductionOp op = reductionOps[name];
      const bool bitwise = op == model::ReductionOp::BitAnd || op == model::ReductionOp::BitOr || op == model::ReductionOp::BitXor;
      if (bitwise && !type->isDependentType() && !type->isIntegralOrEnumerationType()) {
        diags.error(loc, std::string("reduction operator '") + model::spelling(op) + "' needs an integer variable; '" + name +
                             "' has type '" + typeName + "'");
        diags.note(decl->getLocation(), "'" + name + "' declared here");
        ok = false;
        continue;
      }
      if (type.isConstQualified()) {
        diags.error(loc, "reduction variable '" + name + "' is const");
        ok = false;
        continue;
      }
    }
    named[name] = decl;
  }
  return ok;
}

}  // namespace luminar::frontend
