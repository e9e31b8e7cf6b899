// plugins/steal/numa: the real topology of this machine and injected fake ones.
#include "numa/allocator.hpp"
#include "numa/placement.hpp"
#include "numa/topology.hpp"

#include <doctest/doctest.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

using namespace luminar_steal::numa;

namespace {

// The node holding the page at `p` (get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR)), or -errno.
int node_of_page(void *p) {
  constexpr unsigned long kNode = 1, kAddr = 2;  // MPOL_F_NODE, MPOL_F_ADDR
  int node = -1;
  if (::syscall(SYS_get_mempolicy, &node, nullptr, 0UL, p, kNode | kAddr) != 0) return -errno;
  return node;
}

// Workers per node in a placement; also checks each worker's CPUs are its node's.
std::map<int, int> load_per_node(const NumaTopology &topology, const std::vector<WorkerPlacement> &placement) {
  std::map<int, int> load;
  for (const auto &worker : placement) {
    ++load[worker.node];
    CHECK(worker.cpus == topology.cpus_of_node(worker.node));
  }
  return load;
}

}  // namespace

TEST_SUITE("numa") {

TEST_CASE("the real topology covers every CPU this process may use") {
  const NumaTopology topology = NumaTopology::detect();
  MESSAGE("topology: " << topology.describe());
  REQUIRE(topology.nodes() >= 1);
  cpu_set_t set;
  REQUIRE(::sched_getaffinity(0, sizeof set, &set) == 0);
  int allowed = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    ++allowed;
    const int node = topology.node_of_cpu(cpu);
    REQUIRE(node >= 0);
    REQUIRE(node < topology.nodes());
  }
  int listed = 0;
  for (int node = 0; node < topology.nodes(); ++node) listed += static_cast<int>(topology.cpus_of_node(node).size());
  CHECK(listed == allowed);
  CHECK(topology.node_of_cpu(-1) == -1);
  CHECK(topology.node_of_cpu(CPU_SETSIZE + 5) == -1);
  if (topology.nodes_with_cpus() == 1) CHECK(topology.describe().find("placement has no effect") != std::string::npos);
}

TEST_CASE("a fake topology answers node and CPU queries") {
  const NumaTopology topology({{4, 5, 6, 7}, {0, 1, 2, 3}});
  CHECK(topology.nodes() == 2);
  CHECK(topology.node_of_cpu(0) == 1);
  CHECK(topology.node_of_cpu(7) == 0);
  CHECK(topology.node_of_cpu(8) == -1);
  CHECK(topology.describe() == "2 NUMA nodes: 0: cpus 4-7; 1: cpus 0-3");
  CHECK(NumaTopology({{0, 1}}).describe() == "1 NUMA node: placement has no effect");
  CHECK(NumaTopology({{0, 2, 3}, {}}).describe() == "2 NUMA nodes: placement has no effect");
  // A CPU listed twice belongs to its first node.
  const NumaTopology overlapping({{0, 1}, {1, 2}});
  CHECK(overlapping.node_of_cpu(1) == 0);
  CHECK(overlapping.cpus_of_node(1) == std::vector<int>{2});
}

TEST_CASE("placement spreads 2, 4 and 16 workers evenly over 2 nodes of 4 CPUs") {
  const NumaTopology topology({{0, 1, 2, 3}, {4, 5, 6, 7}});
  for (unsigned workers : {2u, 4u, 16u}) {
    CAPTURE(workers);
    const auto placement = place_workers(topology, workers);
    REQUIRE(placement.size() == workers);
    const auto load = load_per_node(topology, placement);
    CHECK(load.at(0) == static_cast<int>(workers / 2));
    CHECK(load.at(1) == static_cast<int>(workers / 2));
    CHECK(placement[0].node != placement[1].node);  // neighbours alternate: round-robin
  }
  const auto odd = load_per_node(topology, place_workers(topology, 5));
  CHECK(odd.at(0) == 3);
  CHECK(odd.at(1) == 2);
  CHECK(place_workers(topology, 0).empty());
}

TEST_CASE("placement skips nodes without CPUs") {
  const NumaTopology topology({{0, 1}, {}, {2, 3}, {4}});
  const auto load = load_per_node(topology, place_workers(topology, 16));
  CHECK(load.count(1) == 0);
  CHECK(load.at(0) == 6);
  CHECK(load.at(2) == 5);
  CHECK(load.at(3) == 5);
  CHECK(place_workers(NumaTopology(std::vector<std::vector<int>>{{}}), 4).empty());
}

