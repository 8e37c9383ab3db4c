// Tests for tuples (composite, heterogeneous, homogeneous), attribute
// predicates (:db.attr/preds), entity specs (:db/ensure) and transaction
// functions: C++ functions registered by name that transactions call.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/functions.h"
#include "strata/value.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

class FeatureTest : public DbTest {};

// ---- Composite tuples ----------------------------------------------------------

class CompositeTupleTest : public FeatureTest {
 protected:
  void SetUp() override {
    Tx(R"([{:db/ident :reg/student :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
           {:db/ident :reg/course :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
           {:db/ident :reg/semester :db/valueType :db.type/string :db/cardinality :db.cardinality/one}])");
    Tx(R"([{:db/ident :reg/course+semester :db/valueType :db.type/tuple
            :db/tupleAttrs [:reg/course :reg/semester] :db/cardinality :db.cardinality/one}
           {:db/ident :reg/student+course :db/valueType :db.type/tuple
            :db/tupleAttrs [:reg/student :reg/course] :db/cardinality :db.cardinality/one
            :db/unique :db.unique/value}])");
  }
  std::vector<Value> StudentsIn(const Value& course_semester) const {
    std::vector<Value> out;
    for (const Datom& d : Dump(Db(), Index::kAvet, {K("reg/course+semester"), course_semester})) {
      out.push_back(One(d.e, "reg/student"));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(CompositeTupleTest, ConformanceCaseCompositeIsMaintainedAndQueryableByValue) {
  // tests/conformance/t-composite-tuple.edn.
  Tx(R"([{:reg/student "ann" :reg/course "math" :reg/semester "fall"}
         {:reg/student "ben" :reg/course "math" :reg/semester "spring"}
         {:reg/student "cid" :reg/course "art"  :reg/semester "fall"}
         {:db/id "d" :reg/student "dot" :reg/course "math" :reg/semester "spring"}])");
  Tx(R"([[:db/add "d2" :reg/student "eve"] [:db/add "d2" :reg/course "math"]
         [:db/add "d2" :reg/semester "fall"]])");
  EXPECT_EQ(StudentsIn(Value::Vector({S("math"), S("fall")})),
            (std::vector<Value>{S("ann"), S("eve")}));
  EXPECT_EQ(StudentsIn(Value::Tuple({S("math"), S("spring")})),
            (std::vector<Value>{S("ben"), S("dot")}));
}

TEST_F(CompositeTupleTest, CompositeFollowsItsMembersInTxData) {
  TxReport r = Tx(R"([{:db/id "s" :reg/student "ann" :reg/course "math" :reg/semester "fall"}])");
  EntityId s = *r.Tempid("s");
  EntityId cs = A("reg/course+semester");
  EXPECT_TRUE(Contains(r.tx_data, s, cs, Value::Tuple({S("math"), S("fall")}), true));
  EXPECT_EQ(One(s, "reg/student+course"), Value::Tuple({S("ann"), S("math")}));
  TxReport change =
      Tx(R"([[:db/add [:reg/student+course ["ann" "math"]] :reg/semester "spring"]])");
  EXPECT_TRUE(Contains(change.tx_data, s, cs, Value::Tuple({S("math"), S("fall")}), false));
  EXPECT_TRUE(Contains(change.tx_data, s, cs, Value::Tuple({S("math"), S("spring")}), true));
  EXPECT_EQ(One(s, "reg/course+semester"), Value::Tuple({S("math"), S("spring")}));
  // A retracted member becomes nil in the tuple.
  Tx(R"([[:db/retract [:reg/student+course ["ann" "math"]] :reg/semester "spring"]])");
  EXPECT_EQ(One(s, "reg/course+semester"), Value::Tuple({S("math"), Value()}));
  // An entity with only one member has the other as nil.
  TxReport partial = Tx(R"([[:db/add "p" :reg/semester "winter"]])");
  EXPECT_EQ(One(*partial.Tempid("p"), "reg/course+semester"), Value::Tuple({Value(), S("winter")}));
}

TEST_F(CompositeTupleTest, CompositeCannotBeAssertedDirectly) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "x" :reg/course+semester ["math" "fall"]]])"),
                        Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:reg/student "x" :reg/course+semester ["a" "b"]}])"),
                        Category::kIncorrect, ""));
}

