// The conformance golden runner: every case of tests/conformance (format in
// README.md) run against Strata and compared, in canonical form, with the
// answer in NAME.expected.edn.
//
// For each case: a fresh in-memory database, the case's :schema installed
// as [{:db/ident attr ...spec} ...], each transaction of :tx in order (one
// marked :expect-error must be rejected), then the operation: :query with
// :args through strata::Q, :pull / :eid(s) through Pull and PullMany, or
// :entity / :get through the entity API. An anomaly is the result :error.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/edn.h"
#include "strata/entity.h"
#include "strata/pull.h"
#include "strata/query.h"
#include "strata/value.h"
#include "testing/canonical.h"

namespace strata::conformance {
namespace {

const std::filesystem::path kCaseDir(STRATA_CONFORMANCE_DIR);

Value Kw(std::string_view qualified) { return Value::Keyword(qualified); }

const Value* Get(const Value& map, std::string_view keyword) {
  return map.is_map() ? map.Get(Kw(keyword)) : nullptr;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kCaseDir)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".edn") && !name.ends_with(".expected.edn")) {
      names.push_back(name.substr(0, name.size() - 4));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// What running a case gave: a result, or the reason it was not run.
struct Outcome {
  Value result;
  std::optional<std::string> skipped;
};

Value ErrorResult() { return Kw("error"); }

// The query's inputs: the case's database for each `$`, the next :args
// element for every other :in binding (other sources, `%`, patterns).
std::vector<QueryInput> QueryInputs(const Database& db, const Value& query, const Value& args) {
  Value m = QueryToMap(query);
  const Value* in = Get(m, "in");
  std::vector<Value> bindings;
  if (in != nullptr && (in->is_sequential())) {
    bindings.assign(in->Items().begin(), in->Items().end());
  } else {
    bindings.push_back(Value::Symbol("$"));
  }
  std::vector<Value> arg_values;
  if (args.is_sequential()) arg_values.assign(args.Items().begin(), args.Items().end());
  size_t next = 0;
  std::vector<QueryInput> inputs;
  for (const Value& b : bindings) {
    if (b.is_symbol() && b.QualifiedName() == "$") {
      inputs.emplace_back(db);
    } else {
      inputs.emplace_back(next < arg_values.size() ? arg_values[next] : Value());
      ++next;
    }
  }
  return inputs;
}

// The message of the last anomaly a query threw, for failure reports.
thread_local std::string last_anomaly;

Value RunQuery(const Database& db, const Value& test_case) {
  last_anomaly.clear();
  const Value* query = Get(test_case, "query");
  const Value* args = Get(test_case, "args");
  try {
    return Q(*query, QueryInputs(db, *query, args != nullptr ? *args : Value()));
  } catch (const Anomaly& a) {
    // Shown when the case fails.
    last_anomaly = a.message();
    return ErrorResult();
  }
}

// d/pull (:eid) or d/pull-many (:eids).
std::optional<Value> RunPull(const Database& db, const Value& test_case) {
  const Value& pattern = *Get(test_case, "pull");
  try {
    if (const Value* eid = Get(test_case, "eid")) return Pull(db, pattern, *eid);
    return PullMany(db, pattern, *Get(test_case, "eids"));
  } catch (const Anomaly& a) {
    last_anomaly = a.message();
    return ErrorResult();
  }
}

// Whether attribute `attr` has `flag` (a keyword of :db/cardinality or
// :db/isComponent's value), through the query API.
bool AttributeIs(const Database& db, const Value& attr, std::string_view query) {
  return Q(query, {db, attr}) == Value::Boolean(true);
}

// Follows an entity path (README.md): the values reached, and whether any
// step may give several (forward cardinality many, or reverse and not a
// component).
void Follow(const Entity& e, std::span<const Value> path, bool* many, std::vector<Value>* out) {
  const Value& step = path[0];
  std::string_view name = step.Name();
  bool reverse = name.size() > 1 && name[0] == '_';
  Value attr = reverse ? Value::Keyword(step.Namespace(), name.substr(1)) : step;
  bool attr_many = AttributeIs(e.db(), attr,
                               "[:find ?m . :in $ ?a :where [?a :db/cardinality ?c] "
                               "[?c :db/ident ?ci] [(= ?ci :db.cardinality/many) ?m]]");
  bool component =
      AttributeIs(e.db(), attr, "[:find ?c . :in $ ?a :where [?a :db/isComponent ?c]]");
  if (reverse ? !component : attr_many) *many = true;
  if (path.size() == 1) {
    Value v = e.Get(step);
    if (v.is_set()) {
      for (const Value& item : v.Items()) out->push_back(item);
    } else if (!v.is_nil()) {
      out->push_back(v);
    }
    return;
  }
  for (const Entity& next : e.GetEntities(step)) Follow(next, path.subspan(1), many, out);
}

// The entity API: {path value} for each path of :get, nil when the lookup
// ref names nothing.
std::optional<Value> RunEntity(const Database& db, const Value& test_case) {
  try {
    std::optional<Entity> e = Entity::Find(db, *Get(test_case, "entity"));
    if (!e) return Value();
    std::vector<ValuePair> entries;
    for (const Value& get : Get(test_case, "get")->Items()) {
      std::vector<Value> path = get.is_keyword()
                                    ? std::vector<Value>{get}
                                    : std::vector<Value>(get.Items().begin(), get.Items().end());
      bool many = false;
      std::vector<Value> reached;
      Follow(*e, path, &many, &reached);
      std::sort(reached.begin(), reached.end());
      reached.erase(std::unique(reached.begin(), reached.end()), reached.end());
      Value v = many ? Value::Set(reached) : reached.empty() ? Value() : reached[0];
      entries.emplace_back(get, v);
    }
    return Value::Map(std::move(entries));
  } catch (const Anomaly& a) {
    last_anomaly = a.message();
    return ErrorResult();
  }
}

Outcome RunCase(const Value& test_case) {
  last_anomaly.clear();
  Connection conn = Connection::CreateInMemory();
  if (const Value* schema = Get(test_case, "schema"); schema != nullptr && schema->Count() > 0) {
    try {
      conn.Transact(SchemaTxData(*schema));
    } catch (const Anomaly&) {
      return {ErrorResult(), std::nullopt};
    }
  }
  if (const Value* txs = Get(test_case, "tx"); txs != nullptr && txs->is_sequential()) {
    for (const Value& tx : txs->Items()) {
      auto [tx_data, expect_error] = conformance::ParseTxStep(tx);
      try {
        conn.Transact(tx_data);
      } catch (const Anomaly&) {
        if (expect_error) continue;
        return {ErrorResult(), std::nullopt};
      }
      if (expect_error) return {Kw("error/unexpected-tx-success"), std::nullopt};
    }
  }
  Database db = conn.Db();
  if (Get(test_case, "query") != nullptr) return {RunQuery(db, test_case), std::nullopt};
  if (Get(test_case, "pull") != nullptr) {
    std::optional<Value> r = RunPull(db, test_case);
    if (!r) return {Value(), "pull API not yet built"};
    return {*r, std::nullopt};
  }
  if (Get(test_case, "entity") != nullptr) {
    std::optional<Value> r = RunEntity(db, test_case);
    if (!r) return {Value(), "pull API not yet built (entity API)"};
    return {*r, std::nullopt};
  }
  return {Value(), "the case has no operation"};
}

class ConformanceTest : public testing::TestWithParam<std::string> {};

TEST_P(ConformanceTest, MatchesExpected) {
  const std::string& name = GetParam();
  Value test_case = ReadEdn(ReadFile(kCaseDir / (name + ".edn")));
  Value expected = ReadEdn(ReadFile(kCaseDir / (name + ".expected.edn")));
  Outcome outcome = RunCase(test_case);
  if (outcome.skipped) GTEST_SKIP() << *outcome.skipped;
  std::string want = CanonicalString(Canonicalize(test_case, expected));
  std::string got = CanonicalString(Canonicalize(test_case, outcome.result));
  // What the case ran, for the failure message.
  std::string op;
  if (const Value* q = Get(test_case, "query")) {
    op = "query: " + PrintEdn(*q);
    if (const Value* args = Get(test_case, "args")) op += "\n  args: " + PrintEdn(*args);
  } else if (const Value* p = Get(test_case, "pull")) {
    op = "pull: " + PrintEdn(*p);
  } else if (const Value* e = Get(test_case, "entity")) {
    op = "entity: " + PrintEdn(*e);
  }
  const Value* doc = Get(test_case, "doc");
  EXPECT_EQ(got, want) << "conformance case " << name
                       << "\n  doc: " << (doc != nullptr ? PrintEdn(*doc) : "") << "\n  " << op
                       << "\n  (raw result: " << PrintEdn(outcome.result) << ")"
                       << (last_anomaly.empty() ? "" : "\n  anomaly: " + last_anomaly);
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

INSTANTIATE_TEST_SUITE_P(Cases, ConformanceTest, testing::ValuesIn(CaseNames()), TestName);

// The query cases that succeed, with their database built once.
struct QueryCase {
  std::string name;
  Value test_case;
  Database db;
  std::string answer;  // canonical
};

const std::vector<QueryCase>& QueryCases() {
  static const std::vector<QueryCase>* cases = [] {
    auto* out = new std::vector<QueryCase>();
    for (const std::string& name : CaseNames()) {
      if (!name.starts_with("q-")) continue;
      Value test_case = ReadEdn(ReadFile(kCaseDir / (name + ".edn")));
      Connection conn = Connection::CreateInMemory();
      bool ok = true;
      try {
        if (const Value* schema = Get(test_case, "schema"); schema && schema->Count() > 0) {
          conn.Transact(SchemaTxData(*schema));
        }
        if (const Value* txs = Get(test_case, "tx"); txs != nullptr && txs->is_sequential()) {
          for (const Value& tx : txs->Items()) {
            if (tx.is_map()) continue;  // the rejected transactions change nothing
            conn.Transact(tx);
          }
        }
      } catch (const Anomaly&) {
        ok = false;
      }
      if (!ok) continue;
      Value query_map = QueryToMap(*Get(test_case, "query"));
      const Value* where = Get(query_map, "where");
      if (where == nullptr || where->Count() < 2) continue;  // nothing to reorder
      Value result = RunQuery(conn.Db(), test_case);
      if (result == ErrorResult()) continue;
      out->push_back(
          {name, test_case, conn.Db(), CanonicalString(Canonicalize(test_case, result))});
    }
    return out;
  }();
  return *cases;
}

// The planner orders clauses by cost, so the order they are written in
// does not change the answer: every query case, with its :where clauses
// shuffled, gives its answer.
RC_GTEST_PROP(ConformancePermutations, ClauseOrderDoesNotChangeTheAnswer, ()) {
  const std::vector<QueryCase>& cases = QueryCases();
  RC_PRE(!cases.empty());  // a bool: RC_PRE prints its operands
  const QueryCase& c = cases[*rc::gen::inRange<size_t>(0, cases.size())];
  Value query = QueryToMap(*Get(c.test_case, "query"));
  const Value* where = Get(query, "where");
  std::vector<Value> clauses(where->Items().begin(), where->Items().end());
  std::vector<int> keys =
      *rc::gen::container<std::vector<int>>(clauses.size(), rc::gen::inRange(0, 1000));
  std::vector<size_t> order(clauses.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<Value> shuffled;
  for (size_t i : order) shuffled.push_back(clauses[i]);
  std::vector<ValuePair> entries;
  for (size_t i = 0; i < query.Count(); ++i) {
    entries.emplace_back(query.MapKey(i), query.MapKey(i) == Kw("where")
                                              ? Value::Vector(std::move(shuffled))
                                              : query.MapVal(i));
  }
  Value permuted = Value::Map(std::move(entries));
  Value test_case = c.test_case;
  std::vector<ValuePair> case_entries;
  for (size_t i = 0; i < test_case.Count(); ++i) {
    case_entries.emplace_back(test_case.MapKey(i),
                              test_case.MapKey(i) == Kw("query") ? permuted : test_case.MapVal(i));
  }
  Value permuted_case = Value::Map(std::move(case_entries));
  Value result = RunQuery(c.db, permuted_case);
  std::string got = CanonicalString(Canonicalize(permuted_case, result));
  RC_LOG() << c.name << ": " << PrintEdn(permuted) << " " << last_anomaly << "\n";
  RC_ASSERT(got == c.answer);
}

}  // namespace
}  // namespace strata::conformance
