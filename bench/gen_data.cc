// Writes the side-by-side benchmark's data files, the same for Strata and
// DataScript:
//
//   DIR/people20k.edn   20,000 people as DataScript's bench draws them
//                       (bench/datascript/bench/bench.cljc, random-man), in a
//                       shuffled order, from a fixed seed: a vector of maps
//                       {:db/id "17" :name .. :last-name .. :full-name ..
//                        :alias [..] :sex :male :age 42 :salary 31337}
//
// Usage: strata_bench_data DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "bench/people.h"
#include "strata/edn.h"

namespace strata::bench {
namespace {

// One person as DataScript's random-man draws them: the alias vector keeps
// repeats, as DataScript's does.
Value RandomMan(std::mt19937_64& rng, int64_t id) {
  std::string first = kFirstNames[rng() % std::size(kFirstNames)];
  std::string last = kLastNames[rng() % std::size(kLastNames)];
  std::vector<Value> aliases;
  int alias_count = static_cast<int>(rng() % 10);
  for (int a = 0; a < alias_count; ++a)
    aliases.push_back(Value::String(kAliases[rng() % kAliasCount]));
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

void WritePeople(const std::filesystem::path& file, int n) {
  std::mt19937_64 rng(20000);
  std::vector<Value> people;
  for (int i = 1; i <= n; ++i) people.push_back(RandomMan(rng, i));
  std::shuffle(people.begin(), people.end(), rng);
  std::ofstream out(file, std::ios::binary);
  out << "[";
  for (size_t i = 0; i < people.size(); ++i) out << (i ? "\n " : "") << PrintEdn(people[i]);
  out << "]\n";
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: strata_bench_data DIR\n";
    return 2;
  }
  std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  strata::bench::WritePeople(dir / "people20k.edn", 20000);
  return 0;
}
