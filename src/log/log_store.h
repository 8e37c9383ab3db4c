// LogStore: a database's root and transaction log in a Storage.
//
// Each database is one root, "db/NAME", holding (as EDN)
//
//   {:format 1 :uuid #uuid "..." :epoch 3 :t 1042 :tail #uuid "..."
//    :index {:t 1000 :next-counter 1040 :last-instant 1763800000000
//            :tiers [[[#uuid "..." 5210 2] [nil 0 0] ...] ...]}}
//
// the format version, the database's own UUID, the writer's epoch (bumped
// by the first commit of a writer that did not make the previous one, so it
// counts handovers between writers; what stops a stale writer is the CAS on
// the root's revision), the t of the last logged transaction, the key of
// the newest log blob (absent while the log is empty), and where the durable
// index is (absent until the first indexing job): its tiers, oldest first,
// each for EAVT, AEVT, AVET and VAET in turn its current, history and
// retracts trees as [root count height] (12 trees; a root written before
// tiers has :trees instead, the 8 current and history trees of one tier).
// A root may also hold
//
//    :log-index {:t 1000 :dir #uuid "..."}
//
// the log directory of the packed part of the log (log_segment.h): every
// transaction with t <= 1000 is in its segments; and :garbage #uuid "...",
// the newest garbage record (gc.h). Log blobs are immutable
// and chained backwards:
//
//   +--------+---------+-----------+----------------+-----------+---------------------+--------+
//   | "SLGB" | version | has_prev  | prev key       | n varint  | n x (varint len,    | xxh64  |
//   | 4 B    | u8 = 1  | u8        | 16 B (or none) |           |      log entry)     | 8 B LE |
//   +--------+---------+-----------+----------------+-----------+---------------------+--------+
//
// One blob holds the entries of one group commit (log_entry.h draws an
// entry). Appending writes the new blob and moves the root's tail in one
// atomic storage write, so an entry is in the log exactly when the root can
// reach it: nothing half-written is ever visible, and a writer whose root
// revision is stale cannot fork history.
//
// Packing (PackLog) copies the chain's entries up to a t into log segments
// of thousands of entries and writes a new directory; the writer publishes
// it with its next root CAS (the transactor: with the index pointer of the
// indexing job that packed). Reading a range then takes the packed part
// from the segments it falls in (found by binary search in the directory)
// and walks the chain back only to the packed t, so an old range costs the
// segments it needs, not the history after it. Chain blobs wholly before
// the packed t are garbage (LogBlobs lists the rest).
//
// Thread safety: a LogStore holds no mutable state; calls may come from any
// thread. Storage errors propagate as the storage's anomalies.
#ifndef STRATA_LOG_LOG_STORE_H_
#define STRATA_LOG_LOG_STORE_H_

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "index/durable_tree.h"
#include "log/log_segment.h"
#include "storage/storage.h"
#include "strata/database.h"

namespace strata::internal {

inline constexpr int64_t kRootFormat = 1;

// Where a database's durable index is: the trees of the four orders'
// current and history parts, holding every transaction up to t, and the
// clocks of the database at t (so opening need not replay the log before).
struct IndexPointer {
  int64_t t = 0;
  int64_t next_counter = 0;
  int64_t last_tx_instant = 0;
  // Oldest first (db_state.h's DurableIndex).
  std::vector<Tier> tiers;
  friend bool operator==(const IndexPointer&, const IndexPointer&) = default;
};

// Calls f(index, part, tree) for every tree of `pointer`: tier by tier,
// oldest first, each tier's trees in Tier::trees order. Whatever must visit every tree of an index
// (garbage collection) goes through here, so that a new shape of IndexPointer is taught to it in
// one place.
void ForEachTree(const IndexPointer& pointer,
                 const std::function<void(Index, TierPart, const TreeRoot&)>& f);

struct DbRoot {
  int64_t format = kRootFormat;
  Uuid uuid;
  int64_t epoch = 0;
  int64_t t = 0;
  std::optional<Uuid> tail;
  std::optional<IndexPointer> index;
  std::optional<LogIndexPointer> log_index;
  // The newest garbage record (gc.h): what indexing jobs retired, and when.
  std::optional<Uuid> garbage;
};

// How PackLog cuts segments: a segment is closed once it holds
// `max_entries` entries or `max_bytes` bytes of encoded entries (before
// compression; a larger entry has a segment to itself).
struct LogPackOptions {
  int64_t max_entries = 4096;
  size_t max_bytes = size_t{1} << 20;
};

// The root's EDN text, and back (a damaged root is a fault anomaly).
std::string EncodeRoot(const DbRoot& root);
DbRoot DecodeRoot(std::string_view text, std::string_view what);

class LogStore {
 public:
  // REQUIRES: storage outlives the LogStore.
  LogStore(Storage* storage, std::string name);

