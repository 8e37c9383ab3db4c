// Durable commits: the disk's own fsync rate, the storage's own commit rate,
// durable transactions per second through the DurableTransactor's group
// commit (1, 4 and 16 writers) over LMDB and over PostgreSQL (fsync on,
// synchronous_commit on), and over the mem backend (no I/O: the transactor's
// own ceiling), and the time to open a database whose log holds about a
// million datoms (replaying it).
//
// Everything lives in one temporary directory /tmp/strata-durable-XXXXXX,
// removed at exit; the PostgreSQL server is a throwaway one
// (storage/postgres_test_server.h) in /tmp/spgXXXXXX, stopped and removed at
// exit. Each BM_DurableTx run transacts into a database of its own and checks
// its answer: every acknowledged transaction is in the log, once.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "log/log_store.h"
#include "storage/lmdb_storage.h"
#include "storage/mem_storage.h"
#include "storage/postgres_storage.h"
#include "storage/postgres_test_server.h"
#include "strata/anomaly.h"
#include "strata/edn.h"
#include "transactor/durable_transactor.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;
using internal::DurableTransactor;
using internal::LmdbStorage;
using internal::LogStore;
using internal::PostgresOptions;
using internal::PostgresStorage;
using internal::Storage;

const fs::path& TempRoot() { return bench::TempRoot("durable"); }

// ---------------------------------------------------------------------------
// BM_Fsync: 4 KiB written at offset 0 of a file, then fdatasync, on the file
// system that holds the LMDB files.

