#include <fmt/format.h>
#include <gtest/gtest.h>

#include "db/db_state.h"
#include "index/segment_cache.h"
#include "storage/mem_storage.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/edn.h"
#include "strata/query.h"

namespace strata {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_.Transact(
        "[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}"
        " {:db/ident :email :db/valueType :db.type/string :db/cardinality :db.cardinality/one "
        "  :db/unique :db.unique/identity}"
        " {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}"
        " {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}"
        " {:db/ident :parent :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}"
        " {:db/ident :tag :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}]");
    conn_.Transact(
        "[{:db/id \"a\" :name \"Ann\" :email \"ann@x\" :age 30 :tag [:x :y]}"
        " {:db/id \"b\" :name \"Bob\" :email \"bob@x\" :age 25 :friend [\"a\"] :parent \"a\"}"
        " {:db/id \"c\" :name \"Cid\" :email \"cid@x\" :age 41 :friend [\"a\" \"b\"] :parent \"b\"}"
        " {:db/id \"d\" :name \"Dee\" :email \"dee@x\" :age 25 :parent \"c\"}]");
  }
  Value Run(std::string_view q, std::vector<QueryInput> extra = {}) {
    std::vector<QueryInput> inputs{conn_.Db()};
    for (auto& e : extra) inputs.push_back(e);
    return Q(q, inputs);
  }
  std::string Str(std::string_view q, std::vector<QueryInput> extra = {}) {
    return PrintEdn(Run(q, std::move(extra)));
  }
  Connection conn_ = Connection::CreateInMemory();
};

TEST_F(EngineTest, Basics) {
  EXPECT_EQ(Str("[:find ?n :where [?e :name ?n]]"), "#{[\"Ann\"] [\"Bob\"] [\"Cid\"] [\"Dee\"]}");
  EXPECT_EQ(Str("[:find ?n :where [?e :age 25] [?e :name ?n]]"), "#{[\"Bob\"] [\"Dee\"]}");
  EXPECT_EQ(Str("[:find [?n ...] :where [?e :age ?a] [(> ?a 26)] [?e :name ?n]]"),
            "[\"Ann\" \"Cid\"]");
  EXPECT_EQ(Str("[:find ?n . :where [?e :email \"bob@x\"] [?e :name ?n]]"), "\"Bob\"");
  EXPECT_EQ(Str("[:find (count ?e) . :where [?e :name]]"), "4");
  EXPECT_EQ(Str("[:find ?a (count ?e) :where [?e :age ?a]]"), "#{[25 2] [30 1] [41 1]}");
  EXPECT_EQ(Str("[:find ?fn :where [?e :name \"Cid\"] [?e :friend ?f] [?f :name ?fn]]"),
            "#{[\"Ann\"] [\"Bob\"]}");
  EXPECT_EQ(Str("[:find ?n :where [?e :name ?n] (not [?e :friend])]"), "#{[\"Ann\"] [\"Dee\"]}");
  EXPECT_EQ(Str("[:find ?n :where [?e :name ?n] (or [?e :age 30] [?e :age 41])]"),
            "#{[\"Ann\"] [\"Cid\"]}");
  EXPECT_EQ(Str("[:find ?n :in $ ?min :where [?e :age ?a] [(>= ?a ?min)] [?e :name ?n]]",
                {Value::Long(30)}),
            "#{[\"Ann\"] [\"Cid\"]}");
  EXPECT_EQ(Str("[:find ?x :where [?e :name \"Ann\"] [?e :tag ?x]]"), "#{[:x] [:y]}");
  EXPECT_EQ(Str("[:find ?n :where [?e :tag :y] [?e :name ?n]]"), "#{[\"Ann\"]}");
  // = is Clojure's: a long equals the bigint of its value.
  EXPECT_EQ(Str("[:find ?n :where [?e :age ?a] [(= ?a 30N)] [?e :name ?n]]"), "#{[\"Ann\"]}");
  EXPECT_EQ(Str("[:find ?n2 :where [?e :name ?n] [(str ?n \"!\") ?n2] [(= ?n \"Ann\")]]"),
            "#{[\"Ann!\"]}");
}

