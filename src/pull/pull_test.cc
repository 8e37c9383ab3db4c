// Pull, PullMany and IndexPull against a database of people: every grammar
// element's result, components, reverse names, recursion and cycles, time
// views, and the errors that depend on the schema.
#include "strata/pull.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/test_util.h"

namespace strata::testing {
namespace {

// :db/id entries removed everywhere, for answers whose ids do not matter.
Value NoIds(const Value& v) {
  if (v.is_map()) {
    std::vector<ValuePair> entries;
    for (size_t i = 0; i < v.Count(); ++i) {
      if (v.MapKey(i) == K("db/id")) continue;
      entries.emplace_back(v.MapKey(i), NoIds(v.MapVal(i)));
    }
    return Value::Map(std::move(entries));
  }
  if (v.is_vector()) {
    std::vector<Value> items;
    for (const Value& item : v.Items()) items.push_back(NoIds(item));
    return Value::Vector(std::move(items));
  }
  return v;
}

class PullTest : public PersonDbTest {
 protected:
  void SetUp() override {
    PersonDbTest::SetUp();
    Tx(R"([{:db/ident :person/role :db/valueType :db.type/keyword
            :db/cardinality :db.cardinality/one}
           {:db/ident :person/manager :db/valueType :db.type/ref
            :db/cardinality :db.cardinality/one}
           {:db/ident :node/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
            :db/unique :db.unique/identity}
           {:db/ident :node/next :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
           {:db/ident :node/kids :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}])");
    TxReport r = Tx(R"([
      {:db/id "ann" :person/name "Ann" :person/age 30 :person/nick ["a" "b"] :person/role :r/admin
       :person/color :color/red
       :person/address {:address/street "1 Main" :address/city "paris"}
       :person/phones [{:phone/number "111"} {:phone/number "222"}]}
      {:db/id "paris" :city/name "Paris"}
      {:db/id "bob" :person/name "Bob" :person/age 25 :person/friend ["ann"] :person/manager "ann"}
      {:db/id "cy" :person/name "Cy" :person/friend ["ann" "bob"] :person/manager "ann"}])");
    ann_ = *r.Tempid("ann");
    bob_ = *r.Tempid("bob");
    cy_ = *r.Tempid("cy");
  }

  Value P(std::string_view pattern, EntityId e) { return Pull(Db(), pattern, Value::Long(e)); }
  Value P(std::string_view pattern, std::string_view name) {
    return Pull(Db(), pattern, Value::Vector({K("person/name"), S(name)}));
  }
  static Value E(std::string_view edn) { return ReadEdn(edn); }

  EntityId cy_ = 0;
};

TEST_F(PullTest, AttributeNamesGiveTheirValues) {
  EXPECT_EQ(P("[:person/name :person/age]", "Ann"), E("{:person/name \"Ann\" :person/age 30}"));
  EXPECT_EQ(P("[:person/nick]", "Ann"), E("{:person/nick [\"a\" \"b\"]}"));
  EXPECT_EQ(P("[:person/role]", "Ann"), E("{:person/role :r/admin}"));
}

TEST_F(PullTest, MissingAndUnknownAttributesAreLeftOut) {
  EXPECT_EQ(P("[:person/name :person/spouse :no/such]", "Bob"), E("{:person/name \"Bob\"}"));
  EXPECT_EQ(P("[:person/spouse]", "Bob"), E("{}"));
  EXPECT_EQ(P("[:no/such]", "Bob"), E("{}"));
}

TEST_F(PullTest, EntityIdentifiers) {
  EXPECT_EQ(P("[:db/id :person/name]", "Bob"),
            Value::Map({{K("db/id"), L(bob_)}, {K("person/name"), S("Bob")}}));
  EXPECT_EQ(Pull(Db(), "[:db/id]", K("color/red")), Value::Map({{K("db/id"), L(A("color/red"))}}));
  // A lookup ref that matches nothing names no entity; an id with no
  // datoms is an entity with nothing to show.
  EXPECT_EQ(P("[:person/name]", "Nobody"), Value());
  EXPECT_EQ(Pull(Db(), "[:person/name]", K("no/such-ident")), Value());
  EXPECT_EQ(Pull(Db(), ParsePullPattern("[:person/name]"), EntityId{987654321}), E("{}"));
}

