// Tests for what a transaction checks and returns: value types,
// :db/txInstant, the TxReport and the log, atomicity (any error leaves the
// database exactly as before), Database::With, and the Transactor interface
// a Connection works through.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
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
#include "transactor/local_transactor.h"

namespace strata::testing {
namespace {

class TxResultTest : public PersonDbTest {};

// ---- Value types ------------------------------------------------------------------

TEST_F(TxResultTest, WrongTypeNamesAttributeValueAndExpectedType) {
  std::optional<Anomaly> a = Reject(R"([[:db/add "r" :person/name 42]])");
  ASSERT_TRUE(IsAnomaly(a, Category::kIncorrect, "db.error/wrong-type-for-attribute"));
  const std::string& m = a->message();
  EXPECT_NE(m.find(":person/name"), std::string::npos) << m;
  EXPECT_NE(m.find("42"), std::string::npos) << m;
  EXPECT_NE(m.find(":db.type/string"), std::string::npos) << m;
  ASSERT_TRUE(a->data().is_map());
  EXPECT_EQ(*a->data().Get(K("attribute")), K("person/name"));
  EXPECT_EQ(*a->data().Get(K("value")), L(42));
  EXPECT_EQ(*a->data().Get(K("expected")), K("db.type/string"));
}

TEST_F(TxResultTest, EveryValueTypeAcceptsItsValuesAndRejectsOthers) {
  struct Case {
    const char* type;
    const char* good;
    const char* bad;
  };
  const Case cases[] = {
      {"keyword", ":a/b", "\"a\""},
      {"string", "\"s\"", ":s"},
      {"boolean", "true", "1"},
      {"long", "42", "4.2"},
      {"bigint", "42N", "\"42\""},
      {"float", "#strata/float 1.5", "\"1.5\""},
      {"double", "1.5", "\"x\""},
      {"bigdec", "1.5M", "\"1.5\""},
      {"instant", "#inst \"2020-01-01T00:00:00Z\"", "1577836800000"},
      {"uuid", "#uuid \"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"", "\"6ba7b810\""},
      {"uri", "#strata/uri \"https://example.com\"", "\"https://example.com\""},
      {"bytes", "#strata/bytes \"AQID\"", "\"AQID\""},
      {"symbol", "foo/bar", ":foo/bar"},
      {"ref", ":color/red", "1.5"},
  };
  std::string schema = "[";
  for (const Case& c : cases) {
    schema += std::string("{:db/ident :t/") + c.type + " :db/valueType :db.type/" + c.type +
              " :db/cardinality :db.cardinality/one}";
  }
  Tx(schema + "]");
  for (const Case& c : cases) {
    std::string attr = std::string(":t/") + c.type;
    TxReport r = Tx("[[:db/add \"x\" " + attr + " " + c.good + "]]");
    EXPECT_EQ(r.tx_data.size(), 2u) << c.type;
    std::optional<Anomaly> a =
        Reject("[[:db/add \"y\" :person/name \"y\"] [:db/add \"y\" " + attr + " " + c.bad + "]]");
    EXPECT_TRUE(IsAnomaly(a, Category::kIncorrect, "db.error/wrong-type-for-attribute")) << c.type;
  }
  // A double is accepted for a float attribute, as in Datomic.
  TxReport f = Tx(R"([[:db/add "z" :t/float 2.5]])");
  EXPECT_EQ(One(*f.Tempid("z"), "t/float"), Value::Float(2.5f));
}

TEST_F(TxResultTest, NilIsNotAValue) {
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "s" :person/name nil]])"), Category::kIncorrect, ""));
  EXPECT_TRUE(
      IsAnomaly(Reject(R"([{:person/name "S" :person/age nil}])"), Category::kIncorrect, ""));
}

// ---- :db/txInstant ---------------------------------------------------------------

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Value TxInstantOf(const Database& db, int64_t t) {
  DatomIterator it = db.Datoms(Index::kEavt, {L(TxFromT(t)), K("db/txInstant")});
  const Datom* d = it.Next();
  return d == nullptr ? Value() : d->v;
}

