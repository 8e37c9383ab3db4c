// The log in storage: create, append in groups, read back from any t, CAS
// against a stale writer, crashes at every point of an append with the
// mem backend's fault injection, and packing into log segments: every
// range read the same before and after, incremental packing, the blobs a
// log needs, and damage.
#include "log/log_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <set>

#include "core/value_codec.h"
#include "storage/mem_storage.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::DbRoot;
using internal::LogIndexPointer;
using internal::LogPackOptions;
using internal::LogSegmentRef;
using internal::LogStore;
using internal::MemStorage;

LogEntry Entry(int64_t t, int n = 3) {
  LogEntry e;
  e.t = t;
  for (int i = 0; i < n; ++i) {
    e.data.push_back(
        Datom{MakeEntityId(kPartUser, t + i + 1), 72, Value::Long(t * 10 + i), TxFromT(t), true});
  }
  return e;
}

std::vector<int64_t> Ts(const std::vector<LogEntry>& entries) {
  std::vector<int64_t> ts;
  for (const LogEntry& e : entries) ts.push_back(e.t);
  return ts;
}

// Creates the database and logs one transaction, t = 1000.
void CreateWithOneEntry(LogStore* log, uint64_t* rev, DbRoot* db) {
  ASSERT_TRUE(log->Create());
  auto [root, read] = *log->ReadRoot();
  *rev = root.rev;
  *db = read;
  ASSERT_TRUE(log->Append(rev, db, {Entry(1000)}));
}

TEST(LogStoreTest, CreateAppendAndReadBack) {
  MemStorage storage;
  LogStore log(&storage, "people");
  EXPECT_FALSE(log.ReadRoot().has_value());
  ASSERT_TRUE(log.Create());
  EXPECT_FALSE(log.Create());  // exists
  auto [root, db] = *log.ReadRoot();
  EXPECT_EQ(db.t, 0);
  EXPECT_FALSE(db.tail.has_value());
  EXPECT_TRUE(log.ReadEntries(db, 0).empty());
  uint64_t rev = root.rev;
  ASSERT_TRUE(log.Append(&rev, &db, {Entry(1000)}));
  ASSERT_TRUE(log.Append(&rev, &db, {Entry(1004), Entry(1008, 1)}));  // a group commit
  ASSERT_TRUE(log.Append(&rev, &db, {Entry(1010)}));
  auto [root2, db2] = *log.ReadRoot();
  EXPECT_EQ(db2.t, 1010);
  EXPECT_EQ(db2.uuid, db.uuid);
  EXPECT_EQ(Ts(log.ReadEntries(db2, 0)), (std::vector<int64_t>{1000, 1004, 1008, 1010}));
  EXPECT_EQ(Ts(log.ReadEntries(db2, 1004)), (std::vector<int64_t>{1008, 1010}));
  EXPECT_EQ(Ts(log.ReadEntries(db2, 1010)), std::vector<int64_t>{});
  EXPECT_EQ(log.ReadEntries(db2, 0)[1].data, Entry(1004).data);
}

TEST(LogStoreTest, AStaleWriterCannotForkHistory) {
  MemStorage storage;
  LogStore a(&storage, "db"), b(&storage, "db");
  ASSERT_TRUE(a.Create());
  auto [ra, da] = *a.ReadRoot();
  auto [rb, dbb] = *b.ReadRoot();
  uint64_t rev_a = ra.rev, rev_b = rb.rev;
  ASSERT_TRUE(a.Append(&rev_a, &da, {Entry(1000)}));
  // b still holds the old revision: its append writes nothing.
  EXPECT_FALSE(b.Append(&rev_b, &dbb, {Entry(1000)}));
  auto [now, dnow] = *a.ReadRoot();
  EXPECT_EQ(Ts(a.ReadEntries(dnow, 0)), std::vector<int64_t>{1000});
  size_t blobs = 0;
  storage.ListBlobs([&](const Uuid&) { ++blobs; });
  EXPECT_EQ(blobs, 1u);  // the loser's blob was not written either
}

