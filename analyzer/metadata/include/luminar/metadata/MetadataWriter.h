// Builds the ConcurrencyCodeMetadata document (SPEC §3.2, schema/metadata.schema.json)
// from the analyzer's block reports. Key order follows the spec so the file reads well.
#pragma once

#include "luminar/model/BlockReport.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace luminar::metadata {

nlohmann::ordered_json blockToJson(const model::BlockReport &block);
nlohmann::ordered_json metadataDocument(const std::vector<model::BlockReport> &blocks,
                                        const std::string &toolVersion);

}  // namespace luminar::metadata
