// strata_crash_harness: proves that a database in LMDB storage keeps every
// acknowledged transaction through a SIGKILL of the process writing it, and
// never shows a transaction in part.
//
// The parent runs cycles. Each cycle forks and execs this program as a
// writer (--writer) whose stdout is a pipe. The writer's T threads transact
// into database "crash" and report each transaction after Transact() has
// returned, one line per transaction. After a random 1..M ms the parent
// kills the writer with SIGKILL, keeps the lines that made it through the
// pipe, reopens the storage (LMDB then clears the dead writer's reader slot
// and lock) and checks the database and its log against them:
//
//   parent                               writer (fork + exec, stdout = pipe)
//     |-- fork, exec --writer ------------->|  open storage, replay the log
//     |<------ "RDY C t ms\n" --------------|  opened at basis t, in ms
//     |                                     |  T threads: Transact, then one
//     |<------ "ACK C w seq t\n" -----------|  write(2) of its line
//     |<------ "RET C w seq t\n" -----------|
//     |  sleep 1..M ms, reading the pipe    |
//     |-- SIGKILL ------------------------->X
//     |  drain the pipe, reopen, verify, write one probe transaction
//
// Thread w of cycle C transacts, for seq = 0, 1, 2...: the entity
// {:crash/writer w :crash/seq seq :crash/key "C-w-seq" :crash/part [0..9]}
// (ACK), and, as every 7th transaction of the thread, a retraction of three
// parts of its previous entity together with the assertion of parts
// 100..102 (RET). A transaction whose line was read must be in the database
// whole; one in flight at the kill may be there or not, but whole.
//
// Usage:
//   strata_crash_harness [--dir DIR] --cycles N [--seed S] [--threads T] [--max-kill-ms M]
//                        [--kill-from-ready]
// Exit status: 0 when every cycle verified, 1 at the first violation (it is
// printed, and the directory is kept), 2 for a usage or setup error.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "log/log_store.h"
#include "storage/lmdb_storage.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/value.h"
#include "transactor/durable_transactor.h"

namespace strata::crash {
namespace {

using internal::DurableTransactor;
using internal::LmdbStorage;
using internal::LogStore;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// The workload, shared by the writer that runs it and the parent that checks
// what it left.

constexpr std::string_view kDbName = "crash";

constexpr std::string_view kSchema = R"([
  {:db/ident :crash/writer :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :crash/seq :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :crash/key :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :crash/part :db/valueType :db.type/long :db/cardinality :db.cardinality/many}])";

constexpr int64_t kParts = 10;                    // an entity's parts: 0..9
constexpr int64_t kNewParts[] = {100, 101, 102};  // what a RET asserts
constexpr int kRetractEvery = 7;                  // every 7th tx of a thread is a RET
constexpr size_t kEntityDatoms = 3 + kParts;      // writer, seq, key, parts

// Which of a thread's transactions is a RET: the 7th, 14th... (op counts from
// 0). The other six of every seven create entities, so a RET follows entity
// 5, 11, 17...: the entities a RET may change are those with seq % 6 == 5.
bool IsRetraction(int64_t op) { return op % kRetractEvery == kRetractEvery - 1; }
bool IsRetractionTarget(int64_t seq) { return seq % (kRetractEvery - 1) == kRetractEvery - 2; }

// The three parts a RET retracts from entity `seq`: distinct for every seq
// (offsets 0, 3, 6 modulo 10), and varying, so every part gets retracted.
std::set<int64_t> RetractedParts(int64_t seq) {
  return {seq % kParts, (seq + 3) % kParts, (seq + 6) % kParts};
}

std::set<int64_t> WholeParts() {
  std::set<int64_t> parts;
  for (int64_t p = 0; p < kParts; ++p) parts.insert(p);
  return parts;
}

std::set<int64_t> PartsAfterRetraction(int64_t seq) {
  std::set<int64_t> parts = WholeParts();
  for (int64_t p : RetractedParts(seq)) parts.erase(p);
  parts.insert(std::begin(kNewParts), std::end(kNewParts));
  return parts;
}

// An entity's identity: the cycle that wrote it, the thread, the thread's seq.
struct EntityKey {
  int64_t cycle = 0;
  int64_t writer = 0;
  int64_t seq = 0;
  friend auto operator<=>(const EntityKey&, const EntityKey&) = default;
};

std::string KeyText(const EntityKey& k) {
  return fmt::format("{}-{}-{}", k.cycle, k.writer, k.seq);
}

std::optional<EntityKey> ParseKeyText(std::string_view text) {
  EntityKey k;
  int64_t* fields[] = {&k.cycle, &k.writer, &k.seq};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (size_t i = 0; i < 3; ++i) {
    if (i > 0) {
      if (p == end || *p != '-') return std::nullopt;
      ++p;
    }
    auto [next, ec] = std::from_chars(p, end, *fields[i]);
    if (ec != std::errc() || next == p || *fields[i] < 0) return std::nullopt;
    p = next;
  }
  if (p != end) return std::nullopt;
  return k;
}

