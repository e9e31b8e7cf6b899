#include "Diagnostics.h"

namespace luminar::frontend {

Diagnostics::Diagnostics(clang::DiagnosticsEngine &engine)
    : engine_(engine),
      errorId_(engine.getCustomDiagID(clang::DiagnosticsEngine::Error, "%0")),
      warningId_(engine.getCustomDiagID(clang::DiagnosticsEngine::Warning, "%0")),
      noteId_(engine.getCustomDiagID(clang::DiagnosticsEngine::Note, "%0")) {}

void Diagnostics::error(clang::SourceLocation loc, const std::string &message,
                        std::optional<clang::FixItHint> fix) {
  ++errors_;
  auto builder = engine_.Report(loc, errorId_);
  builder << message;
  if (fix) builder << *fix;
}

void Diagnostics::error(clang::SourceRange range, const std::string &message) {
  ++errors_;
  engine_.Report(range.getBegin(), errorId_) << message << range;
}

void Diagnostics::warning(clang::SourceLocation loc, const std::string &message) {
  engine_.Report(loc, warningId_) << message;
}

void Diagnostics::note(clang::SourceLocation loc, const std::string &message) {
  engine_.Report(loc, noteId_) << message;
}

}  // namespace luminar::frontend
