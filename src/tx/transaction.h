// The transaction pipeline (DESIGN.md section 4): tx-data forms -> expanded
// operations -> resolved entity ids (tempids, upserts, lookup refs, idents)
// -> datoms with Datomic's semantics (cardinality one, redundancy,
// uniqueness, composite tuples, :db/txInstant) -> validation (types, schema
// rules, attribute predicates, entity specs) -> a new database state.
//
// It is a pure function of the database before and the tx-data: nothing is
// written here. Any error throws an Anomaly and produces nothing.
#ifndef STRATA_TX_TRANSACTION_H_
#define STRATA_TX_TRANSACTION_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/db_state.h"
#include "strata/database.h"

namespace strata::internal {

struct TxResult {
  std::shared_ptr<const DbState> state;  // the database after
  std::vector<Datom> tx_data;            // the datoms written, in order
  std::vector<std::pair<std::string, EntityId>> tempids;
};

// Runs `tx_data` (a vector or list of forms) against `db`. `now_ms` is the
// wall clock; the transaction's :db/txInstant is the later of it and the
// previous transaction's.
// REQUIRES: db is a database value as of now (no as-of, since, history or
// filter); otherwise an incorrect anomaly.
TxResult RunTransaction(const Database& db, const Value& tx_data, int64_t now_ms);

}  // namespace strata::internal

#endif  // STRATA_TX_TRANSACTION_H_
