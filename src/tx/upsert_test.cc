// Tests for identity and uniqueness in transactions: upsert through
// :db.unique/identity (map and list forms, tempids used as refs elsewhere in
// the same transaction, nested maps), the tempids a TxReport returns for
// upserted entities, and the unique conflicts Datomic rejects.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/value.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

// The :db/error of an anomaly, whatever its category.
::testing::AssertionResult HasError(const std::optional<Anomaly>& anomaly, std::string_view error) {
  if (!anomaly) return ::testing::AssertionFailure() << "no anomaly was thrown";
  if (!anomaly->error().is_keyword() || anomaly->error().QualifiedName() != error) {
    return ::testing::AssertionFailure() << "error " << PrintEdn(anomaly->error())
                                         << ", wanted :" << error << ": " << anomaly->message();
  }
  return ::testing::AssertionSuccess();
}

constexpr std::string_view kSchema = R"([
  {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :person/ssn :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :person/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/value}
  {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :person/manager :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :person/badge :db/valueType :db.type/ref :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :badge/code :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}])";

class UpsertTest : public DbTest {
 protected:
  void SetUp() override {
    conn_.Transact(kSchema);
    TxReport r = conn_.Transact(
        R"([{:db/id "ann" :person/name "Ann" :person/ssn "111" :person/email "ann@x" :person/age 30}
            {:db/id "bob" :person/name "Bob" :person/ssn "222" :person/email "bob@x"}])");
    ann_ = *r.Tempid("ann");
    bob_ = *r.Tempid("bob");
  }

  int64_t People() const { return Db().Count(Index::kAevt, {K("person/name")}); }

  EntityId ann_ = 0;
  EntityId bob_ = 0;
};

TEST_F(UpsertTest, MapWithoutDbIdUpsertsThroughIdentity) {
  TxReport r = Tx(R"([{:person/name "Ann" :person/age 31}])");
  EXPECT_EQ(People(), 2);
  EXPECT_EQ(One(ann_, "person/age"), L(31));
  // The upsert replaced the age; the identity value was redundant.
  EXPECT_EQ(r.tx_data.size(), 3u);
}

TEST_F(UpsertTest, StringTempidUpsertsInMapAndListForms) {
  TxReport r = Tx(R"([{:db/id "a" :person/name "Ann" :person/age 32}
                      [:db/add "b" :person/ssn "222"]
                      [:db/add "b" :person/age 50]])");
  EXPECT_EQ(People(), 2);
  EXPECT_EQ(One(ann_, "person/age"), L(32));
  EXPECT_EQ(One(bob_, "person/age"), L(50));
}

TEST_F(UpsertTest, TempidsReportTheEntitiesUpsertedTempidsResolvedTo) {
  // Datomic's :tempids maps every tempid of the transaction, also those
  // that resolved to an existing entity by upsert.
  TxReport r = Tx(R"([{:db/id "a" :person/name "Ann" :person/age 33}
                      {:db/id "n" :person/name "Newt"}])");
  EXPECT_EQ(r.Tempid("a"), std::optional<EntityId>(ann_));
  EXPECT_TRUE(r.Tempid("n").has_value());
  EXPECT_EQ(r.tempids.size(), 2u);
  // A tempid upserting through two identity attributes is reported once.
  TxReport twice = Tx(R"([{:db/id "b" :person/name "Bob" :person/ssn "222" :person/age 1}
                          [:db/add "b" :person/age 1]])");
  EXPECT_EQ(twice.Tempid("b"), std::optional<EntityId>(bob_));
  EXPECT_EQ(twice.tempids.size(), 1u);
}

