// Writes the side-by-side benchmark's data files, the same for Strata and
// DataScript:
//
//   DIR/people20k.edn   20,000 people as DataScript's bench draws them
//                       (bench/datascript/bench/bench.cljc, random-man), in a
//                       shuffled order, from a fixed seed: a vector of maps
//                       {:db/id "17" :name .. :last-name .. :full-name ..
//                        :alias [..] :sex :male :age 42 :salary 31337}
//   DIR/wide-DxW.edn    DataScript's wide-db tree of depth D and width W
//                       (bench.cljc, wide-db 1 D W): node id's children are
//                       id*W .. id*W+W-1; every node is a random-man with
//                       :db/id (str id); inner nodes also have :id id and
//                       :follows [child tempids]. Preorder, as wide-db
//                       emits it. 3x3 5x3 7x3 4x6 (rules), 4x5 (pull).
//   DIR/long-DxW.edn    DataScript's long-db: W chains of D+1 nodes
//                       {:db/id .. :name "Ivan" :follows next}, in
//                       long-db's order. DataScript writes integer
//                       entity ids there; the file uses the same numbers
//                       as string tempids, so both sides build the same
//                       graph from it. 10x3 30x3 30x5.
//
// Usage: strata_bench_data DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <utility>
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

void WriteTxData(const std::filesystem::path& file, const std::vector<Value>& tx) {
  std::ofstream out(file, std::ios::binary);
  out << "[";
  for (size_t i = 0; i < tx.size(); ++i) out << (i ? "\n " : "") << PrintEdn(tx[i]);
  out << "]\n";
}

// (wide-db id depth width), appending to `out` in its order.
void WideDb(std::mt19937_64& rng, int64_t id, int depth, int width, std::vector<Value>* out) {
  Value man = RandomMan(rng, id);
  if (depth <= 0) {
    out->push_back(std::move(man));
    return;
  }
  std::vector<ValuePair> entries;
  for (size_t i = 0; i < man.Count(); ++i) entries.push_back({man.MapKey(i), man.MapVal(i)});
  std::vector<Value> follows;
  for (int i = 0; i < width; ++i) follows.push_back(Value::String(std::to_string(id * width + i)));
  entries.push_back({Value::Keyword("id"), Value::Long(id)});
  entries.push_back({Value::Keyword("follows"), Value::Vector(std::move(follows))});
  out->push_back(Value::Map(std::move(entries)));
  for (int i = 0; i < width; ++i) WideDb(rng, id * width + i, depth - 1, width, out);
}

void WriteWide(const std::filesystem::path& dir, int depth, int width) {
  std::mt19937_64 rng(1000 + static_cast<uint64_t>(depth) * 10 + static_cast<uint64_t>(width));
  std::vector<Value> tx;
  WideDb(rng, 1, depth, width, &tx);
  WriteTxData(dir / ("wide-" + std::to_string(depth) + "x" + std::to_string(width) + ".edn"), tx);
}

void WriteLong(const std::filesystem::path& dir, int depth, int width) {
  std::vector<Value> tx;
  auto tempid = [](int64_t n) { return Value::String(std::to_string(n)); };
  for (int64_t x = 0; x < width; ++x) {
    for (int64_t y = 0; y < depth; ++y) {
      int64_t from = x * (depth + 1) + y;
      int64_t to = from + 1;
      tx.push_back(Value::Map({{Value::Keyword("db/id"), tempid(from + 1)},
                               {Value::Keyword("name"), Value::String("Ivan")},
                               {Value::Keyword("follows"), tempid(to + 1)}}));
      tx.push_back(Value::Map({{Value::Keyword("db/id"), tempid(to + 1)},
                               {Value::Keyword("name"), Value::String("Ivan")}}));
    }
  }
  WriteTxData(dir / ("long-" + std::to_string(depth) + "x" + std::to_string(width) + ".edn"), tx);
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
  for (auto [depth, width] :
       std::vector<std::pair<int, int>>{{3, 3}, {5, 3}, {7, 3}, {4, 6}, {4, 5}}) {
    strata::bench::WriteWide(dir, depth, width);
  }
  for (auto [depth, width] : std::vector<std::pair<int, int>>{{10, 3}, {30, 3}, {30, 5}}) {
    strata::bench::WriteLong(dir, depth, width);
  }
  return 0;
}
