// The in-process transactor (see local_transactor.h).
#include "transactor/local_transactor.h"

#include <algorithm>
#include <chrono>

#include "db/bootstrap.h"
#include "strata/edn.h"
#include "tx/transaction.h"

namespace strata {
namespace internal {

std::vector<LogEntry> MemoryLog::TxRange(std::optional<int64_t> start,
                                         std::optional<int64_t> end) const {
  int64_t lo = start ? ToT(*start) : INT64_MIN;
  int64_t hi = end ? ToT(*end) : INT64_MAX;
  std::vector<std::shared_ptr<const LogEntry>> entries;
  {
    std::lock_guard lock(mutex_);
    auto first = std::lower_bound(entries_.begin(), entries_.end(), lo,
                                  [](const auto& e, int64_t t) { return e->t < t; });
    for (auto it = first; it != entries_.end() && (*it)->t < hi; ++it) entries.push_back(*it);
  }
  std::vector<LogEntry> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(*e);
  return out;
}

void MemoryLog::Append(std::shared_ptr<const LogEntry> entry) {
  std::lock_guard lock(mutex_);
  entries_.push_back(std::move(entry));
}

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LocalTransactor::LocalTransactor() : state_(DbState::Bootstrap()) {
  auto entry = std::make_shared<LogEntry>();
  entry->t = 0;
  entry->data = BootstrapDatoms();
  log_.Append(std::move(entry));
}

Database LocalTransactor::Db() const {
  std::lock_guard lock(state_mutex_);
  return Database(state_);
}

TxReport LocalTransactor::Transact(const Value& tx_data) {
  std::lock_guard write(write_mutex_);
  Database before = Db();
  TxResult result = RunTransaction(before, tx_data, NowMs());
  auto entry = std::make_shared<LogEntry>();
  entry->t = result.state->basis_t;
  entry->data = result.tx_data;
  // The log first, so a reader that sees the new database finds its entry.
  log_.Append(std::move(entry));
  {
    std::lock_guard lock(state_mutex_);
    state_ = result.state;
  }
  return TxReport{before, Database(result.state), std::move(result.tx_data),
                  std::move(result.tempids)};
}

}  // namespace internal

Connection Connection::CreateInMemory() {
  return Connection(std::make_shared<internal::LocalTransactor>());
}

Connection::Connection(std::shared_ptr<Transactor> transactor)
    : transactor_(std::move(transactor)) {}

TxReport Connection::Transact(std::string_view edn) { return Transact(ReadEdn(edn)); }

}  // namespace strata
