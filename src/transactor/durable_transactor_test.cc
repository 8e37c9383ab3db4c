// The durable transactor over the mem backend: restart replays the log,
// group commit under concurrent writers, two writers on one database,
// indexing jobs beside writers and opening from the index, and a crash or a
// storage failure at every commit: nothing acknowledged is lost, nothing
// half-written is visible, and the database stays usable.
#include "transactor/durable_transactor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "storage/mem_storage.h"
#include "testing/durable_test_util.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::DbRoot;
using internal::DurableTransactor;
using internal::LogStore;
using internal::MemStorage;

constexpr std::string_view kSchema = R"([
  {:db/ident :k/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :k/half :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])";

// [{:k/n i :k/half i}]: one entity whose two datoms must come together.
Value Item(int64_t i) {
  return Value::Vector({Value::Map({{K("k/n"), L(i)}, {K("k/half"), L(i)}})});
}

std::shared_ptr<MemStorage> NewStorage() {
  auto storage = std::make_shared<MemStorage>();
  EXPECT_TRUE(LogStore(storage.get(), "db").Create());
  return storage;
}

// The :k/n values in the database, each checked to have its :k/half.
std::set<int64_t> Items(const Database& db) {
  std::set<int64_t> items;
  for (const Datom& d : Dump(db, Index::kAevt, {K("k/n")})) {
    std::vector<Datom> half = Dump(db, Index::kEavt, {L(d.e), K("k/half")});
    EXPECT_EQ(half.size(), 1u) << "item " << PrintEdn(d.v) << " is half-written";
    items.insert(d.v.AsLong());
  }
  return items;
}

TEST(DurableTransactorTest, ReopeningReplaysTheLog) {
  auto storage = NewStorage();
  std::vector<Datom> before;
  int64_t basis = 0, next = 0;
  {
    DurableTransactor tx(storage, "db");
    tx.Transact(ReadEdn(kSchema));
    for (int i = 0; i < 20; ++i) tx.Transact(Item(i));
    tx.Transact(ReadEdn("[[:db/retractEntity [:k/n 3]]]"));
    before = Dump(tx.Db());
    basis = tx.Db().basis_t();
    next = tx.Db().next_t();
  }
  DurableTransactor reopened(storage, "db");
  EXPECT_EQ(Dump(reopened.Db()), before);
  EXPECT_EQ(reopened.Db().basis_t(), basis);
  EXPECT_EQ(reopened.Db().next_t(), next);
  // The log reads back from storage, the bootstrap first.
  std::vector<LogEntry> log = reopened.log().TxRange(std::nullopt, std::nullopt);
  ASSERT_EQ(log.size(), 23u);
  EXPECT_EQ(log.front().t, 0);
  EXPECT_EQ(log.back().t, basis);
  EXPECT_EQ(reopened.log().TxRange(basis, std::nullopt).size(), 1u);
}

TEST(DurableTransactorTest, AMissingDatabaseIsNotFound) {
  auto storage = std::make_shared<MemStorage>();
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { DurableTransactor tx(storage, "nope"); }),
                        Category::kNotFound, "db.error/db-not-found"));
}

TEST(DurableTransactorTest, ConcurrentWritersShareGroupCommits) {
  auto storage = NewStorage();
  DurableTransactor tx(storage, "db");
  tx.Transact(ReadEdn(kSchema));
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&tx, t] {
      for (int i = 0; i < kEach; ++i) tx.Transact(Item(t * 1000 + i));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Items(tx.Db()).size(), size_t{kThreads * kEach});
  size_t blobs = 0;
  storage->ListBlobs([&](const Uuid&) { ++blobs; });
  EXPECT_LE(blobs, size_t{kThreads * kEach + 1});
  EXPECT_EQ(Items(DurableTransactor(storage, "db").Db()).size(), size_t{kThreads * kEach});
}