TEST_F(CompositeTupleTest, UniqueCompositeRejectsADuplicateCombination) {
  Tx(R"([{:reg/student "ann" :reg/course "math"}])");
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:reg/student "ann" :reg/course "math" :reg/semester "x"}])"),
                        Category::kConflict, "db.error/unique-conflict"));
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:reg/student "bo" :reg/course "art"}
                                   {:reg/student "bo" :reg/course "art"}])"),
                        Category::kConflict, "db.error/unique-conflict"));
  // A different combination is fine.
  Tx(R"([{:reg/student "ann" :reg/course "art"}])");
}

TEST_F(CompositeTupleTest, LookupRefsThroughAUniqueComposite) {
  TxReport r = Tx(R"([{:db/id "s" :reg/student "ann" :reg/course "math"}])");
  EntityId s = *r.Tempid("s");
  Value ref = ReadEdn(R"([:reg/student+course ["ann" "math"]])");
  EXPECT_EQ(Db().Entid(ref), std::optional<EntityId>(s));
  Tx(R"([{:db/id [:reg/student+course ["ann" "math"]] :reg/semester "fall"}])");
  EXPECT_EQ(One(s, "reg/semester"), S("fall"));
  EXPECT_FALSE(Db().Entid(ReadEdn(R"([:reg/student+course ["ann" "art"]])")).has_value());
}

TEST_F(CompositeTupleTest, RetractEntityRetractsTheCompositeOnce) {
  TxReport r = Tx(R"([{:db/id "s" :reg/student "ann" :reg/course "math" :reg/semester "fall"}])");
  EntityId s = *r.Tempid("s");
  TxReport gone = Tx(R"([[:db/retractEntity [:reg/student+course ["ann" "math"]]]])");
  EXPECT_TRUE(Dump(gone.db_after, Index::kEavt, {L(s)}).empty());
  // 3 members + 2 composites + :db/txInstant, each once.
  EXPECT_EQ(gone.tx_data.size(), 6u);
  int composite_retractions = 0;
  for (const Datom& d : gone.tx_data) {
    if (d.a == A("reg/course+semester")) ++composite_retractions;
  }
  EXPECT_EQ(composite_retractions, 1);
  // The history holds the composite's assertion and one retraction.
  EXPECT_EQ(Dump(Db().History(), Index::kEavt, {L(s), K("reg/course+semester")}).size(), 2u);
}

// ---- Heterogeneous and homogeneous tuples ------------------------------------------

class TupleTest : public FeatureTest {
 protected:
  void SetUp() override {
    Tx(R"([{:db/ident :loc/point :db/valueType :db.type/tuple
            :db/tupleTypes [:db.type/string :db.type/long] :db/cardinality :db.cardinality/one}
           {:db/ident :loc/tagged :db/valueType :db.type/tuple
            :db/tupleTypes [:db.type/ref :db.type/keyword] :db/cardinality :db.cardinality/one}
           {:db/ident :loc/scores :db/valueType :db.type/tuple :db/tupleType :db.type/long
            :db/cardinality :db.cardinality/one}
           {:db/ident :loc/kind}])");
  }
};

TEST_F(TupleTest, HeterogeneousTupleChecksEachElementAndTheArity) {
  TxReport r = Tx(R"([[:db/add "x" :loc/point ["a" 1]] [:db/add "x" :loc/tagged [:loc/kind :k]]])");
  EntityId x = *r.Tempid("x");
  EXPECT_EQ(One(x, "loc/point"), Value::Tuple({S("a"), L(1)}));
  // A ref element given as an ident is stored as the entity id.
  EXPECT_EQ(One(x, "loc/tagged"), Value::Tuple({Value::Ref(A("loc/kind")), K("k")}));
  EXPECT_EQ(Dump(Db(), Index::kAvet, {K("loc/point"), Value::Vector({S("a"), L(1)})}).size(), 1u);
  for (const char* bad :
       {R"([[:db/add "y" :loc/point ["a" "b"]]])", R"([[:db/add "y" :loc/point ["a"]]])",
        R"([[:db/add "y" :loc/point ["a" 1 2]]])", R"([[:db/add "y" :loc/point "a"]])"}) {
    EXPECT_TRUE(IsAnomaly(Reject(bad), Category::kIncorrect, "db.error/wrong-type-for-attribute"))
        << bad;
  }
}

