// Connection: the handle an application holds to one database, and the
// functions that create, delete, list and connect to databases by URI.
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
#ifndef STRATA_CONNECTION_H_
#define STRATA_CONNECTION_H_

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

// A connection to the database. Connections are cached: every Connect to one
// database from this process shares one transactor and one cached database
// value, as Datomic's peer does. Several processes may connect to one
// database: their commits serialize, each catching up first.
Connection Connect(std::string_view uri);

}  // namespace strata

#endif  // STRATA_CONNECTION_H_
