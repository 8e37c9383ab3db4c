// Tests of the persistent sorted set: properties against a std::set model
// (persistent edits, builder edits, every old version unchanged), structural
// sharing, heterogeneous seeks, one writer with concurrent readers, and the
// node memory per element.
#include "index/persistent_sorted_set.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

namespace strata::internal {
namespace {

struct IntCompare {
  int operator()(int a, int b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};
struct U64Compare {
  int operator()(uint64_t a, uint64_t b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};

using SmallSet = PersistentSortedSet<int, IntCompare, 4>;   // Deep trees.
using OddSet = PersistentSortedSet<int, IntCompare, 3, 5>;  // Odd capacities.
using DefaultSet = PersistentSortedSet<int, IntCompare>;    // 64 / 64.
using PointerSizedSet = PersistentSortedSet<uint64_t, U64Compare>;

static_assert(std::bidirectional_iterator<SmallSet::Iterator>);
static_assert(sizeof(SmallSet::Iterator) == 40);
static_assert(sizeof(DefaultSet) == 16);

// One step of a random edit sequence.
enum class OpKind { kInsert, kErase, kInsertRun, kEraseRun, kBuild, kInsertSorted };
struct Op {
  OpKind kind = OpKind::kInsert;
  int value = 0;
  int len = 0;  // Runs: value, value + 1, ... value + len - 1.
  int lo = 0;   // A range to count.
  int hi = 0;
  uint32_t seed = 0;  // Picks probe keys.
};

// rapidcheck finds showValue by this exact name.
void showValue(const Op& op, std::ostream& os) {  // NOLINT(readability-identifier-naming)
  static const char* const kNames[] = {"insert",    "erase", "insert-run",
                                       "erase-run", "build", "insert-sorted"};
  os << kNames[static_cast<int>(op.kind)] << " " << op.value;
  if (op.kind == OpKind::kInsertRun || op.kind == OpKind::kEraseRun) os << " x" << op.len;
  if (op.kind == OpKind::kInsertSorted) os << " x" << op.len << " seed " << op.seed;
}

// Values in [0, domain); runs up to max_run long.
rc::Gen<std::vector<Op>> GenOps(int domain, int max_run) {
  return rc::gen::container<std::vector<Op>>(rc::gen::apply(
      [](int kind, int value, int len, int lo, int hi, uint32_t seed) {
        Op op;
        op.kind = static_cast<OpKind>(kind);
        op.value = value;
        op.len = len;
        op.lo = lo;
        op.hi = hi;
        op.seed = seed;
        return op;
      },
      rc::gen::weightedElement<int>({{4, 0}, {3, 1}, {2, 2}, {2, 3}, {1, 4}, {2, 5}}),
      rc::gen::inRange(0, domain), rc::gen::inRange(1, max_run + 1),
      rc::gen::inRange(-1, domain + 1), rc::gen::inRange(-1, domain + 1),
      rc::gen::arbitrary<uint32_t>()));
}

template <typename Set>
std::vector<int> Contents(const Set& s) {
  return std::vector<int>(s.begin(), s.end());
}

// Contents, size, order both ways and structure.
template <typename Set>
void CheckContents(const Set& s, const std::set<int>& model) {
  RC_ASSERT(s.Validate() == std::string());
  RC_ASSERT(s.Size() == model.size());
  RC_ASSERT(s.Empty() == model.empty());
  RC_ASSERT(Contents(s) == std::vector<int>(model.begin(), model.end()));
  std::vector<int> backwards;
  for (auto it = s.end(); it != s.begin();) backwards.push_back(*--it);
  RC_ASSERT(backwards == std::vector<int>(model.rbegin(), model.rend()));
  RC_ASSERT(std::vector<int>(s.rbegin(), s.rend()) == backwards);
}

// Seeks and counts for the keys an op names and a few random ones.
template <typename Set>
void CheckSeeks(const Set& s, const std::set<int>& model, const Op& op, int domain) {
  const std::vector<int> sorted(model.begin(), model.end());
  std::minstd_rand rng(op.seed | 1u);
  std::vector<int> probes = {op.value - 1, op.value, op.value + 1, op.value + op.len,
                             op.lo,        op.hi,    -1,           domain};
  for (int i = 0; i < 8; ++i) probes.push_back(static_cast<int>(rng() % (domain + 2)) - 1);
  for (int key : probes) {
    const size_t lower = std::lower_bound(sorted.begin(), sorted.end(), key) - sorted.begin();
    const size_t upper = std::upper_bound(sorted.begin(), sorted.end(), key) - sorted.begin();
    for (int upper_bound = 0; upper_bound < 2; ++upper_bound) {
      const size_t want = upper_bound ? upper : lower;
      auto it = upper_bound ? s.UpperBound(key) : s.LowerBound(key);
      RC_ASSERT(it.rank() == want);
      RC_ASSERT((it == s.end()) == (want == sorted.size()));
      if (want < sorted.size()) RC_ASSERT(*it == sorted[want]);
      if (want > 0) {  // Step back across leaves, and forward again.
        auto prev = it;
        --prev;
        RC_ASSERT(*prev == sorted[want - 1]);
        ++prev;
        RC_ASSERT(prev == it);
      }
    }
    RC_ASSERT(s.CountLess(key, IntCompare()) == lower);
    RC_ASSERT(s.Contains(key) == (model.count(key) > 0));
    RC_ASSERT((s.Find(key) != s.end()) == (model.count(key) > 0));
  }
  const size_t lo = std::lower_bound(sorted.begin(), sorted.end(), op.lo) - sorted.begin();
  const size_t hi = std::lower_bound(sorted.begin(), sorted.end(), op.hi) - sorted.begin();
  const size_t want = hi > lo ? hi - lo : 0;
  RC_ASSERT(s.CountRange(op.lo, op.hi) == want);
  RC_ASSERT(s.CountRange(s.LowerBound(op.lo), op.hi) == want);
  const size_t nth = op.seed % (sorted.size() + 1);
  auto it = s.Nth(nth);
  RC_ASSERT(it.rank() == nth);
  if (nth < sorted.size()) RC_ASSERT(*it == sorted[nth]);
}

// The batch of an insert-sorted op, ascending: a run from op.value (as new
// entities' datoms append) for an odd seed, else op.len values scattered
// over the domain, some of them present already.
std::vector<int> SortedBatch(const Op& op, int domain) {
  std::set<int> batch;
  if (op.seed % 2 == 1) {
    for (int v = op.value; v < op.value + op.len * 4; ++v) batch.insert(v);
  } else {
    std::minstd_rand rng(op.seed | 1u);
    for (int i = 0; i < op.len * 4; ++i) batch.insert(static_cast<int>(rng() % domain));
  }
  return {batch.begin(), batch.end()};
}

// Applies op to the model; returns how many elements it added or removed.
size_t ApplyToModel(const Op& op, std::set<int>* model, int domain) {
  size_t changed = 0;
  if (op.kind == OpKind::kInsertSorted) {
    for (int v : SortedBatch(op, domain)) changed += model->insert(v).second ? 1 : 0;
    return changed;
  }
  const int len = op.kind == OpKind::kInsertRun || op.kind == OpKind::kEraseRun ? op.len : 1;
  for (int v = op.value; v < op.value + len; ++v) {
    if (op.kind == OpKind::kInsert || op.kind == OpKind::kInsertRun) {
      changed += model->insert(v).second ? 1 : 0;
    } else if (op.kind == OpKind::kErase || op.kind == OpKind::kEraseRun) {
      changed += model->erase(v);
    }
  }
  return changed;
}

// Persistent Insert/Erase: every step checked, and every version kept and
// checked again at the end.
template <typename Set>
void CheckPersistentOps(const std::vector<Op>& ops, int domain, size_t check_every) {
  std::vector<Set> versions = {Set()};
  std::vector<std::set<int>> models = {{}};
  for (size_t step = 0; step < ops.size(); ++step) {
    const Op& op = ops[step];
    Set s = versions.back();
    std::set<int> model = models.back();
    if (op.kind == OpKind::kInsertSorted) {
      std::vector<int> batch = SortedBatch(op, domain);
      typename Set::Builder builder(s);
      size_t want = ApplyToModel(op, &model, domain);
      RC_ASSERT(builder.InsertSorted(batch) == want);
      s = std::move(builder).Build();
    }
    const int len = op.kind == OpKind::kInsertRun || op.kind == OpKind::kEraseRun ? op.len : 1;
    for (int v = op.value; v < op.value + len; ++v) {
      bool changed = false;
      if (op.kind == OpKind::kInsert || op.kind == OpKind::kInsertRun) {
        s = s.Insert(v, &changed);
        RC_ASSERT(changed == model.insert(v).second);
      } else if (op.kind == OpKind::kErase || op.kind == OpKind::kEraseRun) {
        s = s.Erase(v, &changed);
        RC_ASSERT(changed == (model.erase(v) == 1));
      }
    }
    if (step % check_every == 0 || step + 1 == ops.size()) {
      CheckContents(s, model);
      CheckSeeks(s, model, op, domain);
    }
    versions.push_back(std::move(s));
    models.push_back(std::move(model));
  }
  for (size_t i = 0; i < versions.size(); ++i) {
    RC_ASSERT(versions[i].Validate() == std::string());
    RC_ASSERT(Contents(versions[i]) == std::vector<int>(models[i].begin(), models[i].end()));
  }
}

// Builder edits on top of a shared base set: Build() snapshots are checked
// when taken and again at the end, and the base never changes.
template <typename Set>
void CheckBuilderOps(const std::vector<Op>& base_ops, const std::vector<Op>& ops, int domain,
                     size_t check_every) {
  typename Set::Builder base_builder;
  std::set<int> base_model;
  for (const Op& op : base_ops) {
    const int len = op.kind == OpKind::kInsertRun || op.kind == OpKind::kEraseRun ? op.len : 1;
    if (op.kind == OpKind::kInsertSorted) {
      base_builder.InsertSorted(SortedBatch(op, domain));
      continue;
    }
    for (int v = op.value; v < op.value + len; ++v) {
      if (op.kind == OpKind::kErase || op.kind == OpKind::kEraseRun) {
        base_builder.Erase(v);
      } else {
        base_builder.Insert(v);
      }
    }
  }
  for (const Op& op : base_ops) {
    Op as_edit = op;
    if (op.kind == OpKind::kBuild) as_edit.kind = OpKind::kInsert;
    ApplyToModel(as_edit, &base_model, domain);
  }
  const Set base = base_builder.Build();
  CheckContents(base, base_model);

  typename Set::Builder builder(base);
  std::set<int> model = base_model;
  std::vector<Set> versions;
  std::vector<std::set<int>> models;
  for (size_t step = 0; step < ops.size(); ++step) {
    const Op& op = ops[step];
    if (op.kind == OpKind::kInsertSorted) {
      std::vector<int> batch = SortedBatch(op, domain);
      size_t want = ApplyToModel(op, &model, domain);
      RC_ASSERT(builder.InsertSorted(batch) == want);
      RC_ASSERT(builder.Size() == model.size());
    }
    const int len = op.kind == OpKind::kInsertRun || op.kind == OpKind::kEraseRun ? op.len : 1;
    for (int v = op.value; v < op.value + len; ++v) {
      if (op.kind == OpKind::kInsert || op.kind == OpKind::kInsertRun) {
        RC_ASSERT(builder.Insert(v) == model.insert(v).second);
      } else if (op.kind == OpKind::kErase || op.kind == OpKind::kEraseRun) {
        RC_ASSERT(builder.Erase(v) == (model.erase(v) == 1));
      }
      RC_ASSERT(builder.Size() == model.size());
    }
    RC_ASSERT(builder.Contains(op.value) == (model.count(op.value) > 0));
    if (op.kind == OpKind::kBuild || step % check_every == 0) {
      versions.push_back(builder.Build());
      models.push_back(model);
      CheckContents(versions.back(), model);
      CheckSeeks(versions.back(), model, op, domain);
    }
  }
  Set last = std::move(builder).Build();
  CheckContents(last, model);
  for (size_t i = 0; i < versions.size(); ++i) {
    RC_ASSERT(versions[i].Validate() == std::string());
    RC_ASSERT(Contents(versions[i]) == std::vector<int>(models[i].begin(), models[i].end()));
  }
  CheckContents(base, base_model);
}

RC_GTEST_PROP(PersistentSortedSetProperty, PersistentEditsMatchModelSmallNodes, ()) {
  CheckPersistentOps<SmallSet>(*GenOps(200, 20), 200, 1);
}

RC_GTEST_PROP(PersistentSortedSetProperty, PersistentEditsMatchModelOddNodes, ()) {
  CheckPersistentOps<OddSet>(*GenOps(150, 12), 150, 1);
}

RC_GTEST_PROP(PersistentSortedSetProperty, PersistentEditsMatchModelDefaultNodes, ()) {
  CheckPersistentOps<DefaultSet>(*GenOps(6000, 400), 6000, 8);
}

RC_GTEST_PROP(PersistentSortedSetProperty, BuilderEditsMatchModelSmallNodes, ()) {
  CheckBuilderOps<SmallSet>(*GenOps(200, 30), *GenOps(200, 20), 200, 4);
}

RC_GTEST_PROP(PersistentSortedSetProperty, BuilderEditsMatchModelOddNodes, ()) {
  CheckBuilderOps<OddSet>(*GenOps(150, 20), *GenOps(150, 12), 150, 4);
}

RC_GTEST_PROP(PersistentSortedSetProperty, BuilderEditsMatchModelDefaultNodes, ()) {
  CheckBuilderOps<DefaultSet>(*GenOps(6000, 600), *GenOps(6000, 400), 6000, 16);
}

TEST(PersistentSortedSet, EmptySet) {
  SmallSet s;
  EXPECT_EQ(s.Size(), 0u);
  EXPECT_TRUE(s.Empty());
  EXPECT_EQ(s.begin(), s.end());
  EXPECT_EQ(s.rbegin(), s.rend());
  EXPECT_EQ(s.LowerBound(3), s.end());
  EXPECT_EQ(s.UpperBound(3), s.end());
  EXPECT_EQ(s.CountRange(0, 100), 0u);
  EXPECT_EQ(s.Height(), 0u);
  EXPECT_EQ(s.MemoryUsage(), 0u);
  bool erased = true;
  SmallSet t = s.Erase(1, &erased);
  EXPECT_FALSE(erased);
  EXPECT_TRUE(t.Empty());
  EXPECT_EQ(s.Validate(), "");
}

// SeekInLeaf moves an iterator on within its leaf, as LowerBound would
// place it, and refuses a key beyond the leaf.
TEST(PersistentSortedSet, SeekInLeafAgreesWithLowerBound) {
  SmallSet::Builder builder;
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(builder.Insert(2 * i));  // even numbers
  SmallSet s = builder.Build();
  IntCompare cmp;
  for (int from = 0; from < 1000; from += 7) {
    for (int key = from; key < from + 40; ++key) {
      SmallSet::Iterator it = s.LowerBound(from);
      SmallSet::Iterator want = s.LowerBound(key);
      if (s.SeekInLeaf(&it, key, cmp)) {
        EXPECT_EQ(it, want) << from << " -> " << key;
        EXPECT_EQ(it.rank(), want.rank());
        if (it != s.end()) {
          EXPECT_EQ(*it, *want);
        }
      } else {
        // Refused: the key is past the leaf's last element; it is unchanged.
        EXPECT_EQ(it, s.LowerBound(from));
        EXPECT_GT(key, from);
      }
    }
  }
}

TEST(PersistentSortedSet, AscendingDescendingAndInterleaved) {
  SmallSet::Builder up;
  SmallSet::Builder down;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(up.Insert(i));
    EXPECT_TRUE(down.Insert(999 - i));
  }
  SmallSet a = up.Build();
  SmallSet b = down.Build();
  ASSERT_EQ(a.Validate(), "");
  ASSERT_EQ(b.Validate(), "");
  std::vector<int> want(1000);
  for (int i = 0; i < 1000; ++i) want[i] = i;
  EXPECT_EQ(Contents(a), want);
  EXPECT_EQ(Contents(b), want);
  // Erase every other element, then the rest: merges all the way down.
  for (int i = 0; i < 1000; i += 2) EXPECT_TRUE(up.Erase(i));
  ASSERT_EQ(up.Build().Validate(), "");
  EXPECT_EQ(up.Size(), 500u);
  for (int i = 1; i < 1000; i += 2) EXPECT_TRUE(up.Erase(i));
  EXPECT_FALSE(up.Erase(1));
  EXPECT_TRUE(up.Empty());
  EXPECT_EQ(up.Build().Height(), 0u);
  EXPECT_EQ(Contents(a), want);  // The built version is untouched.
}

TEST(PersistentSortedSet, AscendingInsertsFillLeaves) {
  PointerSizedSet::Builder b;
  for (uint64_t i = 0; i < 64 * 100; ++i) b.Insert(i);
  PointerSizedSet s = b.Build();
  size_t leaves = 0;
  size_t nodes = 0;
  s.ForEachNode([&](const void*, size_t bytes) {
    ++nodes;
    leaves += bytes < 600 ? 1 : 0;  // A leaf is 520 bytes, a branch 1,544.
  });
  EXPECT_EQ(leaves, 100u);
  EXPECT_LE(nodes, 104u);
}

// Elements equal under the comparator: the first one inserted stays.
struct Entry {
  int key;
  int payload;
};
struct EntryCompare {
  int operator()(const Entry& a, const Entry& b) const { return IntCompare()(a.key, b.key); }
};

TEST(PersistentSortedSet, InsertOfEqualElementKeepsTheExistingOne) {
  using EntrySet = PersistentSortedSet<Entry, EntryCompare, 4>;
  EntrySet s;
  for (int i = 0; i < 20; ++i) s = s.Insert({i, i * 10});
  bool added = true;
  EntrySet t = s.Insert({7, -1}, &added);
  EXPECT_FALSE(added);
  EXPECT_EQ(t.Find({7, 0})->payload, 70);
  EntrySet::Builder b(t);
  EXPECT_FALSE(b.Insert({0, -1}));
  EXPECT_EQ(b.Build().Find({0, 0})->payload, 0);
  EXPECT_EQ(t.Size(), 20u);
}

// Elements [entity attribute] packed in a uint64_t; a partial key names
// only the entity, as an index seek to "entity 42, any attribute".
uint64_t EntityAttr(uint32_t e, uint32_t a) { return (uint64_t{e} << 32) | a; }
struct EntityKeyCompare {
  int operator()(uint64_t element, uint32_t entity) const {
    uint32_t e = static_cast<uint32_t>(element >> 32);
    return e < entity ? -1 : (e > entity ? 1 : 0);
  }
};

TEST(PersistentSortedSet, HeterogeneousSeekWithPartialKey) {
  using Set = PersistentSortedSet<uint64_t, U64Compare, 4>;
  Set::Builder b;
  for (uint32_t e = 10; e < 60; e += 2) {
    for (uint32_t a = 0; a < e % 7; ++a) b.Insert(EntityAttr(e, a));
  }
  Set s = b.Build();
  std::vector<uint64_t> all(s.begin(), s.end());
  for (uint32_t e = 0; e < 70; ++e) {
    auto first = s.LowerBound(e, EntityKeyCompare());
    auto past = s.UpperBound(e, EntityKeyCompare());
    std::vector<uint64_t> got(first, past);
    std::vector<uint64_t> want;
    for (uint64_t x : all) {
      if (x >> 32 == e) want.push_back(x);
    }
    EXPECT_EQ(got, want) << "entity " << e;
    EXPECT_EQ(s.CountRange(e, e + 1, EntityKeyCompare()), want.size());
    EXPECT_EQ(s.CountRange(first, e + 1, EntityKeyCompare()), want.size());
    const size_t before =
        std::count_if(all.begin(), all.end(), [e](uint64_t x) { return x >> 32 < e; });
    EXPECT_EQ(s.CountLess(e, EntityKeyCompare()), before);
  }
  EXPECT_EQ(s.CountRange(40, 20, EntityKeyCompare()), 0u);
}

TEST(PersistentSortedSet, BuilderOnSharedSetLeavesTheOriginal) {
  SmallSet::Builder b0;
  for (int i = 0; i < 300; ++i) b0.Insert(i * 3);
  const SmallSet original = b0.Build();
  const std::vector<int> before = Contents(original);
  SmallSet::Builder b(original);
  for (int i = 0; i < 300; ++i) b.Insert(i * 3 + 1);
  for (int i = 0; i < 300; i += 2) b.Erase(i * 3);
  SmallSet edited = b.Build();
  EXPECT_EQ(Contents(original), before);
  EXPECT_EQ(original.Validate(), "");
  EXPECT_EQ(edited.Size(), 450u);
  // Later edits through the same builder leave the built set alone too.
  const std::vector<int> built = Contents(edited);
  for (int i = 0; i < 900; ++i) b.Erase(i);
  EXPECT_TRUE(b.Empty());
  EXPECT_EQ(Contents(edited), built);
  EXPECT_EQ(Contents(original), before);
  EXPECT_EQ(edited.Validate(), "");
}

TEST(PersistentSortedSet, MovingTheLastHolderIntoABuilderEditsInPlace) {
  SmallSet::Builder b0;
  for (int i = 0; i < 100; ++i) b0.Insert(i);
  SmallSet s = std::move(b0).Build();
  std::unordered_set<const void*> nodes;
  s.ForEachNode([&](const void* node, size_t) { nodes.insert(node); });
  SmallSet::Builder b(std::move(s));
  b.Erase(50);  // Room in the leaf: no split, no copy.
  b.Insert(50);
  SmallSet t = b.Build();
  size_t fresh = 0;
  t.ForEachNode([&](const void* node, size_t) { fresh += nodes.count(node) ? 0 : 1; });
  EXPECT_EQ(fresh, 0u);
  EXPECT_EQ(t.Size(), 100u);
}

// The nodes of `next` that are not nodes of `base`.
template <typename Set>
size_t NewNodes(const Set& base, const Set& next) {
  std::unordered_set<const void*> old_nodes;
  base.ForEachNode([&](const void* node, size_t) { old_nodes.insert(node); });
  size_t fresh = 0;
  next.ForEachNode([&](const void* node, size_t) { fresh += old_nodes.count(node) ? 0 : 1; });
  return fresh;
}

TEST(PersistentSortedSet, EditsShareAllButTheChangedPaths) {
  using Set = PersistentSortedSet<int, IntCompare, 16>;
  Set::Builder b;
  for (int i = 0; i < 100000; i += 2) b.Insert(i);
  const Set base = b.Build();
  const size_t height = base.Height();
  EXPECT_EQ(height, 5u);
  // One persistent insert copies one path (plus a split or two).
  Set one = base.Insert(50001);
  EXPECT_LE(NewNodes(base, one), height + 2);
  Set gone = base.Erase(50000);
  EXPECT_LE(NewNodes(base, gone), height + 2);
  // 100 clustered edits in one builder copy each node at most once.
  Set::Builder clustered(base);
  for (int i = 0; i < 100; ++i) clustered.Insert(60001 + 2 * i);
  const size_t clustered_new = NewNodes(base, clustered.Build());
  EXPECT_LE(clustered_new, 40u);
  // 100 spread-out edits copy about a path each.
  Set::Builder spread(base);
  for (int i = 0; i < 100; ++i) spread.Insert(1 + 998 * i);
  const size_t spread_new = NewNodes(base, spread.Build());
  EXPECT_LE(spread_new, 100 * height);
  EXPECT_GT(spread_new, clustered_new);
  std::printf(
      "new nodes for 100 inserts into 50,000 (leaf 16, height %zu): clustered %zu, "
      "spread %zu\n",
      height, clustered_new, spread_new);
}

// Leaves a set's nodes: leaves, and elements per leaf on average.
template <typename Set>
std::pair<size_t, double> LeafFill(const Set& s) {
  size_t leaves = 0;
  s.ForEachNode([&](const void*, size_t bytes) { leaves += bytes < 600 ? 1 : 0; });
  return {leaves, leaves == 0 ? 0.0 : static_cast<double>(s.Size()) / static_cast<double>(leaves)};
}

TEST(PersistentSortedSet, InsertSortedBuildsFullLeaves) {
  std::vector<uint64_t> batch(64 * 100 + 5);
  for (size_t i = 0; i < batch.size(); ++i) batch[i] = 2 * i;
  PointerSizedSet::Builder b;
  EXPECT_EQ(b.InsertSorted(batch), batch.size());
  PointerSizedSet s = b.Build();
  ASSERT_EQ(s.Validate(), "");
  EXPECT_EQ(std::vector<uint64_t>(s.begin(), s.end()), batch);
  EXPECT_EQ(LeafFill(s).first, 101u);
  // A run after the last element fills the last leaf, then new full ones.
  std::vector<uint64_t> more(64 * 50);
  for (size_t i = 0; i < more.size(); ++i) more[i] = 2 * batch.size() + i;
  PointerSizedSet::Builder b2(s);
  EXPECT_EQ(b2.InsertSorted(more), more.size());
  PointerSizedSet t = b2.Build();
  ASSERT_EQ(t.Validate(), "");
  EXPECT_EQ(LeafFill(t).first, 151u);
  EXPECT_EQ(std::vector<uint64_t>(s.begin(), s.end()), batch);  // s is unchanged
}

TEST(PersistentSortedSet, InsertSortedSharesUntouchedNodesAndKeepsPresentElements) {
  using Set = PersistentSortedSet<int, IntCompare, 16>;
  Set::Builder b;
  for (int i = 0; i < 100000; i += 2) b.Insert(i);
  const Set base = b.Build();
  const std::vector<int> before = Contents(base);
  // A clustered batch with present elements among new ones.
  std::vector<int> batch;
  for (int i = 60000; i < 60200; ++i) batch.push_back(i);
  Set::Builder edit(base);
  EXPECT_EQ(edit.InsertSorted(batch), 100u);
  Set next = edit.Build();
  ASSERT_EQ(next.Validate(), "");
  EXPECT_EQ(next.Size(), base.Size() + 100);
  EXPECT_LE(NewNodes(base, next), 40u);
  EXPECT_EQ(Contents(base), before);
  // All present: nothing changes, nothing is copied.
  Set::Builder same(next);
  EXPECT_EQ(same.InsertSorted(batch), 0u);
  Set again = same.Build();
  EXPECT_EQ(NewNodes(next, again), 0u);
  // Into a builder's own nodes: edited in place, and still valid.
  Set::Builder own;
  std::vector<int> evens;
  for (int i = 0; i < 5000; i += 2) evens.push_back(i);
  own.InsertSorted(evens);
  std::vector<int> odds;
  for (int i = 1; i < 5000; i += 2) odds.push_back(i);
  EXPECT_EQ(own.InsertSorted(odds), odds.size());
  Set all = std::move(own).Build();
  ASSERT_EQ(all.Validate(), "");
  EXPECT_EQ(all.Size(), 5000u);
}

TEST(PersistentSortedSet, InsertSortedKeepsTheExistingEqualElement) {
  using EntrySet = PersistentSortedSet<Entry, EntryCompare, 4>;
  EntrySet::Builder b;
  std::vector<Entry> first;
  for (int i = 0; i < 40; i += 2) first.push_back({i, i * 10});
  b.InsertSorted(first);
  std::vector<Entry> second;
  for (int i = 0; i < 40; ++i) second.push_back({i, -1});
  EXPECT_EQ(b.InsertSorted(second), 20u);
  EntrySet s = b.Build();
  ASSERT_EQ(s.Validate(), "");
  EXPECT_EQ(s.Find({6, 0})->payload, 60);
  EXPECT_EQ(s.Find({7, 0})->payload, -1);
}

// One writer publishes versions under a mutex; three readers take the
// current one, iterate it and drop it (the first reader a few rounds later,
// the others at once, so that only the reference counts order their reads
// before the writer's next in-place writes, not the mutex). Every other
// publication is an unrelated set, so the readers are often the last holders
// of a version that shares nodes with the writer's builder: when they drop
// it, the builder edits those nodes in place, which is safe only if the
// readers' accesses happen before its writes (the acquire in Exclusive).
TEST(PersistentSortedSetThreads, OneWriterThreeReaders) {
  using Set = PersistentSortedSet<uint64_t, U64Compare, 8>;
  struct Version {
    Set set;
    size_t size = 0;
    uint64_t sum = 0;
  };
  Version other;
  {
    Set::Builder b;
    for (uint64_t x = 1; x <= 100; ++x) b.Insert(x * 1000003);
    other.set = b.Build();
    other.size = 100;
    for (uint64_t x : other.set) other.sum += x;
  }
  std::mutex mu;
  Version current;  // Guarded by mu.
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> reads{0};

  auto reader = [&](size_t keep) {
    std::vector<Version> held;
    while (!done.load(std::memory_order_acquire)) {
      Version v;
      {
        std::lock_guard<std::mutex> lock(mu);
        v = current;
      }
      size_t n = 0;
      uint64_t sum = 0;
      bool first = true;
      uint64_t prev = 0;
      for (uint64_t x : v.set) {
        if (!first && x <= prev) failures.fetch_add(1);
        first = false;
        prev = x;
        sum += x;
        ++n;
      }
      if (n != v.size || v.set.Size() != v.size || sum != v.sum) failures.fetch_add(1);
      if (!v.set.Empty() && *--v.set.end() != prev) failures.fetch_add(1);
      held.push_back(std::move(v));
      if (held.size() > keep) held.erase(held.begin());
      reads.fetch_add(1);
    }
  };

  std::vector<std::thread> readers;
  for (size_t keep : {3, 0, 0}) readers.emplace_back(reader, keep);
  {
    std::mt19937_64 rng(7);
    std::set<uint64_t> model;
    uint64_t sum = 0;
    Set::Builder builder;
    // At least 40,000 steps and 300 reads (a fast build finishes the steps
    // before the readers get going).
    int step = 1;
    for (; step <= 40000 || (reads.load() < 300 && step < 4000000); ++step) {
      uint64_t x = rng() % 20000;
      if (rng() % 3 == 0) {
        if (builder.Erase(x)) {
          model.erase(x);
          sum -= x;
        }
      } else if (builder.Insert(x)) {
        model.insert(x);
        sum += x;
      }
      if (step % 16 == 0) {
        Version v = step % 32 == 0 ? Version{builder.Build(), model.size(), sum} : other;
        std::lock_guard<std::mutex> lock(mu);
        current = std::move(v);
      }
      if (step % 8192 == 0) {  // Start over from a copy of the published version.
        Set published = builder.Build();
        builder = Set::Builder(published);
      }
    }
    std::printf("writer steps %d, reader passes %lld\n", step - 1,
                static_cast<long long>(reads.load()));
  }
  done.store(true, std::memory_order_release);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(reads.load(), 300);
  EXPECT_EQ(current.set.Validate(), "");
}

// Node bytes per 8-byte element, default capacity: ascending (bulk) and
// random insertion of 1,000,000 elements through a builder.
TEST(PersistentSortedSetHeavy, MemoryPerElement) {
  constexpr size_t kN = 1000000;
  PointerSizedSet::Builder sorted;
  for (uint64_t i = 0; i < kN; ++i) sorted.Insert(i * 8);
  const PointerSizedSet a = std::move(sorted).Build();
  ASSERT_EQ(a.Size(), kN);
  const double sorted_bytes = static_cast<double>(a.MemoryUsage()) / kN;

  PointerSizedSet::Builder random;
  std::mt19937_64 rng(1);
  while (random.Size() < kN) random.Insert(rng());
  const PointerSizedSet b = std::move(random).Build();
  const double random_bytes = static_cast<double>(b.MemoryUsage()) / kN;
  EXPECT_EQ(b.Validate(), "");

  std::printf("node bytes per 8-byte element: sorted %.2f (height %zu), random %.2f (height %zu)\n",
              sorted_bytes, a.Height(), random_bytes, b.Height());
  RecordProperty("sorted_bytes_per_element", std::to_string(sorted_bytes));
  RecordProperty("random_bytes_per_element", std::to_string(random_bytes));
  EXPECT_LT(sorted_bytes, 12.0);
  EXPECT_LT(random_bytes, 16.0);
}

}  // namespace
}  // namespace strata::internal
