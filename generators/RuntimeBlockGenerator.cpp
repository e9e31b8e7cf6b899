// `#pragma luminar parallel` / `concurrent` (runtime-assisted) → a luminar::runtime::task_group:
//
//   {
//     luminar::runtime::task_group <groupName>(<on_error>, <max_concurrency or 0>,
//                                              <timeout in ns or -1>, "<label>", <!if>);
//     <the block's statements; its spawns call <groupName>.spawn(…)>
//     <groupName>.wait();   // joins; throws per on_error, or timeout_error
//   }
// As in the bare-metal block, the statements share the group's scope, so variables they
// declare outlive the tasks. If the statements throw, the group's destructor cancels and
// joins the tasks before the exception leaves the block. num_threads has no per-block
// meaning for a shared runtime (LUMINAR_THREADS sizes it); it is accepted and ignored.
#include "luminar/generators/RuntimeGenerator.h"

#include "BlockClauses.h"
#include "CodeWriter.h"

namespace luminar::generators {

std::string generateRuntimeBlock(const ParallelBlockSite &site) {
  const model::Directive &d = site.directive;
  CodeWriter w(site.context);
  w.pragmaComment("runtime-assisted");
  w.open("{");
  const std::string maxConcurrency = d.maxConcurrency ? "static_cast<std::uint32_t>(" + d.maxConcurrency->text + ")" : "0";
  const std::string timeout = d.timeout ? "luminar::detail::to_timeout_ns(" + d.timeout->cppExpr + ")" : "-1";
  const std::string serial = serialCondition(d).value_or("false");
  w.line("luminar::runtime::task_group " + site.groupName + "(luminar::runtime::error_strategy::" +
         model::spelling(d.onError) + ", " + maxConcurrency + ", " + timeout + ", \"" + site.label + "\", " + serial +
         ");");
  w.splice(site.innerBody);
  w.line("// end of the block: wait for every task, then throw what on_error(" + std::string(model::spelling(d.onError)) +
         ") says");
  w.line(site.groupName + ".wait();");
  w.close("}");
  return w.take();
}

}  // namespace luminar::generators
