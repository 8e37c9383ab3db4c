// The transaction log over a long history: TxRange of the first and of the
// last 100 transactions of a log of 100,000, read from the chain of group
// commit blobs alone (before packing) and with the log packed into log
// segments (after), over the mem backend and over LMDB; reading the log
// after a t, as opening does; and packing itself.
//
// The log is written once per process: 100,000 transactions, one a group
// commit (one blob each, as a single writer's log), each an entity of four
// datoms plus its :db/txInstant, t rising by 2. It is the same blobs in
// both databases of a storage: "chain" has no :log-index, "packed" points
// at segments holding every transaction but the last 1,000 (as the
// indexing job leaves it when the index lags the log). LMDB lives in a
// temporary directory /tmp/strata-log-XXXXXX, removed at exit. Each run
// checks its answer against the log as written.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "log/log_store.h"
#include "storage/lmdb_storage.h"
#include "storage/mem_storage.h"
#include "strata/anomaly.h"
#include "transactor/durable_transactor.h"

namespace strata::bench {
namespace {

using internal::DbRoot;
using internal::LogStore;
using internal::Storage;
using internal::StorageLog;

constexpr int kTxs = 100'000;
constexpr int kRange = 100;
constexpr int kUnpacked = 1'000;  // the transactions after the packed t

int64_t TOf(int i) { return 2 * int64_t{i} + 1000; }  // transaction i's t

LogEntry Tx(int i) {
  int64_t t = TOf(i);
  EntityId tx = TxFromT(t);
  EntityId e = MakeEntityId(kPartUser, t + 1);
  return LogEntry{
      t,
      {Datom{e, 72, Value::String("item " + std::to_string(i)), tx, true},
       Datom{e, 73, Value::Long(i), tx, true}, Datom{e, 74, Value::Long(i % 97), tx, true},
       Datom{e, 75, Value::Ref(MakeEntityId(kPartUser, t - 1)), tx, true},
       Datom{tx, 50, Value::Instant(1'763'800'000'000 + i), tx, true}}};
}

enum class Backend { kMem, kLmdb };

struct History {
  std::shared_ptr<Storage> storage;
  double pack_s = 0;           // PackLog of the whole history, once
  double chain_bytes = 0;      // the chain blobs together
  double segment_bytes = 0;    // the segments and the directory together
  double segments = 0;         // how many
  double directory_bytes = 0;  // the directory blob
  std::string error;
};

// The log in memory, written once: the chain, then the packed root.
History MakeMemHistory() {
  History h;
  try {
    auto mem = std::make_shared<internal::MemStorage>();
    LogStore chain(mem.get(), "chain");
    chain.Create();
    auto [root, db] = *chain.ReadRoot();
    uint64_t rev = root.rev;
    for (int i = 0; i < kTxs; ++i) {
      if (!chain.Append(&rev, &db, {Tx(i)})) throw std::runtime_error("append failed");
    }
    mem->ListBlobs(
        [&](const Uuid& key) { h.chain_bytes += static_cast<double>(mem->Get(key)->size()); });
    auto start = std::chrono::steady_clock::now();
    std::optional<internal::LogIndexPointer> pointer = chain.PackLog(db, TOf(kTxs - kUnpacked - 1));
    h.pack_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!pointer) throw std::runtime_error("nothing packed");
    LogStore packed_store(mem.get(), "packed");
    if (!packed_store.Create()) throw std::runtime_error("packed exists");
    auto [packed_root, packed] = *packed_store.ReadRoot();
    uint64_t packed_rev = packed_root.rev;
    Uuid uuid = packed.uuid;
    packed = db;
    packed.uuid = uuid;
    packed.log_index = pointer;
    if (!packed_store.UpdateRoot(&packed_rev, packed)) throw std::runtime_error("CAS failed");
    std::string dir = *mem->Get(pointer->dir);
    h.directory_bytes = static_cast<double>(dir.size());
    h.segments = static_cast<double>(internal::DecodeLogDirectory(dir, "directory").size());
    h.segment_bytes = -h.chain_bytes;
    mem->ListBlobs(
        [&](const Uuid& key) { h.segment_bytes += static_cast<double>(mem->Get(key)->size()); });
    h.storage = mem;
  } catch (const std::exception& e) {
    h.error = std::string("writing the log: ") + e.what();
  }
  return h;
}

// The same blobs and roots in LMDB, copied in commits of about 16 MiB.
History MakeLmdbHistory(const History& mem) {
  History h = mem;
  h.storage = nullptr;
  if (!h.error.empty()) return h;
  try {
    std::shared_ptr<Storage> lmdb = internal::LmdbStorage::Open(TempRoot("log") / "lmdb");
    internal::StorageWrite w;
    size_t bytes = 0;
    auto flush = [&] {
      lmdb->Commit(w);
      w.blobs.clear();
      bytes = 0;
    };
    mem.storage->ListBlobs([&](const Uuid& key) {
      std::string blob = *mem.storage->Get(key);
      bytes += blob.size();
      w.blobs.emplace_back(key, std::move(blob));
      if (bytes > (size_t{16} << 20)) flush();
    });
    if (!w.blobs.empty()) flush();
    for (const std::string& name : mem.storage->ListRoots("db/")) {
      internal::StorageWrite root_write;
      root_write.cas = internal::RootCas{name, 0, mem.storage->GetRoot(name)->value};
      if (!lmdb->Commit(root_write)) throw std::runtime_error("root " + name + " exists");
    }
    h.storage = lmdb;
  } catch (const std::exception& e) {
    h.error = std::string("copying the log to LMDB: ") + e.what();
  }
  return h;
}

const History& TheHistory(Backend backend) {
  static History mem = MakeMemHistory();
  if (backend == Backend::kMem) return mem;
  static History lmdb = MakeLmdbHistory(mem);
  return lmdb;
}

enum class Range { kFirst, kLast, kAfter };

// TxRange of the first or the last 100 transactions, or (kAfter) the log
// after the packed t, as opening after an indexing job reads it.
void BM_TxRange(benchmark::State& state, Backend backend, Range range, bool packed) {
  const History& h = TheHistory(backend);
  if (!h.error.empty()) {
    state.SkipWithError(h.error.c_str());
    return;
  }
  LogStore store(h.storage.get(), packed ? "packed" : "chain");
  StorageLog log(&store);
  int first = range == Range::kFirst ? 0 : range == Range::kLast ? kTxs - kRange : kTxs - kUnpacked;
  int count = range == Range::kAfter ? kUnpacked : kRange;
  std::optional<int64_t> start = TOf(first);
  std::optional<int64_t> end =
      range == Range::kFirst ? std::optional<int64_t>(TOf(first + count)) : std::nullopt;
  std::string error;
  for (auto _ : state) {
    std::vector<LogEntry> entries = log.TxRange(start, end);
    if (entries.size() != static_cast<size_t>(count) || entries.front().t != TOf(first) ||
        entries.back().data != Tx(first + count - 1).data) {
      error = "TxRange returned " + std::to_string(entries.size()) + " transactions";
      break;
    }
  }
  if (!error.empty()) state.SkipWithError(error.c_str());
  state.counters["tx"] = count;
  if (packed) {
    state.counters["pack_s"] = h.pack_s;
    state.counters["segments"] = h.segments;
    state.counters["dir_bytes"] = h.directory_bytes;
    state.counters["seg_bytes/tx"] = h.segment_bytes / (kTxs - kUnpacked);
  } else {
    state.counters["chain_bytes/tx"] = h.chain_bytes / kTxs;
  }
}

BENCHMARK_CAPTURE(BM_TxRange, mem_first100_chain, Backend::kMem, Range::kFirst, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, mem_first100_packed, Backend::kMem, Range::kFirst, true)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, mem_last100_chain, Backend::kMem, Range::kLast, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, mem_last100_packed, Backend::kMem, Range::kLast, true)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, mem_after_packed_t_chain, Backend::kMem, Range::kAfter, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, mem_after_packed_t_packed, Backend::kMem, Range::kAfter, true)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, lmdb_first100_chain, Backend::kLmdb, Range::kFirst, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, lmdb_first100_packed, Backend::kLmdb, Range::kFirst, true)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, lmdb_last100_chain, Backend::kLmdb, Range::kLast, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, lmdb_last100_packed, Backend::kLmdb, Range::kLast, true)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, lmdb_after_packed_t_chain, Backend::kLmdb, Range::kAfter, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TxRange, lmdb_after_packed_t_packed, Backend::kLmdb, Range::kAfter, true)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace strata::bench

BENCHMARK_MAIN();
