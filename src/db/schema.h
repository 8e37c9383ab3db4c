// Schema: the attributes and idents in force, derived from datoms.
//
// Schema is data: an attribute is an entity with :db/ident, :db/valueType and
// :db/cardinality datoms (and optional :db/unique, :db/isComponent, ...), and
// an ident is any entity with :db/ident. A Schema is an immutable snapshot
// of those facts, rebuilt incrementally (copy on write) by the transactions
// that change them, and shared by every database value of its basis. As in
// Datomic, a database's schema is always the current one: as-of and history
// views use the schema of the database they came from.
#ifndef STRATA_DB_SCHEMA_H_
#define STRATA_DB_SCHEMA_H_

#include <absl/container/flat_hash_map.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/datom.h"
#include "strata/value.h"

namespace strata {

enum class Unique : uint8_t { kNone, kValue, kIdentity };

// A :db.type/... keyword's value type, or nullopt when it names none.
std::optional<ValueType> ValueTypeFromIdent(const Value& ident);
// :db.type/long for kLong, ...
Value IdentOfValueType(ValueType type);

struct Attribute {
  EntityId id = 0;
  Value ident;  // keyword
  ValueType type = ValueType::kNil;
  bool many = false;
  Unique unique = Unique::kNone;
  bool is_component = false;
  bool no_history = false;
  bool index = false;
  bool fulltext = false;
  // Tuples: exactly one of these is set when type is kTuple.
  std::optional<ValueType> tuple_type;  // homogeneous
  std::vector<ValueType> tuple_types;   // heterogeneous
  std::vector<EntityId> tuple_attrs;    // composite
  // :db.attr/preds: qualified symbols of registered predicates.
  std::vector<Value> preds;

  bool is_ref() const { return type == ValueType::kRef; }
  bool is_composite() const { return !tuple_attrs.empty(); }
};

class Schema {
 public:
  Schema() = default;

  // The attribute with this entity id, or nullptr.
  const Attribute* Find(EntityId id) const {
    auto it = attributes_.find(id);
    return it == attributes_.end() ? nullptr : it->second.get();
  }
  // The entity named by an ident (current or former name), or nullopt.
  std::optional<EntityId> Entid(const Value& ident) const {
    auto it = entids_.find(ident);
    if (it == entids_.end()) return std::nullopt;
    return it->second;
  }
  // The current ident of an entity, or nil.
  Value Ident(EntityId id) const {
    auto it = idents_.find(id);
    return it == idents_.end() ? Value() : it->second;
  }
  // Composite tuple attributes that include attribute `id` among their
  // :db/tupleAttrs.
  const std::vector<EntityId>* CompositesOf(EntityId id) const {
    auto it = composites_.find(id);
    return it == composites_.end() ? nullptr : &it->second;
  }
  size_t attribute_count() const { return attributes_.size(); }
  // Every attribute, in no particular order.
  std::vector<const Attribute*> Attributes() const;

  // A schema with entity `id`'s schema facts replaced by `facts` (its
  // current datoms of :db/ident and the attribute-defining attributes; other
  // datoms are ignored). An entity with :db/valueType and :db/cardinality is
  // an attribute; with only :db/ident, an ident. A former ident stays an
  // alias for the entity (a renamed attribute still resolves by its old name)
  // until another entity takes it.
  // REQUIRES: the facts were validated (ValidateAttributeChange, src/tx);
  // the members named by :db/tupleAttrs are already in this schema.
  void Update(EntityId id, const std::vector<Datom>& facts);

 private:
  absl::flat_hash_map<EntityId, std::shared_ptr<const Attribute>> attributes_;
  absl::flat_hash_map<Value, EntityId, ValueHash> entids_;
  absl::flat_hash_map<EntityId, Value> idents_;
  absl::flat_hash_map<EntityId, std::vector<EntityId>> composites_;
};

// The :db/* attribute ids of the bootstrap schema. Fixed by code, like
// Datomic's: users name them by ident, never by number.
namespace sys {
inline constexpr EntityId kPartDb = 0;
inline constexpr EntityId kAdd = 1;
inline constexpr EntityId kRetract = 2;
inline constexpr EntityId kPartTx = 3;
inline constexpr EntityId kPartUser = 4;
inline constexpr EntityId kIdent = 10;
inline constexpr EntityId kInstallPartition = 11;
inline constexpr EntityId kInstallValueType = 12;
inline constexpr EntityId kInstallAttribute = 13;
inline constexpr EntityId kValueType = 40;
inline constexpr EntityId kCardinality = 41;
inline constexpr EntityId kUnique = 42;
inline constexpr EntityId kIsComponent = 43;
inline constexpr EntityId kIndex = 44;
inline constexpr EntityId kNoHistory = 45;
inline constexpr EntityId kTxInstant = 50;
inline constexpr EntityId kFulltext = 51;
inline constexpr EntityId kDoc = 62;
inline constexpr EntityId kTupleType = 63;
inline constexpr EntityId kTupleTypes = 64;
inline constexpr EntityId kTupleAttrs = 65;
inline constexpr EntityId kAttrPreds = 66;
inline constexpr EntityId kEnsure = 67;
inline constexpr EntityId kEntityAttrs = 68;
inline constexpr EntityId kEntityPreds = 69;
// Enum entities.
inline constexpr EntityId kCardinalityOne = 71;
inline constexpr EntityId kCardinalityMany = 72;
inline constexpr EntityId kUniqueValue = 73;
inline constexpr EntityId kUniqueIdentity = 74;
// A value type's entity is 20 + its ValueType number (20..36).
inline constexpr EntityId kFirstValueType = 20;
// The first counter a user transaction may take: below it, ids are the
// bootstrap's.
inline constexpr int64_t kFirstUserCounter = 1000;
}  // namespace sys

}  // namespace strata

#endif  // STRATA_DB_SCHEMA_H_
