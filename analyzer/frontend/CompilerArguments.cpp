#include "luminar/frontend/CompilerArguments.h"

#include <clang/Driver/Driver.h>
#include <clang/Driver/Options.h>
#include <llvm/Option/ArgList.h>
#include <llvm/Option/OptTable.h>
#include <spdlog/spdlog.h>

#include <set>

namespace luminar::frontend {

clang::tooling::ArgumentsAdjuster resourceDirAdjuster() {
  return [](const clang::tooling::CommandLineArguments &args, llvm::StringRef) {
    clang::tooling::CommandLineArguments out = args;
    for (const std::string &arg : args)
      if (arg == "-resource-dir" || llvm::StringRef(arg).startswith("-resource-dir=")) return out;
    if (out.empty()) return out;
    out.insert(out.begin() + 1, {"-resource-dir", LUMINAR_CLANG_RESOURCE_DIR});
    return out;
  };
}

clang::tooling::ArgumentsAdjuster unknownFlagFilter() {
  return [](const clang::tooling::CommandLineArguments &args, llvm::StringRef file) {
    if (args.size() < 2) return args;
    const llvm::opt::OptTable &table = clang::driver::getDriverOptTable();
    std::vector<const char *> argv;
    for (std::size_t i = 1; i < args.size(); ++i) argv.push_back(args[i].c_str());
    unsigned missingIndex = 0, missingCount = 0;
    llvm::opt::InputArgList parsed = table.ParseArgs(argv, missingIndex, missingCount);
    std::set<unsigned> drop;  // indices into args
    for (const llvm::opt::Arg *arg : parsed.filtered(clang::driver::options::OPT_UNKNOWN)) {
      drop.insert(arg->getIndex() + 1);
      spdlog::debug("{}: ignoring compiler option '{}' that Clang does not know", file.str(), arg->getAsString(parsed));
    }
    clang::tooling::CommandLineArguments out;
    for (std::size_t i = 0; i < args.size(); ++i)
      if (!drop.count(i)) out.push_back(args[i]);
    // GCC-only warning flags (-Wlogical-op) are known options to Clang's driver but
    // unknown warnings to its front end: keep quiet about them too.
    out.push_back("-Wno-unknown-warning-option");
    return out;
  };
}

}  // namespace luminar::frontend
