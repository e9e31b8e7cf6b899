// Constructors of the concrete engines; make_io_engine chooses between them.
#ifndef LUMINAR_STEAL_IO_BACKENDS_HPP
#define LUMINAR_STEAL_IO_BACKENDS_HPP

#include "io_engine.hpp"

namespace luminar_steal::io {

// nullptr with the reason in `error` when the backend cannot start here.
std::unique_ptr<IoEngine> make_uring_engine(std::string &error);
std::unique_ptr<IoEngine> make_epoll_engine(std::string &error);

}  // namespace luminar_steal::io

#endif