// Two transactors on one storage stand for two processes on one database.
TEST(DurableTransactorTest, TwoWritersOnOneDatabaseSerialize) {
  auto storage = NewStorage();
  DurableTransactor a(storage, "db");
  DurableTransactor b(storage, "db");
  a.Transact(ReadEdn(kSchema));
  std::thread ta([&] {
    for (int i = 0; i < 30; ++i) a.Transact(Item(i));
  });
  std::thread tb([&] {
    for (int i = 100; i < 130; ++i) b.Transact(Item(i));
  });
  ta.join();
  tb.join();
  // Each sees the other's commits the next time it takes a database.
  EXPECT_EQ(Items(a.Db()).size(), 60u);
  EXPECT_EQ(Dump(a.Db()), Dump(b.Db()));
  std::vector<LogEntry> log = a.log().TxRange(std::nullopt, std::nullopt);
  for (size_t i = 1; i < log.size(); ++i) EXPECT_LT(log[i - 1].t, log[i].t);
}

// A writer whose database is behind the log (another process committed
// since) never answers from it: neither a success nor a failure is given
// before the transaction has run on the log's end.
TEST(DurableTransactorTest, TransactionsAreJudgedOnTheLogsEnd) {
  auto storage = NewStorage();
  DurableTransactor a(storage, "db");
  DurableTransactor b(storage, "db");
  a.Transact(ReadEdn(kSchema));
  // b has not seen the schema: run on its stale database, this would fail.
  b.Transact(Item(1));
  a.Transact(ReadEdn("[[:db/add [:k/n 1] :k/half 5]]"));
  b.Transact(ReadEdn("[[:db/cas [:k/n 1] :k/half 5 6]]"));
  std::vector<Datom> half =
      Dump(a.Db(), Index::kEavt, {L(a.Db().EntidOrThrow(ReadEdn("[:k/n 1]"))), K("k/half")});
  ASSERT_EQ(half.size(), 1u);
  EXPECT_EQ(half[0].v, L(6));
  // A transaction that fails on the log's end fails, and says why.
  EXPECT_TRUE(
      IsAnomaly(CatchAnomaly([&] { b.Transact(ReadEdn("[[:db/cas [:k/n 1] :k/half 5 7]]")); }),
                Category::kConflict, "db.error/cas-failed"));
}

