// Durable index trees over MemStorage: trees of 0 to 100,000 datoms with
// tiny leaves and fanouts in every index order, every seek and count checked
// against a sorted-vector model; merges checked against the model, for the
// segments they reuse and the few they write; a rapidcheck property of
// random build and merge sequences; damaged and missing segments as faults;
// tiny caches; and the cursor's datom lifetime under a TimeCursor-like
// reader (meaningful under ASan).
#include "index/durable_tree.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "index/datom_order.h"
#include "storage/mem_storage.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::BuildTree;
using internal::CompareDatoms;
using internal::CountTree;
using internal::DatomCursor;
using internal::DatomKey;
using internal::ListTreeSegments;
using internal::MemStorage;
using internal::MergeTree;
using internal::OpenTree;
using internal::SegmentCache;
using internal::SpanCursor;
using internal::Storage;
using internal::StorageWrite;
using internal::TreeOptions;
using internal::TreeRoot;
using internal::TreeStats;

using internal::IndexName;
using internal::kIndexes;

// MemStorage behind a decorator that counts reads and can damage what a
// read returns, or lose a blob.
class TestStorage : public Storage {
 public:
  std::optional<std::string> Get(const Uuid& key) override {
    ++gets;
    auto lost = std::find(missing.begin(), missing.end(), key);
    if (lost != missing.end()) return std::nullopt;
    std::optional<std::string> bytes = mem_.Get(key);
    if (bytes && damage) damage(key, &*bytes);
    return bytes;
  }
  std::optional<internal::Root> GetRoot(std::string_view name) override {
    return mem_.GetRoot(name);
  }
  bool Commit(const StorageWrite& w) override {
    ++commits;
    return mem_.Commit(w);
  }
  void Delete(const std::vector<Uuid>& keys) override { mem_.Delete(keys); }
  void ListBlobs(const std::function<void(const Uuid&)>& f) override { mem_.ListBlobs(f); }
  std::vector<std::string> ListRoots(std::string_view prefix) override {
    return mem_.ListRoots(prefix);
  }

  size_t BlobCount() {
    size_t n = 0;
    mem_.ListBlobs([&n](const Uuid&) { ++n; });
    return n;
  }

  std::atomic<int64_t> gets{0};
  int64_t commits = 0;
  std::function<void(const Uuid&, std::string*)> damage;
  std::vector<Uuid> missing;

 private:
  MemStorage mem_;
};

// ---- The model: a sorted vector

// MemoryIndex::Seek's answer, from the model (at most `limit` datoms).
std::vector<Datom> ModelSeek(Index index, const std::vector<Datom>& model, const DatomKey& key,
                             bool prefix_only, size_t limit = SIZE_MAX) {
  auto it = std::partition_point(model.begin(), model.end(), [&](const Datom& d) {
    return CompareDatoms(index, d, key.probe, key.n) < 0;
  });
  std::vector<Datom> out;
  for (; it != model.end() && out.size() < limit; ++it) {
    if (prefix_only && CompareDatoms(index, *it, key.probe, key.n) != 0) break;
    out.push_back(*it);
  }
  return out;
}

int64_t ModelCount(Index index, const std::vector<Datom>& model, const DatomKey& key) {
  return static_cast<int64_t>(ModelSeek(index, model, key, true).size());
}

std::vector<Datom> Collect(DatomCursor& cursor, size_t limit = SIZE_MAX) {
  std::vector<Datom> out;
  while (out.size() < limit) {
    const Datom* d = cursor.Next();
    if (d == nullptr) break;
    out.push_back(*d);
  }
  return out;
}

std::vector<Datom> Scan(Storage* storage, SegmentCache* cache, Index index, const TreeRoot& root) {
  auto cursor = OpenTree(storage, cache, index, root, DatomKey{}, false);
  return Collect(*cursor);
}

