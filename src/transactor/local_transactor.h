// The in-process transactor: runs transactions one at a time against the
// latest database value, publishes each new value atomically, and keeps the
// log in memory (the storage issues make both durable).
#ifndef STRATA_TRANSACTOR_LOCAL_TRANSACTOR_H_
#define STRATA_TRANSACTOR_LOCAL_TRANSACTOR_H_

#include <memory>
#include <mutex>
#include <vector>

#include "db/db_state.h"
#include "strata/connection.h"

namespace strata::internal {

class MemoryLog : public Log {
 public:
  std::vector<LogEntry> TxRange(std::optional<int64_t> start,
                                std::optional<int64_t> end) const override;
  void Append(std::shared_ptr<const LogEntry> entry);

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const LogEntry>> entries_;  // GUARDED_BY(mutex_), by t
};

class LocalTransactor : public Transactor {
 public:
  // A transactor over a new database: the bootstrap transaction applied.
  LocalTransactor();

  TxReport Transact(const Value& tx_data) override;
  Database Db() const override;
  const Log& log() const override { return log_; }

 private:
  std::mutex write_mutex_;  // serializes transactions
  mutable std::mutex state_mutex_;
  std::shared_ptr<const DbState> state_;  // GUARDED_BY(state_mutex_)
  MemoryLog log_;
};

}  // namespace strata::internal

#endif  // STRATA_TRANSACTOR_LOCAL_TRANSACTOR_H_
