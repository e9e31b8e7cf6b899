#include "SiteLowering.h"

#include "AstText.h"
#include "SiteFinder.h"
#include "luminar/generators/BareMetalGenerator.h"
#include "luminar/generators/RuntimeGenerator.h"

#include <algorithm>

#include <llvm/Support/Path.h>

namespace luminar::frontend {
namespace {

std::string escapeForLiteral(const std::string &text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

// A #line directly followed by another #line has no effect: drop it.
std::string withoutShadowedLineDirectives(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    end = end == std::string::npos ? text.size() : end + 1;
    const bool isLine = text.compare(pos, 6, "#line ") == 0;
    const bool nextIsLine = end < text.size() && text.compare(end, 6, "#line ") == 0;
    if (!(isLine && nextIsLine)) out.append(text, pos, end - pos);
    pos = end;
  }
  return out;
}

bool isRuntimeAssisted(const Site &block) { return block.report.mode == model::ConcurrencyMode::RuntimeAssisted; }

}  // namespace

std::string SiteLowering::label(const Site &site, unsigned pragmaLine) const {
  if (site.directive.label) return *site.directive.label;
  const std::string file = llvm::sys::path::filename(sm_.getFileEntryForID(sm_.getMainFileID())->getName()).str();
  return escapeForLiteral(std::string(model::spelling(site.directive.kind)) + " at " + file + ":" + std::to_string(pragmaLine));
}

SiteLowering::SiteLowering(clang::ASTContext &context, const TranslateOptions &options, std::string lineFileName)
    : context_(context), sm_(context.getSourceManager()), options_(options),
      lineFileName_(escapeForLiteral(lineFileName)), buffer_(sm_.getBufferData(sm_.getMainFileID())) {}

unsigned SiteLowering::lineOf(unsigned offset) const {
  return sm_.getLineNumber(sm_.getMainFileID(), offset);
}

unsigned SiteLowering::columnOf(unsigned offset) const {
  return sm_.getColumnNumber(sm_.getMainFileID(), offset);
}

std::string SiteLowering::resync(unsigned offset) const {
  if (!options_.lineDirectives) return {};
  return "#line " + std::to_string(lineOf(offset)) + " \"" + lineFileName_ + "\"\n";
}

// The original text of [begin, end) with each child site replaced by its translation.
// A translation always starts on a line of its own and is followed by a #line that puts
// the rest of the user's text back on its original line and column.
std::string SiteLowering::rewrittenText(unsigned begin, unsigned end, const std::vector<Site *> &children) const {
  std::string out;
  unsigned pos = begin;
  for (const Site *child : children) {
    if (child->begin < begin || child->end > end) continue;
    out.append(buffer_.data() + pos, child->begin - pos);
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += child->replacement;
    out += resync(child->end);
    if (child->end > 0 && buffer_[child->end - 1] != '\n') out.append(columnOf(child->end) - 1, ' ');
    pos = child->end;
  }
  out.append(buffer_.data() + pos, end - pos);
  return out;
}

generators::CodePiece SiteLowering::piece(unsigned begin, unsigned end, const std::vector<Site *> &children) const {
  return {rewrittenText(begin, end, children), lineOf(begin), columnOf(begin)};
}

generators::CodePiece SiteLowering::exprPiece(const clang::Expr *expr) const {
  clang::SourceLocation loc = sm_.getExpansionLoc(expr->getBeginLoc());
  return {sourceText(context_, expr->getSourceRange()), sm_.getExpansionLineNumber(loc), sm_.getExpansionColumnNumber(loc)};
}

generators::SiteContext SiteLowering::contextFor(const Site &site) const {
  generators::SiteContext c;
  c.fileName = lineFileName_;
  c.lineDirectives = options_.lineDirectives;
  const unsigned pragmaOffset = fileOffset(sm_, site.pragma->location);
  c.pragmaLine = lineOf(pragmaOffset);
  c.pragmaColumn = columnOf(pragmaOffset);
  unsigned lineStart = pragmaOffset;
  while (lineStart > 0 && buffer_[lineStart - 1] != '\n') --lineStart;
  unsigned indentEnd = lineStart;
  while (indentEnd < buffer_.size() && (buffer_[indentEnd] == ' ' || buffer_[indentEnd] == '\t')) ++indentEnd;
  c.indent = buffer_.substr(lineStart, indentEnd - lineStart).str();
  c.siteNumber = site.number;
  c.pragmaText = site.pragma->text;
  return c;
}

void SiteLowering::lowerSite(Site &site) {
  for (Site *child : site.children) lowerSite(*child);
  const generators::SiteContext context = contextFor(site);
  switch (site.directive.kind) {
  case model::PragmaKind::ParallelFor: {
    const CanonicalLoop &loop = *site.loop;
    generators::ParallelForSite s{context, site.directive, {}};
    s.loop.varName = loop.var->getNameAsString();
    s.loop.varType = loop.declaresVar ? loop.varType : "";
    s.loop.lowerBound = exprPiece(loop.lowerBound);
    s.loop.bound = exprPiece(loop.bound);
    s.loop.step = loop.step ? exprPiece(loop.step) : generators::CodePiece{"1", context.pragmaLine, 1};
    s.loop.compare = loop.compare;
    s.loop.ascending = loop.ascending;
    const unsigned bodyBegin = fileOffset(sm_, loop.body->getBeginLoc());
    s.loop.body = piece(bodyBegin, statementEndOffset(context_, loop.body), site.children);
    s.runtimeAssisted = isRuntimeAssisted(site);
    s.label = label(site, context.pragmaLine);
    site.replacement = s.runtimeAssisted ? generators::generateRuntimeParallelFor(s) : generators::generateParallelFor(s);
    break;
  }
  case model::PragmaKind::Parallel:
  case model::PragmaKind::Concurrent: {
    const auto *compound = llvm::cast<clang::CompoundStmt>(site.stmt);
    const unsigned inner = fileOffset(sm_, compound->getLBracLoc()) + 1;
    const unsigned close = fileOffset(sm_, compound->getRBracLoc());
    generators::ParallelBlockSite s{context, site.directive, piece(inner, close, site.children),
                                    "luminar_group_" + std::to_string(site.number), isRuntimeAssisted(site),
                                    label(site, context.pragmaLine)};
    site.replacement = s.runtimeAssisted ? generators::generateRuntimeBlock(s) : generators::generateParallelBlock(s);
    break;
  }
  case model::PragmaKind::Spawn: {
    generators::SpawnSite s;
    s.context = context;
    s.directive = site.directive;
    s.statement = piece(site.statementBegin, site.statementEnd, site.children);
    s.copiedVars = site.copiedVars;
    s.copyEveryLocal = site.copyEveryLocal;
    s.privateVars = site.privateVars;
    s.label = label(site, context.pragmaLine);
    if (!site.enclosingBlock) {
      s.target = generators::SpawnTarget::Dynamic;
      for (const model::VarRef &var : site.directive.sharedVars) s.sharedVars.push_back(var.name);
      site.replacement = generators::generateRuntimeSpawn(s);
      break;
    }
    s.groupName = "luminar_group_" + std::to_string(site.enclosingBlock->number);
    if (isRuntimeAssisted(*site.enclosingBlock)) {
      s.target = generators::SpawnTarget::RuntimeGroup;
      site.replacement = generators::generateRuntimeSpawn(s);
    } else {
      site.replacement = generators::generateSpawn(s);
    }
    break;
  }
  case model::PragmaKind::Critical: {
    generators::CriticalSite s{context, site.directive, piece(site.statementBegin, site.statementEnd, site.children),
                               llvm::isa<clang::DeclStmt>(site.stmt)};
    site.replacement = generators::generateCritical(s);
    break;
  }
  case model::PragmaKind::Defer: {
    generators::DeferSite s{context, piece(site.statementBegin, site.statementEnd, site.children)};
    site.replacement = generators::generateDefer(s);
    break;
  }
  case model::PragmaKind::Atomic: {
    const AtomicUpdate &update = *site.atomic;
    generators::AtomicSite s;
    s.context = context;
    s.target = exprPiece(update.target);
    s.operand = update.operand ? exprPiece(update.operand) : generators::CodePiece{"1", context.pragmaLine, 1};
    s.op = update.op;
    s.targetIsStdAtomic = update.targetIsStdAtomic;
    s.statement = piece(site.statementBegin, site.statementEnd, site.children);
    site.replacement = generators::generateAtomic(s);
    break;
  }
  }
}

std::string SiteLowering::translate(SiteList &sites) {
  if (sites.empty()) return buffer_.str();  // nothing to translate: byte-for-byte the input
  std::vector<Site *> topLevel;
  for (auto &site : sites)
    if (!site->parent) topLevel.push_back(site.get());
  for (Site *site : topLevel) lowerSite(*site);

  // The prelude goes before the first top-level declaration that holds a site.
  generators::PreludeRequest prelude;
  prelude.context.fileName = lineFileName_;
  prelude.context.lineDirectives = options_.lineDirectives;
  unsigned insertAt = buffer_.size();
  for (auto &site : sites) {
    if (site->topLevelDecl) insertAt = std::min(insertAt, fileOffset(sm_, site->topLevelDecl->getBeginLoc()));
    if (site->directive.onError == model::ErrorStrategy::Collect) prelude.needsErrorList = true;
    if ((site->isBlock() && isRuntimeAssisted(*site)) ||
        (site->directive.kind == model::PragmaKind::Spawn && !site->enclosingBlock))
      prelude.needsRuntime = true;
    if (site->directive.criticalName &&
        std::find(prelude.criticalNames.begin(), prelude.criticalNames.end(), *site->directive.criticalName) == prelude.criticalNames.end())
      prelude.criticalNames.push_back(*site->directive.criticalName);
  }
  unsigned lineStart = insertAt;
  while (lineStart > 0 && (buffer_[lineStart - 1] == ' ' || buffer_[lineStart - 1] == '\t')) --lineStart;
  if (lineStart == 0 || buffer_[lineStart - 1] == '\n') insertAt = lineStart;
  prelude.context.pragmaLine = lineOf(insertAt);

  std::string out(buffer_.data(), insertAt);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += generators::generatePrelude(prelude);
  if (insertAt > 0 && buffer_[insertAt - 1] != '\n') out.append(columnOf(insertAt) - 1, ' ');
  out += rewrittenText(insertAt, buffer_.size(), topLevel);
  return withoutShadowedLineDirectives(out);
}

}  // namespace luminar::frontend
