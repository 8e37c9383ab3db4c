// The memory index: every datom of the database (until durable indexes
// exist, and afterwards the novelty since the last indexing job), in the four
// index orders, each with a current part (facts true now) and a history part
// (retracted assertions and their retractions).
//
// A MemoryIndex is immutable: With() returns a new one that shares all
// unchanged structure, so taking a snapshot for a database value is O(1) and
// readers on any thread never block the writer. Datoms live once, in an
// append-only arena shared by all versions; the sets hold pointers to them.
//
//   current:  EAVT  AEVT  AVET  VAET(refs)      persistent B+trees of
//   history:  EAVT  AEVT  AVET  VAET(refs)      const Datom*
//   arena:    [chunk][chunk]...                 Datoms, never moved
#ifndef STRATA_INDEX_MEMORY_INDEX_H_
#define STRATA_INDEX_MEMORY_INDEX_H_

#include <array>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "db/schema.h"
#include "index/datom_order.h"
#include "index/persistent_sorted_set.h"
#include "strata/database.h"

namespace strata::internal {

// An ordered stream of datoms: the one shape every index source has.
class DatomCursor {
 public:
  virtual ~DatomCursor() = default;
  // The next datom, or nullptr at the end. A datom stays valid while the
  // source it came from is alive (cursors keep their source alive).
  virtual const Datom* Next() = 0;
  // Whether every datom returned stays valid while the cursor lives,
  // however far it reads on (the memory index's cursors and span cursors;
  // a durable tree's cursor lets go of leaves behind it), so that a reader
  // may keep pointers to them rather than copies.
  virtual bool Stable() const { return false; }
  // Moves on to the first datom at or after `key` and, for a cursor of a
  // prefix, keeps to the datoms matching key's leading components from
  // then on: a lookup after a lookup without opening a new cursor (the
  // query engine looks up bound values in order). False when this cursor
  // cannot; then it is unchanged and the caller opens another.
  // REQUIRES: key is after the previous key in the index's order (the
  // datoms of an equal key are behind the cursor already).
  virtual bool SeekForward(const DatomKey& /*key*/) { return false; }
};

enum class Part : uint8_t { kCurrent = 0, kHistory = 1 };

// Append-only storage for datoms; a datom's address never changes.
// Thread-safe: appends take a lock; reads of published datoms need none.
class DatomArena {
 public:
  DatomArena() = default;
  DatomArena(const DatomArena&) = delete;
  DatomArena& operator=(const DatomArena&) = delete;

  const Datom* Add(const Datom& d);
  // Bytes held by datom slots (string and collection payloads excluded).
  size_t MemoryUsage() const;

 private:
  static constexpr size_t kChunkDatoms = 4096;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Datom[]>> chunks_;  // GUARDED_BY(mutex_)
  size_t used_in_last_ = kChunkDatoms;            // GUARDED_BY(mutex_)
};

class MemoryIndex {
 public:
  // An empty index with a new arena.
  MemoryIndex();

  // A new index with one transaction's datoms applied, in order. An
  // assertion joins the current part. A retraction removes the fact's current
  // assertion, and both go to the history part, unless the attribute is
  // :db/noHistory (then both vanish). A retraction of a fact this index does
  // not hold (it is in the durable index beneath) goes to the history part
  // alone, where it hides the durable assertion. Only ref attributes are in
  // VAET.
  // REQUIRES: every retraction retracts a fact current in this index or the
  // durable one beneath it (not one asserted by `datoms` themselves) and no
  // assertion asserts a current fact (the transaction pipeline guarantees
  // both).
  MemoryIndex With(const std::vector<Datom>& datoms, const Schema& schema) const;

  // Datoms of one part of `index` matching the key's leading components
  // (prefix_only), or from the first one not before the key to the end.
  std::unique_ptr<DatomCursor> Seek(Index index, Part part, const DatomKey& key,
                                    bool prefix_only) const;
  // How many datoms of the part match the key's leading components. O(log n).
  int64_t Count(Index index, Part part, const DatomKey& key) const;
  // The current assertion of fact (e, a, v), or nullptr.
  const Datom* FindCurrent(EntityId e, EntityId a, const Value& v) const;
  // The first datom of the part matching the key's leading components, or
  // nullptr: Seek's first answer, without making a cursor.
  const Datom* First(Index index, Part part, const DatomKey& key) const;
  // Appends the datoms of the part matching the key's leading components to
  // *out, in order: Seek(prefix_only) without a cursor, for readers that
  // take a few datoms at a time (pull). The pointers stay valid while this
  // index lives.
  void Scan(Index index, Part part, const DatomKey& key, std::vector<const Datom*>* out) const;
  // Scan of the current part's EAVT from a finger: a position an earlier
  // scan left, from which a key a little way on is found in its leaf rather
  // than from the root (pull reads entities mostly in ascending order).
  // With `attrs` (sorted) non-empty, only datoms of those attributes are
  // appended, and the scan stops past the last.
  class EavtFinger;
  void ScanEavt(const DatomKey& key, std::span<const EntityId> attrs, EavtFinger* finger,
                std::vector<const Datom*>* out) const;

  size_t size(Part part) const { return eavt(part).Size(); }
  // Node bytes of the eight sets plus datom slots in the arena.
  size_t MemoryUsage() const;

 private:
  // Leaves of 64 datoms, branches of 16 children: a transaction copies the
  // branches on its paths and takes a reference to each of their children,
  // so narrow branches make small transactions cheaper (measured with
  // bench/tx_bench and the side-by-side add-1: a third less time than 64).
  template <Index kIndex>
  using Set = PersistentSortedSet<const Datom*, DatomOrder<kIndex>, 64, 16>;

 public:
  // Valid while the index it was used with lives; starts unset.
  class EavtFinger {
   private:
    friend class MemoryIndex;
    Set<Index::kEavt>::Iterator it;
    bool set = false;
    // The entity of the last scan: `it` is at or before the end of its
    // datoms, and after every datom of an entity before it.
    EntityId e = 0;
  };

 private:
  struct Parts {
    Set<Index::kEavt> eavt;
    Set<Index::kAevt> aevt;
    Set<Index::kAvet> avet;
    Set<Index::kVaet> vaet;
  };
  const Set<Index::kEavt>& eavt(Part part) const { return parts_[static_cast<int>(part)].eavt; }

  std::shared_ptr<DatomArena> arena_;
  std::array<Parts, 2> parts_;
};

}  // namespace strata::internal

#endif  // STRATA_INDEX_MEMORY_INDEX_H_
