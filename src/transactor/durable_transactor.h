// DurableTransactor: the transactor of a database kept in a Storage.
//
// Opening reads the database's root and replays its log (ApplyDatoms).
// Writes go through a two-stage pipeline, so that running transactions and
// waiting for the disk overlap:
//
//   Transact() --queue--> runner thread --group--> committer thread
//                         runs each transaction     appends the group's log
//                         as it arrives, on the     entries as one blob and
//                         newest database (durable  moves the root with one
//                         or not yet), adding it    CAS (a group commit);
//                         to the open group         then publishes the group's
//                                                   database and answers
//
// While the committer waits for storage to make group k durable, the runner
// runs what arrives into group k+1, on top of k's database; the committer
// takes k+1 whole when it is done with k, so a group holds everything that
// arrived during the previous commit and groups grow with the load. Nothing
// is answered, success or anomaly, before every group ahead of it is
// durable, so every answer is true of the durable log.
//
// If the CAS fails, another process wrote first: the committer catches up
// with the log, and the failed group and every group built on it go back to
// the front of the queue to run again on the new database. If storage fails,
// the group's successful transactions get the storage's anomaly (whether the
// write landed is unknown until the next catch-up), the rest run again, and
// the database stays usable.
//
// Indexing: when the published database's memory index passes
// options.index_threshold datoms, an indexer thread writes it as a new tier
// of the durable index (IndexNow) as of that database's t. The committer
// then moves the root's index pointer with a CAS, rebuilds the database as
// the new trees plus the log after their t, and the runner continues from
// it; the old memory index is dropped. The indexer then merges tiers
// (CompactTiers with options.tier_ratio) when the new one is big enough,
// and the committer moves the root to it the same way, keeping the
// published memory index (the same transactions lie beneath it). Past options.index_max
// datoms, new transactions wait until the job (with its compaction) ends.
// Opening reads the index the root points to and replays only the log
// after it. RequestIndex() starts a job at once, below the threshold, and
// SyncIndex(t) waits for (and starts) jobs until the index holds t.
//
// Each indexing job also packs the log up to the index's t into log
// segments (LogStore::PackLog, on the indexer thread), and the committer
// publishes the new log directory with the index pointer, in the same CAS:
// the log's TxRange then reads old ranges from the segments.
//
// Several processes may hold a DurableTransactor on one database: their CAS
// on the root's revision serializes their commits, and Db() catches up when
// the root has moved, so a process sees the others' commits the next time it
// takes a database value.
//
// Thread safety: every method may be called from any thread.
#ifndef STRATA_TRANSACTOR_DURABLE_TRANSACTOR_H_
#define STRATA_TRANSACTOR_DURABLE_TRANSACTOR_H_

#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "db/db_state.h"
#include "index/durable_tree.h"
#include "index/segment_cache.h"
#include "log/log_store.h"
#include "storage/storage.h"
#include "strata/anomaly.h"
#include "strata/connection.h"

namespace strata::internal {

// The log of a database in storage, read through its LogStore.
class StorageLog : public Log {
 public:
  explicit StorageLog(LogStore* store) : store_(store) {}
  std::vector<LogEntry> TxRange(std::optional<int64_t> start,
                                std::optional<int64_t> end) const override;

 private:
  LogStore* store_;
};

struct DurableOptions {
  // Memory index datoms (current and history parts) past which an indexing
  // job starts, as Datomic's memory-index-threshold.
  size_t index_threshold = size_t{1} << 18;
  // Memory index datoms past which new transactions wait for the job.
  size_t index_max = size_t{1} << 21;
  // The shape of the durable trees.
  TreeOptions tree;
  // Tiers are merged while the newest holds at least 1/tier_ratio of the
  // datoms of the one before it (db_state.h). At least 2.
  int tier_ratio = 4;
  // The segment cache's bound: a quarter of the machine's memory, as
  // DefaultCacheBytes() says, unless set.
  size_t cache_bytes = DefaultCacheBytes();
  // The cache to read segments through, shared with other transactors (the
  // process's object cache); when null, a cache of cache_bytes of its own.
  std::shared_ptr<SegmentCache> cache;