// Indexing jobs run beside concurrent writers: nothing is lost, the memory
// index stays bounded, and reopening starts from the durable index.
TEST(DurableTransactorTest, IndexingJobsKeepTheMemoryIndexSmall) {
  auto storage = NewStorage();
  std::vector<Datom> before;
  {
    DurableTransactor tx(storage, "db", TinyIndexing());
    tx.Transact(ReadEdn(kSchema));
    constexpr int kThreads = 4, kEach = 60;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&tx, t] {
        for (int i = 0; i < kEach; ++i) {
          tx.Transact(Item(t * 1000 + i));
          if (i % 5 == 4) {
            tx.Transact(ReadEdn(
                fmt::format("[[:db/retract [:k/n {}] :k/half {}]]", t * 1000 + i, t * 1000 + i)));
            tx.Transact(ReadEdn(
                fmt::format("[[:db/add [:k/n {}] :k/half {}]]", t * 1000 + i, t * 1000 + i)));
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(Items(tx.Db()).size(), size_t{kThreads * kEach});
    EXPECT_GT(tx.index_jobs(), 0);
    Database held = tx.Db();  // keeps the state alive
    const internal::DbState& state = held.state();
    ASSERT_NE(state.durable, nullptr);
    EXPECT_LE(state.index.size(internal::Part::kCurrent), 1000u);
    before = Dump(tx.Db());
    EXPECT_EQ(Dump(tx.Db().History()).size(),
              Dump(DurableTransactor(storage, "db").Db().History()).size());
  }
  DurableTransactor reopened(storage, "db", TinyIndexing());
  EXPECT_EQ(Dump(reopened.Db()), before);
  Database held = reopened.Db();  // keeps the state alive
  const internal::DbState& state = held.state();
  ASSERT_NE(state.durable, nullptr);
  EXPECT_LT(state.index.size(internal::Part::kCurrent), before.size());
  // The log is still whole, and the database still takes transactions.
  EXPECT_EQ(reopened.log().TxRange(std::nullopt, std::nullopt).back().t, reopened.Db().basis_t());
  reopened.Transact(Item(99'999));
  EXPECT_TRUE(Items(reopened.Db()).contains(99'999));
}

// Jobs add tiers and compactions merge them: the tiers stay few (each at
// least tier_ratio times the next), and a second process adopts a
// compacted index at catch-up, keeping its memory index.
TEST(DurableTransactorTest, CompactionKeepsTheTiersFew) {
  auto storage = NewStorage();
  internal::DurableOptions options = TinyIndexing();
  DurableTransactor a(storage, "db", options);
  DurableTransactor b(storage, "db");
  a.Transact(ReadEdn(kSchema));
  for (int i = 0; i < 400; ++i) {
    a.Transact(Item(i));
    if (i % 3 == 0) {
      // Changes an older item's :k/half: a retraction of an older tier's fact.
      a.Transact(ReadEdn(fmt::format("[[:db/add [:k/n {}] :k/half {}]]", i / 2, -i)));
    }
  }
  // Everything indexed, and the last job's compaction done.
  a.SyncIndex(a.Db().basis_t());
  for (int i = 0; i < 500 && internal::NeedsCompaction(*a.Db().state().durable, options.tier_ratio);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(a.index_jobs(), 5);
  EXPECT_GT(a.compactions(), 0);
  Database held = a.Db();  // keeps the state alive
  const internal::DbState& state = held.state();
  ASSERT_NE(state.durable, nullptr);
  const std::vector<internal::Tier>& tiers = state.durable->tiers;
  for (size_t i = 1; i < tiers.size(); ++i) {
    EXPECT_LT(tiers[i].datoms() * options.tier_ratio, tiers[i - 1].datoms()) << "tier " << i;
  }
  EXPECT_LE(tiers.size(), 5u);
  EXPECT_EQ(Items(a.Db()).size(), 400u);
  EXPECT_EQ(Dump(a.Db()), Dump(b.Db()));
  EXPECT_EQ(Dump(a.Db().History()), Dump(b.Db().History()));
  EXPECT_EQ(b.Db().state().durable->tiers, tiers);
  EXPECT_EQ(Dump(DurableTransactor(storage, "db").Db().History()), Dump(a.Db().History()));
}

// RequestIndex starts a job below the threshold; SyncIndex waits until the
// index holds a t, starting jobs as needed.
TEST(DurableTransactorTest, RequestIndexAndSyncIndex) {
  auto storage = NewStorage();
  std::vector<Datom> before;
  int64_t basis = 0;
  {
    DurableTransactor tx(storage, "db");  // a threshold far above this test's datoms
    tx.Transact(ReadEdn(kSchema));
    for (int i = 0; i < 50; ++i) tx.Transact(Item(i));
    EXPECT_EQ(tx.index_jobs(), 0);
    EXPECT_EQ(tx.Db().state().durable, nullptr);
    basis = tx.Db().basis_t();
    Database db = tx.SyncIndex(basis);
    ASSERT_NE(db.state().durable, nullptr);
    EXPECT_EQ(db.state().durable->t, basis);
    EXPECT_EQ(db.state().index.size(internal::Part::kCurrent), 0u);
    EXPECT_EQ(db.state().index.size(internal::Part::kHistory), 0u);
    EXPECT_EQ(tx.index_jobs(), 1);
    // Nothing new to index: no job, and SyncIndex answers at once.
    EXPECT_FALSE(tx.RequestIndex());
    EXPECT_EQ(tx.SyncIndex(basis).state().durable->t, basis);
    EXPECT_EQ(tx.index_jobs(), 1);

    tx.Transact(Item(50));
    EXPECT_TRUE(tx.RequestIndex());
    basis = tx.Db().basis_t();
    // A transaction id names its t.
    db = tx.SyncIndex(TxFromT(basis));
    EXPECT_EQ(db.state().durable->t, basis);
    EXPECT_EQ(tx.index_jobs(), 2);
    before = Dump(db);
    EXPECT_EQ(Items(db).size(), 51u);
  }
  DurableTransactor reopened(storage, "db");
  ASSERT_NE(reopened.Db().state().durable, nullptr);
  EXPECT_EQ(reopened.Db().state().durable->t, basis);
  EXPECT_EQ(Dump(reopened.Db()), before);
}

// The cache counters: a cold read misses, the same read again hits, and the
// bytes kept stay within the capacity.
TEST(DurableTransactorTest, CacheStatsCountMissesAndHits) {
  auto storage = NewStorage();
  internal::DurableOptions options = TinyIndexing();
  options.index_threshold = size_t{1} << 20;  // only the jobs SyncIndex starts
  options.cache_bytes = 16 << 10;
  DurableTransactor tx(storage, "db", options);
  tx.Transact(ReadEdn(kSchema));
  for (int i = 0; i < 200; ++i) tx.Transact(Item(i));
  Database db = tx.SyncIndex(tx.Db().basis_t());
  ASSERT_NE(db.state().durable, nullptr);

  // AVET: no segment of it has been read yet (opening the index reads the
  // schema from EAVT and AEVT).
  CacheStats s0 = tx.cache_stats();
  EXPECT_EQ(s0.capacity_bytes, 16 << 10);
  std::vector<Datom> found = Dump(db, Index::kAvet, {K("k/n"), L(123)});
  ASSERT_EQ(found.size(), 1u);
  CacheStats s1 = tx.cache_stats();
  EXPECT_GT(s1.misses, s0.misses);
  EXPECT_GT(s1.loaded_bytes, s0.loaded_bytes);
  EXPECT_EQ(Dump(db, Index::kAvet, {K("k/n"), L(123)}), found);
  CacheStats s2 = tx.cache_stats();
  EXPECT_EQ(s2.misses, s1.misses);
  EXPECT_GT(s2.hits, s1.hits);
  EXPECT_EQ(s2.loaded_bytes, s1.loaded_bytes);
  EXPECT_GT(s2.entries, 0);

  // Reading every index through 16 KiB evicts, and keeps within it.
  for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet}) Dump(db, index);
  CacheStats s3 = tx.cache_stats();
  EXPECT_GT(s3.evictions, 0);
  EXPECT_LE(s3.bytes, s3.capacity_bytes);
  EXPECT_GT(s3.loaded_bytes, s3.capacity_bytes);
}

// Transactors given one cache share it, and its counters.
TEST(DurableTransactorTest, TransactorsShareTheCacheTheyAreGiven) {
  auto cache = std::make_shared<internal::SegmentCache>(size_t{1} << 20);
  internal::DurableOptions options;
  options.cache = cache;
  options.cache_bytes = 1;  // ignored: the cache is given
  auto first = NewStorage(), second = NewStorage();
  DurableTransactor a(first, "db", options);
  DurableTransactor b(second, "db", options);
  a.Transact(ReadEdn(kSchema));
  a.Transact(Item(1));
  Database db = a.SyncIndex(a.Db().basis_t());
  Dump(db, Index::kAvet);
  EXPECT_GT(cache->stats().misses, 0u);
  EXPECT_EQ(a.cache_stats().capacity_bytes, 1 << 20);
  EXPECT_EQ(b.cache_stats().capacity_bytes, 1 << 20);
  EXPECT_EQ(b.cache_stats().misses, a.cache_stats().misses);
  EXPECT_EQ(b.cache_stats().misses, static_cast<int64_t>(cache->stats().misses));
}

// A database held wholly in memory has no cache and no durable index.
TEST(DurableTransactorTest, AnInMemoryConnectionHasNoCacheOrIndex) {
  Connection conn = Connection::CreateInMemory();
  conn.Transact(ReadEdn(kSchema));
  conn.Transact(Item(1));
  CacheStats s = conn.cache_stats();
  EXPECT_EQ(s.hits, 0);
  EXPECT_EQ(s.misses, 0);
  EXPECT_EQ(s.capacity_bytes, 0);
  EXPECT_FALSE(conn.RequestIndex());
  EXPECT_EQ(conn.SyncIndex(conn.Db().basis_t()).basis_t(), conn.Db().basis_t());
}

// Each indexing job packs the log up to its t, published with the index in
// one root: TxRange reads the same from the segments and the chain, by t
// and by tx id, before and after a restart, and with the chain blobs
// before the packed t gone (as garbage collection leaves it).
TEST(DurableTransactorTest, IndexingJobsPackTheLog) {
  auto storage = NewStorage();
  std::vector<LogEntry> logged;  // every transaction after the bootstrap
  auto transact = [&](DurableTransactor& tx, const Value& tx_data) {
    TxReport report = tx.Transact(tx_data);
    logged.push_back(LogEntry{report.db_after.basis_t(), report.tx_data});
  };
  auto expect_ranges = [&](const Log& log) {
    std::vector<int64_t> points = {0, 1};
    for (size_t i = 0; i < logged.size(); i += 7) points.push_back(logged[i].t);
    points.push_back(logged.back().t);
    points.push_back(logged.back().t + 1);
    for (int64_t start : points) {
      for (int64_t end : points) {
        std::vector<LogEntry> want;
        if (start <= 0 && 0 < end) want.push_back(LogEntry{0, {}});
        for (const LogEntry& e : logged) {
          if (e.t >= start && e.t < end) want.push_back(e);
        }
        // By t, and by tx id, which names the same transactions.
        for (auto range : {std::pair{start, end}, std::pair{TxFromT(start), TxFromT(end)}}) {
          std::vector<LogEntry> got = log.TxRange(range.first, range.second);
          ASSERT_EQ(got.size(), want.size()) << "[" << start << ", " << end << ")";
          for (size_t i = 0; i < got.size(); ++i) {
            ASSERT_EQ(got[i].t, want[i].t);
            if (got[i].t > 0) {
              ASSERT_EQ(got[i].data, want[i].data) << "t " << got[i].t;
            }
          }
        }
      }
      // Open ends.
      std::vector<LogEntry> from = log.TxRange(start, std::nullopt);
      std::vector<LogEntry> to = log.TxRange(std::nullopt, start);
      std::vector<LogEntry> all = log.TxRange(std::nullopt, std::nullopt);
      ASSERT_EQ(from.size() + to.size(), all.size()) << start;
      ASSERT_EQ(all.size(), logged.size() + 1);
    }
  };
  LogStore store(storage.get(), "db");
  {
    DurableTransactor tx(storage, "db", TinyIndexing());
    transact(tx, ReadEdn(kSchema));
    for (int i = 0; i < 150; ++i) transact(tx, Item(i));
    for (int i = 0; i < 200 && tx.index_jobs() < 3; ++i) transact(tx, Item(1000 + i));
    ASSERT_GE(tx.index_jobs(), 3);
    DbRoot root = store.ReadRoot()->second;
    ASSERT_TRUE(root.index.has_value());
    ASSERT_TRUE(root.log_index.has_value());
    EXPECT_EQ(root.log_index->t, root.index->t);
    ASSERT_NO_FATAL_FAILURE(expect_ranges(tx.log()));
  }
  // What the log no longer needs goes (the older chain blobs), and the
  // database reopens from the index and the rest of the chain.
  DbRoot root = store.ReadRoot()->second;
  std::vector<Uuid> needed = store.LogBlobs(root);
  std::vector<Uuid> garbage;
  storage->ListBlobs([&](const Uuid& key) {
    std::string bytes = *storage->Get(key);
    if (bytes.starts_with("SLGB") && std::find(needed.begin(), needed.end(), key) == needed.end()) {
      garbage.push_back(key);
    }
  });
  EXPECT_FALSE(garbage.empty());
  storage->Delete(garbage);
  DurableTransactor reopened(storage, "db", TinyIndexing());
  EXPECT_EQ(reopened.Db().basis_t(), logged.back().t);
  EXPECT_EQ(Items(reopened.Db()).size(), logged.size() - 1);
  ASSERT_NO_FATAL_FAILURE(expect_ranges(reopened.log()));
  for (int i = 0; i < 60; ++i) transact(reopened, Item(5000 + i));
  ASSERT_NO_FATAL_FAILURE(expect_ranges(reopened.log()));
}

TEST(DurableTransactorTest, TheCacheDefaultsToAQuarterOfMemory) {
  long pages = sysconf(_SC_PHYS_PAGES);
  ASSERT_GT(pages, 0);
  size_t quarter = static_cast<size_t>(pages) * static_cast<size_t>(sysconf(_SC_PAGESIZE)) / 4;
  EXPECT_EQ(internal::DurableOptions().cache_bytes, std::max(size_t{64} << 20, quarter));
}

// Another writer's index is adopted at catch-up.
TEST(DurableTransactorTest, AnotherWritersIndexIsAdopted) {
  auto storage = NewStorage();
  DurableTransactor a(storage, "db", TinyIndexing());
  DurableTransactor b(storage, "db");
  a.Transact(ReadEdn(kSchema));
  for (int i = 0; i < 100; ++i) a.Transact(Item(i));
  for (int i = 0; i < 100 && a.index_jobs() == 0; ++i) a.Transact(Item(1000 + i));
  ASSERT_GT(a.index_jobs(), 0);
  b.Transact(Item(5000));
  EXPECT_EQ(Dump(a.Db()), Dump(b.Db()));
  EXPECT_NE(b.Db().state().durable, nullptr);
}

// The root's epoch counts handovers: a writer's first commit after another
// writer's starts a new one; its later commits keep it.
TEST(DurableTransactorTest, EachHandoverBetweenWritersStartsAnEpoch) {
  auto storage = NewStorage();
  LogStore store(storage.get(), "db");
  auto epoch = [&] { return store.ReadRoot()->second.epoch; };
  EXPECT_EQ(epoch(), 0);
  DurableTransactor a(storage, "db");
  DurableTransactor b(storage, "db");
  a.Transact(ReadEdn(kSchema));
  EXPECT_EQ(epoch(), 1);
  a.Transact(Item(1));
  EXPECT_EQ(epoch(), 1);
  b.Transact(Item(2));
  EXPECT_EQ(epoch(), 2);
  b.Transact(Item(3));
  EXPECT_EQ(epoch(), 2);
  a.Transact(Item(4));
  EXPECT_EQ(epoch(), 3);
  EXPECT_EQ(Items(b.Db()), (std::set<int64_t>{1, 2, 3, 4}));
}

// A database deleted and created again under its name is a new database: a
// transactor of the old one says so rather than mixing the two.
TEST(DurableTransactorTest, ADeletedDatabaseIsNotFound) {
  auto storage = NewStorage();
  DurableTransactor tx(storage, "db");
  tx.Transact(ReadEdn(kSchema));
  ASSERT_TRUE(LogStore(storage.get(), "db").Delete());
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { tx.Transact(Item(1)); }), Category::kNotFound,
                        "db.error/db-not-found"));
  EXPECT_TRUE(
      IsAnomaly(CatchAnomaly([&] { tx.Db(); }), Category::kNotFound, "db.error/db-not-found"));
  ASSERT_TRUE(LogStore(storage.get(), "db").Create());
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { tx.Transact(Item(1)); }), Category::kNotFound,
                        "db.error/db-not-found"));
  EXPECT_EQ(DurableTransactor(storage, "db").Db().basis_t(),
            Connection::CreateInMemory().Db().basis_t());
}

