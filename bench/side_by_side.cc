// Strata's side of the side-by-side benchmark (bench/run-side-by-side runs
// it beside DataScript 1.8.1 on the same data files). For each workload it
// prints `NAME<TAB>MS_PER_OP<TAB>ANSWER`, ANSWER one line of EDN that the
// DataScript side computes the same way, so the runner can check that both
// did the same work.
//
// Timing, the same on both sides: warm up for 2 s, then 9 samples, each
// running the workload repeatedly for 500 ms and taking the mean; report
// the median sample (--quick: 200 ms, 3 samples of 100 ms).
//
// Usage: strata_side_by_side [--quick] DATA_DIR WORKLOAD...
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/people.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/edn.h"

namespace strata::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Timing {
  double warmup_ms = 2000;
  int samples = 9;
  double batch_ms = 500;
};

// Median of the per-run means of `samples` batches, after a warm-up.
double Measure(const Timing& timing, const std::function<void()>& run) {
  for (auto start = Clock::now(); MsSince(start) < timing.warmup_ms;) run();
  std::vector<double> means;
  for (int s = 0; s < timing.samples; ++s) {
    int runs = 0;
    auto start = Clock::now();
    do {
      run();
      ++runs;
    } while (MsSince(start) < timing.batch_ms);
    means.push_back(MsSince(start) / runs);
  }
  std::sort(means.begin(), means.end());
  return means[means.size() / 2];
}

Value K(std::string_view qualified) { return Value::Keyword(qualified); }

// [N S]: datoms of :name, and the sum of every :age.
Value CountAndAgeSum(const Database& db) {
  int64_t names = db.Count(Index::kAevt, {K("name")});
  int64_t ages = 0;
  DatomIterator it = db.Datoms(Index::kAevt, {K("age")});
  while (const Datom* d = it.Next()) ages += d->v.AsLong();
  return Value::Vector({Value::Long(names), Value::Long(ages)});
}

struct Workload {
  // Runs once, untimed, before the timing; its state lives in the closure.
  std::function<void()> setup;
  std::function<void()> run;
  std::function<Value()> answer;
};

class Workloads {
 public:
  explicit Workloads(const std::filesystem::path& data_dir) {
    std::ifstream in(data_dir / "people20k.edn", std::ios::binary);
    if (!in) {
      throw Anomaly(Category::kNotFound,
                    "no people20k.edn in " + data_dir.string() + ": run strata_bench_data first");
    }
    std::stringstream text;
    text << in.rdbuf();
    people_ = ReadEdn(text.str());
    Connection conn = Connection::CreateInMemory();
    conn.Transact(PeopleSchema());
    empty_ = conn.Db();
  }

  std::map<std::string, Workload> All() {
    std::map<std::string, Workload> w;
    // DataScript's add-1: one datom a transaction; a string tempid in a
    // transaction of its own is a new entity each time.
    w["add-1"] = {nullptr,
                  [this] {
                    Database db = empty_;
                    for (const Value& p : people_.Items()) {
                      for (const char* attr : {"name", "last-name", "sex", "age", "salary"}) {
                        db = db.With(Value::Vector({Value::Vector({K("db/add"), *p.Get(K("db/id")),
                                                                   K(attr), *p.Get(K(attr))})}))
                                 .db_after;
                      }
                    }
                    result_ = db;
                  },
                  [this] { return CountAndAgeSum(result_); }};
    w["add-5"] = {nullptr,
                  [this] {
                    Database db = empty_;
                    for (const Value& p : people_.Items())
                      db = db.With(Value::Vector({p})).db_after;
                    result_ = db;
                  },
                  [this] { return CountAndAgeSum(result_); }};
    w["add-all"] = {nullptr, [this] { result_ = empty_.With(people_).db_after; },
                    [this] { return CountAndAgeSum(result_); }};
    w["retract-5"] = {
        [this] {
          loaded_ = empty_.With(people_).db_after;
          eids_.clear();
          DatomIterator it = loaded_.Datoms(Index::kAevt, {K("name")});
          while (const Datom* d = it.Next()) eids_.push_back(d->e);
          std::mt19937_64 rng(5);
          std::shuffle(eids_.begin(), eids_.end(), rng);
        },
        [this] {
          Database db = loaded_;
          for (EntityId e : eids_) {
            db = db.With(Value::Vector({Value::Vector({K("db/retractEntity"), Value::Long(e)})}))
                     .db_after;
          }
          result_ = db;
        },
        [this] { return CountAndAgeSum(result_); }};
    return w;
  }

 private:
  Value people_;
  Database empty_{nullptr};
  Database loaded_{nullptr};
  Database result_{nullptr};
  std::vector<EntityId> eids_;
};

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  using namespace strata::bench;
  std::vector<std::string> args(argv + 1, argv + argc);
  Timing timing;
  if (!args.empty() && args[0] == "--quick") {
    timing = Timing{200, 3, 100};
    args.erase(args.begin());
  }
  if (args.empty()) {
    std::cerr << "usage: strata_side_by_side [--quick] DATA_DIR WORKLOAD...\n";
    return 2;
  }
  try {
    Workloads workloads(args[0]);
    std::map<std::string, Workload> all = workloads.All();
    for (size_t i = 1; i < args.size(); ++i) {
      auto it = all.find(args[i]);
      if (it == all.end()) {
        std::cout << args[i] << "\t-\t:unsupported\n";
        continue;
      }
      if (it->second.setup) it->second.setup();
      double ms = Measure(timing, it->second.run);
      std::cout << args[i] << "\t" << ms << "\t" << strata::PrintEdn(it->second.answer()) << "\n"
                << std::flush;
    }
  } catch (const strata::Anomaly& e) {
    std::cerr << strata::PrintEdn(e.ToValue()) << "\n";
    return 1;
  }
  return 0;
}
