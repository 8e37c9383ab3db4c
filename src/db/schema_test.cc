// Tests for schema as data: the bootstrap schema queried like any data,
// installing attributes with Datomic's validation, the alteration rules,
// renamed idents, :db/noHistory and :db/index, and the bootstrap schema's
// immutability.
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

class SchemaTest : public DbTest {
 protected:
  // Expects `edn` to be rejected as incorrect, with nothing changed.
  ::testing::AssertionResult Rejected(std::string_view edn) {
    std::optional<Anomaly> a = Reject(edn);
    // A unique conflict is category conflict, as Datomic reports it; every
    // other rejection here is incorrect input.
    bool unique = a && a->error() == Value::Keyword("db.error", "unique-conflict");
    return IsAnomaly(a, unique ? Category::kConflict : Category::kIncorrect, "") << " for " << edn;
  }
  void Install(std::string_view attr, std::string_view spec) {
    Tx("[{:db/ident " + std::string(attr) + " " + std::string(spec) + "}]");
  }
};

// ---- Bootstrap ------------------------------------------------------------------

TEST_F(SchemaTest, BootstrapIsTransactionZero) {
  Database db = Db();
  EXPECT_EQ(db.basis_t(), 0);
  std::vector<Datom> all = Dump(db);
  ASSERT_FALSE(all.empty());
  for (const Datom& d : all) {
    EXPECT_EQ(d.tx, TxFromT(0)) << ToString(d);
    EXPECT_TRUE(d.added);
  }
  EXPECT_GT(db.next_t(), db.basis_t());
}

TEST_F(SchemaTest, BootstrapSchemaIsQueryableAsData) {
  Database db = Db();
  std::vector<Value> idents;
  for (const Datom& d : Dump(db, Index::kAevt, {K("db/ident")})) idents.push_back(d.v);
  auto has = [&](std::string_view ident) {
    return std::find(idents.begin(), idents.end(), K(ident)) != idents.end();
  };
  for (const char* ident : {"db/ident",
                            "db/valueType",
                            "db/cardinality",
                            "db/unique",
                            "db/isComponent",
                            "db/index",
                            "db/noHistory",
                            "db/fulltext",
                            "db/doc",
                            "db/tupleType",
                            "db/tupleTypes",
                            "db/tupleAttrs",
                            "db.attr/preds",
                            "db/txInstant",
                            "db/ensure",
                            "db.entity/attrs",
                            "db.entity/preds",
                            "db.type/string",
                            "db.type/long",
                            "db.type/ref",
                            "db.type/keyword",
                            "db.type/boolean",
                            "db.type/instant",
                            "db.type/uuid",
                            "db.type/double",
                            "db.type/float",
                            "db.type/bigint",
                            "db.type/bigdec",
                            "db.type/uri",
                            "db.type/bytes",
                            "db.type/symbol",
                            "db.type/tuple",
                            "db.cardinality/one",
                            "db.cardinality/many",
                            "db.unique/value",
                            "db.unique/identity",
                            "db.part/db",
                            "db.part/tx",
                            "db.part/user"}) {
    EXPECT_TRUE(has(ident)) << ident;
  }
  // :db/ident describes itself: a unique keyword attribute of cardinality one.
  EntityId ident = A("db/ident");
  EXPECT_EQ(One(ident, "db/ident"), K("db/ident"));
  EXPECT_EQ(One(ident, "db/valueType"), Value::Ref(A("db.type/keyword")));
  EXPECT_EQ(One(ident, "db/cardinality"), Value::Ref(A("db.cardinality/one")));
  EXPECT_EQ(One(ident, "db/unique"), Value::Ref(A("db.unique/identity")));
  EXPECT_EQ(One(A("db.attr/preds"), "db/cardinality"), Value::Ref(A("db.cardinality/many")));
  EXPECT_EQ(One(A("db/txInstant"), "db/valueType"), Value::Ref(A("db.type/instant")));
  EXPECT_TRUE(One(A("db/doc"), "db/doc").is_string());
  // The partitions are where Datomic puts them.
  EXPECT_EQ(db.Entid(K("db.part/db")), std::optional<EntityId>(kPartDb));
  EXPECT_EQ(db.Entid(K("db.part/tx")), std::optional<EntityId>(kPartTx));
  EXPECT_EQ(db.Entid(K("db.part/user")), std::optional<EntityId>(kPartUser));
  // Idents resolve both ways.
  EXPECT_EQ(db.Ident(ident), K("db/ident"));
  EXPECT_TRUE(db.Ident(A("db.type/string")) == K("db.type/string"));
  // The value-type attributes are refs to the type entities (VAET).
  EXPECT_FALSE(Dump(db, Index::kVaet, {K("db.type/string"), K("db/valueType")}).empty());
}

