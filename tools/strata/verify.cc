// `strata verify`: the indexes rebuilt from the log, compared with the
// database's.
#include "verify.h"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "index/datom_order.h"
#include "output.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::cli {

namespace {

// Orders facts by (e, a, v), whatever their tx.
struct FactLess {
  bool operator()(const Datom& x, const Datom& y) const {
    return internal::CompareDatoms(Index::kEavt, x, y, 3) < 0;
  }
};

std::string LowerName(Index index) {
  std::string name(internal::IndexName(index));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

}  // namespace

Value VerifyIndexes(const Database& db, const Log& log) {
  int64_t basis = db.basis_t();
  std::set<Datom, FactLess> facts;
  std::vector<LogEntry> entries = log.TxRange(std::nullopt, basis + 1);
  for (const LogEntry& entry : entries) {
    for (const Datom& d : entry.data) {
      if (d.added) {
        facts.insert(d);  // a fact asserted again keeps its first tx
      } else {
        facts.erase(d);
      }
    }
  }
  // The ref attributes, from the rebuilt facts.
  std::optional<EntityId> value_type = db.Entid(Value::Keyword("db", "valueType"));
  std::optional<EntityId> type_ref = db.Entid(Value::Keyword("db.type", "ref"));
  std::unordered_set<EntityId> refs;
  for (const Datom& d : facts) {
    if (value_type && type_ref && d.a == *value_type && d.v.is_integer() &&
        d.v.AsLong() == *type_ref) {
      refs.insert(d.e);
    }
  }
  std::vector<ValuePair> counts;
  for (Index index : internal::kIndexes) {
    std::vector<Datom> expected;
    for (const Datom& d : facts) {
      if (index != Index::kVaet || refs.count(d.a) > 0) expected.push_back(d);
    }
    std::sort(expected.begin(), expected.end(), [index](const Datom& x, const Datom& y) {
      return internal::CompareDatoms(index, x, y) < 0;
    });
    DatomIterator it = db.Datoms(index);
    size_t i = 0;
    while (true) {
      const Datom* found = it.Next();
      if (found == nullptr && i == expected.size()) break;
      if (found != nullptr && i < expected.size() && *found == expected[i]) {
        ++i;
        continue;
      }
      std::string name(internal::IndexName(index));
      Value want = i < expected.size() ? DatomValue(db, expected[i]) : Value();
      Value got = found != nullptr ? DatomValue(db, *found) : Value();
      std::string message =
          "the " + name + " index does not match the log at datom " + std::to_string(i) + ": ";
      if (found == nullptr) {
        message += "the log gives " + PrintEdn(want) + " but the index ends there";
      } else if (i == expected.size()) {
        message += "the index holds " + PrintEdn(got) + " after every datom the log gives";
      } else {
        message += "the log gives " + PrintEdn(want) + " but the index holds " + PrintEdn(got);
      }
      message += "; the database's index is damaged: report it";
      throw Anomaly(Category::kFault, std::move(message),
                    Value::Keyword("db.error", "index-mismatch"),
                    Value::Map({{Value::Keyword("index"), Value::Keyword(LowerName(index))},
                                {Value::Keyword("position"), Value::Long(static_cast<int64_t>(i))},
                                {Value::Keyword("expected"), want},
                                {Value::Keyword("found"), got}}));
    }
    counts.emplace_back(Value::Keyword(LowerName(index)),
                        Value::Long(static_cast<int64_t>(expected.size())));
  }
  return Value::Map(
      {{Value::Keyword("ok"), Value::Boolean(true)},
       {Value::Keyword("basis-t"), Value::Long(basis)},
       {Value::Keyword("transactions"), Value::Long(static_cast<int64_t>(entries.size()))},
       {Value::Keyword("datoms"), Value::Map(std::move(counts))}});
}

}  // namespace strata::cli
