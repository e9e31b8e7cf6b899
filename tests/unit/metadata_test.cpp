// The metadata writer: field names, order and the bare_metal / runtime_assisted split of
// SPEC §3.2.
#include "luminar/metadata/MetadataWriter.h"

#include <doctest/doctest.h>

using namespace luminar;

TEST_CASE("a bare-metal block has bare_metal and no runtime_assisted") {
  model::BlockReport b;
  b.id = "src/main.cpp:42:1";
  b.location = {"src/main.cpp", 42, 5};
  b.kind = model::PragmaKind::ParallelFor;
  b.bareMetal.threadCount = "4";
  b.bareMetal.reductions = {{"+", "sum"}};
  b.bareMetal.usesWorkPartitioning = true;
  auto j = metadata::blockToJson(b);
  CHECK(j["kind"] == "parallel_for");
  CHECK(j["mode"] == "bare_metal");
  CHECK(j["name"].is_null());
  CHECK(j["bare_metal"]["thread_count"] == "4");
  CHECK(j["bare_metal"]["reductions"][0]["var"] == "sum");
  CHECK_FALSE(j.contains("runtime_assisted"));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"id", "file", "line", "column", "kind", "name", "mode", "mode_source", "reasons",
                                         "required_features", "estimated_task_count", "is_cpu_bound", "is_io_bound",
                                         "error_strategy", "bare_metal", "warnings"});
}

TEST_CASE("a runtime-assisted block lists its reasons and features") {
  model::BlockReport b;
  b.kind = model::PragmaKind::Concurrent;
  b.mode = model::ConcurrencyMode::RuntimeAssisted;
  b.name = "pipeline";
  b.reasons.push_back({model::Feature::ChannelCommunication, {"a.cpp", 45, 9}, "uses luminar::channel<int> 'jobs'"});
  b.runtime.channelNames = {"jobs"};
  auto j = metadata::blockToJson(b);
  CHECK(j["name"] == "pipeline");
  CHECK(j["reasons"][0]["feature"] == "ChannelCommunication");
  CHECK(j["reasons"][0]["line"] == 45);
  CHECK(j["runtime_assisted"]["channel_names"][0] == "jobs");
  CHECK_FALSE(j.contains("bare_metal"));
  auto doc = metadata::metadataDocument({b}, "1.2.3");
  CHECK(doc["schema_version"] == 1);
  CHECK(doc["tool"]["version"] == "1.2.3");
  CHECK(doc["blocks"].size() == 1);
}
