// The state behind a Database value: schema, memory index and clocks.
// Immutable once published; shared by every Database of the same basis.
#ifndef STRATA_DB_DB_STATE_H_
#define STRATA_DB_DB_STATE_H_

#include <memory>
#include <vector>

#include "db/schema.h"
#include "index/memory_index.h"

namespace strata::internal {

struct DbState {
  std::shared_ptr<const Schema> schema;
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

// Whether datoms of attribute `a` define attributes or idents.
bool IsSchemaFact(EntityId a);

// Opens a cursor over `db`'s view of `index`: the memory index's parts
// merged, with the view's time filter and user filter applied. With
// prefix_only, only datoms matching the key's leading components.
std::unique_ptr<DatomCursor> OpenCursor(const Database& db, Index index, const DatomKey& key,
                                        bool prefix_only);

}  // namespace strata::internal

#endif  // STRATA_DB_DB_STATE_H_
