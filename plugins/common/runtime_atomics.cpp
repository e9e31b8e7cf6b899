#include "runtime_atomics.hpp"

#include <atomic>
#include <cstdint>
#include <cstring>

// Invariant: `bits` only ever holds values within `mask` (the low `size` bytes).
struct LuminarAtomic {
  std::size_t size;                 // 1, 2, 4 or 8 bytes
  std::uint64_t mask;               // the low `size` bytes
  std::atomic<std::uint64_t> bits;  // the value, zero-extended; seq_cst throughout (the ABI's promise)
};

namespace luminar_plugin {
namespace {

std::uint64_t read_bits(const LuminarAtomic *a, const void *from) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, from, a->size);  // little-endian: the low bytes
  return bits;
}

void write_bits(const LuminarAtomic *a, std::uint64_t bits, void *to) { std::memcpy(to, &bits, a->size); }

}  // namespace

LuminarAtomic *atomic_create(std::size_t size, const void *initial) {
  if (size != 1 && size != 2 && size != 4 && size != 8) return nullptr;
  auto *a = new LuminarAtomic{size, size == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1, {0}};
  a->bits.store(initial != nullptr ? read_bits(a, initial) : 0);
  return a;
}

void atomic_load(LuminarAtomic *a, void *result) { write_bits(a, a->bits.load(), result); }

void atomic_store(LuminarAtomic *a, const void *value) { a->bits.store(read_bits(a, value)); }

void atomic_add(LuminarAtomic *a, const void *operand, void *previous) {
  const std::uint64_t add = read_bits(a, operand);
  std::uint64_t seen = a->bits.load();
  while (!a->bits.compare_exchange_weak(seen, (seen + add) & a->mask)) {
  }
  if (previous != nullptr) write_bits(a, seen, previous);
}

int32_t atomic_compare_exchange(LuminarAtomic *a, void *expected, const void *desired) {
  std::uint64_t seen = read_bits(a, expected);
  const bool exchanged = a->bits.compare_exchange_strong(seen, read_bits(a, desired));
  if (!exchanged) write_bits(a, seen, expected);
  return exchanged ? 1 : 0;
}

void atomic_destroy(LuminarAtomic *a) { delete a; }

}  // namespace luminar_plugin
