// Garbage collection over the mem and LMDB backends: what a root reaches is
// exactly what reading its database touches; a pass deletes exactly the
// unreachable blobs made before its cutoff, and afterwards every view of
// every database and its log read as before; a deleted database's blobs go,
// another's stay; unpublished writes go once old; keys without a time and
// everything else stay when the pass cannot see the whole picture.
#include "log/gc.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "index/durable_tree.h"
#include "storage/lmdb_storage.h"
#include "storage/mem_storage.h"
#include "storage/storage_conformance.h"
#include "testing/durable_test_util.h"
#include "testing/test_util.h"
#include "transactor/durable_transactor.h"

namespace strata::testing {
namespace {

using internal::BlobSet;
using internal::CollectGarbage;
using internal::DbRoot;
using internal::DurableTransactor;
using internal::GcStats;
using internal::LogStore;
using internal::MemStorage;
using internal::NewBlobKeyAt;
using internal::Storage;
using internal::StorageWrite;
using internal::UnixTimeMs;

// A storage that passes every call on to another, recording the blobs read
// and the size of every Delete.
class RecordingStorage : public Storage {
 public:
  explicit RecordingStorage(std::shared_ptr<Storage> inner) : inner_(std::move(inner)) {}

  std::optional<std::string> Get(const Uuid& key) override {
    {
      std::lock_guard lock(mutex_);
      read_.insert(key);
    }
    return inner_->Get(key);
  }
  std::optional<internal::Root> GetRoot(std::string_view name) override {
    return inner_->GetRoot(name);
  }
  bool Commit(const StorageWrite& w) override { return inner_->Commit(w); }
  void Delete(const std::vector<Uuid>& keys) override {
    {
      std::lock_guard lock(mutex_);
      deletes_.push_back(keys.size());
    }
    inner_->Delete(keys);
  }
  void ListBlobs(const std::function<void(const Uuid&)>& f) override { inner_->ListBlobs(f); }
  std::vector<std::string> ListRoots(std::string_view prefix) override {
    return inner_->ListRoots(prefix);
  }

  BlobSet read() const {
    std::lock_guard lock(mutex_);
    return read_;
  }
  std::vector<size_t> deletes() const {
    std::lock_guard lock(mutex_);
    return deletes_;
  }

 private:
  std::shared_ptr<Storage> inner_;
  mutable std::mutex mutex_;
  BlobSet read_;                 // GUARDED_BY(mutex_)
  std::vector<size_t> deletes_;  // GUARDED_BY(mutex_)
};

constexpr std::string_view kSchema = R"([
  {:db/ident :k/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :k/half :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :k/next :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}])";

// Creates database `name` and transacts items from `first` on, with
// retractions and refs, until indexing jobs have replaced segments a few
// times.
void Fill(const std::shared_ptr<Storage>& storage, const std::string& name, int first) {
  ASSERT_TRUE(LogStore(storage.get(), name).Create());
  DurableTransactor tx(storage, name, TinyIndexing());
  tx.Transact(ReadEdn(kSchema));
  for (int i = first; i < first + 60 || (tx.index_jobs() < 3 && i < first + 2000); ++i) {
    std::string next = i > first ? fmt::format(":k/next [:k/n {}]", i - 1) : "";
    tx.Transact(ReadEdn(fmt::format("[{{:k/n {} :k/half {} {}}}]", i, i, next)));
    if (i % 4 == 3) tx.Transact(ReadEdn(fmt::format("[[:db/add [:k/n {}] :k/half {}]]", i, -i)));
  }
  ASSERT_GE(tx.index_jobs(), 3);
}

// Everything a database says: every index now, as of half its history, and
// with its history, and its log.
struct Picture {
  int64_t basis_t = 0;
  std::vector<std::vector<Datom>> views;
  std::vector<int64_t> log_ts;
  std::vector<std::vector<Datom>> log_data;
};

