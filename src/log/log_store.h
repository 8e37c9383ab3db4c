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
// Log blobs are immutable and chained backwards:
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

  // The keys of every log blob `root` reaches, newest first (for garbage
  // collection). Reads each blob to find the one before it; a missing or
  // damaged blob, or a chain that comes back on itself, is a fault anomaly.
  std::vector<Uuid> ListLogBlobs(const DbRoot& root) const;

  // Every logged transaction with t > after_t, oldest first.
  std::vector<LogEntry> ReadEntries(const DbRoot& root, int64_t after_t) const;

  // Appends `entries` (REQUIRES: t increasing, all after root->t) as one blob
  // and moves the tail, with a CAS on `rev`. Returns false, writing nothing,
  // when the root has moved since `rev`; on success updates *root and *rev.
  bool Append(uint64_t* rev, DbRoot* root, const std::vector<LogEntry>& entries);

  // Replaces the root with *root (its log unchanged: a new index pointer or
  // epoch), with a CAS on `rev`. Returns false, writing nothing, when the
  // root has moved since `rev`; on success updates *rev.
  bool UpdateRoot(uint64_t* rev, const DbRoot& root);

 private:
  Storage* storage_;
  std::string name_;
};

}  // namespace strata::internal

#endif  // STRATA_LOG_LOG_STORE_H_
