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
#include "db/db_state.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/edn.h"
#include "strata/pull.h"
#include "strata/query.h"

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

// An entity's :salary, or 0.
int64_t Salary(const Database& db, int64_t e) {
  DatomIterator it = db.Datoms(Index::kEavt, {Value::Long(e), K("salary")});
  const Datom* d = it.Next();
  return d ? d->v.AsLong() : 0;
}

// The answer of a query workload, computed the same way by the DataScript
// side: [tuples digest...], one digest per :find column as `kinds` says:
// e an entity (the sum of its :salary, entity ids differing between the two
// sides), n a number (the sum), s a string (the sum of lengths), k a keyword
// (the sum of its name's lengths).
Value RelationAnswer(const Database& db, const Value& rel, std::string_view kinds) {
  std::vector<int64_t> sums(kinds.size(), 0);
  for (const Value& tuple : rel.Items()) {
    for (size_t i = 0; i < kinds.size(); ++i) {
      const Value& v = tuple.Items()[i];
      switch (kinds[i]) {
        case 'e':
          sums[i] += Salary(db, v.AsLong());
          break;
        case 'n':
          sums[i] += v.AsLong();
          break;
        case 's':
          sums[i] += static_cast<int64_t>(v.AsString().size());
          break;
        case 'k':
          sums[i] += static_cast<int64_t>(v.Name().size());
          break;
        default:
          throw Anomaly(Category::kIncorrect, "bad column kind");
      }
    }
  }
  std::vector<Value> out = {Value::Long(static_cast<int64_t>(rel.Count()))};
  for (int64_t sum : sums) out.push_back(Value::Long(sum));
  return Value::Vector(std::move(out));
}

// DataScript's rule over the trees (bench-rules).
constexpr const char* kRulesQuery = "[:find ?e ?e2 :in $ % :where (follows ?e ?e2)]";
constexpr const char* kFollowsRules =
    "[[(follows ?x ?y) [?x :follows ?y]]"
    " [(follows ?x ?y) [?x :follows ?t] (follows ?t ?y)]]";

// The answer of a pull workload, computed the same way by the DataScript
// side: [maps numbers strings keywords] over the pulled tree: the maps in
// it, the sum of its numbers but :db/id, the sum of its strings' lengths,
// the sum of its keywords' name lengths.
void PullDigest(const Value& v, std::vector<int64_t>* acc) {
  if (v.is_map()) {
    ++(*acc)[0];
    for (size_t i = 0; i < v.Count(); ++i) {
      if (v.MapKey(i) != K("db/id")) PullDigest(v.MapVal(i), acc);
    }
  } else if (v.is_collection()) {
    for (const Value& x : v.Items()) PullDigest(x, acc);
  } else if (v.is_integer()) {
    (*acc)[1] += v.AsLong();
  } else if (v.is_string()) {
    (*acc)[2] += static_cast<int64_t>(v.AsString().size());
  } else if (v.is_keyword()) {
    (*acc)[3] += static_cast<int64_t>(v.Name().size());
  }
}

