// Expansion: tx-data forms into operations.
//
// List forms (:db/add, :db/retract, :db/retractEntity, :db/cas, transaction
// functions) and map forms (with or without :db/id, nested maps, reverse
// attributes, collections for cardinality many) become Ops whose entities
// may still be tempids. Idents and lookup refs resolve here, against the
// database before the transaction; values are checked against their
// attribute's type.
#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include <span>

#include "core/utf8.h"
#include "strata/anomaly.h"
#include "strata/edn.h"
#include "strata/functions.h"
#include "tx/tx_internal.h"

namespace strata::internal {

std::string AttrName(const Schema& schema, EntityId a) {
  Value ident = schema.Ident(a);
  return ident.is_nil() ? std::to_string(a) : PrintEdn(ident);
}

namespace {

constexpr int kMaxTxFunctionDepth = 64;

Value Kw(std::string_view qualified) { return Value::Keyword(qualified); }

// :db/id, interned once: every map form looks it up.
const Value& DbIdKeyword() {
  static const Value kDbId = Value::Keyword("db/id");
  return kDbId;
}

// The anomaly for a value that is not of its attribute's type.
[[noreturn]] void ThrowWrongType(const Attribute& attr, const Value& v, const Value& form) {
  ThrowIncorrect("wrong-type-for-attribute",
                 fmt::format("Value {} is not a valid {} for attribute {}", PrintEdn(v),
                             PrintEdn(IdentOfValueType(attr.type)), PrintEdn(attr.ident)),
                 Value::Map({{Kw("attribute"), attr.ident},
                             {Kw("value"), v},
                             {Kw("expected"), IdentOfValueType(attr.type)},
                             {Kw("form"), form}}));
}

// Strings and URIs are text: bytes that are not UTF-8 (possible through
// the C++ API, never through EDN) are refused before they reach the log,
// which could not be read back.
void CheckText(const Attribute& attr, const Value& v, const Value& form) {
  bool text = v.is_string() || v.type() == ValueType::kUri;
  if (!text || IsUtf8(v.AsString())) return;
  ThrowIncorrect("invalid-string",
                 fmt::format("A string value of attribute {} is not valid UTF-8: strings hold "
                             "text; store binary data as :db.type/bytes",
                             PrintEdn(attr.ident)),
                 Value::Map({{Kw("attribute"), attr.ident}, {Kw("form"), form}}));
}

[[noreturn]] void BadForm(const Value& form, std::string_view what) {
  ThrowIncorrect("invalid-tx-data", fmt::format("{}: {}", what, PrintEdn(form)),
                 Value::Map({{Kw("form"), form}}));
}

bool IsTypeOk(ValueType type, const Value& v) {
  switch (type) {
    case ValueType::kLong:
      return v.is_integer();
    case ValueType::kTuple:
      return v.is_sequential();
    default:
      return v.type() == type;
  }
}

class Expander {
 public:
  Expander(const Database& db, EntityId tx) : db_(db), schema_(*db.state().schema), tx_(tx) {}

  Expansion Run(const Value& tx_data) {
    // About one op per map entry or list form: room for them at once.
    size_t estimate = 0;
    for (const Value& form : tx_data.Items()) estimate += form.is_map() ? form.Count() : 1;
    out_.ops.reserve(estimate);
    ExpandForms(tx_data, 0);
    return std::move(out_);
  }

 private:
  void ExpandForms(const Value& tx_data, int depth) {
    if (!tx_data.is_sequential()) {
      ThrowIncorrect(
          "invalid-tx-data",
          fmt::format("tx-data must be a vector or list of forms, not {}", PrintEdn(tx_data)));
    }
    for (const Value& form : tx_data.Items()) {
      if (form.is_map()) {
        ExpandMap(form, form);
      } else if (form.is_sequential()) {
        ExpandList(form, depth);
      } else {
        BadForm(form, "A tx-data form must be a map or a list such as [:db/add e a v]");
      }
    }
  }

  // ---- Entities ---------------------------------------------------------------