TEST_F(PullTest, RefsGiveIdsAndIdents) {
  EXPECT_EQ(P("[:person/manager]", "Bob"),
            Value::Map({{K("person/manager"), Value::Map({{K("db/id"), L(ann_)}})}}));
  EXPECT_EQ(P("[:person/color]", "Ann"),
            Value::Map({{K("person/color"), Value::Map({{K("db/id"), L(A("color/red"))},
                                                        {K("db/ident"), K("color/red")}})}}));
  EXPECT_EQ(NoIds(P("[:person/friend]", "Cy")), E("{:person/friend [{} {}]}"));
}

TEST_F(PullTest, Wildcard) {
  Value bob = P("[*]", "Bob");
  EXPECT_EQ(bob,
            Value::Map({{K("db/id"), L(bob_)},
                        {K("person/name"), S("Bob")},
                        {K("person/age"), L(25)},
                        {K("person/friend"), Value::Vector({Value::Map({{K("db/id"), L(ann_)}})})},
                        {K("person/manager"), Value::Map({{K("db/id"), L(ann_)}})}}));
  // Components are pulled with * too, recursively; other refs are bare.
  EXPECT_EQ(NoIds(P("[*]", "Ann")), E(R"({:person/name "Ann" :person/age 30 :person/nick ["a" "b"]
      :person/role :r/admin :person/color {:db/ident :color/red}
      :person/address {:address/street "1 Main" :address/city {}}
      :person/phones [{:phone/number "111"} {:phone/number "222"}]})"));
  EXPECT_EQ(Pull(Db(), "[\"*\"]", Value::Long(bob_)), bob);
}

TEST_F(PullTest, WildcardWithExplicitSpecs) {
  EXPECT_EQ(NoIds(P("[* {:person/friend [:person/name]} [:person/age :as :years]]", "Bob")),
            E(R"({:person/name "Bob" :years 25 :person/friend [{:person/name "Ann"}]
                 :person/manager {}})"));
}

TEST_F(PullTest, ComponentsWithoutSubPatternAreExpanded) {
  EXPECT_EQ(NoIds(P("[:person/address :person/phones]", "Ann")),
            E(R"({:person/address {:address/street "1 Main" :address/city {}}
                 :person/phones [{:phone/number "111"} {:phone/number "222"}]})"));
  EXPECT_EQ(P("[{:person/address [:address/street]}]", "Ann"),
            E(R"({:person/address {:address/street "1 Main"}})"));
}

TEST_F(PullTest, NestedMapSpecs) {
  EXPECT_EQ(P("[{:person/friend [:person/name {:person/manager [:person/name]}]}]", "Cy"),
            E(R"({:person/friend [{:person/name "Ann"}
                                  {:person/name "Bob" :person/manager {:person/name "Ann"}}]})"));
  EXPECT_EQ(P("[{:person/address [{:address/city [:city/name]}]}]", "Ann"),
            E(R"({:person/address {:address/city {:city/name "Paris"}}})"));
  // A nested pattern that finds nothing leaves the attribute out.
  EXPECT_EQ(P("[:person/name {:person/manager [:person/spouse]}]", "Bob"),
            E(R"({:person/name "Bob"})"));
  EXPECT_EQ(P("[{[:person/friend :as :pals :limit 1] [:person/name]}]", "Cy"),
            E(R"({:pals [{:person/name "Ann"}]})"));
}

TEST_F(PullTest, ReverseNames) {
  EXPECT_EQ(P("[{:person/_friend [:person/name]}]", "Ann"),
            E(R"({:person/_friend [{:person/name "Bob"} {:person/name "Cy"}]})"));
  EXPECT_EQ(NoIds(P("[:person/_manager]", "Ann")), E("{:person/_manager [{} {}]}"));
  EXPECT_EQ(P("[[:person/_friend :limit 1 :as :fans]]", "Ann").Get(K("fans"))->Count(), 1u);
  EXPECT_EQ(P("[:person/_friend]", "Cy"), E("{}"));
  EXPECT_EQ(P("[[:person/_friend :default :none]]", "Cy"), E("{:person/_friend :none}"));
  // A reverse component name gives the one owner.
  Value phone =
      Pull(Db(), "[:phone/number {:person/_phones [:person/name]}]",
           *P("[:person/phones]", "Ann").Get(K("person/phones"))->Items()[0].Get(K("db/id")));
  EXPECT_EQ(phone, E(R"({:phone/number "111" :person/_phones {:person/name "Ann"}})"));
  Value address = *P("[:person/address]", "Ann").Get(K("person/address"));
  EXPECT_EQ(Pull(Db(), "[:person/_address]", *address.Get(K("db/id"))),
            Value::Map({{K("person/_address"), Value::Map({{K("db/id"), L(ann_)}})}}));
}

