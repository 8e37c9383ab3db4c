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
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/people.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/edn.h"
#include "strata/pull.h"

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

// DataScript's wide tree (bench `wide-db`): node 1 follows nodes 5..9, node
// n follows n*width .. n*width+width-1, `depth` levels below the root. Each
// node is a person whose attributes come from its id (the same formulas in
// bench/datascript/bench.cljs, so both sides hold the same data).
std::string WideTreeTx(int64_t id, int depth, int width) {
  static const char* const kNames[] = {"Ivan", "Petr",   "Sergei", "Oleg",
                                       "Yuri", "Dmitry", "Fedor",  "Denis"};
  static const char* const kLast[] = {"Ivanov",  "Petrov",    "Sidorov",
                                      "Kovalev", "Kuznetsov", "Voronoi"};
  static const char* const kAliases[] = {"A. C. Q. W.",     "A. J. Finn",  "A.A. Fair",
                                         "Aapeli",          "Aaron Wolfe", "Abigail Van Buren",
                                         "Jeanne Phillips", "Abram Tertz", "Abu Nuwas",
                                         "Acton Bell",      "Adunis"};
  std::string name = kNames[id % 8];
  std::string last = kLast[id % 6];
  std::string out = "{:db/id \"" + std::to_string(id) + "\" :id " + std::to_string(id) +
                    " :name \"" + name + "\" :last-name \"" + last + "\" :full-name \"" + name +
                    " " + last + "\" :sex " + (id % 2 == 0 ? ":male" : ":female") + " :age " +
                    std::to_string(id % 100) + " :salary " + std::to_string(id * 7919 % 100000) +
                    " :alias [";
  for (int64_t j = 0; j < id % 4; ++j) out += std::string(" \"") + kAliases[(id + j) % 11] + "\"";
  out += "]";
  std::string children;
  if (depth > 0) {
    out += " :follows [";
    for (int k = 0; k < width; ++k) {
      int64_t child = id * width + k;
      out += " \"" + std::to_string(child) + "\"";
      children += WideTreeTx(child, depth - 1, width);
    }
    out += "]";
  }
  return out + "}\n" + children;
}

// [maps, sum of :age, values of :alias] over a pulled tree.
void CountTree(const Value& v, int64_t* maps, int64_t* ages, int64_t* aliases) {
  if (v.is_map()) {
    ++*maps;
    if (const Value* age = v.Get(K("age"))) *ages += age->AsLong();
    if (const Value* alias = v.Get(K("alias"))) *aliases += static_cast<int64_t>(alias->Count());
    if (const Value* follows = v.Get(K("follows"))) {
      for (const Value& f : follows->Items()) CountTree(f, maps, ages, aliases);
    }
  }
}

Value TreeAnswer(const Value& pulled) {
  int64_t maps = 0, ages = 0, aliases = 0;
  CountTree(pulled, &maps, &ages, &aliases);
  return Value::Vector({Value::Long(maps), Value::Long(ages), Value::Long(aliases)});
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
    // DataScript's pull benchmarks on its wide tree (depth 4, width 5: 781
    // people), from the root, with the pattern parsed once as a peer would.
    auto pull = [this](const char* pattern) {
      return Workload{[this, pattern] {
                        if (!wide_.has_value()) {
                          Connection conn = Connection::CreateInMemory();
                          conn.Transact(kWideSchema);
                          conn.Transact("[" + WideTreeTx(1, 4, 5) + "]");
                          wide_ = conn.Db();
                          root_ = wide_->EntidOrThrow(Value::Vector({K("id"), Value::Long(1)}));
                        }
                        pattern_ = std::make_shared<PullPattern>(ParsePullPattern(pattern));
                      },
                      [this] { pulled_ = Pull(*wide_, *pattern_, root_); },
                      [this] { return TreeAnswer(pulled_); }};
    };
    w["pull-one"] = pull("[:name {:follows ...}]");
    w["pull-many"] = pull("[:db/id :last-name :alias :sex :age :salary {:follows ...}]");
    w["pull-wildcard"] = pull("[* {:follows ...}]");
    return w;
  }

 private:
  Value people_;
  Database empty_{nullptr};
  Database loaded_{nullptr};
  Database result_{nullptr};
  std::vector<EntityId> eids_;
  std::optional<Database> wide_;
  EntityId root_ = 0;
  std::shared_ptr<PullPattern> pattern_;
  Value pulled_;

  static constexpr const char* kWideSchema = R"([
    {:db/ident :id :db/valueType :db.type/long :db/cardinality :db.cardinality/one
     :db/unique :db.unique/identity}
    {:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
    {:db/ident :last-name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
    {:db/ident :full-name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
    {:db/ident :sex :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
    {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
    {:db/ident :salary :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
    {:db/ident :alias :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
    {:db/ident :follows :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}])";
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
