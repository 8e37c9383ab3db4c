// The PostgreSQL storage backend over libpq (see postgres_storage.h): the
// pool, the retry loop, the translation of libpq errors into anomalies, and
// the SQL of each Storage call.
#include "storage/postgres_storage.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <memory>
#include <thread>
#include <utility>

#include "strata/anomaly.h"

namespace strata::internal {
namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS strata_kv ("
    "id text COLLATE \"C\" PRIMARY KEY, rev bigint NOT NULL, val bytea NOT NULL)";
// Blob keys are 'b/' + UUID and sort between these two bounds ('0' follows '/').
constexpr const char* kBlobPrefix = "b/";
constexpr const char* kBlobsEnd = "b0";
constexpr const char* kRootPrefix = "r/";
// One commit statement carries blobs of at most this many bytes (but always
// at least one blob); a write with more takes several statements.
constexpr size_t kMaxBytesPerStatement = size_t{32} << 20;
// The largest blob: PostgreSQL holds at most 1 GiB in one value (the blob
// array) or one message (the statement), less room here for the rest.
constexpr size_t kMaxBlobBytes = (size_t{1} << 30) - (size_t{1} << 20);
constexpr size_t kKeysPerDelete = 1000;
constexpr int kKeysPerListPage = 10'000;

// What went wrong, by what the caller can do about it.
enum class ErrorKind : uint8_t {
  kTransient,  // retry: the server is unreachable, restarting, or a txn lost a race
  kAmbiguous,  // the connection was lost while a commit was in flight
  kForbidden,
  kNotFound,
  kIncorrect,
  kDuplicate,  // unique violation: a blob key exists already
  kFault,
};

// A libpq failure, thrown inside this file only; Run() turns it into an
// Anomaly.
struct PgError {
  ErrorKind kind = ErrorKind::kFault;
  std::string message;
  std::string sqlstate;
};

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

bool IsTransientState(std::string_view state) {
  static constexpr std::string_view kTransient[] = {
      "40001",  // serialization_failure
      "40P01",  // deadlock_detected
      "57P01",  // admin_shutdown
      "57P02",  // crash_shutdown
      "57P03",  // cannot_connect_now
      "57014",  // query_canceled
      "53300",  // too_many_connections
      "53200",  // out_of_memory
      "55P03",  // lock_not_available
      "25006",  // read_only_sql_transaction: a standby, perhaps mid-failover
  };
  if (state.starts_with("08")) return true;  // connection_exception
  return std::find(std::begin(kTransient), std::end(kTransient), state) != std::end(kTransient);
}

// The error of a failed statement (`result` may be null when libpq could not
// even make one).
PgError StatementError(PGconn* conn, const PGresult* result) {
  PgError error;
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  error.sqlstate = state ? state : "";
  error.message = Trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  if (error.message.empty()) error.message = Trimmed(PQerrorMessage(conn));
  if (const char* detail = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL) : nullptr) {
    error.message += fmt::format(" ({})", detail);
  }
  std::string_view s = error.sqlstate;
  if (s.empty() || PQstatus(conn) == CONNECTION_BAD || IsTransientState(s)) {
    error.kind = ErrorKind::kTransient;
  } else if (s == "23505") {
    error.kind = ErrorKind::kDuplicate;
  } else if (s.starts_with("28") || s == "42501") {
    error.kind = ErrorKind::kForbidden;
  } else if (s == "3D000") {
    error.kind = ErrorKind::kNotFound;
  } else if (s.starts_with("22") || s.starts_with("54")) {
    error.kind = ErrorKind::kIncorrect;  // data exception, program limit exceeded
  } else {
    error.kind = ErrorKind::kFault;
  }
  return error;
}

// The error of a failed connection attempt. libpq gives no SQLSTATE here, so
// the message decides; anything not recognised as permanent is transient.
PgError ConnectError(std::string message) {
  PgError error;
  error.message = Trimmed(std::move(message));
  std::string_view m = error.message;
  if (Contains(m, "authentication failed") || Contains(m, "pg_hba.conf") ||
      Contains(m, "role \"") || Contains(m, "permission denied") || Contains(m, "password") ||
      Contains(m, "not permitted to log in")) {
    error.kind = ErrorKind::kForbidden;
  } else if (Contains(m, "database \"") && Contains(m, "does not exist")) {
    error.kind = ErrorKind::kNotFound;
  } else if (Contains(m, "invalid ")) {
    error.kind = ErrorKind::kIncorrect;
  } else {
    error.kind = ErrorKind::kTransient;
  }
  return error;
}

// One statement's parameter: text (NUL-terminated), binary, or NULL (data
// null).
struct Param {
  const char* data;
  int length;
  int format;  // 0 text, 1 binary
};

constexpr Param kNull{nullptr, 0, 0};
Param Text(const std::string& s) { return Param{s.c_str(), 0, 0}; }
Param Binary(std::string_view s) { return Param{s.data(), static_cast<int>(s.size()), 1}; }

// A statement's parameters as libpq takes them.
struct ParamArrays {
  explicit ParamArrays(const std::vector<Param>& params)
      : values(params.size()), lengths(params.size()), formats(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) {
      values[i] = params[i].data;
      lengths[i] = params[i].length;
      formats[i] = params[i].format;
    }
  }
  int count() const { return static_cast<int>(values.size()); }

