// The registries of query functions and aggregates (strata/query.h) and the
// lookup by symbol that the planner uses (functions.h).
//
// A registered name is matched exactly, by the symbol's full text, and wins
// over a built-in of the same text: registering "clojure.core/str" replaces
// `clojure.core/str` but not a bare `str`. Built-in functions answer to their
// bare name and to clojure.core/<name>; the clojure.string ones also to
// clojure.string/<name>. Built-in aggregates answer to their bare name.
//
// Functions are held by shared_ptr, so one handed out stays alive while in
// use even if its name is registered again.
#include "query/functions.h"

#include <absl/container/flat_hash_map.h>

#include <memory>
#include <string>

#include "core/registry.h"
#include "query/builtins.h"
#include "strata/query.h"

namespace strata {
namespace {

using internal::Registry;

Registry<QueryFunction>& QueryFunctions() {
  static auto* registry = new Registry<QueryFunction>;
  return *registry;
}
Registry<AggregateFunction>& Aggregates() {
  static auto* registry = new Registry<AggregateFunction>;
  return *registry;
}

// The built-ins by every name they answer to; built once, never changed.
using FunctionTable = absl::flat_hash_map<std::string, std::shared_ptr<const QueryFunction>>;
using AggregateTable = absl::flat_hash_map<std::string, std::shared_ptr<const AggregateFunction>>;

const FunctionTable& BuiltinFunctionTable() {
  static const FunctionTable* table = [] {
    auto* t = new FunctionTable;
    auto add = [t](std::span<const query::BuiltinFunction> fns) {
      for (const auto& f : fns) {
        auto fn = std::make_shared<const QueryFunction>(f.fn);
        std::string name(f.name);
        (*t)[name] = fn;
        (*t)["clojure.core/" + name] = fn;
        if (f.in_clojure_string) (*t)["clojure.string/" + name] = fn;
      }
    };
    add(query::BuiltinFunctions());
    add(query::StringFunctions());
    return t;
  }();
  return *table;
}

const AggregateTable& BuiltinAggregateTable() {
  static const AggregateTable* table = [] {
    auto* t = new AggregateTable;
    for (const auto& a : query::BuiltinAggregates()) {
      (*t)[std::string(a.name)] = std::make_shared<const AggregateFunction>(a.fn);
    }
    return t;
  }();
  return *table;
}

}  // namespace

void RegisterQueryFunction(std::string_view name, QueryFunction fn) {
  QueryFunctions().Register(name, std::move(fn));
}

void RegisterAggregate(std::string_view name, AggregateFunction fn) {
  Aggregates().Register(name, std::move(fn));
}

namespace query {

std::shared_ptr<const QueryFunction> FindFunction(const Value& symbol) {
  if (!symbol.is_symbol()) return nullptr;
  std::string_view name = symbol.QualifiedName();
  if (auto fn = QueryFunctions().Find(name)) return fn;
  const FunctionTable& table = BuiltinFunctionTable();
  auto it = table.find(absl::string_view(name.data(), name.size()));
  return it == table.end() ? nullptr : it->second;
}

bool IsRegisteredFunction(const Value& symbol) {
  return symbol.is_symbol() && QueryFunctions().Find(symbol.QualifiedName()) != nullptr;
}

std::shared_ptr<const AggregateFunction> FindAggregate(const Value& symbol) {
  if (!symbol.is_symbol()) return nullptr;
  std::string_view name = symbol.QualifiedName();
  if (auto fn = Aggregates().Find(name)) return fn;
  const AggregateTable& table = BuiltinAggregateTable();
  auto it = table.find(absl::string_view(name.data(), name.size()));
  return it == table.end() ? nullptr : it->second;
}

}  // namespace query
}  // namespace strata
