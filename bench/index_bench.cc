// Indexing at scale: databases of about 1M and 5M datoms (and 20M with
// STRATA_BENCH_LARGE=1) of generated people, bulk loaded into durable index
// trees in LMDB, then measured:
//
//   BM_BulkLoad/N       transactions of 10,000 people each into the memory
//                       index, then one IndexNow into LMDB: datoms/s over
//                       the whole, IndexNow's share, and the size on disk
//                       (data.mdb and the blobs) per datom against the EDN
//                       text of the same tx-data; tx_cpu_s and index_cpu_s
//                       are the CPU seconds of both phases (all threads),
//                       steadier than wall time on a busy machine
//   BM_IndexJob/N/...   the indexing job for about 100,000 new datoms on top
//                       of the durable base: IndexNow (a new tier) alone is
//                       timed; merge_into_base_ms is the cost of merging
//                       that tier into the base's trees at once.
//                       clustered: new people only (appended at the end of
//                       EAVT and AEVT); scattered: :person/age of 50,000
//                       random existing people changed (an assertion and a
//                       retraction each, all over the key space)
//   BM_Tiers/N          scattered jobs in a row, each followed by
//                       compaction (ratio 4), until the tiers are one again:
//                       the amortized cost of a job, compaction included
//   BM_Open/N           LmdbStorage::Open, a fresh segment cache,
//                       StateFromIndex (the schema read from the trees) and
//                       a first read of one entity: should not grow with N
//   BM_Query/N/cold     one :person/id looked up in AVET, then that
//                       entity's EAVT datoms, through a fresh segment cache
//                       each time (the OS page cache stays warm: this is the
//                       decoding cost, not the disk's)
//   BM_Query/N/warm     the same lookup repeated through one warm cache
//
// The base database of each size is built once per process, on first use,
// in /tmp/strata-index-XXXXXX (removed at exit); only its tree roots stay in
// memory, and each benchmark opens the LMDB directory itself (one
// environment per directory and process at a time, as LMDB requires). The
// index jobs' segments are written to the same LMDB file (unreachable
// garbage: it does not change what the other benchmarks read).
//
// Each benchmark checks its answer: datom counts after the build and after
// each job, the looked-up person's name and datoms, the changed ages.
//
// Sizes: STRATA_BENCH_LARGE=1 adds the 20M-datom database (several minutes
// and several GiB of memory to build); QUICK runs (scripts/run-bench) leave
// it out since they do not set it.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "db/db_state.h"
#include "storage/lmdb_storage.h"
#include "strata/anomaly.h"
#include "strata/database.h"
#include "strata/edn.h"
#include "tx/transaction.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;
using internal::DbState;
using internal::DurableIndex;
using internal::IndexNow;
using internal::LmdbStorage;
using internal::SegmentCache;
using internal::TreeRoot;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds used by the process (every thread) so far: on a shared
// machine a steadier measure than the wall clock.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

const fs::path& TempRoot() { return bench::TempRoot("index"); }

// ---------------------------------------------------------------------------
// The data: people, about 5 datoms each (id, name, email, age, 0-2 friends
// in the same transaction).

constexpr std::string_view kSchema = R"([
  {:db/ident :person/id :db/valueType :db.type/long :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :person/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}])";

constexpr int64_t kPeoplePerTx = 10'000;
constexpr int64_t kJobDatoms = 100'000;
constexpr int64_t kNow = 1'700'000'000'000;        // ms; each transaction one later
constexpr size_t kCacheBytes = size_t{256} << 20;  // the transactor's default

const char* const kFirst[] = {"Ivan",  "Petr",  "Sergei", "Oleg",  "Yuri", "Dmitry",
                              "Fedor", "Denis", "Anna",   "Maria", "Olga", "Elena"};
