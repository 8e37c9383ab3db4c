// Indexing: merging a database's memory index into its durable trees
// (db_state.h, IndexNow).
//
// For each of the four orders:
//
//   current'  = current + memory current - { durable assertions the memory
//                                            index retracted }
//   history'  = history + memory history + those retracted assertions
//               - the retractions of :db/noHistory attributes
//
// A retraction in the memory index whose fact has no earlier assertion in
// the memory index retracts a durable assertion (MemoryIndex::With puts
// such retractions in the history part alone); that assertion is found in
// the durable EAVT current tree. Only the segments the changes fall in are
// written (MergeTree).
#include <algorithm>
#include <vector>

#include "db/db_state.h"
#include "strata/anomaly.h"

namespace strata::internal {
namespace {

std::vector<Datom> Drain(DatomCursor& cursor) {
  std::vector<Datom> out;
  while (const Datom* d = cursor.Next()) out.push_back(*d);
  return out;
}

void SortIn(Index index, std::vector<Datom>* datoms) {
  std::sort(datoms->begin(), datoms->end(),
            [index](const Datom& x, const Datom& y) { return CompareDatoms(index, x, y) < 0; });
}

}  // namespace

std::shared_ptr<DbState> IndexNow(const DbState& state, std::shared_ptr<Storage> storage,
                                  std::shared_ptr<SegmentCache> cache, const TreeOptions& options) {
  const Schema& schema = *state.schema;
  // The memory index's history, in EAVT order: each fact's datoms together,
  // oldest first. A retraction not preceded by the fact's assertion
  // retracts a durable one.
  std::vector<Datom> history = Drain(*state.index.Seek(Index::kEavt, Part::kHistory, {}, false));
  std::vector<Datom> retracted;  // durable assertions retracted since
  std::vector<Datom> dropped;    // memory retractions that go nowhere (:db/noHistory)
  for (size_t i = 0; i < history.size(); ++i) {
    const Datom& r = history[i];
    if (r.added) continue;
    bool asserted_in_memory = i > 0 && history[i - 1].added && SameFact(history[i - 1], r);
    if (asserted_in_memory) continue;
    if (!state.durable) {
      ThrowFault("The memory index retracts a fact that no index asserts");
    }
    DatomKey key{Datom{r.e, r.a, r.v, 0, true}, 3};
    auto cursor = state.durable->Seek(Index::kEavt, Part::kCurrent, key, /*prefix_only=*/true);
    const Datom* a = cursor->Next();
    if (a == nullptr) {
      ThrowFault("The memory index retracts a fact the durable index does not hold");
    }
    retracted.push_back(*a);
    const Attribute* attr = schema.Find(r.a);
    if (attr != nullptr && attr->no_history) dropped.push_back(r);
  }

  auto next = std::make_shared<DbState>(state);
  next->index = MemoryIndex();
  auto durable = std::make_shared<DurableIndex>();
  durable->storage = storage;
  durable->cache = cache;
  durable->t = state.basis_t;
  for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
    auto keep = [&](const Datom& d) {
      if (index != Index::kVaet) return true;
      const Attribute* attr = schema.Find(d.a);
      return attr != nullptr && attr->is_ref();
    };
    TreeRoot old_current, old_history;
    if (state.durable) {
      old_current = state.durable->root(index, Part::kCurrent);
      old_history = state.durable->root(index, Part::kHistory);
    }
    // Current: the memory index's current part in, the retracted out.
    std::vector<Datom> adds = Drain(*state.index.Seek(index, Part::kCurrent, {}, false));
    std::vector<Datom> removes;
    for (const Datom& d : retracted) {
      if (keep(d)) removes.push_back(d);
    }
    SortIn(index, &removes);
    SpanCursor add_cursor(adds), remove_cursor(removes);
    TreeRoot current = MergeTree(storage.get(), cache.get(), index, old_current, add_cursor,
                                 remove_cursor, options);
    // History: the memory index's history part and the retracted
    // assertions, except what :db/noHistory drops.
    std::vector<Datom> hadds = Drain(*state.index.Seek(index, Part::kHistory, {}, false));
    for (const Datom& d : retracted) {
      const Attribute* attr = schema.Find(d.a);
      if (keep(d) && !(attr != nullptr && attr->no_history)) hadds.push_back(d);
    }
    SortIn(index, &hadds);
    if (!dropped.empty()) {
      std::vector<Datom> drop = dropped;
      SortIn(index, &drop);
      auto less = [index](const Datom& x, const Datom& y) {
        return CompareDatoms(index, x, y) < 0;
      };
      hadds.erase(std::remove_if(hadds.begin(), hadds.end(),
                                 [&](const Datom& d) {
                                   return std::binary_search(drop.begin(), drop.end(), d, less);
                                 }),
                  hadds.end());
    }
    std::vector<Datom> none;
    SpanCursor hadd_cursor(hadds), none_cursor(none);
    TreeRoot hist = MergeTree(storage.get(), cache.get(), index, old_history, hadd_cursor,
                              none_cursor, options);
    durable->roots[static_cast<int>(index)][static_cast<int>(Part::kCurrent)] = current;
    durable->roots[static_cast<int>(index)][static_cast<int>(Part::kHistory)] = hist;
  }
  next->durable = std::move(durable);
  return next;
}

std::shared_ptr<DbState> StateFromIndex(std::shared_ptr<const DurableIndex> durable,
                                        int64_t next_counter, int64_t last_tx_instant) {
  // Every entity that defines an attribute or an ident, with its facts.
  absl::flat_hash_map<EntityId, std::vector<Datom>> defined;
  for (EntityId a : SchemaAttributes()) {
    DatomKey key{Datom{0, a, Value(), 0, true}, 1};
    auto cursor = durable->Seek(Index::kAevt, Part::kCurrent, key, /*prefix_only=*/true);
    while (const Datom* d = cursor->Next()) defined.try_emplace(d->e);
  }
  for (auto& [e, facts] : defined) {
    DatomKey key{Datom{e, 0, Value(), 0, true}, 1};
    facts = Drain(*durable->Seek(Index::kEavt, Part::kCurrent, key, /*prefix_only=*/true));
  }
  auto state = std::make_shared<DbState>();
  state->schema = UpdatedSchema(nullptr, defined);
  state->basis_t = durable->t;
  state->next_counter = next_counter;
  state->last_tx_instant = last_tx_instant;
  state->durable = std::move(durable);
  return state;
}

}  // namespace strata::internal
