#include "ConcurrencyModeAnalyzer.h"

#include "AstText.h"
#include "HookUsage.h"
#include "SiteFinder.h"

#include <clang/AST/ExprCXX.h>
#include <clang/AST/ParentMapContext.h>
#include <clang/AST/RecursiveASTVisitor.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <tuple>

namespace luminar::frontend {

using model::Feature;

namespace {

std::string qualifiedName(const clang::NamedDecl *d) { return d ? d->getQualifiedNameAsString() : std::string(); }

bool startsWith(const std::string &s, const char *prefix) { return s.rfind(prefix, 0) == 0; }

// `luminar::channel<int>` (through references and typedefs), or empty.
std::string channelTypeName(clang::QualType type, const clang::ASTContext &context) {
  type = type.getNonReferenceType().getCanonicalType().getUnqualifiedType();
  const auto *record = type->getAsCXXRecordDecl();
  if (!record || qualifiedName(record) != "luminar::channel") return {};
  clang::PrintingPolicy policy(context.getLangOpts());
  policy.SuppressTagKeyword = true;
  return type.getAsString(policy);
}

// Blocking I/O a CPU-bound loop would not make: decides is_io_bound.
bool isBlockingIoFunction(const std::string &name) {
  static const std::set<std::string> kNames = {
      "read", "write", "pread", "pwrite", "recv", "send", "recvfrom", "sendto", "accept", "connect",
      "poll", "epoll_wait", "fread", "fwrite", "fgets", "fputs", "fopen", "sleep", "usleep", "nanosleep",
      "std::getline", "std::this_thread::sleep_for", "std::this_thread::sleep_until", "system", "popen"};
  return kNames.count(name) > 0 || startsWith(name, "luminar::io::");
}

// Every function (canonical declaration) a call may reach, resolving dependent calls in
// templates to every candidate the name lookup found.
void calleesOf(const clang::CallExpr *call, std::set<const clang::Decl *> &out) {
  if (const clang::FunctionDecl *fn = call->getDirectCallee()) {
    out.insert(fn->getCanonicalDecl());
    if (const clang::FunctionDecl *pattern = fn->getTemplateInstantiationPattern()) out.insert(pattern->getCanonicalDecl());
    return;
  }
  const clang::Expr *callee = call->getCallee()->IgnoreParenImpCasts();
  if (const auto *lookup = llvm::dyn_cast<clang::OverloadExpr>(callee)) {
    for (const clang::NamedDecl *d : lookup->decls()) {
      if (const auto *tmpl = llvm::dyn_cast<clang::FunctionTemplateDecl>(d)) out.insert(tmpl->getTemplatedDecl()->getCanonicalDecl());
      else if (const auto *fn = llvm::dyn_cast<clang::FunctionDecl>(d)) out.insert(fn->getCanonicalDecl());
    }
  }
}

class CallGraphBuilder : public clang::RecursiveASTVisitor<CallGraphBuilder> {
public:
  explicit CallGraphBuilder(std::map<const clang::Decl *, std::set<const clang::Decl *>> &edges) : edges_(edges) {}
  bool TraverseFunctionDecl(clang::FunctionDecl *fn) { return withFunction(fn, [&] { return Base::TraverseFunctionDecl(fn); }); }
  bool TraverseCXXMethodDecl(clang::CXXMethodDecl *fn) { return withFunction(fn, [&] { return Base::TraverseCXXMethodDecl(fn); }); }
  bool VisitCallExpr(clang::CallExpr *call) {
    if (current_) calleesOf(call, edges_[current_]);
    return true;
  }

private:
  using Base = clang::RecursiveASTVisitor<CallGraphBuilder>;
  template <class F> bool withFunction(clang::FunctionDecl *fn, F traverse) {
    // A lambda's calls belong to the function that defines it.
    auto *method = llvm::dyn_cast<clang::CXXMethodDecl>(fn);
    if (method && method->getParent()->isLambda()) return traverse();
    const clang::Decl *saved = current_;
    current_ = fn->getCanonicalDecl();
    bool result = traverse();
    current_ = saved;
    return result;
  }
  std::map<const clang::Decl *, std::set<const clang::Decl *>> &edges_;
  const clang::Decl *current_ = nullptr;
};

bool isLoop(const clang::Stmt *s) {
  return llvm::isa<clang::ForStmt>(s) || llvm::isa<clang::WhileStmt>(s) || llvm::isa<clang::DoStmt>(s) ||
         llvm::isa<clang::CXXForRangeStmt>(s);
}

}  // namespace

struct ConcurrencyModeAnalyzer::Scan {
  std::vector<model::Reason> reasons;
  std::vector<std::string> channelNames;
  std::vector<std::string> atomicVariables;
  bool ioBound = false;
  unsigned spawnCount = 0;
  HookUsage hooks;
};

ConcurrencyModeAnalyzer::ConcurrencyModeAnalyzer(clang::ASTContext &context, const TranslateOptions &options,
                                                 const SiteList &sites, std::string fileName)
    : context_(context), options_(options), sites_(sites), fileName_(std::move(fileName)) {
  for (const auto &site : sites) {
    if (site->function && (site->isBlock() || site->directive.kind == model::PragmaKind::Spawn))
      functionsWithSites_.insert(site->function->getCanonicalDecl());
  }
  CallGraphBuilder builder(callees_);
  builder.TraverseAST(context);
}

model::Location ConcurrencyModeAnalyzer::location(clang::SourceLocation loc) const {
  return modelLocation(context_.getSourceManager(), loc, fileName_);
}

const clang::FunctionDecl *ConcurrencyModeAnalyzer::reachesLuminarFunction(const clang::Stmt *stmt) const {
  struct CallFinder : clang::RecursiveASTVisitor<CallFinder> {
    std::set<const clang::Decl *> direct;
    bool VisitCallExpr(clang::CallExpr *call) {
      calleesOf(call, direct);
      return true;
    }
  } finder;
  finder.TraverseStmt(const_cast<clang::Stmt *>(stmt));
  // Breadth-first over the translation unit's call graph; report the function directly
  // called from the statement through which a Luminar function is reached.
  for (const clang::Decl *start : finder.direct) {
    std::set<const clang::Decl *> seen{start};
    std::deque<const clang::Decl *> queue{start};
    while (!queue.empty()) {
      const clang::Decl *fn = queue.front();
      queue.pop_front();
      if (functionsWithSites_.count(fn)) return llvm::dyn_cast<clang::FunctionDecl>(start);
      auto it = callees_.find(fn);
      if (it == callees_.end()) continue;
      for (const clang::Decl *next : it->second)
        if (seen.insert(next).second) queue.push_back(next);
    }
  }
  return nullptr;
}

void ConcurrencyModeAnalyzer::addSpawnReasons(Site &block, const Site &spawn, Scan &scan) const {
  ++scan.spawnCount;
  const model::Directive &d = spawn.directive;
  const model::Location at = location(spawn.pragma->location);
  // A loop between the spawn and its block means a task count known only at run time.
  for (clang::DynTypedNodeList parents = context_.getParents(*spawn.stmt); !parents.empty();
       parents = context_.getParents(parents[0])) {
    const clang::Stmt *s = parents[0].get<clang::Stmt>();
    if (s == block.stmt) break;
    if (s && isLoop(s)) {
      scan.reasons.push_back({Feature::DynamicTaskCreation, at, "spawn inside a loop creates a task per iteration"});
      break;
    }
  }
  if (d.timeout)
    scan.reasons.push_back({Feature::Cancellation, at, "spawn with a timeout of " + d.timeout->cppExpr + " is cancelled by a timer"});
  if (d.blocking) scan.reasons.push_back({Feature::TaskScheduling, at, "'blocking' spawn runs on the blocking thread pool"});
  if (d.priority != model::Priority::Normal)
    scan.reasons.push_back({Feature::TaskScheduling, at, std::string("priority(") + model::spelling(d.priority) + ") needs a scheduler with priorities"});
  if (const clang::FunctionDecl *callee = reachesLuminarFunction(spawn.stmt)) {
    scan.reasons.push_back({Feature::DynamicTaskCreation, at,
                            "spawned statement calls '" + callee->getNameAsString() +
                                "', which runs Luminar blocks or spawns (nested parallelism or recursion)"});
  }
}

void ConcurrencyModeAnalyzer::scanBlockBody(Site &block, Scan &scan) const {
  const clang::SourceManager &sm = context_.getSourceManager();
  // Nested blocks decide for themselves: skip their ranges.
  std::vector<std::pair<unsigned, unsigned>> nestedBlocks;
  for (const auto &site : sites_)
    if (site.get() != &block && site->isBlock() && site->begin >= block.statementBegin && site->end <= block.statementEnd)
      nestedBlocks.emplace_back(site->statementBegin, site->statementEnd);
  auto inNestedBlock = [&](clang::SourceLocation loc) {
    unsigned offset = fileOffset(sm, loc);
    return std::any_of(nestedBlocks.begin(), nestedBlocks.end(),
                       [&](const auto &r) { return offset >= r.first && offset < r.second; });
  };

  struct Visitor : clang::RecursiveASTVisitor<Visitor> {
    const ConcurrencyModeAnalyzer &self;
    Scan &scan;
    std::function<bool(clang::SourceLocation)> skip;
    std::set<const clang::VarDecl *> channelsSeen;
    Visitor(const ConcurrencyModeAnalyzer &s, Scan &sc, std::function<bool(clang::SourceLocation)> k)
        : self(s), scan(sc), skip(std::move(k)) {}

    void channel(const clang::VarDecl *var, clang::SourceLocation loc) {
      std::string type = channelTypeName(var->getType(), self.context_);
      if (type.empty() || !channelsSeen.insert(var).second) return;
      scan.channelNames.push_back(var->getNameAsString());
      scan.reasons.push_back({Feature::ChannelCommunication, self.location(loc),
                              "uses " + type + " '" + var->getNameAsString() + "'"});
    }
    bool VisitDeclRefExpr(clang::DeclRefExpr *ref) {
      if (skip(ref->getLocation())) return true;
      if (const auto *var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl())) {
        channel(var, ref->getLocation());
        std::string type = var->getType().getNonReferenceType().getCanonicalType().getAsString();
        if (startsWith(type, "struct std::atomic<") || startsWith(type, "std::atomic<")) {
          std::string name = var->getNameAsString();
          if (std::find(scan.atomicVariables.begin(), scan.atomicVariables.end(), name) == scan.atomicVariables.end())
            scan.atomicVariables.push_back(name);
        }
      }
      return true;
    }
    bool VisitVarDecl(clang::VarDecl *var) {
      if (!skip(var->getLocation())) channel(var, var->getLocation());
      return true;
    }
    bool VisitCXXForRangeStmt(clang::CXXForRangeStmt *loop) {
      if (skip(loop->getBeginLoc())) return true;
      if (!channelTypeName(loop->getRangeInit()->getType(), self.context_).empty())
        scan.reasons.push_back({Feature::StreamProcessing, self.location(loop->getBeginLoc()),
                                "range-for over a channel receives a stream of items until it is closed"});
      return true;
    }
    bool VisitCXXConstructExpr(clang::CXXConstructExpr *construct) {
      if (skip(construct->getBeginLoc()) || channelTypeName(construct->getType(), self.context_).empty()) return true;
      scan.hooks.addChannelConstruction(construct->getConstructor()->isCopyOrMoveConstructor());
      return true;
    }
    bool VisitCallExpr(clang::CallExpr *call) {
      if (skip(call->getBeginLoc())) return true;
      const clang::FunctionDecl *fn = call->getDirectCallee();
      if (const auto *method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(fn))
        if (qualifiedName(method->getParent()) == "luminar::channel") scan.hooks.addCall("luminar::channel", method->getNameAsString());
      std::string name = qualifiedName(fn);
      if (name.empty()) {
        // A dependent call in a template: use the name as written.
        if (const auto *lookup = llvm::dyn_cast<clang::OverloadExpr>(call->getCallee()->IgnoreParenImpCasts()))
          name = lookup->getName().getAsString();
      }
      if (isBlockingIoFunction(name)) scan.ioBound = true;
      scan.hooks.addCall(name);
      const model::Location at = self.location(call->getBeginLoc());
      if (name == "luminar::select") scan.reasons.push_back({Feature::Select, at, "calls luminar::select"});
      else if (startsWith(name, "luminar::io::")) scan.reasons.push_back({Feature::AsyncIO, at, "calls " + name});
      else if (name == "luminar::this_task::cancelled") scan.reasons.push_back({Feature::Cancellation, at, "checks luminar::this_task::cancelled()"});
      else if (startsWith(name, "luminar::this_task::")) scan.reasons.push_back({Feature::TaskScheduling, at, "calls " + name});
      else if (name == "luminar::metrics") scan.reasons.push_back({Feature::Monitoring, at, "reads luminar::metrics()"});
      else if (name == "luminar::alloc_shared" || name == "luminar::free_shared")
        scan.reasons.push_back({Feature::TaskScheduling, at, "calls " + name + " (the runtime's NUMA-aware allocator)"});
      return true;
    }
  } visitor(*this, scan, inNestedBlock);
  visitor.TraverseStmt(const_cast<clang::Stmt *>(block.stmt));
}

