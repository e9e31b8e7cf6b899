// The support code put once before the first top-level declaration holding a pragma:
//   #line 1 "luminar/bare_metal.hpp"
//   <bare_metal.hpp, as embedded at build time; its include guard makes a later
//    #include <luminar/bare_metal.hpp> a no-op>
//   #include <luminar/errors.hpp>          (only when a block uses on_error(collect))
//   #include <luminar/luminar.hpp>         (only with runtime-assisted sites: link -lluminar)
//   inline std::mutex &luminar_critical_<name>() { … }   (one per named critical section)
//   #line <pragmaLine> "<file>"             (user code resumes on its own line)
// The accessors are inline functions with external linkage: every file of a program that
// names the same section shares one function, hence one static mutex.
#include "luminar/generators/BareMetalGenerator.h"
#include "luminar/generators/RuntimeGenerator.h"

#include "PreludeText.h"

#include <algorithm>

namespace luminar::generators {

std::string generatePrelude(const PreludeRequest &request) {
  const SiteContext &context = request.context;
  std::string out;
  if (context.lineDirectives) out += "#line 1 \"luminar/bare_metal.hpp\"\n";
  out += bareMetalHeaderText();
  if (!out.empty() && out.back() != '\n') out += '\n';
  if (request.needsErrorList) out += "#include <luminar/errors.hpp>\n";
  if (request.needsRuntime) out += std::string(kRuntimeInclude) + "\n";

  std::vector<std::string> names = request.criticalNames;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (!names.empty()) out += "// mutexes of the named critical sections (one per name in the whole program)\n";
  for (const std::string &name : names)
    out += "inline std::mutex &luminar_critical_" + name + "() { static std::mutex m; return m; }\n";

  if (context.lineDirectives)
    out += "#line " + std::to_string(context.pragmaLine) + " \"" + context.fileName + "\"\n";
  return out;
}

}  // namespace luminar::generators
