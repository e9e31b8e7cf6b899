// One translation unit through Luminar: collect pragmas while Clang parses, then attach
// them to statements, check and classify every site, and lower the file when every block
// can be generated. Errors leave the result marked failed and its output empty.
#include "luminar/frontend/Translate.h"

#include "ClauseChecker.h"
#include "ConcurrencyModeAnalyzer.h"
#include "Diagnostics.h"
#include "PragmaCollector.h"
#include "RaceLint.h"
#include "SiteFinder.h"
#include "SiteLowering.h"
#include "VariableWrites.h"
#include "AstText.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <spdlog/spdlog.h>

#include <clang/AST/ParentMapContext.h>
#include <clang/AST/RecursiveASTVisitor.h>

#include <map>
#include <set>

namespace luminar::frontend {

std::string displayPath(const std::string &path) {
  llvm::SmallString<256> cwd;
  if (llvm::sys::fs::current_path(cwd)) return path;
  llvm::StringRef p(path);
  std::string prefix = std::string(cwd.str()) + "/";
  if (p.startswith(prefix)) return p.substr(prefix.size()).str();
  return path;
}

namespace {

class TranslationUnitAnalysis {
public:
  TranslationUnitAnalysis(clang::ASTContext &context, const TranslateOptions &options, const std::vector<RawPragma> &pragmas,
                          const LocationTable &locations, Diagnostics &diags, std::string fileName)
      : context_(context), sm_(context.getSourceManager()), options_(options), pragmas_(pragmas), locations_(locations),
        diags_(diags), fileName_(std::move(fileName)), display_(displayPath(fileName_)) {}

  TranslationResult run() {
    TranslationResult result;
    result.sourcePath = fileName_;
    sites_ = findSites(context_, pragmas_, diags_);
    ConcurrencyModeAnalyzer analyzer(context_, options_, sites_, display_);
    for (auto &site : sites_) analyzeSite(*site, analyzer);
    assignBlockIds();
    for (auto &site : sites_)
      if (site->isBlock()) result.blocks.push_back(site->report);

    if (diags_.errorCount() > 0 || context_.getDiagnostics().hasErrorOccurred()) {
      result.failed = true;
      return result;
    }
    if (!checkOnly_) {
      SiteLowering lowering(context_, options_, fileName_);
      result.output = lowering.translate(sites_);
    }
    return result;
  }

  void setCheckOnly(bool checkOnly) { checkOnly_ = checkOnly; }

private:
  void analyzeSite(Site &site, ConcurrencyModeAnalyzer &analyzer) {
    std::map<std::string, const clang::ValueDecl *> named;
    switch (site.directive.kind) {
    case model::PragmaKind::ParallelFor: {
      site.loop = canonicalizeLoop(llvm::cast<clang::ForStmt>(site.stmt), context_, diags_);
      if (!site.loop) {
        diags_.note(site.pragma->location, "loop marked by this pragma");
        return;
      }
      if (!checkClauseVariables(site, context_, locations_, diags_, site.loop->var, named)) return;
      analyzer.analyze(site, diags_);
      estimateLoopTasks(site);
      const unsigned loopBegin = site.statementBegin, loopEnd = site.statementEnd;
      auto isShared = [&, loopBegin, loopEnd](const clang::VarDecl *var) {
        const std::string name = var->getNameAsString();
        // The loop variable and variables of reduction/private/firstprivate clauses are private.
        if (var == site.loop->var || (named.count(name) && !isSharedClause(site, name))) return false;
        unsigned at = fileOffset(sm_, var->getLocation());
        return !(at >= loopBegin && at < loopEnd) && !var->isConstexpr() && !var->getType().isConstQualified();
      };
      lintRaces(site, site.loop->body, context_, sites_, isShared, display_, diags_, site.report);
      return;
    }
    case model::PragmaKind::Parallel:
    case model::PragmaKind::Concurrent:
      analyzer.analyze(site, diags_);
      return;
    case model::PragmaKind::Spawn:
      if (!checkClauseVariables(site, context_, locations_, diags_, nullptr, named)) return;
      if (site.enclosingBlock) {
        copiedSpawnVariables(site, *site.enclosingBlock);
        lintSpawnRaces(site);
      } else if (const Site *loop = enclosingParallelFor(site)) {
        copiedSpawnVariables(site, *loop);
      } else {
        site.copyEveryLocal = true;
        for (const model::VarRef &v : site.directive.privateVars) site.privateVars.push_back(v.name);
      }
      return;
    case model::PragmaKind::Atomic:
      site.atomic = matchAtomicUpdate(site.stmt, context_, diags_);
      return;
    case model::PragmaKind::Critical:
    case model::PragmaKind::Defer:
      return;
    }
  }

  static bool isSharedClause(const Site &site, const std::string &name) {
    for (const model::VarRef &v : site.directive.sharedVars)
      if (v.name == name) return true;
    return false;
  }

  static bool named(const std::vector<model::VarRef> &vars, const std::string &name) {
    return std::any_of(vars.begin(), vars.end(), [&](const model::VarRef &v) { return v.name == name; });
  }

