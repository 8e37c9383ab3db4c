// The transaction pipeline after expansion: tempid resolution (with upsert),
// retractEntity, Datomic's datom semantics, validation, the new state.
#include "tx/transaction.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "strata/functions.h"
#include "tx/tx_internal.h"

namespace strata::internal {
namespace {

Value Kw(std::string_view qualified) { return Value::Keyword(qualified); }

// Unique conflicts are category conflict, as Datomic reports them.
[[noreturn]] void ThrowUniqueConflictAnomaly(std::string message, Value data) {
  throw Anomaly(Category::kConflict, std::move(message),
                Value::Keyword("db.error", "unique-conflict"), std::move(data));
}

// A fact (e, a, v) as a hashable key, its value viewed (it must outlive
// the key).
struct FactRef {
  EntityId e;
  EntityId a;
  const Value* v;
  friend bool operator==(const FactRef& x, const FactRef& y) {
    return x.e == y.e && x.a == y.a && *x.v == *y.v;
  }
  template <typename H>
  friend H AbslHashValue(H h, const FactRef& k) {
    return H::combine(std::move(h), k.e, k.a, k.v->Hash());
  }
};

// A fact (e, a, v) as a hashable key.
struct FactKey {
  EntityId e;
  EntityId a;
  Value v;
  friend bool operator==(const FactKey&, const FactKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const FactKey& k) {
    return H::combine(std::move(h), k.e, k.a, k.v.Hash());
  }
};

class Transaction {
 public:
  Transaction(const Database& db, int64_t now_ms)
      : db_(db), state_(db.state()), schema_(*state_.schema), now_ms_(now_ms) {
    t_ = state_.next_counter;
    tx_ = TxFromT(t_);
    next_counter_ = t_ + 1;
  }

  TxResult Run(const Value& tx_data) {
    Expansion expansion = ExpandTxData(db_, tx_data, tx_);
    tempid_names_ = &expansion.tempid_names;
    ResolveTempids(&expansion);
    std::vector<Datom> ops = Concrete(&expansion);
    for (const auto& target : expansion.retract_entities) RetractEntity(target.first, &ops);
    std::vector<Datom> datoms = Apply(&ops);
    AddComposites(&datoms);
    CheckUnique(datoms);
    AddTxInstant(&datoms);
    CheckAttributePredicates(datoms);
    return Commit(std::move(datoms), expansion);
  }

 private:
  // ---- Tempids --------------------------------------------------------------------

  // Upsert: a tempid asserting a :db.unique/identity value some entity
  // already has becomes that entity, also when the value is itself a tempid
  // that upserts; repeat until nothing changes.
  void ResolveTempids(Expansion* x) {
    const auto slots = static_cast<size_t>(x->tempid_slots);
    resolved_.assign(slots, kUnresolved);
    parent_.assign(slots, -1);
    bool changed = true;
    while (changed) {
      changed = false;
      for (const Op& op : x->ops) {
        if (!op.added || !op.e.is_tempid()) continue;
        const Attribute* attr = schema_.Find(op.a);
        if (attr == nullptr || attr->unique != Unique::kIdentity) continue;
        std::optional<Value> v = CurrentValueOf(op);
        if (!v) continue;
        std::optional<EntityId> existing = FindUnique(attr->id, *v);
        if (!existing) {
          unique_claims_[FactKey{0, attr->id, std::move(*v)}].unheld = true;
          continue;
        }
        EntityId& resolved = resolved_[op.e.slot];
        if (resolved == kUnresolved) {
          resolved = *existing;
          if (op.e.kind == EntityRef::Kind::kTempid) tempids_.emplace_back(Name(op.e), *existing);
          changed = true;
        } else if (resolved != *existing) {
          ThrowConflictingUpsert(op, resolved, *existing);
        }
      }
    }
    // Tempids claiming one new :db.unique/identity value are one entity
    // (tx-data is a set of facts); union them before allocating.
    absl::flat_hash_map<FactKey, int32_t> claims;  // (0, a, v) -> first claimant's slot
    for (const Op& op : x->ops) {
      if (!op.added || !op.e.is_tempid() || resolved_[op.e.slot] != kUnresolved) continue;
      const Attribute* attr = schema_.Find(op.a);
      if (attr == nullptr || attr->unique != Unique::kIdentity) continue;
      std::optional<Value> v = CurrentValueOf(op);
      if (!v) continue;
      auto [it, fresh] = claims.emplace(FactKey{0, op.a, *v}, op.e.slot);
      if (!fresh) Union(it->second, op.e.slot);
    }
    // Every other tempid that names an entity gets a new id, in order of
    // first appearance.
    schema_tempids_.assign(slots, false);
    for (const Op& op : x->ops) {
      if (op.e.is_tempid() && op.a == sys::kValueType) schema_tempids_[op.e.slot] = true;
    }
    for (const Op& op : x->ops) {
      if (op.e.is_tempid()) Allocate(op.e);
    }
    for (const auto& [e, spec] : x->ensures) {
      if (e.is_tempid() && resolved_[e.slot] == kUnresolved) {
        ThrowTempidOnlyValue(e, Value());
      }
    }
  }

