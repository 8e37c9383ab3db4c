// Entity: a lazy, associative view of one entity, as Datomic's entity API.
//
//   std::optional<Entity> order = Entity::Find(db, ReadEdn("[:order/id \"o2\"]"));
//   order->Get(":order/customer")                      => "ben"
//   order->GetEntities(":order/lines")                 => the line entities
//   order->Get(":order/status")                        => :status/open (an ident)
//   order->GetEntity(":order/shipping")->Get(":order/_shipping")  => the order
//
// An entity reads nothing until asked; its first forward attribute read
// loads all of its attributes with one EAVT seek, and later reads use that
// (copies of an Entity share it). Reverse names (:ns/_attr) read VAET each
// time. Values follow Datomic: a cardinality-one attribute gives its value,
// a cardinality-many one the set of its values; a ref gives the target's
// ident keyword when it has one, else the entity id as a ref value (follow
// it with GetEntity/GetEntities, or Entity(db, id)); a reverse name gives
// the set of referring entities, or the one owner when the attribute is a
// component. :db/id gives the entity id. Missing attributes give nil.
//
// Entities work on any database view but a history one (AsOf, Since, Filter
// views see what the view sees); on a history database they are an error
// (incorrect, :db.error/history-db), as in Datomic.
//
// Thread safety: an Entity may be shared between threads; its lazy load is
// guarded.
#ifndef STRATA_ENTITY_H_
#define STRATA_ENTITY_H_

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "strata/database.h"
#include "strata/datom.h"
#include "strata/value.h"

namespace strata {

class Entity {
 public:
  // The entity `id` of `db` (an entity with no datoms is an entity with
  // only :db/id). Throws an Anomaly when `db` is a history database.
  Entity(Database db, EntityId id);

  // The entity an identifier (entity id, ident or lookup ref) names, or
  // nullopt when it names none (Datomic's d/entity returning nil).
  static std::optional<Entity> Find(const Database& db, const Value& identifier);

  EntityId id() const { return id_; }
  const Database& db() const { return db_; }

  // The value of an attribute (keyword, "ns/name" text, or :ns/_name for
  // reverse) as the file comment says; nil when the entity has none or the
  // attribute does not exist.
  Value Get(const Value& attr) const;
  Value Get(std::string_view attr) const;

  // The entity a ref attribute leads to: a cardinality-one ref, or the
  // owner through a reverse component name; nullopt when there is none.
  // Throws an Anomaly for a cardinality-many or reverse non-component name
  // (use GetEntities) or an attribute that is not a ref.
  std::optional<Entity> GetEntity(const Value& attr) const;
  std::optional<Entity> GetEntity(std::string_view attr) const;
  // Every entity a ref attribute (forward or reverse, any cardinality)
  // leads to, in index order.
  std::vector<Entity> GetEntities(const Value& attr) const;
  std::vector<Entity> GetEntities(std::string_view attr) const;

  // The idents of the attributes the entity has, sorted (Datomic's keySet).
  std::vector<Value> Keys() const;

  // Every attribute loaded into a map {:db/id N, attr value...}: values as
  // Get gives them, except that component refs are touched too (a map of
  // the component), and other refs to entities without an ident are
  // {:db/id N}. Cycles through components end as {:db/id N}.
  Value Touch() const;

  // Entities are equal when they are the same entity of the same database
  // value.
  friend bool operator==(const Entity& x, const Entity& y) {
    return x.id_ == y.id_ && x.db_.state_ptr() == y.db_.state_ptr() &&
           x.db_.as_of_t() == y.db_.as_of_t() && x.db_.since_t() == y.db_.since_t();
  }

 private:
  struct Loaded;
  const Loaded& Load() const;

  Database db_;
  EntityId id_;
  std::shared_ptr<Loaded> loaded_;
};

}  // namespace strata

#endif  // STRATA_ENTITY_H_
