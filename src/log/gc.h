// Garbage collection of storage: deleting the blobs that no database can
// reach any more, as Datomic's gc-storage does.
//
// A blob is live when the root of some database in the storage reaches it:
// every log blob of the root's chain (from its tail back through each
// blob's previous key) and every segment of every tree of its index
// pointer. Everything else is garbage: the segments an indexing job
// replaced, the segments of a job whose root CAS lost, the blobs of a
// deleted database, blobs a writer committed and then never published (it
// failed or died).
//
// Not every unreachable blob may be deleted yet. A writer commits index
// segments before the root CAS that publishes them, so an unreachable blob
// may be about to become reachable; and a process holding an older
// database value may still read segments its root no longer reaches. Blob
// keys tell when they were made (storage.h), so a pass deletes only
// unreachable blobs made before a cutoff, `older_than_ms`, which must come
// before the start of every write not yet published (leave more than the
// longest indexing job, plus how far the machines' clocks disagree) and
// before the making of every segment a reader may still use. Keys without a
// time (version 4, from older versions of Strata) are never deleted.
//
// A segment made long ago may be retired (no longer reached by the new
// root) only a moment ago, by a compaction, while database values taken
// before it still read it. So the transactor records what each compaction
// retires in a *garbage record*, written with the root CAS that retires
// it, and the root names the newest record:
//
//   root :garbage #uuid "R3"
//   R3 {:prev #uuid "R2" :retired [#uuid "..." ...]}   (EDN; key made at retirement)
//   R2 {:prev #uuid "R1" :retired [...]} ...
//
// A pass keeps every blob a record made at or after the cutoff lists (and
// the records), walking back from the root's newest until a record older
// than the cutoff (or one already deleted): so a retired segment lives
// until its retirement, not its making, is older than the cutoff. Older
// records are unreachable and go by the age rule. Blobs that a root stops
// reaching otherwise (log blobs packed into log segments, read only by
// TxRange from the newest root; a deleted database's) go by their own age.
//
// Thread safety: a pass may run beside writers and readers of the storage,
// in any process (see CollectGarbage). Two passes at once are safe, but one
// may stop with a fault when the other deletes blobs of a root it is still
// walking; run it again.
#ifndef STRATA_LOG_GC_H_
#define STRATA_LOG_GC_H_

#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/segment_cache.h"
#include "log/log_store.h"
#include "storage/storage.h"

namespace strata::internal {

using BlobSet = absl::flat_hash_set<Uuid, UuidHash>;

// What a pass found and did, in blobs (the public GcStats, strata/connection.h,
// says the same to applications).
struct GcStats {
  int64_t databases = 0;    // database roots read
  int64_t blobs = 0;        // blobs in the storage when they were listed
  int64_t reachable = 0;    // of them, reachable from some database's root
  int64_t deleted = 0;      // unreachable and made before the cutoff
  int64_t too_young = 0;    // unreachable, made or retired at or after the cutoff: kept
  int64_t unknown_age = 0;  // unreachable, keys without a time: kept
};

// Every blob `root`, the root of database `name` (for messages), reaches:
// its log blobs and the segments of its index trees (the trees' directories
// are read, through `cache` when it is not null). A missing or damaged log
// blob or directory is a fault anomaly; storage anomalies propagate.
BlobSet ReachableBlobs(Storage* storage, SegmentCache* cache, std::string_view name,
                       const DbRoot& root);

// A garbage record (see above), and its EDN blob; a damaged record is a
// fault anomaly naming `what`.
struct GarbageRecord {
  std::optional<Uuid> prev;
  std::vector<Uuid> retired;
};
std::string EncodeGarbageRecord(const GarbageRecord& record);
GarbageRecord DecodeGarbageRecord(std::string_view bytes, std::string_view what);

// The blobs `root`'s garbage records made at or after `older_than_ms` list,
// and those records: what a pass must keep although no root reaches it.
BlobSet RecentlyRetired(Storage* storage, std::string_view name, const DbRoot& root,
                        int64_t older_than_ms);

// The segments of the trees of `before` that `after`'s do not have: what
// replacing one durable index by the other retires.
std::vector<Uuid> RetiredSegments(Storage* storage, SegmentCache* cache,
                                  const std::vector<Tier>& before, const std::vector<Tier>& after);

// Blobs deleted by one Storage::Delete call.
inline constexpr size_t kGcDeleteBatch = 1000;

// One pass over the storage: deletes every blob that no database's root
// reaches and whose key was made before `older_than_ms` (Unix ms); `now_ms`
// is the time the pass starts. Nothing is deleted until every root has been
// read and walked and every blob listed, so an anomaly (a damaged root or
// segment is a fault; storage anomalies propagate) leaves the storage as it
// was, except that an anomaly from Delete itself may leave some of the
// garbage deleted. An `older_than_ms` after `now_ms` is an incorrect
// anomaly :db.error/invalid-gc-cutoff: blobs being written now must be
// kept.
GcStats CollectGarbage(Storage* storage, SegmentCache* cache, int64_t older_than_ms,
                       int64_t now_ms);

}  // namespace strata::internal

#endif  // STRATA_LOG_GC_H_