  std::vector<const char*> values;
  std::vector<int> lengths, formats;
};

// `result` when its statement succeeded; else throws its PgError.
Result Checked(PGconn* conn, Result result) {
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw StatementError(conn, result.get());
  }
  return result;
}

// Runs one statement; throws PgError unless it succeeds. `binary_result`
// asks for the result's columns in binary form.
Result Exec(PGconn* conn, const char* sql, const std::vector<Param>& params = {},
            bool binary_result = false) {
  ParamArrays p(params);
  return Checked(
      conn, Result(PQexecParams(conn, sql, p.count(), nullptr, p.values.data(), p.lengths.data(),
                                p.formats.data(), binary_result ? 1 : 0)));
}

// Runs a statement prepared on the connection (see Prepare) likewise.
Result ExecPrepared(PGconn* conn, const char* name, const std::vector<Param>& params,
                    bool binary_result = false) {
  ParamArrays p(params);
  return Checked(conn,
                 Result(PQexecPrepared(conn, name, p.count(), p.values.data(), p.lengths.data(),
                                       p.formats.data(), binary_result ? 1 : 0)));
}

// Runs `commit`, the step whose success commits a transaction. A lost
// connection makes its failure ambiguous: the server may have committed
// before the connection went.
template <typename Commit>
Result Committing(PGconn* conn, Commit&& commit) {
  try {
    return commit();
  } catch (PgError& e) {
    if (PQstatus(conn) == CONNECTION_BAD) e.kind = ErrorKind::kAmbiguous;
    throw;
  }
}

// Type OIDs (pg_type.oid, fixed since PostgreSQL 8) of prepared statements'
// parameters.
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kByteaArrayOid = 1001;
constexpr Oid kTextArrayOid = 1009;

// The prepared statements' names.
constexpr const char* kGetStatement = "strata_get";
constexpr const char* kGetRootStatement = "strata_get_root";
constexpr const char* kInsertBlobsStatement = "strata_insert_blobs";
constexpr const char* kCreateRootStatement = "strata_cas_create";
constexpr const char* kRootAbsentStatement = "strata_cas_absent";
constexpr const char* kUpdateRootStatement = "strata_cas_update";
constexpr const char* kDeleteRootStatement = "strata_cas_delete";