std::string EntityTx(const EntityKey& k) {
  std::string parts;
  for (int64_t p = 0; p < kParts; ++p) parts += fmt::format("{}{}", p ? " " : "", p);
  return fmt::format(R"([{{:crash/writer {} :crash/seq {} :crash/key "{}" :crash/part [{}]}}])",
                     k.writer, k.seq, KeyText(k), parts);
}

std::string RetractionTx(const EntityKey& k) {
  std::string ref = fmt::format(R"([:crash/key "{}"])", KeyText(k));
  std::string tx = "[";
  for (int64_t p : RetractedParts(k.seq)) {
    tx += fmt::format("[:db/retract {} :crash/part {}]", ref, p);
  }
  for (int64_t p : kNewParts) tx += fmt::format("[:db/add {} :crash/part {}]", ref, p);
  return tx + "]";
}

// How long a writer or the holder may take to open the storage.
constexpr int kOpenTimeoutMs = 120'000;

// ---------------------------------------------------------------------------
// The writer (--writer): runs until it is killed.

// One line per acknowledged transaction, in one write(2): lines are shorter
// than PIPE_BUF, so the threads' lines never interleave. A failed write means
// the parent is gone: nobody is left to check anything.
void Report(std::string_view what, const EntityKey& k, int64_t t) {
  std::string line = fmt::format("{} {} {} {} {}\n", what, k.cycle, k.writer, k.seq, t);
  if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    _exit(3);
  }
}

void WriterThread(Connection* conn, int64_t cycle, int64_t writer) {
  try {
    int64_t seq = 0;  // of the next entity
    for (int64_t op = 0;; ++op) {
      if (IsRetraction(op)) {
        EntityKey target{cycle, writer, seq - 1};
        TxReport report = conn->Transact(std::string_view(RetractionTx(target)));
        Report("RET", target, report.db_after.basis_t());
      } else {
        EntityKey k{cycle, writer, seq};
        TxReport report = conn->Transact(std::string_view(EntityTx(k)));
        Report("ACK", k, report.db_after.basis_t());
        ++seq;
      }
    }
  } catch (const std::exception& e) {
    // A transaction failed without a crash: the parent sees the writer exit
    // on its own and reports it.
    fmt::print(stderr, "writer thread {} of cycle {}: {}\n", writer, cycle, e.what());
    _exit(2);
  }
}

// The transactor's options: the default, or small indexing jobs.
internal::DurableOptions TransactorOptions(size_t index_threshold) {
  internal::DurableOptions options;
  if (index_threshold > 0) {
    options.index_threshold = index_threshold;
    options.index_max = index_threshold * 8;
    options.tree.leaf_datoms = 64;
    options.tree.fanout = 16;
  }
  return options;
}

int RunWriter(const std::string& dir, int threads, int64_t cycle, size_t index_threshold) {
  try {
    Clock::time_point start = Clock::now();
    std::shared_ptr<internal::Storage> storage = LmdbStorage::Open(dir);
    Connection conn(std::make_shared<DurableTransactor>(storage, std::string(kDbName),
                                                        TransactorOptions(index_threshold)));
    // "RDY C t ms": open, at basis t, after ms of opening (mostly replaying
    // the log), so the parent can tell kills during the open from later ones.
    auto open_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    std::string line = fmt::format("RDY {} {} {}\n", cycle, conn.Db().basis_t(), open_ms);
    if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return 3;
    }
    std::vector<std::thread> workers;
    for (int w = 0; w < threads; ++w) workers.emplace_back(WriterThread, &conn, cycle, w);
    for (std::thread& t : workers) t.join();  // never: the threads end by SIGKILL or _exit
  } catch (const std::exception& e) {
    fmt::print(stderr, "writer of cycle {}: {}\n", cycle, e.what());
    return 2;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// The holder (--holder): keeps the LMDB environment open from before the
// first writer to the end of the run. Without it the parent's reopen after
// a kill would be the environment's only user, and LMDB re-initializes the
// lock file of a sole opener, which hides what is to be tested: with it,
// the reopen must clear the killed writer's reader slots (mdb_reader_check)
// and take over the writer mutex the writer may have died holding (a robust
// mutex: EOWNERDEAD). It says "HOLD" once open and exits when its stdin
// reaches end of file.

int RunHolder(const std::string& dir) {
  try {
    std::unique_ptr<LmdbStorage> storage = LmdbStorage::Open(dir);
    constexpr std::string_view kHold = "HOLD\n";
    if (write(STDOUT_FILENO, kHold.data(), kHold.size()) != static_cast<ssize_t>(kHold.size())) {
      return 3;
    }
    char c;
    for (;;) {
      ssize_t n = read(STDIN_FILENO, &c, 1);
      if (n == 0 || (n < 0 && errno != EINTR)) break;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "holder: {}\n", e.what());
    return 2;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// The parent: runs the cycles and checks each.

void MakePipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("pipe2: {}", std::strerror(errno)));
  }
}