Picture Take(const std::shared_ptr<Storage>& storage, const std::string& name) {
  DurableTransactor tx(storage, name);
  Database db = tx.Db();
  Picture p;
  p.basis_t = db.basis_t();
  for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
    p.views.push_back(Dump(db, index));
    p.views.push_back(Dump(db.AsOf(L(db.basis_t() / 2)), index));
    p.views.push_back(Dump(db.History(), index));
  }
  for (const LogEntry& e : tx.log().TxRange(std::nullopt, std::nullopt)) {
    p.log_ts.push_back(e.t);
    p.log_data.push_back(e.data);
  }
  return p;
}

void ExpectSame(const Picture& a, const Picture& b) {
  EXPECT_EQ(a.basis_t, b.basis_t);
  ASSERT_EQ(a.views.size(), b.views.size());
  for (size_t i = 0; i < a.views.size(); ++i) EXPECT_EQ(a.views[i], b.views[i]) << "view " << i;
  EXPECT_EQ(a.log_ts, b.log_ts);
  EXPECT_EQ(a.log_data, b.log_data);
}

BlobSet AllBlobs(Storage& storage) {
  BlobSet out;
  storage.ListBlobs([&](const Uuid& key) { out.insert(key); });
  return out;
}

DbRoot RootOf(Storage& storage, const std::string& name) {
  return LogStore(&storage, name).ReadRoot()->second;
}

BlobSet ReachableFrom(Storage& storage, const std::string& name) {
  return internal::ReachableBlobs(&storage, nullptr, name, RootOf(storage, name));
}

BlobSet Minus(const BlobSet& a, const BlobSet& b) {
  BlobSet out;
  for (const Uuid& key : a) {
    if (!b.contains(key)) out.insert(key);
  }
  return out;
}

// Waits until the clock has passed the making of every blob in storage;
// returns the time then, a cutoff older than none of them.
int64_t AfterEveryBlob(Storage& storage) {
  int64_t newest = 0;
  for (const Uuid& key : AllBlobs(storage)) {
    newest = std::max(newest, internal::BlobKeyTimeMs(key).value_or(0));
  }
  while (UnixTimeMs() <= newest) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return UnixTimeMs();
}

// Commits `blob` under `key` with no root: a write never published.
void Unpublished(Storage& storage, const Uuid& key, std::string blob = "orphan") {
  StorageWrite w;
  w.blobs.emplace_back(key, std::move(blob));
  ASSERT_TRUE(storage.Commit(w));
}

struct Backend {
  std::string name;
  bool lmdb = false;
};

// Shows a backend by its name in gtest failure messages (found by ADL).
void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

class GcTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { Reopen(); }

  // Closes the storage and opens it again, as a new process would (the mem
  // storage stays as it is).
  // REQUIRES: nothing else holds storage_ (LMDB opens a directory once).
  void Reopen() {
    if (!GetParam().lmdb) {
      if (storage_ == nullptr) storage_ = std::make_shared<MemStorage>();
      return;
    }
    storage_.reset();
    storage_ = internal::LmdbStorage::Open(dir_.path());
  }

  TempDir dir_;
  std::shared_ptr<Storage> storage_;
};

// What ReachableBlobs finds is what reading every view of the database and
// its whole log touches, no more and no less.
TEST_P(GcTest, ARootReachesWhatReadingItsDatabaseTouches) {
  ASSERT_NO_FATAL_FAILURE(Fill(storage_, "db", 0));
  auto recording = std::make_shared<RecordingStorage>(storage_);
  Take(recording, "db");
  BlobSet reachable = ReachableFrom(*storage_, "db");
  EXPECT_EQ(recording->read(), reachable);
  DbRoot root = RootOf(*storage_, "db");
  ASSERT_TRUE(root.index.has_value());
  EXPECT_TRUE(reachable.contains(*root.tail));
  // Indexing jobs replaced segments: some blobs are garbage.
  EXPECT_GT(AllBlobs(*storage_).size(), reachable.size());
}

