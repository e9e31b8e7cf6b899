#include "OutputWriter.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

namespace luminar::driver {

std::string writeFileAtomically(const std::string &path, const std::string &content) {
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty()) dir = ".";
  llvm::SmallString<256> model(dir);
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(path).str() + ".luminar-%%%%%%");
  int fd = -1;
  llvm::SmallString<256> temp;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, temp))
    return "cannot create a temporary file in '" + std::string(dir) + "': " + ec.message();
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << content;
    out.close();
    if (out.has_error()) {
      llvm::sys::fs::remove(temp);
      return "cannot write '" + std::string(temp) + "': " + out.error().message();
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return "cannot rename '" + std::string(temp) + "' to '" + path + "': " + ec.message();
  }
  return {};
}

}  // namespace luminar::driver