// Forks and execs this program with `args`, its stdin and stdout on the
// given descriptors (-1: inherited). Fork + exec, not fork alone: the child
// starts clean, sharing no LMDB state or threads with this process.
pid_t SpawnSelf(const std::vector<std::string>& args, int stdin_fd, int stdout_fd) {
  // Everything the child needs is made before fork: between fork and exec it
  // calls only async-signal-safe functions.
  std::vector<std::string> strings = {"strata_crash_harness"};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    // The child dies with the parent, so an interrupted run leaves none.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (stdin_fd >= 0 && dup2(stdin_fd, STDIN_FILENO) < 0) _exit(127);
    if (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0) _exit(127);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  return pid;
}

// The holder process, for the whole run; ends it when destroyed.
class Holder {
 public:
  Holder() = default;
  Holder(const Holder&) = delete;
  Holder& operator=(const Holder&) = delete;
  ~Holder() {
    if (pid_ <= 0) return;
    close(stdin_);  // end of file: the holder closes its environment and exits
    waitpid(pid_, nullptr, 0);
  }

  // Starts it and waits until it has the environment open.
  void Start(const std::string& dir) {
    int in[2], out[2];
    MakePipe(in);
    MakePipe(out);
    pid_ = SpawnSelf({"--holder", "--dir", dir}, in[0], out[1]);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    std::string line;
    char buf[16];
    pollfd p{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && poll(&p, 1, kOpenTimeoutMs) > 0) {
      ssize_t n = read(out[0], buf, sizeof(buf));
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    if (line != "HOLD\n") throw std::runtime_error("the holder process did not open the storage");
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;  // the write end of the holder's stdin
};

// A verification that does not finish (a lock the killed writer left held,
// and not recovered) ends the run instead of hanging it.
constexpr unsigned kWatchdogS = 120;

void OnWatchdog(int) {
  constexpr std::string_view kMessage =
      "VIOLATION: the verification after the last kill did not finish within the watchdog's "
      "time (a lock the killed writer held, never recovered?)\n";
  [[maybe_unused]] ssize_t n = write(STDOUT_FILENO, kMessage.data(), kMessage.size());
  _exit(1);
}

// The first broken promise; main prints it and exits 1.
struct Violation {
  std::string what;
};

template <typename... Args>
[[noreturn]] void Violated(fmt::format_string<Args...> format, Args&&... args) {
  throw Violation{fmt::format(format, std::forward<Args>(args)...)};
}

// The harness's assertion: unless `holds`, the promise it checks is broken
// (Violated with the message; the message's arguments are evaluated only
// then, so they may rely on the failure).
#define ASSERT_HOLDS(holds, ...)         \
  do {                                   \
    if (!(holds)) Violated(__VA_ARGS__); \
  } while (false)

struct Options {
  std::string dir;
  int64_t cycles = 0;
  uint64_t seed = 0;
  int threads = 4;
  int max_kill_ms = 400;
  // Whether the kill delay counts from the writer's RDY line rather than
  // from the fork.
  bool kill_from_ready = false;
  // Whether to run without the holder process (see RunHolder).
  bool no_holder = false;
  // The memory index size that starts an indexing job (0: the default), so
  // that kills also land during indexing jobs and their adoption.
  size_t index_threshold = 0;
};

// What one writer reported before it was killed.
struct Acks {
  // Per thread, the acknowledged entities' t, by seq: the writer reports its
  // entities in seq order, so seq i is entities[w][i].
  std::vector<std::vector<int64_t>> entities;
  // Acknowledged retractions: the target entity's seq -> the RET's t.
  std::vector<std::map<int64_t, int64_t>> retractions;
  int64_t entity_count = 0;
  int64_t retraction_count = 0;
  // From the RDY line: the writer's basis t when it had opened the
  // database, and how long opening took; nullopt if it was killed first.
  std::optional<int64_t> open_t;
  std::optional<int64_t> open_ms;
};

// One keyed entity as the database holds it.
struct EntityState {
  EntityId e = 0;
  EntityId tx = 0;             // the transaction that created it
  bool retracted = false;      // whether a RET applied to it
  EntityId retraction_tx = 0;  // that RET's transaction
};

struct Attrs {
  EntityId writer, seq, key, part;
};

Attrs ResolveAttrs(const Database& db) {
  return Attrs{
      db.EntidOrThrow(Value::Keyword("crash/writer")), db.EntidOrThrow(Value::Keyword("crash/seq")),
      db.EntidOrThrow(Value::Keyword("crash/key")), db.EntidOrThrow(Value::Keyword("crash/part"))};
}

// Checks one user entity's datoms (all of them, from EAVT) and returns its
// key and state. Whole or not at all: every datom of the creating
// transaction is there, the parts are either all ten or exactly a RET's
// result, each transaction's datoms together.
std::pair<EntityKey, EntityState> CheckEntity(const Attrs& attrs, EntityId e,
                                              const std::vector<Datom>& datoms) {
  std::optional<std::string_view> key_text;
  std::optional<int64_t> writer, seq;
  std::map<int64_t, EntityId> parts;  // value -> tx
  EntityState state;
  state.e = e;
  for (const Datom& d : datoms) {
    if (d.a == attrs.key && !key_text && d.v.is_string()) {
      key_text = d.v.AsString();
      state.tx = d.tx;
    } else if (d.a == attrs.writer && !writer && d.v.is_long()) {
      writer = d.v.AsLong();
    } else if (d.a == attrs.seq && !seq && d.v.is_long()) {
      seq = d.v.AsLong();
    } else if (d.a == attrs.part && d.v.is_long()) {
      parts.emplace(d.v.AsLong(), d.tx);
    } else {
      Violated("entity {} has an unexpected datom {}", e, ToString(d));
    }
  }
  ASSERT_HOLDS(key_text, "user entity {} has no :crash/key (a partial entity)", e);
  std::optional<EntityKey> k = ParseKeyText(*key_text);
  ASSERT_HOLDS(k, "entity {} has a malformed :crash/key \"{}\"", e, *key_text);
  std::string name = fmt::format("entity \"{}\" (eid {})", *key_text, e);
  ASSERT_HOLDS(writer && seq, "{} lacks :crash/writer or :crash/seq: partially written", name);
  ASSERT_HOLDS(*writer == k->writer && *seq == k->seq,
               "{} has :crash/writer {} and :crash/seq {}, not its key's", name, *writer, *seq);
  std::set<int64_t> values;
  for (const auto& [v, tx] : parts) values.insert(v);
  if (values == PartsAfterRetraction(k->seq) && IsRetractionTarget(k->seq)) {
    state.retracted = true;
    state.retraction_tx = parts.at(kNewParts[0]);
  } else if (values != WholeParts()) {
    std::string have;
    for (int64_t v : values) have += fmt::format(" {}", v);
    Violated("{} has the parts [{} ]: neither its whole set nor a whole retraction's result", name,
             have);
  }
  for (const Datom& d : datoms) {
    bool new_part = d.a == attrs.part && d.v.AsLong() >= kNewParts[0];
    EntityId want = new_part ? state.retraction_tx : state.tx;
    ASSERT_HOLDS(d.tx == want, "{}: datom {} is from t={}, the rest of its transaction from t={}",
                 name, ToString(d), TFromTx(d.tx), TFromTx(want));
  }
  ASSERT_HOLDS(!state.retracted || state.retraction_tx > state.tx,
               "{} was changed at t={} before it was created at t={}", name,
               TFromTx(state.retraction_tx), TFromTx(state.tx));
  return {*k, state};
}

// Every keyed entity of the database, each checked by CheckEntity. Every
// user-partition entity must be one.
std::map<EntityKey, EntityState> ScanEntities(const Database& db, const Attrs& attrs) {
  std::map<EntityKey, EntityState> entities;
  DatomIterator it = db.SeekDatoms(Index::kEavt, {Value::Long(MakeEntityId(kPartUser, 0))});
  std::vector<Datom> datoms;
  auto flush = [&] {
    if (datoms.empty()) return;
    auto [k, state] = CheckEntity(attrs, datoms.front().e, datoms);
    ASSERT_HOLDS(entities.emplace(k, state).second,
                 "two entities have :crash/key \"{}\" (a unique identity)", KeyText(k));
    datoms.clear();
  };
  while (const Datom* d = it.Next()) {
    ASSERT_HOLDS(PartitionOf(d->e) == kPartUser, "unexpected datom {}", ToString(*d));
    if (!datoms.empty() && datoms.front().e != d->e) flush();
    datoms.push_back(*d);
  }
  flush();
  return entities;
}

// What the previous verifications saw of each (cycle, writer): later ones
// must see exactly the same.
struct ThreadRecord {
  int64_t entities = 0;
  int64_t retracted = 0;
};

class Harness {
 public:
  explicit Harness(Options options) : options_(std::move(options)), rng_(options_.seed) {}

  // Creates the database and its schema if missing; returns the first cycle
  // number, past every cycle already in the database (a reused directory).
  int64_t Setup();
  // Runs cycle `cycle`; throws Violation.
  void RunCycle(int64_t cycle);
  void PrintSummary(double elapsed_s) const;

 private:
  Acks RunWriterAndKill(int64_t cycle, int64_t* killed_after_ms);
  Acks ParseAcks(int64_t cycle, std::string_view out) const;
  // Reopens the storage and checks it against `acks`; returns the number of
  // entities of `cycle` in the database.
  int64_t Verify(int64_t cycle, const Acks& acks);
  void CheckLog(const Connection& conn, const Database& db,
                const std::map<EntityKey, EntityState>& entities, const Attrs& attrs);

  Options options_;
  std::mt19937_64 rng_;
  int64_t first_cycle_ = 1;
  // The database's basis when the last writer was started.
  int64_t last_t_ = 0;
  std::map<std::pair<int64_t, int64_t>, ThreadRecord> verified_;  // (cycle, writer)
  int64_t total_acked_ = 0;
  int64_t total_retractions_acked_ = 0;
  int64_t cycles_run_ = 0;
  int64_t kills_during_open_ = 0;
  int64_t kills_before_ack_ = 0;
  int64_t kills_after_ack_ = 0;
  int64_t entities_in_db_ = 0;
  int64_t log_entries_ = 0;
};

int64_t Harness::Setup() {
  // Everything opened here is closed before the first fork: the writer gets
  // a process with no LMDB environment and no threads behind it.
  std::shared_ptr<internal::Storage> storage = LmdbStorage::Open(options_.dir);
  LogStore(storage.get(), std::string(kDbName)).Create();
  Connection conn(std::make_shared<DurableTransactor>(storage, std::string(kDbName)));
  if (!conn.Db().Entid(Value::Keyword("crash/key"))) conn.Transact(kSchema);
  Database db = conn.Db();
  int64_t last_cycle = 0;
  for (const auto& [k, state] : ScanEntities(db, ResolveAttrs(db))) {
    last_cycle = std::max(last_cycle, k.cycle);
  }
  first_cycle_ = last_cycle + 1;
  last_t_ = conn.Db().basis_t();
  return first_cycle_;
}

Acks Harness::ParseAcks(int64_t cycle, std::string_view out) const {
  Acks acks;
  acks.entities.resize(options_.threads);
  acks.retractions.resize(options_.threads);
  // Complete lines only: the writer may die in the middle of one.
  while (true) {
    size_t eol = out.find('\n');
    if (eol == std::string_view::npos) break;
    std::string_view line = out.substr(0, eol);
    out.remove_prefix(eol + 1);
    char kind[4] = {};
    long long c, w, seq, t, ms;
    int n = 0;
    std::string text(line);
    auto malformed = [&] {
      Violated("cycle {}: the writer wrote a malformed line \"{}\"", cycle, text);
    };
    if (text.starts_with("RDY ")) {
      if (std::sscanf(text.c_str(), "RDY %lld %lld %lld%n", &c, &t, &ms, &n) != 3 ||
          n != static_cast<int>(text.size()) || c != cycle || acks.open_t) {
        malformed();
      }
      acks.open_t = t;
      acks.open_ms = ms;
      continue;
    }
    if (std::sscanf(text.c_str(), "%3s %lld %lld %lld %lld%n", kind, &c, &w, &seq, &t, &n) != 5 ||
        n != static_cast<int>(text.size()) || c != cycle || w < 0 || w >= options_.threads ||
        !acks.open_t) {
      malformed();
    }
    std::string_view what = kind;
    if (what == "ACK") {
      ASSERT_HOLDS(seq == static_cast<long long>(acks.entities[w].size()),
                   "cycle {}: thread {} acknowledged seq {} out of order", cycle, w, seq);
      acks.entities[w].push_back(t);
      ++acks.entity_count;
    } else if (what == "RET") {
      ASSERT_HOLDS(
          IsRetractionTarget(seq) && seq + 1 == static_cast<long long>(acks.entities[w].size()),
          "cycle {}: thread {} acknowledged an unexpected retraction of seq {}", cycle, w, seq);
      acks.retractions[w][seq] = t;
      ++acks.retraction_count;
    } else {
      malformed();
    }
  }
  return acks;
}

Acks Harness::RunWriterAndKill(int64_t cycle, int64_t* killed_after_ms) {
  int fds[2];
  MakePipe(fds);
  std::uniform_int_distribution<int> kill_ms(1, options_.max_kill_ms);
  auto sleep_for = std::chrono::milliseconds(kill_ms(rng_));
  Clock::time_point start = Clock::now();
  pid_t pid = SpawnSelf(
      {"--writer", "--dir", options_.dir, "--threads", std::to_string(options_.threads), "--cycle",
       std::to_string(cycle), "--index-threshold", std::to_string(options_.index_threshold)},
      -1, fds[1]);
  close(fds[1]);
  std::string out;
  char buf[4096];
  bool eof = false;
  auto read_some = [&] {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      eof = true;
    } else if (errno != EINTR) {
      throw std::runtime_error(fmt::format("read: {}", std::strerror(errno)));
    }
  };
  // Keep the pipe drained while waiting, so the writer never blocks on it.
  // With --kill-from-ready the wait starts at the writer's first line, RDY:
  // the log replay in its open grows with the database, and would otherwise
  // take more and more of the window until no kill lands after an ack.
  std::optional<Clock::time_point> deadline;
  if (!options_.kill_from_ready) deadline = start + sleep_for;
  while (!eof) {
    if (!deadline && out.find('\n') != std::string::npos) deadline = Clock::now() + sleep_for;
    auto left =
        deadline ? std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now())
                 : std::chrono::milliseconds(kOpenTimeoutMs);
    if (left.count() <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready > 0) {
      read_some();
    } else if (ready == 0 && !deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      throw std::runtime_error(
          fmt::format("the writer of cycle {} did not open within {} ms", cycle, kOpenTimeoutMs));
    }
  }
  kill(pid, SIGKILL);
  *killed_after_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!eof) read_some();
  close(fds[0]);
  ASSERT_HOLDS(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
               "cycle {}: the writer ended on its own before the kill ({} {}); see its stderr",
               cycle, WIFEXITED(status) ? "exit status" : "signal",
               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  return ParseAcks(cycle, out);
}

