// NumaTopology: detection and queries (invariants in topology.hpp).
#include "topology.hpp"

#include "system.hpp"

#include <sched.h>

#include <algorithm>
#include <sstream>
#include <utility>

namespace luminar_steal::numa {
namespace {

// CPUs the calling thread may run on (cpusets in containers allow fewer than the machine has).
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

// "0-3,8,10-11"
std::string ranges(const std::vector<int> &cpus) {
  std::ostringstream out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (i > 0) out << ',';
    out << cpus[i];
    if (j > i) out << '-' << cpus[j];
    i = j + 1;
  }
  return out.str();
}

}  // namespace

NumaTopology NumaTopology::detect() {
  const std::vector<int> allowed = allowed_cpus();
  std::vector<std::vector<int>> nodes = system::node_cpus();
  if (nodes.empty()) return NumaTopology({allowed}, false);
  for (auto &cpus : nodes) {
    cpus.erase(std::remove_if(cpus.begin(), cpus.end(),
                              [&](int cpu) { return !std::binary_search(allowed.begin(), allowed.end(), cpu); }),
               cpus.end());
  }
  return NumaTopology(std::move(nodes), system::numa_supported());
}

NumaTopology::NumaTopology(std::vector<std::vector<int>> cpus_of_node, bool available)
    : cpus_of_node_(std::move(cpus_of_node)), available_(available) {
  if (cpus_of_node_.empty()) cpus_of_node_.emplace_back();
  for (std::size_t node = 0; node < cpus_of_node_.size(); ++node) {
    auto &cpus = cpus_of_node_[node];
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    // A CPU listed under two nodes stays with the first.
    cpus.erase(std::remove_if(cpus.begin(), cpus.end(),
                              [&](int cpu) {
                                return cpu < 0 || (static_cast<std::size_t>(cpu) < node_of_cpu_.size() &&
                                                   node_of_cpu_[static_cast<std::size_t>(cpu)] >= 0);
                              }),
               cpus.end());
    for (int cpu : cpus) {
      if (static_cast<std::size_t>(cpu) >= node_of_cpu_.size()) node_of_cpu_.resize(static_cast<std::size_t>(cpu) + 1, -1);
      node_of_cpu_[static_cast<std::size_t>(cpu)] = static_cast<int>(node);
    }
  }
}

int NumaTopology::nodes_with_cpus() const {
  return static_cast<int>(std::count_if(cpus_of_node_.begin(), cpus_of_node_.end(),
                                        [](const std::vector<int> &cpus) { return !cpus.empty(); }));
}

int NumaTopology::node_of_cpu(int cpu) const {
  if (cpu < 0 || static_cast<std::size_t>(cpu) >= node_of_cpu_.size()) return -1;
  return node_of_cpu_[static_cast<std::size_t>(cpu)];
}

std::string NumaTopology::describe() const {
  std::ostringstream out;
  if (nodes_with_cpus() <= 1) {
    out << nodes() << (nodes() == 1 ? " NUMA node" : " NUMA nodes") << ": placement has no effect";
    if (!available_) out << " (no kernel NUMA support)";
    return out.str();
  }
  out << nodes() << " NUMA nodes:";
  for (int node = 0; node < nodes(); ++node) {
    out << (node == 0 ? " " : "; ") << node << ": cpus " << (cpus_of_node(node).empty() ? "none" : ranges(cpus_of_node(node)));
  }
  return out.str();
}

}  // namespace luminar_steal::numa