TEST_F(EngineTest, Rules) {
  std::string rules = "[[(anc ?x ?y) [?x :parent ?y]] [(anc ?x ?y) [?x :parent ?z] (anc ?z ?y)]]";
  EXPECT_EQ(Str("[:find ?an :in $ % :where [?d :name \"Dee\"] (anc ?d ?a) [?a :name ?an]]",
                {ReadEdn(rules)}),
            "#{[\"Ann\"] [\"Bob\"] [\"Cid\"]}");
  EXPECT_EQ(Str("[:find (count ?a) . :in $ % :where (anc ?d ?a)]", {ReadEdn(rules)}), "3");
  EXPECT_EQ(Str("[:find ?dn ?an :in $ % :where (anc ?d ?a) [?a :name ?an] [?d :name ?dn]]",
                {ReadEdn(rules)}),
            "#{[\"Bob\" \"Ann\"] [\"Cid\" \"Ann\"] [\"Cid\" \"Bob\"] [\"Dee\" \"Ann\"] [\"Dee\" "
            "\"Bob\"] [\"Dee\" \"Cid\"]}");
}

TEST_F(EngineTest, Errors) {
  EXPECT_THROW(Run("[:find ?e :where [?e :nope ?x]]"), Anomaly);
  EXPECT_THROW(Run("[:find ?e :where [(> ?a 1)] [?e :name]]"), Anomaly);
  EXPECT_THROW(Run("[:find ?e :where [?e :name ?n] [(frobnicate ?n)]]"), Anomaly);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST_F(EngineTest, ClauseOrderDoesNotMatterForThePlan) {
  Value a = Explain(ReadEdn("[:find ?e ?a :where [?e :name \"Bob\"] [?e :age ?a]]"), {conn_.Db()});
  Value b = Explain(ReadEdn("[:find ?e ?a :where [?e :age ?a] [?e :name \"Bob\"]]"), {conn_.Db()});
  // Both start with the selective pattern, then look ages up by entity.
  auto first_clause = [](const Value& plan) {
    return PrintEdn(*plan.Get(Value::Keyword("steps"))->Items()[0].Get(Value::Keyword("clause")));
  };
  EXPECT_EQ(first_clause(a), "[?e :name \"Bob\"]");
  EXPECT_EQ(first_clause(b), "[?e :name \"Bob\"]");
  const Value& second = b.Get(Value::Keyword("steps"))->Items()[1];
  EXPECT_EQ(PrintEdn(*second.Get(Value::Keyword("op"))), ":lookup");
  EXPECT_EQ(PrintEdn(*second.Get(Value::Keyword("rows"))), "1");
}

TEST_F(EngineTest, AConstantValueFilterRunsBeforeLookupsThatKeepEveryRow) {
  std::string people = "[";
  for (int i = 0; i < 40; ++i) {
    people +=
        fmt::format("{{:name \"{}\" :email \"p{}@x\" :age {}}}", i < 10 ? "P" : "Q", i, i % 2);
  }
  conn_.Transact(people + "]");
  // After the 10 P's, [?e :age 1] keeps about half of them (its share of
  // :age datoms), [?e :email ?m] all: the filter comes first, whatever the
  // order written.
  for (const char* q : {"[:find ?e ?m :where [?e :name \"P\"] [?e :email ?m] [?e :age 1]]",
                        "[:find ?e ?m :where [?e :age 1] [?e :email ?m] [?e :name \"P\"]]"}) {
    Value plan = Explain(ReadEdn(q), {conn_.Db()});
    const Value& steps = *plan.Get(Value::Keyword("steps"));
    ASSERT_EQ(steps.Count(), 3u) << PrintEdn(plan);
    EXPECT_EQ(PrintEdn(*steps.Items()[0].Get(Value::Keyword("clause"))), "[?e :name \"P\"]");
    EXPECT_EQ(PrintEdn(*steps.Items()[1].Get(Value::Keyword("clause"))), "[?e :age 1]");
    EXPECT_EQ(PrintEdn(*steps.Items()[1].Get(Value::Keyword("rows"))), "5");
    EXPECT_EQ(PrintEdn(*plan.Get(Value::Keyword("result-count"))), "5");
  }
}

TEST_F(EngineTest, RangePredicateBecomesAnAvetRangeScan) {
  Value plan =
      Explain(ReadEdn("[:find ?e :where [?e :age ?a] [(> ?a 26)] [(< ?a 35)]]"), {conn_.Db()});
  const Value& step = plan.Get(Value::Keyword("steps"))->Items()[0];
  EXPECT_EQ(PrintEdn(*step.Get(Value::Keyword("op"))), ":range-scan");
  EXPECT_EQ(PrintEdn(*step.Get(Value::Keyword("rows"))), "1");  // only Ann's 30
  EXPECT_EQ(Str("[:find ?n :where [?e :age ?a] [(> ?a 26)] [(< ?a 35)] [?e :name ?n]]"),
            "#{[\"Ann\"]}");
  // Inclusive bounds and a bound scalar input.
  EXPECT_EQ(Str("[:find ?n :in $ ?lo :where [?e :age ?a] [(>= ?a ?lo)] [(<= ?a 30)] "
                "[?e :name ?n]]",
                {Value::Long(25)}),
            "#{[\"Ann\"] [\"Bob\"] [\"Dee\"]}");
  // A comparison across numeric types is not a range of the index.
  EXPECT_EQ(Str("[:find ?n :where [?e :age ?a] [(> ?a 29.5)] [?e :name ?n]]"),
            "#{[\"Ann\"] [\"Cid\"]}");
}

TEST_F(EngineTest, BoundRuleArgumentsArePushedIn) {
  // A chain of 200 parents: the ancestors of the last need the chain, those
  // of the second only one step.
  std::string tx = "[";
  for (int i = 0; i < 200; ++i) {
    tx += fmt::format("{{:db/id \"n{}\" :email \"n{}\"{}}}", i, i,
                      i > 0 ? fmt::format(" :parent \"n{}\"", i - 1) : "");
  }
  conn_.Transact(std::string_view(tx + "]"));
  Value rules =
      ReadEdn("[[(anc ?x ?y) [?x :parent ?y]] [(anc ?x ?y) [?x :parent ?z] (anc ?z ?y)]]");
  Value query = ReadEdn("[:find (count ?a) . :in $ % ?d :where [?e :email ?d] (anc ?e ?a)]");
  EXPECT_EQ(PrintEdn(Q(query, {conn_.Db(), rules, Value::String("n1")})), "1");
  EXPECT_EQ(PrintEdn(Q(query, {conn_.Db(), rules, Value::String("n199")})), "199");
  Value plan = Explain(query, {conn_.Db(), rules, Value::String("n1")});
  for (const Value& step : plan.Get(Value::Keyword("steps"))->Items()) {
    if (PrintEdn(*step.Get(Value::Keyword("op"))) != ":rule") continue;
    const Value* table = step.Get(Value::Keyword("table"));
    ASSERT_NE(table, nullptr);
    // The closure of the whole chain would be 19,900 answers.
    EXPECT_LE(table->Get(Value::Keyword("answers"))->AsLong(), 2);
  }
}

TEST_F(EngineTest, MutualRecursion) {
  Value rules = ReadEdn(
      "[[(even ?x ?y) [(identity ?x) ?y]]"
      " [(even ?x ?y) [?x :parent ?z] (odd ?z ?y)]"
      " [(odd ?x ?y) [?x :parent ?y]]"
      " [(odd ?x ?y) [?x :parent ?z] (even ?z ?y)]]");
  // Dee -> Cid -> Bob -> Ann: Dee's ancestors at an odd distance: Cid, Ann.
  EXPECT_EQ(Str("[:find ?n :in $ % :where [?d :name \"Dee\"] (odd ?d ?a) [?a :name ?n]]", {rules}),
            "#{[\"Ann\"] [\"Cid\"]}");
}

TEST_F(EngineTest, HistoryAndSeveralSources) {
  Database before = conn_.Db();
  conn_.Transact("[[:db/add [:email \"ann@x\"] :age 31]]");
  Database now = conn_.Db();
  // The same entity in two databases: its age then and now.
  EXPECT_EQ(PrintEdn(Q("[:find ?old ?new :in $old $new :where [$old ?e :email \"ann@x\"] "
                       "[$old ?e :age ?old] [$new ?e :age ?new]]",
                       {before, now})),
            "#{[30 31]}");
  // As-of the earlier t.
  EXPECT_EQ(PrintEdn(Q("[:find ?a . :where [?e :email \"ann@x\"] [?e :age ?a]]",
                       {now.AsOf(Value::Long(before.basis_t()))})),
            "30");
  // History: the retraction and both assertions, with ?added.
  EXPECT_EQ(PrintEdn(Q("[:find ?a ?added :where [?e :email \"ann@x\"] [?e :age ?a _ ?added]]",
                       {now.History()})),
            "#{[30 false] [30 true] [31 true]}");
  // ?tx joins with the transaction's entity.
  EXPECT_EQ(PrintEdn(Q("[:find (count ?tx) . :where [?e :email \"ann@x\"] [?e :age _ ?tx true] "
                       "[?tx :db/txInstant]]",
                       {now.History()})),
            "2");
}

TEST_F(EngineTest, LogFunctions) {
  int64_t t = conn_.Db().basis_t();
  Value q = ReadEdn(
      "[:find ?e ?v :in $ ?log ?t :where [(tx-ids ?log ?t nil) [?tx ...]] "
      "[(tx-data ?log ?tx) [[?e ?a ?v _ ?added]]] [(true? ?added)] [?a :db/ident :name]]");
  Value r = Q(q, {conn_.Db(), conn_.log(), Value::Long(t)});
  ASSERT_TRUE(r.is_set());
  EXPECT_EQ(r.Count(), 4u);  // the four names of the last transaction
}

TEST_F(EngineTest, InputBindings) {
  EXPECT_EQ(
      Str("[:find ?n :in $ [?a ...] :where [?e :age ?a] [?e :name ?n]]", {ReadEdn("[30 41]")}),
      "#{[\"Ann\"] [\"Cid\"]}");
  EXPECT_EQ(Str("[:find ?n ?x :in $ [[?a ?x]] :where [?e :age ?a] [?e :name ?n]]",
                {ReadEdn("[[30 :thirty] [25 :young]]")}),
            "#{[\"Ann\" :thirty] [\"Bob\" :young] [\"Dee\" :young]}");
  EXPECT_EQ(Str("[:find ?n :in $ [?a ?email] :where [?e :age ?a] [?e :email ?email] [?e :name ?n]]",
                {ReadEdn("[25 \"dee@x\"]")}),
            "#{[\"Dee\"]}");
  // An entity given by lookup ref and by ident.
  EXPECT_EQ(Str("[:find ?n . :in $ ?e :where [?e :name ?n]]", {ReadEdn("[:email \"cid@x\"]")}),
            "\"Cid\"");
  // A collection of tuples as a second source.
  EXPECT_EQ(Str("[:find ?n ?c :in $ $cities :where [?e :email ?m] [$cities ?m ?c] [?e :name ?n]]",
                {ReadEdn("[[\"ann@x\" \"Oslo\"] [\"bob@x\" \"Rome\"]]")}),
            "#{[\"Ann\" \"Oslo\"] [\"Bob\" \"Rome\"]}");
  // Wrong number of inputs.
  EXPECT_THROW(Run("[:find ?n :in $ ?x :where [?e :name ?n]]"), Anomaly);
}

TEST_F(EngineTest, FindShapesAndReturnMaps) {
  EXPECT_EQ(Str("[:find [?n ?a] :where [?e :email \"ann@x\"] [?e :name ?n] [?e :age ?a]]"),
            "[\"Ann\" 30]");
  EXPECT_EQ(Str("[:find [?n ?a] :where [?e :email \"nobody\"] [?e :name ?n] [?e :age ?a]]"), "nil");
  EXPECT_EQ(Str("[:find ?n ?a :keys name age :where [?e :email \"ann@x\"] [?e :name ?n] "
                "[?e :age ?a]]"),
            "#{{:age 30, :name \"Ann\"}}");
  // :with keeps a bag: two people aged 25.
  EXPECT_EQ(Str("[:find ?a :with ?e :where [?e :age ?a] [(< ?a 30)]]"), "[[25] [25]]");
  EXPECT_EQ(Str("[:find (sum ?a) . :with ?e :where [?e :age ?a]]"), "121");
  EXPECT_EQ(Str("[:find (sum ?a) . :where [?e :age ?a]]"), "96");
  // No rows: an empty result, nil for a scalar.
  EXPECT_EQ(Str("[:find (count ?e) :where [?e :age 99]]"), "#{}");
  EXPECT_EQ(Str("[:find (count ?e) . :where [?e :age 99]]"), "nil");
}

TEST_F(EngineTest, RegisteredFunctionsAndAggregates) {
  RegisterQueryFunction("test.engine/initial", [](std::span<const Value> args) {
    return Value::String(std::string(args[0].AsString().substr(0, 1)));
  });
  RegisterAggregate("test.engine/longest",
                    [](std::span<const Value>, std::span<const Value> values) {
                      Value best;
                      for (const Value& v : values) {
                        if (best.is_nil() || v.AsString().size() > best.AsString().size()) best = v;
                      }
                      return best;
                    });
  EXPECT_EQ(Str("[:find ?i :where [?e :name ?n] [(test.engine/initial ?n) ?i]]"),
            "#{[\"A\"] [\"B\"] [\"C\"] [\"D\"]}");
  EXPECT_EQ(Str("[:find (test.engine/longest ?m) . :where [_ :email ?m]]"), "\"ann@x\"");
}

TEST_F(EngineTest, TimeoutAndMemoryBudget) {
  std::string tx = "[";
  for (int i = 0; i < 2000; ++i) tx += fmt::format("{{:email \"m{}\" :age {}}}", i, i % 7);
  conn_.Transact(std::string_view(tx + "]"));
  // A cross product of 2000 x 2000 x 2000 rows.
  std::string_view product =
      "[:find (count ?a) . :where [?a :email] [?b :email] [?c :email] [(!= ?a ?b)]]";
  QueryOptions small;
  small.memory_budget_bytes = 1 << 20;
  try {
    Q(product, {conn_.Db()}, small);
    FAIL() << "expected the memory budget to stop the query";
  } catch (const Anomaly& a) {
    EXPECT_EQ(PrintEdn(a.error()), ":db.error/query-memory-budget");
  }
  QueryOptions quick;
  quick.timeout = std::chrono::milliseconds(50);
  try {
    Q(product, {conn_.Db()}, quick);
    FAIL() << "expected the timeout to stop the query";
  } catch (const Anomaly& a) {
    EXPECT_EQ(a.category(), Category::kInterrupted);
  }
}

TEST_F(EngineTest, ErrorsQuoteTheClause) {
  try {
    Run("[:find ?e :where [?e :name ?n] [(> ?x 1)]]");
    FAIL();
  } catch (const Anomaly& a) {
    EXPECT_EQ(PrintEdn(a.error()), ":db.error/insufficient-binding");
    EXPECT_NE(a.message().find("[(> ?x 1)]"), std::string::npos) << a.message();
  }
  try {
    Run("[:find ?e :where [?e :no/such ?n]]");
    FAIL();
  } catch (const Anomaly& a) {
    EXPECT_EQ(PrintEdn(a.error()), ":db.error/not-an-entity");
  }
  try {
    Run("[:find ?e :where [?e :name ?n] [(no-such-fn ?n)]]");
    FAIL();
  } catch (const Anomaly& a) {
    EXPECT_NE(a.message().find("no-such-fn"), std::string::npos) << a.message();
  }
  try {
    Run("[:find ?e :in $ % :where (no-rule ?e)]", {ReadEdn("[]")});
    FAIL();
  } catch (const Anomaly& a) {
    EXPECT_NE(a.message().find("no-rule"), std::string::npos) << a.message();
  }
  EXPECT_THROW(Run("[:find ?x :where [?e :name]]"), Anomaly);  // ?x bound by nothing
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// Results are sets in the order of Value, however they were built.
TEST_F(EngineTest, ResultSetsAreInValueOrder) {
  std::string tx = "[";
  for (int i = 0; i < 300; ++i) {
    tx += fmt::format("{{:email \"r{}\" :age {}}}", i, (i * 7919) % 1000 - (i % 3 == 0 ? 500 : 0));
  }
  conn_.Transact(std::string_view(tx + "]"));
  for (std::string_view q :
       {"[:find ?e ?a :where [?e :age ?a]]", "[:find ?a ?e :where [?e :age ?a]]",
        "[:find ?a :where [?e :age ?a]]", "[:find ?m ?a :where [?e :age ?a] [?e :email ?m]]",
        "[:find ?a ?e ?a2 :where [?e :age ?a] [(* ?a 1000000000000) ?a2]]"}) {
    Value r = Run(q);
    std::vector<Value> items(r.Items().begin(), r.Items().end());
    std::reverse(items.begin(), items.end());
    EXPECT_EQ(PrintEdn(r), PrintEdn(Value::Set(items))) << q;
    EXPECT_TRUE(r.Contains(items.front())) << q;
  }
  Value coll = Run("[:find [?a ...] :where [?e :age ?a]]");
  EXPECT_TRUE(std::is_sorted(coll.Items().begin(), coll.Items().end())) << PrintEdn(coll);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// Queries read the durable index merged with the memory index: the same
// answers whether the datoms sit in segments (two tiers here), in the
// memory index, or both.
TEST_F(EngineTest, DurableTiersAnswerAsTheMemoryIndex) {
  auto storage = std::make_shared<internal::MemStorage>();
  auto cache = std::make_shared<internal::SegmentCache>(size_t{64} << 10);
  internal::TreeOptions tiny;
  tiny.leaf_datoms = 4;
  tiny.fanout = 3;
  Database memory = conn_.Db();
  Database once(internal::IndexNow(memory.state(), storage, cache, tiny));
  TxReport more = once.With(
      ReadEdn("[{:db/id \"e\" :name \"Eve\" :email \"eve@x\" :age 30 :friend [[:email \"ann@x\"]]}"
              " [:db/retract [:email \"bob@x\"] :age 25] [:db/add [:email \"bob@x\"] :age 26]]"));
  Database both = more.db_after;
  Database twice(internal::IndexNow(both.state(), storage, cache, tiny));
  Database plain =
      memory
          .With(ReadEdn(
              "[{:db/id \"e\" :name \"Eve\" :email \"eve@x\" :age 30 :friend [[:email \"ann@x\"]]}"
              " [:db/retract [:email \"bob@x\"] :age 25] [:db/add [:email \"bob@x\"] :age 26]]"))
          .db_after;
  ASSERT_NE(twice.state().durable, nullptr);
  ASSERT_EQ(twice.state().durable->tiers.size(), 2u);
  Value rules =
      ReadEdn("[[(anc ?x ?y) [?x :parent ?y]] [(anc ?x ?y) [?x :parent ?z] (anc ?z ?y)]]");
  for (std::string_view q : {
           "[:find ?n ?a :where [?e :name ?n] [?e :age ?a]]",
           "[:find ?n :where [?e :age ?a] [(> ?a 25)] [(< ?a 35)] [?e :name ?n]]",
           "[:find ?fn :where [?e :name ?n] [?e :friend ?f] [?f :name ?fn]]",
           "[:find ?n :where [?e :email ?m] (not [?e :friend]) [?e :name ?n]]",
           "[:find (count ?e) . :where [?e :name]]",
       }) {
    Value want = Q(q, {plain});
    EXPECT_EQ(PrintEdn(Q(q, {both})), PrintEdn(want)) << q;
    EXPECT_EQ(PrintEdn(Q(q, {twice})), PrintEdn(want)) << q;
  }
  std::string_view rq = "[:find ?d ?a :in $ % :where (anc ?d ?a)]";
  EXPECT_EQ(PrintEdn(Q(rq, {twice, rules})), PrintEdn(Q(rq, {plain, rules})));
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// ($src rule ...) runs the rule's bodies on $src.
TEST_F(EngineTest, RuleCallOnAnotherSource) {
  Database before = conn_.Db();
  conn_.Transact("[{:db/id \"f\" :name \"Fay\" :email \"fay@x\" :parent [:email \"dee@x\"]}]");
  Value rules =
      ReadEdn("[[(anc ?x ?y) [?x :parent ?y]] [(anc ?x ?y) [?x :parent ?z] (anc ?z ?y)]]");
  // Ancestors by the earlier database, names by the current one.
  EXPECT_EQ(PrintEdn(Q("[:find (count ?a) . :with ?d :in $ $old % :where ($old anc ?d ?a)]",
                       {conn_.Db(), before, rules})),
            "6");
  EXPECT_EQ(PrintEdn(Q("[:find (count ?a) . :with ?d :in $ $old % :where (anc ?d ?a)]",
                       {conn_.Db(), before, rules})),
            "10");
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// A recursion that never ends is stopped by the timeout, its tables by the
// memory budget.
TEST_F(EngineTest, EndlessRecursionIsStopped) {
  Value rules = ReadEdn("[[(up ?x ?y) [(identity ?x) ?y]] [(up ?x ?y) [(inc ?x) ?z] (up ?z ?y)]]");
  QueryOptions quick;
  quick.timeout = std::chrono::milliseconds(100);
  try {
    Q("[:find (count ?y) . :in $ % :where (up 0 ?y)]", {conn_.Db(), rules}, quick);
    FAIL() << "expected the timeout to stop the recursion";
  } catch (const Anomaly& a) {
    EXPECT_EQ(a.category(), Category::kInterrupted) << a.message();
  }
  QueryOptions small;
  small.memory_budget_bytes = 64 << 10;
  try {
    Q("[:find (count ?y) . :in $ % :where (up 0 ?y)]", {conn_.Db(), rules}, small);
    FAIL() << "expected the memory budget to stop the recursion";
  } catch (const Anomaly& a) {
    EXPECT_EQ(PrintEdn(a.error()), ":db.error/query-memory-budget") << a.message();
  }
}

}  // namespace
}  // namespace strata