  // A quarter of physical memory, at least 64 MiB (64 MiB when the size
  // cannot be read).
  static size_t DefaultCacheBytes();
};

class DurableTransactor : public Transactor {
 public:
  // Opens database `name`; a not-found anomaly if it does not exist.
  DurableTransactor(std::shared_ptr<Storage> storage, std::string name,
                    DurableOptions options = {});
  ~DurableTransactor() override;

  TxReport Transact(const Value& tx_data) override;
  Database Db() const override;
  const Log& log() const override { return log_; }
  CacheStats cache_stats() const override;
  bool RequestIndex() override;
  Database SyncIndex(int64_t t) override;

  // The database's UUID (its root's), fixed when it was created.
  Uuid uuid() const {
    std::lock_guard lock(state_mutex_);
    return root_.uuid;
  }

  // Indexing jobs this transactor finished (adopted), and compactions.
  int64_t index_jobs() const {
    std::lock_guard lock(mutex_);
    return index_jobs_;
  }
  int64_t compactions() const {
    std::lock_guard lock(mutex_);
    return compactions_;
  }
  const SegmentCache& cache() const { return *cache_; }

 private:
  // What a caller gets: a report, an anomaly, or word of a (simulated)
  // crash.
  struct Answer {
    std::optional<TxReport> report;
    std::optional<Anomaly> anomaly;
    bool crashed = false;
  };
  // A transaction waiting for its answer. It lives in the Transact() call
  // that made it; the committer never touches a request after answering.
  struct Request {
    Value tx_data;
    std::promise<Answer> done;
  };
  // A request's outcome in a group, given to the caller once the group's
  // turn comes.
  struct Outcome {
    Request* request;
    Answer answer;
    // Answered, or handed back to the queue: no longer this group's.
    bool settled = false;
  };
  // One batch of requests run by the runner, in order.
  struct Group {
    std::vector<Outcome> outcomes;
    std::vector<LogEntry> entries;  // of the successful ones, in order
    std::shared_ptr<const DbState> state;
  };

  void RunLoop();
  void CommitLoop();
  void IndexLoop();
  // A log directory PackLogTo wrote, for the root of database `uuid`.
  struct PackedLog {
    Uuid uuid;
    LogIndexPointer pointer;
  };
  // Gives `indexed` (IndexNow's or CompactTiers' result) to the committer
  // to adopt and waits for the adoption: whether the root now points at it
  // (false too when the transactor stops first). Indexer thread only.
  // `packed`: the log directory to publish with it; `retired`: the segments
  // it no longer reaches, for the root's garbage record.
  bool HandOver(std::shared_ptr<const DbState> indexed, bool compaction,
                std::optional<PackedLog> packed, std::vector<Uuid> retired);
  // Moves the root's index pointer to `indexed` (IndexNow's result) and
  // continues from it: the published database, the committer's chain and the
  // runner's base. Drops it when another writer moved the root first.
  // Committer thread only, between groups.
  void AdoptIndex(std::shared_ptr<const DbState> indexed);
  // The database `pointer` names: its trees, plus nothing after (REQUIRES:
  // `pointer` from this database's root).
  std::shared_ptr<const DbState> StateFromPointer(const IndexPointer& pointer) const;
  // Packs the published root's log up to `t`; nullopt when there is
  // nothing to pack or storage failed (the next job packs it). Indexer
  // thread only.
  std::optional<PackedLog> PackLogTo(int64_t t);
  // Sets root->log_index to the log directory the indexer left for the job
  // being adopted, when it is of this database and reaches further.
  // Committer thread only.
  void CarryPackedLog(DbRoot* root);
  // Memory index datoms of `state`, both parts.
  static size_t MemoryDatoms(const DbState& state);
  // Runs `batch` against `base`.
  static Group RunGroup(std::shared_ptr<const DbState> base, const std::vector<Request*>& batch,
                        int64_t now_ms);
  // Appends `group` to the log and answers it, or sends it back to run
  // again. Throws only what is not an Anomaly (a simulated crash).
  void CommitGroup(Group& group);
  // Catches up with the log and sends `again`, then every waiting group's
  // requests, back to the front of the queue; the runner starts again from
  // the caught-up database. Fails them all if the database is gone.
  void Rerun(std::vector<Request*> again);
  // The process is going down (a simulated crash in tests): nothing more is
  // written; every caller still waiting learns why.
  // REQUIRES: none of `group`'s requests answered yet.
  void Die(Group* group, const std::exception_ptr& why);
  // The exception being handled (REQUIRES: inside a catch block), or `e`,
  // as an answer.
  static Answer FailureOfCurrent();
  static Answer FailureOf(const std::exception_ptr& e);