// Strings are text: bytes that are not UTF-8 (only the C++ API can make
// them) would be logged and never read back, so they are refused.
TEST_F(TupleTest, StringsThatAreNotUtf8AreRefused) {
  Value bad = Value::String(std::string("caf\xC3", 4));
  Value form = Value::Vector({Value::Vector({K("db/add"), S("y"), K("db/doc"), bad})});
  EXPECT_TRUE(IsAnomaly(Reject(form), Category::kIncorrect, "db.error/invalid-string"));
  Value in_tuple = Value::Vector(
      {Value::Vector({K("db/add"), S("y"), K("loc/point"), Value::Vector({bad, L(1)})})});
  EXPECT_TRUE(IsAnomaly(Reject(in_tuple), Category::kIncorrect, "db.error/invalid-string"));
  Tx(Value::Vector({Value::Vector(
      {K("db/add"), S("y"), K("db/doc"), Value::String(std::string("caf\xC3\xA9", 5))})}));
}

TEST_F(TupleTest, HomogeneousTupleChecksEveryElementAndTwoToEight) {
  TxReport r = Tx(R"([[:db/add "x" :loc/scores [1 2 3]]])");
  EXPECT_EQ(One(*r.Tempid("x"), "loc/scores"), Value::Tuple({L(1), L(2), L(3)}));
  Tx(R"([[:db/add "y" :loc/scores [1 2 3 4 5 6 7 8]]])");
  for (const char* bad :
       {R"([[:db/add "z" :loc/scores [1 "x"]]])", R"([[:db/add "z" :loc/scores [1]]])",
        R"([[:db/add "z" :loc/scores [1 2 3 4 5 6 7 8 9]]])"}) {
    EXPECT_TRUE(IsAnomaly(Reject(bad), Category::kIncorrect, "db.error/wrong-type-for-attribute"))
        << bad;
  }
}

// ---- Attribute predicates ---------------------------------------------------------

class AttrPredTest : public FeatureTest {
 protected:
  void SetUp() override {
    RegisterAttributePredicate("strata.tx-test/short?", [](const Value& v) {
      return v.is_string() && v.AsString().size() <= 5;
    });
    RegisterAttributePredicate("strata.tx-test/lowercase?", [](const Value& v) {
      std::string_view s = v.AsString();
      return std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    });
    Tx(R"([{:db/ident :user/nick :db/valueType :db.type/string :db/cardinality :db.cardinality/one
            :db.attr/preds [strata.tx-test/short? strata.tx-test/lowercase?]}
           {:db/ident :user/code :db/valueType :db.type/string :db/cardinality :db.cardinality/one
            :db.attr/preds strata.tx-test/unregistered?}])");
  }
};

TEST_F(AttrPredTest, ValuesMustSatisfyEveryPredicate) {
  TxReport r = Tx(R"([[:db/add "u" :user/nick "bo"]])");
  EntityId u = *r.Tempid("u");
  EXPECT_EQ(One(u, "user/nick"), S("bo"));
  std::optional<Anomaly> a = Reject(R"([[:db/add "v" :user/nick "toolong"]])");
  ASSERT_TRUE(IsAnomaly(a, Category::kIncorrect, ""));
  EXPECT_NE(a->message().find(":user/nick"), std::string::npos) << a->message();
  EXPECT_NE(a->message().find("toolong"), std::string::npos) << a->message();
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:user/nick "Bo"}])"), Category::kIncorrect, ""));
  // Through cas too; and retracting a value never runs the predicates.
  EXPECT_TRUE(IsAnomaly(
      Reject(ReadEdn("[[:db/cas " + std::to_string(u) + " :user/nick \"bo\" \"BOBBY!\"]]")),
      Category::kIncorrect, ""));
  RegisterAttributePredicate("strata.tx-test/short?", [](const Value&) { return false; });
  Tx(ReadEdn("[[:db/retract " + std::to_string(u) + " :user/nick \"bo\"]]"));
  EXPECT_TRUE(One(u, "user/nick").is_nil());
}

TEST_F(AttrPredTest, PredicatesAreInstalledAsData) {
  std::vector<Value> preds = Values(A("user/nick"), "db.attr/preds");
  EXPECT_EQ(preds,
            (std::vector<Value>{Sym("strata.tx-test/lowercase?"), Sym("strata.tx-test/short?")}));
}

TEST_F(AttrPredTest, AnUnregisteredPredicateRejectsTheValue) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "c" :user/code "x"]])"), Category::kIncorrect, ""));
}

// ---- Entity specs -----------------------------------------------------------------