TEST_F(PullTest, As) {
  EXPECT_EQ(P("[[:person/name :as :name] [:person/age :as \"age\"] [:db/id :as :id]]", "Bob"),
            Value::Map({{K("name"), S("Bob")}, {S("age"), L(25)}, {K("id"), L(bob_)}}));
}

TEST_F(PullTest, Limits) {
  EXPECT_EQ(P("[[:person/nick :limit 1]]", "Ann"), E("{:person/nick [\"a\"]}"));
  EXPECT_EQ(P("[(limit :person/nick 1)]", "Ann"), E("{:person/nick [\"a\"]}"));
  std::vector<Value> nicks;
  for (int i = 0; i < 1005; ++i) nicks.push_back(S("n" + std::to_string(1000 + i)));
  Tx(Value::Vector(
      {Value::Map({{K("person/name"), S("Many")}, {K("person/nick"), Value::Vector(nicks)}})}));
  EXPECT_EQ(P("[:person/nick]", "Many").Get(K("person/nick"))->Count(), 1000u);
  EXPECT_EQ(P("[*]", "Many").Get(K("person/nick"))->Count(), 1000u);
  EXPECT_EQ(P("[[:person/nick :limit nil]]", "Many").Get(K("person/nick"))->Count(), 1005u);
  EXPECT_EQ(P("[(limit :person/nick nil)]", "Many").Get(K("person/nick"))->Count(), 1005u);
  EXPECT_EQ(P("[[:person/nick :limit 1010]]", "Many").Get(K("person/nick"))->Count(), 1005u);
}

TEST_F(PullTest, Defaults) {
  EXPECT_EQ(P("[[:person/spouse :default :nobody] [:person/age :default 0]]", "Bob"),
            E("{:person/spouse :nobody :person/age 25}"));
  EXPECT_EQ(P("[(default :person/email \"none\")]", "Bob"), E("{:person/email \"none\"}"));
  EXPECT_EQ(P("[[:no/such :default 1 :as :x]]", "Bob"), E("{:x 1}"));
}

TEST_F(PullTest, Xforms) {
  EXPECT_EQ(P("[[:person/role :xform name]]", "Ann"), E("{:person/role \"admin\"}"));
  EXPECT_EQ(P("[[:person/role :xform namespace]]", "Ann"), E("{:person/role \"r\"}"));
  EXPECT_EQ(P("[[:person/role :xform str]]", "Ann"), E("{:person/role \":r/admin\"}"));
  EXPECT_EQ(P("[[:person/role :xform symbol]]", "Ann"), E("{:person/role r/admin}"));
  EXPECT_EQ(P("[[:person/name :xform keyword]]", "Ann"), E("{:person/name :Ann}"));
  EXPECT_EQ(P("[[:person/age :xform clojure.core/str]]", "Ann"), E("{:person/age \"30\"}"));
  RegisterPullXform("pull.test/count", [](const Value& v) { return L(int64_t(v.Count())); });
  RegisterPullXform("pull.test/inc", [](const Value& v) { return L(v.AsLong() + 1); });
  // Cardinality many: the function gets the vector.
  EXPECT_EQ(P("[[:person/nick :xform pull.test/count]]", "Ann"), E("{:person/nick 2}"));
  EXPECT_EQ(P("[[:db/id :xform pull.test/inc]]", "Ann"), Value::Map({{K("db/id"), L(ann_ + 1)}}));
  // Defaults are not transformed.
  EXPECT_EQ(P("[[:person/spouse :xform pull.test/count :default :none]]", "Bob"),
            E("{:person/spouse :none}"));
  // A function that cannot take the value fails the pull.
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { P("[[:person/age :xform name]]", "Ann"); }),
                        Category::kIncorrect, ""));
}

