#include "Options.h"

#include <llvm/Support/CommandLine.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <set>

namespace luminar::driver {
namespace {

namespace cl = llvm::cl;

cl::OptionCategory category("luminar options");

cl::list<std::string> sources(cl::Positional, cl::desc("<source>..."), cl::cat(category));
cl::opt<std::string> buildDir("p", cl::desc("Build directory containing compile_commands.json"),
                              cl::value_desc("build-dir"), cl::cat(category));
cl::opt<std::string> output("o", cl::desc("Output file (single source only)"), cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> outputDir("output-dir", cl::desc("Directory for translated sources (same file names; created if missing)"),
                               cl::value_desc("dir"), cl::cat(category));
cl::opt<bool> inPlace("in-place", cl::desc("Overwrite the sources with their translation"), cl::cat(category));
cl::opt<std::string> metadata("metadata", cl::desc("Write the ConcurrencyCodeMetadata JSON of all sources to <file>"),
                              cl::value_desc("file"), cl::cat(category));
cl::opt<bool> check("check", cl::desc("Analyse and diagnose only; write no sources"), cl::cat(category));
cl::opt<std::string> mode("mode", cl::desc("Override every block's mode: auto, bare_metal or runtime (a mode(...) clause wins)"),
                          cl::value_desc("mode"), cl::init("auto"), cl::cat(category));
cl::opt<unsigned> maxBareMetalTasks("max-bare-metal-tasks", cl::desc("Largest static task count still compiled bare-metal"),
                                    cl::init(16), cl::cat(category));
cl::opt<bool> noLineDirectives("no-line-directives", cl::desc("Do not emit #line directives"), cl::cat(category));
cl::opt<bool> verbose("v", cl::desc("Verbose logging (same as --log-level=debug)"), cl::cat(category));
cl::opt<std::string> logLevel("log-level", cl::desc("Logging on stderr: trace, debug, info, warn or error"),
                              cl::value_desc("level"), cl::init("warn"), cl::cat(category));

std::optional<DriverOptions> usage(const std::string &message) {
  llvm::errs() << "luminar: error: " << message << "\n";
  return std::nullopt;
}

}  // namespace

std::optional<DriverOptions> parseCommandLine(int argc, const char **argv) {
  DriverOptions opts;
  // Everything after `--` is for the compiler.
  int toolArgc = argc;
  for (int i = 1; i < argc; ++i) {
    if (llvm::StringRef(argv[i]) == "--") {
      toolArgc = i;
      opts.hasCompilerArgs = true;
      for (int j = i + 1; j < argc; ++j) opts.compilerArgs.emplace_back(argv[j]);
      break;
    }
  }
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter([](llvm::raw_ostream &os) { os << "luminar " LUMINAR_VERSION "\n"; });
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (!cl::ParseCommandLineOptions(toolArgc, argv,
                                   "Luminar: translates `#pragma luminar` blocks in C++ sources into standard C++.\n\n"
                                   "  luminar [options] <source>... [-- <compiler arguments>]\n",
                                   &errorStream)) {
    errorStream.flush();
    llvm::errs() << errors;
    return std::nullopt;
  }

  opts.sources.assign(sources.begin(), sources.end());
  opts.buildDir = buildDir;
  opts.output = output;
  opts.outputDir = outputDir;
  opts.inPlace = inPlace;
  opts.metadata = metadata;
  opts.translate.checkOnly = check;
  opts.translate.maxBareMetalTasks = maxBareMetalTasks;
  opts.translate.lineDirectives = !noLineDirectives;
  opts.logLevel = verbose ? "debug" : std::string(logLevel);

  if (mode == "bare_metal") opts.translate.globalMode = model::ModeRequest::BareMetal;
  else if (mode == "runtime") opts.translate.globalMode = model::ModeRequest::Runtime;
  else if (mode != "auto") return usage("invalid --mode '" + mode + "'; expected auto, bare_metal or runtime");

  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  if (!kLevels.count(opts.logLevel))
    return usage("invalid --log-level '" + opts.logLevel + "'; expected trace, debug, info, warn or error");
  if (opts.sources.empty()) return usage("no input files; usage: luminar [options] <source>... [-- <compiler arguments>]");
  for (const std::string &s : opts.sources)
    if (!llvm::sys::fs::is_regular_file(s)) return usage("no such file: '" + s + "'");

  const int destinations = !opts.output.empty() + !opts.outputDir.empty() + opts.inPlace;
  if (destinations > 1) return usage("-o, --output-dir and --in-place exclude each other");
  if (!opts.output.empty() && opts.sources.size() > 1)
    return usage("-o names one output file but " + std::to_string(opts.sources.size()) + " sources were given; use --output-dir");
  if (!opts.translate.checkOnly && destinations == 0 && opts.sources.size() > 1)
    return usage("several sources need --output-dir or --in-place (a single source without -o is written to standard output)");
  if (!opts.outputDir.empty()) {
    std::set<std::string> names;
    for (const std::string &s : opts.sources)
      if (!names.insert(llvm::sys::path::filename(s).str()).second)
        return usage("two sources named '" + llvm::sys::path::filename(s).str() + "' would be written to the same file in --output-dir");
  }
  if (!opts.buildDir.empty() && !llvm::sys::fs::is_directory(opts.buildDir))
    return usage("-p: no such directory: '" + opts.buildDir + "'");
  return opts;
}

}  // namespace luminar::driver