// Random datoms: few entities, attributes and values, so that components
// repeat and prefixes match runs; longs, refs, short and long strings and
// keywords; assertions and retractions.
Datom RandomDatom(std::mt19937& rng, int64_t entities) {
  auto pick = [&rng](int64_t n) { return static_cast<int64_t>(rng() % static_cast<uint64_t>(n)); };
  Datom d;
  d.e = MakeEntityId(kPartUser, pick(entities));
  d.a = 10 + pick(6);
  switch (pick(5)) {
    case 0:
      d.v = L(pick(50));
      break;
    case 1:
      d.v = Value::Ref(MakeEntityId(kPartUser, pick(entities)));
      break;
    case 2:
      d.v = S("s" + std::to_string(pick(40)));
      break;
    case 3:
      d.v = S("a string longer than fourteen bytes " + std::to_string(pick(40)));
      break;
    default:
      d.v = K("k", "v" + std::to_string(pick(10)));
  }
  d.tx = TxFromT(1000 + pick(30));
  d.added = pick(4) != 0;
  return d;
}

std::vector<Datom> RandomDatoms(std::mt19937& rng, size_t n, int64_t entities) {
  std::vector<Datom> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(RandomDatom(rng, entities));
  return out;
}

TreeRoot Build(Storage* storage, Index index, const std::vector<Datom>& sorted,
               const TreeOptions& options, TreeStats* stats = nullptr) {
  SpanCursor cursor(sorted);
  return BuildTree(storage, index, cursor, options, stats);
}

TreeOptions Tiny(size_t leaf, size_t fanout) {
  TreeOptions o;
  o.leaf_datoms = leaf;
  o.fanout = fanout;
  o.batch_bytes = 64 << 10;
  return o;
}

// Random seek keys: prefixes of datoms in the model and of datoms not in it.
std::vector<DatomKey> RandomKeys(std::mt19937& rng, const std::vector<Datom>& model, size_t count,
                                 int64_t entities) {
  std::vector<DatomKey> keys;
  for (size_t i = 0; i < count; ++i) {
    DatomKey key;
    key.n = static_cast<int>(rng() % 6);
    if (!model.empty() && rng() % 3 != 0) {
      key.probe = model[rng() % model.size()];
    } else {
      key.probe = RandomDatom(rng, entities + 2);
    }
    keys.push_back(key);
  }
  return keys;
}

// Every seek and count of `keys` on the tree equals the model's.
::testing::AssertionResult SeeksMatch(Storage* storage, SegmentCache* cache, Index index,
                                      const TreeRoot& root, const std::vector<Datom>& model,
                                      const std::vector<DatomKey>& keys, size_t limit) {
  for (const DatomKey& key : keys) {
    for (bool prefix : {true, false}) {
      auto cursor = OpenTree(storage, cache, index, root, key, prefix);
      std::vector<Datom> got = Collect(*cursor, limit);
      std::vector<Datom> want = ModelSeek(index, model, key, prefix, limit);
      if (got != want) {
        return ::testing::AssertionFailure()
               << IndexName(index) << " seek n=" << key.n << " " << ToString(key.probe)
               << (prefix ? " prefix" : " from") << ": " << got.size() << " datoms, wanted "
               << want.size();
      }
    }
    int64_t count = CountTree(storage, cache, index, root, key);
    int64_t want = ModelCount(index, model, key);
    if (count != want) {
      return ::testing::AssertionFailure()
             << IndexName(index) << " count n=" << key.n << " " << ToString(key.probe) << ": "
             << count << ", wanted " << want;
    }
  }
  return ::testing::AssertionSuccess();
}

// ---- Build and seek

TEST(DurableTreeTest, AnEmptyTreeHasNoRootAndNoDatoms) {
  TestStorage storage;
  for (Index index : kIndexes) {
    std::vector<Datom> none;
    TreeRoot root = Build(&storage, index, none, Tiny(4, 3));
    EXPECT_TRUE(root.empty());
    EXPECT_EQ(root.count, 0);
    EXPECT_TRUE(Scan(&storage, nullptr, index, root).empty());
    EXPECT_EQ(CountTree(&storage, nullptr, index, root, DatomKey{}), 0);
    EXPECT_TRUE(ListTreeSegments(&storage, nullptr, index, root).empty());
  }
  EXPECT_EQ(storage.BlobCount(), 0u);
  EXPECT_EQ(storage.commits, 0);
}