TEST_F(UpsertTest, UpsertedTempidUsedAsARefElsewhereInTheSameTransaction) {
  TxReport r = Tx(R"([{:db/id "a" :person/name "Ann"}
                      {:db/id "c" :person/name "Cy" :person/friend ["a"] :person/manager "a"}
                      [:db/add "b" :person/name "Bob"]
                      [:db/add "c" :person/friend "b"]])");
  EXPECT_EQ(People(), 3);
  std::optional<EntityId> cy = Db().Entid(Value::Vector({K("person/name"), S("Cy")}));
  ASSERT_TRUE(cy.has_value());
  EXPECT_EQ(One(*cy, "person/manager"), Value::Ref(ann_));
  std::vector<Datom> friends = Dump(Db(), Index::kEavt, {L(*cy), K("person/friend")});
  ASSERT_EQ(friends.size(), 2u);
  EXPECT_EQ(friends[0].v, Value::Ref(ann_));
  EXPECT_EQ(friends[1].v, Value::Ref(bob_));
  // The ref appears before the identity assertion that upserts it.
  Tx(R"([[:db/add [:person/name "Cy"] :person/manager "b2"]
         [:db/add "b2" :person/ssn "222"]])");
  EXPECT_EQ(One(*cy, "person/manager"), Value::Ref(bob_));
  EXPECT_EQ(People(), 3);
}

TEST_F(UpsertTest, UpsertThroughARefValuedIdentityWhoseValueIsItselfUpserted) {
  Tx(R"([{:db/id "b" :badge/code "B-1"} {:db/id [:person/name "Ann"] :person/badge "b"}])");
  int64_t before = Db().Count(Index::kAevt, {K("badge/code")});
  // "b" upserts through :badge/code, then "p" through :person/badge = b.
  Tx(R"([{:db/id "b" :badge/code "B-1"} {:db/id "p" :person/badge "b" :person/age 44}])");
  EXPECT_EQ(Db().Count(Index::kAevt, {K("badge/code")}), before);
  EXPECT_EQ(People(), 2);
  EXPECT_EQ(One(ann_, "person/age"), L(44));
}

TEST_F(UpsertTest, NestedMapsUpsertThroughTheirUniqueAttribute) {
  Tx(R"([{:person/name "Cy" :person/manager {:person/name "Ann" :person/age 35}}])");
  EXPECT_EQ(People(), 3);
  EXPECT_EQ(One(ann_, "person/age"), L(35));
}

TEST_F(UpsertTest, TwoTempidsUpsertingToOneEntityAreThatEntity) {
  Tx(R"([{:db/id "x" :person/name "Ann"} {:db/id "y" :person/ssn "111" :person/age 36}])");
  EXPECT_EQ(People(), 2);
  EXPECT_EQ(One(ann_, "person/age"), L(36));
  // With different values for a cardinality-one attribute they conflict
  // (DataScript merges last-wins; Datomic rejects).
  EXPECT_TRUE(HasError(Reject(R"([{:person/name "Ann" :person/age 1}
                                  {:person/ssn "111" :person/age 2}])"),
                       "db.error/datoms-conflict"));
}

TEST_F(UpsertTest, OneTempidResolvingToTwoEntitiesIsAUniqueConflict) {
  std::optional<Anomaly> a = Reject(R"([{:db/id "x" :person/name "Ann" :person/ssn "222"}])");
  EXPECT_TRUE(HasError(a, "db.error/unique-conflict"));
  EXPECT_TRUE(
      HasError(Reject(R"([[:db/add "x" :person/ssn "222"] [:db/add "x" :person/name "Ann"]])"),
               "db.error/unique-conflict"));
}

TEST_F(UpsertTest, UniqueValueDoesNotUpsert) {
  std::optional<Anomaly> a = Reject(R"([{:person/email "ann@x" :person/age 99}])");
  EXPECT_TRUE(HasError(a, "db.error/unique-conflict"));
  ASSERT_TRUE(a.has_value());
  EXPECT_NE(a->message().find(":person/email"), std::string::npos) << a->message();
  // On the entity that holds it, the value is redundant.
  TxReport r = Tx(R"([{:db/id [:person/name "Ann"] :person/email "ann@x"}])");
  EXPECT_EQ(r.tx_data.size(), 1u);
}