// A cutoff before anything was written deletes nothing; a cutoff after
// everything deletes exactly the unreachable blobs, and the database reads
// as before, after reopening too, and takes new transactions.
TEST_P(GcTest, APassDeletesExactlyTheUnreachableBlobsOlderThanTheCutoff) {
  int64_t start = UnixTimeMs();
  ASSERT_NO_FATAL_FAILURE(Fill(storage_, "db", 0));
  Picture before = Take(storage_, "db");
  BlobSet all = AllBlobs(*storage_);
  BlobSet reachable = ReachableFrom(*storage_, "db");
  BlobSet garbage = Minus(all, reachable);
  ASSERT_FALSE(garbage.empty());

  GcStats stats = CollectGarbage(storage_.get(), nullptr, start, UnixTimeMs());
  EXPECT_EQ(stats.databases, 1);
  EXPECT_EQ(stats.blobs, static_cast<int64_t>(all.size()));
  EXPECT_EQ(stats.reachable, static_cast<int64_t>(reachable.size()));
  EXPECT_EQ(stats.deleted, 0);
  EXPECT_EQ(stats.too_young, static_cast<int64_t>(garbage.size()));
  EXPECT_EQ(stats.unknown_age, 0);
  EXPECT_EQ(AllBlobs(*storage_), all);

  int64_t cutoff = AfterEveryBlob(*storage_);
  stats = CollectGarbage(storage_.get(), nullptr, cutoff, cutoff);
  EXPECT_EQ(stats.deleted, static_cast<int64_t>(garbage.size()));
  EXPECT_EQ(stats.too_young, 0);
  EXPECT_EQ(AllBlobs(*storage_), reachable);

  Reopen();
  ExpectSame(Take(storage_, "db"), before);
  {
    DurableTransactor tx(storage_, "db", TinyIndexing());
    tx.Transact(ReadEdn("[{:k/n 100000 :k/half 1}]"));
    EXPECT_EQ(Dump(tx.Db(), Index::kAvet, {K("k/n"), L(100000)}).size(), 1u);
  }
  // Nothing was left behind: a second pass finds only what the new
  // transaction (and any indexing job it started) replaced.
  BlobSet now_reachable = ReachableFrom(*storage_, "db");
  cutoff = AfterEveryBlob(*storage_);
  stats = CollectGarbage(storage_.get(), nullptr, cutoff, cutoff);
  EXPECT_EQ(AllBlobs(*storage_), now_reachable);
}