TEST(DurableTreeTest, OneDatomIsOneLeaf) {
  TestStorage storage;
  Datom d{MakeEntityId(kPartUser, 1), 10, S("x"), TxFromT(5), true};
  for (Index index : kIndexes) {
    TreeRoot root = Build(&storage, index, {d}, Tiny(4, 3));
    EXPECT_EQ(root.height, 1);
    EXPECT_EQ(root.count, 1);
    EXPECT_EQ(Scan(&storage, nullptr, index, root), std::vector<Datom>{d});
    std::mt19937 rng(1);
    EXPECT_TRUE(SeeksMatch(&storage, nullptr, index, root, {d}, RandomKeys(rng, {d}, 50, 3), 10));
  }
}

TEST(DurableTreeTest, SeeksAndCountsMatchTheModelInEveryOrder) {
  std::mt19937 rng(7);
  for (size_t n : {size_t{2}, size_t{5}, size_t{100}, size_t{3000}}) {
    std::vector<Datom> datoms = RandomDatoms(rng, n, static_cast<int64_t>(n / 10 + 2));
    for (Index index : kIndexes) {
      for (auto [leaf, fanout] : {std::pair<size_t, size_t>{1, 2}, {4, 3}, {7, 16}, {64, 4}}) {
        TestStorage storage;
        SegmentCache cache(1 << 20);
        std::vector<Datom> model = Sorted(index, datoms);
        TreeRoot root = Build(&storage, index, model, Tiny(leaf, fanout));
        ASSERT_EQ(root.count, static_cast<int64_t>(model.size()));
        ASSERT_EQ(Scan(&storage, &cache, index, root), model)
            << IndexName(index) << " n=" << n << " leaf=" << leaf << " fanout=" << fanout;
        std::vector<DatomKey> keys = RandomKeys(rng, model, 60, static_cast<int64_t>(n / 10 + 2));
        ASSERT_TRUE(SeeksMatch(&storage, &cache, index, root, model, keys, 300))
            << "n=" << n << " leaf=" << leaf << " fanout=" << fanout;
        // Every segment is reachable exactly once, and nothing else was written.
        std::vector<Uuid> segments = ListTreeSegments(&storage, &cache, index, root);
        EXPECT_EQ(segments.size(), storage.BlobCount());
      }
    }
  }
}

// 100,000 datoms in leaves of 4 and directories of 8: seeks read `height`
// segments, a prefix seek no leaf past its prefix, and counts at most two
// segments a level.
TEST(DurableTreeTest, AHundredThousandDatoms) {
  std::mt19937 rng(11);
  std::vector<Datom> datoms = RandomDatoms(rng, 100000, 20000);
  for (Index index : {Index::kEavt, Index::kAvet}) {
    TestStorage storage;
    std::vector<Datom> model = Sorted(index, datoms);
    TreeStats stats;
    TreeRoot root = Build(&storage, index, model, Tiny(4, 8), &stats);
    EXPECT_EQ(root.count, static_cast<int64_t>(model.size()));
    EXPECT_EQ(stats.leaves_written, static_cast<int64_t>((model.size() + 3) / 4));
    std::printf(
        "[ tree ] %s: %zu datoms, height %d, %lld leaves, %lld directories, %lld bytes, "
        "%lld commits\n",
        std::string(IndexName(index)).c_str(), model.size(), root.height,
        static_cast<long long>(stats.leaves_written),
        static_cast<long long>(stats.directories_written),
        static_cast<long long>(stats.bytes_written), static_cast<long long>(stats.commits));
    EXPECT_EQ(root.height, 6);  // 8^5 < 24,000 leaves <= 8^6
    SegmentCache cache(64 << 20);
    EXPECT_EQ(Scan(&storage, &cache, index, root), model);
    std::vector<DatomKey> keys = RandomKeys(rng, model, 300, 20000);
    EXPECT_TRUE(SeeksMatch(&storage, &cache, index, root, model, keys, 50));

    // Seek cost, with no cache: one datom's full key.
    for (int i = 0; i < 20; ++i) {
      DatomKey key{model[rng() % model.size()], 5};
      int64_t before = storage.gets;
      auto cursor = OpenTree(&storage, nullptr, index, root, key, true);
      ASSERT_EQ(Collect(*cursor).size(), 1u);
      int64_t reads = storage.gets - before;
      // The path to its leaf, and no more.
      EXPECT_EQ(reads, root.height) << i;
    }
    // Count cost: at most two segments a level.
    for (int i = 0; i < 20; ++i) {
      DatomKey key{model[rng() % model.size()], 1 + static_cast<int>(rng() % 3)};
      int64_t before = storage.gets;
      EXPECT_EQ(CountTree(&storage, nullptr, index, root, key), ModelCount(index, model, key));
      EXPECT_LE(storage.gets - before, 2 * root.height);
    }
  }
}

