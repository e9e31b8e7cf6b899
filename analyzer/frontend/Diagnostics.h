// Reports Luminar's own diagnostics through Clang's DiagnosticsEngine, so they share the
// compiler's format: `file:line:col: error: …`, the source line, a caret, notes, fix-its.
#pragma once

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceLocation.h>

#include <optional>
#include <string>

namespace luminar::frontend {

class Diagnostics {
public:
  explicit Diagnostics(clang::DiagnosticsEngine &engine);

  void error(clang::SourceLocation loc, const std::string &message,
             std::optional<clang::FixItHint> fix = std::nullopt);
  void error(clang::SourceRange range, const std::string &message);
  void warning(clang::SourceLocation loc, const std::string &message);
  void note(clang::SourceLocation loc, const std::string &message);

  unsigned errorCount() const { return errors_; }

private:
  clang::DiagnosticsEngine &engine_;
  unsigned errorId_, warningId_, noteId_;
  unsigned errors_ = 0;
};

}  // namespace luminar::frontend