void Harness::CheckLog(const Connection& conn, const Database& db,
                       const std::map<EntityKey, EntityState>& entities, const Attrs& attrs) {
  std::vector<LogEntry> log = conn.log().TxRange(std::nullopt, std::nullopt);
  ASSERT_HOLDS(!log.empty() && log.front().t == 0, "the log does not start with the bootstrap");
  int64_t creations = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    const LogEntry& entry = log[i];
    ASSERT_HOLDS(i == 0 || entry.t > log[i - 1].t,
                 "the log's t goes from {} to {}: not strictly increasing", log[i - 1].t, entry.t);
    // A creation's entry holds the whole entity, and the database agrees.
    const Datom* key = nullptr;
    size_t on_entity = 0;
    for (const Datom& d : entry.data) {
      if (d.a == attrs.key && d.added) key = &d;
    }
    if (key == nullptr) continue;
    ++creations;
    for (const Datom& d : entry.data) on_entity += d.e == key->e && d.added ? 1 : 0;
    std::optional<EntityKey> k = ParseKeyText(key->v.AsString());
    auto found = k ? entities.find(*k) : entities.end();
    ASSERT_HOLDS(!(on_entity != kEntityDatoms || found == entities.end() ||
                   found->second.e != key->e || found->second.tx != TxFromT(entry.t)),
                 "log entry t={} creates {} with {} datoms, which the database does not match",
                 entry.t, PrintEdn(key->v), on_entity);
  }
  ASSERT_HOLDS(creations == static_cast<int64_t>(entities.size()),
               "the log creates {} keyed entities but the database has {}", creations,
               entities.size());
  ASSERT_HOLDS(log.back().t == db.basis_t(),
               "the log ends at t={} but the database's basis is t={}", log.back().t, db.basis_t());
  log_entries_ = static_cast<int64_t>(log.size()) - 1;  // without the bootstrap
}