  // An entity identifier in an entity position.
  EntityRef ResolveEntity(const Value& id, const Value& form, bool allow_tempid = true) {
    EntityRef ref;
    if (id.is_string() || (id.is_integer() && id.AsLong() < 0)) {
      std::string number = id.is_string() ? std::string() : std::to_string(id.AsLong());
      std::string_view name = id.is_string() ? id.AsString() : std::string_view(number);
      if (name == "datomic.tx") {
        ref.id = tx_;
        out_.names_tx = true;
        return ref;
      }
      if (!allow_tempid)
        BadForm(form,
                fmt::format("Tempid {} cannot be used here: the entity must exist", PrintEdn(id)));
      ref.kind = EntityRef::Kind::kTempid;
      auto [slot, fresh] = tempid_slots_.try_emplace(std::string(name), out_.tempid_slots);
      if (fresh) NewSlot(name);
      ref.slot = slot->second;
      return ref;
    }
    if (id.is_integer()) {
      EntityId e = id.AsLong();
      if (e != tx_ && CounterOf(e) >= db_.next_t()) {
        ThrowIncorrect("invalid-entity-id",
                       fmt::format("Entity id {} was never allocated by this database: use a "
                                   "tempid to create an entity",
                                   e),
                       Value::Map({{Kw("entity"), id}, {Kw("form"), form}}));
      }
      ref.id = e;
      return ref;
    }
    if (id.is_keyword() || id.is_sequential()) {
      std::optional<EntityId> e = db_.Entid(id);
      if (!e) {
        ThrowNotFound("not-an-entity", fmt::format("Unable to resolve entity: {}", PrintEdn(id)),
                      Value::Map({{Kw("entity"), id}, {Kw("form"), form}}));
      }
      ref.id = *e;
      return ref;
    }
    BadForm(form, fmt::format("{} is not an entity identifier (an id, ident, lookup ref or tempid)",
                              PrintEdn(id)));
  }

  EntityRef NewGenerated() {
    EntityRef ref;
    ref.kind = EntityRef::Kind::kGenerated;
    ref.id = next_generated_++;
    ref.slot = NewSlot("");
    return ref;
  }

  int32_t NewSlot(std::string_view name) {
    out_.tempid_names.emplace_back(name);
    return out_.tempid_slots++;
  }

  const Attribute& ResolveAttribute(const Value& a, const Value& form) {
    std::optional<EntityId> id;
    if (a.is_keyword() || a.is_integer()) id = db_.Entid(a);
    const Attribute* attr = id ? schema_.Find(*id) : nullptr;
    if (attr == nullptr) {
      ThrowIncorrect("not-an-attribute",
                     fmt::format("{} is not an attribute: install it with :db/ident, "
                                 ":db/valueType and :db/cardinality before using it",
                                 PrintEdn(a)),
                     Value::Map({{Kw("attribute"), a}, {Kw("form"), form}}));
    }
    return *attr;
  }

  // ---- Values -------------------------------------------------------------------

  // An op on `attr` without its value yet; a ref attribute's value is an
  // EntityRef (v_ref), any other's a Value (v).
  static Op NewOp(bool added, const EntityRef& e, const Attribute& attr, const Value& form) {
    Op op;
    op.added = added;
    op.e = e;
    op.a = attr.id;
    op.v_is_ref = attr.is_ref();
    op.form = form;
    return op;
  }

  // Adds the op [added e a v], resolving a ref value (which may be a tempid).
  void AddOp(bool added, const EntityRef& e, const Attribute& attr, const Value& v,
             const Value& form) {
    if (v.is_nil()) {
      BadForm(form, fmt::format("nil is not a value of {}: retract the attribute instead",
                                PrintEdn(attr.ident)));
    }
    if (attr.is_composite()) {
      ThrowIncorrect("composite-tuple",
                     fmt::format("{} is a composite tuple of {}: Strata maintains it, assert "
                                 "its attributes instead",
                                 PrintEdn(attr.ident), attr.tuple_attrs.size()),
                     Value::Map({{Kw("attribute"), attr.ident}, {Kw("form"), form}}));
    }
    Op op = NewOp(added, e, attr, form);
    if (attr.is_ref()) {
      if (v.is_string() || (v.is_integer() && v.AsLong() < 0)) {
        op.v_ref = ResolveEntity(v, form, added);
      } else if (v.is_integer() || v.is_keyword() || v.is_sequential()) {
        op.v_ref = ResolveEntity(v, form);
      } else {
        WrongType(attr, v, form);
      }
    } else {
      op.v = CoerceValue(db_, attr, v, form);
    }
    if (attr.id == sys::kEnsure && added) {
      // :db/ensure is checked at the end, never stored.
      if (op.v_ref.is_tempid()) BadForm(form, ":db/ensure names an entity spec that must exist");
      out_.ensures.emplace_back(e, op.v_ref.id);
      return;
    }
    out_.ops.push_back(std::move(op));
  }