TEST_F(SchemaTest, BootstrapAttributesCannotBeAltered) {
  EXPECT_TRUE(Rejected(R"([{:db/id :db/doc :db/cardinality :db.cardinality/many}])"));
  EXPECT_TRUE(Rejected(R"([{:db/id :db/ident :db/ident :db/name}])"));
  EXPECT_TRUE(Rejected(R"([[:db/retract :db/doc :db/valueType :db.type/string]])"));
  EXPECT_TRUE(Rejected(R"([{:db/id :db/txInstant :db/noHistory true}])"));
  EXPECT_TRUE(Rejected(R"([[:db/retractEntity :db/cardinality]])"));
  EXPECT_EQ(Db().Entid(K("db/ident")), std::optional<EntityId>(A("db/ident")));
}

// ---- Installing attributes ---------------------------------------------------------

TEST_F(SchemaTest, InstalledAttributeIsDataAndUsable) {
  TxReport r = Tx(R"([{:db/ident :person/name :db/valueType :db.type/string
                       :db/cardinality :db.cardinality/one :db/doc "A person's name"}])");
  EntityId name = A("person/name");
  EXPECT_EQ(One(name, "db/valueType"), Value::Ref(A("db.type/string")));
  EXPECT_EQ(One(name, "db/cardinality"), Value::Ref(A("db.cardinality/one")));
  EXPECT_EQ(One(name, "db/doc"), S("A person's name"));
  std::vector<Datom> typed = Dump(Db(), Index::kAvet, {K("db/valueType"), K("db.type/string")});
  EXPECT_TRUE(std::any_of(typed.begin(), typed.end(), [&](const Datom& d) { return d.e == name; }));
  EXPECT_EQ(r.db_before.Entid(K("person/name")), std::nullopt);
  TxReport use = Tx(R"([[:db/add "p" :person/name "Ann"]])");
  EXPECT_EQ(One(*use.Tempid("p"), "person/name"), S("Ann"));
}

TEST_F(SchemaTest, LegacyInstallThroughDbInstallAttribute) {
  // Datomic's older form: the attribute installed by :db.install/_attribute.
  Tx(R"([{:db/id "a" :db/ident :legacy/name :db/valueType :db.type/string
          :db/cardinality :db.cardinality/one :db.install/_attribute :db.part/db}])");
  TxReport r = Tx(R"([[:db/add "x" :legacy/name "old style"]])");
  EXPECT_EQ(One(*r.Tempid("x"), "legacy/name"), S("old style"));
  std::vector<Datom> installed =
      Dump(Db(), Index::kEavt, {K("db.part/db"), K("db.install/attribute"), K("legacy/name")});
  EXPECT_EQ(installed.size(), 1u);
}

TEST_F(SchemaTest, AnAttributeCannotBeUsedInTheTransactionThatInstallsIt) {
  EXPECT_TRUE(Rejected(R"([{:db/ident :x/y :db/valueType :db.type/long
                            :db/cardinality :db.cardinality/one}
                           [:db/add "e" :x/y 1]])"));
}