TEST_CASE("placement on the real topology, and pinning a thread to it") {
  const NumaTopology topology = NumaTopology::detect();
  for (unsigned workers : {2u, 4u, 16u}) {
    CAPTURE(workers);
    const auto placement = place_workers(topology, workers);
    REQUIRE(placement.size() == workers);
    const auto load = load_per_node(topology, placement);
    int least = static_cast<int>(workers), most = 0;
    for (const auto &entry : load) {
      least = std::min(least, entry.second);
      most = std::max(most, entry.second);
    }
    CHECK(static_cast<int>(load.size()) == std::min(topology.nodes_with_cpus(), static_cast<int>(workers)));
    CHECK(most - least <= 1);
  }
  const auto placement = place_workers(topology, 1);
  std::thread pinned([&] {
    REQUIRE(pin_current_thread(placement[0].cpus) == 0);
    cpu_set_t set;
    REQUIRE(::sched_getaffinity(0, sizeof set, &set) == 0);
    CHECK(CPU_COUNT(&set) == static_cast<int>(placement[0].cpus.size()));
    CHECK(topology.node_of_cpu(::sched_getcpu()) == placement[0].node);
  });
  pinned.join();
  CHECK(pin_current_thread({}) == -EINVAL);
  CHECK(pin_current_thread({-3}) == -EINVAL);
}

TEST_CASE("allocation on node 0 is usable, on node 0, and accounted") {
  const NumaTopology topology = NumaTopology::detect();
  for (bool aware : {true, false}) {
    CAPTURE(aware);
    NumaAllocator allocator(aware, topology.nodes());
    CHECK(allocator.numa_aware() == (aware && topology.available()));
    constexpr std::size_t kBytes = 1 << 20;
    auto *p = static_cast<unsigned char *>(allocator.allocate(kBytes, 0));
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
    std::memset(p, 0xab, kBytes);
    CHECK(p[kBytes - 1] == 0xab);
    CHECK(allocator.current_bytes() == kBytes);
    if (allocator.numa_aware()) {
      const int node = node_of_page(p);
      if (node >= 0) {
        CHECK(node == 0);
      } else {
        MESSAGE("get_mempolicy unavailable here (" << node << "): node not verified");
      }
    }
    void *small = allocator.allocate(0, -1);
    REQUIRE(small != nullptr);
    allocator.deallocate(p, kBytes);
    allocator.deallocate(small, 0);
    allocator.deallocate(nullptr, 123);
    CHECK(allocator.current_bytes() == 0);
    CHECK(allocator.peak_bytes() == kBytes);
  }
}

TEST_CASE("a node out of range falls back to any node and is counted") {
  const NumaTopology topology = NumaTopology::detect();
  NumaAllocator allocator(true, topology.nodes());
  auto *p = static_cast<char *>(allocator.allocate(4096, topology.nodes() + 7));
  REQUIRE(p != nullptr);
  std::memset(p, 1, 4096);
  CHECK(allocator.fallbacks() == (allocator.numa_aware() ? 1u : 0u));
  void *any = allocator.allocate(100, -1);  // "any node" is not a fallback
  REQUIRE(any != nullptr);
  CHECK(allocator.fallbacks() == (allocator.numa_aware() ? 1u : 0u));
  CHECK(allocator.current_bytes() == 4196);
  allocator.deallocate(p, 4096);
  allocator.deallocate(any, 100);
  CHECK(allocator.current_bytes() == 0);
}

TEST_CASE("accounting stays exact under concurrent allocation from 4 threads") {
  NumaAllocator allocator(true, NumaTopology::detect().nodes());
  constexpr int kThreads = 4, kRounds = 500;
  constexpr std::size_t kBytes = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        void *p = allocator.allocate(kBytes, t % 2);
        REQUIRE(p != nullptr);
        static_cast<char *>(p)[kBytes - 1] = 1;
        allocator.deallocate(p, kBytes);
      }
    });
  }
  for (auto &thread : threads) thread.join();
  CHECK(allocator.current_bytes() == 0);
  CHECK(allocator.peak_bytes() >= kBytes);
  CHECK(allocator.peak_bytes() <= kThreads * kBytes);
}

}  // TEST_SUITE
