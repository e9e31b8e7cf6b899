// `#pragma luminar parallel` / `concurrent` (bare-metal) → a luminar::bare_metal::task_group.
//
//   {
//     error_state errors(<on_error>);
//     task_group <groupName>(<thread limit or 0>, <serial>, errors);
//     <the block's statements; its spawns call <groupName>.spawn(…)>
//     <groupName>.join();
//     errors.rethrow_first() | errors.throw_collected<luminar::error_list>()
//   }
// The statements are not put in a scope of their own: variables they declare stay alive
// until the tasks have joined (a task may share them through `shared(…)`). The error_state
// is declared before the group, so it outlives the tasks also when the body throws (the
// group's destructor joins).
#include "luminar/generators/BareMetalGenerator.h"

#include "BlockClauses.h"
#include "CodeWriter.h"
#include "Names.h"

namespace luminar::generators {

namespace {

// num_threads(n) bounds the threads; max_concurrency(m) bounds the tasks running at once,
// which for a thread-per-running-task group is the same bound. Both: the smaller.
std::string maxThreads(CodeWriter &writer, const ParallelBlockSite &site) {
  const model::Directive &d = site.directive;
  std::optional<std::string> threads = threadLimit(d);
  std::optional<std::string> concurrency;
  if (d.maxConcurrency) concurrency = "static_cast<std::size_t>(" + d.maxConcurrency->text + ")";
  if (!threads && !concurrency) return "0";
  if (!concurrency) return *threads;
  if (!threads) return *concurrency;
  const std::string t = generatedName(site.context, "threads");
  const std::string c = generatedName(site.context, "concurrency");
  writer.line("const std::size_t " + t + " = " + *threads + ";");
  writer.line("const std::size_t " + c + " = " + *concurrency + ";");
  return c + " < " + t + " ? " + c + " : " + t;
}

}  // namespace

std::string generateParallelBlock(const ParallelBlockSite &site) {
  CodeWriter w(site.context);
  w.pragmaComment();
  w.open("{");
  const std::string errors = declareErrorState(w, site.context, site.directive);
  const std::string limit = maxThreads(w, site);
  const std::string serial = serialCondition(site.directive).value_or("false");
  w.line("luminar::bare_metal::task_group " + site.groupName + "(" + limit + ", " + serial + ", " + errors + ");");
  w.splice(site.innerBody);
  w.line("// end of the block: wait for every task");
  w.line(site.groupName + ".join();");
  finishErrorState(w, errors, site.directive);
  w.close("}");
  return w.take();
}

}  // namespace luminar::generators
