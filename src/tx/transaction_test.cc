// Tests for the transaction grammar as a Datomic user relies on it: list
// forms (:db/add, :db/retract with and without a value, :db/retractEntity,
// :db/cas), map forms (with and without :db/id, nested maps, reverse keys,
// collections), entity identifiers, cardinality one, redundancy and
// datoms-conflict. Value types, :db/txInstant, the TxReport, atomicity and
// Database::With are in tx_result_test.cc; upserts, tuples, predicates,
// entity specs and transaction functions in upsert_test.cc and
// tx_features_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
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

class TxTest : public PersonDbTest {};

// ---- :db/add and :db/retract ------------------------------------------------------

TEST_F(TxTest, AddAssertsOneDatomInTheTransaction) {
  TxReport r = Tx(R"([[:db/add "p" :person/name "Pia"] [:db/add "p" :person/age 7]])");
  std::optional<EntityId> p = r.Tempid("p");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(PartitionOf(*p), kPartUser);
  EntityId tx = TxFromT(r.db_after.basis_t());
  EXPECT_TRUE(Contains(r.tx_data, *p, A("person/name"), S("Pia"), true));
  EXPECT_TRUE(Contains(r.tx_data, *p, A("person/age"), L(7), true));
  for (const Datom& d : r.tx_data) EXPECT_EQ(d.tx, tx) << ToString(d);
  EXPECT_EQ(One(*p, "person/age"), L(7));
  EXPECT_EQ(Person("Pia"), *p);
}

TEST_F(TxTest, AddWithUnknownAttributeIsRejected) {
  std::optional<Anomaly> a = Reject(R"([[:db/add "p" :no/such "x"]])");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->category(), Category::kIncorrect);
  EXPECT_NE(a->message().find(":no/such"), std::string::npos) << a->message();
  // An ident that is not an attribute is not one either.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "p" :color/red "x"]])"), Category::kIncorrect, ""));
}

TEST_F(TxTest, AddWithWrongArityIsRejected) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "p" :person/name]])"), Category::kIncorrect, ""));
  EXPECT_TRUE(
      IsAnomaly(Reject(R"([[:db/add "p" :person/name "a" "b"]])"), Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[]])"), Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(Reject(R"([42])"), Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(Reject(R"({:person/name "x"})"), Category::kIncorrect, ""));
}

TEST_F(TxTest, RetractWithValueRetractsThatValueOnly) {
  People();
  TxReport r = Tx(R"([[:db/retract [:person/name "Ann"] :person/nick "a"]])");
  EXPECT_TRUE(Contains(r.tx_data, ann_, A("person/nick"), S("a"), false));
  EXPECT_EQ(Values(ann_, "person/nick"), std::vector<Value>{S("b")});
  EXPECT_EQ(One(ann_, "person/age"), L(30));
}

TEST_F(TxTest, RetractWithoutValueRetractsEveryCurrentValue) {
  People();
  Tx(R"([[:db/add [:person/name "Ann"] :person/nick "c"]])");
  TxReport r = Tx(R"([[:db/retract [:person/name "Ann"] :person/nick]
                      [:db/retract [:person/name "Ann"] :person/age]])");
  EXPECT_TRUE(Values(ann_, "person/nick").empty());
  EXPECT_TRUE(One(ann_, "person/age").is_nil());
  for (const char* nick : {"a", "b", "c"}) {
    EXPECT_TRUE(Contains(r.tx_data, ann_, A("person/nick"), S(nick), false)) << nick;
  }
  EXPECT_TRUE(Contains(r.tx_data, ann_, A("person/age"), L(30), false));
  EXPECT_EQ(r.tx_data.size(), 5u);  // four retractions and the :db/txInstant
  // Nothing to retract: only the transaction's own datom.
  TxReport again = Tx(R"([[:db/retract [:person/name "Ann"] :person/nick]])");
  EXPECT_EQ(again.tx_data.size(), 1u);
}