TEST_F(PullTest, RecursionUnboundedAndCycles) {
  Tx(R"([{:db/id "a" :node/name "a" :node/next "b"} {:db/id "b" :node/name "b" :node/next "c"}
         {:db/id "c" :node/name "c" :node/next "a"}])");
  Value a = Pull(Db(), "[:node/name {:node/next ...}]", E("[:node/name \"a\"]"));
  EntityId a_id = Db().EntidOrThrow(E("[:node/name \"a\"]"));
  EXPECT_EQ(
      a,
      Value::Map(
          {{K("node/name"), S("a")},
           {K("node/next"),
            Value::Map({{K("node/name"), S("b")},
                        {K("node/next"),
                         Value::Map({{K("node/name"), S("c")},
                                     {K("node/next"), Value::Map({{K("db/id"), L(a_id)}})}})}})}}));
}

TEST_F(PullTest, RecursionWithADepth) {
  Tx(R"([{:db/id "r" :node/name "r" :node/kids ["k1" "k2"]}
         {:db/id "k1" :node/name "k1" :node/kids ["g1"]} {:db/id "k2" :node/name "k2"}
         {:db/id "g1" :node/name "g1" :node/kids ["h1"]} {:db/id "h1" :node/name "h1"}])");
  Value root = E("[:node/name \"r\"]");
  EXPECT_EQ(Pull(Db(), "[:node/name {:node/kids 1}]", root),
            E(R"({:node/name "r" :node/kids [{:node/name "k1"} {:node/name "k2"}]})"));
  EXPECT_EQ(Pull(Db(), "[:node/name {:node/kids 2}]", root),
            E(R"({:node/name "r" :node/kids [{:node/name "k1" :node/kids [{:node/name "g1"}]}
                                             {:node/name "k2"}]})"));
  EXPECT_EQ(Pull(Db(), "[:node/name {:node/kids ...}]", root),
            E(R"({:node/name "r" :node/kids [{:node/name "k1" :node/kids [{:node/name "g1"
                  :node/kids [{:node/name "h1"}]}]} {:node/name "k2"}]})"));
  // Recursion repeats the pattern that holds it, here the nested one.
  EXPECT_EQ(Pull(Db(), "[{:node/kids [:node/name {:node/kids 1}]}]", root),
            E(R"({:node/kids [{:node/name "k1" :node/kids [{:node/name "g1"}]}
                              {:node/name "k2"}]})"));
  // Reverse recursion walks up.
  EXPECT_EQ(Pull(Db(), "[:node/name {:node/_kids ...}]", E("[:node/name \"h1\"]")),
            E(R"({:node/name "h1" :node/_kids [{:node/name "g1" :node/_kids [{:node/name "k1"
                  :node/_kids [{:node/name "r"}]}]}]})"));
}

TEST_F(PullTest, DeepRecursionIsAnErrorNotACrash) {
  std::string tx = "[";
  for (int i = 0; i < 1100; ++i) {
    tx += "{:db/id \"n" + std::to_string(i) + "\" :node/name \"n" + std::to_string(i) + "\"";
    if (i + 1 < 1100) tx += " :node/next \"n" + std::to_string(i + 1) + "\"";
    tx += "}";
  }
  tx += "]";
  Tx(tx);
  EXPECT_TRUE(IsAnomaly(
      CatchAnomaly([&] { Pull(Db(), "[:node/name {:node/next ...}]", E("[:node/name \"n0\"]")); }),
      Category::kIncorrect, "db.error/pull-too-deep"));
  EXPECT_NO_THROW(Pull(Db(), "[:node/name {:node/next 500}]", E("[:node/name \"n0\"]")));
}

TEST_F(PullTest, DuplicateKeysKeepTheFirst) {
  EXPECT_EQ(P("[:person/name :person/name [:person/age :as :person/name]]", "Bob"),
            E("{:person/name \"Bob\"}"));
}

