#include "LoopCanonicalizer.h"

#include "AstText.h"
#include "VariableWrites.h"

#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>

namespace luminar::frontend {
namespace {

using generators::CompareOp;

std::optional<CompareOp> compareOp(clang::BinaryOperatorKind op) {
  switch (op) {
  case clang::BO_LT: return CompareOp::Less;
  case clang::BO_LE: return CompareOp::LessEqual;
  case clang::BO_GT: return CompareOp::Greater;
  case clang::BO_GE: return CompareOp::GreaterEqual;
  case clang::BO_NE: return CompareOp::NotEqual;
  default: return std::nullopt;
  }
}

std::optional<CompareOp> compareOp(clang::OverloadedOperatorKind op) {
  switch (op) {
  case clang::OO_Less: return CompareOp::Less;
  case clang::OO_LessEqual: return CompareOp::LessEqual;
  case clang::OO_Greater: return CompareOp::Greater;
  case clang::OO_GreaterEqual: return CompareOp::GreaterEqual;
  case clang::OO_ExclaimEqual: return CompareOp::NotEqual;
  default: return std::nullopt;
  }
}

// `n > i` is `i < n` seen from the other side.
CompareOp mirrored(CompareOp op) {
  switch (op) {
  case CompareOp::Less: return CompareOp::Greater;
  case CompareOp::LessEqual: return CompareOp::GreaterEqual;
  case CompareOp::Greater: return CompareOp::Less;
  case CompareOp::GreaterEqual: return CompareOp::LessEqual;
  case CompareOp::NotEqual: return CompareOp::NotEqual;
  }
  return op;
}

// A binary operation, built-in or overloaded (iterators), as (op, lhs, rhs).
struct Binary {
  const clang::Expr *lhs = nullptr, *rhs = nullptr;
  std::optional<clang::BinaryOperatorKind> builtin;
  std::optional<clang::OverloadedOperatorKind> overloaded;
};

std::optional<Binary> asBinary(const clang::Expr *e) {
  if (!e) return std::nullopt;
  e = e->IgnoreParenImpCasts();
  if (const auto *cleanups = llvm::dyn_cast<clang::ExprWithCleanups>(e)) e = cleanups->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *b = llvm::dyn_cast<clang::BinaryOperator>(e)) return Binary{b->getLHS(), b->getRHS(), b->getOpcode(), {}};
  if (const auto *call = llvm::dyn_cast<clang::CXXOperatorCallExpr>(e)) {
    if (call->getNumArgs() == 2) return Binary{call->getArg(0), call->getArg(1), {}, call->getOperator()};
  }
  return std::nullopt;
}

bool isIncrement(const clang::Expr *e, const clang::VarDecl *var, bool &ascending, const clang::Expr *&step) {
  e = e->IgnoreParenImpCasts();
  if (const auto *cleanups = llvm::dyn_cast<clang::ExprWithCleanups>(e)) e = cleanups->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *u = llvm::dyn_cast<clang::UnaryOperator>(e)) {
    if (!u->isIncrementDecrementOp() || namedVariable(u->getSubExpr()) != var) return false;
    ascending = u->isIncrementOp();
    step = nullptr;
    return true;
  }
  if (const auto *call = llvm::dyn_cast<clang::CXXOperatorCallExpr>(e)) {
    clang::OverloadedOperatorKind op = call->getOperator();
    if ((op == clang::OO_PlusPlus || op == clang::OO_MinusMinus) && call->getNumArgs() >= 1 &&
        namedVariable(call->getArg(0)) == var) {
      ascending = op == clang::OO_PlusPlus;
      step = nullptr;
      return true;
    }
  }
  std::optional<Binary> b = asBinary(e);
  if (!b || namedVariable(b->lhs) != var) return false;
  auto is = [&](clang::BinaryOperatorKind builtin, clang::OverloadedOperatorKind overloaded) {
    return b->builtin == builtin || b->overloaded == overloaded;
  };
  if (is(clang::BO_AddAssign, clang::OO_PlusEqual) || is(clang::BO_SubAssign, clang::OO_MinusEqual)) {
    ascending = is(clang::BO_AddAssign, clang::OO_PlusEqual);
    step = b->rhs;
    return true;
  }
  if (is(clang::BO_Assign, clang::OO_Equal)) {  // i = i + c, i = c + i, i = i - c
    std::optional<Binary> sum = asBinary(b->rhs);
    if (!sum) return false;
    const bool plus = sum->builtin == clang::BO_Add || sum->overloaded == clang::OO_Plus;
    const bool minus = sum->builtin == clang::BO_Sub || sum->overloaded == clang::OO_Minus;
    if ((plus || minus) && namedVariable(sum->lhs) == var) {
      ascending = plus;
      step = sum->rhs;
      return true;
    }
    if (plus && namedVariable(sum->rhs) == var) {
      ascending = true;
      step = sum->lhs;
      return true;
    }
  }
  return false;
}

