// The memory index's persistent sorted set: building 1M elements through a
// builder (random and ascending), single persistent inserts, seeks, range
// counts and full scans, with 8-byte elements compared by value (uint64_t)
// and by pointer (a small datom-like record, as the index holds
// `const Datom*`). std::set rows are a baseline. Reports items/s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "index/persistent_sorted_set.h"

namespace {

using strata::internal::PersistentSortedSet;

constexpr size_t kN = 1000000;

struct U64Compare {
  int operator()(uint64_t a, uint64_t b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};
using U64Set = PersistentSortedSet<uint64_t, U64Compare>;

// A datom-shaped record, compared e, a, v, tx through a pointer.
struct Record {
  int64_t e;
  int64_t a;
  int64_t v;
  int64_t tx;
};
struct RecordCompare {
  static int Cmp(int64_t x, int64_t y) { return x < y ? -1 : (x > y ? 1 : 0); }
  int operator()(const Record* x, const Record* y) const {
    if (int c = Cmp(x->e, y->e)) return c;
    if (int c = Cmp(x->a, y->a)) return c;
    if (int c = Cmp(x->v, y->v)) return c;
    return Cmp(x->tx, y->tx);
  }
};
using RecordSet = PersistentSortedSet<const Record*, RecordCompare>;

const std::vector<uint64_t>& RandomKeys() {
  static const std::vector<uint64_t> kKeys = [] {
    std::mt19937_64 rng(42);
    std::vector<uint64_t> keys(kN);
    for (uint64_t& k : keys) k = rng();
    return keys;
  }();
  return kKeys;
}

// kN records in random order: 10 attributes for each of kN / 10 entities.
const std::vector<Record>& Records() {
  static const std::vector<Record> kRecords = [] {
    std::vector<Record> records;
    records.reserve(kN);
    for (size_t i = 0; i < kN; ++i) {
      records.push_back({static_cast<int64_t>(i / 10), static_cast<int64_t>(i % 10),
                         static_cast<int64_t>(i * 7919 % 100003), 1000});
    }
    std::shuffle(records.begin(), records.end(), std::mt19937_64(7));
    return records;
  }();
  return kRecords;
}

const U64Set& RandomSet() {
  static const U64Set kSet = [] {
    U64Set::Builder b;
    for (uint64_t k : RandomKeys()) b.Insert(k);
    return std::move(b).Build();
  }();
  return kSet;
}

void BM_BuilderInsertRandom(benchmark::State& state) {
  const std::vector<uint64_t>& keys = RandomKeys();
  for (auto _ : state) {
    U64Set::Builder b;
    for (uint64_t k : keys) b.Insert(k);
    U64Set s = std::move(b).Build();
    benchmark::DoNotOptimize(s.Size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_BuilderInsertRandom)->Unit(benchmark::kMillisecond);

void BM_BuilderInsertSorted(benchmark::State& state) {
  for (auto _ : state) {
    U64Set::Builder b;
    for (uint64_t k = 0; k < kN; ++k) b.Insert(k);
    U64Set s = std::move(b).Build();
    benchmark::DoNotOptimize(s.Size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_BuilderInsertSorted)->Unit(benchmark::kMillisecond);

void BM_BuilderInsertRandomRecords(benchmark::State& state) {
  const std::vector<Record>& records = Records();
  for (auto _ : state) {
    RecordSet::Builder b;
    for (const Record& r : records) b.Insert(&r);
    RecordSet s = std::move(b).Build();
    benchmark::DoNotOptimize(s.Size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_BuilderInsertRandomRecords)->Unit(benchmark::kMillisecond);

void BM_StdSetInsertRandom(benchmark::State& state) {
  const std::vector<uint64_t>& keys = RandomKeys();
  for (auto _ : state) {
    std::set<uint64_t> s;
    for (uint64_t k : keys) s.insert(k);
    benchmark::DoNotOptimize(s.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kN));
}
BENCHMARK(BM_StdSetInsertRandom)->Unit(benchmark::kMillisecond);

// One path copy per insert: a new version of a 1M set each time.
void BM_PersistentInsert(benchmark::State& state) {
  const U64Set& base = RandomSet();
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    U64Set next = base.Insert(rng());
    benchmark::DoNotOptimize(next.Size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PersistentInsert);

// A transaction of 20 datoms of one new entity into a 1M set: one builder,
// clustered inserts, one Build.
void BM_BuilderTransaction20(benchmark::State& state) {
  const U64Set& base = RandomSet();
  std::mt19937_64 rng(5);
  for (auto _ : state) {
    U64Set::Builder b(base);
    uint64_t start = rng();
    for (uint64_t i = 0; i < 20; ++i) b.Insert(start + i);
    U64Set next = std::move(b).Build();
    benchmark::DoNotOptimize(next.Size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 20));
}
BENCHMARK(BM_BuilderTransaction20);

void BM_LowerBound(benchmark::State& state) {
  const U64Set& s = RandomSet();
  std::mt19937_64 rng(11);
  for (auto _ : state) benchmark::DoNotOptimize(*s.LowerBound(rng() >> 1));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LowerBound);

void BM_LowerBoundRecords(benchmark::State& state) {
  static const RecordSet kSet = [] {
    RecordSet::Builder b;
    for (const Record& r : Records()) b.Insert(&r);
    return std::move(b).Build();
  }();
  std::mt19937_64 rng(13);
  for (auto _ : state) {
    const Record probe = {static_cast<int64_t>(rng() % (kN / 10)), 3, 0, 0};
    benchmark::DoNotOptimize(*kSet.LowerBound(&probe));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LowerBoundRecords);

void BM_CountRange(benchmark::State& state) {
  const U64Set& s = RandomSet();
  std::mt19937_64 rng(17);
  for (auto _ : state) {
    uint64_t a = rng();
    uint64_t b = rng();
    benchmark::DoNotOptimize(s.CountRange(std::min(a, b), std::max(a, b)));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_CountRange);

void BM_Iterate(benchmark::State& state) {
  const U64Set& s = RandomSet();
  for (auto _ : state) {
    uint64_t sum = 0;
    for (uint64_t x : s) sum += x;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.Size()));
}
BENCHMARK(BM_Iterate)->Unit(benchmark::kMillisecond);

void BM_IterateReverse(benchmark::State& state) {
  const U64Set& s = RandomSet();
  for (auto _ : state) {
    uint64_t sum = 0;
    for (auto it = s.end(); it != s.begin();) sum += *--it;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.Size()));
}
BENCHMARK(BM_IterateReverse)->Unit(benchmark::kMillisecond);

void BM_StdSetIterate(benchmark::State& state) {
  static const std::set<uint64_t> kSet(RandomKeys().begin(), RandomKeys().end());
  for (auto _ : state) {
    uint64_t sum = 0;
    for (uint64_t x : kSet) sum += x;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSet.size()));
}
BENCHMARK(BM_StdSetIterate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