  [[noreturn]] static void WrongType(const Attribute& attr, const Value& v, const Value& form) {
    ThrowWrongType(attr, v, form);
  }

  // ---- Maps -----------------------------------------------------------------------

  // Expands an entity map; returns the entity it names.
  EntityRef ExpandMap(const Value& map, const Value& form) {
    const Value& db_id = DbIdKeyword();
    const Value* id = map.Get(db_id);
    EntityRef e = id != nullptr ? ResolveEntity(*id, form) : NewGenerated();
    std::span<const Value> entries = map.Items();  // k0 v0 k1 v1 ...
    for (size_t i = 0; i + 1 < entries.size(); i += 2) {
      const Value& key = entries[i];
      const Value& value = entries[i + 1];
      if (key == db_id) continue;
      if (!key.is_keyword()) {
        BadForm(form, fmt::format("Map keys are attributes; {} is not a keyword", PrintEdn(key)));
      }
      if (key.Name().starts_with('_') && !schema_.Entid(key)) {
        ExpandReverse(e, key, value, form);
        continue;
      }
      const Attribute& attr = ResolveAttribute(key, form);
      for (const Value& item : Elements(attr, value)) {
        if (item.is_map()) {
          AddRefOp(e, attr, NestedEntity(attr, item), form);
        } else {
          AddOp(true, e, attr, item, form);
        }
      }
    }
    return e;
  }

  // The values a map entry asserts: the elements of a collection for a
  // cardinality-many attribute (a tuple attribute's own vector is one
  // value), else the one value; views of `value`.
  static std::span<const Value> Elements(const Attribute& attr, const Value& value) {
    bool collection = attr.many && (value.is_set() || value.is_sequential()) &&
                      !(attr.type == ValueType::kTuple && value.is_sequential() &&
                        (value.Count() == 0 || !value.Items()[0].is_sequential()));
    if (collection) return value.Items();
    return {&value, 1};
  }

  // A nested map under a ref attribute: allowed under a component
  // attribute, or when it carries a unique attribute (it then upserts or
  // names one entity). Returns the nested entity.
  EntityRef NestedEntity(const Attribute& attr, const Value& nested) {
    if (!attr.is_ref()) WrongType(attr, nested, nested);
    bool unique = false;
    for (size_t i = 0; i < nested.Count() && !unique; ++i) {
      const Value& k = nested.MapKey(i);
      if (!k.is_keyword()) continue;
      std::optional<EntityId> id = schema_.Entid(k);
      const Attribute* a = id ? schema_.Find(*id) : nullptr;
      unique = a != nullptr && a->unique != Unique::kNone;
    }
    if (!attr.is_component && !unique) {
      ThrowIncorrect("invalid-nested-entity",
                     fmt::format("Nested entity map under {} must be a component (:db/isComponent) "
                                 "or carry a unique attribute: {}",
                                 PrintEdn(attr.ident), PrintEdn(nested)),
                     Value::Map({{Kw("attribute"), attr.ident}, {Kw("form"), nested}}));
    }
    return ExpandMap(nested, nested);
  }

  // [:db/add e attr ref] where the ref is an entity already resolved (or a
  // tempid).
  void AddRefOp(const EntityRef& e, const Attribute& attr, const EntityRef& ref,
                const Value& form) {
    Op op = NewOp(true, e, attr, form);
    op.v_ref = ref;
    out_.ops.push_back(std::move(op));
  }

