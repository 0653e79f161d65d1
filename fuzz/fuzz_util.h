// Small helpers shared by the fuzz targets (fuzz/README.md).
#pragma once

#include <cstdio>
#include <cstdlib>

// Reports a broken property and aborts, so libFuzzer (and the replay driver)
// record the input as a crash. Used instead of assert(), which NDEBUG removes.
#define FUZZ_CHECK(cond, what)                                                                    \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      std::fprintf(stderr, "%s:%d: property failed: %s (%s)\n", __FILE__, __LINE__, #cond, what); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (0)
