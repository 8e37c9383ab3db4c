// Test helpers for databases in storage.
#ifndef STRATA_TESTING_DURABLE_TEST_UTIL_H_
#define STRATA_TESTING_DURABLE_TEST_UTIL_H_

#include "transactor/durable_transactor.h"

namespace strata::testing {

// Tiny trees and thresholds, so that indexing jobs (and compactions) run
// all the time and each replaces segments of the last.
inline internal::DurableOptions TinyIndexing() {
  internal::DurableOptions options;
  options.index_threshold = 40;
  options.index_max = 400;
  options.tree.leaf_datoms = 8;
  options.tree.fanout = 4;
  options.cache_bytes = 32 << 10;
  return options;
}

}  // namespace strata::testing

#endif  // STRATA_TESTING_DURABLE_TEST_UTIL_H_