int64_t Harness::Verify(int64_t cycle, const Acks& acks) {
  // Reopening is the point: LMDB must clear the killed writer's reader slot
  // and recover its lock, and the transactor must replay what was committed.
  std::shared_ptr<internal::Storage> storage = LmdbStorage::Open(options_.dir);
  Connection conn(std::make_shared<DurableTransactor>(storage, std::string(kDbName)));
  Database db = conn.Db();
  // The writer opened the database as the last verification left it: at the
  // probe transaction, acknowledged to this process before the fork.
  ASSERT_HOLDS(!acks.open_t || *acks.open_t == last_t_,
               "cycle {}: the writer opened the database at t={}, but it was at t={}", cycle,
               *acks.open_t, last_t_);
  Attrs attrs = ResolveAttrs(db);
  std::map<EntityKey, EntityState> entities = ScanEntities(db, attrs);

  // Per (cycle, writer) of this run: seqs 0..n-1 with no gaps (a thread
  // starts a transaction only after the previous one was acknowledged).
  std::map<std::pair<int64_t, int64_t>, ThreadRecord> seen;
  for (const auto& [k, state] : entities) {
    if (k.cycle < first_cycle_) continue;  // an earlier run's: checked whole above
    ASSERT_HOLDS(k.cycle <= cycle && k.writer < options_.threads,
                 "entity \"{}\" cannot have been written by cycles {}..{}", KeyText(k),
                 first_cycle_, cycle);
    ThreadRecord& r = seen[{k.cycle, k.writer}];
    ASSERT_HOLDS(k.seq == r.entities,
                 "cycle {} thread {}: entity seq {} is in the database but seq {} is not", k.cycle,
                 k.writer, k.seq, r.entities);
    ++r.entities;
    if (state.retracted) ++r.retracted;
  }
  // Earlier cycles: exactly as their own verification saw them.
  for (const auto& [cw, before] : verified_) {
    auto it = seen.find(cw);
    ThreadRecord now = it == seen.end() ? ThreadRecord{} : it->second;
    ASSERT_HOLDS(now.entities == before.entities && now.retracted == before.retracted,
                 "cycle {} thread {}: {} entities ({} retracted) verified before, now {} ({})",
                 cw.first, cw.second, before.entities, before.retracted, now.entities,
                 now.retracted);
  }
  // This cycle: what was acknowledged is there, whole, at its t; at most one
  // transaction per thread (the one in flight at the kill) is there
  // unacknowledged. A thread starts a transaction only after the previous
  // one's line is written, and a line is one atomic write, so the only
  // unacknowledged change can be the thread's last.
  int64_t in_db = 0;
  for (int64_t w = 0; w < options_.threads; ++w) {
    const std::vector<int64_t>& acked = acks.entities[w];
    const std::map<int64_t, int64_t>& rets = acks.retractions[w];
    int64_t acked_n = static_cast<int64_t>(acked.size());
    int64_t n = seen[{cycle, w}].entities;
    in_db += n;
    ASSERT_HOLDS(n <= acked_n + 1,
                 "cycle {} thread {}: {} entities in the database but only {} acknowledged", cycle,
                 w, n, acked_n);
    for (int64_t seq = 0; seq < std::max(n, acked_n); ++seq) {
      EntityKey k{cycle, w, seq};
      auto it = entities.find(k);
      // Missing means seq >= n: seqs below n are all there.
      ASSERT_HOLDS(it != entities.end(),
                   "cycle {}: acknowledged entity \"{}\" (t={}) is missing after the crash", cycle,
                   KeyText(k), acked[seq]);
      const EntityState& state = it->second;
      auto ret = rets.find(seq);
      if (seq < acked_n) {
        std::optional<EntityId> e =
            db.Entid(Value::Vector({Value::Keyword("crash/key"), Value::String(KeyText(k))}));
        ASSERT_HOLDS(e == state.e,
                     "cycle {}: lookup ref [:crash/key \"{}\"] gives {}, the index scan {}", cycle,
                     KeyText(k), e.value_or(-1), state.e);
        ASSERT_HOLDS(state.tx == TxFromT(acked[seq]),
                     "cycle {}: entity \"{}\" was acknowledged at t={} but is from t={}", cycle,
                     KeyText(k), acked[seq], TFromTx(state.tx));
        ASSERT_HOLDS(!(ret != rets.end() &&
                       (!state.retracted || state.retraction_tx != TxFromT(ret->second))),
                     "cycle {}: the retraction of \"{}\" acknowledged at t={} is not visible",
                     cycle, KeyText(k), ret->second);
      }
      // An unacknowledged retraction can only be the last thing the thread
      // did, after the entity's own acknowledgement.
      ASSERT_HOLDS(!(ret == rets.end() && state.retracted && (seq + 1 != n || seq >= acked_n)),
                   "cycle {}: \"{}\" has a retraction that cannot have been in flight", cycle,
                   KeyText(k));
      ASSERT_HOLDS(!(IsRetractionTarget(seq) && seq + 1 < n && !state.retracted),
                   "cycle {}: \"{}\" lacks its retraction although later entities exist", cycle,
                   KeyText(k));
    }
  }
  for (const auto& [cw, r] : seen) verified_[cw] = r;

  CheckLog(conn, db, entities, attrs);
  entities_in_db_ = static_cast<int64_t>(entities.size());

  // Still writable after the crash: one small transaction, on the tx entity
  // so that no user entity appears.
  TxReport probe = conn.Transact(std::string_view(fmt::format(
      R"([[:db/add "datomic.tx" :db/doc "crash harness probe after cycle {}"]])", cycle)));
  ASSERT_HOLDS(probe.db_after.basis_t() > db.basis_t(),
               "cycle {}: the probe transaction got t={}, not after {}", cycle,
               probe.db_after.basis_t(), db.basis_t());
  ++log_entries_;
  last_t_ = probe.db_after.basis_t();
  return in_db;
}

