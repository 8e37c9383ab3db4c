// The memory index (see memory_index.h).
#include "index/memory_index.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

namespace strata::internal {

const Datom* DatomArena::Add(const Datom& d) {
  std::lock_guard lock(mutex_);
  if (used_in_last_ == kChunkDatoms) {
    chunks_.push_back(std::make_unique<Datom[]>(kChunkDatoms));
    used_in_last_ = 0;
  }
  Datom* slot = &chunks_.back()[used_in_last_++];
  *slot = d;
  return slot;
}

size_t DatomArena::MemoryUsage() const {
  std::lock_guard lock(mutex_);
  return chunks_.size() * kChunkDatoms * sizeof(Datom);
}

namespace {

// Compares an element with a seek key's leading components.
template <Index kIndex>
struct KeyOrder {
  int operator()(const Datom* element, const DatomKey& key) const {
    return CompareIn<kIndex>(*element, key.probe, key.n);
  }
};

// A cursor over one set: holds a copy of the set (O(1)), so the nodes stay
// alive, and the arena, so the datoms do.
template <Index kIndex, typename SetT>
class SetCursor : public DatomCursor {
 public:
  static constexpr size_t kPrefetchDistance = 8;
  static constexpr size_t kSeekPrefetch = 16;

  SetCursor(SetT set, std::shared_ptr<DatomArena> arena, const DatomKey& key, bool prefix_only)
      : set_(std::move(set)),
        arena_(std::move(arena)),
        key_(key),
        prefix_only_(prefix_only),
        it_(set_.LowerBound(key_, KeyOrder<kIndex>())),
        end_(set_.end()) {}

  const Datom* Next() override {
    if (it_ == end_) return nullptr;
    const Datom* d = *it_;
    if (prefix_only_ && it_.rank() >= in_prefix_until_) {
      // Past the prefix: stay there, where the next SeekForward starts.
      KeyOrder<kIndex> kc;
      if (kc(d, key_) != 0) return nullptr;
      // Past a lookup's first datom or two, a long run is likely: when the
      // leaf's last datom is in the prefix, so is all of the leaf up to it,
      // with no comparison each.
      if (++compared_ > 2) {
        size_t left = it_.LeftInLeaf();
        if (left > 0 && kc(*it_.PeekInLeaf(left), key_) == 0) {
          in_prefix_until_ = it_.rank() + left + 1;
        }
      }
    }
    ++it_;
    // The arena holds datoms in transaction order, so a scan in any other
    // order jumps about memory: fetch the datoms a few steps ahead.
    if (const Datom* const* ahead = it_.PeekInLeaf(kPrefetchDistance)) __builtin_prefetch(*ahead);
    return d;
  }
  bool Stable() const override { return true; }
  bool SeekForward(const DatomKey& key) override {
    key_ = key;
    in_prefix_until_ = 0;
    compared_ = 0;
    KeyOrder<kIndex> kc;
    // A near key is in the same leaf (bound values in order are often
    // close); a far one is a descent from the root.
    if (it_ == end_ || kc(*it_, key_) >= 0) return true;
    // The search below reads datoms a few steps on, which lie apart in the
    // arena: fetch them all at once rather than miss the cache on each in
    // turn.
    for (size_t k = 1; k <= kSeekPrefetch; ++k) {
      const Datom* const* ahead = it_.PeekInLeaf(k);
      if (ahead == nullptr) break;
      __builtin_prefetch(*ahead);
    }
    if (set_.SeekInLeaf(&it_, key_, kc)) return true;
    // Past this leaf, most likely in the next: reached through the
    // branches' counts, which read no datoms, before a search from the root.
    it_.ToNextLeaf();
    if (it_ == end_ || !set_.SeekInLeaf(&it_, key_, kc)) it_ = set_.LowerBound(key_, kc);
    return true;
  }

