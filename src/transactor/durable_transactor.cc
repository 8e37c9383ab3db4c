// The transactor of a database in storage (see durable_transactor.h).
#include "transactor/durable_transactor.h"

#include <fmt/format.h>

#include <chrono>

#include "db/bootstrap.h"
#include "storage/mem_storage.h"
#include "strata/anomaly.h"
#include "tx/transaction.h"

namespace strata::internal {
namespace {

// A copy of the exception being handled, for one waiting caller: the writer
// never shares an exception object with another thread, so the caller's
// thread is the only one that reads and frees it.
// REQUIRES: called inside a catch block.
std::exception_ptr CopyOfCurrent() {
  try {
    throw;
  } catch (const Anomaly& e) {
    return std::make_exception_ptr(Anomaly(e));
  } catch (const SimulatedCrash&) {
    return std::make_exception_ptr(SimulatedCrash{});
  } catch (...) {
    return std::current_exception();
  }
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<LogEntry> StorageLog::TxRange(std::optional<int64_t> start,
                                          std::optional<int64_t> end) const {
  int64_t lo = start ? ToT(*start) : INT64_MIN;
  int64_t hi = end ? ToT(*end) : INT64_MAX;
  std::vector<LogEntry> out;
  if (lo <= 0 && 0 < hi) out.push_back(LogEntry{0, BootstrapDatoms()});
  std::optional<std::pair<Root, DbRoot>> root = store_->ReadRoot();
  if (!root) return out;
  for (LogEntry& e : store_->ReadEntries(root->second, lo <= 0 ? 0 : lo - 1)) {
    if (e.t >= lo && e.t < hi) out.push_back(std::move(e));
  }
  return out;
}

DurableTransactor::DurableTransactor(std::shared_ptr<Storage> storage, std::string name)
    : storage_(std::move(storage)),
      name_(std::move(name)),
      store_(storage_.get(), name_),
      log_(&store_),
      state_(DbState::Bootstrap()) {
  std::optional<std::pair<Root, DbRoot>> root = store_.ReadRoot();
  if (!root) {
    ThrowNotFound("db-not-found",
                  fmt::format("Database {} does not exist in this storage: create it first", name_));
  }
  {
    std::lock_guard lock(state_mutex_);
    CatchUpLocked();
  }
  writer_ = std::thread([this] { WriterLoop(); });
}

DurableTransactor::~DurableTransactor() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_.join();
}

void DurableTransactor::CatchUpLocked() const {
  std::optional<std::pair<Root, DbRoot>> root = store_.ReadRoot();
  if (!root) {
    ThrowNotFound("db-not-found", fmt::format("Database {} was deleted from its storage", name_));
  }
  if (root_rev_ != 0 && root->second.uuid != root_.uuid) {
    ThrowNotFound("db-not-found",
                  fmt::format("Database {} was deleted from its storage and created again: "
                              "connect again to use the new one",
                              name_));
  }
  if (root->first.rev == root_rev_) return;
  std::shared_ptr<const DbState> state = state_;
  for (const LogEntry& e : store_.ReadEntries(root->second, state->basis_t)) {
    state = ApplyDatoms(*state, e.t, e.data);
  }
  state_ = std::move(state);
  root_rev_ = root->first.rev;
  root_ = root->second;
}

Database DurableTransactor::Db() const {
  std::lock_guard lock(state_mutex_);
  try {
    CatchUpLocked();
  } catch (const Anomaly& e) {
    // Storage out of reach: the last database this process knows is still a
    // consistent value; the next call tries again. A deleted database is
    // gone, though.
    if (e.category() == Category::kNotFound) throw;
  }
  return Database(state_);
}

TxReport DurableTransactor::Transact(const Value& tx_data) {
  Request request;
  request.tx_data = tx_data;
  std::future<TxReport> done = request.done.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) {
      throw Anomaly(Category::kUnavailable,
                    fmt::format("The transactor of database {} has stopped", name_));
    }
    queue_.push_back(&request);
  }
  queue_cv_.notify_one();
  return done.get();
}

void DurableTransactor::WriterLoop() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      for (Request* r : queue_) group.push_back(Pending{r});
      queue_.clear();
    }
    try {
      while (CommitGroup(group)) {
      }
    } catch (...) {
      // Not an anomaly: the process is going down (a simulated crash in
      // tests). Nothing more is written; everyone waiting learns why.
      std::unique_lock lock(queue_mutex_);
      stopping_ = true;
      for (Pending& p : group) {
        if (!p.answered) p.Fail(CopyOfCurrent());
      }
      for (Request* r : queue_) Pending{r}.Fail(CopyOfCurrent());
      queue_.clear();
      return;
    }
  }
}

bool DurableTransactor::CommitGroup(std::vector<Pending>& group) {
  std::shared_ptr<const DbState> base;
  uint64_t rev;
  DbRoot root;
  try {
    std::lock_guard lock(state_mutex_);
    CatchUpLocked();
    base = state_;
    rev = root_rev_;
    root = root_;
  } catch (const Anomaly&) {
    for (Pending& p : group) {
      if (!p.answered) p.Fail(CopyOfCurrent());
    }
    return false;
  }
  Database db(base);
  int64_t now = NowMs();
  std::vector<LogEntry> entries;
  std::vector<std::pair<Pending*, TxReport>> accepted;
  for (Pending& p : group) {
    if (p.answered) continue;
    try {
      TxResult result = RunTransaction(db, p.request->tx_data, now);
      Database after(result.state);
      entries.push_back(LogEntry{result.state->basis_t, result.tx_data});
      accepted.emplace_back(
          &p, TxReport{db, after, std::move(result.tx_data), std::move(result.tempids)});
      db = after;
    } catch (const Anomaly&) {
      p.Fail(CopyOfCurrent());
    }
  }
  if (accepted.empty()) return false;
  // The first commit of a writer that did not write the root's last one
  // starts a new epoch: the epoch counts handovers between writers.
  bool new_epoch = root.epoch != epoch_;
  if (new_epoch) root.epoch += 1;
  bool written;
  try {
    written = store_.Append(&rev, &root, entries);
  } catch (const Anomaly&) {
    // Not acknowledged; whether storage kept it, the next catch-up tells.
    for (auto& [p, report] : accepted) p->Fail(CopyOfCurrent());
    return false;
  }
  if (!written) return true;  // another writer moved the root: run again
  {
    std::lock_guard lock(state_mutex_);
    state_ = db.state_ptr();
    root_rev_ = rev;
    root_ = root;
  }
  epoch_ = root.epoch;
  for (auto& [p, report] : accepted) p->Answer(std::move(report));
  return false;
}

}  // namespace strata::internal