TEST_F(SchemaTest, RequiredAttributesOfAnAttribute) {
  EXPECT_TRUE(Rejected(R"([{:db/ident :x/a :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :x/b :db/valueType :db.type/string}])"));
  EXPECT_TRUE(Rejected(R"([{:db/valueType :db.type/string :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :x/c :db/valueType :db.cardinality/one
                            :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :x/d :db/valueType :db.type/string
                            :db/cardinality :db.type/string}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :x/e :db/valueType :db.type/string
                            :db/cardinality :db.cardinality/one :db/unique :db.cardinality/one}])"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] {
                          Tx(R"([{:db/ident :x/f :db/valueType :db.type/nope
                                  :db/cardinality :db.cardinality/one}])");
                        }),
                        Category::kNotFound, ""));
  EXPECT_FALSE(Db().Entid(K("x/a")).has_value());
}

TEST_F(SchemaTest, UniqueOnlyOnCardinalityOne) {
  EXPECT_TRUE(Rejected(R"([{:db/ident :x/tags :db/valueType :db.type/string
                            :db/cardinality :db.cardinality/many :db/unique :db.unique/value}])"));
  Install(":x/code",
          ":db/valueType :db.type/string :db/cardinality :db.cardinality/one "
          ":db/unique :db.unique/value");
  // Nor may a unique attribute become cardinality many.
  EXPECT_TRUE(Rejected(R"([{:db/id :x/code :db/cardinality :db.cardinality/many}])"));
}

TEST_F(SchemaTest, IsComponentOnlyOnRefs) {
  EXPECT_TRUE(Rejected(R"([{:db/ident :x/part :db/valueType :db.type/string
                            :db/cardinality :db.cardinality/one :db/isComponent true}])"));
  Install(":x/ref",
          ":db/valueType :db.type/ref :db/cardinality :db.cardinality/many "
          ":db/isComponent true");
  EXPECT_EQ(One(A("x/ref"), "db/isComponent"), Value::Boolean(true));
}

TEST_F(SchemaTest, TupleRules) {
  Install(":t/a", ":db/valueType :db.type/string :db/cardinality :db.cardinality/one");
  Install(":t/b", ":db/valueType :db.type/long :db/cardinality :db.cardinality/one");
  Install(":t/many", ":db/valueType :db.type/long :db/cardinality :db.cardinality/many");
  Tx(R"([{:db/ident :t/enum}])");
  // A tuple needs exactly one of :db/tupleType, :db/tupleTypes, :db/tupleAttrs.
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleType :db.type/long :db/tupleTypes [:db.type/long :db.type/string]
                            :db/cardinality :db.cardinality/one}])"));
  // Only on tuples.
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/long :db/tupleType :db.type/long
                            :db/cardinality :db.cardinality/one}])"));
  // 2 to 8 elements of scalar types.
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleTypes [:db.type/long] :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(
      R"([{:db/ident :t/x :db/valueType :db.type/tuple
           :db/tupleTypes [:db.type/long :db.type/long :db.type/long :db.type/long :db.type/long
                           :db.type/long :db.type/long :db.type/long :db.type/long]
           :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleType :db.type/tuple :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleTypes [:db.type/long :db.type/nope]
                            :db/cardinality :db.cardinality/one}])"));
  // Composite members: existing, cardinality one, not tuples; composite is one.
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleAttrs [:t/a] :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleAttrs [:t/a :t/many] :db/cardinality :db.cardinality/one}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleAttrs [:t/a :t/b] :db/cardinality :db.cardinality/many}])"));
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleAttrs [:t/a :t/enum] :db/cardinality :db.cardinality/one}])"));
  // The valid forms install.
  Tx(R"([{:db/ident :t/ab :db/valueType :db.type/tuple :db/tupleAttrs [:t/a :t/b]
          :db/cardinality :db.cardinality/one}
         {:db/ident :t/hetero :db/valueType :db.type/tuple :db/tupleTypes [:db.type/long :db.type/string]
          :db/cardinality :db.cardinality/one}
         {:db/ident :t/homo :db/valueType :db.type/tuple :db/tupleType :db.type/keyword
          :db/cardinality :db.cardinality/many}])");
  // As Datomic shows it: the members' idents.
  EXPECT_EQ(One(A("t/ab"), "db/tupleAttrs"), Value::Tuple({K("t/a"), K("t/b")}));
  EXPECT_EQ(One(A("t/hetero"), "db/tupleTypes"),
            Value::Tuple({K("db.type/long"), K("db.type/string")}));
  // A composite's members cannot be tuples.
  EXPECT_TRUE(Rejected(R"([{:db/ident :t/x :db/valueType :db.type/tuple
                            :db/tupleAttrs [:t/a :t/ab] :db/cardinality :db.cardinality/one}])"));
}

