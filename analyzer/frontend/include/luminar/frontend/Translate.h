// The entry point the `luminar` driver uses: a FrontendActionFactory whose actions parse a
// source, analyse every `#pragma luminar` block and produce the translated text and block
// reports. Nothing is written to disk here; the driver writes atomically once every
// source translated without errors.
#pragma once

#include "luminar/model/BlockReport.h"

#include <clang/Tooling/Tooling.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace luminar::frontend {

struct TranslateOptions {
  std::optional<model::ModeRequest> globalMode;  // --mode=…; per-block mode(...) wins
  unsigned maxBareMetalTasks = 16;               // --max-bare-metal-tasks
  bool lineDirectives = true;                    // --no-line-directives clears it
  bool checkOnly = false;                        // --check: analyse and diagnose, generate nothing
};

struct TranslationResult {
  std::string sourcePath;  // the main file as Clang opened it
  std::string output;      // the translated translation unit
  std::vector<model::BlockReport> blocks;
  bool failed = false;  // an error was reported: the output must not be written
};

class TranslationSession {
public:
  explicit TranslationSession(TranslateOptions options) : options_(std::move(options)) {}

  std::unique_ptr<clang::tooling::FrontendActionFactory> actionFactory();

  const TranslateOptions &options() const { return options_; }
  std::vector<TranslationResult> &results() { return results_; }

private:
  TranslateOptions options_;
  std::vector<TranslationResult> results_;
};

// Paths in metadata: relative to the working directory when the file lies below it.
std::string displayPath(const std::string &path);

}  // namespace luminar::frontend
