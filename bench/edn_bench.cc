// EDN reading and printing throughput on tx-data shaped like DataScript's
// benchmark people (maps of strings, keywords, longs and sets), generated
// with a fixed seed. Reports bytes/s; the goal is 100 MB/s or more reading.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "strata/edn.h"

namespace {

const char* const kFirst[] = {"Ivan", "Petr", "Sergei", "Oleg", "Yuri", "Dmitry", "Fedor", "Denis"};
const char* const kLast[] = {"Ivanov", "Petrov", "Sidorov", "Kovalev", "Kuznetsov", "Voronoi"};
const char* const kAlias[] = {"Devil", "Tiger", "Bear", "Wolf", "Fox", "Owl", "Hawk", "Snake"};

// About `target_bytes` of tx-data: a vector of person maps.
std::string MakeTxData(size_t target_bytes) {
  std::mt19937_64 rng(42);
  std::string out = "[";
  for (int i = 0; out.size() < target_bytes; ++i) {
    const char* first = kFirst[rng() % 8];
    const char* last = kLast[rng() % 6];
    out += "{:db/id \"p" + std::to_string(i) + "\" :name \"" + first + "\" :last-name \"" + last +
           "\" :full-name \"" + first + " " + last + "\" :alias #{";
    int aliases = static_cast<int>(rng() % 3);
    for (int a = 0; a < aliases; ++a) {
      out += (a ? " \"" : "\"") + std::string(kAlias[(i + a) % 8]) + "\"";
    }
    out += "} :sex " + std::string(rng() % 2 ? ":male" : ":female") + " :age " +
           std::to_string(rng() % 100) + " :salary " + std::to_string(rng() % 100000) + "}\n";
  }
  out += "]";
  return out;
}

const std::string& TxData() {
  static const std::string kText = MakeTxData(32 << 20);
  return kText;
}

void BM_ReadTxData(benchmark::State& state) {
  const std::string& text = TxData();
  for (auto _ : state) {
    strata::Value v = strata::ReadEdn(text);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ReadTxData)->Unit(benchmark::kMillisecond);

void BM_PrintTxData(benchmark::State& state) {
  strata::Value v = strata::ReadEdn(TxData());
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = strata::PrintEdn(v);
    bytes += out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_PrintTxData)->Unit(benchmark::kMillisecond);

// Small values, as a query string or a pull pattern.
void BM_ReadQuery(benchmark::State& state) {
  const std::string query =
      "[:find ?e ?a ?s :in $ ?n :where [?e :name ?n] [?e :age ?a] [?e :salary ?s] "
      "[(> ?a 18)] (not [?e :sex :female])]";
  for (auto _ : state) {
    strata::Value v = strata::ReadEdn(query);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * query.size()));
}
BENCHMARK(BM_ReadQuery);

}  // namespace

BENCHMARK_MAIN();
