// Datoms and entity ids.
//
// A datom is one fact: entity e has attribute a with value v, asserted
// (added) or retracted by transaction tx. Entity ids are 64-bit, as in
// Datomic: the partition in the bits above 42, a counter in the low 42 bits.
//
//   63          42 41                                   0
//  +--------------+--------------------------------------+
//  |  partition   |               counter                |
//  +--------------+--------------------------------------+
//
// A transaction's entity id is in partition :db.part/tx (3) and its counter
// is the transaction's basis t: tx = (3 << 42) | t.
#ifndef STRATA_DATOM_H_
#define STRATA_DATOM_H_

#include <cstdint>
#include <string>

#include "strata/value.h"

namespace strata {

using EntityId = int64_t;

inline constexpr int kPartitionShift = 42;
inline constexpr int64_t kCounterMask = (int64_t{1} << kPartitionShift) - 1;
// Partitions of the bootstrap schema.
inline constexpr int64_t kPartDb = 0;
inline constexpr int64_t kPartTx = 3;
inline constexpr int64_t kPartUser = 4;
// The largest partition number (eids are non-negative 64-bit integers).
inline constexpr int64_t kMaxPartition = (int64_t{1} << (63 - kPartitionShift)) - 1;

// REQUIRES: 0 <= partition <= kMaxPartition, 0 <= counter <= kCounterMask.
constexpr EntityId MakeEntityId(int64_t partition, int64_t counter) {
  return (partition << kPartitionShift) | counter;
}
constexpr int64_t PartitionOf(EntityId eid) { return eid >> kPartitionShift; }
constexpr int64_t CounterOf(EntityId eid) { return eid & kCounterMask; }

// A transaction's entity id from its basis t, and back.
constexpr EntityId TxFromT(int64_t t) { return MakeEntityId(kPartTx, t); }
constexpr int64_t TFromTx(EntityId tx) { return CounterOf(tx); }
constexpr bool IsTxId(EntityId eid) { return PartitionOf(eid) == kPartTx; }

// Where a time argument may be a t or a tx (as Datomic's as-of): a value in
// the tx partition is a tx, anything smaller is a t.
constexpr int64_t ToT(int64_t t_or_tx) {
  return t_or_tx >= MakeEntityId(kPartTx, 0) ? TFromTx(t_or_tx) : t_or_tx;
}

// 40 bytes: `tx` and `added` share one word (a transaction id needs 45
// bits), so the memory index's datoms stay small.
struct Datom {
  EntityId e = 0;
  EntityId a = 0;
  Value v;
  EntityId tx : 63 = 0;
  bool added : 1 = true;

  friend bool operator==(const Datom& x, const Datom& y) = default;
};
static_assert(sizeof(Datom) == 40, "tx and added share a word");

// "[e a v tx added]" with v printed as EDN.
std::string ToString(const Datom& d);

}  // namespace strata

#endif  // STRATA_DATOM_H_