// A compaction retires segments made long before it: gc keeps them until
// their retirement, not their making, is older than the cutoff, so a
// database value taken before the compaction still reads every datom.
TEST_P(GcTest, RetiredSegmentsLiveUntilTheirRetirementIsOld) {
  ASSERT_NO_FATAL_FAILURE(Fill(storage_, "db", 0));
  DurableTransactor tx(storage_, "db", TinyIndexing());
  Database old_db = tx.Db();
  std::vector<Datom> old_history = Dump(old_db.History());
  int64_t made_before = AfterEveryBlob(*storage_);
  // More items until compactions after made_before have retired segments
  // made before it.
  BlobSet retired;
  auto old_retired = [&] {
    retired = internal::RecentlyRetired(storage_.get(), "db", RootOf(*storage_, "db"), made_before);
    size_t n = 0;
    for (const Uuid& key : retired) {
      if (internal::BlobKeyTimeMs(key).value_or(INT64_MAX) < made_before) ++n;
    }
    return n;
  };
  for (int i = 10'000; i < 14'000 && (i % 20 != 0 || old_retired() == 0); ++i) {
    tx.Transact(ReadEdn(fmt::format("[{{:k/n {} :k/half {}}}]", i, i)));
  }
  ASSERT_GT(old_retired(), 0u);

  // Made before the cutoff, retired after it: kept.
  CollectGarbage(storage_.get(), nullptr, made_before, UnixTimeMs());
  for (const Uuid& key : retired) EXPECT_TRUE(storage_->Get(key).has_value());
  EXPECT_EQ(Dump(old_db.History()), old_history);

  // Once the retirement is older than the cutoff, they go. (First the
  // writer's jobs end: a cutoff of now leaves no margin for one.)
  tx.SyncIndex(tx.Db().basis_t());
  for (int i = 0;
       i < 500 && internal::NeedsCompaction(*tx.Db().state().durable, TinyIndexing().tier_ratio);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  int64_t cutoff = AfterEveryBlob(*storage_);
  CollectGarbage(storage_.get(), nullptr, cutoff, cutoff);
  for (const Uuid& key : retired) EXPECT_FALSE(storage_->Get(key).has_value());
  EXPECT_EQ(Dump(tx.Db()).size(), Dump(DurableTransactor(storage_, "db").Db()).size());
}

// A garbage record reads back as written; damage is a fault naming it.
TEST(GarbageRecordTest, RoundTripsAndDamageIsAFault) {
  internal::GarbageRecord record{internal::NewBlobKey(),
                                 {internal::NewBlobKey(), internal::NewBlobKey()}};
  internal::GarbageRecord back =
      internal::DecodeGarbageRecord(internal::EncodeGarbageRecord(record), "r");
  EXPECT_EQ(back.prev, record.prev);
  EXPECT_EQ(back.retired, record.retired);
  for (std::string_view bad :
       {"", "{", "[]", "{:retired 1}", "{:retired [1]}", "{:retired [] :prev 2}"}) {
    std::optional<Anomaly> a =
        CatchAnomaly([&] { internal::DecodeGarbageRecord(bad, "garbage record x"); });
    ASSERT_TRUE(IsAnomaly(a, Category::kFault, "")) << bad;
    EXPECT_NE(a->message().find("garbage record x"), std::string::npos) << bad;
  }
}

// A deleted database's blobs are all garbage; another database in the same
// storage keeps every one of its own.
TEST_P(GcTest, ADeletedDatabaseIsReclaimedAndTheOthersKept) {
  ASSERT_NO_FATAL_FAILURE(Fill(storage_, "gone", 0));
  ASSERT_NO_FATAL_FAILURE(Fill(storage_, "kept", 5000));
  Picture kept_before = Take(storage_, "kept");
  BlobSet gone = ReachableFrom(*storage_, "gone");
  BlobSet kept = ReachableFrom(*storage_, "kept");
  ASSERT_TRUE(LogStore(storage_.get(), "gone").Delete());

  int64_t cutoff = AfterEveryBlob(*storage_);
  GcStats stats = CollectGarbage(storage_.get(), nullptr, cutoff, cutoff);
  EXPECT_EQ(stats.databases, 1);
  EXPECT_EQ(stats.reachable, static_cast<int64_t>(kept.size()));
  EXPECT_GE(stats.deleted, static_cast<int64_t>(gone.size()));
  EXPECT_EQ(AllBlobs(*storage_), kept);
  Reopen();
  ExpectSame(Take(storage_, "kept"), kept_before);
}

// Blobs committed and never published (a writer that failed or died before
// its root CAS) go once they are older than the cutoff.
TEST_P(GcTest, UnpublishedWritesAreCollectedOnceOld) {
  ASSERT_TRUE(LogStore(storage_.get(), "db").Create());
  DurableTransactor(storage_, "db").Transact(ReadEdn(kSchema));
  BlobSet live = AllBlobs(*storage_);
  Uuid a = NewBlobKeyAt(1'000'000), b = NewBlobKeyAt(2'000'000), c = NewBlobKeyAt(3'000'000);
  for (const Uuid& key : {a, b, c}) ASSERT_NO_FATAL_FAILURE(Unpublished(*storage_, key));

  GcStats stats = CollectGarbage(storage_.get(), nullptr, 2'000'000, 2'500'000);
  EXPECT_EQ(stats.deleted, 1);
  EXPECT_EQ(stats.too_young, 2);  // made at the cutoff, and after it
  EXPECT_EQ(storage_->Get(a), std::nullopt);
  EXPECT_NE(storage_->Get(b), std::nullopt);

  // A tree an indexing job built and never published.
  std::vector<Datom> datoms;
  for (int64_t e = 1; e <= 100; ++e) {
    datoms.push_back(Datom{MakeEntityId(kPartUser, e), 72, L(e), TxFromT(1000), true});
  }
  internal::SpanCursor cursor(datoms);
  internal::TreeOptions options;
  options.leaf_datoms = 8;
  options.fanout = 4;
  internal::TreeStats built;
  internal::BuildTree(storage_.get(), Index::kEavt, cursor, options, &built);
  ASSERT_GT(built.new_keys.size(), 1u);

  int64_t cutoff = AfterEveryBlob(*storage_);
  stats = CollectGarbage(storage_.get(), nullptr, cutoff, cutoff);
  EXPECT_EQ(stats.deleted, static_cast<int64_t>(built.new_keys.size()) + 2);
  EXPECT_EQ(AllBlobs(*storage_), live);
  EXPECT_EQ(
      Dump(DurableTransactor(storage_, "db").Db(), Index::kAevt, {K("db/ident"), K("k/n")}).size(),
      1u);
}

// Keys of version 4, from older versions of Strata, do not say when they
// were made: they are never deleted.
TEST_P(GcTest, KeysWithoutATimeAreKept) {
  Uuid v4;
  ASSERT_TRUE(Uuid::Parse("f81d4fae-7dec-41d0-a765-00a0c91e6bf6", &v4));
  ASSERT_NO_FATAL_FAILURE(Unpublished(*storage_, v4));
  ASSERT_NO_FATAL_FAILURE(Unpublished(*storage_, NewBlobKeyAt(1000)));
  int64_t now = UnixTimeMs();
  GcStats stats = CollectGarbage(storage_.get(), nullptr, now, now);
  EXPECT_EQ(stats.blobs, 2);
  EXPECT_EQ(stats.deleted, 1);
  EXPECT_EQ(stats.unknown_age, 1);
  EXPECT_EQ(AllBlobs(*storage_), BlobSet{v4});
}

// A cutoff in the future would delete blobs being written now.
TEST_P(GcTest, ACutoffInTheFutureIsIncorrect) {
  ASSERT_NO_FATAL_FAILURE(Unpublished(*storage_, NewBlobKeyAt(1000)));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { CollectGarbage(storage_.get(), nullptr, 5001, 5000); }),
                        Category::kIncorrect, "db.error/invalid-gc-cutoff"));
  EXPECT_EQ(AllBlobs(*storage_).size(), 1u);
  EXPECT_EQ(CollectGarbage(storage_.get(), nullptr, 5000, 5000).deleted, 1);
}