// A class is a random-access iterator when its iterator_category says so, or, lacking
// one, when it can be advanced by an offset (`operator+=`).
bool isRandomAccessIterator(const clang::CXXRecordDecl *record) {
  if (!record || !record->hasDefinition()) return true;  // cannot tell: let the compiler judge
  for (const clang::Decl *d : record->decls()) {
    if (const auto *alias = llvm::dyn_cast<clang::TypedefNameDecl>(d); alias && alias->getName() == "iterator_category") {
      const std::string tag = alias->getUnderlyingType().getCanonicalType().getAsString();
      return tag.find("random_access_iterator_tag") != std::string::npos ||
             tag.find("contiguous_iterator_tag") != std::string::npos;
    }
  }
  for (const clang::CXXMethodDecl *m : record->methods())
    if (m->getOverloadedOperator() == clang::OO_PlusEqual) return true;
  return false;
}

bool acceptableVarType(clang::QualType type) {
  type = type.getNonReferenceType();
  if (type->isDependentType() || type->isIntegerType() || type->isPointerType() || type->isUndeducedType()) return true;
  return type->isRecordType() && isRandomAccessIterator(type->getAsCXXRecordDecl());
}

// Statements in the body that would leave the loop (SPEC §1.1). Lambdas are skipped: a
// `return` inside one leaves only the lambda.
class ExitFinder : public clang::RecursiveASTVisitor<ExitFinder> {
public:
  ExitFinder(const clang::SourceManager &sm, clang::SourceRange body, Diagnostics &diags)
      : sm_(sm), body_(body), diags_(diags) {}

  bool TraverseLambdaExpr(clang::LambdaExpr *) { return true; }
  bool TraverseForStmt(clang::ForStmt *s) { return nested([&] { return Base::TraverseForStmt(s); }); }
  bool TraverseWhileStmt(clang::WhileStmt *s) { return nested([&] { return Base::TraverseWhileStmt(s); }); }
  bool TraverseDoStmt(clang::DoStmt *s) { return nested([&] { return Base::TraverseDoStmt(s); }); }
  bool TraverseCXXForRangeStmt(clang::CXXForRangeStmt *s) { return nested([&] { return Base::TraverseCXXForRangeStmt(s); }); }
  bool TraverseSwitchStmt(clang::SwitchStmt *s) { return nested([&] { return Base::TraverseSwitchStmt(s); }); }

  bool VisitBreakStmt(clang::BreakStmt *s) {
    if (depth_ == 0) report(s->getBeginLoc(), "'break' would leave the 'parallel for' loop; its iterations run in parallel and cannot end it early");
    return true;
  }
  bool VisitReturnStmt(clang::ReturnStmt *s) {
    report(s->getBeginLoc(), "'return' would leave the 'parallel for' loop; its iterations run in parallel and cannot end it early");
    return true;
  }
  bool VisitGotoStmt(clang::GotoStmt *s) {
    const clang::LabelStmt *target = s->getLabel()->getStmt();
    if (!target || !sm_.isPointWithin(target->getBeginLoc(), body_.getBegin(), body_.getEnd()))
      report(s->getBeginLoc(), "'goto' jumps out of the 'parallel for' loop");
    return true;
  }
  bool VisitCoreturnStmt(clang::CoreturnStmt *s) {
    report(s->getBeginLoc(), "'co_return' would leave the 'parallel for' loop");
    return true;
  }

  bool found() const { return found_; }

private:
  using Base = clang::RecursiveASTVisitor<ExitFinder>;
  template <class F> bool nested(F traverse) {
    ++depth_;
    bool result = traverse();
    --depth_;
    return result;
  }
  void report(clang::SourceLocation loc, const std::string &message) {
    diags_.error(loc, message);
    found_ = true;
  }

  const clang::SourceManager &sm_;
  clang::SourceRange body_;
  Diagnostics &diags_;
  int depth_ = 0;
  bool found_ = false;
};

}  // namespace

