// A process-wide registry of C++ functions by name: transaction functions
// and predicates (src/tx), query functions and aggregates (src/query), pull
// xforms (src/pull).
//
// Thread-safe; registering a name again replaces its function. Functions are
// held by shared_ptr, so one handed out stays alive while in use even if its
// name is registered again. Lookups take no lock while nothing has been
// registered (most processes register nothing).
#ifndef STRATA_CORE_REGISTRY_H_
#define STRATA_CORE_REGISTRY_H_

#include <absl/container/flat_hash_map.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace strata::internal {

template <typename Fn>
class Registry {
 public:
  void Register(std::string_view name, Fn fn) {
    std::unique_lock lock(mutex_);
    functions_[std::string(name)] = std::make_shared<const Fn>(std::move(fn));
    empty_.store(false, std::memory_order_release);
  }
  // The function registered under `name`, or null.
  std::shared_ptr<const Fn> Find(std::string_view name) const {
    if (empty_.load(std::memory_order_acquire)) return nullptr;
    std::shared_lock lock(mutex_);
    auto it = functions_.find(absl::string_view(name.data(), name.size()));
    return it == functions_.end() ? nullptr : it->second;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::atomic<bool> empty_{true};
  absl::flat_hash_map<std::string, std::shared_ptr<const Fn>> functions_;
};

}  // namespace strata::internal

#endif  // STRATA_CORE_REGISTRY_H_
