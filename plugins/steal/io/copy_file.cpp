// copy_file: copy_file_range (in the kernel, possibly reflinked), then sendfile (in the
// kernel), then read/write through one buffer.
#include "io_engine.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace luminar_steal::io {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 30;  // per kernel call; the loop continues
constexpr std::size_t kBuffer = std::size_t{1} << 16;

// Errors that mean "this mechanism does not apply to these files", not "the copy failed".
bool unsupported(int error) {
  return error == EXDEV || error == ENOSYS || error == EINVAL || error == EOPNOTSUPP || error == EPERM;
}

// One step of `method`: bytes moved (0 at end of file) or -errno.
int64_t step(CopyMethod method, int in, int out, std::vector<char> &buffer) {
  for (;;) {
    ssize_t done = -1;
    switch (method) {
      case CopyMethod::copy_file_range:
        done = ::copy_file_range(in, nullptr, out, nullptr, kChunk, 0);
        break;
      case CopyMethod::sendfile:
        done = ::sendfile(out, in, nullptr, kChunk);
        break;
      case CopyMethod::read_write: {
        if (buffer.empty()) buffer.resize(kBuffer);
        done = ::read(in, buffer.data(), buffer.size());
        for (ssize_t written = 0; done > 0 && written < done;) {
          const ssize_t w = ::write(out, buffer.data() + written, static_cast<std::size_t>(done - written));
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) return -errno;
          written += w;
        }
        break;
      }
    }
    if (done >= 0) return done;
    if (errno != EINTR) return -errno;
  }
}

int64_t copy_open(int in, int out, CopyMethod method, CopyMethod *used) {
  std::vector<char> buffer;
  int64_t total = 0;
  for (;;) {
    const int64_t done = step(method, in, out, buffer);
    if (done < 0 && total == 0 && method != CopyMethod::read_write && unsupported(static_cast<int>(-done))) {
      method = method == CopyMethod::copy_file_range ? CopyMethod::sendfile : CopyMethod::read_write;
      continue;
    }
    if (done < 0) return done;
    if (used != nullptr) *used = method;
    if (done == 0) return total;
    total += done;
  }
}

}  // namespace

int64_t copy_file(const char *from, const char *to, CopyMethod first, CopyMethod *used) {
  const int in = ::open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0) return -errno;
  struct stat source;
  if (::fstat(in, &source) != 0) {
    const int error = errno;
    ::close(in);
    return -error;
  }
  if (S_ISDIR(source.st_mode)) {
    ::close(in);
    return -EISDIR;
  }
  // Not O_TRUNC: truncating before the identity check below would destroy `from` when both
  // name the same file.
  const int out = ::open(to, O_WRONLY | O_CREAT | O_CLOEXEC, source.st_mode & 0777);
  if (out < 0) {
    const int error = errno;
    ::close(in);
    return -error;
  }
  struct stat target;
  int64_t result;
  if (::fstat(out, &target) != 0) {
    result = -errno;
  } else if (target.st_dev == source.st_dev && target.st_ino == source.st_ino) {
    result = -EINVAL;
  } else if (::ftruncate(out, 0) != 0) {
    result = -errno;
  } else {
    result = copy_open(in, out, first, used);
  }
  ::close(in);
  if (::close(out) != 0 && result >= 0) result = -errno;
  return result;
}

}  // namespace luminar_steal::io