TEST(DurableTreeTest, BuildRejectsDatomsOutOfOrder) {
  TestStorage storage;
  std::vector<Datom> datoms = {Datom{MakeEntityId(kPartUser, 2), 10, L(1), TxFromT(5), true},
                               Datom{MakeEntityId(kPartUser, 1), 10, L(1), TxFromT(5), true}};
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { Build(&storage, Index::kEavt, datoms, Tiny(4, 3)); }),
                        Category::kIncorrect, ""));
  std::vector<Datom> twice = {datoms[0], datoms[0]};
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { Build(&storage, Index::kEavt, twice, Tiny(4, 3)); }),
                        Category::kIncorrect, ""));
  std::vector<Datom> one = {datoms[0]};
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { Build(&storage, Index::kEavt, one, Tiny(0, 3)); }),
                        Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { Build(&storage, Index::kEavt, one, Tiny(4, 1)); }),
                        Category::kIncorrect, ""));
  EXPECT_EQ(storage.BlobCount(), 0u);
}

// ---- Merge

struct Change {
  std::vector<Datom> adds;
  std::vector<Datom> rems;
};

// Random changes to `model`: new datoms and some of model's removed.
Change RandomChange(std::mt19937& rng, Index index, const std::vector<Datom>& model, size_t adds,
                    size_t rems, int64_t entities) {
  Change c;
  c.adds = Sorted(index, RandomDatoms(rng, adds, entities));
  for (size_t i = 0; i < rems && !model.empty(); ++i) c.rems.push_back(model[rng() % model.size()]);
  c.rems = Sorted(index, c.rems);
  return c;
}

std::vector<Datom> ModelApply(Index index, const std::vector<Datom>& model, const Change& c) {
  std::vector<Datom> out = c.adds;
  for (const Datom& d : model) {
    if (!std::binary_search(
            c.adds.begin(), c.adds.end(), d,
            [index](const Datom& x, const Datom& y) { return CompareDatoms(index, x, y) < 0; })) {
      out.push_back(d);
    }
  }
  out = Sorted(index, out);
  std::erase_if(out, [&](const Datom& d) {
    return std::binary_search(
        c.rems.begin(), c.rems.end(), d,
        [index](const Datom& x, const Datom& y) { return CompareDatoms(index, x, y) < 0; });
  });
  return out;
}

TreeRoot Merge(Storage* storage, SegmentCache* cache, Index index, const TreeRoot& old,
               const Change& c, const TreeOptions& options, TreeStats* stats = nullptr) {
  SpanCursor adds(c.adds);
  SpanCursor rems(c.rems);
  return MergeTree(storage, cache, index, old, adds, rems, options, stats);
}

