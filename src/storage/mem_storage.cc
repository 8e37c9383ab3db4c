// The in-process storage backend with fault injection (see mem_storage.h).
#include "storage/mem_storage.h"

#include <fmt/format.h>

#include "strata/anomaly.h"

namespace strata::internal {
namespace {

[[noreturn]] void ThrowUnavailable(std::string_view what) {
  throw Anomaly(Category::kUnavailable,
                fmt::format("mem storage: injected failure of {}; retry", what));
}

}  // namespace

MemStorage::Fault MemStorage::Enter(Op op) {
  if (crashed_) throw SimulatedCrash{};
  Fault fault = plan_ ? plan_(op, calls_) : Fault::kNone;
  ++calls_;
  switch (fault) {
    case Fault::kUnavailable:
      ThrowUnavailable("a call");
    case Fault::kCrashBefore:
      crashed_ = true;
      throw SimulatedCrash{};
    default:
      return fault;
  }
}

std::optional<std::string> MemStorage::Get(const Uuid& key) {
  std::lock_guard lock(mutex_);
  Fault after = Enter(Op::kGet);
  if (after == Fault::kCrashAfter) {
    crashed_ = true;
    throw SimulatedCrash{};
  }
  if (after == Fault::kUnavailableAfter) ThrowUnavailable("a read");
  auto it = blobs_.find(key);
  if (it == blobs_.end()) return std::nullopt;
  return it->second;
}

std::optional<Root> MemStorage::GetRoot(std::string_view name) {
  std::lock_guard lock(mutex_);
  Fault after = Enter(Op::kGetRoot);
  if (after == Fault::kCrashAfter) {
    crashed_ = true;
    throw SimulatedCrash{};
  }
  if (after == Fault::kUnavailableAfter) ThrowUnavailable("a root read");
  auto it = roots_.find(name);
  if (it == roots_.end()) return std::nullopt;
  return it->second;
}

bool MemStorage::Commit(const StorageWrite& w) {
  std::lock_guard lock(mutex_);
  Fault after = Enter(Op::kCommit);
  for (const auto& [key, value] : w.blobs) {
    if (blobs_.contains(key)) {
      ThrowFault(fmt::format("mem storage: blob {} exists already; keys are never reused",
                             key.ToString()));
    }
  }
  if (w.cas) {
    auto it = roots_.find(w.cas->name);
    uint64_t rev = it == roots_.end() ? 0 : it->second.rev;
    if (rev != w.cas->expected_rev) return false;
  }
  // The durable point: everything at once.
  for (const auto& [key, value] : w.blobs) blobs_.emplace(key, value);
  if (w.cas) {
    if (w.cas->value) {
      roots_[w.cas->name] = Root{w.cas->expected_rev + 1, *w.cas->value};
    } else {
      roots_.erase(w.cas->name);
    }
  }
  if (after == Fault::kCrashAfter) {
    crashed_ = true;
    throw SimulatedCrash{};
  }
  if (after == Fault::kUnavailableAfter) ThrowUnavailable("a commit (it was applied)");
  return true;
}

void MemStorage::Delete(const std::vector<Uuid>& keys) {
  std::lock_guard lock(mutex_);
  Fault after = Enter(Op::kDelete);
  for (const Uuid& key : keys) blobs_.erase(key);
  if (after == Fault::kCrashAfter) {
    crashed_ = true;
    throw SimulatedCrash{};
  }
  if (after == Fault::kUnavailableAfter) ThrowUnavailable("a delete (it was applied)");
}

void MemStorage::ListBlobs(const std::function<void(const Uuid&)>& f) {
  std::vector<Uuid> keys;
  {
    std::lock_guard lock(mutex_);
    Enter(Op::kList);
    keys.reserve(blobs_.size());
    for (const auto& [key, value] : blobs_) keys.push_back(key);
  }
  for (const Uuid& key : keys) f(key);
}

std::vector<std::string> MemStorage::ListRoots(std::string_view prefix) {
  std::lock_guard lock(mutex_);
  Enter(Op::kList);
  std::vector<std::string> names;
  for (auto it = roots_.lower_bound(prefix); it != roots_.end() && it->first.starts_with(prefix);
       ++it) {
    names.push_back(it->first);
  }
  return names;
}

void MemStorage::SetFaultPlan(FaultPlan plan) {
  std::lock_guard lock(mutex_);
  plan_ = std::move(plan);
}

void MemStorage::Restart() {
  std::lock_guard lock(mutex_);
  crashed_ = false;
}

bool MemStorage::crashed() const {
  std::lock_guard lock(mutex_);
  return crashed_;
}

uint64_t MemStorage::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

}  // namespace strata::internal
