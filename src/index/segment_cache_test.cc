// The segment cache: hits, misses, evictions and bytes loaded in LRU
// order, the byte bound (a segment bigger than the cache is returned, not
// kept), a loader that throws caches nothing, and many threads at once.
#include "index/segment_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::Leaf;
using internal::Segment;
using internal::SegmentCache;
using internal::SegmentMemoryUsage;

Uuid Key(uint8_t n) {
  Uuid u;
  u.bytes[15] = n;
  return u;
}

// A leaf of `n` datoms.
std::shared_ptr<const Segment> LeafOf(size_t n) {
  Leaf leaf;
  for (size_t i = 0; i < n; ++i) {
    leaf.datoms.push_back(
        Datom{MakeEntityId(kPartUser, static_cast<int64_t>(i)), 10, L(1), TxFromT(1), true});
  }
  return std::make_shared<const Segment>(std::move(leaf));
}

TEST(SegmentCacheTest, HitsMissesAndLeastRecentlyUsedEviction) {
  size_t one = SegmentMemoryUsage(*LeafOf(10));
  SegmentCache cache(3 * one);
  int loads = 0;
  auto loader = [&loads] {
    ++loads;
    return LeafOf(10);
  };
  auto a = cache.Get(Key(1), loader);
  cache.Get(Key(2), loader);
  cache.Get(Key(3), loader);
  EXPECT_EQ(loads, 3);
  EXPECT_EQ(cache.Get(Key(1), loader), a);  // a hit, and 1 is now the newest
  EXPECT_EQ(loads, 3);
  cache.Get(Key(4), loader);  // evicts 2, the least recently used
  SegmentCache::Stats s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 4u);
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_EQ(s.entries, 3u);
  EXPECT_EQ(s.bytes, 3 * one);
  EXPECT_EQ(s.loaded_bytes, 4 * one);  // every load counts, kept or evicted since
  cache.Get(Key(1), loader);
  cache.Get(Key(3), loader);
  EXPECT_EQ(loads, 4);
  cache.Get(Key(2), loader);
  EXPECT_EQ(loads, 5);
}

TEST(SegmentCacheTest, TheByteBoundHolds) {
  size_t small = SegmentMemoryUsage(*LeafOf(1));
  size_t big = SegmentMemoryUsage(*LeafOf(100));
  EXPECT_GT(big, 50 * sizeof(Datom));
  SegmentCache cache(big - 1);
  // Too big to keep: returned every time, never kept.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(std::get<Leaf>(*cache.Get(Key(9), [] { return LeafOf(100); })).datoms.size(), 100u);
  EXPECT_EQ(cache.stats().misses, 3u);
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().loaded_bytes, 3 * big);
  for (uint8_t k = 0; k < 200; ++k) {
    cache.Get(Key(k), [] { return LeafOf(1); });
    EXPECT_LE(cache.stats().bytes, cache.capacity());
  }
  EXPECT_EQ(cache.stats().entries, (big - 1) / small);
  // Nothing at all with capacity 0.
  SegmentCache none(0);
  none.Get(Key(1), [] { return LeafOf(1); });
  none.Get(Key(1), [] { return LeafOf(1); });
  EXPECT_EQ(none.stats().misses, 2u);
  EXPECT_EQ(none.stats().bytes, 0u);
}

TEST(SegmentCacheTest, StringsCountTowardsTheSize) {
  Leaf leaf;
  leaf.datoms.push_back(Datom{1, 10, S(std::string(1000, 'x')), TxFromT(1), true});
  EXPECT_GE(SegmentMemoryUsage(Segment(leaf)), 1000 + sizeof(Datom));
}

TEST(SegmentCacheTest, ALoaderThatThrowsCachesNothing) {
  SegmentCache cache(1 << 20);
  EXPECT_TRUE(CatchAnomaly([&] {
    cache.Get(Key(1), []() -> std::shared_ptr<const Segment> { ThrowFault("segment damaged"); });
  }));
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(std::get<Leaf>(*cache.Get(Key(1), [] { return LeafOf(2); })).datoms.size(), 2u);
}

TEST(SegmentCacheTest, ManyThreadsAtOnce) {
  SegmentCache cache(20 * SegmentMemoryUsage(*LeafOf(4)));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &wrong, t] {
      for (int i = 0; i < 5000; ++i) {
        auto k = static_cast<uint8_t>((i * 7 + t) % 40);
        auto s = cache.Get(Key(k), [k] { return LeafOf(k % 5 + 1); });
        if (std::get<Leaf>(*s).datoms.size() != static_cast<size_t>(k % 5 + 1)) ++wrong;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong, 0);
  SegmentCache::Stats s = cache.stats();
  EXPECT_EQ(s.hits + s.misses, 20000u);
  EXPECT_LE(s.bytes, cache.capacity());
}

}  // namespace
}  // namespace strata::testing
