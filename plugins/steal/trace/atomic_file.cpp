// AtomicFile: temporary file + fsync + rename.
#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace luminar_steal::trace {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  std::vector<char> pattern(path_.begin(), path_.end());
  const char suffix[] = ".tmp.XXXXXX";
  pattern.insert(pattern.end(), suffix, suffix + sizeof suffix);  // with the terminating NUL
  const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) {
    fail("cannot create a temporary file for");
    return;
  }
  temp_path_ = pattern.data();
  ::fchmod(fd, 0644);  // mkostemp creates 0600; a trace is meant to be read by its user's tools
  file_ = ::fdopen(fd, "w");
  if (file_ == nullptr) {
    ::close(fd);
    fail("cannot open a stream for");
  }
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFile::fail(const char *what) {
  if (error_.empty()) error_ = std::string(what) + " '" + path_ + "': " + std::strerror(errno);
}

void AtomicFile::append(const std::string &text) {
  if (!ok()) return;
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail("cannot write");
}

bool AtomicFile::commit() {
  if (!ok()) return false;
  if (std::fflush(file_) != 0) {
    fail("cannot write");
    return false;
  }
  if (::fsync(::fileno(file_)) != 0) {
    fail("cannot sync");
    return false;
  }
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) {
    fail("cannot write");
    return false;
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    fail("cannot rename the temporary file to");
    return false;
  }
  committed_ = true;
  return true;
}

}  // namespace luminar_steal::trace