  // :ns/_attr in a map: the map's entity is the value of ns/attr on each
  // entity listed.
  void ExpandReverse(const EntityRef& e, const Value& key, const Value& value, const Value& form) {
    Value forward = Value::Keyword(key.Namespace(), key.Name().substr(1));
    const Attribute& attr = ResolveAttribute(forward, form);
    if (!attr.is_ref()) {
      BadForm(form, fmt::format("{} is a reverse reference, but {} is not a ref attribute",
                                PrintEdn(key), PrintEdn(forward)));
    }
    std::vector<Value> sources;
    if (value.is_set() ||
        (value.is_sequential() && !(value.Count() == 2 && value.Items()[0].is_keyword()))) {
      sources.assign(value.Items().begin(), value.Items().end());
    } else {
      sources.push_back(value);
    }
    for (const Value& source : sources) {
      EntityRef owner = source.is_map() ? NestedEntity(attr, source) : ResolveEntity(source, form);
      AddRefOp(owner, attr, e, form);
    }
  }

  // ---- Lists ------------------------------------------------------------------------

  void ExpandList(const Value& form, int depth) {
    std::span<const Value> items = form.Items();
    if (items.empty()) BadForm(form, "An empty list is not a tx-data form");
    const Value& op = items[0];
    std::string_view name =
        op.is_keyword() || op.is_symbol() ? op.QualifiedName() : std::string_view();
    auto arity = [&](size_t n, std::string_view shape) {
      if (items.size() != n) BadForm(form, fmt::format("{} takes the form {}", name, shape));
    };
    if (name == "db/add" || name == "db/retract") {
      bool added = name == "db/add";
      if (!added && items.size() == 3) {
        RetractAll(items[1], items[2], form);
        return;
      }
      arity(4, added ? "[:db/add e a v]" : "[:db/retract e a v] or [:db/retract e a]");
      EntityRef e = ResolveEntity(items[1], form, added);
      const Attribute& attr = ResolveAttribute(items[2], form);
      if (items[3].is_map()) BadForm(form, "A nested map is allowed only in map forms");
      AddOp(added, e, attr, items[3], form);
      return;
    }
    if (name == "db/retractEntity" || name == "db.fn/retractEntity") {
      arity(2, "[:db/retractEntity e]");
      EntityRef e = ResolveEntity(items[1], form, /*allow_tempid=*/false);
      out_.retract_entities.emplace_back(e.id, form);
      return;
    }
    if (name == "db/cas" || name == "db.fn/cas") {
      arity(5, "[:db/cas e a old-value new-value]");
      Cas(items, form);
      return;
    }
    if (!name.empty()) {
      std::shared_ptr<const TxFunction> fn = FindTxFunction(name);
      if (fn) {
        if (depth >= kMaxTxFunctionDepth) {
          BadForm(form, fmt::format("Transaction functions nested deeper than {} calls",
                                    kMaxTxFunctionDepth));
        }
        std::vector<Value> args(items.begin() + 1, items.end());
        Value result;
        try {
          result = (*fn)(db_, args);
        } catch (const Anomaly&) {
          throw;  // the function cancelled the transaction
        } catch (const std::exception& e) {
          ThrowFault(fmt::format("Transaction function {} failed: {}", name, e.what()),
                     Value::Map({{Kw("form"), form}}));
        }
        ExpandForms(result, depth + 1);
        return;
      }
    }
    ThrowIncorrect("not-a-data-function",
                   fmt::format("{} is not a transaction operation: use :db/add, :db/retract, "
                               ":db/retractEntity, :db/cas or a registered transaction function",
                               PrintEdn(op)),
                   Value::Map({{Kw("form"), form}}));
  }

  // [:db/retract e a]: every current value of (e, a).
  void RetractAll(const Value& e_form, const Value& a_form, const Value& form) {
    EntityRef e = ResolveEntity(e_form, form, /*allow_tempid=*/false);
    const Attribute& attr = ResolveAttribute(a_form, form);
    DatomIterator it = db_.Datoms(Index::kEavt, {Value::Long(e.id), Value::Long(attr.id)});
    while (const Datom* d = it.Next()) {
      Op op = NewOp(false, e, attr, form);
      if (attr.is_ref()) {
        op.v_ref.id = d->v.AsLong();
      } else {
        op.v = d->v;
      }
      out_.ops.push_back(std::move(op));
    }
  }

