// Datomic's rules for defining and altering attributes.
//
// Defining: :db/ident, :db/valueType and :db/cardinality are required;
// :db/unique only on cardinality one; :db/isComponent only on refs; a tuple
// has exactly one of :db/tupleType, :db/tupleTypes, :db/tupleAttrs (2 to 8
// elements; composite members are existing cardinality-one, non-tuple
// attributes). Altering: :db/valueType, :db/fulltext and the tuple
// definitions never change; many -> one only when no entity has two values;
// uniqueness only when the current values are unique. The bootstrap schema
// never changes.
#include <fmt/format.h>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "tx/tx_internal.h"

namespace strata::internal {

namespace {

[[noreturn]] void Invalid(std::string_view error, const Value& ident, std::string message) {
  ThrowIncorrect(error, std::move(message), Value::Map({{Value::Keyword("attribute"), ident}}));
}

bool IsValueTypeEntity(const Value& v, ValueType* type) {
  if (!v.is_integer()) return false;
  int64_t n = v.AsLong() - sys::kFirstValueType;
  if (n < 0 || n > static_cast<int64_t>(ValueType::kTuple)) return false;
  *type = static_cast<ValueType>(n);
  return !IdentOfValueType(*type).is_nil() && ValueTypeFromIdent(IdentOfValueType(*type));
}

}  // namespace

void ValidateAttributeChange(const Database& db_after, EntityId id, const Attribute* before,
                             const std::vector<Datom>& facts) {
  const Schema& schema = *db_after.state().schema;
  if (PartitionOf(id) == kPartDb && CounterOf(id) < sys::kFirstUserCounter) {
    ThrowIncorrect(
        "bootstrap-schema",
        fmt::format("{} belongs to the bootstrap schema, which cannot change",
                    PrintEdn(schema.Ident(id).is_nil() ? Value::Long(id) : schema.Ident(id))));
  }
  Value ident;
  const Value* value_type = nullptr;
  const Value* cardinality = nullptr;
  const Value* unique = nullptr;
  bool is_component = false, defines = false, fulltext = false;
  const Value* tuple_type = nullptr;
  const Value* tuple_types = nullptr;
  const Value* tuple_attrs = nullptr;
  for (const Datom& d : facts) {
    switch (d.a) {
      case sys::kIdent:
        ident = d.v;
        break;
      case sys::kValueType:
        value_type = &d.v;
        defines = true;
        break;
      case sys::kCardinality:
        cardinality = &d.v;
        defines = true;
        break;
      case sys::kUnique:
        unique = &d.v;
        defines = true;
        break;
      case sys::kIsComponent:
        is_component = d.v.AsBoolean();
        defines = true;
        break;
      case sys::kFulltext:
        fulltext = d.v.AsBoolean();
        defines = true;
        break;
      case sys::kTupleType:
        tuple_type = &d.v;
        defines = true;
        break;
      case sys::kTupleTypes:
        tuple_types = &d.v;
        defines = true;
        break;
      case sys::kTupleAttrs:
        tuple_attrs = &d.v;
        defines = true;
        break;
      case sys::kNoHistory:
      case sys::kIndex:
      case sys::kAttrPreds:
        defines = true;
        break;
      default:
        break;
    }
  }
  if (!defines && before == nullptr) return;  // an ident, not an attribute
  Value name = ident.is_nil() ? Value::Long(id) : ident;
  if (ident.is_nil() || value_type == nullptr || cardinality == nullptr) {
    Invalid("incomplete-attribute", name,
            fmt::format("Attribute {} needs :db/ident, :db/valueType and :db/cardinality",
                        PrintEdn(name)));
  }
  ValueType type;
  if (!IsValueTypeEntity(*value_type, &type)) {
    Invalid(
        "invalid-attribute", name,
        fmt::format("{}: :db/valueType must be one of the :db.type/... idents", PrintEdn(name)));
  }
  bool many = cardinality->is_integer() && cardinality->AsLong() == sys::kCardinalityMany;
  if (!cardinality->is_integer() || (cardinality->AsLong() != sys::kCardinalityOne && !many)) {
    Invalid("invalid-attribute", name,
            fmt::format("{}: :db/cardinality must be :db.cardinality/one or :db.cardinality/many",
                        PrintEdn(name)));
  }
  if (unique != nullptr) {
    if (!unique->is_integer() ||
        (unique->AsLong() != sys::kUniqueValue && unique->AsLong() != sys::kUniqueIdentity)) {
      Invalid("invalid-attribute", name,
              fmt::format("{}: :db/unique must be :db.unique/value or :db.unique/identity",
                          PrintEdn(name)));
    }
    if (many) {
      Invalid("invalid-attribute", name,
              fmt::format("{}: :db/unique is allowed only on cardinality one", PrintEdn(name)));
    }
  }
  if (is_component && type != ValueType::kRef) {
    Invalid("invalid-attribute", name,
            fmt::format("{}: :db/isComponent is allowed only on :db.type/ref", PrintEdn(name)));
  }
  // Tuples.
  int tuple_defs = (tuple_type != nullptr) + (tuple_types != nullptr) + (tuple_attrs != nullptr);
  if (type == ValueType::kTuple && tuple_defs != 1) {
    Invalid("invalid-tuple", name,
            fmt::format("{}: a :db.type/tuple attribute needs exactly one of :db/tupleType, "
                        ":db/tupleTypes and :db/tupleAttrs",
                        PrintEdn(name)));
  }
  if (type != ValueType::kTuple && tuple_defs != 0) {
    Invalid(
        "invalid-tuple", name,
        fmt::format("{}: :db/tupleType(s) and :db/tupleAttrs need :db.type/tuple", PrintEdn(name)));
  }
  auto scalar_type = [&](const Value& t, bool keyword) {
    ValueType vt;
    std::optional<ValueType> from_kw = keyword ? ValueTypeFromIdent(t) : std::nullopt;
    bool ok = keyword ? from_kw.has_value() : IsValueTypeEntity(t, &vt);
    if (keyword && ok) vt = *from_kw;
    if (!ok || vt == ValueType::kTuple) {
      Invalid("invalid-tuple", name,
              fmt::format("{}: {} is not a scalar value type for a tuple element", PrintEdn(name),
                          PrintEdn(t)));
    }
  };
  if (tuple_type != nullptr) scalar_type(*tuple_type, false);
  if (tuple_types != nullptr) {
    if (tuple_types->Count() < 2 || tuple_types->Count() > 8) {
      Invalid("invalid-tuple", name,
              fmt::format("{}: :db/tupleTypes needs 2 to 8 types", PrintEdn(name)));
    }
    for (const Value& t : tuple_types->Items()) scalar_type(t, true);
  }
  if (tuple_attrs != nullptr) {
    if (tuple_attrs->Count() < 2 || tuple_attrs->Count() > 8) {
      Invalid("invalid-tuple", name,
              fmt::format("{}: :db/tupleAttrs needs 2 to 8 attributes", PrintEdn(name)));
    }
    if (many) {
      Invalid("invalid-tuple", name,
              fmt::format("{}: a composite tuple must be cardinality one", PrintEdn(name)));
    }
    for (const Value& a : tuple_attrs->Items()) {
      std::optional<EntityId> member_id = a.is_keyword() ? schema.Entid(a) : std::nullopt;
      const Attribute* member = member_id ? schema.Find(*member_id) : nullptr;
      if (member == nullptr || member->many || member->type == ValueType::kTuple) {
        Invalid("invalid-tuple", name,
                fmt::format("{}: every :db/tupleAttrs member must be an existing cardinality-one, "
                            "non-tuple attribute; {} is not",
                            PrintEdn(name), PrintEdn(a)));
      }
    }
  }
  if (before == nullptr) return;
  // Alteration.
  auto never = [&](bool changed, std::string_view what) {
    if (changed) {
      Invalid("invalid-alter-attribute", name,
              fmt::format("{}: {} can never be altered", PrintEdn(name), what));
    }
  };
  never(type != before->type, ":db/valueType");
  never(fulltext != before->fulltext, ":db/fulltext");
  never((tuple_type != nullptr) != before->tuple_type.has_value(), ":db/tupleType");
  never((tuple_types != nullptr) != !before->tuple_types.empty(), ":db/tupleTypes");
  never((tuple_attrs != nullptr) != !before->tuple_attrs.empty(), ":db/tupleAttrs");
  if (tuple_attrs != nullptr) {
    std::vector<EntityId> now;
    for (const Value& a : tuple_attrs->Items()) now.push_back(schema.Entid(a).value_or(-1));
    never(now != before->tuple_attrs, ":db/tupleAttrs");
  }
  if (tuple_types != nullptr) {
    std::vector<ValueType> now;
    for (const Value& t : tuple_types->Items()) now.push_back(*ValueTypeFromIdent(t));
    never(now != before->tuple_types, ":db/tupleTypes");
  }
  if (tuple_type != nullptr) {
    ValueType now;
    IsValueTypeEntity(*tuple_type, &now);
    never(before->tuple_type != now, ":db/tupleType");
  }
  if (before->many && !many) {
    // Many -> one: no entity may hold two values.
    DatomIterator it = db_after.Datoms(Index::kAevt, {Value::Long(id)});
    EntityId last = -1;
    while (const Datom* d = it.Next()) {
      if (d->e == last) {
        Invalid("invalid-alter-attribute", name,
                fmt::format("{} cannot become cardinality one: entity {} has more than one value",
                            PrintEdn(name), d->e));
      }
      last = d->e;
    }
  }
  if (unique != nullptr && (before->unique == Unique::kNone)) {
    // Adding uniqueness: the values must already be unique.
    DatomIterator it = db_after.Datoms(Index::kAvet, {Value::Long(id)});
    std::optional<Value> last;
    while (const Datom* d = it.Next()) {
      if (last && *last == d->v) {
        Invalid("invalid-alter-attribute", name,
                fmt::format("{} cannot become unique: value {} is held by more than one entity",
                            PrintEdn(name), PrintEdn(d->v)));
      }
      last = d->v;
    }
  }
}

}  // namespace strata::internal
