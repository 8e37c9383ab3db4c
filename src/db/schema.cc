// Schema snapshots built from datoms.
#include "db/schema.h"

#include <algorithm>

namespace strata {
namespace {

constexpr ValueType kAttributeTypes[] = {
    ValueType::kKeyword, ValueType::kString, ValueType::kBoolean, ValueType::kLong,
    ValueType::kBigInt,  ValueType::kFloat,  ValueType::kDouble,  ValueType::kBigDec,
    ValueType::kInstant, ValueType::kUuid,   ValueType::kUri,     ValueType::kBytes,
    ValueType::kRef,     ValueType::kSymbol, ValueType::kTuple};

}  // namespace

std::optional<ValueType> ValueTypeFromIdent(const Value& ident) {
  if (!ident.is_keyword() || ident.Namespace() != "db.type") return std::nullopt;
  for (ValueType t : kAttributeTypes) {
    if (TypeName(t) == ident.Name()) return t;
  }
  return std::nullopt;
}

Value IdentOfValueType(ValueType type) { return Value::Keyword("db.type", TypeName(type)); }

std::vector<const Attribute*> Schema::Attributes() const {
  std::vector<const Attribute*> out;
  out.reserve(attributes_.size());
  for (const auto& [id, attr] : attributes_) out.push_back(attr.get());
  std::sort(out.begin(), out.end(),
            [](const Attribute* a, const Attribute* b) { return a->id < b->id; });
  return out;
}

void Schema::Update(EntityId id, const std::vector<Datom>& facts) {
  auto attr = std::make_shared<Attribute>();
  attr->id = id;
  bool has_type = false, has_cardinality = false;
  Value ident;
  for (const Datom& d : facts) {
    if (!d.added) continue;
    switch (d.a) {
      case sys::kIdent:
        ident = d.v;
        break;
      case sys::kValueType:
        if (d.v.is_integer()) {
          attr->type = static_cast<ValueType>(d.v.AsLong() - sys::kFirstValueType);
          has_type = true;
        }
        break;
      case sys::kCardinality:
        attr->many = d.v.is_integer() && d.v.AsLong() == sys::kCardinalityMany;
        has_cardinality = true;
        break;
      case sys::kUnique:
        if (d.v.is_integer()) {
          attr->unique = d.v.AsLong() == sys::kUniqueIdentity ? Unique::kIdentity : Unique::kValue;
        }
        break;
      case sys::kIsComponent:
        attr->is_component = d.v.is_boolean() && d.v.AsBoolean();
        break;
      case sys::kNoHistory:
        attr->no_history = d.v.is_boolean() && d.v.AsBoolean();
        break;
      case sys::kIndex:
        attr->index = d.v.is_boolean() && d.v.AsBoolean();
        break;
      case sys::kFulltext:
        attr->fulltext = d.v.is_boolean() && d.v.AsBoolean();
        break;
      case sys::kTupleType:
        if (d.v.is_integer()) {
          attr->tuple_type = static_cast<ValueType>(d.v.AsLong() - sys::kFirstValueType);
        }
        break;
      case sys::kTupleTypes:
        attr->tuple_types.clear();
        // A tuple of :db.type/... keywords.
        for (const Value& t : d.v.Items()) {
          attr->tuple_types.push_back(ValueTypeFromIdent(t).value_or(ValueType::kNil));
        }
        break;
      case sys::kTupleAttrs:
        // A tuple of attribute idents, resolved against this schema.
        attr->tuple_attrs.clear();
        for (const Value& a : d.v.Items()) {
          if (std::optional<EntityId> member = Entid(a)) attr->tuple_attrs.push_back(*member);
        }
        break;
      case sys::kAttrPreds:
        attr->preds.push_back(d.v);
        break;
      default:
        break;
    }
  }
  // Idents: a former name stays an alias until another entity takes it.
  if (!ident.is_nil()) {
    idents_[id] = ident;
    entids_[ident] = id;
  } else {
    idents_.erase(id);
  }
  // Composite index: drop this attribute from the lists it was in.
  if (const Attribute* old = Find(id)) {
    for (EntityId member : old->tuple_attrs) {
      auto& list = composites_[member];
      list.erase(std::remove(list.begin(), list.end(), id), list.end());
      if (list.empty()) composites_.erase(member);
    }
  }
  if (has_type && has_cardinality && !ident.is_nil()) {
    attr->ident = ident;
    std::sort(attr->preds.begin(), attr->preds.end());
    for (EntityId member : attr->tuple_attrs) composites_[member].push_back(id);
    attributes_[id] = std::move(attr);
  } else {
    attributes_.erase(id);
  }
}

}  // namespace strata