  void Cas(std::span<const Value> items, const Value& form) {
    EntityRef e = ResolveEntity(items[1], form, /*allow_tempid=*/false);
    const Attribute& attr = ResolveAttribute(items[2], form);
    if (attr.many) {
      BadForm(form, fmt::format(":db/cas needs a cardinality-one attribute; {} is many",
                                PrintEdn(attr.ident)));
    }
    Value expected;
    if (!items[3].is_nil()) {
      expected = attr.is_ref() ? Value::Ref(ResolveEntity(items[3], form, false).id)
                               : CoerceValue(db_, attr, items[3], form);
    }
    Value found;
    DatomIterator it = db_.Datoms(Index::kEavt, {Value::Long(e.id), Value::Long(attr.id)});
    if (const Datom* d = it.Next()) found = d->v;
    if (!(found == expected)) {
      throw Anomaly(
          Category::kConflict,
          fmt::format("Compare failed: {} of {} is {}, not {}", PrintEdn(attr.ident), e.id,
                      PrintEdn(found), PrintEdn(expected)),
          Value::Keyword("db.error", "cas-failed"),
          Value::Map({{Kw("expected"), expected}, {Kw("found"), found}, {Kw("form"), form}}));
    }
    AddOp(true, e, attr, items[4], form);
  }

  const Database& db_;
  const Schema& schema_;
  EntityId tx_;
  Expansion out_;
  int64_t next_generated_ = 0;
  absl::flat_hash_map<std::string, int32_t> tempid_slots_;  // tempid -> slot
};

}  // namespace

Value CoerceValue(const Database& db, const Attribute& attr, const Value& v, const Value& form) {
  auto wrong = [&]() { ThrowWrongType(attr, v, form); };
  if (attr.type == ValueType::kFloat && v.is_double())
    return Value::Float(static_cast<float>(v.AsDouble()));
  if (attr.type == ValueType::kLong && v.is_integer()) return Value::Long(v.AsLong());
  if (attr.type == ValueType::kRef) {
    if (v.is_integer()) return Value::Ref(v.AsLong());
    std::optional<EntityId> e = db.Entid(v);
    if (!e) wrong();
    return Value::Ref(*e);
  }
  if (attr.type != ValueType::kTuple) {
    if (!IsTypeOk(attr.type, v)) wrong();
    CheckText(attr, v, form);
    return v;
  }
  // Tuples: 2 to 8 elements, each of its declared type or nil.
  if (!v.is_sequential() || v.Count() < 2 || v.Count() > 8) wrong();
  std::span<const Value> items = v.Items();
  if (!attr.tuple_types.empty() && items.size() != attr.tuple_types.size()) wrong();
  std::vector<Value> out;
  for (size_t i = 0; i < items.size(); ++i) {
    ValueType t = attr.tuple_type ? *attr.tuple_type : attr.tuple_types[i];
    const Value& item = items[i];
    if (item.is_nil()) {
      out.push_back(item);
    } else if (t == ValueType::kRef) {
      std::optional<EntityId> e =
          item.is_integer() ? std::optional<EntityId>(item.AsLong()) : db.Entid(item);
      if (!e) wrong();
      out.push_back(Value::Ref(*e));
    } else if (t == ValueType::kFloat && item.is_double()) {
      out.push_back(Value::Float(static_cast<float>(item.AsDouble())));
    } else if (IsTypeOk(t, item) && t != ValueType::kTuple) {
      CheckText(attr, item, form);
      out.push_back(item);
    } else {
      wrong();
    }
  }
  return Value::Tuple(std::move(out));
}

Expansion ExpandTxData(const Database& db, const Value& tx_data, EntityId tx) {
  return Expander(db, tx).Run(tx_data);
}

}  // namespace strata::internal