// The commit statements' parameters: $1 the blobs' ids (text[]), $2 the
// blobs (bytea[]), both binary arrays in the same order; $3 the root's id,
// $4 its expected revision, $5 its new value. Each statement ignores those
// it does not use; all five are always sent.
constexpr Oid kCommitParamTypes[] = {kTextArrayOid, kByteaArrayOid, kTextOid, kInt8Oid, kByteaOid};
constexpr int kCommitParams = 5;

constexpr std::string_view kInsertBlobs =
    "INSERT INTO strata_kv (id, rev, val) "
    "SELECT id, 0, val FROM unnest($1::text[], $2::bytea[]) AS b (id, val)";

// One statement that applies a root CAS and inserts the blobs only if it
// matched: `cas` returns a row when it matched. Data-modifying CTEs run to
// completion on one snapshot; the statement is one transaction (implicit, or
// the caller's), so a unique violation among the blobs undoes the CAS too.
// Returns one row: how many rows `cas` returned (1 matched, 0 did not).
std::string CasStatement(std::string_view cas) {
  return fmt::format(
      "WITH cas AS ({}), blobs AS ({} WHERE EXISTS (SELECT 1 FROM cas)) "
      "SELECT count(*) FROM cas",
      cas, kInsertBlobs);
}

// Prepares every statement above on a new connection (one round trip each).
void Prepare(PGconn* conn) {
  struct Statement {
    const char* name;
    std::string sql;
  };
  const Statement commit_statements[] = {
      {kInsertBlobsStatement, std::string(kInsertBlobs)},
      // expected 0, new value: create the root unless it exists.
      {kCreateRootStatement, CasStatement("INSERT INTO strata_kv (id, rev, val) VALUES ($3, 1, $5) "
                                          "ON CONFLICT (id) DO NOTHING RETURNING 1")},
      // expected 0, no value: the root must not exist.
      {kRootAbsentStatement,
       CasStatement("SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM strata_kv WHERE id = $3)")},
      // expected n, new value.
      {kUpdateRootStatement, CasStatement("UPDATE strata_kv SET rev = rev + 1, val = $5 "
                                          "WHERE id = $3 AND rev = $4 RETURNING 1")},
      // expected n, no value: delete.
      {kDeleteRootStatement,
       CasStatement("DELETE FROM strata_kv WHERE id = $3 AND rev = $4 RETURNING 1")},
  };
  for (const Statement& s : commit_statements) {
    Checked(conn, Result(PQprepare(conn, s.name, s.sql.c_str(), kCommitParams, kCommitParamTypes)));
  }
  const Oid text[] = {kTextOid};
  Checked(conn, Result(PQprepare(conn, kGetStatement, "SELECT val FROM strata_kv WHERE id = $1", 1,
                                 text)));
  Checked(conn, Result(PQprepare(conn, kGetRootStatement,
                                 "SELECT rev, val FROM strata_kv WHERE id = $1", 1, text)));
}

void PutInt32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

// An int8 parameter in binary form: 8 bytes, big-endian.
std::string Int8(int64_t v) {
  std::string out;
  PutInt32(&out, static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32));
  PutInt32(&out, static_cast<uint32_t>(v));
  return out;
}

// The binary form (array_recv's) of a one-dimensional array without NULLs,
// elements(i) being element i's binary form; every integer 4 bytes,
// big-endian:
//
//   | ndim 1 | flags 0 | element OID | count | lower bound 1 | len | bytes | len | bytes ...
//
// An empty array has ndim 0 and no count or lower bound.
template <typename Elements>
std::string BinaryArray(Oid element_type, size_t count, Elements&& elements) {
  size_t size = 20;
  for (size_t i = 0; i < count; ++i) size += 4 + elements(i).size();
  std::string out;
  out.reserve(size);
  PutInt32(&out, count == 0 ? 0 : 1);
  PutInt32(&out, 0);
  PutInt32(&out, element_type);
  if (count > 0) {
    PutInt32(&out, static_cast<uint32_t>(count));
    PutInt32(&out, 1);
  }
  for (size_t i = 0; i < count; ++i) {
    std::string_view element = elements(i);
    PutInt32(&out, static_cast<uint32_t>(element.size()));
    out.append(element);
  }
  return out;
}

