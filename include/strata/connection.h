// Connection: the handle an application holds to one database, and the
// functions that create, delete, list, connect to and collect the garbage
// of databases by URI.
//
// URIs name a storage and a database in it:
//
//   strata:mem://NAME                 this process's memory
//   strata:lmdb://NAME?dir=PATH       the embedded storage in directory PATH
//   strata:postgres://NAME?CONNINFO   PostgreSQL; CONNINFO a URL-encoded
//                                     libpq connection string
//
// (docs/storage.md). Many databases live in one storage. A malformed URI is
// an incorrect anomaly :db.error/invalid-db-uri, an unknown storage
// :db.error/unsupported-protocol, a missing database a not-found anomaly
// :db.error/db-not-found.
//
// Db() returns the database value as of the latest transaction, in O(1).
// Transact() sends tx-data to the database's transactor, which orders all
// writes; the result says what changed. Log() reads the transaction log.
// A Connection is safe to use from many threads.
//
// The object cache. Every connection made with Connect() reads index
// segments through one cache of decoded segments per process, bounded in
// bytes, as Datomic's object cache. Its bound is read from the environment
// variable STRATA_OBJECT_CACHE_MAX (as Datomic's datomic.objectCacheMax)
// when the process's first connection is made: bytes, or a number with the
// suffix k, m or g (KiB, MiB, GiB; either case), as 512k, 64m or 2g. Unset,
// it is a quarter of physical memory, at least 64 MiB. A malformed value is
// an incorrect anomaly :db.error/invalid-config, and no connection is made
// until it is fixed. Connection::cache_stats() reads the cache's counters.
#ifndef STRATA_CONNECTION_H_
#define STRATA_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/database.h"
#include "strata/value.h"

namespace strata {

// The transaction log: every transaction in order, as Datomic's log.
class Log {
 public:
  virtual ~Log() = default;
  // Transactions with start <= t < end, in order; start and end are t
  // values or transaction ids, nullopt for open ends.
  virtual std::vector<LogEntry> TxRange(std::optional<int64_t> start,
                                        std::optional<int64_t> end) const = 0;
};

// The counters of the cache a connection reads index segments through (the
// process's object cache; see above). Counters count from the cache's
// creation, for every database read through it. A cache neither hits nor
// misses for a database held wholly in memory (Connection::CreateInMemory):
// its counters are all zero.
struct CacheStats {
  int64_t hits = 0;       // reads answered by the cache
  int64_t misses = 0;     // reads that loaded (and decoded) a segment
  int64_t evictions = 0;  // segments dropped to stay within the capacity
  int64_t entries = 0;    // segments kept now
  int64_t bytes = 0;      // their estimated memory; at most capacity_bytes
  int64_t capacity_bytes = 0;
  int64_t loaded_bytes = 0;  // estimated memory of every segment loaded, in total
};

// The one writer of a database (DESIGN.md section 2). The in-process
// transactor is the first implementation; a remote one will be the second.
class Transactor {
 public:
  virtual ~Transactor() = default;
  // Applies tx-data atomically: all of it, or (with an Anomaly) none.
  virtual TxReport Transact(const Value& tx_data) = 0;
  // The database as of the latest transaction.
  virtual Database Db() const = 0;
  virtual const Log& log() const = 0;
  // The counters of the segment cache the database is read through; zeros
  // when there is none.
  virtual CacheStats cache_stats() const { return {}; }
  // Starts an indexing job now, whatever the size of the memory index (or
  // another after the running one); false when none was scheduled (nothing
  // to index, or the database has no durable index).
  virtual bool RequestIndex() { return false; }
  // Waits until the durable index holds every transaction through `t` (a t
  // or a transaction id) and returns such a database. A database without a
  // durable index returns Db() at once.
  virtual Database SyncIndex(int64_t /*t*/) { return Db(); }
};

class Connection {
 public:
  // A new, empty database in this process's memory (the bootstrap schema
  // only), with its own in-process transactor.
  static Connection CreateInMemory();

  explicit Connection(std::shared_ptr<Transactor> transactor);

  Database Db() const { return transactor_->Db(); }
  TxReport Transact(const Value& tx_data) { return transactor_->Transact(tx_data); }
  // tx-data as EDN text.
  TxReport Transact(std::string_view edn);
  const Log& log() const { return transactor_->log(); }

  // The counters of the cache this connection reads segments through: for
  // a connection made with Connect(), the process's object cache.
  CacheStats cache_stats() const { return transactor_->cache_stats(); }
  // Datomic's request-index: starts an indexing job now, rather than when
  // the memory index passes its threshold (or, when one is running, another
  // right after it). True if a job was scheduled; false if the memory index
  // is empty or the database is held wholly in memory
  // (Connection::CreateInMemory).
  bool RequestIndex() { return transactor_->RequestIndex(); }
  // Datomic's sync-index: blocks until the durable index holds every
  // transaction through `t` (a t or a transaction id), starting indexing
  // jobs as needed, and returns a database value whose memory index holds
  // only what came after its index. REQUIRES: `t` is or will be committed
  // (a later t waits for it). Throws what Db() throws (a deleted database).
  Database SyncIndex(int64_t t) { return transactor_->SyncIndex(t); }

 private:
  std::shared_ptr<Transactor> transactor_;
};

// Creates an empty database (the bootstrap schema only); false, changing
// nothing, if it exists already.
bool CreateDatabase(std::string_view uri);

// Deletes the database; false if there was none. Connections to it fail
// with :db.error/db-not-found from then on, in every process; a database
// created later under the same name is a new database.
bool DeleteDatabase(std::string_view uri);

// The names of the databases in the storage of `uri`, whose NAME is "*"
// ("strata:lmdb://*?dir=data"), sorted.
std::vector<std::string> GetDatabaseNames(std::string_view uri);

// What a garbage collection pass (GcStorage) found and did, in blobs.
struct GcStats {
  int64_t databases = 0;    // database roots read
  int64_t blobs = 0;        // blobs in the storage when they were listed
  int64_t reachable = 0;    // of them, reachable from some database's root
  int64_t deleted = 0;      // unreachable and made before the cutoff
  int64_t too_young = 0;    // unreachable, made at or after the cutoff: kept
  int64_t unknown_age = 0;  // unreachable, keys without a time: kept
};

// Deletes the blobs of the storage of `uri` (any database's URI there, or
// the storage's with NAME "*") that no database reaches any more (the
// segments indexing jobs replaced, deleted databases, unpublished writes)
// and that were made before `older_than`, as Datomic's gc-storage. Keep a
// margin: blobs made since `older_than` are kept because a writer may still
// be about to publish them, and a database value older than the last
// indexing job may still read what that job replaced (docs/storage.md).
// `older_than` in the future is an incorrect anomaly
// :db.error/invalid-gc-cutoff; a damaged database root or segment is a
// fault anomaly, and then nothing is deleted. A storage that does not exist
// has nothing to collect.
GcStats GcStorage(std::string_view uri, std::chrono::system_clock::time_point older_than);

// A connection to the database. Connections are cached: every Connect to one
// database from this process shares one transactor and one cached database
// value, as Datomic's peer does. Several processes may connect to one
// database: their commits serialize, each catching up first.
Connection Connect(std::string_view uri);

}  // namespace strata

#endif  // STRATA_CONNECTION_H_
