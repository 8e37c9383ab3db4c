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
//                       steadier than wall time on a busy machine;
//                       mem_B/datom is the anonymous resident memory the
//                       load grew by (the memory index full, before the
//                       job) per datom
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
// Queries at scale (strata::Q) on a query database of 10M datoms: people
// as above plus :person/sex, :person/salary and :person/manager (a ref to
// the first person of the team of 10 by id), indexed (read through
// segments and a cache, as a peer reads):
//
//   BM_Query/base                 its build (once per process, shared by
//                                 the queries): datoms/s, memory per datom
//   BM_Query/selective/...        one person by :person/email, with name
//                                 and age: one row
//   BM_Query/range/...            an AVET range of salaries holding 1% of
//                                 the people, with their ages
//   BM_Query/join/...             a manager's reports by :person/id, via the
//                                 :person/manager ref (VAET): 9 rows
//   BM_Query/join_age/warm        the people of age 30 whose manager is 30
//                                 too: 18k people, then their managers and
//                                 those managers' ages looked up
//   BM_Query/aggregate_all/...    count and average age by sex over every
//                                 person (2.5M datoms read)
//   BM_Query/aggregate_age/warm   count and average salary by sex of the
//                                 people of age 30 (18k)
//
// warm: the process's object cache bound (STRATA_OBJECT_CACHE_MAX, else a
// quarter of memory), warmed by each of 64 inputs (person, range, manager;
// the one input of the others), then cycling through them; cold: a fresh 4 MiB cache and a new
// input each run. Counters: rows (result rows, or the rows aggregated), rows_per_s, datoms_per_s
// (the datoms those rows read), segments_read (cache misses) and MB_decoded per run. Each answer is
// checked against the generator's functions (the salaries, ages, sexes and managers it gave each
// id), not another query. STRATA_BENCH_EXPLAIN=1 prints each query's plan (strata::Explain) to
// stderr.
//
// The base database of each size is built once per process, on first use,
// in /tmp/strata-index-XXXXXX (removed at exit); only its tree roots stay in
// memory, and each benchmark opens the LMDB directory itself (one
// environment per directory and process at a time, as LMDB requires). The
// index jobs' segments are written to the same LMDB file (unreachable
// garbage: it does not change what the other benchmarks read).
//
// Each benchmark checks its answer: datom counts after the build and after
// each job, the looked-up person's name and datoms, the changed ages, each
// query's rows.
//
// Sizes: STRATA_BENCH_LARGE=1 adds the 20M-datom database (several minutes
// and several GiB of memory to build); QUICK runs (scripts/run-bench) leave
// it out since they do not set it.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "db/db_state.h"
#include "peer/object_cache.h"
#include "storage/lmdb_storage.h"
#include "strata/anomaly.h"
#include "strata/database.h"
#include "strata/edn.h"
#include "strata/query.h"
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

// The query database's people have three more attributes (their schema
// transacted after kSchema): a sex, a salary and a manager (the first
// person of each team of kTeam by id; the first has none).
constexpr std::string_view kQuerySchema = R"([
  {:db/ident :person/sex :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
  {:db/ident :person/salary :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/manager :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}])";
constexpr int64_t kTeam = 10;
constexpr int64_t kMinSalary = 20'000, kSalarySpan = 180'000;  // uniform in [20k, 200k)

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
bool MaleOf(int64_t id) { return (Mix(static_cast<uint64_t>(id) ^ 0x5e85e8ULL) & 1) != 0; }
int64_t SalaryOf(int64_t id) {
  return kMinSalary + static_cast<int64_t>(Mix(static_cast<uint64_t>(id) ^ 0x5a1a5a1aULL) %
                                           static_cast<uint64_t>(kSalarySpan));
}
// The person's manager, or -1 for a team's first person.
int64_t ManagerOf(int64_t id) { return id % kTeam == 0 ? -1 : id - id % kTeam; }

