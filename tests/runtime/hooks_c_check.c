/* <luminar/hooks.h> must be valid C: compiled as C11 with -pedantic -Werror. */
#include <luminar/hooks.h>

int main(void) {
  ConcurrencyHooks table = {0};
  table.abi_version = LUMINAR_ABI_VERSION;
  table.struct_size = (uint32_t)sizeof table;
  return table.select == NULL ? 0 : 1;
}