TEST(DurableTreeTest, MergesMatchTheModelAndReuseUntouchedSegments) {
  std::mt19937 rng(3);
  for (Index index : kIndexes) {
    for (auto [leaf, fanout] : {std::pair<size_t, size_t>{1, 2}, {4, 3}, {4, 8}, {16, 4}}) {
      TestStorage storage;
      SegmentCache cache(1 << 20);
      TreeOptions options = Tiny(leaf, fanout);
      std::vector<Datom> model = Sorted(index, RandomDatoms(rng, 2000, 300));
      TreeRoot root = Build(&storage, index, model, options);
      for (int round = 0; round < 12; ++round) {
        size_t adds = rng() % 3 == 0 ? rng() % 200 : rng() % 10;
        size_t rems = rng() % 3 == 0 ? rng() % 200 : rng() % 10;
        Change c = RandomChange(rng, index, model, adds, rems, 320);
        std::vector<Uuid> before = ListTreeSegments(&storage, &cache, index, root);
        TreeStats stats;
        TreeRoot next = Merge(&storage, &cache, index, root, c, options, &stats);
        model = ModelApply(index, model, c);
        ASSERT_EQ(next.count, static_cast<int64_t>(model.size()));
        ASSERT_EQ(Scan(&storage, &cache, index, next), model)
            << IndexName(index) << " leaf=" << leaf << " fanout=" << fanout << " round " << round;
        ASSERT_TRUE(
            SeeksMatch(&storage, &cache, index, next, model, RandomKeys(rng, model, 20, 320), 100));
        // Every segment of the new tree is either new or one of the old tree's.
        std::vector<Uuid> after = ListTreeSegments(&storage, &cache, index, next);
        std::set<std::string> old_ids;
        for (const Uuid& u : before) old_ids.insert(u.ToString());
        std::set<std::string> new_ids;
        for (const Uuid& u : stats.new_keys) new_ids.insert(u.ToString());
        size_t reused = 0;
        for (const Uuid& u : after) {
          bool is_old = old_ids.count(u.ToString()) > 0;
          ASSERT_TRUE(is_old || new_ids.count(u.ToString()) > 0);
          reused += is_old ? 1 : 0;
        }
        // Nothing written is left unreachable.
        EXPECT_EQ(after.size() - reused, stats.new_keys.size());
        root = next;
      }
    }
  }
}

TEST(DurableTreeTest, MergeIntoAndOutOfTheEmptyTree) {
  std::mt19937 rng(5);
  TestStorage storage;
  TreeOptions options = Tiny(4, 3);
  Change c{Sorted(Index::kAevt, RandomDatoms(rng, 50, 10)), {}};
  TreeRoot root = Merge(&storage, nullptr, Index::kAevt, TreeRoot{}, c, options);
  EXPECT_EQ(Scan(&storage, nullptr, Index::kAevt, root), c.adds);
  // Removing everything leaves the empty tree.
  Change all{{}, c.adds};
  TreeRoot none = Merge(&storage, nullptr, Index::kAevt, root, all, options);
  EXPECT_TRUE(none.empty());
  // No change is the same tree, with nothing written.
  size_t blobs = storage.BlobCount();
  EXPECT_EQ(Merge(&storage, nullptr, Index::kAevt, root, Change{}, options), root);
  EXPECT_EQ(storage.BlobCount(), blobs);
}

TEST(DurableTreeTest, MergeShrinksAndGrowsTheHeight) {
  std::mt19937 rng(9);
  TestStorage storage;
  SegmentCache cache(1 << 20);
  TreeOptions options = Tiny(2, 3);
  Index index = Index::kEavt;
  std::vector<Datom> model = Sorted(index, RandomDatoms(rng, 500, 100));
  TreeRoot root = Build(&storage, index, model, options);
  int tall = root.height;
  // Remove all but three datoms, a few at a time.
  while (model.size() > 3) {
    Change c{{}, {}};
    for (size_t i = 0; i < std::min<size_t>(40, model.size() - 3); ++i) {
      c.rems.push_back(model[i * (model.size() / 40 + 1) % model.size()]);
    }
    c.rems = Sorted(index, c.rems);
    root = Merge(&storage, &cache, index, root, c, options);
    model = ModelApply(index, model, c);
    ASSERT_EQ(Scan(&storage, &cache, index, root), model);
  }
  EXPECT_LT(root.height, tall);
  EXPECT_LE(root.height, 2);
  // And grow it back.
  for (int round = 0; round < 10; ++round) {
    Change c{Sorted(index, RandomDatoms(rng, 60, 100)), {}};
    root = Merge(&storage, &cache, index, root, c, options);
    model = ModelApply(index, model, c);
    ASSERT_EQ(Scan(&storage, &cache, index, root), model);
  }
  EXPECT_GE(root.height, tall - 1);
}

