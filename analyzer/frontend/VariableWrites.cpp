#include "VariableWrites.h"

#include "AstText.h"

#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>

namespace luminar::frontend {
namespace {

// The variable whose storage `lhs` designates: `v`, `v.field`, `(v)`; not `p->x` or `a[i]`.
const clang::VarDecl *writtenVariable(const clang::Expr *lhs) {
  lhs = lhs->IgnoreParenImpCasts();
  while (const auto *member = llvm::dyn_cast<clang::MemberExpr>(lhs)) {
    if (member->isArrow()) return nullptr;
    lhs = member->getBase()->IgnoreParenImpCasts();
  }
  if (const auto *ref = llvm::dyn_cast<clang::DeclRefExpr>(lhs)) return llvm::dyn_cast<clang::VarDecl>(ref->getDecl());
  return nullptr;
}

bool isAssignment(clang::OverloadedOperatorKind op) {
  switch (op) {
  case clang::OO_Equal: case clang::OO_PlusEqual: case clang::OO_MinusEqual: case clang::OO_StarEqual:
  case clang::OO_SlashEqual: case clang::OO_PercentEqual: case clang::OO_AmpEqual: case clang::OO_PipeEqual:
  case clang::OO_CaretEqual: case clang::OO_LessLessEqual: case clang::OO_GreaterGreaterEqual:
  case clang::OO_PlusPlus: case clang::OO_MinusMinus:
    return true;
  default:
    return false;
  }
}

// `v.begin()`, `v.at(i)`, `v.data()` pick the non-const overload on a non-const object but
// only give access: a method that also has a const overload is taken for an accessor.
bool hasConstOverload(const clang::CXXMethodDecl *method) {
  for (const clang::NamedDecl *d : method->getParent()->lookup(method->getDeclName())) {
    const auto *other = llvm::dyn_cast<clang::CXXMethodDecl>(d->getUnderlyingDecl());
    if (!other)
      if (const auto *tmpl = llvm::dyn_cast<clang::FunctionTemplateDecl>(d)) other = llvm::dyn_cast<clang::CXXMethodDecl>(tmpl->getTemplatedDecl());
    if (other && other != method && other->isConst()) return true;
  }
  return false;
}

class WriteCollector : public clang::RecursiveASTVisitor<WriteCollector> {
public:
  explicit WriteCollector(VariableWrites &out) : out_(out) {}

  bool VisitBinaryOperator(clang::BinaryOperator *op) {
    if (op->isAssignmentOp()) add(op->getLHS(), op);
    return true;
  }
  bool VisitUnaryOperator(clang::UnaryOperator *op) {
    if (op->isIncrementDecrementOp()) add(op->getSubExpr(), op);
    return true;
  }
  bool VisitCXXOperatorCallExpr(clang::CXXOperatorCallExpr *call) {
    if (isAssignment(call->getOperator()) && call->getNumArgs() >= 1) add(call->getArg(0), call);
    return true;
  }
  bool VisitCXXMemberCallExpr(clang::CXXMemberCallExpr *call) {
    const clang::CXXMethodDecl *method = call->getMethodDecl();
    if (method && !method->isConst() && !method->isStatic() && !hasConstOverload(method) && call->getImplicitObjectArgument())
      add(call->getImplicitObjectArgument(), call);
    return true;
  }

private:
  void add(const clang::Expr *lhs, const clang::Expr *expr) {
    if (const clang::VarDecl *var = writtenVariable(lhs)) out_.writes.push_back({var, expr});
  }
  VariableWrites &out_;
};

class VariableCollector : public clang::RecursiveASTVisitor<VariableCollector> {
public:
  bool VisitDeclRefExpr(clang::DeclRefExpr *ref) {
    if (const auto *var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl())) vars.insert(var);
    return true;
  }
  std::set<const clang::VarDecl *> vars;
};

}  // namespace

VariableWrites collectWrites(const clang::Stmt *stmt, clang::ASTContext &) {
  VariableWrites writes;
  WriteCollector collector(writes);
  collector.TraverseStmt(const_cast<clang::Stmt *>(stmt));
  return writes;
}

std::set<const clang::VarDecl *> variablesIn(const clang::Stmt *stmt) {
  VariableCollector collector;
  collector.TraverseStmt(const_cast<clang::Stmt *>(stmt));
  return collector.vars;
}

}  // namespace luminar::frontend
