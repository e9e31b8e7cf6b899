// The runtime-atomics hooks of the ConcurrencyHooks table (the seed's AtomicHandle): values
// of 1, 2, 4 or 8 bytes holding unsigned integers, sequentially consistent, `add` wraps at
// the value's width. The same for every plugin, so every plugin's table points here.
#ifndef LUMINAR_PLUGIN_COMMON_RUNTIME_ATOMICS_HPP
#define LUMINAR_PLUGIN_COMMON_RUNTIME_ATOMICS_HPP

#include <luminar/hooks.h>

#include <cstddef>

namespace luminar_plugin {

// NULL for a size other than 1, 2, 4 or 8.
LuminarAtomic *atomic_create(std::size_t size, const void *initial);
void atomic_load(LuminarAtomic *a, void *result);
void atomic_store(LuminarAtomic *a, const void *value);
void atomic_add(LuminarAtomic *a, const void *operand, void *previous);
int32_t atomic_compare_exchange(LuminarAtomic *a, void *expected, const void *desired);
void atomic_destroy(LuminarAtomic *a);

// Points the six runtime-atomics entries of a plugin's table at the functions above.
inline void install_runtime_atomics(ConcurrencyHooks &t) {
  t.atomic_create = atomic_create;
  t.atomic_load = atomic_load;
  t.atomic_store = atomic_store;
  t.atomic_add = atomic_add;
  t.atomic_compare_exchange = atomic_compare_exchange;
  t.atomic_destroy = atomic_destroy;
}

}  // namespace luminar_plugin

#endif