const char* const kLast[] = {"Ivanov",  "Petrov",  "Sidorov", "Kovalev", "Kuznetsov",
                             "Voronoi", "Smirnov", "Popov",   "Lebedev", "Novikov"};

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Each person's attributes are a function of the id, so checks need no
// table.
std::string NameOf(int64_t id) {
  uint64_t h = Mix(static_cast<uint64_t>(id));
  return std::string(kFirst[h % std::size(kFirst)]) + " " + kLast[(h >> 16) % std::size(kLast)];
}
std::string EmailOf(int64_t id) {
  uint64_t h = Mix(static_cast<uint64_t>(id));
  std::string s = std::string(kFirst[h % std::size(kFirst)]) + "." +
                  kLast[(h >> 16) % std::size(kLast)] + std::to_string(id) + "@example.com";
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
int64_t AgeOf(int64_t id) {
  return 18 + static_cast<int64_t>((Mix(static_cast<uint64_t>(id)) >> 32) % 70);
}

// Tx-data of people [first, first + count), friends drawn by `rng` among
// the same transaction's people (by tempid).
Value PeopleTx(int64_t first, int64_t count, std::mt19937_64& rng) {
  std::vector<Value> people;
  people.reserve(static_cast<size_t>(count));
  const Value kId = Value::Keyword("db/id"), kPid = Value::Keyword("person/id"),
              kName = Value::Keyword("person/name"), kEmail = Value::Keyword("person/email"),
              kAge = Value::Keyword("person/age"), kFriend = Value::Keyword("person/friend");
  for (int64_t i = 0; i < count; ++i) {
    int64_t id = first + i;
    std::vector<ValuePair> m = {{kId, Value::String("p" + std::to_string(i))},
                                {kPid, Value::Long(id)},
                                {kName, Value::String(NameOf(id))},
                                {kEmail, Value::String(EmailOf(id))},
                                {kAge, Value::Long(AgeOf(id))}};
    int friends = static_cast<int>(rng() % 3);
    if (friends > 0 && count > 1) {
      std::vector<Value> f;
      for (int k = 0; k < friends; ++k) {
        int64_t j = static_cast<int64_t>(rng() % static_cast<uint64_t>(count));
        if (j != i) f.push_back(Value::String("p" + std::to_string(j)));
      }
      if (!f.empty()) m.emplace_back(kFriend, Value::Vector(std::move(f)));
    }
    people.push_back(Value::Map(std::move(m)));
  }
  return Value::Vector(std::move(people));
}

// ---------------------------------------------------------------------------
// The base databases, one per size, built once; only their roots are kept.

struct Base {
  int64_t target = 0;
  fs::path dir;
  std::vector<internal::Tier> tiers;
  int64_t t = 0, next_counter = 0, last_tx_instant = 0;
  int64_t people = 0;
  int64_t datoms = 0;     // EAVT current datoms (schema and tx instants too)
  int64_t tx_datoms = 0;  // datoms of every transaction's tx-data
  double tx_s = 0, index_s = 0;
  double tx_cpu_s = 0, index_cpu_s = 0;
  double edn_bytes = 0, file_bytes = 0, blob_bytes = 0;
  int64_t blobs = 0;
  int64_t mem_datoms_indexed = 0;
  uint64_t seed = 0;
  std::string error;
};

Base Build(int64_t target) {
  Base b;
  b.target = target;
  b.dir = TempRoot() / ("base-" + std::to_string(target));
  b.seed = 0x5eed0000ULL + static_cast<uint64_t>(target);
  std::mt19937_64 rng(b.seed);
  try {
    std::shared_ptr<LmdbStorage> storage = LmdbStorage::Open(b.dir);
    auto cache = std::make_shared<SegmentCache>(kCacheBytes);
    int64_t now = kNow;
    std::shared_ptr<const DbState> state = DbState::Bootstrap();
    Value schema = ReadEdn(kSchema);
    b.edn_bytes += static_cast<double>(PrintEdn(schema).size());
    auto start = Clock::now();
    double cpu_start = CpuSeconds();
    state = internal::RunTransaction(Database(state), schema, ++now).state;
    double tx_s = Seconds(start);
    double tx_cpu_s = CpuSeconds() - cpu_start;
    std::string edn;
    while (b.tx_datoms < target) {
      Value tx = PeopleTx(b.people, kPeoplePerTx, rng);
      // EDN text, untimed: what the same data weighs as text.
      edn.clear();
      PrintEdn(tx, &edn);
      b.edn_bytes += static_cast<double>(edn.size());
      start = Clock::now();
      cpu_start = CpuSeconds();
      internal::TxResult r = internal::RunTransaction(Database(state), tx, ++now);
      tx_s += Seconds(start);
      tx_cpu_s += CpuSeconds() - cpu_start;
      state = std::move(r.state);
      b.tx_datoms += static_cast<int64_t>(r.tx_data.size());
      b.people += kPeoplePerTx;
    }
    b.mem_datoms_indexed = Database(state).Count(Index::kEavt);
    start = Clock::now();
    cpu_start = CpuSeconds();
    std::shared_ptr<const DbState> indexed = IndexNow(*state, storage, cache);
    b.index_s = Seconds(start);
    b.index_cpu_s = CpuSeconds() - cpu_start;
    b.tx_s = tx_s;
    b.tx_cpu_s = tx_cpu_s;
    state.reset();
    b.tiers = indexed->durable->tiers;
    b.t = indexed->durable->t;
    b.next_counter = indexed->next_counter;
    b.last_tx_instant = indexed->last_tx_instant;
    b.datoms = Database(indexed).Count(Index::kEavt);
    int64_t people = Database(indexed).Count(Index::kAevt, {Value::Keyword("person/id")});
    if (b.datoms != b.mem_datoms_indexed || people != b.people) {
      b.error = "the indexed database holds " + std::to_string(b.datoms) + " datoms and " +
                std::to_string(people) + " people, expected " +
                std::to_string(b.mem_datoms_indexed) + " and " + std::to_string(b.people);
    }
    indexed.reset();
    storage->ListBlobs([&](const Uuid& key) {
      ++b.blobs;
      b.blob_bytes += static_cast<double>(storage->Get(key).value_or("").size());
    });
  } catch (const std::exception& e) {
    b.error = std::string("building the base: ") + e.what();
    return b;
  }
  std::error_code ec;
  b.file_bytes = static_cast<double>(fs::file_size(b.dir / "data.mdb", ec));
  return b;
}

const Base& BaseOf(int64_t target) {
  static std::map<int64_t, Base> bases;
  auto it = bases.find(target);
  if (it == bases.end()) it = bases.emplace(target, Build(target)).first;
  return it->second;
}

// A base database opened: its own LMDB environment and segment cache.
struct Opened {
  std::shared_ptr<LmdbStorage> storage;
  std::shared_ptr<SegmentCache> cache;
  std::shared_ptr<const DbState> state;
};

Opened Open(const Base& b, size_t cache_bytes = kCacheBytes) {
  Opened o;
  o.storage = LmdbStorage::Open(b.dir);
  o.cache = std::make_shared<SegmentCache>(cache_bytes);
  auto durable = std::make_shared<DurableIndex>();
  durable->storage = o.storage;
  durable->cache = o.cache;
  durable->t = b.t;
  durable->tiers = b.tiers;
  o.state = internal::StateFromIndex(std::move(durable), b.next_counter, b.last_tx_instant);
  return o;
}

// `state` reading its durable trees through `cache` instead.
std::shared_ptr<const DbState> WithCache(const DbState& state,
                                         std::shared_ptr<SegmentCache> cache) {
  auto next = std::make_shared<DbState>(state);
  auto durable = std::make_shared<DurableIndex>(*state.durable);
  durable->cache = std::move(cache);
  next->durable = std::move(durable);
  return next;
}

// Skips with the base's error; true if it did.
bool SkipBroken(benchmark::State& st, const Base& b) {
  if (b.error.empty()) return false;
  st.SkipWithError(b.error.c_str());
  return true;
}

// ---------------------------------------------------------------------------

void BM_BulkLoad(benchmark::State& st) {
  const Base& b = BaseOf(st.range(0));
  if (SkipBroken(st, b)) return;
  for (auto _ : st) st.SetIterationTime(b.tx_s + b.index_s);
  double n = static_cast<double>(b.datoms);
  st.counters["datoms"] = n;
  st.counters["datoms_per_s"] = n / (b.tx_s + b.index_s);
  st.counters["tx_s"] = b.tx_s;
  st.counters["index_s"] = b.index_s;
  st.counters["tx_cpu_s"] = b.tx_cpu_s;
  st.counters["index_cpu_s"] = b.index_cpu_s;
  st.counters["index_datoms_per_s"] = n / b.index_s;
  st.counters["segments"] = static_cast<double>(b.blobs);
  st.counters["file_B/datom"] = b.file_bytes / n;
  st.counters["blob_B/datom"] = b.blob_bytes / n;
  st.counters["edn_B/datom"] = b.edn_bytes / n;
  st.counters["file/edn"] = b.file_bytes / b.edn_bytes;
  st.counters["blob/edn"] = b.blob_bytes / b.edn_bytes;
}

enum class Job { kClustered, kScattered };

// A job's memory index on top of `base`: about kJobDatoms datoms of
// tx-data, new people (clustered) or changed ages of random existing people
// (scattered: round `round` sets each age to AgeOf(id) + 100 + round).
struct JobInput {
  std::shared_ptr<const DbState> state;
  int64_t added = 0, retracted = 0;
  int64_t check_id = 0, check_age = 0;  // one change to read back
};

JobInput MakeJob(const Base& b, std::shared_ptr<const DbState> base, Job job, int round,
                 std::mt19937_64& rng) {
  JobInput in;
  in.state = std::move(base);
  int64_t now = in.state->last_tx_instant;
  if (job == Job::kClustered) {
    int64_t first = b.people + static_cast<int64_t>(round) * kJobDatoms;
    while (in.added + in.retracted < kJobDatoms) {
      int64_t count = std::min<int64_t>(kPeoplePerTx, (kJobDatoms - in.added) / 5 + 1);
      internal::TxResult r =
          internal::RunTransaction(Database(in.state), PeopleTx(first, count, rng), ++now);
      for (const Datom& d : r.tx_data) ++(d.added ? in.added : in.retracted);
      in.state = std::move(r.state);
      first += count;
    }
    in.check_id = first - 1;
    in.check_age = AgeOf(in.check_id);
    return in;
  }
  // Distinct random people, 10,000 a transaction; each age changes (a
  // retraction and an assertion).
  std::vector<int64_t> ids(static_cast<size_t>(b.people));
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);
  std::shuffle(ids.begin(), ids.end(), rng);
  ids.resize(static_cast<size_t>(std::min<int64_t>(b.people, kJobDatoms / 2)));
  const Value kAdd = Value::Keyword("db/add"), kPid = Value::Keyword("person/id"),
              kAge = Value::Keyword("person/age");
  for (size_t i = 0; i < ids.size(); i += kPeoplePerTx) {
    std::vector<Value> ops;
    for (size_t j = i; j < std::min(ids.size(), i + kPeoplePerTx); ++j) {
      ops.push_back(Value::Vector({kAdd, Value::Vector({kPid, Value::Long(ids[j])}), kAge,
                                   Value::Long(AgeOf(ids[j]) + 100 + round)}));
    }
    internal::TxResult r =
        internal::RunTransaction(Database(in.state), Value::Vector(std::move(ops)), ++now);
    for (const Datom& d : r.tx_data) ++(d.added ? in.added : in.retracted);
    in.state = std::move(r.state);
  }
  in.check_id = ids.back();
  in.check_age = AgeOf(in.check_id) + 100 + round;
  return in;
}

