// Private to src/tx: the operations a transaction's forms expand into, and
// the phases that pass them along.
#ifndef STRATA_TX_TX_INTERNAL_H_
#define STRATA_TX_TX_INTERNAL_H_

#include <string>
#include <vector>

#include "db/db_state.h"
#include "db/schema.h"
#include "strata/database.h"

namespace strata::internal {

// An entity position before tempids are resolved: an entity id, a tempid
// string from the tx-data, or a tempid generated for a map without :db/id.
// Each distinct tempid of a transaction has a slot, 0, 1, 2... in order of
// first appearance, so that later phases keep per-tempid state in arrays.
struct EntityRef {
  enum class Kind : uint8_t { kId, kTempid, kGenerated };
  Kind kind = Kind::kId;
  int32_t slot = -1;  // kTempid and kGenerated: the tempid's slot
  EntityId id = 0;    // kId: the entity; kGenerated: its number

  bool is_tempid() const { return kind != Kind::kId; }
  friend bool operator==(const EntityRef&, const EntityRef&) = default;
};

// One assertion or retraction, its entity and (for refs) value possibly
// still tempids.
struct Op {
  bool added = true;
  EntityRef e;
  EntityId a = 0;
  Value v;  // the value, when not a tempid
  bool v_is_ref = false;
  EntityRef v_ref;  // the value of a ref attribute, when v_is_ref
  Value form;       // the tx-data form it came from, for errors
};

// What the forms of a transaction expand into.
struct Expansion {
  std::vector<Op> ops;
  // :db/retractEntity targets (resolved: they must exist).
  std::vector<std::pair<EntityId, Value>> retract_entities;
  // :db/ensure: entity and the spec entity to check it against.
  std::vector<std::pair<EntityRef, EntityId>> ensures;
  // Whether the tx-data named the transaction as "datomic.tx".
  bool names_tx = false;
  // The number of distinct tempids (EntityRef::slot is below it), and each
  // one's name ("" for a generated one).
  int32_t tempid_slots = 0;
  std::vector<std::string> tempid_names;
};

// Expands tx-data forms against the database before the transaction.
// `tx` is the transaction's entity id.
Expansion ExpandTxData(const Database& db, const Value& tx_data, EntityId tx);

// Checks a value against an attribute's type, converting where Datomic
// does (a double for a float attribute, an ident or lookup ref for a ref
// one). Throws an incorrect anomaly naming attribute, value and type.
Value CoerceValue(const Database& db, const Attribute& attr, const Value& v, const Value& form);

// Checks the schema facts an entity will have after the transaction, and the
// change from `before` (nullptr for a new attribute), against Datomic's
// rules; `db_after` answers data checks (unique values, cardinality).
void ValidateAttributeChange(const Database& db_after, EntityId id, const Attribute* before,
                             const std::vector<Datom>& facts);

// "the attribute :person/name" for messages.
std::string AttrName(const Schema& schema, EntityId a);

}  // namespace strata::internal

#endif  // STRATA_TX_TX_INTERNAL_H_
