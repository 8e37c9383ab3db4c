// PostgresStorage: the shared storage backend, over libpq. Many machines'
// peers and transactors use one PostgreSQL database, as Datomic's SQL
// storage does, through one table:
//
//   CREATE TABLE strata_kv (
//     id  text COLLATE "C" PRIMARY KEY,  -- 'b/' + blob UUID | 'r/' + root name
//     rev bigint NOT NULL,                -- blobs: 0; roots: revision, from 1
//     val bytea NOT NULL)
//
// created when missing (in the schema first on the connection's search_path)
// the first time a connection is made. The "C" collation makes ListRoots'
// order byte order, as every other backend has it.
//
// A Commit is one statement, one network round trip, run in autocommit mode
// so it is its own transaction, durable when it returns with the server's
// synchronous_commit (on by default). The root CAS is a data-modifying CTE
// that returns a row when it matched (INSERT ... ON CONFLICT DO NOTHING for
// expected revision 0, else UPDATE/DELETE ... WHERE rev = expected); the
// blobs, passed as two binary array parameters, are inserted from unnest()
// only if it did; the statement returns whether it matched. A blob key that
// exists already is a unique violation and undoes it all. The statements
// are prepared on each connection when it opens. A write with more than
// 32 MiB of blobs takes several statements in one explicit transaction
// (BEGIN, the CAS with the first blobs, the other blobs, COMMIT).
//
// Connections come from a small pool; one found closed by the server while
// idle is replaced before anything is sent on it. A call that fails
// transiently (the server unreachable or restarting, a lost connection, a
// serialization failure or deadlock) is retried with exponential backoff
// until a deadline, then throws an Anomaly of category unavailable naming the
// server and the last error. One exception: a connection lost while the
// commit statement (or COMMIT) was in flight leaves the outcome unknown; that
// Commit is not retried and throws unavailable at once, saying so. Errors
// retrying cannot fix are anomalies at once: forbidden (authentication,
// privileges), not-found (no such database), incorrect (a malformed conninfo,
// a root name PostgreSQL cannot store, a blob near 1 GiB), fault (a reused
// blob key, anything unexpected).
#ifndef STRATA_STORAGE_POSTGRES_STORAGE_H_
#define STRATA_STORAGE_POSTGRES_STORAGE_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/storage.h"

// libpq's connection handle; only postgres_storage.cc includes libpq-fe.h.
struct pg_conn;

namespace strata::internal {

struct PostgresOptions {
  // A libpq connection string ("host=/tmp/pg dbname=strata user=strata") or
  // URI ("postgresql://user@host/dbname"). Unless it sets them,
  // connect_timeout is 5 seconds and application_name is "strata".
  std::string conninfo;
  // Connections kept open at most; calls beyond it wait for one to be free.
  size_t pool_size = 4;
  // How long a call retries transient failures before it throws unavailable.
  std::chrono::milliseconds retry_deadline{10'000};
  // The first wait between retries; it doubles up to max_backoff.
  std::chrono::milliseconds initial_backoff{10};
  std::chrono::milliseconds max_backoff{1'000};
};

class PostgresStorage : public Storage {
 public:
  // Checks the options; connects lazily, on the first call.
  // Throws an Anomaly of category incorrect when the conninfo cannot be
  // parsed or pool_size is 0.
  explicit PostgresStorage(PostgresOptions options);
  // Closes every pooled connection.
  // REQUIRES: no call on this storage is in progress.
  ~PostgresStorage() override;

  PostgresStorage(const PostgresStorage&) = delete;
  PostgresStorage& operator=(const PostgresStorage&) = delete;

  // Storage. Thread-safe: calls share the pool.
  std::optional<std::string> Get(const Uuid& key) override;
  std::optional<Root> GetRoot(std::string_view name) override;
  bool Commit(const StorageWrite& w) override;
  void Delete(const std::vector<Uuid>& keys) override;
  // Lists in pages of keys (one query each), calling `f` between queries
  // with no connection held; blobs committed or deleted meanwhile may or may
  // not be listed.
  void ListBlobs(const std::function<void(const Uuid&)>& f) override;
  std::vector<std::string> ListRoots(std::string_view prefix) override;

  // The server and database, for messages: "host=/tmp/x port=5432 dbname=y"
  // (never the password).
  const std::string& server() const { return server_; }

 private:
  class Lease;

  // Runs `op` on a pooled connection, retrying transient failures with
  // backoff until the deadline (see the file comment). `what` names the
  // operation in messages.
  template <typename Op>
  auto Run(std::string_view what, Op&& op);

  // A connection from the pool (checked, without a round trip, that the
  // server has not closed it), or a new one with the table ensured and the
  // statements prepared.
  pg_conn* Acquire();
  void Release(pg_conn* conn);
  // Closes the idle connections (after one was found broken: the others
  // probably are too).
  void DropIdle();
  pg_conn* Connect();
  void EnsureTable(pg_conn* conn);

  const PostgresOptions options_;
  std::string server_;

  std::mutex mutex_;
  std::condition_variable freed_;  // a connection was released
  std::vector<pg_conn*> idle_;     // GUARDED_BY(mutex_)
  size_t open_ = 0;                // GUARDED_BY(mutex_): idle + leased
  bool table_ready_ = false;       // GUARDED_BY(mutex_)
};

}  // namespace strata::internal

#endif  // STRATA_STORAGE_POSTGRES_STORAGE_H_