void BM_Fsync(benchmark::State& state) {
  fs::path path = TempRoot() / "fsync.dat";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    state.SkipWithError(("open " + path.string() + ": " + std::strerror(errno)).c_str());
    return;
  }
  std::vector<char> page(4096, 'x');
  // The block allocated and the size recorded once, so each iteration is an
  // overwrite: fdatasync has the data to flush and no file size to record.
  bool ok = pwrite(fd, page.data(), page.size(), 0) == 4096 && fsync(fd) == 0;
  for (auto _ : state) {
    if (!ok) break;
    page[0] = static_cast<char>(page[0] + 1);
    ok = pwrite(fd, page.data(), page.size(), 0) == 4096 && fdatasync(fd) == 0;
  }
  if (!ok) {
    state.SkipWithError((std::string("write or fdatasync: ") + std::strerror(errno)).c_str());
  }
  close(fd);
  unlink(path.c_str());
  state.counters["fsyncs/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Fsync)->UseRealTime()->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------
// The storages. One LMDB environment and one PostgreSQL database per process,
// shared by the runs; each run uses a database (a root) of its own.

// kMem: the DurableTransactor over the in-process mem backend, no I/O: the
// ceiling the transactor itself allows, for comparison.
enum class Backend { kLmdb, kPostgres, kMem };

struct LmdbHome {
  std::shared_ptr<LmdbStorage> storage;
  std::string error;
};

LmdbHome& Lmdb() {
  static LmdbHome home = [] {
    LmdbHome h;
    try {
      h.storage = LmdbStorage::Open(TempRoot() / "tx");
    } catch (const Anomaly& e) {
      h.error = e.what();
    }
    return h;
  }();
  return home;
}

struct PostgresHome {
  // Declared first, so destroyed last: the storage closes its connections
  // before the server stops.
  std::unique_ptr<testing::PostgresTestServer> server;
  std::shared_ptr<PostgresStorage> storage;
  std::string error;
};

PostgresHome& Postgres() {
  static PostgresHome home;
  static bool started = [] {
    try {
      // fsync on: durability is honest (synchronous_commit keeps its
      // default, on).
      home.server = std::make_unique<testing::PostgresTestServer>(/*fsync=*/true);
      std::string db = home.server->CreateDatabase();
      // Say so if the server would acknowledge commits before they are on
      // disk.
      for (const char* setting : {"fsync", "synchronous_commit"}) {
        std::string value = home.server->Sql(db, std::string("SHOW ") + setting);
        while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
        if (value != "on") {
          throw std::runtime_error(std::string(setting) + " is " + value + ", not on");
        }
      }
      PostgresOptions options;
      options.conninfo = home.server->ConnInfo(db);
      // The group commit writer holds one connection at a time; Db() and
      // catch-up reads take others.
      options.pool_size = 4;
      home.storage = std::make_shared<PostgresStorage>(options);
    } catch (const std::exception& e) {
      home.error = std::string("no PostgreSQL server: ") + e.what();
      home.storage.reset();
      home.server.reset();
    }
    return true;
  }();
  (void)started;
  return home;
}

// The backend's storage, or nullptr with *error set.
std::shared_ptr<Storage> StorageOf(Backend backend, std::string* error) {
  if (backend == Backend::kMem) {
    static auto mem = std::make_shared<internal::MemStorage>();
    error->clear();
    return mem;
  }
  if (backend == Backend::kLmdb) {
    *error = Lmdb().error;
    return Lmdb().storage;
  }
  *error = Postgres().error;
  return Postgres().storage;
}

size_t CountBlobs(Storage& storage) {
  size_t n = 0;
  storage.ListBlobs([&](const Uuid&) { ++n; });
  return n;
}

std::string NewDbName() {
  static std::atomic<int> counter{0};
  return "bench-" + std::to_string(++counter);
}

// ---------------------------------------------------------------------------
// BM_StorageCommit: the storage's own durable commit rate (one 300-byte blob
// plus a root CAS per commit, as a log append of one small transaction),
// without the transactor: the ceiling of commits per second.

void BM_StorageCommit(benchmark::State& state, Backend backend) {
  std::string error;
  std::shared_ptr<Storage> storage = StorageOf(backend, &error);
  if (!storage) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::string root = "bench-commit/" + NewDbName();
  uint64_t rev = 0;
  std::string blob(300, 'b');
  bool ok = true;
  for (auto _ : state) {
    internal::StorageWrite w;
    w.blobs.emplace_back(internal::NewBlobKey(), blob);
    w.cas = internal::RootCas{root, rev, "{:t " + std::to_string(rev) + "}"};
    if (!storage->Commit(w)) {
      ok = false;
      break;
    }
    ++rev;
  }
  if (!ok) state.SkipWithError("a root CAS failed with no other writer");
  state.counters["commits/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_StorageCommit, lmdb, Backend::kLmdb)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_StorageCommit, postgres, Backend::kPostgres)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------
// BM_DurableTx: writers share one DurableTransactor; each iteration is one
// Transact of one new entity with three attributes.

constexpr std::string_view kTxSchema = R"([
  {:db/ident :bench/key :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :bench/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :bench/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])";

// One run's shared state. Thread 0 fills it before the loop's start barrier
// and reads it after the loop's end barrier; in between, each thread writes
// only its own slot of latencies_us and failures.
struct TxRun {
  std::shared_ptr<Storage> storage;
  std::unique_ptr<DurableTransactor> transactor;
  std::string name;
  std::string error;    // set up failed: every thread skips
  int64_t t0 = 0;       // basis t before the run
  int64_t next_t0 = 0;  // next t before the run
  size_t blobs0 = 0;
  std::vector<std::vector<double>> latencies_us;  // per thread
  std::vector<int64_t> failures;                  // per thread
  std::vector<std::string> failure_messages;      // per thread, the first
};

TxRun& TheTxRun() {
  static TxRun run;
  return run;
}

void SetUpTxRun(TxRun& run, Backend backend, int threads) {
  run.error.clear();
  run.transactor.reset();
  run.latencies_us.assign(static_cast<size_t>(threads), {});
  run.failures.assign(static_cast<size_t>(threads), 0);
  run.failure_messages.assign(static_cast<size_t>(threads), {});
  run.storage = StorageOf(backend, &run.error);
  if (!run.storage) return;
  try {
    run.name = NewDbName();
    if (!LogStore(run.storage.get(), run.name).Create()) {
      run.error = "database " + run.name + " exists already";
      return;
    }
    run.transactor = std::make_unique<DurableTransactor>(run.storage, run.name);
    run.transactor->Transact(ReadEdn(kTxSchema));
    run.t0 = run.transactor->Db().basis_t();
    run.next_t0 = run.transactor->Db().next_t();
    run.blobs0 = CountBlobs(*run.storage);
  } catch (const std::exception& e) {
    run.error = std::string("setting up: ") + e.what();
    run.transactor.reset();
  }
}

// Checks that the run's transactions are all in the database and the log,
// once each, and reports the counters. Returns an error, or "".
std::string FinishTxRun(TxRun& run, benchmark::State& state) {
  int64_t n = 0, failures = 0;
  std::vector<double> all;
  for (size_t i = 0; i < run.latencies_us.size(); ++i) {
    n += static_cast<int64_t>(run.latencies_us[i].size());
    failures += run.failures[i];
    all.insert(all.end(), run.latencies_us[i].begin(), run.latencies_us[i].end());
  }
  if (failures > 0) {
    for (const std::string& m : run.failure_messages) {
      if (!m.empty()) return std::to_string(failures) + " transactions failed, e.g.: " + m;
    }
  }
  // Each thread ran state.iterations() transactions.
  if (n != static_cast<int64_t>(state.iterations()) * state.threads()) {
    return "ran " + std::to_string(n) + " transactions, expected " +
           std::to_string(static_cast<int64_t>(state.iterations()) * state.threads());
  }
  Database db = run.transactor->Db();
  // One new entity per transaction: the transaction and the entity take one
  // counter each (one sequence, as Datomic), so next t moves by two per
  // transaction.
  if (db.next_t() - run.next_t0 != 2 * n) {
    return "next t moved by " + std::to_string(db.next_t() - run.next_t0) + ", expected 2 x " +
           std::to_string(n);
  }
  int64_t keys = db.Count(Index::kAevt, {Value::Keyword("bench/key")});
  if (keys != n) {
    return std::to_string(keys) + " entities in the database, expected " + std::to_string(n);
  }
  LogStore store(run.storage.get(), run.name);
  std::optional<std::pair<internal::Root, internal::DbRoot>> root = store.ReadRoot();
  size_t logged = root ? store.ReadEntries(root->second, run.t0).size() : 0;
  if (static_cast<int64_t>(logged) != n) {
    return std::to_string(logged) + " transactions in the log, expected " + std::to_string(n);
  }
  size_t blobs = CountBlobs(*run.storage) - run.blobs0;
  std::sort(all.begin(), all.end());
  auto at = [&](double q) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(q * all.size()))];
  };
  double sum = 0;
  for (double us : all) sum += us;
  state.counters["tx_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  state.counters["group_size"] =
      blobs == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(blobs);
  state.counters["lat_mean_us"] = all.empty() ? 0.0 : sum / static_cast<double>(all.size());
  state.counters["lat_p50_us"] = at(0.50);
  state.counters["lat_p99_us"] = at(0.99);
  return "";
}

