// The steal plugin's service modules (I/O, NUMA, tracing), tested without its scheduler.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