// A crash before the durable point loses the append whole; after it, keeps
// it whole; an injected error before has no effect; after, the append
// landed though the writer was told it failed (it must re-read the root).
TEST(LogStoreTest, CrashesAndErrorsAtAppendLeaveTheLogWholeOrUnchanged) {
  using Fault = MemStorage::Fault;
  for (Fault fault :
       {Fault::kCrashBefore, Fault::kCrashAfter, Fault::kUnavailable, Fault::kUnavailableAfter}) {
    MemStorage storage;
    LogStore log(&storage, "db");
    uint64_t rev;
    DbRoot db;
    ASSERT_NO_FATAL_FAILURE(CreateWithOneEntry(&log, &rev, &db));
    uint64_t commits = 0;
    storage.SetFaultPlan([&](MemStorage::Op op, uint64_t) {
      return op == MemStorage::Op::kCommit && commits++ == 0 ? fault : Fault::kNone;
    });
    bool crashed = false;
    try {
      log.Append(&rev, &db, {Entry(1004), Entry(1008)});
    } catch (const internal::SimulatedCrash&) {
      crashed = true;
    } catch (const Anomaly& e) {
      EXPECT_EQ(e.category(), Category::kUnavailable);
    }
    EXPECT_EQ(crashed, fault == Fault::kCrashBefore || fault == Fault::kCrashAfter);
    storage.SetFaultPlan(nullptr);
    storage.Restart();
    auto [after_root, after] = *LogStore(&storage, "db").ReadRoot();
    std::vector<int64_t> ts = Ts(log.ReadEntries(after, 0));
    bool landed = fault == Fault::kCrashAfter || fault == Fault::kUnavailableAfter;
    EXPECT_EQ(ts, landed ? (std::vector<int64_t>{1000, 1004, 1008}) : std::vector<int64_t>{1000})
        << static_cast<int>(fault);
  }
}

TEST(LogStoreTest, RootsCarryTheIndexPointer) {
  DbRoot root;
  root.uuid = internal::NewBlobKey();
  root.t = 1042;
  root.tail = internal::NewBlobKey();
  internal::IndexPointer index;
  index.t = 1000;
  index.next_counter = 1040;
  index.last_tx_instant = 1'763'800'000'000;
  index.tiers.resize(2);
  index.tiers[0].trees[0][0] = internal::TreeRoot{internal::NewBlobKey(), 5210, 2};
  index.tiers[0].trees[3][1] = internal::TreeRoot{internal::NewBlobKey(), 7, 1};
  index.tiers[1].trees[1][2] = internal::TreeRoot{internal::NewBlobKey(), 3, 1};
  root.index = index;
  DbRoot back = internal::DecodeRoot(internal::EncodeRoot(root), "root");
  ASSERT_TRUE(back.index.has_value());
  EXPECT_EQ(*back.index, index);
  EXPECT_EQ(back.tail, root.tail);
  for (const char* bad : {":index 1", ":index {:t 1 :next-counter 2 :last-instant 3}",
                          ":index {:t 1 :next-counter 2 :last-instant 3 :trees [[nil 0 0]]}",
                          ":index {:t 1 :next-counter 2 :last-instant 3 :trees "
                          "[[nil 1 1] [nil 0 0] [nil 0 0] [nil 0 0] [nil 0 0] [nil 0 0] "
                          "[nil 0 0] [nil 0 0]]}",
                          ":index {:t 1 :next-counter 2 :last-instant 3}",
                          ":index {:t 1 :next-counter 2 :last-instant 3 :tiers [[[nil 0 0]]]}",
                          ":index {:t 1 :next-counter 2 :last-instant 3 :tiers [1]}"}) {
    std::string text =
        std::string(
            "{:format 1 :uuid #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\" :epoch 0 "
            ":t 0 ") +
        bad + "}";
    EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { internal::DecodeRoot(text, "root x"); }),
                          Category::kFault, ""))
        << bad;
  }
}

