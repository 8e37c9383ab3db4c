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
