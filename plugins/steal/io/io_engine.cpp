// Backend choice: the forced one, or io_uring falling back to epoll.
#include "backends.hpp"

#include <cstdlib>

namespace luminar_steal::io {

std::unique_ptr<IoEngine> make_io_engine(std::string_view choice, std::string &error) {
  if (choice == "uring") return make_uring_engine(error);
  if (choice == "epoll") return make_epoll_engine(error);
  if (!choice.empty()) {
    error = "unknown I/O backend '" + std::string(choice) + "' (expected uring or epoll)";
    return nullptr;
  }
  std::string uring_error;
  if (auto engine = make_uring_engine(uring_error)) return engine;
  auto engine = make_epoll_engine(error);
  if (!engine) error = uring_error + "; " + error;
  return engine;
}

std::unique_ptr<IoEngine> make_io_engine_from_environment(std::string &error) {
  const char *value = std::getenv("LUMINAR_IO_BACKEND");
  auto engine = make_io_engine(value != nullptr ? value : "", error);
  if (!engine && value != nullptr) error = "LUMINAR_IO_BACKEND=" + std::string(value) + ": " + error;
  return engine;
}

}  // namespace luminar_steal::io
