// The lambda a spawn becomes, shared by the bare-metal and runtime-assisted spawns:
//   [<captures>]() mutable {
//     <private(...) variables: fresh value-initialised locals>
//     <the statement>
//   }
// Data sharing (SPEC §1.3): inside a block the lambda captures by reference (shared; the
// block joins before those variables go away) except the block's own variables, which it
// copies (firstprivate); a spawn in a `parallel for` body likewise shares what is declared
// outside the loop. A spawn outside any block or loop may outlive the scope it was spawned
// from, so it copies every local it names ([=]) except the shared(...) ones. `mutable`: a
// task may change its copies.
#pragma once

#include "CodeWriter.h"

#include "luminar/generators/Sites.h"

namespace luminar::generators {

// Writes `<prefix>[<captures>]() mutable {`, the private locals and the statement, leaving
// the writer inside the lambda's body: the caller closes it with its own suffix.
void openSpawnLambda(CodeWriter &writer, const SpawnSite &site, const std::string &prefix);

}  // namespace luminar::generators