// A root that cannot be read, or a segment or log blob a root names that
// is missing, stops the pass before it deletes anything.
TEST_P(GcTest, DamageStopsThePassBeforeItDeletesAnything) {
  ASSERT_NO_FATAL_FAILURE(Fill(storage_, "db", 0));
  Uuid orphan = NewBlobKeyAt(1000);
  ASSERT_NO_FATAL_FAILURE(Unpublished(*storage_, orphan));
  BlobSet all = AllBlobs(*storage_);
  int64_t cutoff = AfterEveryBlob(*storage_);
  auto pass = [&] { CollectGarbage(storage_.get(), nullptr, cutoff, cutoff); };

  // Damaged roots, and a root of a newer format this version cannot walk.
  for (const char* text : {"[1 2", "{:format 1}",
                           "{:format 2 :uuid #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\" "
                           ":epoch 0 :t 0}"}) {
    ASSERT_TRUE(storage_->Commit(Cas("db/other", 0, text)));
    std::optional<Anomaly> a = CatchAnomaly(pass);
    EXPECT_TRUE(a && (a->category() == Category::kFault || a->category() == Category::kUnsupported))
        << text;
    EXPECT_EQ(AllBlobs(*storage_), all) << text;
    ASSERT_TRUE(storage_->Commit(Cas("db/other", 1, std::nullopt)));
  }

  // A missing directory segment.
  DbRoot root = RootOf(*storage_, "db");
  Uuid eavt = *root.index->tiers.at(0).trees[0][0].root;
  std::string segment = *storage_->Get(eavt);
  storage_->Delete({eavt});
  all.erase(eavt);
  EXPECT_TRUE(IsAnomaly(CatchAnomaly(pass), Category::kFault, ""));
  EXPECT_EQ(AllBlobs(*storage_), all);
  ASSERT_NO_FATAL_FAILURE(Unpublished(*storage_, eavt, segment));
  all.insert(eavt);

  // A missing log blob.
  Uuid tail = *root.tail;
  std::string blob = *storage_->Get(tail);
  storage_->Delete({tail});
  all.erase(tail);
  EXPECT_TRUE(IsAnomaly(CatchAnomaly(pass), Category::kFault, ""));
  EXPECT_EQ(AllBlobs(*storage_), all);
  ASSERT_NO_FATAL_FAILURE(Unpublished(*storage_, tail, blob));

  // Repaired, the pass deletes the garbage.
  pass();
  EXPECT_EQ(storage_->Get(orphan), std::nullopt);
  EXPECT_EQ(AllBlobs(*storage_), ReachableFrom(*storage_, "db"));
}