// Tx-data of people [first, first + count), friends drawn by `rng` among
// the same transaction's people (by tempid); with `query`, each also has a
// sex, a salary and a manager (kQuerySchema).
Value PeopleTx(int64_t first, int64_t count, std::mt19937_64& rng, bool query = false) {
  std::vector<Value> people;
  people.reserve(static_cast<size_t>(count));
  const Value kId = Value::Keyword("db/id"), kPid = Value::Keyword("person/id"),
              kName = Value::Keyword("person/name"), kEmail = Value::Keyword("person/email"),
              kAge = Value::Keyword("person/age"), kFriend = Value::Keyword("person/friend");
  const Value sex_attr = Value::Keyword("person/sex"),
              salary_attr = Value::Keyword("person/salary"),
              manager_attr = Value::Keyword("person/manager"), male = Value::Keyword("male"),
              female = Value::Keyword("female");
  for (int64_t i = 0; i < count; ++i) {
    int64_t id = first + i;
    std::vector<ValuePair> m = {{kId, Value::String("p" + std::to_string(i))},
                                {kPid, Value::Long(id)},
                                {kName, Value::String(NameOf(id))},
                                {kEmail, Value::String(EmailOf(id))},
                                {kAge, Value::Long(AgeOf(id))}};
    if (query) {
      m.emplace_back(sex_attr, MaleOf(id) ? male : female);
      m.emplace_back(salary_attr, Value::Long(SalaryOf(id)));
      int64_t manager = ManagerOf(id);
      if (manager >= 0) {
        // In this transaction (a tempid) or an earlier one (a lookup ref).
        m.emplace_back(manager_attr, manager >= first
                                         ? Value::String("p" + std::to_string(manager - first))
                                         : Value::Vector({kPid, Value::Long(manager)}));
      }
    }
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
  double mem_bytes = 0;  // RssAnon grown by the load (the memory index full)
  bool query = false;    // the query database (PeopleTx's `query`)
  uint64_t seed = 0;
  std::string error;
};

// The process's anonymous resident memory (RssAnon: LMDB's mapped file is
// not in it), in bytes; 0 if /proc cannot tell.
double RssAnonBytes() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  double kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "RssAnon:", 8) == 0) {
      kib = std::strtod(line + 8, nullptr);
      break;
    }
  }
  std::fclose(f);
  return kib * 1024;
}

