// Test support shared by the unit tests (src/**/*_test.cc): shorthands for
// Values, a database read back as datoms, catching and checking Anomalies,
// gtest printers for Value and Datom, and fixtures: DbTest, a fresh in-memory
// Connection whose Reject() checks that a rejected transaction changed
// nothing, and PersonDbTest, DbTest with a schema of people installed.
//
// Header-only and no part of libstrata (src/CMakeLists.txt compiles *.cc
// only); tests include it as "testing/test_util.h". The helpers live in
// strata::testing and a test file opens that namespace around its tests
// (namespace strata::testing { namespace { ... } }); inside it, gtest's
// namespace must be spelled ::testing. The PrintTo overloads are in strata,
// beside Value and Datom, where gtest finds them by argument-dependent lookup.
#ifndef STRATA_TESTING_TEST_UTIL_H_
#define STRATA_TESTING_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "index/datom_order.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/value.h"

namespace strata {

// Lets gtest show a Value as its EDN text in failure messages.
inline void PrintTo(const Value& value, std::ostream* os) { *os << PrintEdn(value); }
// Lets gtest show a Datom as ToString() writes it in failure messages.
inline void PrintTo(const Datom& datom, std::ostream* os) { *os << ToString(datom); }

namespace testing {

// Value shorthands. K: the keyword "ns/name" (or "name"), or ns and name
// apart; Sym: the symbol "ns/name"; S: a string; L: a long. Invalid names
// throw as the Value factories do.
inline Value K(std::string_view qualified) { return Value::Keyword(qualified); }
inline Value K(std::string_view ns, std::string_view name) { return Value::Keyword(ns, name); }
inline Value Sym(std::string_view qualified) { return Value::Symbol(qualified); }
inline Value S(std::string_view s) { return Value::String(s); }
inline Value L(int64_t n) { return Value::Long(n); }

// Every datom `it` still yields, in its order.
inline std::vector<Datom> Drain(DatomIterator it) {
  std::vector<Datom> out;
  while (const Datom* d = it.Next()) out.push_back(*d);
  return out;
}

// db.Datoms(index, components), copied out: by default the whole EAVT index.
inline std::vector<Datom> Dump(const Database& db, Index index = Index::kEavt,
                               const std::vector<Value>& components = {}) {
  return Drain(db.Datoms(index, components));
}

// Runs `f`; returns the Anomaly it threw, or nullopt if it threw none. Other
// exceptions propagate.
template <typename F>
std::optional<Anomaly> CatchAnomaly(F&& f) {
  try {
    f();
  } catch (const Anomaly& anomaly) {
    return anomaly;
  }
  return std::nullopt;
}

// Success if `anomaly` is present, has `category` and, unless `error` is
// empty, has the :db/error keyword `error` (written without the colon:
// "db.error/x"). A failure says what differs and gives the anomaly's message.
inline ::testing::AssertionResult IsAnomaly(const std::optional<Anomaly>& anomaly,
                                            Category category, std::string_view error) {
  if (!anomaly) return ::testing::AssertionFailure() << "no anomaly was thrown";
  if (anomaly->category() != category) {
    return ::testing::AssertionFailure()
           << "category " << CategoryName(anomaly->category()) << ", wanted "
           << CategoryName(category) << ": " << anomaly->message();
  }
  if (!error.empty() &&
      (!anomaly->error().is_keyword() || anomaly->error().QualifiedName() != error)) {
    return ::testing::AssertionFailure() << "error " << PrintEdn(anomaly->error())
                                         << ", wanted :" << error << ": " << anomaly->message();
  }
  return ::testing::AssertionSuccess();
}

// Whether `datoms` holds a datom of e, a, v with `added` (in any transaction).
inline bool Contains(const std::vector<Datom>& datoms, EntityId e, EntityId a, const Value& v,
                     bool added) {
  return std::any_of(datoms.begin(), datoms.end(), [&](const Datom& d) {
    return d.e == e && d.a == a && d.v == v && d.added == added;
  });
}

// EDN text of one value of every type and a few of each numeric kind, for
// round-trip tests of the codecs (read with ReadKeepingTags).
inline constexpr const char* kEveryValueEdn[] = {"nil",
                                                 "true",
                                                 "false",
                                                 "0",
                                                 "-1",
                                                 "9223372036854775807",
                                                 "-9223372036854775808",
                                                 "123456789012345678901234567890N",
                                                 "-5N",
                                                 "1.5",
                                                 "-0.0",
                                                 "##NaN",
                                                 "##Inf",
                                                 "1E-100000M",
                                                 "1.50M",
                                                 "-0.005M",
                                                 "\\a",
                                                 "\\u00e9",
                                                 "\"\"",
                                                 "\"short\"",
                                                 "\"a string longer than fourteen\"",
                                                 "\"\\u0000 nul and é and \\ud83d\\ude00\"",
                                                 ":k",
                                                 ":ns/name",
                                                 "sym",
                                                 "ns/sym",
                                                 "#inst \"2020-01-02T03:04:05.678Z\"",
                                                 "#inst \"1969-12-31T23:59:59.999Z\"",
                                                 "#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"",
                                                 "#strata/float 0.1",
                                                 "#strata/uri \"http://example.com/a?b=c\"",
                                                 "#strata/bytes \"AAECAwQ=\"",
                                                 "[1 \"two\" :three]",
                                                 "(1 (2 (3)))",
                                                 "{:a 1 \"b\" [2] 3 #{4}}",
                                                 "#{}",
                                                 "[]",
                                                 "#my/tag [1 2]"};

// Reads EDN, keeping unknown tagged literals as tagged values.
inline Value ReadKeepingTags(std::string_view edn) {
  ReadOptions options;
  options.keep_unknown_tags = true;
  return ReadEdn(edn, options);
}

// `datoms` in `index`'s order, without duplicates.
inline std::vector<Datom> Sorted(Index index, std::vector<Datom> datoms) {
  std::sort(datoms.begin(), datoms.end(), [index](const Datom& x, const Datom& y) {
    return internal::CompareDatoms(index, x, y) < 0;
  });
  datoms.erase(std::unique(datoms.begin(), datoms.end(),
                           [index](const Datom& x, const Datom& y) {
                             return internal::CompareDatoms(index, x, y) == 0;
                           }),
               datoms.end());
  return datoms;
}

// A fresh directory under the system's temporary directory, removed with
// everything in it when destroyed.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "strata-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A fixture around a fresh in-memory database holding the bootstrap schema
// only. Derived fixtures install their own schema and data in SetUp, with Tx.
class DbTest : public ::testing::Test {
 protected:
  // Transacts tx-data, as EDN text or as a Value; an Anomaly propagates.
  TxReport Tx(std::string_view edn) { return conn_.Transact(edn); }
  TxReport Tx(const Value& tx_data) { return conn_.Transact(tx_data); }
  // The database as of the latest transaction.
  Database Db() const { return conn_.Db(); }
  // The entity id of the ident "ns/name"; throws if there is none.
  EntityId A(std::string_view ident) const { return Db().EntidOrThrow(K(ident)); }
  // The current values of (e, attr) in `db` (default: Db()), in index order.
  std::vector<Value> Values(const Database& db, EntityId e, std::string_view attr) const {
    std::vector<Value> out;
    for (const Datom& d : Dump(db, Index::kEavt, {L(e), K(attr)})) out.push_back(d.v);
    return out;
  }
  std::vector<Value> Values(EntityId e, std::string_view attr) const {
    return Values(Db(), e, attr);
  }
  // The one current value of (e, attr), or nil if it has none; a test
  // failure if it has more than one.
  Value One(EntityId e, std::string_view attr) const {
    std::vector<Value> v = Values(e, attr);
    EXPECT_LE(v.size(), 1u) << attr;
    return v.empty() ? Value() : v[0];
  }
  // Transacts tx-data expecting it to be rejected. A test failure if it is
  // accepted, or if afterwards the database (its datoms, its history, basis_t
  // and next_t) or the log is not exactly as before. Returns the Anomaly it
  // threw (nullopt if none) for the caller to check, e.g. with IsAnomaly.
  std::optional<Anomaly> Reject(std::string_view edn) { return RejectTx(edn, edn); }
  std::optional<Anomaly> Reject(const Value& tx_data) {
    return RejectTx(tx_data, PrintEdn(tx_data));
  }

