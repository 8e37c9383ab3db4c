// The four index orders, as compositions of one comparator per datom
// component (as DataScript's cmp-datoms-eavt), and partial-key comparison
// for seeks.
//
//   EAVT: e, a, v, tx     AEVT: a, e, v, tx
//   AVET: a, v, e, tx     VAET: v, a, e, tx
//
// In every order the fact (e, a, v) comes before tx, so all datoms about
// one fact (its assertions and retractions over time) are adjacent, oldest
// first. `added` breaks the last tie (a retraction before an assertion in
// the same transaction never happens: that is a datoms-conflict).
#ifndef STRATA_INDEX_DATOM_ORDER_H_
#define STRATA_INDEX_DATOM_ORDER_H_

#include "strata/database.h"
#include "strata/datom.h"

namespace strata::internal {

inline int CmpInt(int64_t x, int64_t y) { return x < y ? -1 : (x > y ? 1 : 0); }
inline int CmpE(const Datom& x, const Datom& y) { return CmpInt(x.e, y.e); }
inline int CmpA(const Datom& x, const Datom& y) { return CmpInt(x.a, y.a); }
inline int CmpV(const Datom& x, const Datom& y) { return Compare(x.v, y.v); }
inline int CmpTx(const Datom& x, const Datom& y) { return CmpInt(x.tx, y.tx); }
inline int CmpAdded(const Datom& x, const Datom& y) { return CmpInt(x.added, y.added); }

// Compares the first `n` components of x and y in the order of `index`:
// the four of the index's name, then `added` (n = 5, the default, is the
// total order of the sets).
inline int CompareDatoms(Index index, const Datom& x, const Datom& y, int n = 5) {
  using Cmp = int (*)(const Datom&, const Datom&);
  static constexpr Cmp kOrders[4][5] = {
      {CmpE, CmpA, CmpV, CmpTx, CmpAdded},
      {CmpA, CmpE, CmpV, CmpTx, CmpAdded},
      {CmpA, CmpV, CmpE, CmpTx, CmpAdded},
      {CmpV, CmpA, CmpE, CmpTx, CmpAdded},
  };
  const Cmp* order = kOrders[static_cast<int>(index)];
  for (int i = 0; i < n; ++i) {
    int c = order[i](x, y);
    if (c != 0) return c;
  }
  return 0;
}

// Whether two datoms state the same fact (e, a, v), whatever their tx.
inline bool SameFact(const Datom& x, const Datom& y) {
  return x.e == y.e && x.a == y.a && x.v == y.v;
}

// Total order of `index` over datom pointers, for the sorted sets.
template <Index kIndex>
struct DatomOrder {
  int operator()(const Datom* x, const Datom* y) const { return CompareDatoms(kIndex, *x, *y); }
};

// A seek key: the leading `n` components of `probe` in the index's order.
struct DatomKey {
  Datom probe;
  int n = 0;
};

}  // namespace strata::internal

#endif  // STRATA_INDEX_DATOM_ORDER_H_