  // Brings the published state up to `root` (read from storage) when it is
  // newer; throws not-found when the database is gone or was replaced.
  // REQUIRES: state_mutex_ held.
  void CatchUpLocked(const std::optional<std::pair<Root, DbRoot>>& root) const;

  std::shared_ptr<Storage> storage_;
  std::string name_;
  DurableOptions options_;
  std::shared_ptr<SegmentCache> cache_;
  LogStore store_;
  StorageLog log_;

  // The published database: durable, and what Db() returns.
  mutable std::mutex state_mutex_;
  mutable std::shared_ptr<const DbState> state_;  // GUARDED_BY(state_mutex_)
  mutable uint64_t root_rev_ = 0;                 // GUARDED_BY(state_mutex_)
  mutable DbRoot root_;                           // GUARDED_BY(state_mutex_)

  // The committer's view of the log it extends: the root revision its next
  // CAS expects and that root. Committer thread only (and the constructor).
  uint64_t chain_rev_ = 0;
  DbRoot chain_root_;
  // The epoch of this writer's last commit (-1: none yet). Committer only.
  int64_t epoch_ = -1;

  mutable std::mutex mutex_;
  std::condition_variable runner_cv_;
  std::condition_variable committer_cv_;
  std::condition_variable indexer_cv_;
  // Notified when an indexing job's result has been adopted or dropped
  // (SyncIndex waits on it).
  std::condition_variable job_done_cv_;
  // The database the indexer is asked to index, and its result for the
  // committer to adopt, and whether the adoption moved the root; indexing_
  // from the request until the job (and its compaction) ends.
  std::shared_ptr<const DbState> index_request_;  // GUARDED_BY(mutex_)
  std::shared_ptr<const DbState> indexed_;        // GUARDED_BY(mutex_)
  bool indexed_is_compaction_ = false;            // GUARDED_BY(mutex_)
  bool index_again_ = false;                      // GUARDED_BY(mutex_)
  std::vector<Uuid> retired_;                     // with indexed_; GUARDED_BY(mutex_)
  std::optional<bool> adopted_;                   // GUARDED_BY(mutex_)
  std::optional<PackedLog> packed_log_;           // with indexed_; GUARDED_BY(mutex_)
  bool indexing_ = false;                         // GUARDED_BY(mutex_)
  int64_t index_jobs_ = 0;                        // GUARDED_BY(mutex_)
  int64_t compactions_ = 0;                       // GUARDED_BY(mutex_)
  std::deque<Request*> queue_;                    // GUARDED_BY(mutex_)
  // The open group: built, not yet taken by the committer (at most one).
  std::deque<Group> waiting_;  // GUARDED_BY(mutex_)
  int in_flight_ = 0;          // built and not yet finished; GUARDED_BY(mutex_)
  // Bumped when the runner must start again from restart_state_.
  uint64_t generation_ = 0;                       // GUARDED_BY(mutex_)
  std::shared_ptr<const DbState> restart_state_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                         // GUARDED_BY(mutex_)
  bool runner_done_ = false;                      // GUARDED_BY(mutex_)
  bool dead_ = false;                             // GUARDED_BY(mutex_)
  Answer death_;                                  // GUARDED_BY(mutex_)
  std::thread runner_;
  std::thread committer_;
  std::thread indexer_;
};

}  // namespace strata::internal

#endif  // STRATA_TRANSACTOR_DURABLE_TRANSACTOR_H_
