// Entity: the lazy entity view of strata/entity.h, over EAVT (loaded once
// per entity) and VAET (reverse names, read on each call).
#include "strata/entity.h"

#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>

#include "db/db_state.h"
#include "db/schema.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata {

struct Entity::Loaded {
  std::once_flag once;
  // The entity's datoms in EAVT order.
  std::vector<Datom> datoms;
};

namespace {

// An attribute name resolved: the attribute and whether it was named in
// reverse; attr is null for a name the schema does not have.
struct Named {
  const Attribute* attr = nullptr;
  bool reverse = false;
  bool db_id = false;
};

Value AttrName(std::string_view text) {
  if (!text.empty() && text[0] == ':') text.remove_prefix(1);
  return Value::Keyword(text);
}

Named Resolve(const Database& db, const Value& name) {
  Named out;
  if (!name.is_keyword()) {
    ThrowIncorrect(
        "not-a-keyword",
        fmt::format("An entity's attributes are named by keywords, not {}", PrintEdn(name)),
        Value::Map({{Value::Keyword("attribute"), name}}));
  }
  if (name.Namespace() == "db" && name.Name() == "id") {
    out.db_id = true;
    return out;
  }
  const Schema& schema = *db.state().schema;
  auto find = [&](const Value& ident) -> const Attribute* {
    std::optional<EntityId> id = schema.Entid(ident);
    return id ? schema.Find(*id) : nullptr;
  };
  out.attr = find(name);
  std::string_view local = name.Name();
  if (out.attr == nullptr && local.size() > 1 && local[0] == '_') {
    Value forward;
    try {
      forward = Value::Keyword(name.Namespace(), local.substr(1));
    } catch (const Anomaly&) {
      return out;  // :a/_#x: no forward name, so no attribute
    }
    out.attr = find(forward);
    if (out.attr != nullptr && !out.attr->is_ref()) {
      ThrowIncorrect("not-a-ref-attribute",
                     fmt::format("{} names {} in reverse, but only ref attributes have reverse "
                                 "names",
                                 PrintEdn(name), PrintEdn(out.attr->ident)),
                     Value::Map({{Value::Keyword("attribute"), name}}));
    }
    out.reverse = out.attr != nullptr;
  }
  return out;
}

// The entities whose attribute `a` refers to `e`, in VAET order.
std::vector<EntityId> Referrers(const Database& db, EntityId e, EntityId a) {
  internal::DatomKey key;
  key.probe.v = Value::Ref(e);
  key.probe.a = a;
  key.n = 2;
  std::vector<EntityId> out;
  std::unique_ptr<internal::DatomCursor> cursor =
      internal::OpenCursor(db, Index::kVaet, key, /*prefix_only=*/true);
  while (const Datom* d = cursor->Next()) out.push_back(d->e);
  return out;
}

// What a ref gives as a value: the target's ident, or the ref.
Value RefValue(const Database& db, EntityId target) {
  Value ident = db.state().schema->Ident(target);
  return ident.is_nil() ? Value::Ref(target) : ident;
}

std::pair<std::vector<Datom>::const_iterator, std::vector<Datom>::const_iterator> RunOf(
    const std::vector<Datom>& datoms, EntityId a) {
  auto lo = std::lower_bound(datoms.begin(), datoms.end(), a,
                             [](const Datom& d, EntityId x) { return d.a < x; });
  auto hi = lo;
  while (hi != datoms.end() && hi->a == a) ++hi;
  return {lo, hi};
}

}  // namespace

Entity::Entity(Database db, EntityId id)
    : db_(std::move(db)), id_(id), loaded_(std::make_shared<Loaded>()) {
  if (db_.is_history()) {
    ThrowIncorrect("history-db",
                   "A history database has no entities: take entities from the database "
                   "itself, or from an as-of or since view of it");
  }
}

std::optional<Entity> Entity::Find(const Database& db, const Value& identifier) {
  if (db.is_history()) return Entity(db, 0);  // throws
  std::optional<EntityId> id = db.Entid(identifier);
  if (!id) return std::nullopt;
  return Entity(db, *id);
}

const Entity::Loaded& Entity::Load() const {
  std::call_once(loaded_->once, [this] {
    internal::DatomKey key;
    key.probe.e = id_;
    key.n = 1;
    std::unique_ptr<internal::DatomCursor> cursor =
        internal::OpenCursor(db_, Index::kEavt, key, /*prefix_only=*/true);
    while (const Datom* d = cursor->Next()) loaded_->datoms.push_back(*d);
  });
  return *loaded_;
}

Value Entity::Get(std::string_view attr) const { return Get(AttrName(attr)); }