void Harness::RunCycle(int64_t cycle) {
  int64_t killed_after_ms = 0;
  Acks acks = RunWriterAndKill(cycle, &killed_after_ms);
  Clock::time_point start = Clock::now();
  alarm(kWatchdogS);
  int64_t in_db = Verify(cycle, acks);
  alarm(0);
  auto verify_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  ++cycles_run_;
  total_acked_ += acks.entity_count;
  total_retractions_acked_ += acks.retraction_count;
  std::string open;
  if (!acks.open_t) {
    ++kills_during_open_;
    open = "during the writer's open";
  } else {
    if (acks.entity_count + acks.retraction_count == 0) {
      ++kills_before_ack_;
    } else {
      ++kills_after_ack_;
    }
    open = fmt::format("writer open in {} ms", *acks.open_ms);
  }
  fmt::print(
      "cycle {}: {} acked (+{} retractions), {} in db, killed after {} ms ({}), verified in {} "
      "ms\n",
      cycle, acks.entity_count, acks.retraction_count, in_db, killed_after_ms, open, verify_ms);
  std::fflush(stdout);
}

void Harness::PrintSummary(double elapsed_s) const {
  fmt::print(
      "summary: {} cycles, {} acked (+{} retractions), {} entities and {} transactions in the "
      "database; killed before any ack in {} cycles ({} of them during the writer's open), "
      "after acks in {}; elapsed {:.1f} s\n",
      cycles_run_, total_acked_, total_retractions_acked_, entities_in_db_, log_entries_,
      kills_during_open_ + kills_before_ack_, kills_during_open_, kills_after_ack_, elapsed_s);
}