// "" if `db` holds `expected` datoms and person `id` is `age` years old.
std::string CheckJob(const Database& db, int64_t expected, int64_t id, int64_t age) {
  int64_t count = db.Count(Index::kEavt);
  std::optional<EntityId> e =
      db.Entid(Value::Vector({Value::Keyword("person/id"), Value::Long(id)}));
  int64_t found = -1;
  if (e) {
    DatomIterator it = db.Datoms(Index::kEavt, {Value::Long(*e), Value::Keyword("person/age")});
    if (const Datom* d = it.Next()) found = d->v.AsLong();
  }
  if (count == expected && found == age) return "";
  return std::to_string(count) + " datoms (expected " + std::to_string(expected) + "), person " +
         std::to_string(id) + "'s age " + std::to_string(found) + " (expected " +
         std::to_string(age) + ")";
}

// Every segment of `durable`'s trees of `index`, as key bytes.
std::vector<std::array<uint8_t, 16>> SegmentsOf(const DurableIndex& durable, Index index) {
  std::vector<std::array<uint8_t, 16>> out;
  for (const internal::Tier& tier : durable.tiers) {
    for (const TreeRoot& root : tier.trees[static_cast<size_t>(index)]) {
      for (const Uuid& k :
           internal::ListTreeSegments(durable.storage.get(), nullptr, index, root)) {
        out.push_back(k.bytes);
      }
    }
  }
  return out;
}

