// C++ functions that transactions call by name: transaction functions,
// attribute predicates (:db.attr/preds) and entity predicates
// (:db.entity/preds). Names are qualified symbols ("my.app/valid-email?").
//
// Registration is process-wide and thread-safe; registering a name again
// replaces the function. A function may throw an Anomaly to reject the
// transaction (a transaction function cancels that way); any other exception
// is turned into a fault anomaly.
#ifndef STRATA_FUNCTIONS_H_
#define STRATA_FUNCTIONS_H_

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "strata/database.h"
#include "strata/value.h"

namespace strata {

// Receives the database before the transaction and the arguments that
// followed the function's name in the tx-data form; returns tx-data (a
// vector of forms), which is expanded in turn.
using TxFunction = std::function<Value(const Database& db, const std::vector<Value>& args)>;
// Whether a value is acceptable for the attribute.
using AttributePredicate = std::function<bool(const Value& value)>;
// Whether an entity is valid in the database after the transaction.
using EntityPredicate = std::function<bool(const Database& db_after, EntityId eid)>;

void RegisterTxFunction(std::string_view name, TxFunction fn);
void RegisterAttributePredicate(std::string_view name, AttributePredicate fn);
void RegisterEntityPredicate(std::string_view name, EntityPredicate fn);

// The function registered under `name`, or null. The function stays alive
// while the caller holds it, even if the name is registered again.
std::shared_ptr<const TxFunction> FindTxFunction(std::string_view name);
std::shared_ptr<const AttributePredicate> FindAttributePredicate(std::string_view name);
std::shared_ptr<const EntityPredicate> FindEntityPredicate(std::string_view name);

}  // namespace strata

#endif  // STRATA_FUNCTIONS_H_
