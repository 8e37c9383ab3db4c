// Transaction throughput on DataScript's benchmark people (20,000 people):
// all in one transaction, one entity per transaction, one datom per
// transaction, and retracting every entity one per transaction. Reports
// datoms/s and the memory index's bytes per datom (string payloads
// excluded: the arena's datom slots and the eight sets' nodes).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "bench/people.h"
#include "db/db_state.h"
#include "strata/connection.h"

namespace strata::bench {
namespace {

constexpr int kPeople = 20000;

Connection NewDb() {
  Connection conn = Connection::CreateInMemory();
  conn.Transact(PeopleSchema());
  return conn;
}

void ReportMemory(benchmark::State& state, const Database& db) {
  const internal::MemoryIndex& index = db.state().index;
  size_t datoms = index.size(internal::Part::kCurrent) + index.size(internal::Part::kHistory);
  state.counters["datoms"] = static_cast<double>(datoms);
  state.counters["bytes/datom"] =
      static_cast<double>(index.MemoryUsage()) / static_cast<double>(datoms);
}

void BM_LoadOneTx(benchmark::State& state) {
  std::vector<Value> people = People(kPeople);
  Value tx = Value::Vector(people);
  size_t datoms = 0;
  Database last = NewDb().Db();
  for (auto _ : state) {
    state.PauseTiming();
    Connection conn = NewDb();
    state.ResumeTiming();
    TxReport r = conn.Transact(tx);
    datoms = r.tx_data.size();
    last = r.db_after;
  }
  state.counters["datoms/s"] = benchmark::Counter(static_cast<double>(datoms) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
  ReportMemory(state, last);
}
BENCHMARK(BM_LoadOneTx)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_LoadEntityPerTx(benchmark::State& state) {
  std::vector<Value> people = People(kPeople);
  size_t datoms = 0;
  Database last = NewDb().Db();
  for (auto _ : state) {
    state.PauseTiming();
    Connection conn = NewDb();
    datoms = 0;
    state.ResumeTiming();
    for (const Value& p : people) datoms += conn.Transact(Value::Vector({p})).tx_data.size();
    last = conn.Db();
  }
  state.counters["datoms/s"] = benchmark::Counter(static_cast<double>(datoms) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
  ReportMemory(state, last);
}
BENCHMARK(BM_LoadEntityPerTx)->Unit(benchmark::kMillisecond)->Iterations(1);

// Entity ids of the people, in a shuffled order (fixed seed).
std::vector<EntityId> ShuffledIds(const TxReport& load) {
  std::vector<EntityId> ids;
  for (const auto& [tempid, eid] : load.tempids) ids.push_back(eid);
  std::mt19937_64 rng(7);
  std::shuffle(ids.begin(), ids.end(), rng);
  return ids;
}

void BM_LoadDatomPerTx(benchmark::State& state) {
  std::vector<Value> people = People(kPeople);
  // The people created bare in one transaction, then each of their datoms
  // in a transaction of its own.
  std::vector<Value> creates;
  for (const Value& p : people) {
    creates.push_back(Value::Map({{Value::Keyword("db/id"), *p.Get(Value::Keyword("db/id"))},
                                  {Value::Keyword("name"), *p.Get(Value::Keyword("name"))}}));
  }
  Database last = NewDb().Db();
  size_t datoms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Connection conn = NewDb();
    TxReport created = conn.Transact(Value::Vector(creates));
    std::vector<Value> adds;
    for (const Value& p : people) {
      EntityId e = *created.Tempid(p.Get(Value::Keyword("db/id"))->AsString());
      for (size_t i = 0; i < p.Count(); ++i) {
        const Value& k = p.MapKey(i);
        if (k == Value::Keyword("db/id") || k == Value::Keyword("name")) continue;
        const Value& v = p.MapVal(i);
        for (const Value& item : v.is_vector()
                                     ? std::vector<Value>(v.Items().begin(), v.Items().end())
                                     : std::vector<Value>{v}) {
          adds.push_back(Value::Vector({Value::Keyword("db/add"), Value::Long(e), k, item}));
        }
      }
    }
    datoms = adds.size();
    state.ResumeTiming();
    for (const Value& add : adds) conn.Transact(Value::Vector({add}));
    last = conn.Db();
  }
  state.counters["datoms/s"] = benchmark::Counter(static_cast<double>(datoms) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
  ReportMemory(state, last);
}
BENCHMARK(BM_LoadDatomPerTx)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_RetractEntityPerTx(benchmark::State& state) {
  Value tx = Value::Vector(People(kPeople));
  Database last = NewDb().Db();
  for (auto _ : state) {
    state.PauseTiming();
    Connection conn = NewDb();
    std::vector<EntityId> ids = ShuffledIds(conn.Transact(tx));
    state.ResumeTiming();
    for (EntityId e : ids) {
      conn.Transact(
          Value::Vector({Value::Vector({Value::Keyword("db/retractEntity"), Value::Long(e)})}));
    }
    last = conn.Db();
  }
  state.counters["entities/s"] = benchmark::Counter(
      static_cast<double>(kPeople) * state.iterations(), benchmark::Counter::kIsRate);
  ReportMemory(state, last);
}
BENCHMARK(BM_RetractEntityPerTx)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace strata::bench

BENCHMARK_MAIN();