TEST_F(TxResultTest, TxInstantIsSetAutomaticallyAndNeverGoesBackwards) {
  int64_t before = NowMs();
  TxReport r1 = Tx(R"([[:db/add "a" :person/name "T1"]])");
  TxReport r2 = Tx(R"([[:db/add "a" :person/name "T2"]])");
  int64_t after = NowMs();
  Value i1 = TxInstantOf(Db(), r1.db_after.basis_t());
  Value i2 = TxInstantOf(Db(), r2.db_after.basis_t());
  ASSERT_EQ(i1.type(), ValueType::kInstant);
  ASSERT_EQ(i2.type(), ValueType::kInstant);
  EXPECT_GE(i1.AsInstant(), before);
  EXPECT_LE(i2.AsInstant(), after);
  EXPECT_LE(i1.AsInstant(), i2.AsInstant());
  EXPECT_TRUE(Contains(r1.tx_data, TxFromT(r1.db_after.basis_t()), A("db/txInstant"), i1, true));
}

TEST_F(TxResultTest, ExplicitTxInstantIsAcceptedWhenNotBackwards) {
  int64_t future = NowMs() + 3'600'000;
  TxReport r = conn_.Transact(Value::Vector(
      {Value::Map({{K("db/id"), S("datomic.tx")}, {K("db/txInstant"), Value::Instant(future)}}),
       Value::Vector({K("db/add"), S("u"), K("person/name"), S("U")})}));
  EXPECT_EQ(TxInstantOf(Db(), r.db_after.basis_t()), Value::Instant(future));
  // The same instant again is not backwards.
  conn_.Transact(Value::Vector(
      {Value::Vector({K("db/add"), S("datomic.tx"), K("db/txInstant"), Value::Instant(future)})}));
  // The wall clock is now behind the last instant: the next one does not go back.
  TxReport next = Tx(R"([[:db/add "v" :person/name "V"]])");
  EXPECT_GE(TxInstantOf(Db(), next.db_after.basis_t()).AsInstant(), future);
}

TEST_F(TxResultTest, TxInstantGoingBackwardsIsRejected) {
  Tx(R"([[:db/add "w" :person/name "W"]])");
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "datomic.tx" :db/txInstant #inst "2001-01-01T00:00:00Z"]
                 [:db/add "x" :person/name "X"]])"),
                        Category::kIncorrect, "db.error/past-tx-instant"));
  // :db/txInstant belongs on the transaction only.
  EXPECT_TRUE(IsAnomaly(Reject(R"([[:db/add "x" :db/txInstant #inst "2100-01-01T00:00:00Z"]])"),
                        Category::kIncorrect, ""));
}

// ---- TxReport, log, atomicity --------------------------------------------------------

TEST_F(TxResultTest, TxReportHasDbBeforeDbAfterTxDataAndTempids) {
  People();
  Database before = Db();
  TxReport r = Tx(R"([{:db/id "x" :person/name "X"} [:db/add "y" :person/name "Y"]])");
  EXPECT_EQ(r.db_before.basis_t(), before.basis_t());
  EXPECT_EQ(r.db_after.basis_t(), Db().basis_t());
  EXPECT_GT(r.db_after.basis_t(), before.basis_t());
  EXPECT_EQ(Dump(r.db_before), Dump(before));
  EXPECT_EQ(Dump(r.db_after), Dump(Db()));
  EXPECT_FALSE(r.db_before.Entid(Value::Vector({K("person/name"), S("X")})).has_value());
  EXPECT_EQ(r.db_after.Entid(Value::Vector({K("person/name"), S("X")})), r.Tempid("x"));
  EXPECT_EQ(r.tempids.size(), 2u);
  EXPECT_FALSE(r.Tempid("nope").has_value());
  // tx-data is exactly what the log holds for the transaction.
  std::vector<LogEntry> log = conn_.log().TxRange(r.db_after.basis_t(), std::nullopt);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].t, r.db_after.basis_t());
  EXPECT_EQ(log[0].data, r.tx_data);
}

TEST_F(TxResultTest, AnyErrorLeavesTheDatabaseExactlyAsBefore) {
  People();
  // Errors from every phase, each after valid forms.
  const char* bad[] = {
      R"([[:db/add "n" :person/name "N"] [:db/add "n" :person/age "old"]])",
      R"([[:db/add "n" :person/name "N"] [:db/add "n" :no/such 1]])",
      R"([[:db/add "n" :person/name "N"] [:db/add [:person/name "Zed"] :person/age 1]])",
      R"([[:db/add "n" :person/name "N"] [:db/add "n" :person/email "e"]
          [:db/add [:person/name "Ann"] :person/email "e"]])",
      R"([[:db/retractEntity [:person/name "Ann"]] [:db/add "n" :person/age 1]
          [:db/add "n" :person/age 2]])",
      R"([{:db/ident :new/attr :db/valueType :db.type/string}])",
  };
  for (const char* tx : bad) EXPECT_TRUE(Reject(tx).has_value()) << tx;
  // The next transaction gets the next t as if nothing had happened.
  int64_t next = Db().next_t();
  TxReport r = Tx(R"([[:db/add "n" :person/name "N"]])");
  EXPECT_EQ(r.db_after.basis_t(), next);
}

