// What the ConcurrencyModeAnalyzer concluded about one block: the content of one entry of
// the ConcurrencyCodeMetadata JSON (SPEC §3.2), kept Clang-free so the metadata writer and
// its tests need no AST.
#pragma once

#include "luminar/model/Directive.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace luminar::model {

struct Location {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
};

enum class Feature {
  TaskScheduling, ChannelCommunication, ErrorPropagation, LoadBalancing, StreamProcessing,
  AsyncIO, Monitoring, Cancellation, Select, DynamicTaskCreation
};
const char *spelling(Feature feature);

enum class ConcurrencyMode { BareMetal, RuntimeAssisted };
enum class ModeSource { Analyzer, Clause, CommandLine };
const char *spelling(ConcurrencyMode mode);  // "bare_metal" / "runtime_assisted"
const char *spelling(ModeSource source);     // "analyzer" / "clause" / "command_line"

// One construct that needs the runtime, and where it is.
struct Reason {
  Feature feature;
  Location location;
  std::string detail;
};

struct LintWarning {
  Location location;
  std::string message;
};

struct BareMetalPlan {
  std::string threadCount;  // the expression the generated code uses
  std::vector<std::string> atomicVariables;
  std::vector<std::pair<std::string, std::string>> reductions;  // (op spelling, variable)
  ScheduleKind schedule = ScheduleKind::Static;
  bool usesWorkPartitioning = false;
};

struct RuntimePlan {
  std::vector<Feature> usedFeatures;
  std::vector<std::string> channelNames;
  std::vector<std::string> hookFunctions;
};

struct BlockReport {
  std::string id;  // "file:line:N", N = ordinal of the block among those starting on that line
  Location location;  // of the pragma's '#' or _Pragma
  PragmaKind kind = PragmaKind::Parallel;
  std::optional<std::string> name;
  ConcurrencyMode mode = ConcurrencyMode::BareMetal;
  ModeSource modeSource = ModeSource::Analyzer;
  std::vector<Reason> reasons;
  std::vector<Feature> requiredFeatures;
  std::uint64_t estimatedTaskCount = 0;
  bool cpuBound = true;
  bool ioBound = false;
  ErrorStrategy errorStrategy = ErrorStrategy::Stop;
  BareMetalPlan bareMetal;  // meaningful when mode == BareMetal
  RuntimePlan runtime;      // meaningful when mode == RuntimeAssisted
  std::vector<LintWarning> warnings;
};

}  // namespace luminar::model
