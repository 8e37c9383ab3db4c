// A database larger than the memory it is read with (DESIGN.md section 3:
// only the cache is bounded, and a query touches only the segments it needs).
//
// LargerThanMemoryHeavy.FiveMillionDatomsThroughAFourMebibyteCache builds,
// through the public API, an LMDB database of generated people, more than
// five million datoms in transactions of 10,000 people, while the durable
// transactor indexes in the background; then a few people's ages change,
// and SyncIndex waits until the durable index holds everything. It then
// runs LargerThanMemoryHeavy.ReaderProcess in a fresh process of this
// binary, so that nothing the build allocated counts, with the object cache
// bounded to 4 MiB (STRATA_OBJECT_CACHE_MAX=4m). The reader scans all of
// EAVT, AEVT and AVET, looks people up by unique values in AVET, reads a
// range of an attribute, and reads as of two earlier points and the
// history, checking every answer against the generator (each person's
// facts are a function of its :person/id), while a thread samples the
// process's anonymous memory (RssAnon: LMDB's pages are mapped from the
// file and do not count). The peak must stay far below the size of the
// data decoded (see kRssAnonBound), and the cache within its bound.
//
// Run alone, ReaderProcess skips: it needs the database the first test
// builds. Both print their figures.
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "db/db_state.h"
#include "strata/connection.h"
#include "strata/edn.h"
#include "testing/test_util.h"

extern char** environ;

namespace strata::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int64_t kPeoplePerTx = 10'000;
constexpr int64_t kTargetDatoms = 5'000'000;
// People whose age changes at the end (spread evenly over all of them).
constexpr int64_t kUpdated = 1'000;
constexpr int64_t kLookups = 2'000;
constexpr const char* kCacheMax = "4m";
constexpr int64_t kCacheBytes = int64_t{4} << 20;
// Where the reader finds the database; set only for the reader process.
constexpr const char* kDirVariable = "STRATA_LARGER_THAN_MEMORY_DIR";

// The bound on the reader's RssAnon. Measured on this test (g++ 12,
// glibc): about 2 MiB when the reader starts, 6-9 MiB after scanning EAVT,
// 8-10 MiB at the peak, while it decodes about 1.6 GiB of segments (each
// of them 1-3 times, through the cache): the 4 MiB of cache, the leaves
// the cursors hold, and the allocator's slack. Every segment of the
// database decoded once is about 690 MiB: with a cache bound of 2g, which
// keeps everything, the same reader peaks at 688 MiB. A cache that overran
// its bound, or cursors that kept the leaves they had passed, would hold
// hundreds of MiB. 64 MiB leaves room for other allocators and for
// transparent huge pages, and fails if a tenth of the data stays behind.
constexpr int64_t kRssAnonBound = int64_t{64} << 20;

const char* const kFirst[] = {"Ivan",  "Petr",  "Sergei", "Oleg",  "Yuri", "Dmitry",
                              "Fedor", "Denis", "Anna",   "Maria", "Olga", "Elena"};
const char* const kLast[] = {"Ivanov",  "Petrov",  "Sidorov", "Kovalev", "Kuznetsov",
                             "Voronoi", "Smirnov", "Popov",   "Lebedev", "Novikov"};
const char* const kAliases[] = {"A. C. Q. W.", "A. J. Finn", "A.A. Fair",   "Aapeli",
                                "Aaron Wolfe", "Abu Nuwas",  "Abram Tertz", "Acton Bell",
                                "Adunis",      "Jeanne Ph.", "Abigail V."};

constexpr std::string_view kSchema = R"([
  {:db/ident :person/id :db/valueType :db.type/long :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :person/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/value}
  {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/salary :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/sex :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
  {:db/ident :person/alias :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
  {:db/ident :person/follows :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}])";

// ---------------------------------------------------------------------------
// The people: every fact of a person is a function of its id (1, 2, ...),
// so that the reader checks answers without a table.

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t Hash(int64_t id, uint64_t salt) { return Mix(static_cast<uint64_t>(id) * 8 + salt); }