TEST_F(TxTest, RetractOfAMissingEntityIsNotFound) {
  People();
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retract [:person/name "Zed"] :person/nick "a"]])"),
                        Category::kNotFound, "db.error/not-an-entity"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retract [:person/name "Zed"] :person/nick]])"),
                        Category::kNotFound, "db.error/not-an-entity"));
}

// ---- :db/retractEntity --------------------------------------------------------------

TEST_F(TxTest, RetractEntityRetractsItsFactsComponentsAndReferencesToIt) {
  TxReport setup = Tx(R"([
    {:db/id "city" :city/name "Oslo"}
    {:db/id "ann" :person/name "Ann" :person/age 30 :person/color :color/red
     :person/address {:db/id "addr" :address/street "Main St" :address/city "city"}
     :person/phones [{:db/id "ph1" :phone/number "1"} {:db/id "ph2" :phone/number "2"}]}
    {:db/id "bob" :person/name "Bob" :person/friend ["ann"] :person/spouse "ann"}])");
  EntityId ann = *setup.Tempid("ann");
  EntityId addr = *setup.Tempid("addr");
  EntityId ph1 = *setup.Tempid("ph1");
  EntityId ph2 = *setup.Tempid("ph2");
  EntityId bob = *setup.Tempid("bob");
  EntityId city = *setup.Tempid("city");

  TxReport r = Tx(R"([[:db/retractEntity [:person/name "Ann"]]])");
  Database db = r.db_after;
  for (EntityId gone : {ann, addr, ph1, ph2}) {
    EXPECT_TRUE(Dump(db, Index::kEavt, {L(gone)}).empty()) << gone;
    EXPECT_TRUE(Dump(db, Index::kVaet, {L(gone)}).empty()) << gone;
  }
  // References to Ann are gone; Bob himself stays.
  EXPECT_TRUE(Contains(r.tx_data, bob, A("person/friend"), Value::Ref(ann), false));
  EXPECT_TRUE(Contains(r.tx_data, bob, A("person/spouse"), Value::Ref(ann), false));
  EXPECT_EQ(One(bob, "person/name"), S("Bob"));
  // A non-component reference from a component is retracted, its target stays.
  EXPECT_TRUE(Contains(r.tx_data, addr, A("address/city"), Value::Ref(city), false));
  EXPECT_EQ(One(city, "city/name"), S("Oslo"));
  // The enum Ann pointed to stays.
  EXPECT_EQ(db.Entid(K("color/red")), Db().Entid(K("color/red")));
  // Every retraction is in tx-data exactly once.
  std::vector<Datom> sorted = r.tx_data;
  std::sort(sorted.begin(), sorted.end(), [](const Datom& x, const Datom& y) {
    if (x.e != y.e) return x.e < y.e;
    if (x.a != y.a) return x.a < y.a;
    return x.v < y.v;
  });
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
  // Ann's name, age, color, address and two phones (6); the address's street
  // and city (2); the phones' numbers (2); Bob's friend and spouse refs (2);
  // the :db/txInstant.
  EXPECT_EQ(r.tx_data.size(), 13u);
}

TEST_F(TxTest, RetractEntityOfMissingEntityIsNotFoundAndOfTempidIsIncorrect) {
  People();
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retractEntity [:person/name "Zed"]]])"),
                        Category::kNotFound, "db.error/not-an-entity"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retractEntity :no/such-ident]])"), Category::kNotFound,
                        "db.error/not-an-entity"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retractEntity "t"]])"), Category::kIncorrect, ""));
}

TEST_F(TxTest, RetractEntityTogetherWithExplicitRetractionsWritesEachDatomOnce) {
  People();
  TxReport r = Tx(R"([[:db/retractEntity [:person/name "Ann"]]
                      [:db/retract [:person/name "Ann"] :person/age 30]
                      [:db.fn/retractEntity [:person/name "Ann"]]])");
  // name, age, two nicks, Bob's friend ref, txInstant.
  EXPECT_EQ(r.tx_data.size(), 6u);
  EXPECT_TRUE(Dump(r.db_after, Index::kEavt, {L(ann_)}).empty());
}

