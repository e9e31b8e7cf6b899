// Built when liburing is not installed: the io_uring backend reports that it is missing, and
// make_io_engine falls back to epoll.
#include "backends.hpp"

namespace luminar_steal::io {

std::unique_ptr<IoEngine> make_uring_engine(std::string &error) {
  error = "io_uring: the steal plugin was built without liburing";
  return nullptr;
}

}  // namespace luminar_steal::io