// A root written before tiers names one tier's current and history trees.
TEST(LogStoreTest, RootWithoutTiersReadsAsOneTier) {
  std::string text =
      "{:format 1 :uuid #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\" :epoch 0 :t 5 "
      ":index {:t 5 :next-counter 2 :last-instant 3 :trees "
      "[[#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf7\" 9 1] [nil 0 0] [nil 0 0] [nil 0 0] "
      "[nil 0 0] [nil 0 0] [nil 0 0] [#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf8\" 2 1]]}}";
  DbRoot root = internal::DecodeRoot(text, "root");
  ASSERT_TRUE(root.index.has_value());
  ASSERT_EQ(root.index->tiers.size(), 1u);
  const internal::Tier& tier = root.index->tiers[0];
  EXPECT_EQ(tier.at(Index::kEavt, internal::TierPart::kCurrent).count, 9);
  EXPECT_EQ(tier.at(Index::kVaet, internal::TierPart::kHistory).count, 2);
  EXPECT_TRUE(tier.at(Index::kEavt, internal::TierPart::kRetracts).empty());
  EXPECT_EQ(tier.datoms(), 9);
}

TEST(LogStoreTest, DamagedRootsAndBlobsAreFaults) {
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { internal::DecodeRoot("{:format 1}", "root x"); }),
                        Category::kFault, ""));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { internal::DecodeRoot("[1 2", "root x"); }),
                        Category::kFault, ""));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] {
                          internal::DecodeRoot(
                              "{:format 9 :uuid #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\" "
                              ":epoch 0 :t 0}",
                              "root x");
                        }),
                        Category::kUnsupported, ""));
  MemStorage storage;
  LogStore log(&storage, "db");
  uint64_t rev;
  DbRoot db;
  ASSERT_NO_FATAL_FAILURE(CreateWithOneEntry(&log, &rev, &db));
  // A root whose tail names a blob that is not there.
  DbRoot dangling = db;
  dangling.tail = internal::NewBlobKey();
  std::optional<Anomaly> a = CatchAnomaly([&] { log.ReadEntries(dangling, 0); });
  ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
  EXPECT_NE(a->message().find("missing"), std::string::npos);
  // A root whose t disagrees with its log, and a chain whose older blob is
  // not older: the log is damaged, not merely short.
  DbRoot ahead = db;
  ahead.t = 5000;
  a = CatchAnomaly([&] { log.ReadEntries(ahead, 0); });
  ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
  EXPECT_NE(a->message().find("out of order"), std::string::npos);
  ASSERT_TRUE(log.Append(&rev, &db, {Entry(900)}));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { log.ReadEntries(db, 0); }), Category::kFault, ""));
}

// The log blobs a root reaches without a packed part: the whole chain,
// newest first; a missing blob, or a chain that comes back on itself, is
// damage.
TEST(LogStoreTest, LogBlobsWalksTheChain) {
  MemStorage storage;
  LogStore log(&storage, "db");
  uint64_t rev;
  DbRoot db;
  ASSERT_NO_FATAL_FAILURE(CreateWithOneEntry(&log, &rev, &db));
  std::vector<Uuid> keys = {*db.tail};
  ASSERT_TRUE(log.Append(&rev, &db, {Entry(1004), Entry(1008)}));
  keys.insert(keys.begin(), *db.tail);
  ASSERT_TRUE(log.Append(&rev, &db, {Entry(1010)}));
  keys.insert(keys.begin(), *db.tail);
  EXPECT_EQ(log.LogBlobs(db), keys);
  EXPECT_TRUE(log.LogBlobs(DbRoot{}).empty());

  storage.Delete({keys[1]});
  std::optional<Anomaly> a = CatchAnomaly([&] { log.LogBlobs(db); });
  ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
  EXPECT_NE(a->message().find("missing"), std::string::npos);

  // A blob that names itself as the one before it.
  Uuid self = internal::NewBlobKey();
  std::string blob;
  BeginFrame("SLGB", 1, &blob);
  blob.push_back(1);
  blob.append(reinterpret_cast<const char*>(self.bytes.data()), 16);
  PutVarint(0, &blob);
  EndFrame(&blob);
  internal::StorageWrite w;
  w.blobs.emplace_back(self, blob);
  ASSERT_TRUE(storage.Commit(w));
  DbRoot cycle = db;
  cycle.tail = self;
  a = CatchAnomaly([&] { log.LogBlobs(cycle); });
  ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
}

