// Clause code shared by the bare-metal `parallel for` and `parallel`/`concurrent` blocks:
// the thread limit, the serial switch of `if(…)` and the error_state that implements
// `on_error(…)` (SPEC §1.2, §1.4).
#pragma once

#include "CodeWriter.h"

#include "luminar/model/Directive.h"

#include <optional>
#include <string>

namespace luminar::generators {

// `static_cast<std::size_t>(<num_threads>)`, or nothing without the clause.
std::optional<std::string> threadLimit(const model::Directive &directive);

// `!static_cast<bool>(<if condition>)`, or nothing without the clause.
std::optional<std::string> serialCondition(const model::Directive &directive);

// Declares `luminar_errors_<site>` with the block's error strategy; returns its name.
std::string declareErrorState(CodeWriter &writer, const SiteContext &context,
                              const model::Directive &directive);

// After every thread/task has finished: rethrows (stop), throws error_list (collect) or
// drops (ignore) what was recorded.
void finishErrorState(CodeWriter &writer, const std::string &errors, const model::Directive &directive);

}  // namespace luminar::generators