TEST_F(TxTest, RetractEntityOfASelfReferencingEntity) {
  People();
  Tx(R"([[:db/add [:person/name "Ann"] :person/friend [:person/name "Ann"]]
         [:db/add [:person/name "Ann"] :person/spouse [:person/name "Ann"]]])");
  TxReport r = Tx(R"([[:db/retractEntity [:person/name "Ann"]]])");
  // name, age, two nicks, friend self, spouse self, Bob's friend ref, txInstant.
  EXPECT_EQ(r.tx_data.size(), 8u);
  EXPECT_TRUE(Dump(r.db_after, Index::kEavt, {L(ann_)}).empty());
  EXPECT_TRUE(Dump(r.db_after, Index::kVaet, {L(ann_)}).empty());
}

// ---- :db/cas ------------------------------------------------------------------------

TEST_F(TxTest, CasSwapsWhenTheOldValueMatches) {
  People();
  TxReport r = Tx(R"([[:db/cas [:person/name "Ann"] :person/age 30 31]])");
  EXPECT_EQ(One(ann_, "person/age"), L(31));
  EXPECT_TRUE(Contains(r.tx_data, ann_, A("person/age"), L(30), false));
  EXPECT_TRUE(Contains(r.tx_data, ann_, A("person/age"), L(31), true));
  // The old name :db.fn/cas works too.
  Tx(R"([[:db.fn/cas [:person/name "Ann"] :person/age 31 32]])");
  EXPECT_EQ(One(ann_, "person/age"), L(32));
}

TEST_F(TxTest, CasMismatchIsAConflict) {
  People();
  std::optional<Anomaly> a = Reject(R"([[:db/cas [:person/name "Ann"] :person/age 29 31]])");
  EXPECT_TRUE(IsAnomaly(a, Category::kConflict, "db.error/cas-failed"));
  // A cas in a transaction with other valid forms rejects them all.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "n" :person/name "New"]
                                   [:db/cas [:person/name "Ann"] :person/age 1 2]])"),
                        Category::kConflict, "db.error/cas-failed"));
  EXPECT_FALSE(Db().Entid(Value::Vector({K("person/name"), S("New")})).has_value());
}

TEST_F(TxTest, CasWithNilOldValueMeansAbsent) {
  People();
  Tx(R"([[:db/cas [:person/name "Bob"] :person/age nil 40]])");
  EXPECT_EQ(One(bob_, "person/age"), L(40));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/cas [:person/name "Ann"] :person/age nil 40]])"),
                        Category::kConflict, "db.error/cas-failed"));
  // A value when there is none is a mismatch too.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/cas [:person/name "Bob"] :person/email "x" "y"]])"),
                        Category::kConflict, "db.error/cas-failed"));
}

TEST_F(TxTest, CasOnRefAcceptsIdentsAndLookupRefs) {
  People();
  Tx(R"([[:db/add [:person/name "Ann"] :person/color :color/red]])");
  Tx(R"([[:db/cas [:person/name "Ann"] :person/color :color/red :color/blue]])");
  EXPECT_EQ(One(ann_, "person/color"), Value::Ref(A("color/blue")));
  Tx(R"([[:db/cas [:person/name "Ann"] :person/spouse nil [:person/name "Bob"]]])");
  Tx(R"([[:db/cas [:person/name "Ann"] :person/spouse [:person/name "Bob"] [:person/name "Ann"]]])");
  EXPECT_EQ(One(ann_, "person/spouse"), Value::Ref(ann_));
  EXPECT_TRUE(
      IsAnomaly(Reject(R"([[:db/cas [:person/name "Ann"] :person/color :color/red :color/blue]])"),
                Category::kConflict, "db.error/cas-failed"));
}

