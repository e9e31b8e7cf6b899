// luminar: the command-line driver. Parses options, builds the compilation database,
// runs the translation over every source, and only when all of them succeeded writes the
// outputs and the metadata (atomically). Exit status: 0 success, 1 errors in the input,
// 2 usage errors (SPEC §3.3).
#include "OutputWriter.h"
#include "Options.h"

#include "luminar/frontend/CompilerArguments.h"
#include "luminar/frontend/Translate.h"
#include "luminar/metadata/MetadataWriter.h"

#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

namespace {

using luminar::driver::DriverOptions;
namespace tooling = clang::tooling;

constexpr int kExitInputError = 1;
constexpr int kExitUsage = 2;

void setUpLogging(const std::string &level) {
  auto logger = spdlog::stderr_color_mt("luminar");
  logger->set_pattern("luminar: %l: %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

// -p reads compile_commands.json; `--` gives the arguments for every source; with
// neither, a compile_commands.json found above the first source is used, else C++17.
std::unique_ptr<tooling::CompilationDatabase> compilationDatabase(const DriverOptions &opts, std::string &error) {
  if (!opts.buildDir.empty()) {
    auto db = tooling::CompilationDatabase::autoDetectFromDirectory(opts.buildDir, error);
    if (!db) error = "-p " + opts.buildDir + ": " + error;
    return db;
  }
  if (!opts.hasCompilerArgs) {
    std::string ignored;
    if (auto db = tooling::CompilationDatabase::autoDetectFromSource(opts.sources.front(), ignored)) {
      spdlog::debug("using the compilation database found for {}", opts.sources.front());
      return db;
    }
  }
  return std::make_unique<tooling::FixedCompilationDatabase>(".", opts.compilerArgs);
}

std::string outputPathFor(const DriverOptions &opts, const std::string &source) {
  if (!opts.output.empty()) return opts.output;
  if (opts.inPlace) return source;
  llvm::SmallString<256> path(opts.outputDir);
  llvm::sys::path::append(path, llvm::sys::path::filename(source));
  return std::string(path);
}

}  // namespace

int main(int argc, const char **argv) {
  std::optional<DriverOptions> parsed = luminar::driver::parseCommandLine(argc, argv);
  if (!parsed) return kExitUsage;
  const DriverOptions &opts = *parsed;
  setUpLogging(opts.logLevel);

  std::string dbError;
  std::unique_ptr<tooling::CompilationDatabase> db = compilationDatabase(opts, dbError);
  if (!db) {
    llvm::errs() << "luminar: error: " << dbError << "\n";
    return kExitUsage;
  }

  luminar::frontend::TranslationSession session(opts.translate);
  std::unique_ptr<tooling::FrontendActionFactory> factory = session.actionFactory();
  bool failed = false;
  for (std::size_t i = 0; i < opts.sources.size(); ++i) {
    const std::string &source = opts.sources[i];
    if (opts.sources.size() > 1) llvm::errs() << "[" << i + 1 << "/" << opts.sources.size() << "] " << source << "\n";
    tooling::ClangTool tool(*db, {source});
    if (opts.hasCompilerArgs && !opts.buildDir.empty())
      tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(opts.compilerArgs, tooling::ArgumentInsertPosition::END));
    tool.appendArgumentsAdjuster(luminar::frontend::unknownFlagFilter());
    tool.appendArgumentsAdjuster(luminar::frontend::resourceDirAdjuster());
    // The translated file must be C++17 (SPEC §3.1); parse it that way unless told otherwise.
    tool.appendArgumentsAdjuster([](const tooling::CommandLineArguments &args, llvm::StringRef) {
      for (const std::string &a : args)
        if (llvm::StringRef(a).startswith("-std=") || a == "-std") return args;
      tooling::CommandLineArguments out = args;
      out.insert(out.begin() + 1, "-std=c++17");
      return out;
    });
    const std::size_t before = session.results().size();
    int status = tool.run(factory.get());
    if (status != 0 || session.results().size() == before || session.results().back().failed) failed = true;
  }
  if (failed) {
    llvm::errs() << "luminar: nothing written: errors in the input\n";
    return kExitInputError;
  }

  std::vector<luminar::model::BlockReport> blocks;
  for (const auto &result : session.results()) blocks.insert(blocks.end(), result.blocks.begin(), result.blocks.end());

  if (!opts.translate.checkOnly) {
    if (!opts.outputDir.empty()) {
      if (std::error_code ec = llvm::sys::fs::create_directories(opts.outputDir)) {
        llvm::errs() << "luminar: error: cannot create '" << opts.outputDir << "': " << ec.message() << "\n";
        return kExitUsage;
      }
    }
    for (std::size_t i = 0; i < opts.sources.size(); ++i) {
      const std::string &translated = session.results()[i].output;
      if (opts.output.empty() && opts.outputDir.empty() && !opts.inPlace) {
        std::cout << translated;
        continue;
      }
      std::string path = outputPathFor(opts, opts.sources[i]);
      if (std::string error = luminar::driver::writeFileAtomically(path, translated); !error.empty()) {
        llvm::errs() << "luminar: error: " << error << "\n";
        return kExitUsage;
      }
      spdlog::info("wrote {}", path);
    }
  }
  if (!opts.metadata.empty()) {
    std::string json = luminar::metadata::metadataDocument(blocks, LUMINAR_VERSION).dump(2) + "\n";
    if (std::string error = luminar::driver::writeFileAtomically(opts.metadata, json); !error.empty()) {
      llvm::errs() << "luminar: error: " << error << "\n";
      return kExitUsage;
    }
  }
  return 0;
}