  // An op's value, if it is known (not an unresolved tempid).
  std::optional<Value> CurrentValueOf(const Op& op) const {
    if (!op.v_is_ref) return op.v;
    if (!op.v_ref.is_tempid()) return Value::Ref(op.v_ref.id);
    EntityId resolved = resolved_[op.v_ref.slot];
    if (resolved == kUnresolved) return std::nullopt;
    return Value::Ref(resolved);
  }

  // The entity holding unique value v of attribute a, if any. Without a
  // durable index the memory index's current part is the database (as
  // OpenCurrent reads it), so it is asked directly.
  std::optional<EntityId> FindUnique(EntityId a, const Value& v) const {
    if (!state_.durable) {
      const Datom* d =
          state_.index.First(Index::kAvet, Part::kCurrent, DatomKey{Datom{0, a, v}, 2});
      if (d == nullptr) return std::nullopt;
      return d->e;
    }
    DatomIterator it = db_.Datoms(Index::kAvet, {Value::Long(a), v});
    if (const Datom* d = it.Next()) return d->e;
    return std::nullopt;
  }

  // A new id for a tempid: attributes (entities given a :db/valueType) in
  // :db.part/db as Datomic installs them, everything else in :db.part/user.
  void Allocate(const EntityRef& ref) {
    const int32_t slot = ref.slot;
    if (resolved_[slot] != kUnresolved) return;
    const int32_t root = Find(slot);
    EntityId id = resolved_[root];
    if (id == kUnresolved) {
      int64_t partition = schema_tempids_[slot] ? kPartDb : kPartUser;
      id = MakeEntityId(partition, next_counter_++);
      resolved_[root] = id;
    }
    resolved_[slot] = id;
    if (ref.kind == EntityRef::Kind::kTempid) tempids_.emplace_back(Name(ref), id);
  }

  // Union-find over tempids (slots) that must be one entity.
  int32_t Find(int32_t slot) {
    int32_t parent = parent_[slot];
    if (parent < 0) return slot;
    int32_t root = Find(parent);
    parent_[slot] = root;
    return root;
  }
  void Union(int32_t a, int32_t b) {
    int32_t ra = Find(a), rb = Find(b);
    if (ra != rb) parent_[rb] = ra;
  }

  EntityId Resolve(const EntityRef& ref, const Value& form) const {
    if (!ref.is_tempid()) return ref.id;
    EntityId resolved = resolved_[ref.slot];
    if (resolved == kUnresolved) ThrowTempidOnlyValue(ref, form);
    return resolved;
  }

  // A tempid's name from the tx-data.
  const std::string& Name(const EntityRef& ref) const { return (*tempid_names_)[ref.slot]; }

  [[noreturn]] void ThrowTempidOnlyValue(const EntityRef& ref, const Value& form) const {
    ThrowIncorrect("tempid-not-an-entity",
                   fmt::format("Tempid \"{}\" is used only as a value: give it at least one "
                               "attribute, or use an existing entity",
                               Name(ref)),
                   Value::Map({{Kw("tempid"), Value::String(Name(ref))}, {Kw("form"), form}}));
  }

  [[noreturn]] void ThrowConflictingUpsert(const Op& op, EntityId first, EntityId second) const {
    ThrowUniqueConflictAnomaly(
        fmt::format("Tempid {} upserts to two entities, {} and {}, through {}",
                    op.e.kind == EntityRef::Kind::kTempid ? "\"" + Name(op.e) + "\""
                                                          : std::string("of a map"),
                    first, second, AttrName(schema_, op.a)),
        Value::Map({{Kw("entities"), Value::Vector({Value::Long(first), Value::Long(second)})},
                    {Kw("form"), op.form}}));
  }