// The cost of a merge grows with the changes, not with the tree: one datom
// changed in a tree of 100,000 writes one leaf and the directories above it.
TEST(DurableTreeTest, AOneDatomMergeWritesOnePath) {
  std::mt19937 rng(13);
  for (Index index : {Index::kEavt, Index::kVaet}) {
    TestStorage storage;
    TreeOptions options = Tiny(4, 8);
    std::vector<Datom> model = Sorted(index, RandomDatoms(rng, 100000, 20000));
    TreeRoot root = Build(&storage, index, model, options);
    for (int i = 0; i < 30; ++i) {
      Change c;
      if (i % 2 == 0) {
        c.adds = {RandomDatom(rng, 20000)};
      } else {
        c.rems = {model[rng() % model.size()]};
      }
      size_t blobs = storage.BlobCount();
      TreeStats stats;
      TreeRoot next = Merge(&storage, nullptr, index, root, c, options, &stats);
      int64_t written = stats.leaves_written + stats.directories_written;
      // The path, plus a neighbour rewritten when a leaf splits or merges.
      EXPECT_LE(written, root.height + 2) << i;
      EXPECT_LE(stats.segments_read, root.height + 2) << i;
      EXPECT_EQ(storage.BlobCount() - blobs, static_cast<size_t>(written));
      model = ModelApply(index, model, c);
      root = next;
      if (i == 0) {
        std::printf(
            "[ tree ] %s one-datom merge into %zu datoms (height %d): %lld segments "
            "written, %lld read, %lld bytes\n",
            std::string(IndexName(index)).c_str(), model.size(), root.height,
            static_cast<long long>(written), static_cast<long long>(stats.segments_read),
            static_cast<long long>(stats.bytes_written));
      }
    }
    EXPECT_EQ(Scan(&storage, nullptr, index, root), model);
    // 1,000 scattered changes: about one path each, far fewer than the tree.
    Change c = RandomChange(rng, index, model, 500, 500, 20000);
    TreeStats stats;
    root = Merge(&storage, nullptr, index, root, c, options, &stats);
    model = ModelApply(index, model, c);
    int64_t written = stats.leaves_written + stats.directories_written;
    std::printf("[ tree ] %s 1,000-datom merge: %lld segments written (%lld leaves), %lld read\n",
                std::string(IndexName(index)).c_str(), static_cast<long long>(written),
                static_cast<long long>(stats.leaves_written),
                static_cast<long long>(stats.segments_read));
    EXPECT_LE(written, 1000 * root.height);
    EXPECT_EQ(Scan(&storage, nullptr, index, root), model);
  }
}

// ---- Property: random builds and merges against the model

RC_GTEST_PROP(DurableTreePropertyTest, RandomBuildsAndMergesMatchTheModel, ()) {
  const Index index = *rc::gen::element(Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet);
  const size_t leaf = *rc::gen::inRange<size_t>(1, 9);
  const size_t fanout = *rc::gen::inRange<size_t>(2, 7);
  const auto seed = *rc::gen::arbitrary<uint32_t>();
  const int64_t entities = *rc::gen::inRange<int64_t>(1, 60);
  std::mt19937 rng(seed);
  TestStorage storage;
  SegmentCache cache(*rc::gen::element<size_t>(0, 2000, 1 << 20));
  TreeOptions options = Tiny(leaf, fanout);
  std::vector<Datom> model =
      Sorted(index, RandomDatoms(rng, *rc::gen::inRange<size_t>(0, 300), entities));
  TreeRoot root = Build(&storage, index, model, options);
  const int rounds = *rc::gen::inRange(1, 6);
  for (int round = 0; round < rounds; ++round) {
    size_t adds = *rc::gen::inRange<size_t>(0, 80);
    size_t rems = *rc::gen::inRange<size_t>(0, 80);
    Change c = RandomChange(rng, index, model, adds, rems, entities);
    root = Merge(&storage, &cache, index, root, c, options);
    model = ModelApply(index, model, c);
    RC_ASSERT(root.count == static_cast<int64_t>(model.size()));
    RC_ASSERT(Scan(&storage, &cache, index, root) == model);
    RC_ASSERT(static_cast<bool>(SeeksMatch(&storage, &cache, index, root, model,
                                           RandomKeys(rng, model, 10, entities), 50)));
  }
  RC_ASSERT(cache.stats().bytes <= cache.capacity());
}