// Whether a connection idle in the pool still works, found without a round
// trip: what the server sent meanwhile is read (a shutdown notice, the end of
// the stream). One that fails this had nothing sent on it, so the call can
// go to another connection without doubt about what it did.
bool StillOpen(PGconn* conn) {
  for (int reads = 0; reads < 8 && PQstatus(conn) == CONNECTION_OK; ++reads) {
    pollfd fd{PQsocket(conn), POLLIN, 0};
    if (poll(&fd, 1, 0) <= 0) break;  // nothing to read (or poll failed: trust the status)
    if (PQconsumeInput(conn) == 0) return false;
  }
  return PQstatus(conn) == CONNECTION_OK;
}

int64_t DecodeInt8(const char* data) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(data[i]);
  return static_cast<int64_t>(v);
}

std::string BlobId(const Uuid& key) { return kBlobPrefix + key.ToString(); }
std::string RootId(std::string_view name) { return kRootPrefix + std::string(name); }

void CheckRootName(std::string_view name) {
  if (Contains(name, std::string_view("\0", 1))) {
    ThrowIncorrect("",
                   "postgres storage: a root name cannot contain a NUL byte (PostgreSQL text "
                   "cannot hold one); choose another name");
  }
}

// "host=/tmp/x port=5432 dbname=y user=z" from a conninfo, for messages.
std::string DescribeServer(const std::string& conninfo) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (options == nullptr) {
    std::string why = parse_error ? Trimmed(parse_error) : "out of memory";
    PQfreemem(parse_error);
    ThrowIncorrect("", fmt::format("postgres storage: the connection string \"{}\" cannot be "
                                   "parsed: {}; write it as libpq expects (\"host=... "
                                   "dbname=... user=...\" or postgresql://user@host/dbname)",
                                   conninfo, why));
  }
  std::string host, port, dbname, user;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view k = o->keyword;
    if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") dbname = o->val;
    if (k == "user") user = o->val;
  }
  PQconninfoFree(options);
  std::string out = fmt::format("host={}", host.empty() ? "(default socket)" : host);
  if (!port.empty()) out += " port=" + port;
  out += " dbname=" + (dbname.empty() ? std::string("(default)") : dbname);
  if (!user.empty()) out += " user=" + user;
  return out;
}

}  // namespace

