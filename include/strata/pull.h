// Pull: hierarchical selections of data about entities, as Datomic's pull.
//
//   Value alice = Pull(db, "[:person/name {:person/friend [:person/name]}]",
//                      ReadEdn("[:person/email \"alice@example.com\"]"));
//   => {:person/name "Alice" :person/friend [{:person/name "Bob"} ...]}
//
// A pattern is EDN (a Value, or a string holding one):
//
//   pattern         = [attr-spec+]
//   attr-spec       = attr-name | wildcard | map-spec | attr-expr
//   attr-name       = a keyword naming an attribute, :db/id, or a reverse
//                     attribute :ns/_name (the entities whose :ns/name refers
//                     to this one)
//   wildcard        = * | "*"
//   map-spec        = {((attr-name | attr-expr) (pattern | recursion-limit))+}
//   attr-expr       = [attr-name attr-option+] | (limit attr-name n-or-nil)
//                     | (default attr-name value)
//   attr-option     = :as any-value | :limit (positive-integer | nil)
//                     | :default any-value | :xform symbol
//   recursion-limit = positive-integer | ...
//
// The result for one entity is a map whose keys are the attribute names as
// written (or their :as). Missing attributes are left out (a :default gives
// its value instead; xforms never see defaults). Cardinality-many
// attributes give a vector of at most :limit values (1000 unless given;
// `:limit nil` for all), in index order. A ref gives {:db/id N}, with
// :db/ident when the target has one; under a map-spec it gives the
// sub-pattern's map, and a component attribute without a sub-pattern, or
// under `*`, gives its target pulled with `*`, recursively. A reverse
// attribute gives a vector of referring entities, or one map when the
// attribute is a component (an entity has one owner). `*` selects every
// attribute of the entity and :db/id. A recursion limit repeats the pattern
// that holds the map-spec through that attribute, at most n levels deep
// (`...`: without bound); an entity met again on its own path comes back as
// {:db/id N}, so cycles end. An :xform symbol names a function registered
// with RegisterPullXform or a built-in (str, keyword, symbol, name,
// namespace); it receives the attribute's value as pull would give it (the
// whole vector for cardinality many).
//
// Errors are Anomalies of category incorrect with :db/error
// :db.error/invalid-pull, a message that says which part of the pattern is
// wrong and how to write it, and data {:pattern <the pattern> :form <the bad
// part>}. An attribute the database does not know is treated as missing;
// a map-spec or reverse name on an attribute that is not a ref is an error.
// Pull on a history database is an error, as in Datomic.
//
// Thread safety: every function here may be called from any thread. A
// PullPattern is immutable and may be shared between threads.
#ifndef STRATA_PULL_H_
#define STRATA_PULL_H_

#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "strata/database.h"
#include "strata/datom.h"
#include "strata/value.h"

namespace strata {

namespace internal {
struct PullPatternImpl;
}  // namespace internal

// A parsed pull pattern. Parse once and pull many entities with it: the
// attributes it names are resolved once per schema, not once per entity.
class PullPattern {
 public:
  explicit PullPattern(std::shared_ptr<const internal::PullPatternImpl> impl);

  // The pattern as it was given.
  const Value& form() const;
  const internal::PullPatternImpl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const internal::PullPatternImpl> impl_;
};

// Parses a pattern: a vector as above, or EDN text holding one. Throws an
// Anomaly (:db.error/invalid-pull, or :db.error/invalid-edn for text that
// is not EDN) when it is not a pattern.
PullPattern ParsePullPattern(const Value& pattern);
PullPattern ParsePullPattern(std::string_view pattern);

// The pattern applied to one entity: a map (empty when the entity has none
// of the attributes). With an identifier (an entity id, an ident or a
// lookup ref) that names no entity, nil. The pattern forms (Value, text)
// are parsed once and kept in a small process-wide cache.
Value Pull(const Database& db, const PullPattern& pattern, EntityId eid);
Value Pull(const Database& db, const PullPattern& pattern, const Value& eid);
Value Pull(const Database& db, const Value& pattern, EntityId eid);
Value Pull(const Database& db, const Value& pattern, const Value& eid);
Value Pull(const Database& db, std::string_view pattern, const Value& eid);

// The pattern applied to each entity, in the order given: a vector of the
// results of Pull (nil for an identifier that names nothing).
std::vector<Value> PullMany(const Database& db, const PullPattern& pattern,
                            std::span<const EntityId> eids);
Value PullMany(const Database& db, const PullPattern& pattern, const Value& eids);
Value PullMany(const Database& db, const Value& pattern, const Value& eids);

// Datomic's index-pull: pulls the entities of an index range, in index
// order. `arg_map`:
//   :index    :avet or :aevt
//   :selector a pull pattern
//   :start    [attr] or [attr v] (:avet), [attr] or [attr e] (:aevt); the
//             range is the attribute's datoms from start on
//   :reverse  true for descending order, from start down (optional)
//   :offset   results to skip, :limit the most to return (optional)
// Returns a vector of pulls, one per datom (one per entity for :aevt).
Value IndexPull(const Database& db, const Value& arg_map);

// A pull :xform function: receives the attribute's value, returns the
// value to put in the result. Throw an Anomaly to fail the pull.
using PullXform = std::function<Value(const Value&)>;
// Registers `fn` under the symbol `name` ("my.app/upper"); patterns parsed
// afterwards can name it in :xform. Registering a name again replaces it
// for patterns parsed afterwards. Thread-safe.
void RegisterPullXform(std::string_view name, PullXform fn);

}  // namespace strata

#endif  // STRATA_PULL_H_