// A crash or a failure at the k-th storage commit, for every k: after a
// restart, every acknowledged item is there, none is there in part, and
// the database takes new transactions.
TEST(DurableTransactorTest, CrashOrFailureAtEveryCommitLosesNothingAcknowledged) {
  using Fault = MemStorage::Fault;
  for (Fault fault :
       {Fault::kCrashBefore, Fault::kCrashAfter, Fault::kUnavailable, Fault::kUnavailableAfter}) {
    for (uint64_t k = 1; k <= 6; ++k) {
      auto storage = NewStorage();
      std::set<int64_t> acknowledged;
      {
        DurableTransactor tx(storage, "db");
        tx.Transact(ReadEdn(kSchema));
        uint64_t commits = 0;
        storage->SetFaultPlan([&commits, k, fault](MemStorage::Op op, uint64_t) {
          return op == MemStorage::Op::kCommit && ++commits == k ? fault : Fault::kNone;
        });
        for (int i = 0; i < 8; ++i) {
          try {
            tx.Transact(Item(i));
            acknowledged.insert(i);
          } catch (const Anomaly& e) {
            EXPECT_EQ(e.category(), Category::kUnavailable);
          } catch (const internal::SimulatedCrash&) {
            break;  // the process died
          }
        }
        storage->SetFaultPlan(nullptr);
        storage->Restart();
      }
      DurableTransactor reopened(storage, "db");
      std::set<int64_t> items = Items(reopened.Db());
      for (int64_t i : acknowledged) EXPECT_TRUE(items.contains(i)) << "lost item " << i;
      reopened.Transact(Item(99));
      EXPECT_TRUE(Items(reopened.Db()).contains(99));
    }
  }
}

}  // namespace
}  // namespace strata::testing
