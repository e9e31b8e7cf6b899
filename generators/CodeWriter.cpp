#include "CodeWriter.h"

namespace luminar::generators {

namespace {

// A pragma as a one-line comment: continuation backslashes and line breaks would otherwise
// swallow the following line into the comment.
std::string commentSafe(std::string_view text) {
  std::string out;
  bool pendingSpace = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool lineBreak = c == '\n' || c == '\r' ||
                           (c == '\\' && (i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r'));
    if (lineBreak || c == ' ' || c == '\t') {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += c;
  }
  return out;
}

}  // namespace

void CodeWriter::pragmaComment(std::string_view note) {
  std::string text = "// #pragma luminar " + commentSafe(context_.pragmaText);
  if (!note.empty()) {
    text += " -- ";
    text += note;
  }
  line(text);
}

void CodeWriter::line(std::string_view text) {
  if (mapping_ != Mapping::Pragma) directive(context_.pragmaLine);
  mapping_ = Mapping::Pragma;
  indentation();
  out_ += text;
  out_ += '\n';
}

void CodeWriter::open(std::string_view text) {
  line(text);
  ++depth_;
}

void CodeWriter::close(std::string_view text) {
  if (depth_ > 0) --depth_;
  line(text);
}

void CodeWriter::reopen(std::string_view text) {
  close(text);
  ++depth_;
}

void CodeWriter::userLine(unsigned originalLine, std::string_view text) {
  if (mapping_ != Mapping::User || nextUserLine_ != originalLine) directive(originalLine);
  indentation();
  out_ += text;
  out_ += '\n';
  // A line with an embedded multi-line piece carries #line directives of its own.
  const bool embedsDirectives = text.find('\n') != std::string_view::npos;
  mapping_ = embedsDirectives ? Mapping::Unknown : Mapping::User;
  nextUserLine_ = originalLine + 1;
}

void CodeWriter::splice(const CodePiece &piece) {
  directive(piece.line);
  out_.append(piece.column > 0 ? piece.column - 1 : 0, ' ');
  out_ += piece.text;
  if (piece.text.empty() || piece.text.back() != '\n') out_ += '\n';
  mapping_ = Mapping::Unknown;
}

std::string CodeWriter::inlinePiece(const CodePiece &piece) {
  if (piece.text.find('\n') == std::string::npos || !context_.lineDirectives) return piece.text;
  std::string text = "\n#line " + std::to_string(piece.line) + " \"" + context_.fileName + "\"\n";
  text.append(piece.column > 0 ? piece.column - 1 : 0, ' ');
  text += piece.text;
  text += "\n#line " + std::to_string(context_.pragmaLine) + " \"" + context_.fileName + "\"\n";
  text += context_.indent;
  text.append(2 * (depth_ + 1), ' ');
  return text;
}

void CodeWriter::directive(unsigned line) {
  if (!context_.lineDirectives) return;
  out_ += "#line " + std::to_string(line) + " \"" + context_.fileName + "\"\n";
}

void CodeWriter::indentation() {
  out_ += context_.indent;
  out_.append(2 * depth_, ' ');
}

}  // namespace luminar::generators