  // The ops with every entity resolved (their values moved out).
  std::vector<Datom> Concrete(Expansion* x) {
    std::vector<Datom> out;
    out.reserve(x->ops.size());
    for (Op& op : x->ops) {
      Datom d;
      d.e = Resolve(op.e, op.form);
      d.a = op.a;
      d.v = op.v_is_ref ? Value::Ref(Resolve(op.v_ref, op.form)) : std::move(op.v);
      d.tx = tx_;
      d.added = op.added;
      out.push_back(std::move(d));
    }
    for (const auto& [e, spec] : x->ensures) ensures_.emplace_back(Resolve(e, Value()), spec);
    return out;
  }

  // ---- retractEntity ---------------------------------------------------------------

  // Every current datom of the entity, every reference to it, and its
  // components, recursively.
  void RetractEntity(EntityId e, std::vector<Datom>* ops) {
    absl::flat_hash_set<EntityId> visited;
    std::vector<EntityId> pending = {e};
    while (!pending.empty()) {
      EntityId cur = pending.back();
      pending.pop_back();
      if (!visited.insert(cur).second) continue;
      DatomIterator own = db_.Datoms(Index::kEavt, {Value::Long(cur)});
      while (const Datom* d = own.Next()) {
        ops->push_back(Datom{d->e, d->a, d->v, tx_, false});
        const Attribute* attr = schema_.Find(d->a);
        if (attr != nullptr && attr->is_component) pending.push_back(d->v.AsLong());
      }
      DatomIterator refs = db_.Datoms(Index::kVaet, {Value::Long(cur)});
      while (const Datom* d = refs.Next()) {
        ops->push_back(Datom{d->e, d->a, d->v, tx_, false});
      }
    }
  }

  // ---- Semantics -------------------------------------------------------------------

  bool IsCurrent(EntityId e, EntityId a, const Value& v) const {
    if (!state_.durable) return state_.index.FindCurrent(e, a, v) != nullptr;
    // Through the read interface, so every source of the index counts.
    return db_.Datoms(Index::kEavt, {Value::Long(e), Value::Long(a), v}).Next() != nullptr;
  }

  [[noreturn]] void ThrowDatomsConflict(const Datom& d1, const Datom& d2) const {
    auto show = [&](const Datom& d) {
      return Value::Vector(
          {Value::Long(d.e), schema_.Ident(d.a), d.v, Value::Long(d.tx), Value::Boolean(d.added)});
    };
    ThrowIncorrect("datoms-conflict",
                   fmt::format("Two datoms in the same transaction conflict: {} and {}",
                               PrintEdn(show(d1)), PrintEdn(show(d2))),
                   Value::Map({{Kw("d1"), show(d1)}, {Kw("d2"), show(d2)}}));
  }