TEST_F(PullTest, PullManyKeepsOrder) {
  PullPattern pattern = ParsePullPattern("[:person/name]");
  std::vector<EntityId> ids = {cy_, ann_, bob_};
  std::vector<Value> got = PullMany(Db(), pattern, ids);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], E("{:person/name \"Cy\"}"));
  EXPECT_EQ(got[1], E("{:person/name \"Ann\"}"));
  EXPECT_EQ(got[2], E("{:person/name \"Bob\"}"));
  EXPECT_EQ(
      PullMany(Db(), E("[:person/age]"),
               E("[[:person/name \"Bob\"] [:person/name \"Nobody\"] [:person/name \"Ann\"]]")),
      E("[{:person/age 25} nil {:person/age 30}]"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { PullMany(Db(), E("[:person/age]"), L(1)); }),
                        Category::kIncorrect, "db.error/invalid-pull"));
}

TEST_F(PullTest, WildcardMapsOfManyShapesInOnePull) {
  // One PullMany meets entities with different attributes, the same ones
  // again, and keys that are not keywords: each map has its own keys, in
  // order, whatever the one before had.
  PullPattern pattern =
      ParsePullPattern("[* [:person/age :as \"years\"] [:person/name :as :person/zz]]");
  std::vector<EntityId> ids = {bob_, cy_, bob_, cy_};
  std::vector<Value> got = PullMany(Db(), pattern, ids);
  ASSERT_EQ(got.size(), 4u);
  for (int i : {0, 2}) {
    EXPECT_EQ(NoIds(got[i]),
              E("{\"years\" 25 :person/zz \"Bob\" :person/friend [{}] :person/manager {}}"))
        << PrintEdn(got[i]);
  }
  for (int i : {1, 3}) {
    EXPECT_EQ(NoIds(got[i]), E("{:person/zz \"Cy\" :person/friend [{} {}] :person/manager {}}"))
        << PrintEdn(got[i]);
  }
  // The map is well formed: lookups by key find their entries.
  EXPECT_EQ(*got[3].Get(K("person/zz")), Value::String("Cy"));
  EXPECT_EQ(*got[0].Get(Value::String("years")), L(25));
  // Keywords alone (the shapes remembered): as each entity pulled alone.
  PullPattern star = ParsePullPattern("[*]");
  std::vector<EntityId> mixed = {bob_, ann_, cy_, bob_, ann_, cy_};
  std::vector<Value> many = PullMany(Db(), star, mixed);
  ASSERT_EQ(many.size(), mixed.size());
  for (size_t i = 0; i < mixed.size(); ++i) {
    EXPECT_EQ(many[i], Pull(Db(), star, mixed[i])) << PrintEdn(many[i]);
  }
}

TEST_F(PullTest, ThePatternFormsAgree) {
  Value ann = E("[:person/name \"Ann\"]");
  std::string text = "[:person/name {:person/phones [:phone/number]}]";
  Value a = Pull(Db(), text, ann);
  EXPECT_EQ(Pull(Db(), E(text), ann), a);
  EXPECT_EQ(Pull(Db(), ParsePullPattern(text), ann), a);
  EXPECT_EQ(Pull(Db(), E(text), ann_), a);
}

TEST_F(PullTest, APatternFollowsSchemaChanges) {
  PullPattern pattern = ParsePullPattern("[:person/name :person/height]");
  EXPECT_EQ(Pull(Db(), pattern, bob_), E("{:person/name \"Bob\"}"));
  Tx(R"([{:db/ident :person/height :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])");
  Tx(R"([{:person/name "Bob" :person/height 180}])");
  EXPECT_EQ(Pull(Db(), pattern, bob_), E("{:person/name \"Bob\" :person/height 180}"));
}

TEST_F(PullTest, TimeViews) {
  Database before = Db();
  Tx(R"([{:person/name "Bob" :person/age 26 :person/nick ["bobby"]}])");
  EXPECT_EQ(P("[:person/age :person/nick]", "Bob"), E("{:person/age 26 :person/nick [\"bobby\"]}"));
  EXPECT_EQ(Pull(Db().AsOf(L(before.basis_t())), "[:person/age :person/nick]", Value::Long(bob_)),
            E("{:person/age 25}"));
  EXPECT_EQ(Pull(Db().Since(L(before.basis_t())), "[:person/age :person/name]", Value::Long(bob_)),
            E("{:person/age 26}"));
  EXPECT_TRUE(
      IsAnomaly(CatchAnomaly([&] { Pull(Db().History(), "[:person/age]", Value::Long(bob_)); }),
                Category::kIncorrect, "db.error/history-db"));
}

