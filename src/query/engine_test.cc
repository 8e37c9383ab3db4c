#include <gtest/gtest.h>

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