TEST_F(TxTest, CasOnCardinalityManyOrWithWrongArityIsIncorrect) {
  People();
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/cas [:person/name "Ann"] :person/nick "a" "z"]])"),
                        Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/cas [:person/name "Ann"] :person/age 30]])"),
                        Category::kIncorrect, ""));
}

TEST_F(TxTest, UnknownOperationIsNotADataFunction) {
  // Datomic: :db.error/not-a-data-function "Unable to resolve data function".
  std::optional<Anomaly> a = Reject(R"([[:no.such/fn 1 2]])");
  EXPECT_TRUE(IsAnomaly(a, Category::kIncorrect, "db.error/not-a-data-function"));
}

// ---- Map forms ------------------------------------------------------------------

TEST_F(TxTest, MapWithAndWithoutDbId) {
  TxReport r = Tx(R"([{:db/id "c" :person/name "Cy" :person/age 3}
                      {:person/name "Di" :person/nick #{"d" "dd"}}])");
  EntityId cy = *r.Tempid("c");
  EXPECT_EQ(Person("Cy"), cy);
  EntityId di = Person("Di");
  EXPECT_NE(di, cy);
  EXPECT_EQ(PartitionOf(di), kPartUser);
  EXPECT_EQ(Values(di, "person/nick"), (std::vector<Value>{S("d"), S("dd")}));
  // A map naming an existing entity by id, ident or lookup ref adds to it.
  Tx(R"([{:db/id [:person/name "Cy"] :person/age 4}])");
  EXPECT_EQ(One(cy, "person/age"), L(4));
  conn_.Transact(Value::Vector({Value::Map({{K("db/id"), L(di)}, {K("person/age"), L(5)}})}));
  EXPECT_EQ(One(di, "person/age"), L(5));
  Tx(R"([{:db/id :color/red :db/doc "the colour red"}])");
  EXPECT_EQ(One(A("color/red"), "db/doc"), S("the colour red"));
}

TEST_F(TxTest, MapKeysMustBeAttributes) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([{"name" "x"}])"), Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:person/name "x" :no/such 1}])"), Category::kIncorrect, ""));
}

TEST_F(TxTest, CollectionsForCardinalityMany) {
  TxReport r = Tx(R"([{:db/id "e" :person/name "E" :person/nick ["x" "y" "x"]}
                      {:db/id "f" :person/name "F" :person/nick #{"z"} :person/friend ["e"]}])");
  EXPECT_EQ(Values(*r.Tempid("e"), "person/nick"), (std::vector<Value>{S("x"), S("y")}));
  EXPECT_EQ(Values(*r.Tempid("f"), "person/nick"), std::vector<Value>{S("z")});
  EXPECT_EQ(Values(*r.Tempid("f"), "person/friend"),
            std::vector<Value>{Value::Ref(*r.Tempid("e"))});
  // A single value for a many attribute is one value.
  Tx(R"([{:db/id [:person/name "E"] :person/nick "w"}])");
  EXPECT_EQ(Values(*r.Tempid("e"), "person/nick").size(), 3u);
  // A collection for a cardinality-one attribute is a wrong type.
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:person/name "G" :person/age [1 2]}])"), Category::kIncorrect,
                        "db.error/wrong-type-for-attribute"));
}

TEST_F(TxTest, NestedMapsUnderComponentAttributes) {
  TxReport r = Tx(R"([{:db/id "g" :person/name "G"
                       :person/address {:address/street "High St"}
                       :person/phones [{:phone/number "1"} {:phone/number "2"}]}])");
  EntityId g = *r.Tempid("g");
  Value addr = One(g, "person/address");
  ASSERT_TRUE(addr.is_ref());
  EXPECT_NE(addr.AsLong(), g);
  EXPECT_EQ(One(addr.AsLong(), "address/street"), S("High St"));
  std::vector<Value> phones = Values(g, "person/phones");
  ASSERT_EQ(phones.size(), 2u);
  std::vector<Value> numbers;
  for (const Value& p : phones) numbers.push_back(One(p.AsLong(), "phone/number"));
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, (std::vector<Value>{S("1"), S("2")}));
}

