// libFuzzer target: arbitrary bytes as the text of a `#pragma luminar` line. The parser
// must never crash, hang or read out of bounds (ASan/UBSan), and its result must be
// coherent: a directive exactly when no error was reported, every diagnostic located
// inside the text, every fix-it a known spelling.
#include "luminar/pragma/ClauseParser.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto tokens = luminar::pragma::lexPragmaText(text);
  for (const auto &token : tokens)
    if (token.text.empty() || token.loc >= size) std::abort();
  luminar::pragma::ParseResult result = luminar::pragma::parsePragma(tokens, 0);
  if (result.directive.has_value() == result.hasErrors()) std::abort();
  for (const auto &d : result.diagnostics) {
    if (d.message.empty() || (size > 0 && d.loc >= size)) std::abort();
    if (d.replacement && d.replacement->empty()) std::abort();
  }
  if (result.directive) {
    for (const auto &clause : result.directive->clauses)
      if (!luminar::pragma::clauseAllowedOn(clause.kind, result.directive->kind)) std::abort();
  }
  return 0;
}