int RunParent(Options options) {
  bool temporary = options.dir.empty();
  if (temporary) {
    char dir_template[] = "/tmp/strata-crash-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      fmt::print(stderr, "mkdtemp: {}\n", std::strerror(errno));
      return 2;
    }
    options.dir = dir_template;
  }
  fmt::print("crash harness: dir {}, seed {}, {} cycles, {} threads, kill 1..{} ms after {}, {}\n",
             options.dir, options.seed, options.cycles, options.threads, options.max_kill_ms,
             options.kill_from_ready ? "the writer's open" : "the writer's start",
             options.no_holder ? "no holder" : "a holder process keeping the environment open");
  std::fflush(stdout);  // before any fork
  signal(SIGALRM, OnWatchdog);
  Clock::time_point start = Clock::now();
  Harness harness(options);
  Holder holder;
  int64_t cycle = 0;
  try {
    int64_t first = harness.Setup();
    if (!options.no_holder) holder.Start(options.dir);
    for (cycle = first; cycle < first + options.cycles; ++cycle) harness.RunCycle(cycle);
  } catch (const Violation& v) {
    std::string where = cycle == 0 ? "the existing database" : fmt::format("cycle {}", cycle);
    fmt::print("VIOLATION (found checking {}): {}\n", where, v.what);
    fmt::print(
        "rerun: strata_crash_harness --cycles {} --seed {} --threads {} --max-kill-ms {}{}{} (the "
        "seed fixes the kill times; how far the writer gets in them varies); the database is "
        "kept in {}\n",
        options.cycles, options.seed, options.threads, options.max_kill_ms,
        options.kill_from_ready ? " --kill-from-ready" : "",
        options.no_holder ? " --no-holder" : "", options.dir);
    return 1;
  } catch (const std::exception& e) {
    // After a kill, an anomaly (say, a damaged log on reopening) is a
    // failure as much as a violation; before the first cycle, a setup error.
    if (cycle == 0) {
      fmt::print("ERROR setting up in {}: {}\n", options.dir, e.what());
      return 2;
    }
    fmt::print("FAILED in cycle {}: {} (the database is kept in {})\n", cycle, e.what(),
               options.dir);
    return 1;
  }
  harness.PrintSummary(std::chrono::duration<double>(Clock::now() - start).count());
  if (temporary) std::filesystem::remove_all(options.dir);
  return 0;
}

}  // namespace
}  // namespace strata::crash

