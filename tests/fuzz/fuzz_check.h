// The fuzz targets' assertion: an invariant that fails aborts with what was
// broken (and the input, when given), so libFuzzer records the input as a
// crash.
#ifndef STRATA_TESTS_FUZZ_FUZZ_CHECK_H_
#define STRATA_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string_view>

// Aborts unless `ok`, printing `what` and `input`.
#define FUZZ_CHECK(ok, what, input)                                           \
  do {                                                                        \
    if (!(ok)) {                                                              \
      std::string_view fuzz_input_ = (input);                                 \
      std::fprintf(stderr, "%s: %s\ninput: %.*s\n", __FILE__, (what),         \
                   static_cast<int>(fuzz_input_.size()), fuzz_input_.data()); \
      std::abort();                                                           \
    }                                                                         \
  } while (false)

#endif  // STRATA_TESTS_FUZZ_FUZZ_CHECK_H_