INSTANTIATE_TEST_SUITE_P(Backends, GcTest,
                         ::testing::Values(Backend{"mem", false}, Backend{"lmdb", true}),
                         [](const ::testing::TestParamInfo<Backend>& backend) {
                           return backend.param.name;
                         });

// Deletes go to storage in batches.
TEST(GcBatchTest, DeletesGoInBatches) {
  auto storage = std::make_shared<RecordingStorage>(std::make_shared<MemStorage>());
  for (int i = 0; i < 2500; ++i) {
    ASSERT_NO_FATAL_FAILURE(Unpublished(*storage, NewBlobKeyAt(1000 + i)));
  }
  GcStats stats = CollectGarbage(storage.get(), nullptr, 1'000'000, 1'000'000);
  EXPECT_EQ(stats.deleted, 2500);
  EXPECT_EQ(storage->deletes(), (std::vector<size_t>{1000, 1000, 500}));
  EXPECT_TRUE(AllBlobs(*storage).empty());
}

// A storage that fails while the pass lists or deletes: the anomaly
// propagates, and a pass after it finishes the work.
TEST(GcFailureTest, StorageAnomaliesPropagate) {
  using Fault = MemStorage::Fault;
  for (MemStorage::Op failing : {MemStorage::Op::kList, MemStorage::Op::kGetRoot,
                                 MemStorage::Op::kGet, MemStorage::Op::kDelete}) {
    auto storage = std::make_shared<MemStorage>();
    ASSERT_TRUE(LogStore(storage.get(), "db").Create());
    DurableTransactor(storage, "db").Transact(ReadEdn(kSchema));
    ASSERT_NO_FATAL_FAILURE(Unpublished(*storage, NewBlobKeyAt(1000)));
    BlobSet all = AllBlobs(*storage);
    int64_t cutoff = AfterEveryBlob(*storage);
    storage->SetFaultPlan([&](MemStorage::Op op, uint64_t) {
      return op == failing ? Fault::kUnavailable : Fault::kNone;
    });
    EXPECT_TRUE(
        IsAnomaly(CatchAnomaly([&] { CollectGarbage(storage.get(), nullptr, cutoff, cutoff); }),
                  Category::kUnavailable, ""))
        << static_cast<int>(failing);
    storage->SetFaultPlan(nullptr);
    EXPECT_EQ(AllBlobs(*storage), all);
    EXPECT_EQ(CollectGarbage(storage.get(), nullptr, cutoff, cutoff).deleted, 1);
  }
}

}  // namespace
}  // namespace strata::testing
