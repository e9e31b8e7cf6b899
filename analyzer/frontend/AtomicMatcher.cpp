#include "AtomicMatcher.h"

#include "AstText.h"

#include <clang/AST/ExprCXX.h>

namespace luminar::frontend {
namespace {

using generators::AtomicOp;

std::optional<AtomicOp> fromCompound(clang::BinaryOperatorKind op) {
  switch (op) {
  case clang::BO_AddAssign: return AtomicOp::Add;
  case clang::BO_SubAssign: return AtomicOp::Sub;
  case clang::BO_MulAssign: return AtomicOp::Mul;
  case clang::BO_DivAssign: return AtomicOp::Div;
  case clang::BO_RemAssign: return AtomicOp::Mod;
  case clang::BO_AndAssign: return AtomicOp::BitAnd;
  case clang::BO_OrAssign: return AtomicOp::BitOr;
  case clang::BO_XorAssign: return AtomicOp::BitXor;
  case clang::BO_ShlAssign: return AtomicOp::Shl;
  case clang::BO_ShrAssign: return AtomicOp::Shr;
  default: return std::nullopt;
  }
}

std::optional<AtomicOp> fromBinary(clang::BinaryOperatorKind op) {
  switch (op) {
  case clang::BO_Add: return AtomicOp::Add;
  case clang::BO_Sub: return AtomicOp::Sub;
  case clang::BO_Mul: return AtomicOp::Mul;
  case clang::BO_Div: return AtomicOp::Div;
  case clang::BO_Rem: return AtomicOp::Mod;
  case clang::BO_And: return AtomicOp::BitAnd;
  case clang::BO_Or: return AtomicOp::BitOr;
  case clang::BO_Xor: return AtomicOp::BitXor;
  case clang::BO_Shl: return AtomicOp::Shl;
  case clang::BO_Shr: return AtomicOp::Shr;
  default: return std::nullopt;
  }
}

bool isStdAtomic(clang::QualType type) {
  const auto *record = type.getNonReferenceType()->getAsCXXRecordDecl();
  return record && record->getQualifiedNameAsString().rfind("std::atomic", 0) == 0;
}

bool scalarOrDependent(clang::QualType type) {
  type = type.getNonReferenceType();
  return type->isDependentType() || type->isScalarType();
}

}  // namespace

std::optional<AtomicUpdate> matchAtomicUpdate(const clang::Stmt *stmt, clang::ASTContext &context, Diagnostics &diags) {
  const auto *expr = llvm::dyn_cast<clang::Expr>(stmt);
  auto reject = [&]() -> std::optional<AtomicUpdate> {
    diags.error(stmt->getBeginLoc(), "'atomic' applies to an expression statement of the form x op= e, x++, ++x, x--, --x or x = x op e");
    return std::nullopt;
  };
  if (!expr) return reject();
  expr = expr->IgnoreParenImpCasts();
  if (const auto *cleanups = llvm::dyn_cast<clang::ExprWithCleanups>(expr)) expr = cleanups->getSubExpr()->IgnoreParenImpCasts();

  AtomicUpdate update;
  if (const auto *call = llvm::dyn_cast<clang::CXXOperatorCallExpr>(expr)) {
    // Operators of a class type: only std::atomic, whose operators are atomic already.
    // libstdc++ declares the operators in a base class: look through the derived-to-base cast.
    if (call->getNumArgs() >= 1 && isStdAtomic(call->getArg(0)->IgnoreParenImpCasts()->getType())) {
      update.target = call->getArg(0);
      update.targetIsStdAtomic = true;
      return update;
    }
    diags.error(stmt->getBeginLoc(), "'atomic' needs a target of scalar type (integer, floating point or pointer)");
    return std::nullopt;
  }
  if (const auto *u = llvm::dyn_cast<clang::UnaryOperator>(expr); u && u->isIncrementDecrementOp()) {
    update.target = u->getSubExpr();
    update.op = u->isIncrementOp() ? AtomicOp::Add : AtomicOp::Sub;
  } else if (const auto *c = llvm::dyn_cast<clang::CompoundAssignOperator>(expr)) {
    update.target = c->getLHS();
    update.operand = c->getRHS();
    update.op = *fromCompound(c->getOpcode());
  } else if (const auto *b = llvm::dyn_cast<clang::BinaryOperator>(expr); b && b->getOpcode() == clang::BO_Assign) {
    const auto *rhs = llvm::dyn_cast<clang::BinaryOperator>(b->getRHS()->IgnoreParenImpCasts());
    std::optional<AtomicOp> op = rhs ? fromBinary(rhs->getOpcode()) : std::nullopt;
    auto spelled = [&](const clang::Expr *e) {
      std::string text = sourceText(context, e->getSourceRange());
      text.erase(std::remove_if(text.begin(), text.end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }), text.end());
      return text;
    };
    if (!op || spelled(rhs->getLHS()) != spelled(b->getLHS())) {
      diags.error(b->getRHS()->getBeginLoc(), "'atomic' accepts 'x = x op e' only when the right-hand side starts with the assigned variable");
      return std::nullopt;
    }
    update.target = b->getLHS();
    update.operand = rhs->getRHS();
    update.op = *op;
  } else {
    return reject();
  }
  if (!scalarOrDependent(update.target->getType())) {
    diags.error(update.target->getBeginLoc(), "'atomic' needs a target of scalar type (integer, floating point or pointer), not '" +
                                                  update.target->getType().getAsString(context.getPrintingPolicy()) + "'");
    return std::nullopt;
  }
  return update;
}

}  // namespace luminar::frontend
