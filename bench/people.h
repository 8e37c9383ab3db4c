// DataScript's benchmark people, generated with a fixed seed: the same
// distribution as tonsky/datascript bench/datascript/bench/datascript.cljc
// (names, last names, aliases, sex, age, salary), as tx-data.
#ifndef STRATA_BENCH_PEOPLE_H_
#define STRATA_BENCH_PEOPLE_H_

#include <algorithm>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "strata/value.h"

namespace strata::bench {

inline const char* const kFirstNames[] = {"Ivan", "Petr",   "Sergei", "Oleg",
                                          "Yuri", "Dmitry", "Fedor",  "Denis"};
inline const char* const kLastNames[] = {"Ivanov",  "Petrov",    "Sidorov",
                                         "Kovalev", "Kuznetsov", "Voronoi"};
inline const char* const kAliases[] = {
    "A. C. Q. W.",     "A. J. Finn",  "A.A. Fair", "Aapeli",     "Aaron Wolfe", "Abigail Van Buren",
    "Jeanne Phillips", "Abram Tertz", "Abu Nuwas", "Acton Bell", "Adunis"};
constexpr size_t kAliasCount = sizeof(kAliases) / sizeof(kAliases[0]);

// The schema of the people data, as tx-data.
inline Value PeopleSchema() {
  auto attr = [](const char* ident, const char* type, bool many) {
    std::vector<ValuePair> m = {{Value::Keyword("db/ident"), Value::Keyword(ident)},
                                {Value::Keyword("db/valueType"), Value::Keyword("db.type", type)},
                                {Value::Keyword("db/cardinality"),
                                 Value::Keyword("db.cardinality", many ? "many" : "one")}};
    return Value::Map(std::move(m));
  };
  // DataScript's bench schema: :id unique identity (the tree nodes' ids),
  // :follows a ref of cardinality many, :alias of cardinality many.
  std::vector<ValuePair> id = {
      {Value::Keyword("db/ident"), Value::Keyword("id")},
      {Value::Keyword("db/valueType"), Value::Keyword("db.type/long")},
      {Value::Keyword("db/cardinality"), Value::Keyword("db.cardinality/one")},
      {Value::Keyword("db/unique"), Value::Keyword("db.unique/identity")}};
  return Value::Vector({attr("name", "string", false), attr("last-name", "string", false),
                        attr("full-name", "string", false), attr("alias", "string", true),
                        attr("sex", "keyword", false), attr("age", "long", false),
                        attr("salary", "long", false), attr("follows", "ref", true),
                        Value::Map(std::move(id))});
}

// One person as DataScript's random-man draws them (uniform choices; 0 to 9
// aliases, repeats kept, as DataScript's vector keeps them), with the string
// tempid `id`.
inline Value RandomMan(std::mt19937_64& rng, int64_t id) {
  std::string first = kFirstNames[rng() % std::size(kFirstNames)];
  std::string last = kLastNames[rng() % std::size(kLastNames)];
  std::vector<Value> aliases;
  int alias_count = static_cast<int>(rng() % 10);
  for (int a = 0; a < alias_count; ++a) {
    aliases.push_back(Value::String(kAliases[rng() % kAliasCount]));
  }
  // A braced list evaluates its elements, and so draws, in order.
  return Value::Map(
      {{Value::Keyword("db/id"), Value::String(std::to_string(id))},
       {Value::Keyword("name"), Value::String(first)},
       {Value::Keyword("last-name"), Value::String(last)},
       {Value::Keyword("full-name"), Value::String(first + " " + last)},
       {Value::Keyword("alias"), Value::Vector(std::move(aliases))},
       {Value::Keyword("sex"), Value::Keyword(rng() % 2 ? "male" : "female")},
       {Value::Keyword("age"), Value::Long(static_cast<int64_t>(rng() % 100))},
       {Value::Keyword("salary"), Value::Long(static_cast<int64_t>(rng() % 100000))}});
}

// `n` people with string tempids "1".."n".
inline std::vector<Value> People(int n, uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::vector<Value> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 1; i <= n; ++i) out.push_back(RandomMan(rng, i));
  return out;
}

}  // namespace strata::bench

#endif  // STRATA_BENCH_PEOPLE_H_
