// A file that appears at its path complete or not at all: written to a temporary file in the
// same directory (rename is atomic only within one file system), flushed to disk, renamed.
#ifndef LUMINAR_STEAL_TRACE_ATOMIC_FILE_HPP
#define LUMINAR_STEAL_TRACE_ATOMIC_FILE_HPP

#include <cstdio>
#include <string>

namespace luminar_steal::trace {

class AtomicFile {
 public:
  // Creates the temporary file; on failure ok() is false and error() says why.
  explicit AtomicFile(std::string path);
  // Removes the temporary file unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  bool ok() const { return error_.empty(); }
  const std::string &error() const { return error_; }
  // Appends; the first failure is kept in error() and later appends do nothing.
  void append(const std::string &text);
  // Flushes, syncs and renames over the target. false (with error()) on any failure.
  bool commit();

 private:
  void fail(const char *what);

  std::string path_;
  std::string temp_path_;
  std::FILE *file_ = nullptr;
  bool committed_ = false;
  std::string error_;
};

}  // namespace luminar_steal::trace

#endif