TEST_F(TxTest, NestedMapsWithAUniqueAttributeUnderAnyRef) {
  People();
  TxReport r = Tx(R"([{:person/name "H" :person/friend [{:person/name "Ann"} {:person/name "New"}]
                       :person/spouse {:person/name "Bob"}}])");
  EntityId h = Person("H");
  std::vector<Value> friends = Values(h, "person/friend");
  EXPECT_EQ(friends.size(), 2u);
  EXPECT_NE(std::find(friends.begin(), friends.end(), Value::Ref(ann_)), friends.end());
  EXPECT_NE(std::find(friends.begin(), friends.end(), Value::Ref(Person("New"))), friends.end());
  EXPECT_EQ(One(h, "person/spouse"), Value::Ref(bob_));
}

TEST_F(TxTest, NestedMapsWithoutUniqueAttributeUnderNonComponentAreRejected) {
  People();
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:person/name "I" :person/spouse {:person/age 3}}])"),
                        Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:person/name "I" :person/friend [{:person/age 3}]}])"),
                        Category::kIncorrect, ""));
  // A nested map under a non-ref attribute is a wrong type.
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:person/name "I" :person/nick [{:person/name "x"}]}])"),
                        Category::kIncorrect, ""));
  // And never in a list form.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "i" :person/address {:address/street "x"}]])"),
                        Category::kIncorrect, ""));
}

TEST_F(TxTest, ReverseAttributeKeys) {
  People();
  TxReport r = Tx(R"([{:db/id "j" :person/name "J"
                       :person/_friend [[:person/name "Ann"] [:person/name "Bob"]]}
                      {:db/id "k" :person/name "K" :person/_spouse [:person/name "Ann"]}])");
  EntityId j = *r.Tempid("j");
  EntityId k = *r.Tempid("k");
  EXPECT_TRUE(Contains(r.tx_data, ann_, A("person/friend"), Value::Ref(j), true));
  EXPECT_TRUE(Contains(r.tx_data, bob_, A("person/friend"), Value::Ref(j), true));
  EXPECT_EQ(One(ann_, "person/spouse"), Value::Ref(k));
  EXPECT_FALSE(Db().Entid(K("person/_friend")).has_value());
  // The reverse of a non-ref attribute is an error.
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:person/name "L" :person/_age [:person/name "Ann"]}])"),
                        Category::kIncorrect, ""));
  // The reverse key's source must exist.
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:person/name "L" :person/_friend [:person/name "Zed"]}])"),
                        Category::kNotFound, "db.error/not-an-entity"));
  // A nested map as the source follows the nested-map rule: it needs a
  // unique attribute (or a component attribute).
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:person/name "L" :person/_friend {:person/age 3}}])"),
                        Category::kIncorrect, "db.error/invalid-nested-entity"));
  TxReport m = Tx(R"([{:db/id "m" :person/name "M" :person/_friend {:person/name "Nu"}}])");
  EXPECT_EQ(Values(Person("Nu"), "person/friend"), std::vector<Value>{Value::Ref(*m.Tempid("m"))});
}

// ---- Entity identifiers ----------------------------------------------------------

TEST_F(TxTest, EntityIdsIdentsAndLookupRefsName) {
  People();
  conn_.Transact(Value::Vector({Value::Vector({K("db/add"), L(ann_), K("person/age"), L(33)})}));
  EXPECT_EQ(One(ann_, "person/age"), L(33));
  Tx(R"([[:db/add [:person/name "Bob"] :person/spouse [:person/name "Ann"]]
         [:db/add [:person/name "Bob"] :person/color :color/blue]])");
  EXPECT_EQ(One(bob_, "person/spouse"), Value::Ref(ann_));
  EXPECT_EQ(One(bob_, "person/color"), Value::Ref(A("color/blue")));
  // An attribute may be named by its entity id too.
  conn_.Transact(Value::Vector({Value::Vector({K("db/add"), L(ann_), L(A("person/age")), L(34)})}));
  EXPECT_EQ(One(ann_, "person/age"), L(34));
}