// ---- Alteration -------------------------------------------------------------------

class AlterTest : public SchemaTest {
 protected:
  void SetUp() override {
    Tx(R"([{:db/ident :p/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
           {:db/ident :p/tags :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
           {:db/ident :p/code :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
           {:db/ident :p/text :db/valueType :db.type/string :db/cardinality :db.cardinality/one
            :db/fulltext true}
           {:db/ident :p/x :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
           {:db/ident :p/y :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])");
    Tx(R"([{:db/ident :p/xy :db/valueType :db.type/tuple :db/tupleAttrs [:p/x :p/y]
            :db/cardinality :db.cardinality/one}])");
    TxReport r = Tx(R"([{:db/id "a" :p/name "a" :p/tags ["t1"] :p/code "A"}
                        {:db/id "b" :p/name "b" :p/tags ["t1" "t2"] :p/code "A"}])");
    a_ = *r.Tempid("a");
    b_ = *r.Tempid("b");
  }
  EntityId a_ = 0;
  EntityId b_ = 0;
};

TEST_F(AlterTest, ValueTypeFulltextAndTupleAttrsNeverChange) {
  EXPECT_TRUE(Rejected(R"([{:db/id :p/name :db/valueType :db.type/keyword}])"));
  EXPECT_TRUE(Rejected(R"([{:db/id :p/text :db/fulltext false}])"));
  EXPECT_TRUE(Rejected(R"([{:db/id :p/name :db/fulltext true}])"));
  EXPECT_TRUE(Rejected(R"([{:db/id :p/xy :db/tupleAttrs [:p/y :p/x]}])"));
  EXPECT_TRUE(Rejected(R"([[:db/retract :p/name :db/valueType :db.type/string]])"));
  EXPECT_EQ(One(A("p/name"), "db/valueType"), Value::Ref(A("db.type/string")));
}

TEST_F(AlterTest, TupleTypesNeverChange) {
  Tx(R"([{:db/ident :p/hetero :db/valueType :db.type/tuple
          :db/tupleTypes [:db.type/string :db.type/long] :db/cardinality :db.cardinality/one}
         {:db/ident :p/homo :db/valueType :db.type/tuple :db/tupleType :db.type/long
          :db/cardinality :db.cardinality/one}])");
  EXPECT_TRUE(Rejected(R"([{:db/id :p/hetero :db/tupleTypes [:db.type/string :db.type/string]}])"));
  EXPECT_TRUE(Rejected(R"([{:db/id :p/homo :db/tupleType :db.type/string}])"));
  EXPECT_TRUE(Rejected(R"([{:db/id :p/homo :db/tupleTypes [:db.type/long :db.type/long]}])"));
  // The tuples still check values by their original types.
  Tx(R"([[:db/add "t" :p/hetero ["a" 1]] [:db/add "t" :p/homo [1 2]]])");
}

TEST_F(AlterTest, CardinalityOneToManyIsAllowed) {
  Tx(R"([{:db/id :p/name :db/cardinality :db.cardinality/many}])");
  TxReport r = Tx("[[:db/add " + std::to_string(a_) + " :p/name \"a2\"]]");
  EXPECT_EQ(Values(Db(), a_, "p/name"), (std::vector<Value>{S("a"), S("a2")}));
  EXPECT_EQ(r.tx_data.size(), 2u);  // no implicit retraction any more
}