// ---- Database::With ---------------------------------------------------------------

TEST_F(TxResultTest, WithIsSpeculativeAndComposable) {
  People();
  Database db = Db();
  std::vector<Datom> snapshot = Dump(db);
  TxReport w1 = db.With(ReadEdn(R"([{:db/id "x" :person/name "X" :person/age 1}])"));
  EXPECT_EQ(w1.db_before.basis_t(), db.basis_t());
  EXPECT_EQ(w1.db_after.basis_t(), db.next_t());
  std::optional<EntityId> x = w1.Tempid("x");
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(w1.db_after.Entid(Value::Vector({K("person/name"), S("X")})), x);
  // A With on a With sees the first.
  TxReport w2 = w1.db_after.With(ReadEdn(R"([{:person/name "X" :person/age 2}
                                            [:db/retractEntity [:person/name "Ann"]]])"));
  EXPECT_TRUE(Contains(w2.tx_data, *x, A("person/age"), L(1), false));
  EXPECT_TRUE(Contains(w2.tx_data, *x, A("person/age"), L(2), true));
  EXPECT_GT(w2.db_after.basis_t(), w1.db_after.basis_t());
  EXPECT_FALSE(w2.db_after.Entid(Value::Vector({K("person/name"), S("Ann")})).has_value());
  // Nothing reached the connection or the original value.
  EXPECT_EQ(Dump(Db()), snapshot);
  EXPECT_EQ(Dump(db), snapshot);
  EXPECT_EQ(Db().basis_t(), db.basis_t());
  EXPECT_FALSE(Db().Entid(Value::Vector({K("person/name"), S("X")})).has_value());
  // A With's errors are the transaction's errors.
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] {
                          w1.db_after.With(
                              ReadEdn(R"([[:db/cas [:person/name "X"] :person/age 5 6]])"));
                        }),
                        Category::kConflict, "db.error/cas-failed"));
  // The connection's next transaction takes the t With used.
  TxReport real = Tx(R"([[:db/add "q" :person/name "Q"]])");
  EXPECT_EQ(real.db_after.basis_t(), w1.db_after.basis_t());
}

// ---- The Transactor interface ---------------------------------------------------

// A transactor that delegates to another and counts what passes through:
// a Connection works through any Transactor.
class CountingTransactor : public Transactor {
 public:
  explicit CountingTransactor(std::shared_ptr<Transactor> inner) : inner_(std::move(inner)) {}
  TxReport Transact(const Value& tx_data) override {
    ++transactions;
    return inner_->Transact(tx_data);
  }
  Database Db() const override { return inner_->Db(); }
  const Log& log() const override { return inner_->log(); }
  int transactions = 0;

 private:
  std::shared_ptr<Transactor> inner_;
};

TEST(TransactorTest, ConnectionWorksThroughAnyTransactor) {
  auto counting =
      std::make_shared<CountingTransactor>(std::make_shared<internal::LocalTransactor>());
  Connection conn(counting);
  conn.Transact(kPersonSchema);
  TxReport r = conn.Transact(R"([{:db/id "a" :person/name "Ann"}])");
  EXPECT_EQ(counting->transactions, 2);
  EXPECT_EQ(conn.Db().basis_t(), r.db_after.basis_t());
  EXPECT_EQ(conn.Db().Entid(Value::Vector({K("person/name"), S("Ann")})), r.Tempid("a"));
  EXPECT_EQ(conn.log().TxRange(r.db_after.basis_t(), std::nullopt).size(), 1u);
  // Errors pass through unchanged.
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { conn.Transact(R"([[:db/add "b" :no/such 1]])"); }),
                        Category::kIncorrect, ""));
  EXPECT_EQ(counting->transactions, 3);
}

}  // namespace
}  // namespace strata::testing