 private:
  SetT set_;
  std::shared_ptr<DatomArena> arena_;
  DatomKey key_;
  bool prefix_only_;
  typename SetT::Iterator it_;
  typename SetT::Iterator end_;
  // Datoms before this rank are known to be in the prefix.
  size_t in_prefix_until_ = 0;
  // Datoms compared with the prefix since the last seek.
  size_t compared_ = 0;
};

template <Index kIndex, typename SetT>
const Datom* FirstOf(const SetT& set, const DatomKey& key) {
  KeyOrder<kIndex> kc;
  auto it = set.LowerBound(key, kc);
  if (it == set.end() || kc(*it, key) != 0) return nullptr;
  return *it;
}

template <Index kIndex, typename SetT>
void ScanKey(const SetT& set, const DatomKey& key, std::vector<const Datom*>* out) {
  KeyOrder<kIndex> kc;
  for (auto it = set.LowerBound(key, kc), end = set.end(); it != end; ++it) {
    if (kc(*it, key) != 0) break;
    out->push_back(*it);
  }
}

template <Index kIndex, typename SetT>
int64_t CountKey(const SetT& set, const DatomKey& key) {
  if (key.n == 0) return static_cast<int64_t>(set.Size());
  KeyOrder<kIndex> kc;
  return static_cast<int64_t>(set.UpperBound(key, kc).rank() - set.LowerBound(key, kc).rank());
}

}  // namespace

MemoryIndex::MemoryIndex() : arena_(std::make_shared<DatomArena>()) {}

namespace {

// One part's changes of a transaction in each index's order (VAET: the ref
// ones). The sorts hold keys beside the datom pointers, so that comparisons
// rarely read the datoms, and each order after EAVT is derived from the one
// before by a stable sort on its leading components alone (a stable sort
// keeps the order before among equal keys): AEVT is EAVT stably sorted by
// a, AVET each attribute's run of AEVT stably sorted by v, VAET the refs in
// EAVT order stably sorted by (v, a).
struct Ordered {
  std::vector<const Datom*> eavt, aevt, avet, vaet;
};

struct Keyed {
  EntityId e;
  EntityId a;
  const Datom* d;
};

// Sorts *v by `less`: merges its ascending runs when there are a few (a
// transaction's datoms come entity by entity, each entity's in a run), else
// sorts it afresh.
template <typename T, typename Less>
void SortRuns(std::vector<T>* v, Less less) {
  constexpr size_t kMaxRuns = 16;
  std::vector<size_t> bounds = {0};
  for (size_t i = 1; i < v->size(); ++i) {
    if (!less((*v)[i], (*v)[i - 1])) continue;
    if (bounds.size() == kMaxRuns) {
      std::sort(v->begin(), v->end(), less);
      return;
    }
    bounds.push_back(i);
  }
  bounds.push_back(v->size());
  auto at = [v](size_t i) { return v->begin() + static_cast<ptrdiff_t>(i); };
  while (bounds.size() > 2) {
    std::vector<size_t> merged = {0};
    for (size_t i = 0; i + 2 < bounds.size(); i += 2) {
      std::inplace_merge(at(bounds[i]), at(bounds[i + 1]), at(bounds[i + 2]), less);
      merged.push_back(bounds[i + 2]);
    }
    if (bounds.size() % 2 == 0) merged.push_back(bounds.back());  // an odd run out
    bounds.swap(merged);
  }
}

std::vector<Keyed> SortedEavt(const std::vector<const Datom*>& datoms) {
  std::vector<Keyed> keyed;
  keyed.reserve(datoms.size());
  for (const Datom* d : datoms) keyed.push_back(Keyed{d->e, d->a, d});
  auto less = [](const Keyed& x, const Keyed& y) {
    if (x.e != y.e) return x.e < y.e;
    if (x.a != y.a) return x.a < y.a;
    return CompareIn<Index::kEavt>(*x.d, *y.d) < 0;
  };
  // Each entity's datoms first (a map form's come in its keys' order), then
  // the entities.
  for (size_t i = 0; i < keyed.size();) {
    size_t j = i + 1;
    while (j < keyed.size() && keyed[j].e == keyed[i].e) ++j;
    if (j - i > 1) {
      std::sort(keyed.begin() + static_cast<ptrdiff_t>(i),
                keyed.begin() + static_cast<ptrdiff_t>(j), less);
    }
    i = j;
  }
  SortRuns(&keyed, less);
  // A datom given twice is added once, as by one Insert after another.
  auto same = [](const Keyed& x, const Keyed& y) {
    return x.e == y.e && x.a == y.a && CompareIn<Index::kEavt>(*x.d, *y.d) == 0;
  };
  keyed.erase(std::unique(keyed.begin(), keyed.end(), same), keyed.end());
  return keyed;
}

// A counting sort by a: stable, and linear in the datoms.
std::vector<Keyed> ByAttribute(const std::vector<Keyed>& keyed) {
  absl::flat_hash_map<EntityId, size_t> starts;  // a -> its first position
  for (const Keyed& k : keyed) ++starts[k.a];
  std::vector<EntityId> attrs;
  attrs.reserve(starts.size());
  for (const auto& [a, count] : starts) attrs.push_back(a);
  std::sort(attrs.begin(), attrs.end());
  size_t next = 0;
  for (EntityId a : attrs) next += std::exchange(starts[a], next);
  std::vector<Keyed> out(keyed.size());
  for (const Keyed& k : keyed) out[starts[k.a]++] = k;
  return out;
}

// The sort keys of a run whose values are all longs, all refs or all
// instants (the same order as CmpV's), and their positions.
struct NumberKey {
  int64_t v;
  int64_t a;
  uint32_t i;
};
// A run of strings: the first 16 bytes, zero-padded, as two big-endian
// numbers, order strings as their bytes do whenever they differ, and two
// strings of up to 16 bytes with equal prefixes differ only in length.
struct StringKey {
  uint64_t high;
  uint64_t low;
  std::string_view s;
  uint32_t i;
};

// StringKey's order, then the positions'.
bool StringKeyLess(const StringKey& x, const StringKey& y) {
  if (x.high != y.high) return x.high < y.high;
  if (x.low != y.low) return x.low < y.low;
  constexpr size_t kHeld = 16;
  if (x.s.size() > kHeld || y.s.size() > kHeld) {
    int c =
        x.s.substr(std::min(kHeld, x.s.size())).compare(y.s.substr(std::min(kHeld, y.s.size())));
    if (c != 0) return c < 0;
  } else if (x.s.size() != y.s.size()) {
    return x.s.size() < y.s.size();
  }
  return x.i < y.i;
}

bool AllOfType(const Keyed* first, const Keyed* last, ValueType type) {
  return std::all_of(first, last, [type](const Keyed& k) { return k.d->v.type() == type; });
}

bool IsNumberType(ValueType t) {
  return t == ValueType::kLong || t == ValueType::kRef || t == ValueType::kInstant;
}

int64_t NumberOf(const Value& v) {
  return v.type() == ValueType::kInstant ? v.AsInstant() : v.AsLong();
}

uint64_t PrefixOf(std::string_view s) {
  uint64_t p = 0;
  for (size_t i = 0; i < 8; ++i) p = p << 8 | (i < s.size() ? static_cast<uint8_t>(s[i]) : 0);
  return p;
}

// Sorts number keys by (v, a) (by v alone when all a are equal), stably: a
// least significant digit radix sort, one pass per byte in which the keys
// differ (a transaction's values of one attribute share most of theirs).
void RadixSort(std::vector<NumberKey>* keys) {
  std::vector<NumberKey> sorted(keys->size());
  auto by = [&](auto digit_of) {
    uint64_t any = 0;
    uint64_t all = ~uint64_t{0};
    for (const NumberKey& k : *keys) {
      any |= digit_of(k);
      all &= digit_of(k);
    }
    const uint64_t differing = any ^ all;
    for (int shift = 0; shift < 64; shift += 8) {
      if (((differing >> shift) & 0xff) == 0) continue;
      std::array<size_t, 257> starts{};
      for (const NumberKey& k : *keys) ++starts[((digit_of(k) >> shift) & 0xff) + 1];
      for (size_t b = 1; b < starts.size(); ++b) starts[b] += starts[b - 1];
      for (const NumberKey& k : *keys) sorted[starts[(digit_of(k) >> shift) & 0xff]++] = k;
      keys->swap(sorted);
    }
  };
  // Signed order as unsigned: flip the sign bit.
  constexpr uint64_t kSign = uint64_t{1} << 63;
  by([](const NumberKey& k) { return static_cast<uint64_t>(k.a) ^ kSign; });
  by([](const NumberKey& k) { return static_cast<uint64_t>(k.v) ^ kSign; });
}

// Puts [first, last) in the order of `keys` (each naming its position).
template <typename Key>
void Permute(Keyed* first, Keyed* last, const std::vector<Key>& keys) {
  std::vector<Keyed> copy(first, last);
  for (size_t j = 0; j < keys.size(); ++j) first[j] = copy[keys[j].i];
}

// Sorts [first, last) by v, stably (with_a: by v then a).
void SortByValue(Keyed* first, Keyed* last, bool with_a) {
  auto less = [with_a](const Keyed& x, const Keyed& y) {
    int c = CmpV(*x.d, *y.d);
    return c != 0 ? c < 0 : with_a && x.a < y.a;
  };
  if (std::is_sorted(first, last, less)) return;
  const ValueType type = first->d->v.type();
  const auto n = static_cast<uint32_t>(last - first);
  if (IsNumberType(type) && AllOfType(first, last, type)) {
    std::vector<NumberKey> keys(n);
    for (uint32_t i = 0; i < n; ++i) {
      keys[i] = NumberKey{NumberOf(first[i].d->v), with_a ? first[i].a : 0, i};
    }
    RadixSort(&keys);
    Permute(first, last, keys);
  } else if (type == ValueType::kString && !with_a && AllOfType(first, last, type)) {
    std::vector<StringKey> keys(n);
    for (uint32_t i = 0; i < n; ++i) {
      std::string_view s = first[i].d->v.AsString();
      keys[i] = StringKey{PrefixOf(s), PrefixOf(s.substr(std::min<size_t>(8, s.size()))), s, i};
    }
    std::sort(keys.begin(), keys.end(), StringKeyLess);
    Permute(first, last, keys);
  } else {
    std::stable_sort(first, last, less);
  }
}

std::vector<const Datom*> Pointers(const std::vector<Keyed>& keyed) {
  std::vector<const Datom*> out;
  out.reserve(keyed.size());
  for (const Keyed& k : keyed) out.push_back(k.d);
  return out;
}

Ordered Order(const std::vector<const Datom*>& all, const std::vector<const Datom*>& refs) {
  Ordered o;
  std::vector<Keyed> keyed = SortedEavt(all);
  o.eavt = Pointers(keyed);
  keyed = ByAttribute(keyed);
  o.aevt = Pointers(keyed);
  for (size_t i = 0; i < keyed.size();) {
    size_t j = i + 1;
    while (j < keyed.size() && keyed[j].a == keyed[i].a) ++j;
    SortByValue(keyed.data() + i, keyed.data() + j, /*with_a=*/false);
    i = j;
  }
  o.avet = Pointers(keyed);
  std::vector<Keyed> ref_keyed = SortedEavt(refs);
  if (!ref_keyed.empty()) {
    SortByValue(ref_keyed.data(), ref_keyed.data() + ref_keyed.size(), /*with_a=*/true);
  }
  o.vaet = Pointers(ref_keyed);
  return o;
}

// Up to this many changes to a part are sorted and made one by one: the
// batch's bookkeeping would cost more than it saves.
constexpr size_t kFewChanges = 32;

template <Index kIndex, typename Builder>
void EditEach(Builder* builder, std::vector<const Datom*> datoms, bool insert) {
  DatomOrder<kIndex> order;
  std::sort(datoms.begin(), datoms.end(),
            [&order](const Datom* x, const Datom* y) { return order(x, y) < 0; });
  for (const Datom* d : datoms) {
    if (insert) {
      builder->Insert(d);
    } else {
      builder->Erase(d);
    }
  }
}

}  // namespace

MemoryIndex MemoryIndex::With(const std::vector<Datom>& datoms, const Schema& schema) const {
  // Sort the transaction's changes into: current inserts, current erases,
  // history inserts; and the ref ones of each, for VAET.
  struct Changes {
    std::vector<const Datom*> all, refs;
    void Add(const Datom* d, bool is_ref) {
      all.push_back(d);
      if (is_ref) refs.push_back(d);
    }
  };
  Changes current_in, current_out, history_in;
  for (const Datom& d : datoms) {
    const Attribute* attr = schema.Find(d.a);
    bool is_ref = attr != nullptr && attr->is_ref();
    if (d.added) {
      current_in.Add(arena_->Add(d), is_ref);
      continue;
    }
    // A retraction retracts a fact current before this transaction: in
    // this index, or in the durable index beneath it. Then the retraction
    // alone joins the history part (even for :db/noHistory), where it hides
    // the durable assertion until the next indexing job removes both.
    const Datom* asserted = FindCurrent(d.e, d.a, d.v);
    if (asserted == nullptr) {
      history_in.Add(arena_->Add(d), is_ref);
      continue;
    }
    current_out.Add(asserted, is_ref);
    if (attr == nullptr || !attr->no_history) {
      history_in.Add(asserted, is_ref);
      history_in.Add(arena_->Add(d), is_ref);
    }
  }
  MemoryIndex next;
  next.arena_ = arena_;
  // Each set's edits in its order (clustered edits copy fewer nodes):
  // erasures one by one; insertions one by one for a few, else as one
  // sorted batch.
  auto apply = [](const Parts& base, const Changes& in, const Changes* out) {
    Set<Index::kEavt>::Builder eavt(base.eavt);
    Set<Index::kAevt>::Builder aevt(base.aevt);
    Set<Index::kAvet>::Builder avet(base.avet);
    Set<Index::kVaet>::Builder vaet(base.vaet);
    if (out != nullptr && out->all.size() <= kFewChanges) {
      EditEach<Index::kEavt>(&eavt, out->all, /*insert=*/false);
      EditEach<Index::kAevt>(&aevt, out->all, /*insert=*/false);
      EditEach<Index::kAvet>(&avet, out->all, /*insert=*/false);
      EditEach<Index::kVaet>(&vaet, out->refs, /*insert=*/false);
    } else if (out != nullptr) {
      Ordered gone = Order(out->all, out->refs);
      for (const Datom* d : gone.eavt) eavt.Erase(d);
      for (const Datom* d : gone.aevt) aevt.Erase(d);
      for (const Datom* d : gone.avet) avet.Erase(d);
      for (const Datom* d : gone.vaet) vaet.Erase(d);
    }
    if (in.all.size() <= kFewChanges) {
      EditEach<Index::kEavt>(&eavt, in.all, /*insert=*/true);
      EditEach<Index::kAevt>(&aevt, in.all, /*insert=*/true);
      EditEach<Index::kAvet>(&avet, in.all, /*insert=*/true);
      EditEach<Index::kVaet>(&vaet, in.refs, /*insert=*/true);
    } else {
      Ordered added = Order(in.all, in.refs);
      eavt.InsertSorted(added.eavt);
      aevt.InsertSorted(added.aevt);
      avet.InsertSorted(added.avet);
      vaet.InsertSorted(added.vaet);
    }
    return Parts{std::move(eavt).Build(), std::move(aevt).Build(), std::move(avet).Build(),
                 std::move(vaet).Build()};
  };
  next.parts_[0] = apply(parts_[0], current_in, &current_out);
  next.parts_[1] = history_in.all.empty() ? parts_[1] : apply(parts_[1], history_in, nullptr);
  return next;
}

std::unique_ptr<DatomCursor> MemoryIndex::Seek(Index index, Part part, const DatomKey& key,
                                               bool prefix_only) const {
  const Parts& p = parts_[static_cast<int>(part)];
  switch (index) {
    case Index::kEavt:
      return std::make_unique<SetCursor<Index::kEavt, Set<Index::kEavt>>>(p.eavt, arena_, key,
                                                                          prefix_only);
    case Index::kAevt:
      return std::make_unique<SetCursor<Index::kAevt, Set<Index::kAevt>>>(p.aevt, arena_, key,
                                                                          prefix_only);
    case Index::kAvet:
      return std::make_unique<SetCursor<Index::kAvet, Set<Index::kAvet>>>(p.avet, arena_, key,
                                                                          prefix_only);
    case Index::kVaet:
      return std::make_unique<SetCursor<Index::kVaet, Set<Index::kVaet>>>(p.vaet, arena_, key,
                                                                          prefix_only);
  }
  return nullptr;
}

int64_t MemoryIndex::Count(Index index, Part part, const DatomKey& key) const {
  const Parts& p = parts_[static_cast<int>(part)];
  switch (index) {
    case Index::kEavt:
      return CountKey<Index::kEavt>(p.eavt, key);
    case Index::kAevt:
      return CountKey<Index::kAevt>(p.aevt, key);
    case Index::kAvet:
      return CountKey<Index::kAvet>(p.avet, key);
    case Index::kVaet:
      return CountKey<Index::kVaet>(p.vaet, key);
  }
  return 0;
}

const Datom* MemoryIndex::First(Index index, Part part, const DatomKey& key) const {
  const Parts& p = parts_[static_cast<int>(part)];
  switch (index) {
    case Index::kEavt:
      return FirstOf<Index::kEavt>(p.eavt, key);
    case Index::kAevt:
      return FirstOf<Index::kAevt>(p.aevt, key);
    case Index::kAvet:
      return FirstOf<Index::kAvet>(p.avet, key);
    case Index::kVaet:
      return FirstOf<Index::kVaet>(p.vaet, key);
  }
  return nullptr;
}

void MemoryIndex::Scan(Index index, Part part, const DatomKey& key,
                       std::vector<const Datom*>* out) const {
  const Parts& p = parts_[static_cast<int>(part)];
  switch (index) {
    case Index::kEavt:
      return ScanKey<Index::kEavt>(p.eavt, key, out);
    case Index::kAevt:
      return ScanKey<Index::kAevt>(p.aevt, key, out);
    case Index::kAvet:
      return ScanKey<Index::kAvet>(p.avet, key, out);
    case Index::kVaet:
      return ScanKey<Index::kVaet>(p.vaet, key, out);
  }
}

void MemoryIndex::ScanEavt(const DatomKey& key, std::span<const EntityId> attrs, EavtFinger* finger,
                           std::vector<const Datom*>* out) const {
  const auto& set = parts_[static_cast<int>(Part::kCurrent)].eavt;
  KeyOrder<Index::kEavt> kc;
  auto end = set.end();
  auto& it = finger->it;
  // Nothing before the finger is of an entity after the last scan's: for
  // such a key the search starts there, unless the finger is past it.
  int c = finger->set && key.probe.e > finger->e && it != end ? kc(*it, key) : 1;
  if (c < 0 && !set.SeekInLeaf(&it, key, kc)) {
    // Likely in the next leaf (see SetCursor::SeekForward).
    it.ToNextLeaf();
    c = it != end && set.SeekInLeaf(&it, key, kc) ? 0 : 1;
  }
  if (c > 0) it = set.LowerBound(key, kc);
  finger->set = true;
  finger->e = key.probe.e;
  size_t next = 0;  // the first of attrs not yet passed
  for (; it != end; ++it) {
    const Datom* d = *it;
    if (kc(d, key) != 0) return;
    if (attrs.empty()) {
      out->push_back(d);
      continue;
    }
    while (next < attrs.size() && attrs[next] < d->a) ++next;
    if (next == attrs.size()) return;
    if (attrs[next] == d->a) out->push_back(d);
  }
}

const Datom* MemoryIndex::FindCurrent(EntityId e, EntityId a, const Value& v) const {
  DatomKey key{Datom{e, a, v, 0, true}, 3};
  const auto& set = parts_[0].eavt;
  auto it = set.LowerBound(key, KeyOrder<Index::kEavt>());
  if (it == set.end() || KeyOrder<Index::kEavt>()(*it, key) != 0) return nullptr;
  return *it;
}

size_t MemoryIndex::MemoryUsage() const {
  size_t bytes = arena_->MemoryUsage();
  for (const Parts& p : parts_) {
    bytes +=
        p.eavt.MemoryUsage() + p.aevt.MemoryUsage() + p.avet.MemoryUsage() + p.vaet.MemoryUsage();
  }
  return bytes;
}

}  // namespace strata::internal