// A connection leased from the pool for one attempt of one call; returned
// (or closed, when broken) when the attempt ends.
class PostgresStorage::Lease {
 public:
  explicit Lease(PostgresStorage* storage) : storage_(storage), conn_(storage->Acquire()) {}
  ~Lease() { storage_->Release(conn_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  PGconn* get() const { return conn_; }

 private:
  PostgresStorage* storage_;
  PGconn* conn_;
};

PostgresStorage::PostgresStorage(PostgresOptions options)
    : options_(std::move(options)), server_(DescribeServer(options_.conninfo)) {
  if (options_.pool_size == 0) {
    ThrowIncorrect("", "postgres storage: pool_size must be at least 1");
  }
}

PostgresStorage::~PostgresStorage() {
  for (PGconn* conn : idle_) PQfinish(conn);
}

PGconn* PostgresStorage::Connect() {
  // Defaults first: settings in the conninfo (expanded from "dbname") win.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"5", "strata", options_.conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) throw PgError{ErrorKind::kTransient, "libpq: out of memory", ""};
  if (PQstatus(conn) != CONNECTION_OK) {
    PgError error = ConnectError(PQerrorMessage(conn));
    PQfinish(conn);
    throw error;
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // "relation exists, skipping"
  return conn;
}

void PostgresStorage::EnsureTable(PGconn* conn) {
  Result exists = Exec(conn, "SELECT to_regclass('strata_kv') IS NOT NULL");
  if (std::string_view(PQgetvalue(exists.get(), 0, 0)) != "t") {
    // Sessions creating the table at once would collide in the catalog
    // (CREATE TABLE IF NOT EXISTS is not atomic): serialize them with a
    // transaction-scoped advisory lock.
    Exec(conn, "BEGIN");
    Exec(conn, "SELECT pg_advisory_xact_lock(hashtext('strata_kv'))");
    Exec(conn, kCreateTable);
    Exec(conn, "COMMIT");
  }
  std::lock_guard lock(mutex_);
  table_ready_ = true;
}

PGconn* PostgresStorage::Acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    freed_.wait(lock, [&] { return !idle_.empty() || open_ < options_.pool_size; });
    if (idle_.empty()) break;
    PGconn* conn = idle_.back();
    idle_.pop_back();
    lock.unlock();
    if (StillOpen(conn)) return conn;
    PQfinish(conn);  // closed by the server while idle (a restart, a terminated backend)
    lock.lock();
    --open_;
  }
  ++open_;
  bool need_table = !table_ready_;
  lock.unlock();
  PGconn* conn = nullptr;
  try {
    conn = Connect();
    if (need_table) EnsureTable(conn);
    Prepare(conn);
    return conn;
  } catch (...) {
    if (conn != nullptr) PQfinish(conn);
    lock.lock();
    --open_;
    freed_.notify_one();
    throw;
  }
}

void PostgresStorage::Release(PGconn* conn) {
  if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
    PQclear(PQexec(conn, "ROLLBACK"));
  }
  bool healthy = PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
  {
    std::lock_guard lock(mutex_);
    if (healthy) {
      idle_.push_back(conn);
    } else {
      --open_;
    }
  }
  freed_.notify_one();
  if (!healthy) {
    PQfinish(conn);
    DropIdle();
  }
}

void PostgresStorage::DropIdle() {
  std::vector<PGconn*> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
    open_ -= dropped.size();
  }
  freed_.notify_all();
  for (PGconn* conn : dropped) PQfinish(conn);
}

