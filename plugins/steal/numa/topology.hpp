// The machine's NUMA nodes and the CPUs this process may run on in each.
//
// Invariants: `cpus_of_node_[n]` lists, in increasing order, the CPUs of node n that the
// process's affinity mask allows (it may be empty: memory-only nodes, or CPUs excluded by a
// cpuset); each CPU appears in at most one node; `node_of_cpu_` is the inverse map. There is
// always at least one node. Immutable after construction, so any thread may read it.
#ifndef LUMINAR_STEAL_NUMA_TOPOLOGY_HPP
#define LUMINAR_STEAL_NUMA_TOPOLOGY_HPP

#include <string>
#include <vector>

namespace luminar_steal::numa {

class NumaTopology {
 public:
  // The real machine through libnuma. Without kernel NUMA support (or without libnuma) it is
  // one node holding every allowed CPU, and available() is false.
  static NumaTopology detect();

  // A given layout, for tests and for machines described elsewhere: cpus_of_node[n] are the
  // CPUs of node n. An empty list gives one node with no CPUs.
  explicit NumaTopology(std::vector<std::vector<int>> cpus_of_node, bool available = true);

  // Whether the kernel's NUMA policy calls work here (node-local allocation can be asked for).
  bool available() const { return available_; }
  int nodes() const { return static_cast<int>(cpus_of_node_.size()); }
  // Nodes that have at least one allowed CPU: where workers can be placed.
  int nodes_with_cpus() const;
  // The node of `cpu`, or -1 for a CPU that is unknown or not allowed.
  int node_of_cpu(int cpu) const;
  const std::vector<int> &cpus_of_node(int node) const { return cpus_of_node_.at(static_cast<std::size_t>(node)); }
  // One line for logs and the metrics report, e.g. "2 NUMA nodes: 0: cpus 0-3; 1: cpus 4-7"
  // or "1 NUMA node: placement has no effect".
  std::string describe() const;

 private:
  std::vector<std::vector<int>> cpus_of_node_;
  std::vector<int> node_of_cpu_;  // indexed by CPU number; -1 where none
  bool available_;
};

}  // namespace luminar_steal::numa

#endif