int main(int argc, char** argv) {
  CLI::App app{"SIGKILL crash harness for Strata's durable storage."};
  strata::crash::Options options;
  bool writer = false;
  int64_t cycle = 0;

  app.add_option("--dir", options.dir, "the LMDB directory (default: a new one under /tmp)");
  app.add_option("--cycles", options.cycles, "how many writers to kill")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", options.seed, "the seed of the kill times (default: random, printed)");
  app.add_option("--threads", options.threads, "writer threads")->check(CLI::Range(1, 64));
  app.add_option("--max-kill-ms", options.max_kill_ms, "kill after 1..M ms")
      ->check(CLI::Range(1, 600000));
  app.add_flag("--kill-from-ready", options.kill_from_ready,
               "count the kill delay from the writer's open, not from its start");
  app.add_flag("--no-holder", options.no_holder,
               "run without the process that keeps the LMDB environment open across kills");
  // Internal: the writer and the holder the parent execs.
  bool holder = false;
  app.add_option("--index-threshold", options.index_threshold,
                 "memory index datoms that start an indexing job (default: the transactor's)");
  app.add_flag("--writer", writer)->group("");
  app.add_flag("--holder", holder)->group("");
  app.add_option("--cycle", cycle)->group("");
  CLI11_PARSE(app, argc, argv);
  if (writer) {
    if (options.dir.empty()) return 2;
    return strata::crash::RunWriter(options.dir, options.threads, cycle, options.index_threshold);
  }
  if (holder) return options.dir.empty() ? 2 : strata::crash::RunHolder(options.dir);
  if (options.cycles <= 0) {
    fmt::print(stderr, "--cycles N is required\n");
    return 2;
  }
  if (app.count("--seed") == 0) options.seed = std::random_device{}();
  return strata::crash::RunParent(options);
}
