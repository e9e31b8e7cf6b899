// The `luminar` command line (SPEC §3), parsed and checked. Usage problems are reported
// here and make the tool exit with status 2.
#pragma once

#include "luminar/frontend/Translate.h"

#include <optional>
#include <string>
#include <vector>

namespace luminar::driver {

struct DriverOptions {
  std::vector<std::string> sources;
  std::vector<std::string> compilerArgs;  // after `--`
  bool hasCompilerArgs = false;           // `--` was given, even with nothing after it
  std::string buildDir;                   // -p
  std::string output;                     // -o
  std::string outputDir;                  // --output-dir
  bool inPlace = false;
  std::string metadata;
  frontend::TranslateOptions translate;
  std::string logLevel = "warn";
};

// Parses argv. On a usage error prints it and returns nullopt (exit 2); on --help or
// --version prints and exits 0 itself.
std::optional<DriverOptions> parseCommandLine(int argc, const char **argv);

}  // namespace luminar::driver