void ConcurrencyModeAnalyzer::analyze(Site &block, Diagnostics &diags) {
  model::BlockReport &report = block.report;
  const model::Directive &d = block.directive;
  report.location = location(block.pragma->location);
  report.kind = d.kind;
  report.name = d.label;
  report.errorStrategy = d.onError;

  Scan scan;
  scanBlockBody(block, scan);
  for (const auto &site : sites_) {
    if (site->enclosingBlock == &block && site->directive.kind == model::PragmaKind::Spawn)
      addSpawnReasons(block, *site, scan);
    if (site->directive.kind == model::PragmaKind::Spawn && !site->enclosingBlock && innermostBlock(*site) == &block) {
      scan.hooks.addDynamicSpawn();
      scan.reasons.push_back({Feature::DynamicTaskCreation, location(site->pragma->location),
                              "spawn inside the 'parallel for' body joins the block of the iteration running it (dynamic nesting)"});
    }
    if (site->directive.kind == model::PragmaKind::Atomic && site->begin >= block.statementBegin &&
        site->end <= block.statementEnd && site->stmt) {
      if (const auto *e = llvm::dyn_cast<clang::Expr>(site->stmt)) {
        std::string target = sourceText(context_, e->IgnoreParenImpCasts()->getSourceRange());
        if (const auto *u = llvm::dyn_cast<clang::UnaryOperator>(e->IgnoreParenImpCasts())) target = sourceText(context_, u->getSubExpr()->getSourceRange());
        else if (const auto *b = llvm::dyn_cast<clang::BinaryOperator>(e->IgnoreParenImpCasts())) target = sourceText(context_, b->getLHS()->getSourceRange());
        if (std::find(scan.atomicVariables.begin(), scan.atomicVariables.end(), target) == scan.atomicVariables.end())
          scan.atomicVariables.push_back(target);
      }
    }
  }
  const model::Location at = report.location;
  if (d.timeout) scan.reasons.push_back({Feature::Cancellation, at, "a timeout of " + d.timeout->cppExpr + " cancels the block when it expires"});
  if (d.maxConcurrency)
    scan.reasons.push_back({Feature::TaskScheduling, at, "max_concurrency(" + d.maxConcurrency->text + ") limits how many tasks run at once"});
  if (scan.spawnCount > options_.maxBareMetalTasks)
    scan.reasons.push_back({Feature::TaskScheduling, at,
                            std::to_string(scan.spawnCount) + " spawns exceed --max-bare-metal-tasks=" +
                                std::to_string(options_.maxBareMetalTasks)});
  std::stable_sort(scan.reasons.begin(), scan.reasons.end(), [](const model::Reason &a, const model::Reason &b) {
    return std::tie(a.location.line, a.location.column) < std::tie(b.location.line, b.location.column);
  });

  // The mode: a clause wins over the command line, which wins over the analyzer.
  std::optional<model::ModeRequest> forced;
  report.modeSource = model::ModeSource::Analyzer;
  if (d.mode != model::ModeRequest::Auto) {
    forced = d.mode;
    report.modeSource = model::ModeSource::Clause;
  } else if (options_.globalMode && *options_.globalMode != model::ModeRequest::Auto) {
    forced = options_.globalMode;
    report.modeSource = model::ModeSource::CommandLine;
  }
  const bool needsRuntime = !scan.reasons.empty();
  if (forced == model::ModeRequest::BareMetal && needsRuntime) {
    const model::Reason &first = scan.reasons.front();
    const std::string by = report.modeSource == model::ModeSource::Clause ? "'mode(bare_metal)'" : "'--mode=bare_metal'";
    diags.error(block.pragma->location, by + " cannot be honoured: this block needs the runtime for " +
                                            model::spelling(first.feature) + " (" + first.detail + ")");
    for (const model::Reason &r : scan.reasons) {
      clang::SourceLocation loc = context_.getSourceManager().translateLineCol(
          context_.getSourceManager().getMainFileID(), r.location.line, r.location.column);
      diags.note(loc, std::string(model::spelling(r.feature)) + " needed here: " + r.detail);
    }
  }
  const bool runtime = forced ? *forced == model::ModeRequest::Runtime : needsRuntime;
  report.mode = runtime ? model::ConcurrencyMode::RuntimeAssisted : model::ConcurrencyMode::BareMetal;
  // Reasons explain a runtime-assisted block; a bare-metal one has none (SPEC 3.2).
  report.reasons = runtime ? scan.reasons : std::vector<model::Reason>{};

  report.ioBound = scan.ioBound || std::any_of(scan.reasons.begin(), scan.reasons.end(),
                                               [](const model::Reason &r) { return r.feature == Feature::AsyncIO; });
  report.cpuBound = !report.ioBound;

  if (d.kind == model::PragmaKind::ParallelFor) {
    report.estimatedTaskCount = 0;  // set by the lowering when the trip count is a constant
  } else {
    report.estimatedTaskCount = scan.spawnCount;
  }

  if (runtime) {
    std::vector<Feature> features;
    auto add = [&](Feature f) {
      if (std::find(features.begin(), features.end(), f) == features.end()) features.push_back(f);
    };
    add(Feature::TaskScheduling);
    for (const model::Reason &r : scan.reasons) add(r.feature);
    if (d.onError != model::ErrorStrategy::Stop) add(Feature::ErrorPropagation);
    if (d.schedule == model::ScheduleKind::Dynamic && d.kind == model::PragmaKind::ParallelFor) add(Feature::LoadBalancing);
    report.requiredFeatures = features;
    report.runtime.usedFeatures = features;
    report.runtime.channelNames = scan.channelNames;
    // The ConcurrencyHooks entries the runtime-assisted lowering of this block calls.
    scan.hooks.addBlock(d);
    report.runtime.hookFunctions = scan.hooks.inTableOrder();
  } else {
    report.bareMetal.atomicVariables = scan.atomicVariables;
    report.bareMetal.schedule = d.schedule;
    report.bareMetal.usesWorkPartitioning = d.kind == model::PragmaKind::ParallelFor;
    for (const model::Reduction &r : d.reductions)
      for (const model::VarRef &v : r.vars) report.bareMetal.reductions.emplace_back(model::spelling(r.op), v.name);
    if (d.numThreads) report.bareMetal.threadCount = d.numThreads->text;
    else if (d.kind == model::PragmaKind::ParallelFor) report.bareMetal.threadCount = "std::thread::hardware_concurrency()";
    else report.bareMetal.threadCount = std::to_string(scan.spawnCount) + " (one thread per task)";
  }
}

const Site *ConcurrencyModeAnalyzer::innermostBlock(const Site &site) {
  for (const Site *s = site.parent; s; s = s->parent)
    if (s->isBlock()) return s;
  return nullptr;
}

}  // namespace luminar::frontend
