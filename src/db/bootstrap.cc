// The bootstrap schema as datoms.
#include "db/bootstrap.h"

#include "db/schema.h"

namespace strata {
namespace {

struct SysAttribute {
  EntityId id;
  const char* ident;
  ValueType type;
  bool many;
  bool unique_identity;
  const char* doc;
};

// The attributes that define attributes, entities and transactions.
constexpr SysAttribute kSysAttributes[] = {
    {sys::kIdent, "db/ident", ValueType::kKeyword, false, true,
     "Attribute used to uniquely name an entity."},
    {sys::kInstallPartition, "db.install/partition", ValueType::kRef, true, false,
     "System attribute with type :db.type/ref. Asserting this attribute on :db.part/db with "
     "value e will install e as a partition."},
    {sys::kInstallValueType, "db.install/valueType", ValueType::kRef, true, false,
     "System attribute with type :db.type/ref. Asserting this attribute on :db.part/db with "
     "value e will install e as a value type."},
    {sys::kInstallAttribute, "db.install/attribute", ValueType::kRef, true, false,
     "System attribute with type :db.type/ref. Asserting this attribute on :db.part/db with "
     "value e will install e as an attribute."},
    {sys::kValueType, "db/valueType", ValueType::kRef, false, false,
     "Property of an attribute that specifies the attribute's value type."},
    {sys::kCardinality, "db/cardinality", ValueType::kRef, false, false,
     "Property of an attribute. Two possible values: :db.cardinality/one for single-valued "
     "attributes, and :db.cardinality/many for many-valued attributes."},
    {sys::kUnique, "db/unique", ValueType::kRef, false, false,
     "Property of an attribute. If value is :db.unique/value, then attribute value is unique "
     "to each entity. If value is :db.unique/identity, then attribute value is unique and "
     "upsert is enabled for the attribute."},
    {sys::kIsComponent, "db/isComponent", ValueType::kBoolean, false, false,
     "Property of attribute whose vtype is :db.type/ref. If true, then the attribute is a "
     "component of the entity referencing it."},
    {sys::kIndex, "db/index", ValueType::kBoolean, false, false,
     "Property of an attribute. Accepted for compatibility: every attribute is in AVET."},
    {sys::kNoHistory, "db/noHistory", ValueType::kBoolean, false, false,
     "Property of an attribute. If true, past values of the attribute are not retained."},
    {sys::kTxInstant, "db/txInstant", ValueType::kInstant, false, false,
     "Attribute whose value is the instant a transaction was committed."},
    {sys::kFulltext, "db/fulltext", ValueType::kBoolean, false, false,
     "Property of an attribute. If true, create a fulltext search index for the attribute."},
    {sys::kDoc, "db/doc", ValueType::kString, false, false, "Documentation string for an entity."},
    {sys::kTupleType, "db/tupleType", ValueType::kRef, false, false,
     "The value type of every element of a homogeneous tuple attribute."},
    {sys::kTupleTypes, "db/tupleTypes", ValueType::kTuple, false, false,
     "The value types of the elements of a heterogeneous tuple attribute."},
    {sys::kTupleAttrs, "db/tupleAttrs", ValueType::kTuple, false, false,
     "The attributes a composite tuple attribute is made of, in order."},
    {sys::kAttrPreds, "db.attr/preds", ValueType::kSymbol, true, false,
     "Qualified names of predicates every value of the attribute must satisfy."},
    {sys::kEnsure, "db/ensure", ValueType::kRef, true, false,
     "Entity specs an entity must satisfy at the end of the transaction."},
    {sys::kEntityAttrs, "db.entity/attrs", ValueType::kKeyword, true, false,
     "Attributes an entity spec requires."},
    {sys::kEntityPreds, "db.entity/preds", ValueType::kSymbol, true, false,
     "Qualified names of predicates of the database and an entity that an entity spec "
     "requires."},
};

constexpr ValueType kValueTypes[] = {ValueType::kKeyword, ValueType::kString, ValueType::kBoolean,
                                     ValueType::kLong,    ValueType::kBigInt, ValueType::kFloat,
                                     ValueType::kDouble,  ValueType::kBigDec, ValueType::kInstant,
                                     ValueType::kUuid,    ValueType::kUri,    ValueType::kBytes,
                                     ValueType::kRef,     ValueType::kSymbol, ValueType::kTuple};

}  // namespace

std::vector<Datom> BootstrapDatoms() {
  const EntityId tx = TxFromT(0);
  std::vector<Datom> out;
  auto add = [&](EntityId e, EntityId a, Value v) {
    out.push_back(Datom{e, a, std::move(v), tx, true});
  };
  auto ref = [](EntityId e) { return Value::Ref(e); };

  add(sys::kPartDb, sys::kIdent, Value::Keyword("db.part", "db"));
  add(sys::kPartTx, sys::kIdent, Value::Keyword("db.part", "tx"));
  add(sys::kPartUser, sys::kIdent, Value::Keyword("db.part", "user"));
  add(sys::kAdd, sys::kIdent, Value::Keyword("db", "add"));
  add(sys::kRetract, sys::kIdent, Value::Keyword("db", "retract"));
  for (EntityId part : {sys::kPartDb, sys::kPartTx, sys::kPartUser}) {
    add(sys::kPartDb, sys::kInstallPartition, ref(part));
  }
  for (ValueType t : kValueTypes) {
    EntityId e = sys::kFirstValueType + static_cast<EntityId>(t);
    add(e, sys::kIdent, IdentOfValueType(t));
    add(sys::kPartDb, sys::kInstallValueType, ref(e));
  }
  add(sys::kCardinalityOne, sys::kIdent, Value::Keyword("db.cardinality", "one"));
  add(sys::kCardinalityMany, sys::kIdent, Value::Keyword("db.cardinality", "many"));
  add(sys::kUniqueValue, sys::kIdent, Value::Keyword("db.unique", "value"));
  add(sys::kUniqueIdentity, sys::kIdent, Value::Keyword("db.unique", "identity"));
  for (const SysAttribute& a : kSysAttributes) {
    add(a.id, sys::kIdent, Value::Keyword(a.ident));
    add(a.id, sys::kValueType, ref(sys::kFirstValueType + static_cast<EntityId>(a.type)));
    add(a.id, sys::kCardinality, ref(a.many ? sys::kCardinalityMany : sys::kCardinalityOne));
    if (a.unique_identity) add(a.id, sys::kUnique, ref(sys::kUniqueIdentity));
    add(a.id, sys::kDoc, Value::String(a.doc));
    add(sys::kPartDb, sys::kInstallAttribute, ref(a.id));
  }
  // :db/tupleTypes holds :db.type/... keywords, :db/tupleAttrs attribute
  // idents (so a composite can name attributes installed beside it).
  for (EntityId a : {sys::kTupleTypes, sys::kTupleAttrs}) {
    add(a, sys::kTupleType, ref(sys::kFirstValueType + static_cast<EntityId>(ValueType::kKeyword)));
  }
  add(tx, sys::kTxInstant, Value::Instant(0));
  return out;
}

}  // namespace strata
