// Durable index trees: one part (current or history) of one index (EAVT,
// AEVT, AVET or VAET) as a tree of immutable segments in storage
// (DESIGN.md section 3):
//
//   TreeRoot {root, count, height}
//      |
//   [directory]            level height - 1 (the root), up to `fanout` children
//      |       |
//   [directory] ...        each entry: first datom, UUID, kind, datom count
//      |
//   [leaf][leaf][leaf]     level 0, about `leaf_datoms` datoms each
//
// Every level is full depth: all leaves are at level 0, every directory at
// level L lists segments of level L - 1. A directory entry's first datom is
// the first datom under that child, so a seek binary-searches directories,
// and its count is the datoms under it, so counts add without reading
// leaves. Segments are never changed: MergeTree writes new leaves for the
// ranges its changes fall in and new directories on the paths above them,
// and reuses every other subtree by its UUID.
//
// Reading is checked: each segment must be of the kind and index its place
// in the tree needs, and match its directory entry (first datom, count, and
// below the next entry's first datom). Damage anywhere is an Anomaly of
// category fault naming the segment, never a crash or an out-of-order
// answer.
//
// Thread safety: trees are immutable, so any number of threads may read one
// tree (through one cache) at once; a cursor is used by one thread at a
// time.
#ifndef STRATA_INDEX_DURABLE_TREE_H_
#define STRATA_INDEX_DURABLE_TREE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "index/datom_order.h"
#include "index/memory_index.h"
#include "index/segment.h"
#include "index/segment_cache.h"
#include "storage/storage.h"

namespace strata::internal {

// A tree, as its publisher records it. The empty tree has no root.
struct TreeRoot {
  std::optional<Uuid> root;
  int64_t count = 0;  // the datoms in the tree
  int height = 0;     // segments from the root to a leaf: 1 is a lone leaf; 0 empty

  bool empty() const { return !root.has_value(); }
  friend bool operator==(const TreeRoot&, const TreeRoot&) = default;
};

// The parts of one tier of a durable index (db_state.h explains tiers).
enum class TierPart : uint8_t { kCurrent = 0, kHistory = 1, kRetracts = 2 };
inline constexpr int kTierParts = 3;

// One tier: for each of EAVT, AEVT, AVET and VAET, its trees of
//   current   the assertions of the tier's transactions still true at its end
//   history   the tier's retractions of facts it asserted, and those assertions
//   retracts  the tier's retractions of facts an older tier asserts
// (an older tier's assertion stays in that tier until the two merge).
struct Tier {
  std::array<std::array<TreeRoot, kTierParts>, 4> trees;

  const TreeRoot& at(Index index, TierPart part) const {
    return trees[static_cast<int>(index)][static_cast<int>(part)];
  }
  TreeRoot& at(Index index, TierPart part) {
    return trees[static_cast<int>(index)][static_cast<int>(part)];
  }
  // The tier's datoms (EAVT holds every one).
  int64_t datoms() const {
    int64_t n = 0;
    for (const TreeRoot& t : trees[0]) n += t.count;
    return n;
  }
  friend bool operator==(const Tier&, const Tier&) = default;
};

struct TreeOptions {
  // Datoms a leaf is built with. MergeTree lets a leaf grow to twice this
  // before splitting it, and merges a leaf it wrote with a neighbour when it
  // has fewer than half (see MergeTree).
  size_t leaf_datoms = 4096;
  // The most children a directory has (at least 2).
  size_t fanout = 512;
  // New blobs are committed to storage in batches of about this many bytes.
  size_t batch_bytes = size_t{4} << 20;
};

// What a build or merge did: for accounting, garbage collection and tests.
struct TreeStats {
  int64_t leaves_written = 0;
  int64_t directories_written = 0;
  int64_t bytes_written = 0;
  int64_t commits = 0;
  // Segments looked up (through the cache when there is one) by a merge.
  int64_t segments_read = 0;
  std::vector<Uuid> new_keys;  // every segment written, in writing order
};

// A cursor over a span of datoms (which must outlive it): how sorted
// vectors become BuildTree and MergeTree inputs.
class SpanCursor : public DatomCursor {
 public:
  explicit SpanCursor(std::span<const Datom> datoms) : datoms_(datoms) {}
  const Datom* Next() override { return pos_ < datoms_.size() ? &datoms_[pos_++] : nullptr; }
  bool Stable() const override { return true; }