class EntitySpecTest : public FeatureTest {
 protected:
  void SetUp() override {
    RegisterEntityPredicate("strata.tx-test/adult?", [this](const Database& db, EntityId e) {
      seen_basis_ = db.basis_t();
      DatomIterator it = db.Datoms(Index::kEavt, {L(e), K("user/age")});
      const Datom* d = it.Next();
      return d != nullptr && d->v.AsLong() >= 18;
    });
    Tx(R"([{:db/ident :user/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
            :db/unique :db.unique/identity}
           {:db/ident :user/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
           {:db/ident :user/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])");
    Tx(R"([{:db/ident :user/valid :db.entity/attrs [:user/name :user/email]
            :db.entity/preds strata.tx-test/adult?}
           {:db/ident :user/named :db.entity/attrs [:user/name]}])");
  }
  int64_t seen_basis_ = -1;
};

TEST_F(EntitySpecTest, EnsureChecksRequiredAttributesAndPredicatesAfterTheTransaction) {
  TxReport r = Tx(R"([{:db/id "u" :user/name "ann" :user/email "a@x" :user/age 30
                       :db/ensure :user/valid}])");
  EntityId u = *r.Tempid("u");
  // The predicate saw the database after the transaction.
  EXPECT_EQ(seen_basis_, r.db_after.basis_t());
  // :db/ensure is checked, not stored.
  EXPECT_TRUE(Dump(Db(), Index::kEavt, {L(u), K("db/ensure")}).empty());
  for (const Datom& d : r.tx_data) EXPECT_NE(d.a, A("db/ensure"));
}

TEST_F(EntitySpecTest, MissingRequiredAttributeIsRejected) {
  std::optional<Anomaly> a = Reject(R"([{:user/name "bo" :user/age 30 :db/ensure :user/valid}])");
  ASSERT_TRUE(IsAnomaly(a, Category::kIncorrect, "db.error/entity-attrs"));
  EXPECT_NE(a->message().find(":user/email"), std::string::npos) << a->message();
}

TEST_F(EntitySpecTest, FailingEntityPredicateIsRejected) {
  EXPECT_TRUE(IsAnomaly(
      Reject(R"([{:user/name "cy" :user/email "c@x" :user/age 12 :db/ensure :user/valid}])"),
      Category::kIncorrect, "db.error/entity-pred"));
}

TEST_F(EntitySpecTest, EnsureNamingAnEntityThatIsNoSpecIsRejected) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:user/name "eve" :user/email "e@x" :db/ensure :user/age}])"),
                        Category::kIncorrect, "db.error/not-an-entity-spec"));
}

TEST_F(EntitySpecTest, EnsureOnAnExistingEntityAndInListForm) {
  Tx(R"([{:user/name "dee" :user/age 40}])");
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:user/name "dee"] :db/ensure :user/valid]])"),
                        Category::kIncorrect, "db.error/entity-attrs"));
  Tx(R"([[:db/add [:user/name "dee"] :user/email "d@x"]
         [:db/add [:user/name "dee"] :db/ensure :user/valid]])");
  // A retraction that breaks the spec in the same transaction is caught.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/retract [:user/name "dee"] :user/name "dee"]
                                   {:db/id [:user/name "dee"] :db/ensure :user/named}])"),
                        Category::kIncorrect, ""));
}

TEST_F(EntitySpecTest, EnsureNamingNoSpecIsNotFound) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([{:user/name "eve" :db/ensure :user/no-such-spec}])"),
                        Category::kNotFound, "db.error/not-an-entity"));
}

// ---- Transaction functions ---------------------------------------------------------