Value Entity::Get(const Value& attr) const {
  Named n = Resolve(db_, attr);
  if (n.db_id) return Value::Long(id_);
  if (n.attr == nullptr) return Value();
  if (n.reverse) {
    std::vector<EntityId> refs = Referrers(db_, id_, n.attr->id);
    if (refs.empty()) return Value();
    if (n.attr->is_component) return RefValue(db_, refs[0]);
    std::vector<Value> items;
    items.reserve(refs.size());
    for (EntityId r : refs) items.push_back(RefValue(db_, r));
    return Value::Set(std::move(items));
  }
  const Loaded& loaded = Load();
  auto [lo, hi] = RunOf(loaded.datoms, n.attr->id);
  if (lo == hi) return Value();
  bool ref = n.attr->is_ref();
  auto value = [&](const Value& v) {
    return ref && v.is_integer() ? RefValue(db_, v.AsLong()) : v;
  };
  if (!n.attr->many) return value(lo->v);
  std::vector<Value> items;
  for (auto it = lo; it != hi; ++it) items.push_back(value(it->v));
  return Value::Set(std::move(items));
}

std::optional<Entity> Entity::GetEntity(std::string_view attr) const {
  return GetEntity(AttrName(attr));
}

std::optional<Entity> Entity::GetEntity(const Value& attr) const {
  Named n = Resolve(db_, attr);
  if (n.attr != nullptr &&
      (!n.attr->is_ref() || (n.reverse ? !n.attr->is_component : n.attr->many))) {
    ThrowIncorrect("",
                   fmt::format("GetEntity({}) would give several entities or none: use "
                               "GetEntities for cardinality-many and reverse names, Get for "
                               "attributes that are not refs",
                               PrintEdn(attr)),
                   Value::Map({{Value::Keyword("attribute"), attr}}));
  }
  std::vector<Entity> all = GetEntities(attr);
  if (all.empty()) return std::nullopt;
  return all[0];
}

std::vector<Entity> Entity::GetEntities(std::string_view attr) const {
  return GetEntities(AttrName(attr));
}

std::vector<Entity> Entity::GetEntities(const Value& attr) const {
  Named n = Resolve(db_, attr);
  std::vector<Entity> out;
  if (n.attr == nullptr) return out;
  if (!n.attr->is_ref()) {
    ThrowIncorrect(
        "not-a-ref-attribute",
        fmt::format("{} is not a ref attribute: it leads to no entities; use Get", PrintEdn(attr)),
        Value::Map({{Value::Keyword("attribute"), attr}}));
  }
  if (n.reverse) {
    for (EntityId r : Referrers(db_, id_, n.attr->id)) out.emplace_back(db_, r);
    return out;
  }
  const Loaded& loaded = Load();
  auto [lo, hi] = RunOf(loaded.datoms, n.attr->id);
  for (auto it = lo; it != hi; ++it) {
    if (it->v.is_integer()) out.emplace_back(db_, it->v.AsLong());
  }
  return out;
}

std::vector<Value> Entity::Keys() const {
  const Loaded& loaded = Load();
  const Schema& schema = *db_.state().schema;
  std::vector<Value> out;
  for (size_t i = 0; i < loaded.datoms.size(); ++i) {
    if (i > 0 && loaded.datoms[i].a == loaded.datoms[i - 1].a) continue;
    Value ident = schema.Ident(loaded.datoms[i].a);
    if (!ident.is_nil()) out.push_back(std::move(ident));
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

Value TouchEntity(const Database& db, EntityId id, absl::flat_hash_set<EntityId>* path) {
  const Schema& schema = *db.state().schema;
  std::vector<ValuePair> entries;
  entries.emplace_back(Value::Keyword("db", "id"), Value::Long(id));
  internal::DatomKey key;
  key.probe.e = id;
  key.n = 1;
  std::vector<Datom> datoms;
  {
    std::unique_ptr<internal::DatomCursor> cursor =
        internal::OpenCursor(db, Index::kEavt, key, /*prefix_only=*/true);
    while (const Datom* d = cursor->Next()) datoms.push_back(*d);
  }
  path->insert(id);
  for (size_t i = 0; i < datoms.size();) {
    size_t j = i;
    while (j < datoms.size() && datoms[j].a == datoms[i].a) ++j;
    const Attribute* attr = schema.Find(datoms[i].a);
    if (attr != nullptr) {
      auto value = [&](const Value& v) -> Value {
        if (!attr->is_ref() || !v.is_integer()) return v;
        EntityId target = v.AsLong();
        if (attr->is_component) {
          if (path->contains(target)) return Value::Map({{Value::Keyword("db", "id"), v}});
          return TouchEntity(db, target, path);
        }
        Value ident = schema.Ident(target);
        return ident.is_nil() ? Value::Map({{Value::Keyword("db", "id"), Value::Long(target)}})
                              : ident;
      };
      if (attr->many) {
        std::vector<Value> items;
        for (size_t k = i; k < j; ++k) items.push_back(value(datoms[k].v));
        entries.emplace_back(attr->ident, Value::Set(std::move(items)));
      } else {
        entries.emplace_back(attr->ident, value(datoms[i].v));
      }
    }
    i = j;
  }
  path->erase(id);
  return Value::Map(std::move(entries));
}

}  // namespace

Value Entity::Touch() const {
  absl::flat_hash_set<EntityId> path;
  return TouchEntity(db_, id_, &path);
}

}  // namespace strata
