/* A shared library that is not a Luminar plugin: it lacks luminar_plugin_entry. */
#include <luminar/hooks.h>

LUMINAR_PLUGIN_EXPORT int luminar_not_the_entry(void) { return 1; }
