// `#pragma luminar atomic` → luminar::bare_metal::atomic_update<op>(target, operand), one
// atomic read-modify-write of the target (std::atomic_ref-like, through the header). The
// call holds the user's operands, so it is mapped to the statement's line. A target that
// already is a std::atomic keeps its statement, which is atomic as written.
#include "luminar/generators/BareMetalGenerator.h"

#include "CodeWriter.h"

namespace luminar::generators {

namespace {

const char *atomicOpName(AtomicOp op) {
  switch (op) {
  case AtomicOp::Add: return "add";
  case AtomicOp::Sub: return "sub";
  case AtomicOp::Mul: return "mul";
  case AtomicOp::Div: return "div";
  case AtomicOp::Mod: return "mod";
  case AtomicOp::BitAnd: return "bit_and";
  case AtomicOp::BitOr: return "bit_or";
  case AtomicOp::BitXor: return "bit_xor";
  case AtomicOp::Shl: return "shl";
  case AtomicOp::Shr: return "shr";
  }
  return "add";
}

}  // namespace

std::string generateAtomic(const AtomicSite &site) {
  CodeWriter w(site.context);
  if (site.targetIsStdAtomic) {
    w.pragmaComment("the target is a std::atomic: the statement already is atomic");
    w.splice(site.statement);
    return w.take();
  }
  w.pragmaComment();
  const std::string target = w.inlinePiece(site.target);
  const std::string operand = w.inlinePiece(site.operand);
  w.userLine(site.target.line, std::string("luminar::bare_metal::atomic_update<luminar::bare_metal::atomic_op::") +
                                   atomicOpName(site.op) + ">(" + target + ", " + operand + ");");
  return w.take();
}

}  // namespace luminar::generators
