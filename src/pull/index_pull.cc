// IndexPull: Datomic's index-pull. The datoms of one attribute in AVET or
// AEVT order from a start point, forward or backward, each datom's entity
// pulled with the selector.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "strata/pull.h"

namespace strata {
namespace {

[[noreturn]] void Fail(const Value& arg_map, std::string message) {
  ThrowIncorrect("invalid-pull", std::move(message),
                 Value::Map({{Value::Keyword("arg-map"), arg_map}}));
}

const Value* Arg(const Value& arg_map, std::string_view name) {
  return arg_map.Get(Value::Keyword(name));
}

int64_t CountArg(const Value& arg_map, std::string_view name) {
  const Value* v = Arg(arg_map, name);
  if (v == nullptr || v->is_nil()) return -1;
  if (!v->is_long() || v->AsLong() < 0) {
    Fail(arg_map,
         fmt::format("index-pull's :{} is a non-negative integer, not {}", name, PrintEdn(*v)));
  }
  return v->AsLong();
}

}  // namespace

Value IndexPull(const Database& db, const Value& arg_map) {
  if (!arg_map.is_map()) {
    Fail(arg_map, fmt::format("index-pull takes a map {{:index :avet :selector [...] :start "
                              "[attr ...]}}, not {}",
                              PrintEdn(arg_map)));
  }
  const Value* index_arg = Arg(arg_map, "index");
  std::optional<Index> index = index_arg ? ParseIndex(*index_arg) : std::nullopt;
  if (!index || (*index != Index::kAvet && *index != Index::kAevt)) {
    Fail(arg_map, fmt::format("index-pull's :index is :avet or :aevt, not {}",
                              index_arg ? PrintEdn(*index_arg) : std::string("missing")));
  }
  const Value* selector = Arg(arg_map, "selector");
  if (selector == nullptr) Fail(arg_map, "index-pull needs a :selector (a pull pattern)");
  PullPattern pattern =
      selector->is_string() ? ParsePullPattern(selector->AsString()) : ParsePullPattern(*selector);
  const Value* start = Arg(arg_map, "start");
  if (start == nullptr || !start->is_sequential() || start->Count() == 0 || start->Count() > 3) {
    Fail(arg_map,
         "index-pull's :start is a vector that begins with an attribute: [attr], "
         "[attr value] or [attr value entity] (AVET), [attr entity] (AEVT)");
  }
  const Value* reverse_arg = Arg(arg_map, "reverse");
  bool reverse = reverse_arg != nullptr && !reverse_arg->is_nil() &&
                 !(reverse_arg->is_boolean() && !reverse_arg->AsBoolean());
  int64_t offset = CountArg(arg_map, "offset");
  int64_t limit = CountArg(arg_map, "limit");

  std::vector<Value> components(start->Items().begin(), start->Items().end());
  // The datoms of the range, as the entities to pull.
  std::vector<EntityId> entities;
  auto keep = [&](EntityId e) {
    if (*index == Index::kAevt && !entities.empty() && entities.back() == e) return;
    entities.push_back(e);
  };
  if (!reverse) {
    EntityId attr = db.EntidOrThrow(components[0]);
    size_t wanted =
        limit < 0 ? SIZE_MAX : static_cast<size_t>(limit + std::max<int64_t>(offset, 0));
    DatomIterator it = db.SeekDatoms(*index, components);
    while (const Datom* d = it.Next()) {
      if (d->a != attr || entities.size() >= wanted) break;
      keep(d->e);
    }
  } else {
    // The attribute's datoms up to the last that matches start, backwards:
    // those before start, plus those that match it.
    std::vector<EntityId> all;
    EntityId attr = db.EntidOrThrow(components[0]);
    DatomIterator every = db.Datoms(*index, {components[0]});
    while (const Datom* d = every.Next()) all.push_back(d->e);
    size_t at_or_after = 0;
    DatomIterator seek = db.SeekDatoms(*index, components);
    while (const Datom* d = seek.Next()) {
      if (d->a != attr) break;
      ++at_or_after;
    }
    size_t matching = 0;
    DatomIterator match = db.Datoms(*index, components);
    while (match.Next() != nullptr) ++matching;
    size_t end = all.size() - at_or_after + matching;
    for (size_t i = end; i-- > 0;) keep(all[i]);
  }
  size_t first = offset < 0 ? 0 : std::min(entities.size(), static_cast<size_t>(offset));
  size_t last = limit < 0 ? entities.size() : std::min(entities.size(), first + limit);
  std::vector<EntityId> range(entities.begin() + static_cast<std::ptrdiff_t>(first),
                              entities.begin() + static_cast<std::ptrdiff_t>(last));
  return Value::Vector(PullMany(db, pattern, range));
}

}  // namespace strata