// BM_IndexJob: the indexing job (IndexNow: the memory index written as a
// new tier) is the time; merge_into_base_ms is what merging that tier into
// the base's tree would cost at once (CompactTiers forced), which tiers
// spread over many jobs (BM_Tiers).
void BM_IndexJob(benchmark::State& st, Job job) {
  const Base& b = BaseOf(st.range(0));
  if (SkipBroken(st, b)) return;
  std::string error;
  double written = 0, bytes = 0, merge_s = 0, job_datoms = 0;
  std::array<double, 4> per_index{}, base_per_index{};  // segments, new and in the base
  try {
    Opened o = Open(b);
    std::mt19937_64 rng(b.seed ^ 0x10b);
    JobInput in = MakeJob(b, o.state, job, 0, rng);
    job_datoms = static_cast<double>(in.added + in.retracted);
    const int64_t expected = b.datoms + in.added - in.retracted;
    for (auto _ : st) {
      std::vector<std::array<uint8_t, 16>> before;
      o.storage->ListBlobs([&](const Uuid& k) { before.push_back(k.bytes); });
      std::sort(before.begin(), before.end());
      auto cache = std::make_shared<SegmentCache>(kCacheBytes);
      auto start = Clock::now();
      std::shared_ptr<const DbState> indexed = IndexNow(*in.state, o.storage, cache);
      st.SetIterationTime(Seconds(start));
      for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
        std::vector<std::array<uint8_t, 16>> old_keys = SegmentsOf(*o.state->durable, index);
        std::sort(old_keys.begin(), old_keys.end());
        int64_t fresh = 0;
        for (const auto& k : SegmentsOf(*indexed->durable, index)) {
          if (!std::binary_search(old_keys.begin(), old_keys.end(), k)) ++fresh;
        }
        per_index[static_cast<size_t>(index)] = static_cast<double>(fresh);
        base_per_index[static_cast<size_t>(index)] = static_cast<double>(old_keys.size());
      }
      written = 0;
      bytes = 0;
      o.storage->ListBlobs([&](const Uuid& k) {
        if (std::binary_search(before.begin(), before.end(), k.bytes)) return;
        ++written;
        bytes += static_cast<double>(o.storage->Get(k).value_or("").size());
      });
      error = CheckJob(Database(indexed), expected, in.check_id, in.check_age);
      if (!error.empty()) break;
      // The tier merged into the base at once.
      start = Clock::now();
      std::shared_ptr<const DbState> merged = internal::CompactTiers(*indexed, 1 << 30);
      merge_s += Seconds(start);
      if (merged->durable->tiers.size() != 1) error = "the forced merge left several tiers";
      if (error.empty()) {
        error = CheckJob(Database(merged), expected, in.check_id, in.check_age);
      }
      if (!error.empty()) break;
    }
  } catch (const std::exception& e) {
    error = std::string("the job: ") + e.what();
  }
  if (!error.empty()) {
    st.SkipWithError(error.c_str());
    return;
  }
  st.counters["base_datoms"] = static_cast<double>(b.datoms);
  st.counters["job_datoms"] = job_datoms;
  st.counters["segments_written"] = written;
  st.counters["MB_written"] = bytes / 1e6;
  st.counters["new_eavt"] = per_index[0];
  st.counters["new_aevt"] = per_index[1];
  st.counters["new_avet"] = per_index[2];
  st.counters["new_vaet"] = per_index[3];
  st.counters["base_eavt"] = base_per_index[0];
  st.counters["base_aevt"] = base_per_index[1];
  st.counters["base_avet"] = base_per_index[2];
  st.counters["base_vaet"] = base_per_index[3];
  st.counters["merge_into_base_ms"] = merge_s * 1e3 / static_cast<double>(st.iterations());
  st.counters["job_datoms_per_s"] = benchmark::Counter(
      job_datoms * static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
}

