// Indexing: the memory index written as a new tier of the durable index,
// and tiers merged by compaction (db_state.h).
//
// A new tier, for each of the four orders (VAET: refs only):
//
//   current   = the memory index's current part
//   history   = the memory index's history part, except...
//   retracts  = ...its retractions of facts the durable index asserts: a
//               retraction whose fact has no earlier assertion in the
//               memory index (MemoryIndex::With puts those in the history
//               part alone)
//
// Compaction merges a newer tier N into the older tier O before it. N's
// retracts either retract an assertion in O's current part (found in O's
// EAVT current tree) or one older still:
//
//   current  = O.current + N.current - { O's assertions N retracts }
//   history  = O.history + N.history + those assertions and retractions
//              (neither for :db/noHistory attributes)
//   retracts = O.retracts + N's retractions of facts older than O
//
// Only the segments the changes fall in are written (MergeTree).
#include <fmt/format.h>

#include <algorithm>
#include <future>
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

// The datoms of `datoms` that `index` holds (VAET: refs only), sorted in its
// order.
std::vector<Datom> ForIndex(const Schema& schema, Index index, const std::vector<Datom>& datoms) {
  std::vector<Datom> out;
  out.reserve(datoms.size());
  for (const Datom& d : datoms) {
    if (index == Index::kVaet) {
      const Attribute* attr = schema.Find(d.a);
      if (attr == nullptr || !attr->is_ref()) continue;
    }
    out.push_back(d);
  }
  if (index != Index::kEavt) {
    std::sort(out.begin(), out.end(),
              [index](const Datom& x, const Datom& y) { return CompareDatoms(index, x, y) < 0; });
  }
  return out;
}

TreeRoot Build(Storage* storage, Index index, const std::vector<Datom>& sorted,
               const TreeOptions& options) {
  SpanCursor cursor(sorted);
  return BuildTree(storage, index, cursor, options);
}

TreeRoot Merge(const DurableIndex& durable, Index index, const TreeRoot& old,
               const std::vector<Datom>& adds, const std::vector<Datom>& removes,
               const TreeOptions& options) {
  SpanCursor add_cursor(adds), remove_cursor(removes);
  return MergeTree(durable.storage.get(), durable.cache.get(), index, old, add_cursor,
                   remove_cursor, options);
}

bool NoHistory(const Schema& schema, const Datom& d) {
  const Attribute* attr = schema.Find(d.a);
  return attr != nullptr && attr->no_history;
}

// Tier `newer` merged into `older` (see the file comment).
Tier MergeTiers(const DurableIndex& durable, const Schema& schema, const Tier& older,
                const Tier& newer, const TreeOptions& options) {
  Storage* storage = durable.storage.get();
  SegmentCache* cache = durable.cache.get();
  auto all = [&](const Tier& tier, Index index, TierPart part) {
    auto cursor = OpenTree(storage, cache, index, tier.at(index, part), {}, false);
    return Drain(*cursor);
  };
  // Newer's retractions, EAVT order: of older's assertions, or of older ones.
  std::vector<Datom> retracted;    // older's assertions retracted
  std::vector<Datom> retractions;  // their retractions
  std::vector<Datom> unresolved;   // retractions of facts older than `older`
  for (const Datom& r : all(newer, Index::kEavt, TierPart::kRetracts)) {
    DatomKey key{Datom{r.e, r.a, r.v, 0, true}, 3};
    auto cursor = OpenTree(storage, cache, Index::kEavt, older.at(Index::kEavt, TierPart::kCurrent),
                           key, /*prefix_only=*/true);
    if (const Datom* a = cursor->Next()) {
      if (a->tx >= r.tx) ThrowFault("A tier retracts a fact that a newer tier asserts");
      retracted.push_back(*a);
      retractions.push_back(r);
    } else {
      unresolved.push_back(r);
    }
  }
  // What history gains from the resolved ones.
  std::vector<Datom> moved;
  for (size_t i = 0; i < retracted.size(); ++i) {
    if (NoHistory(schema, retracted[i])) continue;
    moved.push_back(retracted[i]);
    moved.push_back(retractions[i]);
  }
  Tier out;
  for (Index index : kIndexes) {
    out.at(index, TierPart::kCurrent) =
        Merge(durable, index, older.at(index, TierPart::kCurrent),
              all(newer, index, TierPart::kCurrent), ForIndex(schema, index, retracted), options);
    std::vector<Datom> history = all(newer, index, TierPart::kHistory);
    std::vector<Datom> more = ForIndex(schema, index, moved);
    history.insert(history.end(), more.begin(), more.end());
    std::sort(history.begin(), history.end(),
              [index](const Datom& x, const Datom& y) { return CompareDatoms(index, x, y) < 0; });
    out.at(index, TierPart::kHistory) =
        Merge(durable, index, older.at(index, TierPart::kHistory), history, {}, options);
    out.at(index, TierPart::kRetracts) = Merge(durable, index, older.at(index, TierPart::kRetracts),
                                               ForIndex(schema, index, unresolved), {}, options);
  }
  return out;
}

}  // namespace

