// The process-wide registries of transaction functions and predicates.
//
// Functions are held by shared_ptr, so one handed out stays alive while in
// use even if its name is registered again.
#include "strata/functions.h"

#include <absl/container/flat_hash_map.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

namespace strata {
namespace {

template <typename Fn>
class Registry {
 public:
  void Register(std::string_view name, Fn fn) {
    std::unique_lock lock(mutex_);
    auto& slot = functions_[std::string(name)];
    slot = std::make_shared<const Fn>(std::move(fn));
  }
  std::shared_ptr<const Fn> Find(std::string_view name) const {
    std::shared_lock lock(mutex_);
    auto it = functions_.find(std::string(name));
    return it == functions_.end() ? nullptr : it->second;
  }

 private:
  mutable std::shared_mutex mutex_;
  absl::flat_hash_map<std::string, std::shared_ptr<const Fn>> functions_;
};

Registry<TxFunction>& TxFunctions() {
  static auto* registry = new Registry<TxFunction>;
  return *registry;
}
Registry<AttributePredicate>& AttributePredicates() {
  static auto* registry = new Registry<AttributePredicate>;
  return *registry;
}
Registry<EntityPredicate>& EntityPredicates() {
  static auto* registry = new Registry<EntityPredicate>;
  return *registry;
}

}  // namespace

void RegisterTxFunction(std::string_view name, TxFunction fn) {
  TxFunctions().Register(name, std::move(fn));
}
void RegisterAttributePredicate(std::string_view name, AttributePredicate fn) {
  AttributePredicates().Register(name, std::move(fn));
}
void RegisterEntityPredicate(std::string_view name, EntityPredicate fn) {
  EntityPredicates().Register(name, std::move(fn));
}
std::shared_ptr<const TxFunction> FindTxFunction(std::string_view name) {
  return TxFunctions().Find(name);
}
std::shared_ptr<const AttributePredicate> FindAttributePredicate(std::string_view name) {
  return AttributePredicates().Find(name);
}
std::shared_ptr<const EntityPredicate> FindEntityPredicate(std::string_view name) {
  return EntityPredicates().Find(name);
}

}  // namespace strata