constexpr int kTierRatio = 4;  // the transactor's default

// BM_Tiers: scattered jobs one after another, each followed by compaction
// as the transactor does it (ratio 4), until the tiers have merged back
// into one (the base merge that ends a cycle): the time is the whole cycle
// (jobs and compactions; the transactions are not timed), and per_job_ms
// the amortized cost of one job.
void BM_Tiers(benchmark::State& st) {
  const Base& b = BaseOf(st.range(0));
  if (SkipBroken(st, b)) return;
  std::string error;
  double jobs = 0, job_s = 0, compact_s = 0, max_tiers = 0;
  try {
    for (auto _ : st) {
      Opened o = Open(b);
      std::mt19937_64 rng(b.seed ^ 0x7135);
      std::shared_ptr<const DbState> state = o.state;
      int64_t expected = b.datoms;
      double cycle = 0;
      for (int round = 0; error.empty(); ++round) {
        JobInput in = MakeJob(b, state, Job::kScattered, round + 1, rng);
        expected += in.added - in.retracted;
        auto start = Clock::now();
        std::shared_ptr<const DbState> indexed = IndexNow(*in.state, o.storage, o.cache);
        double s = Seconds(start);
        job_s += s;
        cycle += s;
        max_tiers = std::max(max_tiers, static_cast<double>(indexed->durable->tiers.size()));
        start = Clock::now();
        state = internal::CompactTiers(*indexed, kTierRatio);
        s = Seconds(start);
        compact_s += s;
        cycle += s;
        ++jobs;
        error = CheckJob(Database(state), expected, in.check_id, in.check_age);
        if (state->durable->tiers.size() == 1) break;
        if (round > 200) error = "the tiers never merged into one";
      }
      st.SetIterationTime(cycle);
    }
  } catch (const std::exception& e) {
    error = std::string("the jobs: ") + e.what();
  }
  if (!error.empty()) {
    st.SkipWithError(error.c_str());
    return;
  }
  st.counters["base_datoms"] = static_cast<double>(b.datoms);
  st.counters["jobs"] = jobs / static_cast<double>(st.iterations());
  st.counters["max_tiers"] = max_tiers;
  st.counters["per_job_ms"] = (job_s + compact_s) * 1e3 / jobs;
  st.counters["job_ms"] = job_s * 1e3 / jobs;
  st.counters["compaction_ms"] = compact_s * 1e3 / jobs;
}

