#include "SpawnLambda.h"

#include <algorithm>

namespace luminar::generators {

namespace {

bool contains(const std::vector<std::string> &names, const std::string &name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string captureList(const SpawnSite &site) {
  if (site.copyEveryLocal) {
    std::string captures = "=";
    for (const std::string &var : site.sharedVars) captures += ", &" + var;
    return captures;
  }
  std::string captures = "&";
  for (const std::string &var : site.copiedVars) {
    // A private variable is a local of the task: copying it as well would shadow a capture.
    if (contains(site.privateVars, var)) continue;
    captures += ", " + var;
  }
  return captures;
}

}  // namespace

void openSpawnLambda(CodeWriter &writer, const SpawnSite &site, const std::string &prefix) {
  writer.open(prefix + "[" + captureList(site) + "]() mutable {");
  for (const std::string &var : site.privateVars)
    writer.line("[[maybe_unused]] std::remove_reference_t<decltype(" + var + ")> " + var + "{};");
  writer.splice(site.statement);
}

}  // namespace luminar::generators