std::optional<CanonicalLoop> canonicalizeLoop(const clang::ForStmt *loop, clang::ASTContext &context,
                                              Diagnostics &diags) {
  CanonicalLoop result;
  result.body = loop->getBody();

  // init: `T v = lb` or `v = lb`
  const clang::Stmt *init = loop->getInit();
  if (!init) {
    diags.error(loop->getLParenLoc(), "'parallel for' needs an init statement that sets the loop variable");
    return std::nullopt;
  }
  if (const auto *decl = llvm::dyn_cast<clang::DeclStmt>(init)) {
    if (!decl->isSingleDecl()) {
      auto second = std::next(decl->decl_begin());
      diags.error((*second)->getLocation(), "the init statement of a 'parallel for' loop must declare exactly one variable");
      return std::nullopt;
    }
    const auto *var = llvm::dyn_cast<clang::VarDecl>(decl->getSingleDecl());
    if (!var || !var->getInit()) {
      diags.error(init->getBeginLoc(), "the loop variable of a 'parallel for' must be initialised");
      return std::nullopt;
    }
    result.var = var;
    result.declaresVar = true;
    result.lowerBound = var->getInit();
    if (const clang::TypeSourceInfo *tsi = var->getTypeSourceInfo())
      result.varType = sourceText(context, tsi->getTypeLoc().getSourceRange());
    if (result.varType.empty()) result.varType = "auto";
  } else if (std::optional<Binary> assign = asBinary(llvm::dyn_cast<clang::Expr>(init));
             assign && (assign->builtin == clang::BO_Assign || assign->overloaded == clang::OO_Equal) &&
             namedVariable(assign->lhs)) {
    result.var = namedVariable(assign->lhs);
    result.lowerBound = assign->rhs;
  } else {
    diags.error(init->getBeginLoc(), "the init statement of a 'parallel for' loop must declare or assign one loop variable");
    return std::nullopt;
  }
  const std::string name = result.var->getNameAsString();
  if (!acceptableVarType(result.var->getType())) {
    diags.error(result.var->getLocation(), "the loop variable '" + name + "' must have integer, pointer or random-access iterator type, not '" +
                                               result.var->getType().getAsString(context.getPrintingPolicy()) + "'");
    return std::nullopt;
  }

  // cond: `v op bound` or `bound op v`
  const clang::Expr *cond = loop->getCond();
  if (!cond) {
    diags.error(loop->getLParenLoc(), "'parallel for' needs a condition comparing '" + name + "' with a bound");
    return std::nullopt;
  }
  std::optional<Binary> compare = asBinary(cond);
  std::optional<CompareOp> op;
  if (compare) op = compare->builtin ? compareOp(*compare->builtin) : compareOp(*compare->overloaded);
  if (!op) {
    diags.error(cond->getSourceRange(), "the condition of a 'parallel for' loop must compare '" + name + "' with <, <=, >, >= or !=");
    return std::nullopt;
  }
  if (namedVariable(compare->lhs) == result.var) {
    result.bound = compare->rhs;
    result.compare = *op;
  } else if (namedVariable(compare->rhs) == result.var) {
    result.bound = compare->lhs;
    result.compare = mirrored(*op);
  } else {
    diags.error(cond->getSourceRange(), "the condition of a 'parallel for' loop must compare the loop variable '" + name + "'");
    return std::nullopt;
  }

  // incr
  const clang::Expr *inc = loop->getInc();
  if (!inc || !isIncrement(inc, result.var, result.ascending, result.step)) {
    clang::SourceLocation where = inc ? inc->getBeginLoc() : loop->getRParenLoc();
    diags.error(where, "the increment of a 'parallel for' loop must be ++" + name + ", " + name + "++, --" + name + ", " + name + "--, " + name +
                           " += c, " + name + " -= c, " + name + " = " + name + " + c or " + name + " = " + name + " - c");
    return std::nullopt;
  }
  const bool countsUp = result.compare == CompareOp::Less || result.compare == CompareOp::LessEqual;
  const bool countsDown = result.compare == CompareOp::Greater || result.compare == CompareOp::GreaterEqual;
  if ((countsUp && !result.ascending) || (countsDown && result.ascending)) {
    diags.error(inc->getBeginLoc(), std::string("the loop counts ") + (result.ascending ? "up" : "down") + " but its condition expects it to count " +
                                        (result.ascending ? "down" : "up") + "; it would not terminate");
    return std::nullopt;
  }

  // body: no exits, no writes to the loop variable, the bound or the step
  ExitFinder exits(context.getSourceManager(), result.body->getSourceRange(), diags);
  exits.TraverseStmt(const_cast<clang::Stmt *>(result.body));
  if (exits.found()) return std::nullopt;
  VariableWrites writes = collectWrites(result.body, context);
  if (const clang::Expr *w = writes.firstWriteTo(result.var)) {
    diags.error(w->getExprLoc(), "the body of a 'parallel for' loop must not modify the loop variable '" + name + "'");
    return std::nullopt;
  }
  for (const clang::Expr *invariant : {result.bound, result.step}) {
    if (!invariant) continue;
    for (const clang::VarDecl *used : variablesIn(invariant)) {
      if (const clang::Expr *w = writes.firstWriteTo(used)) {
        diags.error(w->getExprLoc(), "the body modifies '" + used->getNameAsString() + "', which the loop's " +
                                         (invariant == result.bound ? "bound" : "step") + " depends on");
        diags.note(invariant->getBeginLoc(), "used here");
        return std::nullopt;
      }
    }
  }
  return result;
}

}  // namespace luminar::frontend
