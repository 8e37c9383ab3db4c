// The process-wide registries of transaction functions and predicates.
//
// The registry itself is core/registry.h.
#include "strata/functions.h"

#include <absl/container/flat_hash_map.h>

#include <memory>
#include <string>

#include "core/registry.h"

namespace strata {
namespace {

using internal::Registry;

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