std::shared_ptr<DbState> IndexNow(const DbState& state, std::shared_ptr<Storage> storage,
                                  std::shared_ptr<SegmentCache> cache, const TreeOptions& options) {
  const Schema& schema = *state.schema;
  // The memory index's history, in EAVT order: each fact's datoms together,
  // oldest first. A retraction not preceded by the fact's assertion
  // retracts a durable one.
  std::vector<Datom> history = Drain(*state.index.Seek(Index::kEavt, Part::kHistory, {}, false));
  std::vector<Datom> paired, lone;
  for (size_t i = 0; i < history.size(); ++i) {
    const Datom& d = history[i];
    bool is_lone = !d.added && !(i > 0 && history[i - 1].added && SameFact(history[i - 1], d));
    (is_lone ? lone : paired).push_back(d);
  }
  if (!lone.empty() && !state.durable) {
    ThrowFault("The memory index retracts a fact that no index asserts");
  }

  auto next = std::make_shared<DbState>(state);
  next->index = MemoryIndex();
  auto durable = std::make_shared<DurableIndex>();
  durable->storage = storage;
  durable->cache = std::move(cache);
  durable->t = state.basis_t;
  if (state.durable) durable->tiers = state.durable->tiers;
  Tier tier;
  auto build = [&](Index index) {
    tier.at(index, TierPart::kCurrent) = BuildTree(
        storage.get(), index, *state.index.Seek(index, Part::kCurrent, {}, false), options);
    tier.at(index, TierPart::kHistory) =
        Build(storage.get(), index, ForIndex(schema, index, paired), options);
    tier.at(index, TierPart::kRetracts) =
        Build(storage.get(), index, ForIndex(schema, index, lone), options);
  };
  // On two threads: EAVT and VAET on a second one, AEVT and AVET here (the
  // memory index, the schema and storage take concurrent callers; each
  // order's trees are its own). Leaving, the future waits for its thread.
  std::future<void> other = std::async(std::launch::async, [&] {
    build(Index::kEavt);
    build(Index::kVaet);
  });
  build(Index::kAevt);
  build(Index::kAvet);
  other.get();
  if (tier.datoms() > 0) durable->tiers.push_back(tier);
  next->durable = std::move(durable);
  return next;
}

bool NeedsCompaction(const DurableIndex& durable, int ratio) {
  size_t n = durable.tiers.size();
  return n >= 2 && durable.tiers[n - 1].datoms() * ratio >= durable.tiers[n - 2].datoms();
}

std::shared_ptr<DbState> CompactTiers(const DbState& state, int ratio, const TreeOptions& options) {
  if (ratio < 2) ThrowIncorrect("", fmt::format("the tier ratio must be 2 or more, not {}", ratio));
  auto next = std::make_shared<DbState>(state);
  if (!state.durable || !NeedsCompaction(*state.durable, ratio)) return next;
  auto durable = std::make_shared<DurableIndex>(*state.durable);
  while (NeedsCompaction(*durable, ratio)) {
    Tier newer = durable->tiers.back();
    durable->tiers.pop_back();
    durable->tiers.back() =
        MergeTiers(*durable, *state.schema, durable->tiers.back(), newer, options);
  }
  next->durable = std::move(durable);
  return next;
}

std::shared_ptr<DbState> StateFromIndex(std::shared_ptr<const DurableIndex> durable,
                                        int64_t next_counter, int64_t last_tx_instant) {
  auto state = std::make_shared<DbState>();
  state->basis_t = durable->t;
  state->next_counter = next_counter;
  state->last_tx_instant = last_tx_instant;
  state->durable = std::move(durable);
  // Every entity that defines an attribute or an ident, with its facts.
  absl::flat_hash_map<EntityId, std::vector<Datom>> defined;
  for (EntityId a : SchemaAttributes()) {
    DatomKey key{Datom{0, a, Value(), 0, true}, 1};
    auto cursor = OpenCurrent(*state, Index::kAevt, key, /*prefix_only=*/true);
    while (const Datom* d = cursor->Next()) defined.try_emplace(d->e);
  }
  for (auto& [e, facts] : defined) {
    DatomKey key{Datom{e, 0, Value(), 0, true}, 1};
    facts = Drain(*OpenCurrent(*state, Index::kEavt, key, /*prefix_only=*/true));
  }
  state->schema = UpdatedSchema(nullptr, defined);
  return state;
}

}  // namespace strata::internal
