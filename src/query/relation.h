// Relations: the query engine's intermediate results.
//
// A relation is a set of variables (columns) and a flat, row-major array of
// 64-bit slots: no allocation per tuple. A slot encodes one value through
// the query's ValueTable: a non-negative long or entity id below 2^62 is
// its own slot (so entity ids, attribute ids, tx ids and small longs need no
// table), anything else is interned and its slot is its index in the table
// with the top bit set. Two slots are equal exactly when their values are
// (a ref equals the long of its id, as in Value).
#ifndef STRATA_QUERY_RELATION_H_
#define STRATA_QUERY_RELATION_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "strata/value.h"

namespace strata::query {

using Slot = uint64_t;

inline constexpr Slot kInterned = Slot{1} << 63;
inline constexpr Slot kDirectLimit = Slot{1} << 62;

inline bool IsDirect(Slot s) { return (s & kInterned) == 0; }

class ValueTable {
 public:
  Slot Encode(const Value& v) {
    if (v.is_integer()) {
      int64_t n = v.AsLong();
      if (n >= 0 && static_cast<Slot>(n) < kDirectLimit) return static_cast<Slot>(n);
    }
    return Intern(v);
  }
  // An entity, attribute or transaction id.
  Slot EncodeId(int64_t id) {
    if (id >= 0 && static_cast<Slot>(id) < kDirectLimit) return static_cast<Slot>(id);
    return Intern(Value::Long(id));
  }
  // REQUIRES: `s` came from this table.
  Value Decode(Slot s) const {
    if (IsDirect(s)) return Value::Long(static_cast<int64_t>(s));
    return values_[s & ~kInterned];
  }
  // The interned value of a non-direct slot.
  const Value& Interned(Slot s) const { return values_[s & ~kInterned]; }
  size_t size() const { return values_.size(); }

 private:
  Slot Intern(const Value& v) {
    auto [it, inserted] = index_.try_emplace(v, static_cast<uint32_t>(values_.size()));
    if (inserted) values_.push_back(v);
    return kInterned | it->second;
  }

  std::vector<Value> values_;
  absl::flat_hash_map<Value, uint32_t, ValueHash> index_;
};

// Variables are numbered per query run; a relation's columns name them.
using VarId = int;

// Appends the n slots of a row: a loop rather than a range insert, whose
// library call costs more than the copy for a row of a few slots.
inline void AppendSlots(std::vector<Slot>* out, const Slot* src, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(src[i]);
}

struct Relation {
  std::vector<VarId> vars;
  std::vector<Slot> data;
  // Rows; kept apart from data so that a relation of no columns can hold
  // one row (true) or none (false).
  size_t rows = 0;
  // Known to hold no row twice (a projection onto all its columns needs
  // no deduplication). False when unknown.
  bool distinct = false;

  Relation() = default;
  explicit Relation(std::vector<VarId> v) : vars(std::move(v)) {}
  // The relation of no columns and one row: the identity of joins.
  static Relation Unit() {
    Relation r;
    r.rows = 1;
    r.distinct = true;
    return r;
  }

  size_t width() const { return vars.size(); }
  const Slot* Row(size_t i) const { return data.data() + i * vars.size(); }
  // The column of `var`, or -1.
  int Column(VarId var) const {
    for (size_t i = 0; i < vars.size(); ++i) {
      if (vars[i] == var) return static_cast<int>(i);
    }
    return -1;
  }
  bool Has(VarId var) const { return Column(var) >= 0; }
  void AddRow(const Slot* row) {
    AppendSlots(&data, row, vars.size());
    ++rows;
  }
  size_t bytes() const { return data.capacity() * sizeof(Slot); }
};

}  // namespace strata::query

#endif  // STRATA_QUERY_RELATION_H_