 private:
  std::span<const Datom> datoms_;
  size_t pos_ = 0;
};

// Writes a tree of `sorted`'s datoms, bottom-up: leaves of
// options.leaf_datoms datoms (the last two share what is left, so that none
// has fewer than half unless the tree is one leaf), then directories of up
// to options.fanout children, split evenly, until one root remains. Blobs
// are committed in batches with Storage::Commit (no root CAS): when
// BuildTree returns, every segment of the tree is durable, and publishing
// the root is the caller's business. An empty cursor gives the empty tree
// and writes nothing.
// Throws an Anomaly of category incorrect if the datoms are not strictly
// ascending in `index`'s order or have a negative e, a or tx; storage
// anomalies propagate (blobs written before are garbage, never reachable).
// Options outside leaf_datoms >= 1, fanout >= 2 are incorrect too.
TreeRoot BuildTree(Storage* storage, Index index, DatomCursor& sorted,
                   const TreeOptions& options = {}, TreeStats* stats = nullptr);

// A new tree holding old's datoms plus `additions` minus `removals` (both
// strictly ascending in `index`'s order; a removal that is not in the tree
// is ignored, an addition equal by CompareDatoms to a datom of the tree
// replaces it, and a datom both added and removed is removed). Only the
// segments whose ranges the changes fall in are written again, with the
// directories on their paths; every other subtree is reused by UUID, so
// the cost grows with the changes times the height, not with the tree.
//
// Leaves: a leaf written by the merge keeps up to 2 * leaf_datoms datoms;
// past that it is split into leaves of about leaf_datoms. A written leaf
// with fewer than leaf_datoms / 2 is merged with a neighbour (which is then
// written again too) and split again if that makes it too big. Directories
// alike, between fanout / 2 and fanout children. The height grows when the
// root splits, and shrinks when the root is left with one child. Blobs are
// committed as BuildTree's. `cache` may be null.
// Throws as BuildTree, and a fault anomaly if the old tree is damaged.
TreeRoot MergeTree(Storage* storage, SegmentCache* cache, Index index, const TreeRoot& old,
                   DatomCursor& additions, DatomCursor& removals, const TreeOptions& options = {},
                   TreeStats* stats = nullptr);

// The datoms of the tree matching the key's leading components
// (prefix_only), or from the first one not before the key to the end:
// exactly MemoryIndex::Seek's semantics. Segments are read lazily through
// `cache` (which may be null): the first Next() reads `height` segments
// (and one leaf more when a partial key's first match may be the first
// datom of a leaf: the leaf before it is read first), later ones read each
// following leaf as it is reached, and a prefix seek stops at a directory
// entry past the prefix without reading it.
// Next() throws a fault anomaly naming a damaged or missing segment.
//
// Datom lifetime: the cursor keeps alive every leaf holding a datom of the
// last four distinct facts (e, a, v) it returned, so a datom stays valid
// until the cursor has returned datoms of four other facts after it: enough
// for seek.cc's TimeCursor (which holds the run of one fact and the first
// datom of the next) over seek.cc's MergeCursor (one datom of lookahead
// per source, however many sources). Memory held is therefore bounded by the leaves spanned
// by four facts' datoms, not by how far the cursor has read.
// REQUIRES: storage, and cache if not null, outlive the cursor; `root` is a
// tree of `index`.
std::unique_ptr<DatomCursor> OpenTree(Storage* storage, SegmentCache* cache, Index index,
                                      const TreeRoot& root, const DatomKey& key, bool prefix_only);

// How many datoms of the tree match the key's leading components: exact.
// Whole children inside the range are counted from their directory
// entries; only the segments at the range's two ends are read (at most two
// a level). Throws a fault anomaly as OpenTree's cursor.
int64_t CountTree(Storage* storage, SegmentCache* cache, Index index, const TreeRoot& root,
                  const DatomKey& key);

// Every segment of the tree (for garbage collection and tests), parents
// before children. Reads every directory, none of the leaves.
std::vector<Uuid> ListTreeSegments(Storage* storage, SegmentCache* cache, Index index,
                                   const TreeRoot& root);

}  // namespace strata::internal

#endif  // STRATA_INDEX_DURABLE_TREE_H_
