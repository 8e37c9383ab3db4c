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

#include <string_view>

#include "strata/database.h"
#include "strata/datom.h"

namespace strata::internal {

// The four index orders, and their names for messages.
inline constexpr Index kIndexes[] = {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet};
inline std::string_view IndexName(Index index) {
  constexpr std::string_view kNames[] = {"EAVT", "AEVT", "AVET", "VAET"};
  auto i = static_cast<size_t>(index);
  return i < 4 ? kNames[i] : "?";
}

inline int CmpInt(int64_t x, int64_t y) { return x < y ? -1 : (x > y ? 1 : 0); }
inline int CmpE(const Datom& x, const Datom& y) { return CmpInt(x.e, y.e); }
inline int CmpA(const Datom& x, const Datom& y) { return CmpInt(x.a, y.a); }
// Two values of one integer type (the common case: refs, longs, instants)
// inline; anything else through Compare. Both orders agree.
inline int CmpV(const Datom& x, const Datom& y) {
  ValueType t = x.v.type();
  if (t == y.v.type()) {
    if (t == ValueType::kLong || t == ValueType::kRef) return CmpInt(x.v.AsLong(), y.v.AsLong());
    if (t == ValueType::kInstant) return CmpInt(x.v.AsInstant(), y.v.AsInstant());
  }
  return Compare(x.v, y.v);
}
inline int CmpTx(const Datom& x, const Datom& y) { return CmpInt(x.tx, y.tx); }
inline int CmpAdded(const Datom& x, const Datom& y) { return CmpInt(x.added, y.added); }

// The components of each order: e, a, v, tx, then added.
enum class Component : uint8_t { kE, kA, kV, kTx, kAdded };
template <Index kIndex>
inline constexpr Component kOrderOf[5] = {
    kIndex == Index::kEavt   ? Component::kE
    : kIndex == Index::kVaet ? Component::kV
                             : Component::kA,
    kIndex == Index::kEavt   ? Component::kA
    : kIndex == Index::kAevt ? Component::kE
    : kIndex == Index::kAvet ? Component::kV
                             : Component::kA,
    kIndex == Index::kEavt || kIndex == Index::kAevt ? Component::kV : Component::kE,
    Component::kTx, Component::kAdded};

inline int CompareComponent(Component c, const Datom& x, const Datom& y) {
  switch (c) {
    case Component::kE:
      return CmpE(x, y);
    case Component::kA:
      return CmpA(x, y);
    case Component::kV:
      return CmpV(x, y);
    case Component::kTx:
      return CmpTx(x, y);
    case Component::kAdded:
      return CmpAdded(x, y);
  }
  return 0;
}

// Compares the first `n` components of x and y in the order of `kIndex`:
// the four of the index's name, then `added` (n = 5, the default, is the
// total order of the sets). Inlined per index: the sets compare a lot.
template <Component kC>
inline int CompareComponentOf(const Datom& x, const Datom& y) {
  if constexpr (kC == Component::kE) return CmpE(x, y);
  if constexpr (kC == Component::kA) return CmpA(x, y);
  if constexpr (kC == Component::kV) return CmpV(x, y);
  if constexpr (kC == Component::kTx) return CmpTx(x, y);
  if constexpr (kC == Component::kAdded) return CmpAdded(x, y);
  return 0;
}

template <Index kIndex>
inline int CompareIn(const Datom& x, const Datom& y, int n = 5) {
  // Unrolled with each position's component known at compile time, so the
  // integer comparisons inline.
  constexpr const Component* kOrder = kOrderOf<kIndex>;
  int c = 0;
  if (n <= 0 || (c = CompareComponentOf<kOrder[0]>(x, y)) != 0 || n == 1) return c;
  if ((c = CompareComponentOf<kOrder[1]>(x, y)) != 0 || n == 2) return c;
  if ((c = CompareComponentOf<kOrder[2]>(x, y)) != 0 || n == 3) return c;
  if ((c = CompareComponentOf<kOrder[3]>(x, y)) != 0 || n == 4) return c;
  return CompareComponentOf<kOrder[4]>(x, y);
}

inline int CompareDatoms(Index index, const Datom& x, const Datom& y, int n = 5) {
  switch (index) {
    case Index::kEavt:
      return CompareIn<Index::kEavt>(x, y, n);
    case Index::kAevt:
      return CompareIn<Index::kAevt>(x, y, n);
    case Index::kAvet:
      return CompareIn<Index::kAvet>(x, y, n);
    case Index::kVaet:
      return CompareIn<Index::kVaet>(x, y, n);
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
  int operator()(const Datom* x, const Datom* y) const { return CompareIn<kIndex>(*x, *y); }
};

// A seek key: the leading `n` components of `probe` in the index's order.
struct DatomKey {
  Datom probe;
  int n = 0;
};

}  // namespace strata::internal

#endif  // STRATA_INDEX_DATOM_ORDER_H_