std::string FirstOf(int64_t id) { return kFirst[Hash(id, 0) % std::size(kFirst)]; }
std::string LastOf(int64_t id) { return kLast[Hash(id, 1) % std::size(kLast)]; }
std::string NameOf(int64_t id) { return FirstOf(id) + " " + LastOf(id); }
std::string EmailOf(int64_t id) {
  std::string s = FirstOf(id) + "." + LastOf(id) + std::to_string(id) + "@example.com";
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
int64_t AgeOf(int64_t id) { return 18 + static_cast<int64_t>(Hash(id, 2) % 70); }
int64_t SalaryOf(int64_t id) { return static_cast<int64_t>(Hash(id, 3) % 100'000); }
bool MaleOf(int64_t id) { return Hash(id, 4) % 2 == 0; }
// 0 to 3 distinct aliases.
std::vector<std::string> AliasesOf(int64_t id) {
  uint64_t h = Hash(id, 5);
  std::vector<std::string> out;
  for (uint64_t j = 0; j < h % 4; ++j) out.push_back(kAliases[((h >> 8) + 3 * j) % 11]);
  return out;
}
// 0 to 2 people of the same transaction, before this one.
std::vector<int64_t> FollowsOf(int64_t id) {
  int64_t first = (id - 1) / kPeoplePerTx * kPeoplePerTx + 1;
  uint64_t h = Hash(id, 6);
  std::vector<int64_t> out;
  int64_t target = id;
  for (uint64_t j = 0; j < h % 3; ++j) {
    target -= 1 + static_cast<int64_t>((h >> (8 + 8 * j)) % 50);
    if (target >= first) out.push_back(target);
  }
  return out;
}

// The people whose age the last transaction changes, of `people`.
int64_t UpdateStride(int64_t people) { return people / kUpdated; }
bool Updated(int64_t id, int64_t people) {
  int64_t stride = UpdateStride(people);
  return (id - 1) % stride == 0 && (id - 1) / stride < kUpdated;
}
int64_t NewAgeOf(int64_t id) { return AgeOf(id) + 100; }

Value Tempid(int64_t id) { return Value::String("p" + std::to_string(id)); }

// Tx-data of people [first, first + count).
Value PeopleTx(int64_t first, int64_t count) {
  const Value kId = K("db/id"), kPid = K("person/id"), kEmail = K("person/email"),
              kName = K("person/name"), kAge = K("person/age"), kSalary = K("person/salary"),
              kSex = K("person/sex"), kAlias = K("person/alias"), kFollows = K("person/follows"),
              kMale = K("male"), kFemale = K("female");
  std::vector<Value> people;
  people.reserve(static_cast<size_t>(count));
  for (int64_t id = first; id < first + count; ++id) {
    std::vector<ValuePair> m = {{kId, Tempid(id)},
                                {kPid, L(id)},
                                {kEmail, S(EmailOf(id))},
                                {kName, S(NameOf(id))},
                                {kAge, L(AgeOf(id))},
                                {kSalary, L(SalaryOf(id))},
                                {kSex, MaleOf(id) ? kMale : kFemale}};
    std::vector<Value> aliases;
    for (const std::string& a : AliasesOf(id)) aliases.push_back(S(a));
    if (!aliases.empty()) m.emplace_back(kAlias, Value::Vector(std::move(aliases)));
    std::vector<Value> follows;
    for (int64_t f : FollowsOf(id)) follows.push_back(Tempid(f));
    if (!follows.empty()) m.emplace_back(kFollows, Value::Vector(std::move(follows)));
    people.push_back(Value::Map(std::move(m)));
  }
  return Value::Vector(std::move(people));
}

// Tx-data giving the updated people their new age.
Value UpdatesTx(int64_t people) {
  std::vector<Value> ops;
  for (int64_t k = 0; k < kUpdated; ++k) {
    int64_t id = 1 + k * UpdateStride(people);
    ops.push_back(Value::Vector(
        {K("db/add"), Value::Vector({K("person/id"), L(id)}), K("person/age"), L(NewAgeOf(id))}));
  }
  return Value::Vector(std::move(ops));
}

// Current datoms a transaction added (assertions minus retractions).
int64_t NetDatoms(const TxReport& r) {
  int64_t n = 0;
  for (const Datom& d : r.tx_data) n += d.added ? 1 : -1;
  return n;
}

// ---------------------------------------------------------------------------
// Process memory.

// This process's RssAnon (resident anonymous memory) in bytes, from
// /proc/self/status; -1 if it cannot be read.
int64_t RssAnon() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssAnon:", 0) == 0) return std::stoll(line.substr(8)) * 1024;
  }
  return -1;
}

// Samples RssAnon every few milliseconds on its own thread; peak() is the
// largest sample so far.
class RssAnonSampler {
 public:
  RssAnonSampler() : peak_(RssAnon()), thread_([this] { Run(); }) {}
  ~RssAnonSampler() {
    done_.store(true);
    thread_.join();
  }
  RssAnonSampler(const RssAnonSampler&) = delete;
  RssAnonSampler& operator=(const RssAnonSampler&) = delete;

  int64_t peak() {
    Sample();
    return peak_.load();
  }

 private:
  void Sample() {
    int64_t now = RssAnon();
    int64_t seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
  }
  void Run() {
    while (!done_.load()) {
      Sample();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  std::atomic<int64_t> peak_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}
double MiB(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

std::string UriOf(const fs::path& dir) {
  std::string encoded;
  for (char c : dir.string()) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '-' || c == '_' ||
        c == '.') {
      encoded.push_back(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      encoded += hex;
    }
  }
  return "strata:lmdb://people?dir=" + encoded;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs this binary's ReaderProcess on `dir` in a new process with the cache
// bounded to kCacheMax; its exit status.
int RunReaderProcess(const fs::path& dir) {
  std::string exe = fs::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=LargerThanMemoryHeavy.ReaderProcess";
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view var = *e;
    if (var.rfind("STRATA_OBJECT_CACHE_MAX=", 0) == 0) continue;
    if (var.rfind(std::string(kDirVariable) + "=", 0) == 0) continue;
    env.emplace_back(var);
  }
  env.push_back(std::string("STRATA_OBJECT_CACHE_MAX=") + kCacheMax);
  env.push_back(std::string(kDirVariable) + "=" + dir.string());
  std::vector<char*> envp;
  for (std::string& var : env) envp.push_back(var.data());
  envp.push_back(nullptr);
  std::vector<char*> argv = {exe.data(), filter.data(), nullptr};
  std::fflush(stdout);
  pid_t pid;
  if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int64_t Get(const Value& map, std::string_view key) { return map.Get(K(key))->AsLong(); }

TEST(LargerThanMemoryHeavy, FiveMillionDatomsThroughAFourMebibyteCache) {
  TempDir dir;
  std::string uri = UriOf(dir.path());
  ASSERT_TRUE(CreateDatabase(uri));
  Connection conn = Connect(uri);
  auto start = Clock::now();
  int64_t datoms = static_cast<int64_t>(Dump(conn.Db()).size());  // the bootstrap's
  datoms += NetDatoms(conn.Transact(kSchema));
  int64_t people = 0, half_t = 0, half_people = 0;
  while (datoms < kTargetDatoms) {
    TxReport r = conn.Transact(PeopleTx(people + 1, kPeoplePerTx));
    people += kPeoplePerTx;
    datoms += NetDatoms(r);
    if (half_t == 0 && datoms >= kTargetDatoms / 2) {
      half_t = r.db_after.basis_t();
      half_people = people;
    }
  }
  double transact_s = Seconds(start);
  int64_t before_updates_t = conn.Db().basis_t();
  TxReport updates = conn.Transact(UpdatesTx(people));
  datoms += NetDatoms(updates);
  int64_t last_t = updates.db_after.basis_t();
  Database indexed = conn.SyncIndex(last_t);
  double build_s = Seconds(start);
  ASSERT_NE(indexed.state().durable, nullptr);
  EXPECT_EQ(indexed.state().durable->t, last_t);
  CacheStats cache = conn.cache_stats();
  std::printf(
      "build: %lld people, %lld datoms in %.1f s (transactions %.1f s, then indexing the rest); "
      "builder's RssAnon %.0f MiB, cache %.0f MiB of %.0f MiB\n",
      static_cast<long long>(people), static_cast<long long>(datoms), build_s, transact_s,
      MiB(RssAnon()), MiB(cache.bytes), MiB(cache.capacity_bytes));

  Value expected = Value::Map({{K("datoms"), L(datoms)},
                               {K("people"), L(people)},
                               {K("half-t"), L(half_t)},
                               {K("half-people"), L(half_people)},
                               {K("before-updates-t"), L(before_updates_t)},
                               {K("last-t"), L(last_t)}});
  std::ofstream(dir.path() / "expected.edn") << PrintEdn(expected);
  auto read_start = Clock::now();
  int status = RunReaderProcess(dir.path());
  double read_s = Seconds(read_start);
  EXPECT_EQ(status, 0) << "the reader process failed (its output is above)";
  std::string figures = Slurp(dir.path() / "figures.edn");
  ASSERT_FALSE(figures.empty()) << "the reader process did not run its checks";
  std::printf("reader process: %.1f s; %s\n", read_s, figures.c_str());
  EXPECT_EQ(Get(ReadEdn(figures), "datoms"), datoms);
  EXPECT_GE(datoms, kTargetDatoms);
}

// The reader's person checks: the entity `e` has exactly the facts of
// person `id` in `db` (its age as given), and follows the right people.
void CheckPerson(const Database& db, EntityId e, int64_t id, int64_t age) {
  std::map<std::string, std::vector<Value>> facts;
  for (const Datom& d : Dump(db, Index::kEavt, {L(e)})) {
    facts[std::string(db.Ident(d.a).QualifiedName())].push_back(d.v);
  }
  size_t attributes = facts.size();
  EXPECT_EQ(facts["person/id"], std::vector<Value>{L(id)});
  EXPECT_EQ(facts["person/email"], std::vector<Value>{S(EmailOf(id))});
  EXPECT_EQ(facts["person/name"], std::vector<Value>{S(NameOf(id))});
  EXPECT_EQ(facts["person/age"], std::vector<Value>{L(age)});
  EXPECT_EQ(facts["person/salary"], std::vector<Value>{L(SalaryOf(id))});
  EXPECT_EQ(facts["person/sex"], std::vector<Value>{K(MaleOf(id) ? "male" : "female")});
  std::vector<Value> aliases;
  for (const std::string& a : AliasesOf(id)) aliases.push_back(S(a));
  std::sort(aliases.begin(), aliases.end());
  std::vector<Value> got_aliases = facts["person/alias"];
  std::sort(got_aliases.begin(), got_aliases.end());
  EXPECT_EQ(got_aliases, aliases) << "person " << id;
  std::vector<int64_t> follows;
  for (const Value& f : facts["person/follows"]) {
    std::vector<Datom> pid = Dump(db, Index::kEavt, {f, K("person/id")});
    ASSERT_EQ(pid.size(), 1u);
    follows.push_back(pid[0].v.AsLong());
  }
  std::vector<int64_t> want = FollowsOf(id);
  std::sort(follows.begin(), follows.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(follows, want) << "person " << id;
  EXPECT_EQ(attributes, 6 + (aliases.empty() ? 0 : 1) + (want.empty() ? 0 : 1)) << "person " << id;
}

// The entity whose unique `attr` is `v`, by AVET; 0 if none.
EntityId LookUp(const Database& db, std::string_view attr, const Value& v) {
  std::vector<Datom> found = Dump(db, Index::kAvet, {K(attr), v});
  EXPECT_LE(found.size(), 1u);
  return found.empty() ? 0 : found[0].e;
}

TEST(LargerThanMemoryHeavy, ReaderProcess) {
  const char* where = std::getenv(kDirVariable);
  if (where == nullptr) {
    GTEST_SKIP() << "runs in a process of its own, started by "
                    "LargerThanMemoryHeavy.FiveMillionDatomsThroughAFourMebibyteCache";
  }
  fs::path dir = where;
  Value expected = ReadEdn(Slurp(dir / "expected.edn"));
  const int64_t datoms = Get(expected, "datoms"), people = Get(expected, "people");
  int64_t rss_start = RssAnon();
  RssAnonSampler sampler;
  auto start = Clock::now();

  Connection conn = Connect(UriOf(dir));
  Database db = conn.Db();
  ASSERT_EQ(db.basis_t(), Get(expected, "last-t"));
  // Opened from the index, with nothing of the log to replay.
  ASSERT_NE(db.state().durable, nullptr);
  EXPECT_EQ(db.state().index.size(internal::Part::kCurrent), 0u);
  EXPECT_EQ(conn.cache_stats().capacity_bytes, kCacheBytes);

  // All of EAVT, datom by datom, in order.
  auto phase = Clock::now();
  int64_t seen = 0, ids = 0, eavt_bytes = 0;
  EntityId last_e = 0;
  EntityId person_id = db.EntidOrThrow(K("person/id"));
  bool ordered = true;
  for (DatomIterator it = db.Datoms(Index::kEavt); const Datom* d = it.Next();) {
    ++seen;
    ordered = ordered && d->e >= last_e;
    last_e = d->e;
    if (d->a == person_id) ++ids;
    eavt_bytes += static_cast<int64_t>(sizeof(Datom)) +
                  (d->v.is_string() ? 32 + static_cast<int64_t>(d->v.AsString().size()) : 0);
  }
  EXPECT_EQ(seen, datoms);
  EXPECT_EQ(ids, people);
  EXPECT_TRUE(ordered);
  // AEVT and AVET hold every datom too.
  for (Index index : {Index::kAevt, Index::kAvet}) {
    int64_t n = 0;
    for (DatomIterator it = db.Datoms(index); it.Next();) ++n;
    EXPECT_EQ(n, datoms) << static_cast<int>(index);
  }
  double scan_s = Seconds(phase);
  int64_t rss_after_scan = RssAnon();

  // People by :person/id and :person/email in AVET, then their facts.
  phase = Clock::now();
  std::mt19937_64 rng(7);
  for (int64_t i = 0; i < kLookups; ++i) {
    int64_t id = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(people));
    EntityId e = LookUp(db, "person/id", L(id));
    ASSERT_NE(e, 0) << "person " << id;
    if (i % 4 == 0) {
      EXPECT_EQ(LookUp(db, "person/email", S(EmailOf(id))), e);
    }
    CheckPerson(db, e, id, Updated(id, people) ? NewAgeOf(id) : AgeOf(id));
  }
  EXPECT_EQ(LookUp(db, "person/id", L(people + 1)), 0);
  EXPECT_EQ(LookUp(db, "person/email", S("nobody@example.com")), 0);
  double lookups_s = Seconds(phase);

  // A range of salaries: every person in it, and no one else.
  phase = Clock::now();
  constexpr int64_t kLow = 40'000, kHigh = 40'500;
  int64_t in_range = 0;
  for (int64_t id = 1; id <= people; ++id) in_range += SalaryOf(id) >= kLow && SalaryOf(id) < kHigh;
  int64_t found = 0, last_salary = kLow;
  for (DatomIterator it = db.IndexRange(K("person/salary"), L(kLow), L(kHigh));
       const Datom* d = it.Next();) {
    ++found;
    int64_t salary = d->v.AsLong();
    EXPECT_TRUE(salary >= last_salary && salary < kHigh) << salary;
    last_salary = salary;
  }
  EXPECT_EQ(found, in_range);
  EXPECT_GT(found, 0);
  double range_s = Seconds(phase);

  // As of the middle of the build: only the people transacted by then.
  phase = Clock::now();
  Database half = db.AsOf(L(Get(expected, "half-t")));
  int64_t half_ids = 0;
  for (DatomIterator it = half.Datoms(Index::kAevt, {K("person/id")}); it.Next();) ++half_ids;
  EXPECT_EQ(half_ids, Get(expected, "half-people"));
  EXPECT_EQ(LookUp(half, "person/id", L(people)), 0);
  // Before the updates, and the history of an updated person.
  Database before = db.AsOf(L(Get(expected, "before-updates-t")));
  for (int64_t k = 0; k < kUpdated; k += 97) {
    int64_t id = 1 + k * UpdateStride(people);
    ASSERT_TRUE(Updated(id, people));
    EntityId e = LookUp(db, "person/id", L(id));
    ASSERT_NE(e, 0);
    CheckPerson(before, e, id, AgeOf(id));
    CheckPerson(db, e, id, NewAgeOf(id));
    std::vector<Datom> ages = Dump(db.History(), Index::kEavt, {L(e), K("person/age")});
    EXPECT_EQ(ages.size(), 3u);  // asserted, retracted, the new one asserted
  }
  double as_of_s = Seconds(phase);

  CacheStats cache = conn.cache_stats();
  int64_t peak = sampler.peak();
  double total_s = Seconds(start);
  EXPECT_LE(cache.bytes, cache.capacity_bytes);
  EXPECT_GT(cache.hits, 0);
  EXPECT_GT(cache.evictions, 0);
  EXPECT_GT(cache.loaded_bytes, 16 * kRssAnonBound);
  EXPECT_LT(peak, kRssAnonBound) << "RssAnon peaked at " << MiB(peak) << " MiB";

  std::printf(
      "reader: %lld datoms in EAVT (about %.0f MiB decoded); EAVT, AEVT and AVET scanned in "
      "%.1f s; %lld lookups "
      "%.1f s; salary range (%lld people) %.2f s; as-of and history %.1f s; total %.1f s\n"
      "reader: RssAnon %.1f MiB at start, %.1f MiB after EAVT's scan, %.1f MiB peak (bound %.0f "
      "MiB)\n"
      "reader: cache %lld hits, %lld misses, %lld evictions, %.2f MiB kept of %.0f MiB, %.0f MiB "
      "decoded in all\n",
      static_cast<long long>(seen), MiB(eavt_bytes), scan_s, static_cast<long long>(kLookups),
      lookups_s, static_cast<long long>(found), range_s, as_of_s, total_s, MiB(rss_start),
      MiB(rss_after_scan), MiB(peak), MiB(kRssAnonBound), static_cast<long long>(cache.hits),
      static_cast<long long>(cache.misses), static_cast<long long>(cache.evictions),
      MiB(cache.bytes), MiB(cache.capacity_bytes), MiB(cache.loaded_bytes));
  Value figures = Value::Map({{K("datoms"), L(seen)},
                              {K("rss-anon-start"), L(rss_start)},
                              {K("rss-anon-after-scan"), L(rss_after_scan)},
                              {K("rss-anon-peak"), L(peak)},
                              {K("cache-hits"), L(cache.hits)},
                              {K("cache-misses"), L(cache.misses)},
                              {K("cache-evictions"), L(cache.evictions)},
                              {K("cache-bytes"), L(cache.bytes)},
                              {K("cache-capacity-bytes"), L(cache.capacity_bytes)},
                              {K("loaded-bytes"), L(cache.loaded_bytes)},
                              {K("eavt-decoded-bytes"), L(eavt_bytes)}});
  std::ofstream(dir / "figures.edn") << PrintEdn(figures);
}

}  // namespace
}  // namespace strata::testing