// ForEachTree visits every tree of every tier, each with its index and part.
TEST(LogStoreTest, ForEachTreeVisitsEveryTree) {
  internal::IndexPointer pointer;
  pointer.tiers.resize(2);
  int64_t n = 0;
  for (internal::Tier& tier : pointer.tiers) {
    for (auto& parts : tier.trees) {
      for (internal::TreeRoot& tree : parts)
        tree = internal::TreeRoot{internal::NewBlobKey(), ++n, 1};
    }
  }
  std::vector<int64_t> counts;
  internal::ForEachTree(pointer,
                        [&](Index index, internal::TierPart part, const internal::TreeRoot& tree) {
                          size_t tier = counts.size() / 12;
                          EXPECT_EQ(tree, pointer.tiers[tier].at(index, part));
                          counts.push_back(tree.count);
                        });
  std::vector<int64_t> expected;
  for (int64_t i = 1; i <= 24; ++i) expected.push_back(i);
  EXPECT_EQ(counts, expected);
}

// ---- Packing into log segments

struct KeyLess {
  bool operator()(const Uuid& x, const Uuid& y) const { return x.bytes < y.bytes; }
};
using KeySet = std::set<Uuid, KeyLess>;

// A log being built and the plain list of its entries.
struct TestLog {
  MemStorage storage;
  LogStore log{&storage, "db"};
  uint64_t rev = 0;
  DbRoot db;
  std::vector<LogEntry> all;
  std::set<size_t> group_ends;  // the index in `all` of each group's last entry
  std::mt19937 rng{42};

  TestLog() {
    EXPECT_TRUE(log.Create());
    auto [root, read] = *log.ReadRoot();
    rev = root.rev;
    db = read;
  }

  // Appends `n` transactions in group commits of 1 to 6, t rising by 1 to
  // 3 (as when transactions make entities), 0 to 4 datoms each.
  void Append(int n) {
    int64_t t = all.empty() ? 0 : all.back().t;
    while (n > 0) {
      std::vector<LogEntry> group;
      int size = std::min(n, static_cast<int>(rng() % 6) + 1);
      for (int i = 0; i < size; ++i) {
        t += static_cast<int64_t>(rng() % 3) + 1;
        group.push_back(Entry(t, static_cast<int>(rng() % 5)));
      }
      ASSERT_TRUE(log.Append(&rev, &db, group));
      all.insert(all.end(), group.begin(), group.end());
      group_ends.insert(all.size() - 1);
      n -= size;
    }
  }

  // Packs up to `t` and publishes the pointer in the root.
  void Pack(int64_t t, const LogPackOptions& options) {
    std::optional<LogIndexPointer> pointer = log.PackLog(db, t, options);
    ASSERT_TRUE(pointer.has_value());
    db.log_index = pointer;
    ASSERT_TRUE(log.UpdateRoot(&rev, db));
    ASSERT_EQ(log.ReadRoot()->second.log_index, pointer);
  }

  // The t of every `stride`-th entry and of the last, the t after every
  // tenth of those (in a gap when there is one), and values before and
  // past the log.
  std::vector<int64_t> Points(size_t stride = 1) const {
    std::set<int64_t> points = {std::numeric_limits<int64_t>::min(), -1, 0,
                                std::numeric_limits<int64_t>::max()};
    for (size_t i = 0; i < all.size(); i += stride) {
      points.insert(all[i].t);
      if (i % (10 * stride) == 0) points.insert(all[i].t + 1);
    }
    if (!all.empty()) points.insert(all.back().t);
    return {points.begin(), points.end()};
  }