TEST_F(TxTest, MissingLookupRefOrIdentIsNotFound) {
  People();
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:person/name "Zed"] :person/age 1]])"),
                        Category::kNotFound, "db.error/not-an-entity"));
  EXPECT_TRUE(
      IsAnomaly(Reject(R"([[:db/add [:person/name "Ann"] :person/spouse [:person/name "Zed"]]])"),
                Category::kNotFound, "db.error/not-an-entity"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:db/id [:person/name "Zed"] :person/age 1}])"),
                        Category::kNotFound, "db.error/not-an-entity"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:person/name "Ann"] :person/color :color/green]])"),
                        Category::kNotFound, "db.error/not-an-entity"));
  // A lookup ref through a non-unique attribute is incorrect.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:person/age 30] :person/nick "q"]])"),
                        Category::kIncorrect, ""));
}

TEST_F(TxTest, OneStringTempidIsOneEntity) {
  TxReport r = Tx(R"([[:db/add "m" :person/name "M"]
                      {:db/id "m" :person/age 9}
                      [:db/add "n" :person/name "N"]
                      [:db/add "n" :person/friend "m"]])");
  EntityId m = *r.Tempid("m");
  EntityId n = *r.Tempid("n");
  EXPECT_NE(m, n);
  EXPECT_EQ(One(m, "person/age"), L(9));
  EXPECT_EQ(Values(n, "person/friend"), std::vector<Value>{Value::Ref(m)});
  EXPECT_EQ(r.tempids.size(), 2u);
}

TEST_F(TxTest, TempidUsedOnlyAsAValueIsRejected) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "o" :person/name "O"]
                                   [:db/add "o" :person/friend "nobody"]])"),
                        Category::kIncorrect, "db.error/tempid-not-an-entity"));
}

TEST_F(TxTest, UnallocatedEntityIdIsRejected) {
  EntityId far = MakeEntityId(kPartUser, 1'000'000);
  std::optional<Anomaly> a;
  Database before = Db();
  a = CatchAnomaly([&] {
    conn_.Transact(Value::Vector({Value::Vector({K("db/add"), L(far), K("person/age"), L(1)})}));
  });
  EXPECT_TRUE(IsAnomaly(a, Category::kIncorrect, ""));
  EXPECT_EQ(Db().basis_t(), before.basis_t());
}

TEST_F(TxTest, DatomicTxNamesTheTransactionEntity) {
  TxReport r = Tx(R"([{:db/id "datomic.tx" :db/doc "import batch 7"}
                      [:db/add "p" :person/name "P"]
                      [:db/add "p" :person/friend "datomic.tx"]])");
  EntityId tx = TxFromT(r.db_after.basis_t());
  EXPECT_TRUE(Contains(r.tx_data, tx, A("db/doc"), S("import batch 7"), true));
  EXPECT_EQ(One(tx, "db/doc"), S("import batch 7"));
  EXPECT_EQ(Values(Person("P"), "person/friend"), std::vector<Value>{Value::Ref(tx)});
  // As Datomic's :tempids, the result maps "datomic.tx" to the transaction.
  EXPECT_EQ(r.Tempid("datomic.tx"), std::optional<EntityId>(tx));
}

// ---- Cardinality one, redundancy, conflicts ----------------------------------------

