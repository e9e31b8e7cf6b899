/* Plugins with a broken table, one per BAD_PLUGIN_KIND: ABI version mismatch (1), a table
 * smaller than version 1 (2), required hooks left NULL (3). Written in C: this also checks
 * that <luminar/hooks.h> is valid C. */
#include <luminar/hooks.h>

static int32_t init(const LuminarRuntimeConfig *config, char *error, size_t error_size) {
  (void)config;
  (void)error;
  (void)error_size;
  return 0;
}

static void shutdown(void) {}

static ConcurrencyHooks table;

LUMINAR_PLUGIN_EXPORT const ConcurrencyHooks *luminar_plugin_entry(uint32_t host_abi_version) {
  (void)host_abi_version;
  table.abi_version = LUMINAR_ABI_VERSION;
  table.struct_size = sizeof(ConcurrencyHooks);
  table.init = init;
  table.shutdown = shutdown;
#if BAD_PLUGIN_KIND == 1
  table.abi_version = LUMINAR_ABI_VERSION + 1;
#elif BAD_PLUGIN_KIND == 2
  table.struct_size = (uint32_t)offsetof(ConcurrencyHooks, channel_create);
#endif
  return &table;
}