// ---- Damage

std::vector<Datom> SomeDatoms(Index index, size_t n) {
  std::mt19937 rng(17);
  return Sorted(index, RandomDatoms(rng, n, 50));
}

::testing::AssertionResult ScanIsFault(TestStorage* storage, SegmentCache* cache, Index index,
                                       const TreeRoot& root, std::string_view needle) {
  std::optional<Anomaly> a = CatchAnomaly([&] { Scan(storage, cache, index, root); });
  ::testing::AssertionResult r = IsAnomaly(a, Category::kFault, "");
  if (!r) return r;
  if (a->message().find(needle) == std::string::npos) {
    return ::testing::AssertionFailure() << "wanted \"" << needle << "\" in " << a->message();
  }
  return ::testing::AssertionSuccess() << a->message();
}

TEST(DurableTreeTest, EveryDamagedSegmentIsAFaultNamingIt) {
  Index index = Index::kAevt;
  TestStorage storage;
  std::vector<Datom> model = SomeDatoms(index, 200);
  TreeRoot root = Build(&storage, index, model, Tiny(4, 4));
  std::vector<Uuid> segments = ListTreeSegments(&storage, nullptr, index, root);
  ASSERT_GT(segments.size(), 50u);
  std::mt19937 rng(1);
  for (const Uuid& victim : segments) {
    size_t at = rng();
    storage.damage = [&](const Uuid& key, std::string* bytes) {
      if (key == victim) (*bytes)[at % bytes->size()] ^= static_cast<char>(1 << (at % 8));
    };
    ASSERT_TRUE(ScanIsFault(&storage, nullptr, index, root, victim.ToString()));
    // A count reaching the victim, and a merge through it, fail alike.
    storage.missing = {victim};
    storage.damage = nullptr;
    ASSERT_TRUE(ScanIsFault(&storage, nullptr, index, root, "missing from storage"));
    storage.missing.clear();
  }
  EXPECT_EQ(Scan(&storage, nullptr, index, root), model);
}

TEST(DurableTreeTest, SegmentsThatDoNotFitTheirPlaceAreFaults) {
  TestStorage storage;
  std::vector<Datom> eavt = SomeDatoms(Index::kEavt, 100);
  TreeRoot root = Build(&storage, Index::kEavt, eavt, Tiny(4, 4));
  // A tree read as another index's.
  EXPECT_TRUE(ScanIsFault(&storage, nullptr, Index::kVaet, root, "a segment of EAVT in a tree of"));
  // A root with the wrong count or height.
  TreeRoot wrong = root;
  wrong.count += 1;
  EXPECT_TRUE(ScanIsFault(&storage, nullptr, Index::kEavt, wrong, "where its entry says"));
  wrong = root;
  wrong.height += 1;
  EXPECT_TRUE(ScanIsFault(&storage, nullptr, Index::kEavt, wrong, "a child of kind"));
  wrong.height = 1;
  EXPECT_TRUE(ScanIsFault(&storage, nullptr, Index::kEavt, wrong, "a directory where a leaf"));
  wrong.height = 0;
  EXPECT_TRUE(ScanIsFault(&storage, nullptr, Index::kEavt, wrong, "a tree root of height 0"));
  // A leaf swapped for another one: well-formed, but not what its entry says.
  std::vector<Uuid> segments = ListTreeSegments(&storage, nullptr, Index::kEavt, root);
  Uuid leaf_a = segments.back();
  Uuid leaf_b = segments[segments.size() - 2];
  std::optional<std::string> other = storage.Get(leaf_b);
  storage.damage = [&](const Uuid& key, std::string* bytes) {
    if (key == leaf_a) *bytes = *other;
  };
  EXPECT_TRUE(ScanIsFault(&storage, nullptr, Index::kEavt, root, leaf_a.ToString()));
}