Base Build(int64_t target, bool query) {
  Base b;
  b.target = target;
  b.query = query;
  b.dir = TempRoot() / ((query ? "query-" : "base-") + std::to_string(target));
  b.seed = 0x5eed0000ULL + static_cast<uint64_t>(target) + (query ? 0x9000'0000ULL : 0);
  // Memory freed by earlier bases back to the system, so that the growth
  // measured is this load's.
  malloc_trim(0);
  const double rss_before = RssAnonBytes();
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
    if (query) {
      state = internal::RunTransaction(Database(state), ReadEdn(kQuerySchema), ++now).state;
    }
    double tx_s = Seconds(start);
    double tx_cpu_s = CpuSeconds() - cpu_start;
    std::string edn;
    while (b.tx_datoms < target) {
      Value tx = PeopleTx(b.people, kPeoplePerTx, rng, query);
      // EDN text, untimed: what the same data weighs as text.
      if (!query) {
        edn.clear();
        PrintEdn(tx, &edn);
        b.edn_bytes += static_cast<double>(edn.size());
      }
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
    b.mem_bytes = RssAnonBytes() - rss_before;
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

// The base of `target` datoms (the query database with `query`), built on
// first use and kept for the process.
const Base& BaseOf(int64_t target, bool query = false) {
  static std::map<std::pair<int64_t, bool>, Base> bases;
  auto key = std::make_pair(target, query);
  auto it = bases.find(key);
  if (it == bases.end()) it = bases.emplace(key, Build(target, query)).first;
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
  st.counters["mem_B/datom"] = b.mem_bytes / static_cast<double>(b.mem_datoms_indexed);
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

// ---------------------------------------------------------------------------
// Queries at scale: strata::Q over the query database (kQueryDatoms datoms
// of people with sex, salary and manager), read from the durable index only
// (the indexing job has run: segments through a cache, as a peer reads).

constexpr int64_t kQueryDatoms = 10'000'000;
constexpr size_t kColdCacheBytes = size_t{4} << 20;  // the larger-than-memory test's bound
constexpr int64_t kWarmDraws = 64;  // warm runs cycle through this many inputs, run once first
constexpr int64_t kRangeWidth = kSalarySpan / 100;  // 1% of the people
constexpr int64_t kQueryAge = 30;

enum class QueryKind { kSelective, kRange, kJoin, kJoinAge, kAggregateAll, kAggregateAge };

// What the generator says, computed from its functions (not from the
// database): the checks' expected answers.
struct Truth {
  std::vector<std::pair<int64_t, int64_t>> by_salary;          // (salary, age), sorted
  std::vector<int64_t> age_sums;                               // of by_salary[0, i)
  std::array<int64_t, 2> count{}, age_sum{};                   // by sex (0 female, 1 male)
  std::array<int64_t, 2> count_at_age{}, salary_sum_at_age{};  // people of kQueryAge
  int64_t joined_at_age = 0;  // people of kQueryAge whose manager is too
};

const Truth& TruthOf(const Base& b) {
  static Truth truth = [&] {
    Truth t;
    t.by_salary.reserve(static_cast<size_t>(b.people));
    for (int64_t id = 0; id < b.people; ++id) {
      int64_t age = AgeOf(id);
      int sex = MaleOf(id) ? 1 : 0;
      t.by_salary.emplace_back(SalaryOf(id), age);
      ++t.count[sex];
      t.age_sum[sex] += age;
      if (age == kQueryAge) {
        ++t.count_at_age[sex];
        t.salary_sum_at_age[sex] += SalaryOf(id);
        int64_t m = ManagerOf(id);
        if (m >= 0 && AgeOf(m) == kQueryAge) ++t.joined_at_age;
      }
    }
    std::sort(t.by_salary.begin(), t.by_salary.end());
    t.age_sums.assign(1, 0);
    for (const auto& [salary, age] : t.by_salary) t.age_sums.push_back(t.age_sums.back() + age);
    return t;
  }();
  return truth;
}

struct QueryCase {
  const char* query;
  // The inputs after $ for draw `d` (a person, a manager, a salary).
  std::function<std::vector<Value>(int64_t d)> args;
  // "" if `result` is right for draw `d`; sets the rows it stands for (for
  // an aggregate, the rows aggregated).
  std::function<std::string(const Value& result, int64_t d, int64_t* rows)> check;
  std::function<int64_t(std::mt19937_64&)> draw;
  int64_t datoms_per_row = 0;  // datoms read per row (throughput), 0: not reported
};

std::string Mismatch(const std::string& what, const Value& result) {
  std::string text = PrintEdn(result);
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return what + ": got " + text;
}

bool Near(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)); }

QueryCase CaseOf(QueryKind kind, const Base& b) {
  const Truth& truth = TruthOf(b);
  const uint64_t people = static_cast<uint64_t>(b.people);
  auto person = [people](std::mt19937_64& rng) { return static_cast<int64_t>(rng() % people); };
  // An aggregate by sex: rows [sex count avg], of `count` values summing to
  // `sum` for each sex.
  auto by_sex = [](const Value& r, const std::array<int64_t, 2>& count,
                   const std::array<int64_t, 2>& sum, int64_t* rows) -> std::string {
    if (!r.is_set() || r.Count() != 2) return Mismatch("expected 2 rows", r);
    *rows = 0;
    for (const Value& row : r.Items()) {
      auto items = row.Items();
      if (items.size() != 3) return Mismatch("expected rows [sex count avg]", r);
      int sex = items[0] == Value::Keyword("male") ? 1 : 0;
      if (!items[1].is_long() || items[1].AsLong() != count[sex] || !items[2].is_double() ||
          !Near(items[2].AsDouble(),
                static_cast<double>(sum[sex]) / static_cast<double>(count[sex]))) {
        return Mismatch("expected counts " + std::to_string(count[0]) + "/" +
                            std::to_string(count[1]) + " and their averages",
                        r);
      }
      *rows += items[1].AsLong();
    }
    return "";
  };
  switch (kind) {
    case QueryKind::kSelective:
      return {
          "[:find ?name ?age :in $ ?email :where [?e :person/email ?email]"
          " [?e :person/name ?name] [?e :person/age ?age]]",
          [](int64_t id) { return std::vector<Value>{Value::String(EmailOf(id))}; },
          [](const Value& r, int64_t id, int64_t* rows) -> std::string {
            *rows = static_cast<int64_t>(r.Count());
            if (r.is_set() && r.Count() == 1 &&
                r.Items()[0].Items()[0] == Value::String(NameOf(id)) &&
                r.Items()[0].Items()[1] == Value::Long(AgeOf(id))) {
              return "";
            }
            return Mismatch("person " + std::to_string(id), r);
          },
          person, 3};
    case QueryKind::kRange:
      return {
          "[:find ?e ?age :in $ ?lo ?hi :where [?e :person/salary ?s] [(>= ?s ?lo)]"
          " [(< ?s ?hi)] [?e :person/age ?age]]",
          [](int64_t lo) {
            return std::vector<Value>{Value::Long(lo), Value::Long(lo + kRangeWidth)};
          },
          [&truth](const Value& r, int64_t lo, int64_t* rows) -> std::string {
            auto first = std::lower_bound(truth.by_salary.begin(), truth.by_salary.end(),
                                          std::make_pair(lo, int64_t{0}));
            auto last = std::lower_bound(truth.by_salary.begin(), truth.by_salary.end(),
                                         std::make_pair(lo + kRangeWidth, int64_t{0}));
            int64_t n = last - first;
            int64_t ages = truth.age_sums[static_cast<size_t>(last - truth.by_salary.begin())] -
                           truth.age_sums[static_cast<size_t>(first - truth.by_salary.begin())];
            *rows = static_cast<int64_t>(r.Count());
            int64_t got = 0;
            for (const Value& row : r.Items()) got += row.Items()[1].AsLong();
            if (*rows == n && got == ages) return "";
            return "salaries [" + std::to_string(lo) + ", " + std::to_string(lo + kRangeWidth) +
                   "): " + std::to_string(*rows) + " rows, ages summing to " + std::to_string(got) +
                   "; expected " + std::to_string(n) + " and " + std::to_string(ages);
          },
          [](std::mt19937_64& rng) {
            return kMinSalary +
                   static_cast<int64_t>(rng() % static_cast<uint64_t>(kSalarySpan - kRangeWidth));
          },
          2};
    case QueryKind::kJoin:
      return {
          "[:find ?id :in $ ?mid :where [?m :person/id ?mid] [?e :person/manager ?m]"
          " [?e :person/id ?id]]",
          [](int64_t mid) { return std::vector<Value>{Value::Long(mid)}; },
          [](const Value& r, int64_t mid, int64_t* rows) -> std::string {
            *rows = static_cast<int64_t>(r.Count());
            bool ok = r.is_set() && *rows == kTeam - 1;
            for (int64_t k = 1; ok && k < kTeam; ++k) {
              ok = r.Contains(Value::Vector({Value::Long(mid + k)}));
            }
            return ok ? "" : Mismatch("the reports of " + std::to_string(mid), r);
          },
          [people](std::mt19937_64& rng) {
            return static_cast<int64_t>(rng() % (people / kTeam)) * kTeam;
          },
          2};
    case QueryKind::kJoinAge:
      return {
          "[:find ?e ?m :in $ ?age :where [?e :person/age ?age] [?e :person/manager ?m]"
          " [?m :person/age ?age]]",
          [](int64_t) { return std::vector<Value>{Value::Long(kQueryAge)}; },
          [&truth](const Value& r, int64_t, int64_t* rows) -> std::string {
            *rows = static_cast<int64_t>(r.Count());
            if (*rows == truth.joined_at_age) return "";
            return std::to_string(*rows) + " people of " + std::to_string(kQueryAge) +
                   " with a manager of that age, expected " + std::to_string(truth.joined_at_age);
          },
          [](std::mt19937_64&) { return int64_t{0}; }, 0};
    case QueryKind::kAggregateAll:
      return {
          "[:find ?sex (count ?e) (avg ?age) :where [?e :person/sex ?sex]"
          " [?e :person/age ?age]]",
          [](int64_t) { return std::vector<Value>{}; },
          [&truth, by_sex](const Value& r, int64_t, int64_t* rows) {
            return by_sex(r, truth.count, truth.age_sum, rows);
          },
          [](std::mt19937_64&) { return int64_t{0}; }, 2};
    case QueryKind::kAggregateAge:
      return {
          "[:find ?sex (count ?e) (avg ?s) :in $ ?age :where [?e :person/age ?age]"
          " [?e :person/sex ?sex] [?e :person/salary ?s]]",
          [](int64_t) { return std::vector<Value>{Value::Long(kQueryAge)}; },
          [&truth, by_sex](const Value& r, int64_t, int64_t* rows) {
            return by_sex(r, truth.count_at_age, truth.salary_sum_at_age, rows);
          },
          [](std::mt19937_64&) { return int64_t{0}; }, 3};
  }
  return {};
}

std::vector<QueryInput> InputsOf(const Database& db, const std::vector<Value>& args) {
  std::vector<QueryInput> in{db};
  for (const Value& v : args) in.emplace_back(v);
  return in;
}

// BM_Query/<kind>/warm: the process's object cache (STRATA_OBJECT_CACHE_MAX,
// else a quarter of memory), warmed by running each of kWarmDraws inputs
// once; the timed runs cycle through them. /cold: a fresh cache of
// kColdCacheBytes and a new input each run.
void BM_QueryAt(benchmark::State& st, QueryKind kind, bool warm) {
  const Base& b = BaseOf(st.range(0), /*query=*/true);
  if (SkipBroken(st, b)) return;
  std::string error;
  double rows = 0, result_rows = 0, misses = 0, decoded = 0, seconds = 0;
  QueryCase c = CaseOf(kind, b);
  try {
    Opened o = Open(b, warm ? internal::ObjectCacheMaxFromEnvironment() : kColdCacheBytes);
    std::mt19937_64 rng(b.seed ^ (0x9e7 + static_cast<uint64_t>(kind)));
    std::vector<int64_t> draws;
    if (warm) {
      for (int64_t i = 0; i < kWarmDraws; ++i) draws.push_back(c.draw(rng));
      std::vector<int64_t> distinct = draws;  // a fixed input warms once
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      for (int64_t d : distinct) {
        int64_t n = 0;
        error = c.check(Q(c.query, InputsOf(Database(o.state), c.args(d))), d, &n);
        if (!error.empty()) break;
      }
    }
    static std::set<std::pair<QueryKind, bool>> explained;  // Google Benchmark calls again
    if (std::getenv("STRATA_BENCH_EXPLAIN") != nullptr && error.empty() &&
        explained.insert({kind, warm}).second) {
      int64_t d = warm ? draws[0] : c.draw(rng);
      std::fprintf(
          stderr, "%s\n  %s\n", c.query,
          PrintEdn(Explain(ReadEdn(c.query), InputsOf(Database(o.state), c.args(d)))).c_str());
    }
    size_t next = 0;
    for (auto _ : st) {
      if (!error.empty()) break;
      std::shared_ptr<const DbState> state = o.state;
      std::shared_ptr<SegmentCache> cache = o.cache;
      int64_t d = 0;
      if (warm) {
        d = draws[next++ % draws.size()];
      } else {
        d = c.draw(rng);
        cache = std::make_shared<SegmentCache>(kColdCacheBytes);
        state = WithCache(*o.state, cache);
      }
      std::vector<QueryInput> in = InputsOf(Database(state), c.args(d));
      SegmentCache::Stats before = cache->stats();
      auto start = Clock::now();
      Value result = Q(c.query, in);
      benchmark::DoNotOptimize(result);
      double s = Seconds(start);
      st.SetIterationTime(s);
      seconds += s;
      SegmentCache::Stats after = cache->stats();
      misses += static_cast<double>(after.misses - before.misses);
      decoded += static_cast<double>(after.loaded_bytes - before.loaded_bytes);
      int64_t n = 0;
      error = c.check(result, d, &n);
      rows += static_cast<double>(n);
      result_rows += static_cast<double>(result.Count());
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
  st.counters["result_rows"] = result_rows / iterations;
  st.counters["rows"] = rows / iterations;
  st.counters["rows_per_s"] = rows / seconds;
  if (c.datoms_per_row > 0) {
    st.counters["datoms_per_s"] = rows * static_cast<double>(c.datoms_per_row) / seconds;
  }
  st.counters["segments_read"] = misses / iterations;
  st.counters["MB_decoded"] = decoded / 1e6 / iterations;
}

// BM_Query/base: the query database's build (once per process, shared by
// the BM_Query/<kind> benchmarks): its datoms, the load's time and memory.
void BM_QueryBase(benchmark::State& st) {
  const Base& b = BaseOf(st.range(0), /*query=*/true);
  if (SkipBroken(st, b)) return;
  for (auto _ : st) st.SetIterationTime(b.tx_s + b.index_s);
  double n = static_cast<double>(b.datoms);
  st.counters["datoms"] = n;
  st.counters["people"] = static_cast<double>(b.people);
  st.counters["datoms_per_s"] = n / (b.tx_s + b.index_s);
  st.counters["tx_s"] = b.tx_s;
  st.counters["index_s"] = b.index_s;
  st.counters["mem_B/datom"] = b.mem_bytes / static_cast<double>(b.mem_datoms_indexed);
  st.counters["file_B/datom"] = b.file_bytes / n;
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
  auto query = [](benchmark::internal::Benchmark* bm) {
    bm->Arg(kQueryDatoms)->ArgName("datoms")->UseManualTime();
  };
  query(benchmark::RegisterBenchmark("BM_Query/base", BM_QueryBase)
            ->Iterations(1)
            ->Unit(benchmark::kSecond));
  struct {
    const char* name;
    QueryKind kind;
    bool warm;
    benchmark::TimeUnit unit;
  } const queries[] = {
      {"BM_Query/selective/warm", QueryKind::kSelective, true, benchmark::kMicrosecond},
      {"BM_Query/selective/cold", QueryKind::kSelective, false, benchmark::kMicrosecond},
      {"BM_Query/range/warm", QueryKind::kRange, true, benchmark::kMillisecond},
      {"BM_Query/range/cold", QueryKind::kRange, false, benchmark::kMillisecond},
      {"BM_Query/join/warm", QueryKind::kJoin, true, benchmark::kMicrosecond},
      {"BM_Query/join/cold", QueryKind::kJoin, false, benchmark::kMicrosecond},
      {"BM_Query/join_age/warm", QueryKind::kJoinAge, true, benchmark::kMillisecond},
      {"BM_Query/aggregate_all/warm", QueryKind::kAggregateAll, true, benchmark::kMillisecond},
      {"BM_Query/aggregate_all/cold", QueryKind::kAggregateAll, false, benchmark::kMillisecond},
      {"BM_Query/aggregate_age/warm", QueryKind::kAggregateAge, true, benchmark::kMillisecond},
  };
  for (const auto& q : queries) {
    query(benchmark::RegisterBenchmark(q.name, BM_QueryAt, q.kind, q.warm)->Unit(q.unit));
  }
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
