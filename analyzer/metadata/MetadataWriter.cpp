#include "luminar/metadata/MetadataWriter.h"

namespace luminar::metadata {
namespace {

using nlohmann::ordered_json;

ordered_json featureList(const std::vector<model::Feature> &features) {
  ordered_json list = ordered_json::array();
  for (model::Feature f : features) list.push_back(model::spelling(f));
  return list;
}

const char *kindSpelling(model::PragmaKind kind) {
  switch (kind) {
  case model::PragmaKind::ParallelFor: return "parallel_for";
  case model::PragmaKind::Concurrent: return "concurrent";
  default: return "parallel";
  }
}

}  // namespace

ordered_json blockToJson(const model::BlockReport &block) {
  ordered_json j;
  j["id"] = block.id;
  j["file"] = block.location.file;
  j["line"] = block.location.line;
  j["column"] = block.location.column;
  j["kind"] = kindSpelling(block.kind);
  j["name"] = block.name ? ordered_json(*block.name) : ordered_json(nullptr);
  j["mode"] = model::spelling(block.mode);
  j["mode_source"] = model::spelling(block.modeSource);
  ordered_json reasons = ordered_json::array();
  for (const model::Reason &r : block.reasons) {
    reasons.push_back({{"feature", model::spelling(r.feature)},
                       {"file", r.location.file},
                       {"line", r.location.line},
                       {"column", r.location.column},
                       {"detail", r.detail}});
  }
  j["reasons"] = std::move(reasons);
  j["required_features"] = featureList(block.requiredFeatures);
  j["estimated_task_count"] = block.estimatedTaskCount;
  j["is_cpu_bound"] = block.cpuBound;
  j["is_io_bound"] = block.ioBound;
  j["error_strategy"] = model::spelling(block.errorStrategy);
  if (block.mode == model::ConcurrencyMode::BareMetal) {
    const model::BareMetalPlan &plan = block.bareMetal;
    ordered_json reductions = ordered_json::array();
    for (const auto &[op, var] : plan.reductions) reductions.push_back({{"op", op}, {"var", var}});
    j["bare_metal"] = {{"thread_count", plan.threadCount},
                       {"atomic_variables", plan.atomicVariables},
                       {"reductions", std::move(reductions)},
                       {"schedule", model::spelling(plan.schedule)},
                       {"uses_work_partitioning", plan.usesWorkPartitioning}};
  } else {
    const model::RuntimePlan &plan = block.runtime;
    j["runtime_assisted"] = {{"used_features", featureList(plan.usedFeatures)},
                             {"channel_names", plan.channelNames},
                             {"hook_functions", plan.hookFunctions}};
  }
  ordered_json warnings = ordered_json::array();
  for (const model::LintWarning &w : block.warnings) {
    warnings.push_back({{"file", w.location.file},
                        {"line", w.location.line},
                        {"column", w.location.column},
                        {"message", w.message}});
  }
  j["warnings"] = std::move(warnings);
  return j;
}

ordered_json metadataDocument(const std::vector<model::BlockReport> &blocks,
                              const std::string &toolVersion) {
  ordered_json doc;
  doc["schema_version"] = 1;
  doc["tool"] = {{"name", "luminar"}, {"version", toolVersion}};
  ordered_json list = ordered_json::array();
  for (const model::BlockReport &b : blocks) list.push_back(blockToJson(b));
  doc["blocks"] = std::move(list);
  return doc;
}

}  // namespace luminar::metadata
