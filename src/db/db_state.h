// The state behind a Database value: schema, memory index and clocks.
// Immutable once published; shared by every Database of the same basis.
#ifndef STRATA_DB_DB_STATE_H_
#define STRATA_DB_DB_STATE_H_

#include <memory>

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

// Opens a cursor over `db`'s view of `index`: the memory index's parts
// merged, with the view's time filter and user filter applied. With
// prefix_only, only datoms matching the key's leading components.
std::unique_ptr<DatomCursor> OpenCursor(const Database& db, Index index, const DatomKey& key,
                                        bool prefix_only);

}  // namespace strata::internal

#endif  // STRATA_DB_DB_STATE_H_
