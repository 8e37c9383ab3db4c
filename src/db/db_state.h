// The state behind a Database value: schema, memory index and clocks.
// Immutable once published; shared by every Database of the same basis.
#ifndef STRATA_DB_DB_STATE_H_
#define STRATA_DB_DB_STATE_H_

#include <absl/container/flat_hash_map.h>

#include <array>
#include <memory>
#include <span>
#include <vector>

#include "db/schema.h"
#include "index/durable_tree.h"
#include "index/memory_index.h"
#include "index/segment_cache.h"
#include "storage/storage.h"

namespace strata::internal {

// The durable index beneath a database's memory index: every transaction
// up to t, in tiers of trees (durable_tree.h's Tier), oldest first. Each
// tier holds the transactions of one span of t: an indexing job writes the
// memory index as a new tier (its cost grows with the memory index alone),
// and compaction merges the newest tier into the one before it when the
// newer holds at least 1/ratio of the older's datoms, so that tiers shrink
// geometrically from the oldest: a few tiers, and each datom rewritten a few
// times over its life rather than once per job (an LSM tree's leveling,
// with trees of segments as levels). Readers merge every tier's sources
// (seek.cc). Immutable.
struct DurableIndex {
  std::shared_ptr<Storage> storage;
  std::shared_ptr<SegmentCache> cache;
  // The last transaction the trees hold.
  int64_t t = 0;
  std::vector<Tier> tiers;

  // A cursor over one tree, with MemoryIndex::Seek's semantics.
  std::unique_ptr<DatomCursor> Seek(size_t tier, Index index, TierPart part, const DatomKey& key,
                                    bool prefix_only) const {
    return OpenTree(storage.get(), cache.get(), index, tiers[tier].at(index, part), key,
                    prefix_only);
  }
};

struct DbState {
  std::shared_ptr<const Schema> schema;
  // Null until the first indexing job; then the memory index holds only the
  // transactions after durable->t.
  std::shared_ptr<const DurableIndex> durable;
  MemoryIndex index;
  // The t of the last transaction (0 after the bootstrap).
  int64_t basis_t = 0;
  // The next entity counter: the next transaction's t, and the first counter
  // of the entities it creates. One sequence for all partitions, as Datomic.
  int64_t next_counter = sys::kFirstUserCounter;
  // The last transaction's :db/txInstant (ms); instants never go backwards.
  int64_t last_tx_instant = 0;

  // The state of a new database: the bootstrap transaction applied.
  static std::shared_ptr<const DbState> Bootstrap();
};

// The state after a transaction's datoms: the memory index with them
// applied, the schema with every changed attribute or ident rebuilt from its
// facts, basis t = `t`, the entity counter past every entity the datoms
// name, and the transaction's :db/txInstant. The one way a new state is made,
// by a transaction (after it validated the datoms) or by replaying the log.
// REQUIRES: the datoms are a transaction's tx-data, consistent with `before`.
std::shared_ptr<DbState> ApplyDatoms(const DbState& before, int64_t t,
                                     const std::vector<Datom>& datoms);

// Whether datoms of attribute `a` define attributes or idents, and all
// such attributes.
bool IsSchemaFact(EntityId a);
std::span<const EntityId> SchemaAttributes();

// `base` (or an empty schema) with each entity of `changed` defined by its
// facts (its current schema datoms).
std::shared_ptr<Schema> UpdatedSchema(
    const Schema* base, const absl::flat_hash_map<EntityId, std::vector<Datom>>& changed);

// The state of a database as its durable index holds it: no memory index,
// the schema read from the trees, and the clocks the index recorded.
std::shared_ptr<DbState> StateFromIndex(std::shared_ptr<const DurableIndex> durable,
                                        int64_t next_counter, int64_t last_tx_instant);

// The datoms of `index` true now in `state` (its basis), matching the key's
// leading components (prefix_only) or from the key on: the memory index's
// current part, merged with the durable index when there is one (where a
// retraction in the memory index hides the durable assertion).
std::unique_ptr<DatomCursor> OpenCurrent(const DbState& state, Index index, const DatomKey& key,
                                         bool prefix_only);

// A state with every datom of `state` in its durable index and an empty
// memory index: the memory index written as a new tier on top of the
// durable index's (new segments written to `storage`, none rewritten).
// Everything else (schema, basis, counters) is unchanged. The indexing
// job's work, done synchronously.
std::shared_ptr<DbState> IndexNow(const DbState& state, std::shared_ptr<Storage> storage,
                                  std::shared_ptr<SegmentCache> cache,
                                  const TreeOptions& options = {});

// Whether `durable`'s newest tier holds at least 1/ratio of the datoms of
// the tier before it (so CompactTiers would merge them).
bool NeedsCompaction(const DurableIndex& durable, int ratio);

// `state` with its durable index's tiers merged, newest into the one before,
// while NeedsCompaction: only the segments the newer tier's datoms fall in
// are written again (MergeTree). An older tier's assertion that the newer
// retracts moves to history (both are dropped for :db/noHistory
// attributes). The database it reads is the same; everything but the
// durable index is unchanged. REQUIRES: ratio >= 2.
std::shared_ptr<DbState> CompactTiers(const DbState& state, int ratio,
                                      const TreeOptions& options = {});

// Opens a cursor over `db`'s view of `index`: the memory index's parts
// merged, with the view's time filter and user filter applied. With
// prefix_only, only datoms matching the key's leading components.
std::unique_ptr<DatomCursor> OpenCursor(const Database& db, Index index, const DatomKey& key,
                                        bool prefix_only);

// Database::Count for a resolved key: an estimate (exact for the memory
// index) of the datoms of `index` matching the key's leading components.
int64_t CountKey(const Database& db, Index index, const DatomKey& key);

}  // namespace strata::internal

#endif  // STRATA_DB_DB_STATE_H_