TEST_F(TxTest, CardinalityOneReplacesTheOldValueInTxData) {
  People();
  int64_t t_before = Db().basis_t();
  TxReport r = Tx(R"([{:db/id [:person/name "Ann"] :person/age 31}])");
  EXPECT_TRUE(Contains(r.tx_data, ann_, A("person/age"), L(30), false));
  EXPECT_TRUE(Contains(r.tx_data, ann_, A("person/age"), L(31), true));
  EXPECT_EQ(r.tx_data.size(), 3u);
  EXPECT_EQ(Values(ann_, "person/age"), std::vector<Value>{L(31)});
  EXPECT_EQ(Values(ann_, "person/age").size(), 1u);
  EXPECT_EQ(Dump(Db().AsOf(L(t_before)), Index::kEavt, {L(ann_), K("person/age")}).size(), 1u);
  EXPECT_EQ(Dump(Db().History(), Index::kEavt, {L(ann_), K("person/age")}).size(), 3u);
  // Refs too.
  Tx(R"([[:db/add [:person/name "Ann"] :person/spouse [:person/name "Bob"]]])");
  TxReport s = Tx(R"([[:db/add [:person/name "Ann"] :person/spouse [:person/name "Ann"]]])");
  EXPECT_TRUE(Contains(s.tx_data, ann_, A("person/spouse"), Value::Ref(bob_), false));
}

TEST_F(TxTest, RedundantAssertionsAndAbsentRetractionsWriteNothing) {
  People();
  Database before = Db();
  TxReport r = Tx(R"([[:db/add [:person/name "Ann"] :person/age 30]
                      {:db/id [:person/name "Ann"] :person/nick ["a" "b"]}
                      [:db/retract [:person/name "Ann"] :person/nick "zz"]
                      [:db/retract [:person/name "Bob"] :person/age 99]])");
  ASSERT_EQ(r.tx_data.size(), 1u);
  EXPECT_EQ(r.tx_data[0].a, A("db/txInstant"));
  // Only the transaction entity's datom was added.
  std::vector<Datom> after = Dump(Db());
  EXPECT_EQ(after.size(), Dump(before).size() + 1);
  EXPECT_EQ(Dump(Db().History(), Index::kEavt, {L(ann_)}).size(),
            Dump(before.History(), Index::kEavt, {L(ann_)}).size());
}

TEST_F(TxTest, SameDatomTwiceIsWrittenOnce) {
  TxReport r = Tx(R"([[:db/add "q" :person/name "Q"] [:db/add "q" :person/name "Q"]
                      {:db/id "q" :person/nick ["x"]} [:db/add "q" :person/nick "x"]])");
  EXPECT_EQ(r.tx_data.size(), 3u);
}

TEST_F(TxTest, TwoValuesForACardinalityOneAttributeConflict) {
  People();
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:person/name "Ann"] :person/age 1]
                                   [:db/add [:person/name "Ann"] :person/age 2]])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:db/id [:person/name "Ann"] :person/age 2}
                                   {:person/name "Ann" :person/age 1}])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
  // Also when one of them is the current value.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:person/name "Ann"] :person/age 30]
                                   [:db/add [:person/name "Ann"] :person/age 2]])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "new" :person/age 2]
                                   [:db/add "new" :person/age 3]])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
}

TEST_F(TxTest, AddAndRetractOfOneFactConflictInEitherOrder) {
  People();
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:person/name "Ann"] :person/nick "a"]
                                   [:db/retract [:person/name "Ann"] :person/nick "a"]])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retract [:person/name "Ann"] :person/nick "a"]
                                   [:db/add [:person/name "Ann"] :person/nick "a"]])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retract [:person/name "Ann"] :person/nick "new"]
                                   [:db/add [:person/name "Ann"] :person/nick "new"]])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retractEntity [:person/name "Ann"]]
                                   [:db/add [:person/name "Ann"] :person/age 30]])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
}

TEST_F(TxTest, ExplicitRetractionOfTheReplacedValueIsFine) {
  People();
  TxReport r = Tx(R"([[:db/retract [:person/name "Ann"] :person/age 30]
                      [:db/add [:person/name "Ann"] :person/age 31]])");
  EXPECT_EQ(r.tx_data.size(), 3u);
  EXPECT_EQ(One(ann_, "person/age"), L(31));
}

}  // namespace
}  // namespace strata::testing