  // The root's storage name for a database name.
  static std::string RootName(std::string_view name) { return "db/" + std::string(name); }

  // Creates the database (an empty log, a new UUID); false if it exists.
  bool Create();
  // Deletes the database's root (its blobs become garbage); false if absent.
  bool Delete();
  // The root and its revision, or nullopt if the database does not exist.
  std::optional<std::pair<Root, DbRoot>> ReadRoot() const;

  // Every logged transaction with t > after_t, oldest first.
  std::vector<LogEntry> ReadEntries(const DbRoot& root, int64_t after_t) const;

  // Every logged transaction with start <= t < end, oldest first: those up
  // to the root's packed t from the segments the range falls in, the rest
  // from the chain, walked back no further than the packed t (and start).
  // A damaged, missing or out-of-order blob is a fault.
  std::vector<LogEntry> ReadRange(const DbRoot& root, int64_t start, int64_t end) const;

  // Packs the log of `root` up to t = min(up_to_t, root.t): writes log
  // segments for the entries after the root's packed t and a new directory
  // listing them after the older segments (which are kept; only a last
  // segment not yet full is rewritten with the new entries), in blob-only
  // storage writes, and returns the pointer to publish in the root. Returns
  // the root's pointer (its t raised) when there is nothing new to pack,
  // nullopt when there is nothing packed at all. Until a root holds the
  // pointer, what it wrote is garbage.
  std::optional<LogIndexPointer> PackLog(const DbRoot& root, int64_t up_to_t,
                                         const LogPackOptions& options = {}) const;

  // The keys of every blob the log of `root` needs: its log directory and
  // segments, and the chain blobs from the tail back to the first that
  // reaches the packed t (those holding an entry after it, and the one
  // that straddles it or ends at it); without a packed part, the whole
  // chain. Older chain blobs are garbage.
  std::vector<Uuid> LogBlobs(const DbRoot& root) const;

  // Appends `entries` (REQUIRES: t increasing, all after root->t) as one blob
  // and moves the tail, with a CAS on `rev`. Returns false, writing nothing,
  // when the root has moved since `rev`; on success updates *root and *rev.
  bool Append(uint64_t* rev, DbRoot* root, const std::vector<LogEntry>& entries);

  // Replaces the root with *root (its log unchanged: a new index pointer or
  // epoch), with a CAS on `rev`, writing `blobs` in the same storage write.
  // Returns false, writing nothing, when the root has moved since `rev`; on
  // success updates *rev.
  bool UpdateRoot(uint64_t* rev, const DbRoot& root,
                  std::vector<std::pair<Uuid, std::string>> blobs = {});

 private:
  // The chain's entries with after_t < t < end, walking back from the tail
  // to the first blob that starts at or before after_t; adds the keys read
  // to *keys when given.
  std::vector<LogEntry> ReadChain(const DbRoot& root, int64_t after_t, int64_t end,
                                  std::vector<Uuid>* keys) const;
  std::vector<LogSegmentRef> ReadDirectory(const LogIndexPointer& pointer) const;
  // The entries of `segment` with lo <= t < hi, checked against the
  // directory's entry for it.
  LogSegment ReadSegment(const LogSegmentRef& segment, int64_t lo, int64_t hi) const;

  Storage* storage_;
  std::string name_;
};

}  // namespace strata::internal

#endif  // STRATA_LOG_LOG_STORE_H_
