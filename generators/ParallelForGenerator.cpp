// `#pragma luminar parallel for` → luminar::bare_metal::parallel_for (bare-metal), or
// luminar::runtime::parallel_for (runtime-assisted: the same per-thread function runs as
// runtime tasks; one more argument, the label).
//
// Shape of the output (site N; every name is luminar_<what>_N):
//   {
//     <index type> lb = <init>; auto ub = <bound>; auto step = <step>;   // once, in order
//     const std::uint64_t count = trip_count_<cmp>(lb, ub, step);
//     loop_options options; error_state errors(<on_error>);
//     using luminar_type_<v>_N = …; auto &luminar_shared_<v>_N = <v>;   // clause variables
//     parallel_for(count, options, errors, [&](loop_worker &worker) {
//       <per-thread copies shadowing reduction/private/firstprivate variables>
//       worker.for_each_chunk([&](lo, hi) {
//         for (k = lo; k < hi; ++k) { <var> = iteration_value(lb, k, step, asc); <body> }
//       });
//       worker.combine([&]() { reduction_combine<op>(luminar_shared_<v>_N, <v>); … });
//     });
//     [<var> = iteration_value(lb, count, step, asc);]   // loop assigned an outer variable
//     errors.rethrow_first() | errors.throw_collected<luminar::error_list>()
//   }
// Types come from the user's declarations through decltype, never spelled by us, so the
// code works in templates with dependent types.
#include "luminar/generators/BareMetalGenerator.h"
#include "luminar/generators/RuntimeGenerator.h"

#include "BlockClauses.h"
#include "CodeWriter.h"
#include "Names.h"

namespace luminar::generators {

namespace {

const char *reductionOpEnumerator(model::ReductionOp op) {
  switch (op) {
  case model::ReductionOp::Add: return "add";
  case model::ReductionOp::Mul: return "mul";
  case model::ReductionOp::Sub: return "sub";
  case model::ReductionOp::BitAnd: return "bit_and";
  case model::ReductionOp::BitOr: return "bit_or";
  case model::ReductionOp::BitXor: return "bit_xor";
  case model::ReductionOp::LogAnd: return "log_and";
  case model::ReductionOp::LogOr: return "log_or";
  case model::ReductionOp::Min: return "min";
  case model::ReductionOp::Max: return "max";
  }
  return "add";
}

std::string reductionOp(model::ReductionOp op) {
  return std::string("luminar::bare_metal::reduction_op::") + reductionOpEnumerator(op);
}

const char *tripCountHelper(CompareOp compare) {
  switch (compare) {
  case CompareOp::Less: return "trip_count_less";
  case CompareOp::LessEqual: return "trip_count_less_equal";
  case CompareOp::Greater: return "trip_count_greater";
  case CompareOp::GreaterEqual: return "trip_count_greater_equal";
  case CompareOp::NotEqual: return "trip_count_not_equal";
  }
  return "trip_count_less";
}

bool isOneLine(const CodePiece &piece) { return piece.text.find('\n') == std::string::npos; }

class ParallelForWriter {
 public:
  ParallelForWriter(const ParallelForSite &site, bool runtime)
      : site_(site), runtime_(runtime), loop_(site.loop), ctx_(site.context), w_(site.context),
        lb_(name("lb")), ub_(name("ub")), step_(name("step")), count_(name("count")),
        options_(name("options")), worker_(name("worker")), k_(name("k")),
        ascending_(loop_.ascending ? "true" : "false") {}