  // The innermost `parallel for` around a spawn that has no enclosing block, or null.
  static const Site *enclosingParallelFor(const Site &spawn) {
    for (const Site *s = spawn.parent; s; s = s->parent)
      if (s->directive.kind == model::PragmaKind::ParallelFor) return s;
    return nullptr;
  }

  // SPEC §1.3: locals declared inside the enclosing block (`scope`: a parallel/concurrent
  // block, or the parallel for a dynamic spawn sits in) are copied when the task is
  // spawned; everything declared outside is shared; clauses override per variable.
  void copiedSpawnVariables(Site &spawn, const Site &block) {
    const model::Directive &d = spawn.directive;
    std::set<std::string> copied;
    for (const clang::VarDecl *var : variablesIn(spawn.stmt)) {
      if (!var->hasLocalStorage()) continue;
      // A constant's value is known without capturing it (and clang warns on the capture).
      if (var->getType().isConstQualified() && var->isUsableInConstantExpressions(context_)) continue;
      const std::string name = var->getNameAsString();
      const unsigned at = fileOffset(sm_, var->getLocation());
      const bool insideStatement = at >= spawn.statementBegin && at < spawn.statementEnd;
      const bool insideBlock = at >= block.statementBegin && at < block.statementEnd;
      if (insideStatement || named(d.sharedVars, name) || named(d.privateVars, name)) continue;
      if (insideBlock || named(d.firstprivateVars, name)) copied.insert(name);
    }
    spawn.copiedVars.assign(copied.begin(), copied.end());
    for (const model::VarRef &v : d.privateVars) spawn.privateVars.push_back(v.name);
  }

  void lintSpawnRaces(Site &spawn) {
    const Site &block = *spawn.enclosingBlock;
    const model::Directive &d = spawn.directive;
    std::set<std::string> copied(spawn.copiedVars.begin(), spawn.copiedVars.end());

    // A shared variable that one task writes and nothing else in the block touches until
    // the join is the fork/join result pattern (`spawn a = fib(n - 1);`), not a race. It
    // races when the spawn runs more than once (in a loop) or when another task or the
    // block's own statements access it too.
    Site &owner = *spawn.enclosingBlock;
    const bool repeated = insideLoopWithin(spawn.stmt, block.stmt);
    const std::set<const clang::VarDecl *> elsewhere = variablesOutside(block.stmt, spawn.statementBegin, spawn.statementEnd);
    auto isShared = [&](const clang::VarDecl *var) {
      const std::string name = var->getNameAsString();
      if (copied.count(name) || named(d.privateVars, name)) return false;
      const unsigned at = fileOffset(sm_, var->getLocation());
      if (at >= spawn.statementBegin && at < spawn.statementEnd) return false;
      if (!repeated && !elsewhere.count(var)) return false;
      return !var->isConstexpr() && !var->getType().isConstQualified();
    };
    lintRaces(spawn, spawn.stmt, context_, sites_, isShared, display_, diags_, owner.report);
  }

  bool insideLoopWithin(const clang::Stmt *stmt, const clang::Stmt *outer) {
    for (clang::DynTypedNodeList parents = context_.getParents(*stmt); !parents.empty(); parents = context_.getParents(parents[0])) {
      const clang::Stmt *s = parents[0].get<clang::Stmt>();
      if (s == outer) return false;
      if (s && (llvm::isa<clang::ForStmt>(s) || llvm::isa<clang::WhileStmt>(s) || llvm::isa<clang::DoStmt>(s) ||
                llvm::isa<clang::CXXForRangeStmt>(s)))
        return true;
    }
    return false;
  }

  // Variables referenced in `stmt` outside the file range [begin, end).
  std::set<const clang::VarDecl *> variablesOutside(const clang::Stmt *stmt, unsigned begin, unsigned end) {
    struct Finder : clang::RecursiveASTVisitor<Finder> {
      const clang::SourceManager &sm;
      unsigned begin, end;
      std::set<const clang::VarDecl *> vars;
      Finder(const clang::SourceManager &s, unsigned b, unsigned e) : sm(s), begin(b), end(e) {}
      bool VisitDeclRefExpr(clang::DeclRefExpr *ref) {
        unsigned at = fileOffset(sm, ref->getLocation());
        if (at < begin || at >= end)
          if (const auto *var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl())) vars.insert(var);
        return true;
      }
    } finder(sm_, begin, end);
    finder.TraverseStmt(const_cast<clang::Stmt *>(stmt));
    return finder.vars;
  }

