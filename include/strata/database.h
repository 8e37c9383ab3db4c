// Database: an immutable value of the database at a point in time.
//
// A Database is cheap to copy and safe to share between threads: it never
// changes. Taking one from a connection is O(1). Views of it (AsOf, Since,
// History, Filter, With) are Databases too, and compose. Every read goes
// through the index read interface (Datoms / SeekDatoms), which merges the
// sources of the index with the view's time filter applied.
#ifndef STRATA_DATABASE_H_
#define STRATA_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "strata/datom.h"
#include "strata/value.h"

namespace strata {

namespace internal {
struct DbState;
class DatomCursor;
}  // namespace internal

// The four index orders.
enum class Index : uint8_t {
  kEavt,  // entity, attribute, value, tx
  kAevt,  // attribute, entity, value, tx
  kAvet,  // attribute, value, entity, tx (every attribute)
  kVaet,  // value, attribute, entity, tx (ref attributes only)
};
// :eavt -> kEavt; nullopt for anything else.
std::optional<Index> ParseIndex(const Value& keyword);

class Database;

// An ordered, forward-only iteration over datoms. A datom stays valid until
// the next call of Next() or the iterator's end (segments of the durable
// index are cached, not pinned): copy the datoms you keep.
class DatomIterator {
 public:
  DatomIterator();
  explicit DatomIterator(std::unique_ptr<internal::DatomCursor> cursor);
  DatomIterator(DatomIterator&&) noexcept;
  DatomIterator& operator=(DatomIterator&&) noexcept;
  ~DatomIterator();

  // The next datom, or nullptr at the end.
  const Datom* Next();

 private:
  std::unique_ptr<internal::DatomCursor> cursor_;
};

// The result of a transaction.
struct TxReport;

// A transaction's entry in the log.
struct LogEntry {
  int64_t t = 0;
  std::vector<Datom> data;
};

class Database {
 public:
  // REQUIRES: state is non-null. Use Connection::Db() to get one.
  explicit Database(std::shared_ptr<const internal::DbState> state);

  // The t of the most recent transaction in this database, and the t the
  // next transaction will get.
  int64_t basis_t() const;
  int64_t next_t() const;
  // The as-of and since points of this view, when set.
  std::optional<int64_t> as_of_t() const { return as_of_; }
  std::optional<int64_t> since_t() const { return since_; }
  bool is_history() const { return history_; }

  // Datoms of `index` whose leading components equal `components` (each an
  // entity id, ident, lookup ref or value as the position needs), in index
  // order. Throws an Anomaly for an unknown attribute or a bad component.
  DatomIterator Datoms(Index index, const std::vector<Value>& components = {}) const;
  // Datoms of `index` from the first at or after `components`, to the end of
  // the index.
  DatomIterator SeekDatoms(Index index, const std::vector<Value>& components = {}) const;
  // AVET datoms of attribute `attr` with start <= v < end (nil for open).
  DatomIterator IndexRange(const Value& attr, const Value& start, const Value& end) const;
  // A cheap estimate (exact for the memory index) of how many datoms
  // Datoms(index, components) would give, for query planning.
  int64_t Count(Index index, const std::vector<Value>& components = {}) const;

  // The entity id an identifier names: an entity id, an ident keyword or a
  // lookup ref. nullopt when nothing matches (Datomic's entid).
  std::optional<EntityId> Entid(const Value& identifier) const;
  // The ident of an entity, or nil.
  Value Ident(EntityId eid) const;
  // Like Entid, but an unresolvable identifier is a not-found anomaly.
  EntityId EntidOrThrow(const Value& identifier) const;

  // Time views. A time point is a t, a transaction id or an instant (the
  // last transaction at or before it).
  Database AsOf(const Value& point) const;
  Database Since(const Value& point) const;
  Database History() const;
  // A view that keeps only the datoms `keep` accepts (with this database
  // as it is unfiltered, as Datomic's filter).
  // Filters compose: a datom must pass every one.
  Database Filter(std::function<bool(const Database&, const Datom&)> keep) const;
  // This view without its filters.
  Database Unfiltered() const;
  // The database as if `tx_data` were transacted now, without committing.
  TxReport With(const Value& tx_data) const;

  // Datoms in total and per attribute ident: {:datoms N :attrs {:a {:count n}}}.
  Value Stats() const;

  const internal::DbState& state() const { return *state_; }
  const std::shared_ptr<const internal::DbState>& state_ptr() const { return state_; }
  // The filter of a Filter view, or empty.
  const std::function<bool(const Database&, const Datom&)>& filter() const { return filter_; }

 private:
  std::shared_ptr<const internal::DbState> state_;
  std::optional<int64_t> as_of_;
  std::optional<int64_t> since_;
  bool history_ = false;
  std::function<bool(const Database&, const Datom&)> filter_;
};

struct TxReport {
  Database db_before;
  Database db_after;
  std::vector<Datom> tx_data;
  // Tempid string -> entity id.
  std::vector<std::pair<std::string, EntityId>> tempids;

  // The entity a tempid resolved to, or nullopt.
  std::optional<EntityId> Tempid(std::string_view tempid) const;
};

}  // namespace strata

#endif  // STRATA_DATABASE_H_