  Connection conn_ = Connection::CreateInMemory();

 private:
  // Reject(), with `shown` (the tx-data as text) in failure messages.
  template <typename T>
  std::optional<Anomaly> RejectTx(const T& tx_data, std::string_view shown) {
    Database before = Db();
    std::vector<Datom> eavt = Dump(before);
    std::vector<Datom> history = Dump(before.History());
    size_t log_size = LogSize();
    std::optional<Anomaly> anomaly = CatchAnomaly([&] { Tx(tx_data); });
    EXPECT_TRUE(anomaly.has_value()) << "accepted: " << shown;
    Database after = Db();
    EXPECT_EQ(after.basis_t(), before.basis_t()) << shown;
    EXPECT_EQ(after.next_t(), before.next_t()) << shown;
    EXPECT_EQ(Dump(after), eavt) << shown;
    EXPECT_EQ(Dump(after.History()), history) << shown;
    EXPECT_EQ(LogSize(), log_size) << shown;
    return anomaly;
  }
  size_t LogSize() const { return conn_.log().TxRange(std::nullopt, std::nullopt).size(); }
};

// A schema of people for transaction tests: :person/name (string, unique
// identity), :person/email (string, unique value), :person/age (long),
// :person/nick (strings, many), :person/friend (refs, many), :person/spouse
// and :person/color (refs, one), the components :person/address (one) and
// :person/phones (many), :address/street, :address/city (ref),
// :city/name, :phone/number, and the enum idents :color/red and :color/blue.
inline constexpr std::string_view kPersonSchema = R"([
  {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :person/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/value}
  {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/nick :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
  {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :person/spouse :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :person/color :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :person/address :db/valueType :db.type/ref :db/cardinality :db.cardinality/one
   :db/isComponent true}
  {:db/ident :person/phones :db/valueType :db.type/ref :db/cardinality :db.cardinality/many
   :db/isComponent true}
  {:db/ident :address/street :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :address/city :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :city/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :phone/number :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :color/red}
  {:db/ident :color/blue}])";

// DbTest with kPersonSchema installed.
class PersonDbTest : public DbTest {
 protected:
  void SetUp() override { Tx(kPersonSchema); }

  // The person named `name`; throws if there is none.
  EntityId Person(std::string_view name) const {
    return Db().EntidOrThrow(Value::Vector({K("person/name"), S(name)}));
  }
  // Transacts Ann (age 30, nicks "a" "b") and Bob (friend of Ann); sets
  // ann_ and bob_ to their ids.
  void People() {
    TxReport r = Tx(R"([{:db/id "ann" :person/name "Ann" :person/age 30 :person/nick ["a" "b"]}
                        {:db/id "bob" :person/name "Bob" :person/friend ["ann"]}])");
    ann_ = *r.Tempid("ann");
    bob_ = *r.Tempid("bob");
  }

  EntityId ann_ = 0;
  EntityId bob_ = 0;
};

}  // namespace testing
}  // namespace strata

#endif  // STRATA_TESTING_TEST_UTIL_H_