  // Datomic's semantics over the resolved ops, whatever their order: drop
  // duplicates and redundant datoms, reject conflicting pairs, and retract
  // the replaced value of a cardinality-one attribute. The datoms kept are
  // moved out of *ops.
  std::vector<Datom> Apply(std::vector<Datom>* ops_in) {
    std::vector<Datom>& ops = *ops_in;
    // Without retractions, an assertion of a cardinality-one attribute
    // needs no fact key: another assertion of its (e, a) is the same op
    // again (the same value) or a conflict.
    const bool retracts =
        std::any_of(ops.begin(), ops.end(), [](const Datom& d) { return !d.added; });
    absl::flat_hash_map<FactRef, size_t> seen;  // fact -> index in ops
    std::vector<size_t> order;
    order.reserve(ops.size());
    // (e, a) of cardinality one -> the asserted op.
    absl::flat_hash_map<std::pair<EntityId, EntityId>, size_t> card_one;
    card_one.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      const Datom& d = ops[i];
      const Attribute* attr = schema_.Find(d.a);
      const bool one = d.added && attr != nullptr && !attr->many;
      if (one && !retracts) {
        auto [c, fresh] = card_one.emplace(std::make_pair(d.e, d.a), i);
        if (!fresh) {
          if (!(ops[c->second].v == d.v)) ThrowDatomsConflict(ops[c->second], d);
          continue;  // the same op twice
        }
        order.push_back(i);
        continue;
      }
      auto [it, inserted] = seen.emplace(FactRef{d.e, d.a, &d.v}, i);
      if (!inserted) {
        if (ops[it->second].added != d.added) ThrowDatomsConflict(ops[it->second], d);
        continue;  // the same op twice
      }
      order.push_back(i);
      if (one) {
        auto [c, fresh] = card_one.emplace(std::make_pair(d.e, d.a), i);
        if (!fresh) ThrowDatomsConflict(ops[c->second], d);
      }
    }
    // An entity this transaction creates has no datoms yet: none of its
    // facts is current, none redundant, none replaced.
    std::vector<Datom> out;
    out.reserve(order.size() + 1);  // and :db/txInstant's
    absl::flat_hash_set<FactKey> retracted;
    for (size_t i : order) {
      Datom& d = ops[i];
      if (!d.added && !IsNew(d.e)) {
        if (IsCurrent(d.e, d.a, d.v)) {
          retracted.insert(FactKey{d.e, d.a, d.v});
          out.push_back(std::move(d));
        }
      }
    }
    for (size_t i : order) {
      Datom& d = ops[i];
      if (!d.added) continue;
      if (!IsNew(d.e)) {
        if (IsCurrent(d.e, d.a, d.v)) continue;  // redundant
        const Attribute* attr = schema_.Find(d.a);
        if (attr != nullptr && !attr->many) {
          // The value it replaces is retracted in this transaction.
          DatomIterator it = db_.Datoms(Index::kEavt, {Value::Long(d.e), Value::Long(d.a)});
          while (const Datom* old = it.Next()) {
            if (old->v == d.v) continue;
            if (retracted.insert(FactKey{old->e, old->a, old->v}).second) {
              out.push_back(Datom{old->e, old->a, old->v, tx_, false});
            }
          }
        }
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  // Whether this transaction created e (Allocate). Every entity the
  // database holds has a counter below t_, its next counter (ResolveEntity
  // refuses any id past it), and Allocate counts up from t_ + 1.
  bool IsNew(EntityId e) const { return CounterOf(e) > t_; }

  // Composite tuples: every entity whose tuple attributes change gets its
  // composite recomputed from its values after the transaction.
  void AddComposites(std::vector<Datom>* datoms) {
    std::map<std::pair<EntityId, EntityId>, bool> todo;  // (e, composite)
    for (const Datom& d : *datoms) {
      if (const std::vector<EntityId>* composites = schema_.CompositesOf(d.a)) {
        for (EntityId c : *composites) todo[{d.e, c}] = true;
      }
    }
    for (const auto& [key, unused] : todo) {
      auto [e, c] = key;
      const Attribute* composite = schema_.Find(c);
      std::vector<Value> items;
      bool any = false;
      for (EntityId member : composite->tuple_attrs) {
        Value v = ValueAfter(*datoms, e, member);
        any = any || !v.is_nil();
        items.push_back(std::move(v));
      }
      Value tuple = any ? Value::Tuple(std::move(items)) : Value();
      // The composite as the transaction leaves it so far (retractEntity
      // may already retract it).
      Value old = ValueAfter(*datoms, e, c);
      if (old == tuple) continue;
      if (!old.is_nil()) datoms->push_back(Datom{e, c, old, tx_, false});
      if (!tuple.is_nil()) datoms->push_back(Datom{e, c, tuple, tx_, true});
    }
  }

  // The cardinality-one value of (e, a) after `datoms`, or nil.
  Value ValueAfter(const std::vector<Datom>& datoms, EntityId e, EntityId a) const {
    Value v;
    DatomIterator it = db_.Datoms(Index::kEavt, {Value::Long(e), Value::Long(a)});
    if (const Datom* d = it.Next()) v = d->v;
    for (const Datom& d : datoms) {
      if (d.e != e || d.a != a) continue;
      if (d.added) {
        v = d.v;
      } else if (v == d.v) {
        v = Value();
      }
    }
    return v;
  }

  // :db.unique/value and :db.unique/identity: no two entities hold one
  // value, counting the transaction's own assertions and retractions.
  void CheckUnique(const std::vector<Datom>& datoms) {
    absl::flat_hash_set<FactKey> retracted;
    for (const Datom& d : datoms) {
      if (!d.added) retracted.insert(FactKey{d.e, d.a, d.v});
    }
    for (const Datom& d : datoms) {
      if (!d.added) continue;
      const Attribute* attr = schema_.Find(d.a);
      if (attr == nullptr || attr->unique == Unique::kNone) continue;
      UniqueClaim& claim = unique_claims_[FactKey{0, d.a, d.v}];
      if (claim.claimant == nullptr) {
        claim.claimant = &d;
      } else if (claim.claimant->e != d.e) {
        ThrowUniqueConflict(d, claim.claimant->e);
      }
      if (claim.unheld) continue;  // no holder to find
      DatomIterator holders = db_.Datoms(Index::kAvet, {Value::Long(d.a), d.v});
      while (const Datom* h = holders.Next()) {
        if (h->e != d.e && !retracted.contains(FactKey{h->e, h->a, h->v})) {
          ThrowUniqueConflict(d, h->e);
        }
      }
    }
  }

  [[noreturn]] void ThrowUniqueConflict(const Datom& d, EntityId holder) const {
    ThrowUniqueConflictAnomaly(
        fmt::format("Unique conflict: {}, value: {} already held by: {} asserted for: {}",
                    AttrName(schema_, d.a), PrintEdn(d.v), holder, d.e),
        Value::Map({{Kw("attribute"), schema_.Ident(d.a)},
                    {Kw("value"), d.v},
                    {Kw("entities"), Value::Vector({Value::Long(holder), Value::Long(d.e)})}}));
  }

  // :db/txInstant: now, or the transaction's own, never before the last.
  void AddTxInstant(std::vector<Datom>* datoms) {
    for (const Datom& d : *datoms) {
      if (d.a != sys::kTxInstant) continue;
      if (d.e != tx_ || !d.added) {
        ThrowIncorrect("invalid-tx-instant",
                       ":db/txInstant can be asserted only on the transaction itself "
                       "(\"datomic.tx\"), and never retracted");
      }
      if (d.v.AsInstant() < state_.last_tx_instant) {
        ThrowIncorrect(
            "past-tx-instant",
            fmt::format("Time conflict: {} is older than the database's last "
                        "transaction at {}",
                        PrintEdn(d.v), PrintEdn(Value::Instant(state_.last_tx_instant))));
      }
      tx_instant_ = d.v.AsInstant();
      return;
    }
    tx_instant_ = std::max(now_ms_, state_.last_tx_instant);
    datoms->push_back(Datom{tx_, sys::kTxInstant, Value::Instant(tx_instant_), tx_, true});
  }

  void CheckAttributePredicates(const std::vector<Datom>& datoms) const {
    for (const Datom& d : datoms) {
      if (!d.added) continue;
      const Attribute* attr = schema_.Find(d.a);
      if (attr == nullptr || attr->preds.empty()) continue;
      for (const Value& pred : attr->preds) {
        std::shared_ptr<const AttributePredicate> fn = FindAttributePredicate(pred.QualifiedName());
        if (!fn) {
          ThrowIncorrect("attr-pred-missing",
                         fmt::format("Attribute predicate {} of {} is not registered: register "
                                     "it with RegisterAttributePredicate",
                                     PrintEdn(pred), AttrName(schema_, d.a)));
        }
        if (!(*fn)(d.v)) {
          ThrowIncorrect("attr-pred",
                         fmt::format("Value {} of {} fails predicate {}", PrintEdn(d.v),
                                     AttrName(schema_, d.a), PrintEdn(pred)),
                         Value::Map({{Kw("attribute"), attr->ident},
                                     {Kw("value"), d.v},
                                     {Kw("pred"), pred},
                                     {Kw("entity"), Value::Long(d.e)}}));
        }
      }
    }
  }

  // ---- Commit ----------------------------------------------------------------------

  TxResult Commit(std::vector<Datom> datoms, const Expansion& expansion) {
    std::shared_ptr<DbState> next = ApplyDatoms(state_, t_, datoms);
    next->next_counter = next_counter_;
    // Schema changes: each changed attribute's facts after, against Datomic's
    // rules (the state is dropped if any fails).
    Database after(next);
    std::vector<EntityId> changed;
    for (const Datom& d : datoms) {
      if (IsSchemaFact(d.a) && std::find(changed.begin(), changed.end(), d.e) == changed.end()) {
        changed.push_back(d.e);
      }
    }
    for (EntityId e : changed) {
      std::vector<Datom> facts;
      DatomIterator it = after.Datoms(Index::kEavt, {Value::Long(e)});
      while (const Datom* d = it.Next()) facts.push_back(*d);
      ValidateAttributeChange(after, e, schema_.Find(e), facts);
    }
    CheckEnsures(after);
    if (expansion.names_tx) tempids_.emplace_back("datomic.tx", tx_);
    TxResult result;
    result.state = std::move(next);
    result.tx_data = std::move(datoms);
    result.tempids = std::move(tempids_);
    return result;
  }

  // Entity specs: required attributes present, predicates true, in the
  // database after the transaction.
  void CheckEnsures(const Database& after) const {
    for (const auto& [e, spec] : ensures_) {
      if (after.Datoms(Index::kEavt, {Value::Long(spec), Value::Long(sys::kEntityAttrs)}).Next() ==
              nullptr &&
          after.Datoms(Index::kEavt, {Value::Long(spec), Value::Long(sys::kEntityPreds)}).Next() ==
              nullptr) {
        ThrowIncorrect(
            "not-an-entity-spec",
            fmt::format(
                "{} is not an entity spec: :db/ensure needs an entity with "
                ":db.entity/attrs or :db.entity/preds",
                PrintEdn(after.Ident(spec).is_nil() ? Value::Long(spec) : after.Ident(spec))),
            Value::Map({{Kw("entity"), Value::Long(e)}, {Kw("spec"), Value::Long(spec)}}));
      }
      DatomIterator attrs =
          after.Datoms(Index::kEavt, {Value::Long(spec), Value::Long(sys::kEntityAttrs)});
      while (const Datom* d = attrs.Next()) {
        std::optional<EntityId> a = after.Entid(d->v);
        if (!a || after.Datoms(Index::kEavt, {Value::Long(e), Value::Long(*a)}).Next() == nullptr) {
          ThrowIncorrect("entity-attrs",
                         fmt::format("Entity {} is missing {}, required by the entity spec {}", e,
                                     PrintEdn(d->v), PrintEdn(after.Ident(spec))),
                         Value::Map({{Kw("entity"), Value::Long(e)}, {Kw("attribute"), d->v}}));
        }
      }
      DatomIterator preds =
          after.Datoms(Index::kEavt, {Value::Long(spec), Value::Long(sys::kEntityPreds)});
      while (const Datom* d = preds.Next()) {
        std::shared_ptr<const EntityPredicate> fn = FindEntityPredicate(d->v.QualifiedName());
        if (!fn) {
          ThrowIncorrect("entity-pred-missing",
                         fmt::format("Entity predicate {} is not registered: register it with "
                                     "RegisterEntityPredicate",
                                     PrintEdn(d->v)));
        }
        if (!(*fn)(after, e)) {
          ThrowIncorrect("entity-pred",
                         fmt::format("Entity {} fails predicate {} of the entity spec {}", e,
                                     PrintEdn(d->v), PrintEdn(after.Ident(spec))),
                         Value::Map({{Kw("entity"), Value::Long(e)}, {Kw("pred"), d->v}}));
        }
      }
    }
  }

  const Database& db_;
  const DbState& state_;
  const Schema& schema_;
  int64_t now_ms_;
  int64_t t_;
  EntityId tx_;
  int64_t next_counter_;
  int64_t tx_instant_ = 0;
  // Per tempid slot (EntityRef::slot): its entity, or kUnresolved; its
  // parent in the union-find, or -1 for a root; whether it names an
  // attribute.
  static constexpr EntityId kUnresolved = -1;
  std::vector<EntityId> resolved_;
  std::vector<int32_t> parent_;
  std::vector<bool> schema_tempids_;
  const std::vector<std::string>* tempid_names_ = nullptr;  // the expansion's
  std::vector<std::pair<std::string, EntityId>> tempids_;
  std::vector<std::pair<EntityId, EntityId>> ensures_;
  // Per value (0, a, v) of a unique attribute: the first datom of the
  // transaction asserting it, and whether upsert resolution found that no
  // entity held it before the transaction.
  struct UniqueClaim {
    const Datom* claimant = nullptr;
    bool unheld = false;
  };
  absl::flat_hash_map<FactKey, UniqueClaim> unique_claims_;
};

}  // namespace

TxResult RunTransaction(const Database& db, const Value& tx_data, int64_t now_ms) {
  if (db.as_of_t() || db.since_t() || db.is_history() || db.filter()) {
    ThrowIncorrect("transact-on-view",
                   "A transaction runs against the database as it is now, not an as-of, since, "
                   "history or filtered view");
  }
  return Transaction(db, now_ms).Run(tx_data);
}

}  // namespace strata::internal

namespace strata {

TxReport Database::With(const Value& tx_data) const {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  internal::TxResult result = internal::RunTransaction(*this, tx_data, now);
  return TxReport{*this, Database(result.state), std::move(result.tx_data),
                  std::move(result.tempids)};
}

}  // namespace strata