  std::string write() {
    w_.pragmaComment();
    w_.open("{");
    loopHeader();
    w_.line("const std::uint64_t " + count_ + " = luminar::bare_metal::" + tripCountHelper(loop_.compare) +
            "(" + lb_ + ", " + ub_ + ", " + step_ +
            (loop_.compare == CompareOp::NotEqual ? std::string(", ") + ascending_ : std::string()) + ");");
    options();
    errors_ = declareErrorState(w_, ctx_, site_.directive);
    clauseVariables();
    const std::string function = runtime_ ? "luminar::runtime::parallel_for(" : "luminar::bare_metal::parallel_for(";
    w_.open(function + count_ + ", " + options_ + ", " + errors_ + ", [&](luminar::bare_metal::loop_worker &" + worker_ +
            ") {");
    perThreadCopies();
    iterations();
    combine();
    w_.close(runtime_ ? "}, \"" + site_.label + "\");" : std::string("});"));
    if (loop_.varType.empty()) {
      w_.line("// the loop assigned '" + loop_.varName + "': leave it with its value after the last iteration");
      w_.line(loop_.varName + " = " + iterationValue(count_) + ";");
    }
    finishErrorState(w_, errors_, site_.directive);
    w_.close("}");
    return w_.take();
  }

 private:
  std::string name(std::string_view what) const { return generatedName(ctx_, what); }
  std::string varName(std::string_view what, const std::string &var) const {
    return name(std::string(what) + "_" + var);
  }

  std::string iterationValue(const std::string &k) const {
    return "luminar::bare_metal::iteration_value(" + lb_ + ", " + k + ", " + step_ + ", " + ascending_ + ")";
  }

  // The lower bound keeps the loop variable's declared type (`std::size_t i = 0` must not
  // become an int); a loop assigning an outer variable uses that variable's type.
  std::string indexType() const {
    if (loop_.varType.empty()) return "std::remove_reference_t<decltype(" + loop_.varName + ")>";
    return loop_.varType;
  }

  // Init, bound and step, evaluated once and in that order, mapped to the loop's lines.
  void loopHeader() {
    const std::string lbDecl = indexType() + " " + lb_ + " = ";
    const std::string ubDecl = "auto " + ub_ + " = ";
    const std::string stepDecl = "auto " + step_ + " = ";
    const CodePiece &lb = loop_.lowerBound, &ub = loop_.bound, &step = loop_.step;
    // The step of `++i` is a made-up "1": if it carries no line of the loop, it takes init's.
    const unsigned stepLine = step.line > ctx_.pragmaLine ? step.line : lb.line;
    if (isOneLine(lb) && isOneLine(ub) && isOneLine(step) && lb.line == ub.line && ub.line == stepLine) {
      w_.userLine(lb.line, lbDecl + lb.text + "; " + ubDecl + ub.text + "; " + stepDecl + step.text + ";");
      return;
    }
    w_.userLine(lb.line, lbDecl + w_.inlinePiece(lb) + ";");
    w_.userLine(ub.line, ubDecl + w_.inlinePiece(ub) + ";");
    w_.userLine(stepLine, stepDecl + w_.inlinePiece(step) + ";");
  }

  void options() {
    const model::Directive &d = site_.directive;
    w_.line("luminar::bare_metal::loop_options " + options_ + ";");
    if (auto limit = threadLimit(d)) w_.line(options_ + ".max_threads = " + *limit + ";");
    if (auto serial = serialCondition(d)) w_.line(options_ + ".serial = " + *serial + ";");
    w_.line(options_ + ".schedule = luminar::bare_metal::schedule_kind::" +
            (d.schedule == model::ScheduleKind::Dynamic ? "dynamic" : "static_") + ";");
    if (d.scheduleChunk)
      w_.line(options_ + ".chunk = static_cast<std::uint64_t>(" + d.scheduleChunk->text + ");");
  }

