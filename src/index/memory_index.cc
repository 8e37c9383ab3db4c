// The memory index (see memory_index.h).
#include "index/memory_index.h"

#include <algorithm>

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
    if (prefix_only_ && KeyOrder<kIndex>()(d, key_) != 0) {
      it_ = end_;
      return nullptr;
    }
    ++it_;
    return d;
  }

 private:
  SetT set_;
  std::shared_ptr<DatomArena> arena_;
  DatomKey key_;
  bool prefix_only_;
  typename SetT::Iterator it_;
  typename SetT::Iterator end_;
};

template <Index kIndex, typename SetT>
int64_t CountKey(const SetT& set, const DatomKey& key) {
  if (key.n == 0) return static_cast<int64_t>(set.Size());
  KeyOrder<kIndex> kc;
  return static_cast<int64_t>(set.UpperBound(key, kc).rank() - set.LowerBound(key, kc).rank());
}

}  // namespace

MemoryIndex::MemoryIndex() : arena_(std::make_shared<DatomArena>()) {}

namespace {

// Applies inserts or erases to one index's builder in that index's order:
// clustered edits copy fewer nodes, and appends in order leave leaves full.
template <Index kIndex, typename Builder>
void ApplySorted(Builder* builder, std::vector<const Datom*> datoms, bool insert) {
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
  auto apply = [](const Parts& base, const Changes& in, const Changes* out) {
    Set<Index::kEavt>::Builder eavt(base.eavt);
    Set<Index::kAevt>::Builder aevt(base.aevt);
    Set<Index::kAvet>::Builder avet(base.avet);
    Set<Index::kVaet>::Builder vaet(base.vaet);
    if (out != nullptr) {
      ApplySorted<Index::kEavt>(&eavt, out->all, false);
      ApplySorted<Index::kAevt>(&aevt, out->all, false);
      ApplySorted<Index::kAvet>(&avet, out->all, false);
      ApplySorted<Index::kVaet>(&vaet, out->refs, false);
    }
    ApplySorted<Index::kEavt>(&eavt, in.all, true);
    ApplySorted<Index::kAevt>(&aevt, in.all, true);
    ApplySorted<Index::kAvet>(&avet, in.all, true);
    ApplySorted<Index::kVaet>(&vaet, in.refs, true);
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