// The person a query looks up, drawn from the base.
int64_t PickPerson(const Base& b, std::mt19937_64& rng) {
  return static_cast<int64_t>(rng() % static_cast<uint64_t>(b.people));
}

// Looks person `id` up in AVET, then reads its EAVT datoms; returns an
// error or "".
std::string LookUp(const Database& db, int64_t id, int64_t* datoms) {
  DatomIterator avet = db.Datoms(Index::kAvet, {Value::Keyword("person/id"), Value::Long(id)});
  const Datom* hit = avet.Next();
  if (hit == nullptr) return "person " + std::to_string(id) + " not found in AVET";
  EntityId e = hit->e;
  std::string name;
  int64_t n = 0;
  DatomIterator eavt = db.Datoms(Index::kEavt, {Value::Long(e)});
  EntityId name_attr = db.EntidOrThrow(Value::Keyword("person/name"));
  while (const Datom* d = eavt.Next()) {
    ++n;
    if (d->a == name_attr) name = std::string(d->v.AsString());
  }
  *datoms = n;
  // id, name, email, age and 0-2 friends.
  if (name != NameOf(id) || n < 4 || n > 6) {
    return "person " + std::to_string(id) + ": name \"" + name + "\", " + std::to_string(n) +
           " datoms";
  }
  return "";
}