void BM_DurableTx(benchmark::State& state, Backend backend) {
  TxRun& run = TheTxRun();
  if (state.thread_index() == 0) SetUpTxRun(run, backend, state.threads());
  static std::atomic<int64_t> next_key{0};
  const auto slot = static_cast<size_t>(state.thread_index());
  bool skip = false;
  // The loop's first step waits for every thread (Google Benchmark's start
  // barrier), so thread 0's set-up is visible from here on.
  for (auto _ : state) {
    if (!run.error.empty()) {
      skip = true;
      break;
    }
    int64_t k = next_key.fetch_add(1, std::memory_order_relaxed);
    Value tx = Value::Vector(
        {Value::Map({{Value::Keyword("bench/key"), Value::String("k" + std::to_string(k))},
                     {Value::Keyword("bench/name"), Value::String("name of " + std::to_string(k))},
                     {Value::Keyword("bench/n"), Value::Long(k)}})});
    auto start = std::chrono::steady_clock::now();
    try {
      TxReport report = run.transactor->Transact(tx);
      std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
      if (report.tx_data.size() != 4) {
        if (run.failures[slot]++ == 0) {
          run.failure_messages[slot] =
              "tx-data of " + std::to_string(report.tx_data.size()) + " datoms, expected 4";
        }
      } else {
        run.latencies_us[slot].push_back(took.count());
      }
    } catch (const std::exception& e) {
      if (run.failures[slot]++ == 0) run.failure_messages[slot] = e.what();
    }
  }
  if (skip) {
    state.SkipWithError(run.error.c_str());
    return;
  }
  // The loop's last step waits for every thread: all transactions are done.
  if (state.thread_index() == 0) {
    std::string error = FinishTxRun(run, state);
    run.transactor.reset();
    if (!error.empty()) state.SkipWithError(error.c_str());
  }
}
BENCHMARK_CAPTURE(BM_DurableTx, lmdb, Backend::kLmdb)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_DurableTx, postgres, Backend::kPostgres)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_DurableTx, mem, Backend::kMem)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------
// BM_OpenLog1M: open a database whose log holds about a million datoms.

constexpr int kOpenTxs = 1000;
constexpr int kOpenEntitiesPerTx = 200;  // 5 datoms each: 1,000 per transaction

constexpr std::string_view kOpenSchema = R"([
  {:db/ident :doc/key :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :doc/title :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :doc/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :doc/score :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
  {:db/ident :doc/parent :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}])";

std::string DocKey(int tx, int i) { return "d" + std::to_string(tx) + "-" + std::to_string(i); }

// Transaction `tx` of the log: 200 documents, each the child of the one
// before it (the first, of the last document of the previous transaction,
// by lookup ref).
Value OpenTx(int tx) {
  std::vector<Value> docs;
  docs.reserve(kOpenEntitiesPerTx);
  for (int i = 0; i < kOpenEntitiesPerTx; ++i) {
    int64_t n = int64_t{tx} * kOpenEntitiesPerTx + i;
    std::vector<ValuePair> m = {
        {Value::Keyword("db/id"), Value::String("e" + std::to_string(i))},
        {Value::Keyword("doc/key"), Value::String(DocKey(tx, i))},
        {Value::Keyword("doc/title"),
         Value::String("Document " + std::to_string(n) + " of the log")},
        {Value::Keyword("doc/n"), Value::Long(n)},
        {Value::Keyword("doc/score"), Value::Double(static_cast<double>(n % 1000) / 7.0)}};
    if (i > 0) {
      m.emplace_back(Value::Keyword("doc/parent"), Value::String("e" + std::to_string(i - 1)));
    } else if (tx > 0) {
      m.emplace_back(Value::Keyword("doc/parent"),
                     Value::Vector({Value::Keyword("doc/key"),
                                    Value::String(DocKey(tx - 1, kOpenEntitiesPerTx - 1))}));
    }
    docs.push_back(Value::Map(std::move(m)));
  }
  return Value::Vector(std::move(docs));
}