TEST_F(PullTest, SchemaDependentErrors) {
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { P("[{:person/name [:x]}]", "Bob"); }),
                        Category::kIncorrect, "db.error/invalid-pull"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { P("[{:person/age ...}]", "Bob"); }),
                        Category::kIncorrect, "db.error/invalid-pull"));
  std::optional<Anomaly> a = CatchAnomaly([&] { P("[:person/_age]", "Bob"); });
  ASSERT_TRUE(IsAnomaly(a, Category::kIncorrect, "db.error/invalid-pull"));
  EXPECT_EQ(*a->data().Get(K("form")), K("person/_age"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { P("[:person/name", "Bob"); }), Category::kIncorrect,
                        "db.error/invalid-edn"));
}

TEST_F(PullTest, IndexPullAvet) {
  auto names = [](const Value& results) {
    std::vector<Value> out;
    for (const Value& r : results.Items()) out.push_back(*r.Get(K("person/name")));
    return Value::Vector(std::move(out));
  };
  EXPECT_EQ(names(IndexPull(Db(), E("{:index :avet :selector [:person/name]"
                                    " :start [:person/name]}"))),
            E("[\"Ann\" \"Bob\" \"Cy\"]"));
  EXPECT_EQ(names(IndexPull(Db(), E("{:index :avet :selector \"[:person/name]\""
                                    " :start [:person/name \"Bob\"]}"))),
            E("[\"Bob\" \"Cy\"]"));
  EXPECT_EQ(names(IndexPull(Db(), E("{:index :avet :selector [:person/name]"
                                    " :start [:person/name \"Bob\"] :reverse true}"))),
            E("[\"Bob\" \"Ann\"]"));
  EXPECT_EQ(names(IndexPull(Db(), E("{:index :avet :selector [:person/name]"
                                    " :start [:person/name \"Bz\"] :reverse true}"))),
            E("[\"Bob\" \"Ann\"]"));
  EXPECT_EQ(names(IndexPull(Db(), E("{:index :avet :selector [:person/name]"
                                    " :start [:person/name] :reverse true :limit 2}"))),
            E("[\"Cy\" \"Bob\"]"));
  EXPECT_EQ(names(IndexPull(Db(), E("{:index :avet :selector [:person/name]"
                                    " :start [:person/age] :offset 1}"))),
            E("[\"Ann\"]"));
}

TEST_F(PullTest, IndexPullAevtGivesEachEntityOnce) {
  Value got = IndexPull(Db(), E("{:index :aevt :selector [:person/name] :start [:person/nick]}"));
  EXPECT_EQ(got, E("[{:person/name \"Ann\"}]"));
  Value from =
      IndexPull(Db(), Value::Map({{K("index"), K("aevt")},
                                  {K("selector"), E("[:db/id]")},
                                  {K("start"), Value::Vector({K("person/age"), L(bob_)})}}));
  EXPECT_EQ(from, Value::Vector({Value::Map({{K("db/id"), L(bob_)}})}));
}

TEST_F(PullTest, IndexPullErrors) {
  for (const char* bad :
       {"[]", "{:index :eavt :selector [*] :start [:person/name]}",
        "{:selector [*] :start [:person/name]}", "{:index :avet :start [:person/name]}",
        "{:index :avet :selector [*]}", "{:index :avet :selector [*] :start []}",
        "{:index :avet :selector [*] :start [:person/name] :limit -1}",
        "{:index :avet :selector [] :start [:person/name]}"}) {
    EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { IndexPull(Db(), E(bad)); }), Category::kIncorrect,
                          "db.error/invalid-pull"))
        << bad;
  }
  EXPECT_TRUE(CatchAnomaly([&] {
                IndexPull(Db(), E("{:index :avet :selector [*] :start [:no/such]}"));
              }).has_value());
}

}  // namespace
}  // namespace strata::testing