  // A loop with constant bounds runs a known number of iterations; the block uses at most
  // that many threads, and at most a constant num_threads.
  void estimateLoopTasks(Site &site) {
    const CanonicalLoop &loop = *site.loop;
    auto constant = [&](const clang::Expr *e) -> std::optional<long long> {
      if (!e || e->isValueDependent()) return std::nullopt;
      clang::Expr::EvalResult r;
      if (!e->EvaluateAsInt(r, context_)) return std::nullopt;
      return r.Val.getInt().getExtValue();
    };
    auto lb = constant(loop.lowerBound), ub = constant(loop.bound);
    auto step = loop.step ? constant(loop.step) : std::optional<long long>(1);
    if (!lb || !ub || !step || *step <= 0) return;
    long long span = 0;
    switch (loop.compare) {
    case generators::CompareOp::Less: span = *ub - *lb; break;
    case generators::CompareOp::LessEqual: span = *ub - *lb + 1; break;
    case generators::CompareOp::Greater: span = *lb - *ub; break;
    case generators::CompareOp::GreaterEqual: span = *lb - *ub + 1; break;
    case generators::CompareOp::NotEqual: span = loop.ascending ? *ub - *lb : *lb - *ub; break;
    }
    std::uint64_t count = span <= 0 ? 0 : static_cast<std::uint64_t>((span + *step - 1) / *step);
    if (site.directive.numThreads) {
      char *end = nullptr;
      unsigned long long threads = std::strtoull(site.directive.numThreads->text.c_str(), &end, 0);
      if (end && *end == '\0' && threads > 0) count = std::min<std::uint64_t>(count, threads);
    }
    site.report.estimatedTaskCount = count;
  }

  // "file:line:N": N counts the blocks that start on the same line.
  void assignBlockIds() {
    std::map<unsigned, unsigned> perLine;
    for (auto &site : sites_) {
      if (!site->isBlock()) continue;
      unsigned n = ++perLine[site->report.location.line];
      site->report.id = display_ + ":" + std::to_string(site->report.location.line) + ":" + std::to_string(n);
    }
  }

  clang::ASTContext &context_;
  const clang::SourceManager &sm_;
  const TranslateOptions &options_;
  const std::vector<RawPragma> &pragmas_;
  const LocationTable &locations_;
  Diagnostics &diags_;
  std::string fileName_, display_;
  SiteList sites_;
  bool checkOnly_ = false;
};

class TranslateConsumer : public clang::ASTConsumer {
public:
  TranslateConsumer(TranslationSession &session, std::vector<RawPragma> &pragmas, LocationTable &locations,
                    Diagnostics &diags, bool &handled)
      : session_(session), pragmas_(pragmas), locations_(locations), diags_(diags), handled_(handled) {}

  void HandleTranslationUnit(clang::ASTContext &context) override {
    const clang::SourceManager &sm = context.getSourceManager();
    std::string file = sm.getFileEntryForID(sm.getMainFileID())->getName().str();
    // Only the main file's declarations can hold sites: restricting the traversal scope
    // keeps the parent map and every AST walk away from the (much larger) headers.
    std::vector<clang::Decl *> mainFileDecls;
    for (clang::Decl *decl : context.getTranslationUnitDecl()->decls())
      if (sm.isInMainFile(sm.getExpansionLoc(decl->getLocation()))) mainFileDecls.push_back(decl);
    context.setTraversalScope(mainFileDecls);
    TranslationUnitAnalysis analysis(context, session_.options(), pragmas_, locations_, diags_, file);
    analysis.setCheckOnly(session_.options().checkOnly);
    session_.results().push_back(analysis.run());
    handled_ = true;
    spdlog::debug("{}: {} Luminar pragmas, {} blocks", file, pragmas_.size(), session_.results().back().blocks.size());
  }

private:
  TranslationSession &session_;
  std::vector<RawPragma> &pragmas_;
  LocationTable &locations_;
  Diagnostics &diags_;
  bool &handled_;
};

class TranslateAction : public clang::ASTFrontendAction {
public:
  explicit TranslateAction(TranslationSession &session) : session_(session) {}

  bool BeginSourceFileAction(clang::CompilerInstance &ci) override {
    diags_ = std::make_unique<Diagnostics>(ci.getDiagnostics());
    // The preprocessor owns the handler and deletes it with itself.
    ci.getPreprocessor().AddPragmaHandler(new PragmaCollector(*diags_, locations_, pragmas_));
    return true;
  }

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &, llvm::StringRef) override {
    return std::make_unique<TranslateConsumer>(session_, pragmas_, locations_, *diags_, handled_);
  }

  void EndSourceFileAction() override {
    // A file whose parse stopped before the AST consumer ran still needs a failed result.
    if (!handled_) {
      TranslationResult failed;
      failed.sourcePath = getCurrentFile().str();
      failed.failed = true;
      session_.results().push_back(std::move(failed));
    }
  }

private:
  TranslationSession &session_;
  std::vector<RawPragma> pragmas_;
  LocationTable locations_;
  std::unique_ptr<Diagnostics> diags_;
  bool handled_ = false;
};

class TranslateActionFactory : public clang::tooling::FrontendActionFactory {
public:
  explicit TranslateActionFactory(TranslationSession &session) : session_(session) {}
  std::unique_ptr<clang::FrontendAction> create() override { return std::make_unique<TranslateAction>(session_); }

private:
  TranslationSession &session_;
};

}  // namespace

std::unique_ptr<clang::tooling::FrontendActionFactory> TranslationSession::actionFactory() {
  return std::make_unique<TranslateActionFactory>(*this);
}

}  // namespace luminar::frontend
