// Values shared between threads: interning from many threads gives one name,
// and copying and dropping one shared value from many threads keeps its
// reference count right (run under make tsan too).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "strata/edn.h"
#include "strata/value.h"

namespace strata {
namespace {

constexpr int kThreads = 4;

TEST(ValueThreadsTest, ConcurrentInterningYieldsOneName) {
  std::vector<std::vector<const void*>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &seen] {
      for (int i = 0; i < 2000; ++i) {
        Value k = Value::Keyword("threads.test", "k" + std::to_string(i));
        seen[t].push_back(k.InternedId());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(seen[t], seen[0]);
  EXPECT_EQ(Value::Keyword("threads.test/k7").InternedId(), seen[0][7]);
}

TEST(ValueThreadsTest, SharedValueSurvivesConcurrentCopies) {
  Value shared = ReadEdn(
      "{:name \"a string longer than fourteen bytes\" :tags #{:a :b} "
      ":nested [1 2 {:x 10000000000000000000000N}]}");
  const std::string printed = PrintEdn(shared);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &shared, &printed, &mismatches] {
      for (int i = 0; i < 2000; ++i) {
        Value copy = shared;
        Value inner = *copy.Get(Value::Keyword("nested"));
        if (PrintEdn(copy) != printed || inner.Count() != 3) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0);
  EXPECT_EQ(PrintEdn(shared), printed);
}

}  // namespace
}  // namespace strata