// ---- The cache

TEST(DurableTreeTest, ATinyCacheAnswersTheSame) {
  Index index = Index::kAvet;
  TestStorage storage;
  std::vector<Datom> model = SomeDatoms(index, 2000);
  TreeRoot root = Build(&storage, index, model, Tiny(8, 4));
  for (size_t capacity : {size_t{0}, size_t{1000}, size_t{5000}, size_t{1} << 20}) {
    SegmentCache cache(capacity);
    for (int pass = 0; pass < 2; ++pass) {
      EXPECT_EQ(Scan(&storage, &cache, index, root), model);
      std::mt19937 rng(2);
      EXPECT_TRUE(
          SeeksMatch(&storage, &cache, index, root, model, RandomKeys(rng, model, 30, 50), 40));
      SegmentCache::Stats s = cache.stats();
      EXPECT_LE(s.bytes, capacity);
      EXPECT_GT(s.misses, 0u);
    }
    SegmentCache::Stats s = cache.stats();
    if (capacity == (size_t{1} << 20)) {
      // Everything fits: the second pass read nothing from storage.
      EXPECT_EQ(s.evictions, 0u);
      EXPECT_EQ(s.misses, ListTreeSegments(&storage, nullptr, index, root).size());
    } else if (capacity > 0) {
      EXPECT_GT(s.evictions, 0u);
    }
  }
}

// ---- Datom lifetime

// A reader like seek.cc's TimeCursor, over a tree whose facts each have a
// long history spanning many one-datom leaves, with no cache keeping
// anything alive: it holds the first and latest datom of each fact's run
// and the first datom of the next, and reads them after the run. Under
// ASan, a leaf let go too early is a use after free.
TEST(DurableTreeTest, DatomsOfTheCurrentAndPreviousFactsStayValid) {
  Index index = Index::kEavt;
  std::vector<Datom> datoms;
  for (int64_t e = 0; e < 20; ++e) {
    for (int64_t t = 0; t < 1 + e % 7; ++t) {
      datoms.push_back(Datom{MakeEntityId(kPartUser, e), 10,
                             S("a value of more than fourteen bytes " + std::to_string(e)),
                             TxFromT(100 + t), t % 2 == 0});
    }
  }
  datoms = Sorted(index, datoms);
  TestStorage storage;
  TreeRoot root = Build(&storage, index, datoms, Tiny(1, 2));
  SegmentCache cache(0);
  auto cursor = OpenTree(&storage, &cache, index, root, DatomKey{}, false);
  std::vector<Datom> seen;
  const Datom* pending = cursor->Next();
  const Datom* previous_latest = nullptr;
  std::string previous_copy;
  while (pending != nullptr) {
    const Datom* first = pending;
    const Datom* latest = first;
    pending = nullptr;
    while (const Datom* d = cursor->Next()) {
      if (!internal::SameFact(*d, *first)) {
        pending = d;
        break;
      }
      latest = d;
    }
    // The run's datoms and the previous run's latest are still readable.
    EXPECT_EQ(first->e, latest->e);
    EXPECT_EQ(first->v.AsString(), latest->v.AsString());
    if (previous_latest != nullptr) {
      EXPECT_EQ(previous_latest->v.AsString(), previous_copy);
    }
    seen.push_back(*latest);
    previous_latest = latest;
    previous_copy = std::string(latest->v.AsString());
  }
  EXPECT_EQ(seen.size(), 20u);
}

}  // namespace
}  // namespace strata::testing