TEST_F(UpsertTest, ExistingUniqueValueOnAnotherEntityConflicts) {
  EXPECT_TRUE(HasError(Reject(R"([[:db/add [:person/name "Bob"] :person/email "ann@x"]])"),
                       "db.error/unique-conflict"));
  EXPECT_TRUE(HasError(Reject(R"([[:db/add [:person/name "Bob"] :person/ssn "111"]])"),
                       "db.error/unique-conflict"));
}

TEST_F(UpsertTest, TwoNewEntitiesClaimingOneUniqueValueConflict) {
  EXPECT_TRUE(HasError(Reject(R"([{:person/name "C" :person/email "same@x"}
                                  {:person/name "D" :person/email "same@x"}])"),
                       "db.error/unique-conflict"));
  EXPECT_TRUE(HasError(Reject(R"([[:db/add "c" :person/name "C"] [:db/add "c" :person/email "e"]
                                  [:db/add [:person/name "Ann"] :person/email "e"]])"),
                       "db.error/unique-conflict"));
}

TEST_F(UpsertTest, TempidsClaimingOneNewIdentityValueAreOneNewEntity) {
  // Datomic interprets tx-data as a set: tempids that assert the same new
  // :db.unique/identity value name one new entity (as with an existing one).
  TxReport r = Tx(R"([[:db/add "foo" :person/name "Xe"] [:db/add "foo" :person/age 5]
                      [:db/add "bar" :person/name "Xe"] [:db/add "bar" :person/email "xe@x"]])");
  ASSERT_TRUE(r.Tempid("foo").has_value());
  EXPECT_EQ(r.Tempid("foo"), r.Tempid("bar"));
  EXPECT_EQ(People(), 3);
}

TEST_F(UpsertTest, NewIdentityValuesUnifyTempidsTransitively) {
  TxReport r = Tx(R"([{:db/id "a" :person/name "N1"}
                      {:db/id "b" :person/name "N1" :person/ssn "S9"}
                      {:db/id "c" :person/ssn "S9" :person/age 3}])");
  ASSERT_TRUE(r.Tempid("a").has_value());
  EXPECT_EQ(r.Tempid("a"), r.Tempid("b"));
  EXPECT_EQ(r.Tempid("b"), r.Tempid("c"));
  EXPECT_EQ(People(), 3);
  EXPECT_EQ(One(*r.Tempid("a"), "person/age"), L(3));
  // Unified tempids with two values of a cardinality-one attribute conflict.
  EXPECT_TRUE(HasError(Reject(R"([{:db/id "d" :person/name "N2" :person/age 1}
                                  {:db/id "e" :person/name "N2" :person/age 2}])"),
                       "db.error/datoms-conflict"));
  // A new identity value and an existing one on one tempid still conflict.
  EXPECT_TRUE(HasError(Reject(R"([{:db/id "f" :person/name "N3"}
                                  {:db/id "f" :person/ssn "111"}
                                  {:db/id "g" :person/name "N3" :person/ssn "222"}])"),
                       "db.error/unique-conflict"));
}

TEST_F(UpsertTest, MapsClaimingOneNewIdentityValueAreOneNewEntity) {
  // The same with maps without :db/id, e.g. one nested entity named twice.
  Tx(R"([{:person/name "Yu" :person/manager {:person/name "Boss" :person/age 50}}
         {:person/name "Zo" :person/manager {:person/name "Boss"}}])");
  EXPECT_EQ(People(), 5);
  std::optional<EntityId> boss = Db().Entid(Value::Vector({K("person/name"), S("Boss")}));
  ASSERT_TRUE(boss.has_value());
  EXPECT_EQ(Dump(Db(), Index::kVaet, {L(*boss), K("person/manager")}).size(), 2u);
}