  // Types and references taken before the per-thread lambda, where the user's names still
  // mean the shared variables (inside, the private copies shadow them).
  void clauseVariables() {
    const model::Directive &d = site_.directive;
    for (const model::Reduction &reduction : d.reductions) {
      std::string vars;
      for (const model::VarRef &var : reduction.vars) vars += (vars.empty() ? "" : ", ") + var.name;
      w_.line(std::string("// reduction(") + model::spelling(reduction.op) + ": " + vars +
              "): per-thread copies start at the identity, combined at the end");
      for (const model::VarRef &var : reduction.vars) aliasAndReference(var.name);
    }
    if (!d.privateVars.empty()) w_.line("// private: per-thread value-initialised copies");
    for (const model::VarRef &var : d.privateVars) typeAlias(var.name);
    if (!d.firstprivateVars.empty()) w_.line("// firstprivate: per-thread copies of the value before the loop");
    for (const model::VarRef &var : d.firstprivateVars) aliasAndReference(var.name);
  }

  void typeAlias(const std::string &var) {
    w_.line("using " + varName("type", var) + " = std::remove_reference_t<decltype(" + var + ")>;");
  }

  void aliasAndReference(const std::string &var) {
    typeAlias(var);
    w_.line("auto &" + varName("shared", var) + " = " + var + ";");
  }

  void perThreadCopies() {
    const model::Directive &d = site_.directive;
    for (const model::Reduction &reduction : d.reductions) {
      for (const model::VarRef &var : reduction.vars) {
        const std::string type = varName("type", var.name);
        w_.line(type + " " + var.name + " = luminar::bare_metal::reduction_identity<" + reductionOp(reduction.op) +
                ", " + type + ">();");
      }
    }
    for (const model::VarRef &var : d.privateVars)
      w_.line("[[maybe_unused]] " + varName("type", var.name) + " " + var.name + "{};");
    for (const model::VarRef &var : d.firstprivateVars)
      w_.line("[[maybe_unused]] " + varName("type", var.name) + " " + var.name + " = " + varName("shared", var.name) +
              ";");
  }

  void iterations() {
    const std::string lo = name("lo"), hi = name("hi");
    w_.open(worker_ + ".for_each_chunk([&](std::uint64_t " + lo + ", std::uint64_t " + hi + ") {");
    w_.open("for (std::uint64_t " + k_ + " = " + lo + "; " + k_ + " < " + hi + "; ++" + k_ + ") {");
    w_.line("[[maybe_unused]] " + (loop_.varType.empty() ? std::string("auto") : loop_.varType) + " " +
            loop_.varName + " = " + iterationValue(k_) + ";");
    const bool everyIterationRuns = site_.directive.onError != model::ErrorStrategy::Stop;
    if (everyIterationRuns) {
      w_.line("// on_error(" + std::string(model::spelling(site_.directive.onError)) +
              "): a failing iteration does not stop the others");
      w_.open("try {");
    }
    w_.splice(loop_.body);
    if (everyIterationRuns) {
      w_.reopen("} catch (...) {");
      w_.line(errors_ + ".record(std::current_exception(), \"iteration \" + std::to_string(" + k_ + "));");
      w_.close("}");
    }
    w_.close("}");
    w_.close("});");
  }

  void combine() {
    const model::Directive &d = site_.directive;
    if (d.reductions.empty()) return;
    w_.open(worker_ + ".combine([&]() {");
    for (const model::Reduction &reduction : d.reductions)
      for (const model::VarRef &var : reduction.vars)
        w_.line("luminar::bare_metal::reduction_combine<" + reductionOp(reduction.op) + ">(" +
                varName("shared", var.name) + ", " + var.name + ");");
    w_.close("});");
  }

  const ParallelForSite &site_;
  const bool runtime_;
  const LoopShape &loop_;
  const SiteContext &ctx_;
  CodeWriter w_;
  const std::string lb_, ub_, step_, count_, options_, worker_, k_;
  const char *ascending_;
  std::string errors_;
};

}  // namespace

std::string generateParallelFor(const ParallelForSite &site) { return ParallelForWriter(site, false).write(); }

std::string generateRuntimeParallelFor(const ParallelForSite &site) { return ParallelForWriter(site, true).write(); }

}  // namespace luminar::generators