  KeySet Blobs() {
    KeySet keys;
    storage.ListBlobs([&](const Uuid& key) { keys.insert(key); });
    return keys;
  }
};

// Whether `got` is the entries of the plain list with start <= t < end.
bool IsRange(const std::vector<LogEntry>& got, const TestLog& log, int64_t start, int64_t end) {
  auto by_t = [](const LogEntry& e, int64_t t) { return e.t < t; };
  auto first = std::lower_bound(log.all.begin(), log.all.end(), start, by_t);
  auto last = std::lower_bound(first, log.all.end(), std::max(start, end), by_t);
  if (got.size() != static_cast<size_t>(last - first)) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].t != first[i].t || got[i].data != first[i].data) return false;
  }
  return true;
}

// Every [start, end) over `points` with end <= end_limit (and a few with
// end < start) reads as the plain list says, and so does the log after
// every point.
void ExpectEveryRange(const TestLog& log, const std::vector<int64_t>& points,
                      int64_t end_limit = std::numeric_limits<int64_t>::max()) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int checked = 0;
  for (int64_t start : points) {
    for (int64_t end : points) {
      if (end > end_limit || (end < start && end != points.front())) continue;
      ASSERT_TRUE(IsRange(log.log.ReadRange(log.db, start, end), log, start, end))
          << "[" << start << ", " << end << ")";
      ++checked;
    }
    if (end_limit != kMax) continue;
    ASSERT_TRUE(
        IsRange(log.log.ReadEntries(log.db, start), log, start == kMax ? kMax : start + 1, kMax))
        << "after " << start;
  }
  EXPECT_GT(checked, 0);
}

std::vector<LogSegmentRef> Directory(TestLog& log) {
  std::string bytes = *log.storage.Get(log.db.log_index->dir);
  return internal::DecodeLogDirectory(bytes, "dir");
}

LogPackOptions Small() {
  LogPackOptions options;
  options.max_entries = 16;
  options.max_bytes = 2048;
  return options;
}

TEST(LogPackTest, EveryRangeReadsTheSamePackedOrNot) {
  TestLog log;
  ASSERT_NO_FATAL_FAILURE(log.Append(200));
  std::vector<int64_t> points = log.Points(6);
  ASSERT_NO_FATAL_FAILURE(ExpectEveryRange(log, points));
  // Packed up to the middle of a group commit's blob.
  int64_t packed_t = log.all[150].t;
  ASSERT_NO_FATAL_FAILURE(log.Pack(packed_t, Small()));
  EXPECT_EQ(log.db.log_index->t, packed_t);
  std::vector<LogSegmentRef> dir = Directory(log);
  EXPECT_GE(dir.size(), 10u);
  EXPECT_EQ(dir.back().last_t, packed_t);
  ASSERT_NO_FATAL_FAILURE(log.Append(40));
  points = log.Points();
  ASSERT_NO_FATAL_FAILURE(ExpectEveryRange(log, points));
  // Ranges wholly inside the packed part read no chain blob: they read the
  // same with the whole chain gone.
  KeySet packed = {log.db.log_index->dir};
  for (const LogSegmentRef& s : dir) packed.insert(s.key);
  std::vector<Uuid> chain;
  for (const Uuid& key : log.Blobs()) {
    if (!packed.contains(key)) chain.push_back(key);
  }
  log.storage.Delete(chain);
  ASSERT_NO_FATAL_FAILURE(ExpectEveryRange(log, points, packed_t + 1));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { log.log.ReadRange(log.db, 0, packed_t + 2); }),
                        Category::kFault, ""));
}