TEST_F(UpsertTest, AUniqueValueMayMoveToAnotherEntityInOneTransaction) {
  Tx(R"([[:db/retract [:person/name "Ann"] :person/email "ann@x"]
         [:db/add [:person/name "Bob"] :person/email "ann@x"]
         [:db/add [:person/name "Ann"] :person/email "bob@x"]])");
  EXPECT_EQ(One(bob_, "person/email"), S("ann@x"));
  EXPECT_EQ(One(ann_, "person/email"), S("bob@x"));
  EXPECT_EQ(Db().Entid(Value::Vector({K("person/email"), S("ann@x")})),
            std::optional<EntityId>(bob_));
}

TEST_F(UpsertTest, UpsertCountConformanceCase) {
  // tests/conformance/t-upsert-count.edn: upserts do not create entities; a
  // new unique value does. DataScript and Datomic agree: 7.
  Connection conn = Connection::CreateInMemory();
  conn.Transact(R"([
    {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
    {:db/ident :person/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
    {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
    {:db/ident :person/city :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
    {:db/ident :person/nickname :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
    {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
    {:db/ident :person/manager :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}])");
  conn.Transact(R"([
    {:db/id "alice" :person/name "Alice" :person/email "alice@example.com" :person/age 30 :person/city "Paris" :person/nickname #{"Al" "Ali"}}
    {:db/id "bob" :person/name "Bob" :person/email "bob@example.com" :person/age 25 :person/city "Berlin" :person/manager "alice"}
    {:db/id "carol" :person/name "Carol" :person/email "carol@example.com" :person/age 35 :person/city "Paris" :person/manager "alice"}
    {:db/id "dave" :person/name "Dave" :person/email "dave@example.com" :person/age 42 :person/city "London" :person/manager "carol"}
    {:db/id "erin" :person/name "Erin" :person/email "erin@example.com" :person/age 25 :person/manager "carol" :person/nickname #{"E"}}
    {:db/id "frank" :person/name "Frank" :person/email "frank@example.com" :person/age 19 :person/city "Berlin"}])");
  conn.Transact(R"([
    [:db/add [:person/name "Alice"] :person/friend [:person/name "Bob"]]
    [:db/add [:person/name "Alice"] :person/friend [:person/name "Carol"]]
    [:db/add [:person/name "Bob"] :person/friend [:person/name "Carol"]]
    [:db/add [:person/name "Carol"] :person/friend [:person/name "Dave"]]
    [:db/add [:person/name "Dave"] :person/friend [:person/name "Erin"]]
    [:db/add [:person/name "Frank"] :person/friend [:person/name "Alice"]]])");
  conn.Transact(R"([
    {:person/name "Alice" :person/age 31}
    {:db/id "f" :person/email "frank@example.com" :person/city "Oslo"}
    {:person/name "Gina" :person/email "gina@example.com"}])");
  EXPECT_EQ(conn.Db().Count(Index::kAevt, {K("person/email")}), 7);
  EXPECT_EQ(Dump(conn.Db(), Index::kAevt, {K("person/email")}).size(), 7u);
  Database db = conn.Db();
  EntityId frank = db.EntidOrThrow(Value::Vector({K("person/name"), S("Frank")}));
  std::vector<Datom> city = Dump(db, Index::kEavt, {L(frank), K("person/city")});
  ASSERT_EQ(city.size(), 1u);
  EXPECT_EQ(city[0].v, S("Oslo"));
}

TEST_F(UpsertTest, ListFormUpsertReplacesCardinalityOneValues) {
  TxReport r = Tx(R"([[:db/add "x" :person/ssn "111"] [:db/add "x" :person/age 37]])");
  EXPECT_EQ(One(ann_, "person/age"), L(37));
  EXPECT_EQ(People(), 2);
  EXPECT_EQ(r.tx_data.size(), 3u);
}

TEST_F(UpsertTest, LookupRefThroughUniqueValueAndIdentity) {
  Tx(R"([[:db/add [:person/email "bob@x"] :person/age 20]])");
  EXPECT_EQ(One(bob_, "person/age"), L(20));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:person/email "nobody@x"] :person/age 20]])"),
                        Category::kNotFound, "db.error/not-an-entity"));
}

}  // namespace
}  // namespace strata::testing
