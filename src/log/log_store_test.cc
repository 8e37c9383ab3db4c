// The log in storage: create, append in groups, read back from any t, CAS
// against a stale writer, and crashes at every point of an append with the
// mem backend's fault injection.
#include "log/log_store.h"

#include <gtest/gtest.h>

#include "core/value_codec.h"
#include "storage/mem_storage.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::DbRoot;
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

// The log blobs a root reaches, newest first; a missing blob, or a chain
// that comes back on itself, is damage.
TEST(LogStoreTest, ListLogBlobsWalksTheChain) {
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
  EXPECT_EQ(log.ListLogBlobs(db), keys);
  EXPECT_TRUE(log.ListLogBlobs(DbRoot{}).empty());

  storage.Delete({keys[1]});
  std::optional<Anomaly> a = CatchAnomaly([&] { log.ListLogBlobs(db); });
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
  a = CatchAnomaly([&] { log.ListLogBlobs(cycle); });
  ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
  EXPECT_NE(a->message().find("comes back on itself"), std::string::npos);
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

}  // namespace
}  // namespace strata::testing