TEST_F(AlterTest, ManyToOneOnlyWhenNoEntityHasTwoValues) {
  EXPECT_TRUE(Rejected(R"([{:db/id :p/tags :db/cardinality :db.cardinality/one}])"));
  Tx("[[:db/retract " + std::to_string(b_) + " :p/tags \"t2\"]]");
  Tx(R"([{:db/id :p/tags :db/cardinality :db.cardinality/one}])");
  // Now a new value replaces the old one.
  TxReport r = Tx("[[:db/add " + std::to_string(b_) + " :p/tags \"t3\"]]");
  EXPECT_EQ(Values(Db(), b_, "p/tags"), std::vector<Value>{S("t3")});
  EXPECT_EQ(r.tx_data.size(), 3u);
}

TEST_F(AlterTest, UniquenessOnlyWhenValuesAreUnique) {
  EXPECT_TRUE(Rejected(R"([{:db/id :p/code :db/unique :db.unique/identity}])"));
  EXPECT_TRUE(Rejected(R"([{:db/id :p/code :db/unique :db.unique/value}])"));
  Tx(R"([{:db/id :p/name :db/unique :db.unique/identity}])");
  // The new identity upserts, and the lookup ref works.
  Tx(R"([{:p/name "a" :p/code "B"}])");
  EXPECT_EQ(One(a_, "p/code"), S("B"));
  EXPECT_EQ(Db().Entid(Value::Vector({K("p/name"), S("a")})), std::optional<EntityId>(a_));
  Tx(R"([{:db/id :p/code :db/unique :db.unique/value}])");
  EXPECT_TRUE(Rejected("[[:db/add " + std::to_string(b_) + " :p/code \"B\"]]"));
}

TEST_F(AlterTest, UniquenessCanBeDropped) {
  Tx(R"([{:db/id :p/name :db/unique :db.unique/identity}])");
  EXPECT_TRUE(Rejected("[[:db/add " + std::to_string(b_) + " :p/name \"a\"]]"));
  Tx(R"([[:db/retract :p/name :db/unique :db.unique/identity]])");
  Tx("[[:db/add " + std::to_string(b_) + " :p/name \"a\"]]");
  EXPECT_EQ(Dump(Db(), Index::kAvet, {K("p/name"), S("a")}).size(), 2u);
}

TEST_F(AlterTest, NoHistoryAndIndexAndDocMayChange) {
  Tx(R"([{:db/id :p/name :db/noHistory true :db/index true :db/doc "name"}])");
  EXPECT_EQ(One(A("p/name"), "db/noHistory"), Value::Boolean(true));
  EXPECT_EQ(One(A("p/name"), "db/index"), Value::Boolean(true));
  Tx(R"([{:db/id :p/name :db/noHistory false}])");
  EXPECT_EQ(One(A("p/name"), "db/noHistory"), Value::Boolean(false));
}

// ---- Idents -------------------------------------------------------------------------

TEST_F(SchemaTest, RenamedIdentStillResolvesByItsOldName) {
  Install(":person/name", ":db/valueType :db.type/string :db/cardinality :db.cardinality/one");
  EntityId attr = A("person/name");
  Tx(R"([[:db/add "p" :person/name "Ann"]])");
  Tx(R"([{:db/id :person/name :db/ident :person/full-name}])");
  Database db = Db();
  EXPECT_EQ(db.Entid(K("person/full-name")), std::optional<EntityId>(attr));
  EXPECT_EQ(db.Entid(K("person/name")), std::optional<EntityId>(attr));
  EXPECT_EQ(db.Ident(attr), K("person/full-name"));
  // The old name works in transactions and reads.
  Tx(R"([[:db/add "q" :person/name "Bob"]])");
  EXPECT_EQ(Dump(Db(), Index::kAevt, {K("person/name")}).size(), 2u);
  EXPECT_EQ(Dump(Db(), Index::kAevt, {K("person/full-name")}).size(), 2u);
  // :db/ident holds only the new name now.
  EXPECT_EQ(Values(Db(), attr, "db/ident"), std::vector<Value>{K("person/full-name")});
}

