// What the analyzer hands to the generators: one classified rewrite site per pragma, with
// every piece of user code already extracted as text (nested sites already rewritten).
// The generators never see Clang; the analyzer never formats output code.
#pragma once

#include "luminar/model/Directive.h"

#include <string>
#include <vector>

namespace luminar::generators {

// User code copied from the original file. `text` starts at `line`:`column` of the original
// and may already contain the rewritten text (and #line directives) of nested pragmas.
struct CodePiece {
  std::string text;
  unsigned line = 1;
  unsigned column = 1;
};

// Everything about where a site sits that affects how its code is written.
struct SiteContext {
  std::string fileName;        // as written in #line directives (already escaped for a string literal)
  bool lineDirectives = true;  // false with --no-line-directives
  unsigned pragmaLine = 1;     // line of the pragma's '#' or _Pragma
  unsigned pragmaColumn = 1;
  std::string indent;          // indentation of the pragma line, reused for generated lines
  unsigned siteNumber = 0;     // unique within the file: makes generated names unique
  std::string pragmaText;      // the pragma as written, e.g. "parallel for reduction(+: sum)", for a comment
};

enum class CompareOp { Less, LessEqual, Greater, GreaterEqual, NotEqual };

// `for (init; cond; incr) body` in canonical form (SPEC §1.1).
struct LoopShape {
  std::string varName;
  // Declared type as written ("int", "auto", "std::size_t"); empty when `init` assigns a
  // variable declared outside the loop (which then holds its final value afterwards).
  std::string varType;
  CodePiece lowerBound;  // init expression
  CodePiece bound;       // the other side of the comparison
  CodePiece step;        // positive step magnitude: "1" for ++/--, `c` for += c / -= c
  CompareOp compare = CompareOp::Less;
  bool ascending = true;  // ++, += c, = v + c
  CodePiece body;         // the body statement (a compound statement or a single statement)
};

struct ParallelForSite {
  SiteContext context;
  model::Directive directive;
  LoopShape loop;
  // Runtime-assisted (mode(runtime), or a loop reached from a task): the iterations' shares
  // run as tasks of the runtime instead of on the bare-metal thread team.
  bool runtimeAssisted = false;
  std::string label;  // name("…") or "parallel for at file:line", escaped like SiteContext::fileName
};

// A `parallel` or `concurrent` block. Its spawns are emitted as calls on the task group
// named `groupName`: a luminar::bare_metal::task_group, or for a runtime-assisted block a
// luminar::runtime::task_group (through the ConcurrencyHooks of the loaded plugin).
struct ParallelBlockSite {
  SiteContext context;
  model::Directive directive;
  CodePiece innerBody;  // the text between the block's braces
  std::string groupName;
  bool runtimeAssisted = false;
  std::string label;  // name("…") or "<kind> at file:line", escaped like SiteContext::fileName
};

// Where a spawn's task goes (SPEC 1.5).
enum class SpawnTarget {
  BareMetalGroup,  // the enclosing bare-metal block's task group
  RuntimeGroup,    // the enclosing runtime-assisted block's task group
  Dynamic,         // no enclosing block: the running task's block, or detached
};

struct SpawnSite {
  SiteContext context;
  model::Directive directive;
  CodePiece statement;
  SpawnTarget target = SpawnTarget::BareMetalGroup;
  std::string groupName;  // task group of the enclosing block (not for SpawnTarget::Dynamic)
  // Variables declared inside the enclosing block (or `parallel for`) that the statement
  // names: copied when the task is spawned (SPEC §1.3), after the clause overrides were
  // applied; the rest is shared. With copyEveryLocal (a spawn outside any block or loop,
  // which may outlive its scope) every local it names is copied except sharedVars.
  bool copyEveryLocal = false;
  std::vector<std::string> copiedVars;
  std::vector<std::string> sharedVars;
  std::vector<std::string> privateVars;  // private(...): a fresh value-initialised copy
  // name("…") or "spawn at file:line", as the content of a string literal (escaped like
  // SiteContext::fileName): the generator writes it between quotes as it is.
  std::string label;
};

struct CriticalSite {
  SiteContext context;
  model::Directive directive;
  CodePiece statement;
  bool statementIsDeclaration = false;  // the lock then stays held to the end of the declaration only
};

struct DeferSite {
  SiteContext context;
  CodePiece statement;
};

enum class AtomicOp { Add, Sub, Mul, Div, Mod, BitAnd, BitOr, BitXor, Shl, Shr };

// `x op= e;`, `x = x op e;`, `x++`, `++x`, `x--`, `--x`.
struct AtomicSite {
  SiteContext context;
  CodePiece target;   // the lvalue `x`
  CodePiece operand;  // `e`, or "1" for increments
  AtomicOp op = AtomicOp::Add;
  bool targetIsStdAtomic = false;  // already a std::atomic: the statement is atomic as written
  CodePiece statement;             // the whole statement, used when targetIsStdAtomic
};

}  // namespace luminar::generators
