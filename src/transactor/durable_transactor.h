// DurableTransactor: the transactor of a database kept in a Storage.
//
// Opening reads the database's root and replays its log (ApplyDatoms). One
// writer thread orders all writes: it takes every transaction queued since
// its last write, runs them one after another against the evolving database,
// writes the successful ones' log entries as one blob and moves the root
// with one CAS (a group commit), and only then publishes the new database
// and acknowledges them. A transaction that fails gets its anomaly at once
// and writes nothing. If the CAS fails, another process wrote first: the
// writer catches up with the log and runs the group again. If storage fails,
// every transaction of the group gets the storage's anomaly and nothing is
// acknowledged; the database stays usable.
//
// Several processes may hold a DurableTransactor on one database: each
// catches up with the log before it writes, and Db() catches up when the
// root has moved, so a process sees the others' commits the next time it
// takes a database value.
//
// Thread safety: every method may be called from any thread.
#ifndef STRATA_TRANSACTOR_DURABLE_TRANSACTOR_H_
#define STRATA_TRANSACTOR_DURABLE_TRANSACTOR_H_

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/db_state.h"
#include "log/log_store.h"
#include "storage/storage.h"
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

class DurableTransactor : public Transactor {
 public:
  // Opens database `name`; a not-found anomaly if it does not exist.
  DurableTransactor(std::shared_ptr<Storage> storage, std::string name);
  ~DurableTransactor() override;

  TxReport Transact(const Value& tx_data) override;
  Database Db() const override;
  const Log& log() const override { return log_; }

  // The database's UUID (its root's), fixed when it was created.
  Uuid uuid() const {
    std::lock_guard lock(state_mutex_);
    return root_.uuid;
  }

 private:
  // A transaction waiting for the writer. It lives in the Transact() call
  // that made it, so the waiting thread also frees the answer; the writer
  // never touches a request after answering it.
  struct Request {
    Value tx_data;
    std::promise<TxReport> done;
  };
  // The writer's note on a request of its group.
  struct Pending {
    Request* request;
    bool answered = false;
    void Answer(TxReport report) {
      answered = true;
      request->done.set_value(std::move(report));
    }
    void Fail(std::exception_ptr e) {
      answered = true;
      request->done.set_exception(e);
    }
  };

  void WriterLoop();
  // Runs and commits the unanswered requests of `group` as one group commit,
  // answering each; returns true when they must run again (another writer
  // moved the root first).
  bool CommitGroup(std::vector<Pending>& group);
  // Brings the published state up to the storage's log.
  // REQUIRES: state_mutex_ held.
  void CatchUpLocked() const;

  std::shared_ptr<Storage> storage_;
  std::string name_;
  LogStore store_;
  StorageLog log_;

  mutable std::mutex state_mutex_;
  mutable std::shared_ptr<const DbState> state_;  // GUARDED_BY(state_mutex_)
  mutable uint64_t root_rev_ = 0;                 // GUARDED_BY(state_mutex_)
  mutable DbRoot root_;                           // GUARDED_BY(state_mutex_)

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Request*> queue_;  // GUARDED_BY(queue_mutex_)
  bool stopping_ = false;       // GUARDED_BY(queue_mutex_)
  // The epoch of this writer's last commit (-1: none yet). Writer thread only.
  int64_t epoch_ = -1;
  std::thread writer_;
};

}  // namespace strata::internal

#endif  // STRATA_TRANSACTOR_DURABLE_TRANSACTOR_H_