template <typename Op>
auto PostgresStorage::Run(std::string_view what, Op&& op) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now(), deadline = start + options_.retry_deadline;
  std::chrono::milliseconds backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    PgError error;
    try {
      Lease lease(this);
      return op(lease.get());
    } catch (PgError& e) {
      error = std::move(e);
    }
    switch (error.kind) {
      case ErrorKind::kTransient:
        break;
      case ErrorKind::kAmbiguous:
        throw Anomaly(Category::kUnavailable,
                      fmt::format("postgres storage at {}: the connection was lost while the "
                                  "{} was in flight, so it may or may not have been applied: "
                                  "{}; read the state back before retrying",
                                  server_, what, error.message));
      case ErrorKind::kForbidden:
        throw Anomaly(Category::kForbidden,
                      fmt::format("postgres storage at {}: {} was refused: {}; check the user "
                                  "and password in the connection string, pg_hba.conf, and the "
                                  "user's privileges on the database and on table strata_kv",
                                  server_, what, error.message));
      case ErrorKind::kNotFound:
        throw Anomaly(Category::kNotFound,
                      fmt::format("postgres storage at {}: {}; create the database (createdb "
                                  "NAME, or CREATE DATABASE) or fix dbname in the connection "
                                  "string",
                                  server_, error.message));
      case ErrorKind::kIncorrect:
        throw Anomaly(Category::kIncorrect,
                      fmt::format("postgres storage at {}: {} was rejected: {}; fix the "
                                  "connection string or the data",
                                  server_, what, error.message));
      case ErrorKind::kDuplicate:
        ThrowFault(
            fmt::format("postgres storage at {}: {} failed: a key exists already: {}; "
                        "blob keys are never reused, and nothing was written",
                        server_, what, error.message));
      case ErrorKind::kFault:
        ThrowFault(fmt::format("postgres storage at {}: {} failed unexpectedly: {}{}", server_,
                               what, error.message,
                               error.sqlstate.empty() ? "" : " (SQLSTATE " + error.sqlstate + ")"));
    }
    Clock::time_point now = Clock::now();
    if (now + backoff > deadline) {
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
      throw Anomaly(Category::kUnavailable,
                    fmt::format("postgres storage at {} is unavailable: {} failed {} times in {} "
                                "ms; last error: {}. Check that the server is running and "
                                "reachable; retry later",
                                server_, what, attempt, elapsed.count(), error.message));
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

std::optional<std::string> PostgresStorage::Get(const Uuid& key) {
  std::string id = BlobId(key);
  return Run("read of a blob", [&](PGconn* conn) -> std::optional<std::string> {
    Result r = ExecPrepared(conn, kGetStatement, {Text(id)}, true);
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return std::string(PQgetvalue(r.get(), 0, 0), static_cast<size_t>(PQgetlength(r.get(), 0, 0)));
  });
}

std::optional<Root> PostgresStorage::GetRoot(std::string_view name) {
  CheckRootName(name);
  std::string id = RootId(name);
  return Run("read of a root", [&](PGconn* conn) -> std::optional<Root> {
    Result r = ExecPrepared(conn, kGetRootStatement, {Text(id)}, true);
    if (PQntuples(r.get()) == 0) return std::nullopt;
    Root root;
    root.rev = static_cast<uint64_t>(DecodeInt8(PQgetvalue(r.get(), 0, 0)));
    root.value.assign(PQgetvalue(r.get(), 0, 1), static_cast<size_t>(PQgetlength(r.get(), 0, 1)));
    return root;
  });
}

bool PostgresStorage::Commit(const StorageWrite& w) {
  if (w.blobs.empty() && !w.cas) return true;
  const RootCas* cas = w.cas ? &*w.cas : nullptr;
  if (cas) CheckRootName(cas->name);
  // The blobs, split into statements' worth: statement i carries blobs
  // [starts[i], starts[i + 1]). Usually there is one, perhaps empty.
  std::vector<size_t> starts = {0};
  size_t bytes = 0;
  for (size_t i = 0; i < w.blobs.size(); ++i) {
    size_t size = w.blobs[i].second.size();
    if (size > kMaxBlobBytes) {
      ThrowIncorrect("", fmt::format("postgres storage: a blob of {} bytes is larger than "
                                     "PostgreSQL can store ({} bytes at most)",
                                     size, kMaxBlobBytes));
    }
    if (i > starts.back() && bytes + size > kMaxBytesPerStatement) {
      starts.push_back(i);
      bytes = 0;
    }
    bytes += size;
  }
  starts.push_back(w.blobs.size());
  size_t statements = starts.size() - 1;
  std::vector<std::string> ids;
  ids.reserve(w.blobs.size());
  for (const auto& [key, blob] : w.blobs) ids.push_back(BlobId(key));
  std::string root_id = cas ? RootId(cas->name) : std::string();
  std::string expected = cas ? Int8(static_cast<int64_t>(cas->expected_rev)) : std::string();
  const char* first = kInsertBlobsStatement;
  if (cas && cas->expected_rev == 0) {
    first = cas->value ? kCreateRootStatement : kRootAbsentStatement;
  } else if (cas) {
    first = cas->value ? kUpdateRootStatement : kDeleteRootStatement;
  }

  // Runs commit statement `name` with the blobs of statement i.
  auto run_statement = [&](PGconn* conn, const char* name, size_t i) -> Result {
    size_t begin = starts[i], count = starts[i + 1] - begin;
    std::string id_array =
        BinaryArray(kTextOid, count, [&](size_t j) -> std::string_view { return ids[begin + j]; });
    std::string blob_array = BinaryArray(
        kByteaOid, count, [&](size_t j) -> std::string_view { return w.blobs[begin + j].second; });
    return ExecPrepared(
        conn, name,
        {Binary(id_array), Binary(blob_array), cas ? Text(root_id) : kNull,
         cas ? Binary(expected) : kNull, cas && cas->value ? Binary(*cas->value) : kNull});
  };
  // Whether the first statement's CAS matched (true when there is none).
  auto matched = [&](const Result& r) {
    return !cas || std::string_view(PQgetvalue(r.get(), 0, 0)) == "1";
  };

  return Run("commit", [&](PGconn* conn) -> bool {
    if (statements == 1) {
      // One statement in autocommit mode (its own transaction): one round
      // trip. A connection lost after it was sent leaves the outcome unknown.
      return matched(Committing(conn, [&] { return run_statement(conn, first, 0); }));
    }
    // More blobs than one statement carries: one explicit transaction, the
    // CAS (with the first blobs) first, so that a CAS that does not match
    // writes nothing whatever the blobs, as with one statement.
    Exec(conn, "BEGIN");
    if (!matched(run_statement(conn, first, 0))) {
      Exec(conn, "ROLLBACK");
      return false;
    }
    for (size_t i = 1; i < statements; ++i) run_statement(conn, kInsertBlobsStatement, i);
    Committing(conn, [&] { return Exec(conn, "COMMIT"); });
    return true;
  });
}

void PostgresStorage::Delete(const std::vector<Uuid>& keys) {
  for (size_t begin = 0; begin < keys.size(); begin += kKeysPerDelete) {
    std::string array = "{";
    for (size_t i = begin; i < std::min(keys.size(), begin + kKeysPerDelete); ++i) {
      if (i > begin) array += ',';
      array += BlobId(keys[i]);
    }
    array += '}';
    Run("delete of blobs", [&](PGconn* conn) {
      Exec(conn, "DELETE FROM strata_kv WHERE id = ANY($1::text[])", {Text(array)});
    });
  }
}

void PostgresStorage::ListBlobs(const std::function<void(const Uuid&)>& f) {
  std::string after = kBlobPrefix;
  std::string limit = std::to_string(kKeysPerListPage);
  for (;;) {
    std::vector<Uuid> page = Run("listing of blobs", [&](PGconn* conn) {
      Result r =
          Exec(conn, "SELECT id FROM strata_kv WHERE id > $1 AND id < $2 ORDER BY id LIMIT $3",
               {Text(after), Param{kBlobsEnd, 0, 0}, Text(limit)});
      std::vector<Uuid> keys(static_cast<size_t>(PQntuples(r.get())));
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        std::string_view id = PQgetvalue(r.get(), i, 0);
        if (!Uuid::Parse(id.substr(2), &keys[static_cast<size_t>(i)])) {
          ThrowFault(
              fmt::format("postgres storage at {}: row \"{}\" of strata_kv is not a blob "
                          "key; the table holds something Strata did not write",
                          server_, id));
        }
        if (i + 1 == PQntuples(r.get())) after = id;
      }
      return keys;
    });
    for (const Uuid& key : page) f(key);
    if (page.size() < static_cast<size_t>(kKeysPerListPage)) return;
  }
}

std::vector<std::string> PostgresStorage::ListRoots(std::string_view prefix) {
  CheckRootName(prefix);
  std::string from = RootId(prefix);
  return Run("listing of roots", [&](PGconn* conn) {
    Result r =
        Exec(conn, "SELECT id FROM strata_kv WHERE id >= $1 AND starts_with(id, $1) ORDER BY id",
             {Text(from)});
    std::vector<std::string> names;
    names.reserve(static_cast<size_t>(PQntuples(r.get())));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      names.emplace_back(PQgetvalue(r.get(), i, 0) + 2);  // after "r/"
    }
    return names;
  });
}

}  // namespace strata::internal