TEST(LogPackTest, PackingAgainWritesOnlyTheNewSegments) {
  TestLog log;
  ASSERT_NO_FATAL_FAILURE(log.Append(100));
  ASSERT_NO_FATAL_FAILURE(log.Pack(log.all[90].t, Small()));
  std::vector<LogSegmentRef> first = Directory(log);
  ASSERT_GE(first.size(), 3u);
  // Nothing new: the same pointer, nothing written; a t with no new
  // entries up to it moves the pointer alone.
  size_t blobs = log.Blobs().size();
  EXPECT_EQ(log.log.PackLog(log.db, log.all[80].t, Small()), log.db.log_index);
  EXPECT_EQ(log.log.PackLog(log.db, log.all[90].t, Small()), log.db.log_index);
  EXPECT_EQ(log.log.PackLog(log.db, log.all[91].t - 1, Small()),
            (LogIndexPointer{log.all[91].t - 1, log.db.log_index->dir}));
  EXPECT_EQ(log.Blobs().size(), blobs);

  ASSERT_NO_FATAL_FAILURE(log.Append(150));
  KeySet before = log.Blobs();
  // Past the root's t: packs what there is.
  ASSERT_NO_FATAL_FAILURE(log.Pack(log.db.t + 1000, Small()));
  EXPECT_EQ(log.db.log_index->t, log.db.t);
  std::vector<LogSegmentRef> second = Directory(log);
  // The full segments are kept; a last one that was not full took the
  // first new entries.
  size_t kept = first.back().count == Small().max_entries ? first.size() : first.size() - 1;
  ASSERT_GT(second.size(), kept);
  for (size_t i = 0; i < kept; ++i) EXPECT_EQ(second[i], first[i]) << i;
  if (kept < first.size()) {
    EXPECT_EQ(second[kept].first_t, first[kept].first_t);
  }
  for (size_t i = 0; i + 1 < second.size(); ++i) {
    EXPECT_EQ(second[i].count, Small().max_entries) << "segment " << i << " is not full";
  }
  EXPECT_EQ(second.back().last_t, log.db.t);
  // Written: the new segments and the directory.
  EXPECT_EQ(log.Blobs().size() - before.size(), second.size() - kept + 1);
  ASSERT_NO_FATAL_FAILURE(log.Append(30));
  ASSERT_NO_FATAL_FAILURE(ExpectEveryRange(log, log.Points(4)));
}

TEST(LogPackTest, SegmentsCloseAtTheirByteBound) {
  TestLog log;
  ASSERT_NO_FATAL_FAILURE(log.Append(60));
  LogPackOptions options;
  options.max_bytes = 200;
  ASSERT_NO_FATAL_FAILURE(log.Pack(log.db.t, options));
  std::vector<LogSegmentRef> dir = Directory(log);
  EXPECT_GT(dir.size(), 3u);
  int64_t total = 0;
  for (const LogSegmentRef& s : dir) total += s.count;
  EXPECT_EQ(total, 60);
  ASSERT_NO_FATAL_FAILURE(ExpectEveryRange(log, log.Points()));
}

// What LogBlobs lists is all the log needs: with every other blob deleted,
// every range reads the same, before and after more appends and packing.
TEST(LogPackTest, TheLogNeedsOnlyTheBlobsItLists) {
  for (bool at_blob_end : {false, true}) {
    TestLog log;
    ASSERT_NO_FATAL_FAILURE(log.Append(120));
    KeySet chain = log.Blobs();
    std::vector<Uuid> listed = log.log.LogBlobs(log.db);
    EXPECT_EQ(KeySet(listed.begin(), listed.end()), chain);
    // Packed up to the end of a group commit's blob (the walk back to the
    // packed t then stops at the blob wholly before it), or into one.
    size_t cut = 100;
    while (log.group_ends.contains(cut) != at_blob_end) ++cut;
    int64_t packed_t = log.all[cut].t;
    ASSERT_NO_FATAL_FAILURE(log.Pack(packed_t, Small()));
    listed = log.log.LogBlobs(log.db);
    KeySet needed(listed.begin(), listed.end());
    EXPECT_EQ(needed.size(), listed.size()) << "listed twice";
    EXPECT_TRUE(needed.contains(log.db.log_index->dir));
    EXPECT_TRUE(needed.contains(*log.db.tail));
    std::vector<Uuid> garbage;
    for (const Uuid& key : log.Blobs()) {
      if (!needed.contains(key)) garbage.push_back(key);
    }
    EXPECT_GT(garbage.size(), 10u);
    log.storage.Delete(garbage);
    ASSERT_NO_FATAL_FAILURE(ExpectEveryRange(log, log.Points(5)));
    ASSERT_NO_FATAL_FAILURE(log.Append(50));
    ASSERT_NO_FATAL_FAILURE(log.Pack(log.all[150].t, Small()));
    ASSERT_NO_FATAL_FAILURE(ExpectEveryRange(log, log.Points(5)));
  }
}