struct OpenLog {
  fs::path dir;
  int64_t log_datoms = 0;  // datoms in the log after the bootstrap
  int64_t eavt = 0;        // datoms of the database, for the check
  int64_t basis_t = 0;
  double file_bytes = 0;  // data.mdb
  double log_bytes = 0;   // the log blobs together
  double setup_s = 0;
  std::string error;
};

// The database, written once per process through the DurableTransactor, one
// transaction per commit.
const OpenLog& TheOpenLog() {
  static OpenLog log = [] {
    OpenLog l;
    l.dir = TempRoot() / "open1m";
    auto start = std::chrono::steady_clock::now();
    try {
      std::shared_ptr<LmdbStorage> storage = LmdbStorage::Open(l.dir);
      LogStore(storage.get(), "db").Create();
      {
        DurableTransactor tx(storage, "db");
        l.log_datoms += static_cast<int64_t>(tx.Transact(ReadEdn(kOpenSchema)).tx_data.size());
        for (int i = 0; i < kOpenTxs; ++i) {
          l.log_datoms += static_cast<int64_t>(tx.Transact(OpenTx(i)).tx_data.size());
        }
        l.eavt = tx.Db().Count(Index::kEavt);
        l.basis_t = tx.Db().basis_t();
      }
      storage->ListBlobs([&](const Uuid& key) {
        l.log_bytes += static_cast<double>(storage->Get(key).value_or("").size());
      });
    } catch (const std::exception& e) {
      l.error = std::string("writing the log: ") + e.what();
      return l;
    }
    l.setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::error_code ec;
    l.file_bytes = static_cast<double>(fs::file_size(l.dir / "data.mdb", ec));
    return l;
  }();
  return log;
}

void BM_OpenLog1M(benchmark::State& state) {
  const OpenLog& log = TheOpenLog();
  if (!log.error.empty()) {
    state.SkipWithError(log.error.c_str());
    return;
  }
  std::string error;
  for (auto _ : state) {
    // Nothing of the database stays in the process between iterations but
    // the OS page cache: the storage is opened afresh each time.
    std::shared_ptr<LmdbStorage> storage = LmdbStorage::Open(log.dir);
    auto tx = std::make_unique<DurableTransactor>(storage, "db");
    std::optional<Database> db = tx->Db();
    benchmark::DoNotOptimize(*db);
    // Checking and closing are not part of opening.
    state.PauseTiming();
    if (db->basis_t() != log.basis_t || db->Count(Index::kEavt) != log.eavt) {
      error = "the reopened database differs: t " + std::to_string(db->basis_t()) + ", " +
              std::to_string(db->Count(Index::kEavt)) + " datoms";
    }
    db.reset();
    tx.reset();
    storage.reset();
    state.ResumeTiming();
    if (!error.empty()) break;
  }
  if (!error.empty()) state.SkipWithError(error.c_str());
  double datoms = static_cast<double>(log.log_datoms);
  state.counters["log_datoms"] = datoms;
  state.counters["datoms_per_s"] = benchmark::Counter(
      datoms * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["file_bytes/datom"] = log.file_bytes / datoms;
  state.counters["log_bytes/datom"] = log.log_bytes / datoms;
  state.counters["setup_s"] = log.setup_s;
}
BENCHMARK(BM_OpenLog1M)->UseRealTime()->Unit(benchmark::kMillisecond);

// The device and file system holding `path` ("/dev/vda ext4 on /"), from
// the longest mount point in /proc/mounts that contains it.
std::string DeviceOf(const fs::path& path) {
  std::ifstream mounts("/proc/mounts");
  std::string source, target, type, rest, best;
  size_t best_length = 0;
  std::string p = path.string();
  while (mounts >> source >> target >> type && std::getline(mounts, rest)) {
    bool contains = target == "/" || p == target || p.starts_with(target + "/");
    if (contains && target.size() >= best_length) {
      best_length = target.size();
      best = source + " " + type + " on " + target;
    }
  }
  return best.empty() ? "unknown" : best;
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const std::filesystem::path& dir = strata::bench::TempRoot("durable");
  benchmark::AddCustomContext("lmdb_dir", dir.string());
  benchmark::AddCustomContext("lmdb_device", strata::bench::DeviceOf(dir));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