void BM_Open(benchmark::State& st) {
  const Base& b = BaseOf(st.range(0));
  if (SkipBroken(st, b)) return;
  std::string error;
  double misses = 0;
  std::mt19937_64 rng(7);
  try {
    for (auto _ : st) {
      int64_t id = PickPerson(b, rng);
      auto start = Clock::now();
      Opened o = Open(b);
      int64_t n = 0;
      error = LookUp(Database(o.state), id, &n);
      st.SetIterationTime(Seconds(start));
      misses += static_cast<double>(o.cache->stats().misses);
      if (!error.empty()) break;
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    st.SkipWithError(error.c_str());
    return;
  }
  st.counters["base_datoms"] = static_cast<double>(b.datoms);
  st.counters["segments_read"] = misses / static_cast<double>(st.iterations());
}

void BM_Query(benchmark::State& st, bool warm) {
  const Base& b = BaseOf(st.range(0));
  if (SkipBroken(st, b)) return;
  std::string error;
  double misses = 0, datoms = 0;
  std::mt19937_64 rng(11);
  try {
    Opened o = Open(b);
    int64_t id = PickPerson(b, rng);
    auto warm_cache = std::make_shared<SegmentCache>(kCacheBytes);
    std::shared_ptr<const DbState> warm_state = WithCache(*o.state, warm_cache);
    int64_t n = 0;
    if (warm) error = LookUp(Database(warm_state), id, &n);  // warms the cache
    for (auto _ : st) {
      if (!error.empty()) break;
      std::shared_ptr<const DbState> state = warm_state;
      std::shared_ptr<SegmentCache> cache = warm_cache;
      if (!warm) {
        // A fresh cache, and a new person each time.
        id = PickPerson(b, rng);
        cache = std::make_shared<SegmentCache>(kCacheBytes);
        state = WithCache(*o.state, cache);
      }
      uint64_t misses0 = cache->stats().misses;
      auto start = Clock::now();
      error = LookUp(Database(state), id, &n);
      st.SetIterationTime(Seconds(start));
      misses += static_cast<double>(cache->stats().misses - misses0);
      datoms += static_cast<double>(n);
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    st.SkipWithError(error.c_str());
    return;
  }
  double iterations = static_cast<double>(st.iterations());
  st.counters["base_datoms"] = static_cast<double>(b.datoms);
  st.counters["segments_read"] = misses / iterations;
  st.counters["datoms"] = datoms / iterations;
}

void Register(const std::vector<int64_t>& sizes) {
  auto args = [&](benchmark::internal::Benchmark* bm) {
    for (int64_t n : sizes) bm->Arg(n);
    bm->ArgName("datoms");
    bm->UseManualTime();
  };
  args(benchmark::RegisterBenchmark("BM_BulkLoad", BM_BulkLoad)
           ->Iterations(1)
           ->Unit(benchmark::kSecond));
  args(benchmark::RegisterBenchmark("BM_IndexJob/clustered", BM_IndexJob, Job::kClustered)
           ->Iterations(3)
           ->Unit(benchmark::kMillisecond));
  args(benchmark::RegisterBenchmark("BM_IndexJob/scattered", BM_IndexJob, Job::kScattered)
           ->Iterations(3)
           ->Unit(benchmark::kMillisecond));
  args(benchmark::RegisterBenchmark("BM_Tiers", BM_Tiers)->Iterations(1)->Unit(benchmark::kSecond));
  args(benchmark::RegisterBenchmark("BM_Open", BM_Open)->Unit(benchmark::kMicrosecond));
  args(benchmark::RegisterBenchmark("BM_Query/cold", BM_Query, false)
           ->Unit(benchmark::kMicrosecond));
  args(
      benchmark::RegisterBenchmark("BM_Query/warm", BM_Query, true)->Unit(benchmark::kMicrosecond));
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::vector<int64_t> sizes = {1'000'000, 5'000'000};
  const char* large = std::getenv("STRATA_BENCH_LARGE");
  if (large != nullptr && std::string(large) == "1") sizes.push_back(20'000'000);
  strata::bench::Register(sizes);
  benchmark::AddCustomContext("lmdb_dir", strata::bench::TempRoot("index").string());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