TEST(LogPackTest, DamageToThePackedLogIsAFault) {
  TestLog log;
  ASSERT_NO_FATAL_FAILURE(log.Append(80));
  ASSERT_NO_FATAL_FAILURE(log.Pack(log.all[60].t, Small()));
  std::vector<LogSegmentRef> dir = Directory(log);
  auto fault = [&](const DbRoot& db, std::string_view words) {
    std::optional<Anomaly> a = CatchAnomaly([&] { log.log.ReadRange(db, 0, log.all[5].t); });
    ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
    EXPECT_NE(a->message().find(words), std::string::npos) << a->message();
  };
  // A directory that is not there.
  DbRoot db = log.db;
  db.log_index->dir = internal::NewBlobKey();
  fault(db, "missing");
  // A pointer past the root's t.
  db = log.db;
  db.log_index->t = db.t + 1;
  fault(db, "past its :t");
  // A directory reaching past its pointer's t.
  db = log.db;
  db.log_index->t = dir.back().last_t - 1;
  fault(db, "reaches past");
  // A directory whose entry disagrees with its segment.
  std::vector<LogSegmentRef> wrong = dir;
  wrong[0].count -= 1;
  auto write_dir = [&](const std::vector<LogSegmentRef>& refs) {
    internal::StorageWrite w;
    Uuid key = internal::NewBlobKey();
    w.blobs.emplace_back(key, internal::EncodeLogDirectory(refs));
    EXPECT_TRUE(log.storage.Commit(w));
    DbRoot out = log.db;
    out.log_index->dir = key;
    return out;
  };
  fault(write_dir(wrong), "where its log directory lists");
  wrong = dir;
  std::swap(wrong[0].key, wrong[1].key);
  fault(write_dir(wrong), "where its log directory lists");
  // A segment that is not there, or damaged.
  wrong = dir;
  wrong[0].key = internal::NewBlobKey();
  fault(write_dir(wrong), "missing");
  internal::StorageWrite w;
  Uuid key = internal::NewBlobKey();
  std::string bytes = *log.storage.Get(dir[0].key);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 4);
  w.blobs.emplace_back(key, bytes);
  ASSERT_TRUE(log.storage.Commit(w));
  wrong = dir;
  wrong[0].key = key;
  fault(write_dir(wrong), "checksum");
  // A directory that is no directory.
  wrong = dir;
  db = log.db;
  db.log_index->dir = dir[0].key;
  fault(db, "bad magic");
}

TEST(LogPackTest, RootsCarryTheLogIndexPointer) {
  DbRoot root;
  root.uuid = internal::NewBlobKey();
  root.t = 1042;
  root.tail = internal::NewBlobKey();
  root.log_index = LogIndexPointer{1000, internal::NewBlobKey()};
  std::string text = internal::EncodeRoot(root);
  EXPECT_NE(text.find(":log-index {"), std::string::npos) << text;
  DbRoot back = internal::DecodeRoot(text, "root");
  EXPECT_EQ(back.log_index, root.log_index);
  EXPECT_FALSE(back.index.has_value());
  root.log_index.reset();
  EXPECT_FALSE(internal::DecodeRoot(internal::EncodeRoot(root), "root").log_index.has_value());
  std::optional<Anomaly> a = CatchAnomaly([] {
    internal::DecodeRoot(
        "{:format 1 :uuid #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\" :epoch 0 :t 0 "
        ":log-index {:t 5}}",
        "root x");
  });
  ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
  EXPECT_NE(a->message().find("root x"), std::string::npos);
}

}  // namespace
}  // namespace strata::testing
