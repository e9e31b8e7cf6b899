// Writes generated lines for one rewrite site: indentation, and the #line directives that
// keep every line mapped to the user's source (SPEC §3.1).
//
// Mapping rule (the driver relies on it): generated scaffolding maps to the pragma's line;
// user code keeps its own line and column. Concretely, the first scaffolding line and the
// first scaffolding line after any user code are preceded by `#line <pragmaLine> "<file>"`;
// user code is preceded by `#line <its line> "<file>"`. With `lineDirectives == false`
// nothing of this is written. The driver writes the `#line` that resyncs after the site.
#pragma once

#include "luminar/generators/Sites.h"

#include <string>
#include <string_view>

namespace luminar::generators {

class CodeWriter {
 public:
  explicit CodeWriter(const SiteContext &context) : context_(context) {}

  // The site's first line: `// #pragma luminar <pragmaText>`, plus `note` if not empty.
  void pragmaComment(std::string_view note = {});

  // One line of scaffolding at the current depth.
  void line(std::string_view text);
  // `text` (which opens a brace) at the current depth, then one level deeper.
  void open(std::string_view text);
  // One level shallower, then `text` (which closes a brace).
  void close(std::string_view text = "}");
  // One level shallower for `text` only (`} else {`, `} catch (...) {`).
  void reopen(std::string_view text);

  // A generated line that holds user code taken from `originalLine` (the loop header's
  // expressions, an atomic update's operands): mapped to that line, not to the pragma.
  void userLine(unsigned originalLine, std::string_view text);

  // User code on lines of its own: `#line <piece.line>`, `piece.column - 1` spaces, the
  // text, a newline.
  void splice(const CodePiece &piece);

  // User code to embed inside a generated line. A one-line piece is returned as is; a piece
  // spanning several lines is put on lines of its own (mapped as by splice()) and the
  // generated line goes on after it, mapped to the pragma again.
  std::string inlinePiece(const CodePiece &piece);

  // Everything written so far.
  std::string take() { return std::move(out_); }

 private:
  enum class Mapping { Unknown, Pragma, User };

  void directive(unsigned line);
  void indentation();

  const SiteContext &context_;
  std::string out_;
  unsigned depth_ = 0;
  // What the next output line maps to under the last #line written. Starts Unknown, so the
  // first line gets its directive; becomes Unknown after spliced text (which may itself hold
  // #line directives of nested sites).
  Mapping mapping_ = Mapping::Unknown;
  unsigned nextUserLine_ = 0;  // with Mapping::User: the original line of the next output line
};

}  // namespace luminar::generators