Value PullAnswer(const Value& pulled) {
  std::vector<int64_t> acc(4, 0);
  PullDigest(pulled, &acc);
  return Value::Vector(
      {Value::Long(acc[0]), Value::Long(acc[1]), Value::Long(acc[2]), Value::Long(acc[3])});
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
    data_dir_ = data_dir;
  }

  // DataScript's *db100k: the 20,000 people in one transaction (built once).
  const Database& Db100k() {
    if (!db100k_) {
      TxReport report = empty_.With(people_);
      db100k_ = report.db_after;
      // The k-th person of the file (DataScript's entity id k).
      std::map<std::string, EntityId, std::less<>> tempids(report.tempids.begin(),
                                                           report.tempids.end());
      person_eids_.clear();
      for (const Value& p : people_.Items()) {
        person_eids_.push_back(tempids.find(p.Get(K("db/id"))->AsString())->second);
      }
    }
    return *db100k_;
  }

  // A tree of bench-data (wide-DxW.edn, long-DxW.edn), transacted at once
  // as DataScript's wide-db / long-db does.
  Database Tree(const std::string& name) {
    std::ifstream in(data_dir_ / (name + ".edn"), std::ios::binary);
    if (!in) throw Anomaly(Category::kNotFound, "no " + name + ".edn: run strata_bench_data again");
    std::stringstream text;
    text << in.rdbuf();
    return empty_.With(ReadEdn(text.str())).db_after;
  }

  // A query over db100k: the query and its inputs are read once, untimed.
  Workload Query(const std::string& query, std::vector<Value> inputs, std::string kinds) {
    return {[this, query, inputs] {
              query_ = ReadEdn(query);
              inputs_ = {Db100k()};
              for (const Value& v : inputs) inputs_.emplace_back(v);
            },
            [this] { answer_ = Q(query_, inputs_); },
            [this, kinds] { return RelationAnswer(*db100k_, answer_, kinds); }};
  }

  Workload Rules(const std::string& tree) {
    return {[this, tree] {
              tree_ = Tree(tree);
              query_ = ReadEdn(kRulesQuery);
              inputs_ = {tree_, ReadEdn(kFollowsRules)};
            },
            [this] { answer_ = Q(query_, inputs_); },
            [this] { return RelationAnswer(tree_, answer_, "ee"); }};
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
    // DataScript's init-db builds a database from datoms, without the
    // transaction pipeline. Strata's counterpart is the path that rebuilds a
    // database from its log: the datoms applied to the indexes as they are
    // (internal::ApplyDatoms). The datoms are add-all's tx-data, so they
    // carry Strata's own entity and attribute ids.
    w["init"] = {[this] {
                   TxReport report = empty_.With(people_);
                   init_t_ = report.db_after.basis_t();
                   init_datoms_ = report.tx_data;
                 },
                 [this] {
                   result_ = Database(internal::ApplyDatoms(empty_.state(), init_t_, init_datoms_));
                 },
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

    // DataScript's queries, over its *db100k (the 20,000 people).
    w["q1"] = Query("[:find ?e :where [?e :name \"Ivan\"]]", {}, "e");
    w["q2"] = Query("[:find ?e ?a :where [?e :name \"Ivan\"] [?e :age ?a]]", {}, "en");
    // q2 with its clauses the other way round: the planner, not the
    // writer, should pick the order (not in DataScript's bench).
    w["q2-switch"] = Query("[:find ?e ?a :where [?e :age ?a] [?e :name \"Ivan\"]]", {}, "en");
    w["q3"] =
        Query("[:find ?e ?a :where [?e :name \"Ivan\"] [?e :age ?a] [?e :sex :male]]", {}, "en");
    w["q4"] = Query(
        "[:find ?e ?l ?a :where [?e :name \"Ivan\"] [?e :last-name ?l] [?e :age ?a]"
        " [?e :sex :male]]",
        {}, "esn");
    w["q5-shortcircuit"] = Query(
        "[:find ?e ?n ?l ?a ?s ?al :in $ ?n ?a :where [?e :name ?n] [?e :age ?a]"
        " [?e :last-name ?l] [?e :sex ?s] [?e :alias ?al]]",
        {Value::String("Anastasia"), Value::Long(35)}, "essnks");
    w["qpred1"] = Query("[:find ?e ?s :where [?e :salary ?s] [(> ?s 50000)]]", {}, "en");
    w["qpred2"] = Query("[:find ?e ?s :in $ ?min_s :where [?e :salary ?s] [(> ?s ?min_s)]]",
                        {Value::Long(50000)}, "en");

    // (d/datoms db :eavt id :full-name) for DataScript's entity ids 9000 to
    // 10999, i.e. the 9000th to 10999th person of the file: the first
    // datom's value of each.
    w["find-datoms"] = {
        [this] {
          Db100k();
          eids_.assign(person_eids_.begin() + 8999, person_eids_.begin() + 10999);
        },
        [this] {
          values_.clear();
          for (EntityId e : eids_) {
            DatomIterator it = db100k_->Datoms(Index::kEavt, {Value::Long(e), K("full-name")});
            const Datom* d = it.Next();
            values_.push_back(d ? d->v : Value());
          }
        },
        [this] {
          int64_t found = 0, length = 0, salaries = 0;
          for (const Value& v : values_) {
            if (v.is_nil()) continue;
            ++found;
            length += static_cast<int64_t>(v.AsString().size());
          }
          for (EntityId e : eids_) salaries += Salary(*db100k_, e);
          return Value::Vector({Value::Long(found), Value::Long(length), Value::Long(salaries)});
        }};

    // DataScript's pull workloads: from the root of wide-4x5 (781 people),
    // the pattern parsed once.
    auto pull = [this](const char* pattern) {
      return Workload{[this, pattern] {
                        tree_ = Tree("wide-4x5");
                        root_ = tree_.EntidOrThrow(Value::Vector({K("id"), Value::Long(1)}));
                        pattern_ = std::make_shared<PullPattern>(ParsePullPattern(pattern));
                      },
                      [this] { answer_ = Pull(tree_, *pattern_, root_); },
                      [this] { return PullAnswer(answer_); }};
    };
    w["pull-one"] = pull("[:name {:follows ...}]");
    w["pull-many"] = pull("[:db/id :last-name :alias :sex :age :salary {:follows ...}]");
    w["pull-wildcard"] = pull("[* {:follows ...}]");

    for (const char* tree :
         {"wide-3x3", "wide-5x3", "wide-7x3", "wide-4x6", "long-10x3", "long-30x3", "long-30x5"}) {
      w[std::string("rules-") + tree] = Rules(tree);
    }
    return w;
  }

 private:
  Value people_;
  std::filesystem::path data_dir_;
  std::optional<Database> db100k_;
  std::vector<EntityId> person_eids_;
  Database tree_{nullptr};
  Value query_;
  std::vector<QueryInput> inputs_;
  Value answer_;
  std::vector<Value> values_;
  EntityId root_ = 0;
  std::shared_ptr<PullPattern> pattern_;
  Database empty_{nullptr};
  Database loaded_{nullptr};
  Database result_{nullptr};
  int64_t init_t_ = 0;
  std::vector<Datom> init_datoms_;
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
