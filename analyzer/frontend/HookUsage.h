// Which ConcurrencyHooks entries (hooks/include/luminar/hooks.h) the translation of a
// runtime-assisted block calls: the block's own scaffolding, and the header-API calls its
// code makes (luminar::channel members, luminar::select, luminar::io, this_task, …). The
// metadata lists them (`runtime_assisted.hook_functions`) in the table's order.
#pragma once

#include "luminar/model/Directive.h"

#include <set>
#include <string>
#include <vector>

namespace luminar::frontend {

class HookUsage {
public:
  // The scaffolding of a runtime-assisted `kind` block with these clauses.
  void addBlock(const model::Directive &directive);
  // A call of the header API function `qualifiedName` (e.g. "luminar::io::read"), or of
  // member `method` of luminar::channel (qualifiedName "luminar::channel").
  void addCall(const std::string &qualifiedName, const std::string &method = {});
  // A luminar::channel constructed (created, or copied when `copy`).
  void addChannelConstruction(bool copy);
  // A spawn outside any block: joins the running task's block or is detached.
  void addDynamicSpawn();

  // The names, in the order of the ConcurrencyHooks table.
  std::vector<std::string> inTableOrder() const;

private:
  std::set<std::string> hooks_;
};

}  // namespace luminar::frontend