TEST_F(SchemaTest, EnumIdentsAreEntities) {
  TxReport r = Tx(R"([{:db/ident :color/red} {:db/ident :color/green :db/doc "green"}])");
  std::optional<EntityId> red = Db().Entid(K("color/red"));
  ASSERT_TRUE(red.has_value());
  EXPECT_EQ(Db().Ident(*red), K("color/red"));
  EXPECT_FALSE(r.db_before.Entid(K("color/red")).has_value());
  // An ident is not an attribute.
  EXPECT_TRUE(Rejected(R"([[:db/add "x" :color/red "y"]])"));
  // Idents are unique: another entity cannot take one.
  std::optional<EntityId> green = Db().Entid(K("color/green"));
  ASSERT_TRUE(green.has_value());
  EXPECT_TRUE(Rejected("[[:db/add " + std::to_string(*green) + " :db/ident :color/red]]"));
  EXPECT_EQ(Db().Entid(K("color/red")), red);
  // A tempid naming an existing ident upserts to it (:db/ident is an identity).
  TxReport up = Tx(R"([{:db/ident :color/red :db/doc "red"}])");
  EXPECT_EQ(One(*red, "db/doc"), S("red"));
  EXPECT_EQ(up.tx_data.size(), 2u);
}

// ---- :db/noHistory and :db/index -----------------------------------------------------

TEST_F(SchemaTest, NoHistoryAttributesKeepNoHistory) {
  Tx(R"([{:db/ident :s/counter :db/valueType :db.type/long :db/cardinality :db.cardinality/one
          :db/noHistory true}
         {:db/ident :s/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}])");
  TxReport r = Tx(R"([{:db/id "s" :s/counter 1 :s/name "one"}])");
  EntityId s = *r.Tempid("s");
  Tx("[[:db/add " + std::to_string(s) + " :s/counter 2] [:db/add " + std::to_string(s) +
     " :s/name \"two\"]]");
  TxReport last = Tx("[[:db/add " + std::to_string(s) + " :s/counter 3]]");
  // The retraction is still in the transaction's data.
  EXPECT_EQ(last.tx_data.size(), 3u);
  Database history = Db().History();
  std::vector<Datom> counters = Dump(history, Index::kEavt, {L(s), K("s/counter")});
  ASSERT_EQ(counters.size(), 1u);
  EXPECT_EQ(counters[0].v, L(3));
  // Other attributes keep theirs.
  EXPECT_EQ(Dump(history, Index::kEavt, {L(s), K("s/name")}).size(), 3u);
  EXPECT_EQ(Values(Db(), s, "s/counter"), std::vector<Value>{L(3)});
}

TEST_F(SchemaTest, DbIndexIsAcceptedAndEveryAttributeIsInAvet) {
  Tx(R"([{:db/ident :i/indexed :db/valueType :db.type/long :db/cardinality :db.cardinality/one
          :db/index true}
         {:db/ident :i/plain :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])");
  Tx(R"([{:i/indexed 5 :i/plain 6}])");
  EXPECT_EQ(Dump(Db(), Index::kAvet, {K("i/indexed"), L(5)}).size(), 1u);
  EXPECT_EQ(Dump(Db(), Index::kAvet, {K("i/plain"), L(6)}).size(), 1u);
  EXPECT_EQ(One(A("i/indexed"), "db/index"), Value::Boolean(true));
}

TEST_F(SchemaTest, TheSchemaInForceIsTheCurrentOne) {
  int64_t t0 = Db().basis_t();
  Install(":late/attr", ":db/valueType :db.type/long :db/cardinality :db.cardinality/one");
  Tx(R"([[:db/add "x" :late/attr 1]])");
  // An as-of view before the attribute existed still knows it.
  Database past = Db().AsOf(L(t0));
  EXPECT_TRUE(Dump(past, Index::kAevt, {K("late/attr")}).empty());
  EXPECT_EQ(past.Entid(K("late/attr")), Db().Entid(K("late/attr")));
  EXPECT_EQ(Dump(Db().History(), Index::kAevt, {K("late/attr")}).size(), 1u);
}

}  // namespace
}  // namespace strata::testing