class TxFunctionTest : public FeatureTest {
 protected:
  void SetUp() override {
    Tx(R"([{:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
            :db/unique :db.unique/identity}
           {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
           {:db/ident :person/nick :db/valueType :db.type/string :db/cardinality :db.cardinality/many}])");
    ann_ = *Tx(R"([{:db/id "a" :person/name "Ann" :person/age 30}])").Tempid("a");
    // [inc e attr amount]: the attribute's value in the database before the
    // transaction, plus amount.
    RegisterTxFunction(
        "strata.tx-test/inc", [this](const Database& db, const std::vector<Value>& args) {
          seen_args_ = args;
          EntityId e = db.EntidOrThrow(args.at(0));
          DatomIterator it = db.Datoms(Index::kEavt, {L(e), args.at(1)});
          const Datom* d = it.Next();
          int64_t old = d == nullptr ? 0 : d->v.AsLong();
          return Value::Vector(
              {Value::Vector({K("db/add"), L(e), args.at(1), L(old + args.at(2).AsLong())})});
        });
    // [countdown e n]: nicks "n" .. "1", one per recursive call.
    RegisterTxFunction(
        "strata.tx-test/countdown", [](const Database&, const std::vector<Value>& args) {
          int64_t n = args.at(1).AsLong();
          if (n == 0) return Value::Vector(std::vector<Value>{});
          return Value::Vector(
              {Value::Vector({K("db/add"), args[0], K("person/nick"), S(std::to_string(n))}),
               Value::List({Sym("strata.tx-test/countdown"), args[0], L(n - 1)})});
        });
    RegisterTxFunction("strata.tx-test/forever", [](const Database&, const std::vector<Value>&) {
      return Value::Vector({Value::Vector({Sym("strata.tx-test/forever")})});
    });
    RegisterTxFunction(
        "strata.tx-test/cancel", [](const Database&, const std::vector<Value>&) -> Value {
          throw Anomaly(Category::kConflict, "balance too low", K("acme.error/insufficient-funds"),
                        Value::Map({{K("balance"), L(3)}}));
        });
    RegisterTxFunction("strata.tx-test/crash",
                       [](const Database&, const std::vector<Value>&) -> Value {
                         throw std::runtime_error("boom");
                       });
    RegisterTxFunction("strata.tx-test/not-tx-data",
                       [](const Database&, const std::vector<Value>&) { return L(42); });
  }
  EntityId ann_ = 0;
  std::vector<Value> seen_args_;
};

TEST_F(TxFunctionTest, FunctionGetsItsArgumentsAndItsTxDataIsTransacted) {
  Tx(R"([[strata.tx-test/inc [:person/name "Ann"] :person/age 5]])");
  EXPECT_EQ(One(ann_, "person/age"), L(35));
  EXPECT_EQ(seen_args_,
            (std::vector<Value>{ReadEdn(R"([:person/name "Ann"])"), K("person/age"), L(5)}));
  // Called by keyword as well as by symbol.
  Tx(R"([[:strata.tx-test/inc [:person/name "Ann"] :person/age 1]])");
  EXPECT_EQ(One(ann_, "person/age"), L(36));
}

TEST_F(TxFunctionTest, FunctionSeesTheDatabaseBeforeTheTransaction) {
  // inc reads 30, not the 100 asserted beside it: the two values conflict.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add [:person/name "Ann"] :person/age 100]
                                   [strata.tx-test/inc [:person/name "Ann"] :person/age 1]])"),
                        Category::kIncorrect, "db.error/datoms-conflict"));
  Tx(R"([[:db/add "b" :person/name "Bob"] [strata.tx-test/inc [:person/name "Ann"] :person/age 1]])");
  EXPECT_EQ(One(ann_, "person/age"), L(31));
}

TEST_F(TxFunctionTest, FunctionsExpandRecursively) {
  TxReport r = Tx(R"([[strata.tx-test/countdown [:person/name "Ann"] 5]])");
  EXPECT_EQ(Values(ann_, "person/nick"),
            (std::vector<Value>{S("1"), S("2"), S("3"), S("4"), S("5")}));
  EXPECT_EQ(r.tx_data.size(), 6u);
}

TEST_F(TxFunctionTest, UnboundedRecursionIsAnAnomalyNotACrash) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([[strata.tx-test/forever]])"), Category::kIncorrect, ""));
}

TEST_F(TxFunctionTest, FunctionCancelsTheTransactionWithItsAnomaly) {
  std::optional<Anomaly> a = Reject(R"([[:db/add [:person/name "Ann"] :person/age 1]
                                        [strata.tx-test/cancel]])");
  ASSERT_TRUE(IsAnomaly(a, Category::kConflict, "acme.error/insufficient-funds"));
  EXPECT_EQ(a->message(), "balance too low");
  ASSERT_TRUE(a->data().is_map());
  EXPECT_EQ(*a->data().Get(K("balance")), L(3));
  EXPECT_EQ(One(ann_, "person/age"), L(30));
}

TEST_F(TxFunctionTest, OtherExceptionsBecomeFaults) {
  std::optional<Anomaly> a = Reject(R"([[strata.tx-test/crash]])");
  ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
  EXPECT_NE(a->message().find("boom"), std::string::npos) << a->message();
}

TEST_F(TxFunctionTest, FunctionMustReturnTxData) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([[strata.tx-test/not-tx-data]])"), Category::kIncorrect, ""));
}

}  // namespace
}  // namespace strata::testing
