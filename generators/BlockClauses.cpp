#include "BlockClauses.h"

#include "Names.h"

namespace luminar::generators {

std::optional<std::string> threadLimit(const model::Directive &directive) {
  if (!directive.numThreads) return std::nullopt;
  return "static_cast<std::size_t>(" + directive.numThreads->text + ")";
}

std::optional<std::string> serialCondition(const model::Directive &directive) {
  if (!directive.ifCondition) return std::nullopt;
  return "!static_cast<bool>(" + directive.ifCondition->text + ")";
}

std::string declareErrorState(CodeWriter &writer, const SiteContext &context,
                              const model::Directive &directive) {
  std::string errors = generatedName(context, "errors");
  writer.line("luminar::bare_metal::error_state " + errors + "(luminar::bare_metal::error_strategy::" +
              model::spelling(directive.onError) + ");");
  return errors;
}

void finishErrorState(CodeWriter &writer, const std::string &errors, const model::Directive &directive) {
  switch (directive.onError) {
  case model::ErrorStrategy::Stop:
    writer.line(errors + ".rethrow_first();");
    break;
  case model::ErrorStrategy::Collect:
    writer.line(errors + ".throw_collected<luminar::error_list>();");
    break;
  case model::ErrorStrategy::Ignore:
    writer.line("// on_error(ignore): failures were counted and dropped");
    break;
  }
}

}  // namespace luminar::generators
