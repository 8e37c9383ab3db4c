// Tests of the built-in query functions, predicates and aggregates, and of
// the registries of user functions (functions.h, strata/query.h).
#include "query/functions.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "strata/query.h"

namespace strata::query {
namespace {

Value E(std::string_view edn) { return ReadEdn(edn); }

// Calls the function named `name` with the elements of the EDN vector `args`.
Value Call(std::string_view name, const Value& args) {
  auto fn = FindFunction(Value::Symbol(name));
  if (!fn) throw std::runtime_error("no function " + std::string(name));
  return (*fn)(args.Items());
}
Value Call(std::string_view name, std::string_view args) { return Call(name, E(args)); }

Value Agg(std::string_view name, std::string_view args, std::string_view values) {
  auto fn = FindAggregate(Value::Symbol(name));
  if (!fn) throw std::runtime_error("no aggregate " + std::string(name));
  Value a = E(args), v = E(values);
  return (*fn)(a.Items(), v.Items());
}

// The :db.error/<error> of the anomaly `f` throws; fails if none.
template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const Anomaly& a) {
    EXPECT_EQ(a.category(), Category::kIncorrect) << a.what();
    return a.error().is_keyword() ? std::string(a.error().Name()) : "";
  }
  return "no anomaly";
}
#define EXPECT_ERROR(error, expr) EXPECT_EQ(ErrorOf([&] { (void)(expr); }), error) << #expr

bool True(const Value& v) { return Truthy(v); }

// ---- lookup --------------------------------------------------------------

TEST(QueryFunctionsTest, FindsBuiltinsByBareAndQualifiedNames) {
  EXPECT_NE(FindFunction(Value::Symbol("<")), nullptr);
  EXPECT_NE(FindFunction(Value::Symbol("clojure.core/<")), nullptr);
  EXPECT_NE(FindFunction(Value::Symbol("clojure.core//")), nullptr);
  EXPECT_NE(FindFunction(Value::Symbol("starts-with?")), nullptr);
  EXPECT_NE(FindFunction(Value::Symbol("clojure.string/starts-with?")), nullptr);
  EXPECT_NE(FindFunction(Value::Symbol("clojure.string/lower-case")), nullptr);
  EXPECT_EQ(FindFunction(Value::Symbol("clojure.string/inc")), nullptr);
  EXPECT_EQ(FindFunction(Value::Symbol("other.ns/inc")), nullptr);
  EXPECT_EQ(FindFunction(Value::Symbol("no-such-fn")), nullptr);
  EXPECT_EQ(FindFunction(Value::Keyword("inc")), nullptr);
  // The engine's own functions are not here.
  EXPECT_EQ(FindFunction(Value::Symbol("get-else")), nullptr);
  EXPECT_EQ(FindFunction(Value::Symbol("ground")), nullptr);
  EXPECT_EQ(FindFunction(Value::Symbol("missing?")), nullptr);
  for (const char* name : {"count", "count-distinct", "sum", "avg", "median", "variance", "stddev",
                           "min", "max", "distinct", "rand", "sample"}) {
    EXPECT_NE(FindAggregate(Value::Symbol(name)), nullptr) << name;
  }
  EXPECT_EQ(FindAggregate(Value::Symbol("no-such-agg")), nullptr);
  EXPECT_EQ(FindAggregate(Value::String("sum")), nullptr);
}

// ---- comparison ----------------------------------------------------------

TEST(QueryFunctionsTest, ComparisonsAreVariadic) {
  EXPECT_TRUE(True(Call("<", "[1 2 3]")));
  EXPECT_FALSE(True(Call("<", "[1 3 2]")));
  EXPECT_FALSE(True(Call("<", "[1 1]")));
  EXPECT_TRUE(True(Call("<=", "[1 1 2]")));
  EXPECT_TRUE(True(Call(">", "[3 2 1]")));
  EXPECT_TRUE(True(Call(">=", "[3 3 1]")));
  EXPECT_FALSE(True(Call(">=", "[3 4]")));
  EXPECT_TRUE(True(Call("<", "[5]")));
  EXPECT_ERROR("arity", Call("<", "[]"));
  EXPECT_ERROR("arity", Call("=", "[]"));
}

TEST(QueryFunctionsTest, NumbersCompareByValueAcrossTypes) {
  EXPECT_TRUE(True(Call("<", "[1 1.5 2N 2.5M 3.0]")));
  EXPECT_TRUE(True(Call("<", "[1.5 2]")));
  EXPECT_TRUE(True(Call("<=", "[1 1.0 1N 1.00M]")));
  EXPECT_TRUE(True(Call(">", "[100000000000000000000N 1e19 9223372036854775807]")));
  // Longs past 2^53 compare exactly with doubles.
  Value big = Value::Long((int64_t{1} << 53) + 1);
  Value d = Value::Double(9007199254740992.0);  // 2^53
  EXPECT_TRUE(True(Call(">", Value::Vector({big, d}))));
  EXPECT_TRUE(True(Call("<", Value::Vector({d, big}))));
  EXPECT_TRUE(True(Call("<", Value::Vector({Value::Long(INT64_MAX), Value::Double(9.3e18)}))));
  // A bigint and a double compare exactly too.
  EXPECT_TRUE(True(Call(">", "[9007199254740993N 9007199254740992.0]")));
  EXPECT_TRUE(True(Call("<", "[0.1M 0.1]")));  // the double 0.1 is a bit more
  EXPECT_TRUE(True(Call("<", "[-1 ##-Inf]")) == false);
  EXPECT_TRUE(True(Call("<", "[1000000000000N ##Inf]")));
  // Floats and refs are numbers too.
  EXPECT_TRUE(True(Call("<", Value::Vector({Value::Float(1.5f), Value::Ref(2)}))));
}

TEST(QueryFunctionsTest, NaNIsUnordered) {
  for (const char* op : {"<", ">", "<=", ">=", "=="}) {
    EXPECT_FALSE(True(Call(op, "[##NaN 1]"))) << op;
    EXPECT_FALSE(True(Call(op, "[1 ##NaN]"))) << op;
    EXPECT_FALSE(True(Call(op, "[##NaN ##NaN]"))) << op;
  }
  EXPECT_FALSE(True(Call("=", "[##NaN ##NaN]")));
}

TEST(QueryFunctionsTest, OtherValuesCompareWithinTheirType) {
  EXPECT_TRUE(True(Call("<", R"(["a" "b" "ba"])")));
  EXPECT_TRUE(True(Call("<", "[:a :b :x/a]")));
  EXPECT_TRUE(True(Call("<", R"([#inst "2020-01-01" #inst "2021-01-01"])")));
  EXPECT_TRUE(True(Call("<", "[[1 2] [1 3]]")));
  EXPECT_TRUE(True(Call("<", "[false true]")));
  EXPECT_TRUE(True(Call("<=", "[nil nil]")));
  EXPECT_TRUE(True(Call("<", Value::Vector({Value::Tuple({Value::Long(1)}), E("[2]")}))));
  EXPECT_ERROR("wrong-type-argument", Call("<", R"([1 "a"])"));
  EXPECT_ERROR("wrong-type-argument", Call(">=", "[:a a]"));
  EXPECT_ERROR("wrong-type-argument", Call("<", "[nil 1]"));
  EXPECT_ERROR("wrong-type-argument", Call("<", "[(1) [1]]"));
}

TEST(QueryFunctionsTest, EqualityFollowsClojure) {
  EXPECT_TRUE(True(Call("=", "[1 1 1]")));
  EXPECT_TRUE(True(Call("=", "[1 1N]")));        // both integers
  EXPECT_FALSE(True(Call("=", "[1 1.0]")));      // integer and floating
  EXPECT_FALSE(True(Call("=", "[1 1M]")));       // integer and decimal
  EXPECT_TRUE(True(Call("=", "[1.0M 1.00M]")));  // decimals by value
  EXPECT_TRUE(True(Call("=", Value::Vector({Value::Float(1.5f), Value::Double(1.5)}))));
  EXPECT_TRUE(True(Call("=", Value::Vector({Value::Ref(7), Value::Long(7)}))));
  EXPECT_TRUE(True(Call("=", R"(["a" "a"])")));
  EXPECT_FALSE(True(Call("=", R"(["a" :a])")));
  EXPECT_TRUE(True(Call("=", "[{:a [1 2]} {:a [1 2]}]")));
  EXPECT_TRUE(True(Call("=", "[x]")));
  EXPECT_TRUE(True(Call("not=", "[1 2]")));
  EXPECT_FALSE(True(Call("!=", "[1 1]")));
  EXPECT_TRUE(True(Call("!=", "[1 1.0]")));
  EXPECT_TRUE(True(Call("==", "[1 1.0 1N 1.00M]")));
  EXPECT_FALSE(True(Call("==", "[1 2]")));
  EXPECT_ERROR("wrong-type-argument", Call("==", R"([1 "1"])"));
}

TEST(QueryFunctionsTest, Compare) {
  EXPECT_EQ(Call("compare", "[1 2]"), E("-1"));
  EXPECT_EQ(Call("compare", "[2 1.5]"), E("1"));
  EXPECT_EQ(Call("compare", "[1 1.0]"), E("0"));
  EXPECT_EQ(Call("compare", R"(["b" "a"])"), E("1"));
  EXPECT_EQ(Call("compare", "[nil 1]"), E("-1"));
  EXPECT_EQ(Call("compare", "[:a nil]"), E("1"));
  EXPECT_EQ(Call("compare", "[##NaN 1]"), E("1"));
  EXPECT_EQ(Call("compare", "[##NaN ##NaN]"), E("0"));
  EXPECT_ERROR("wrong-type-argument", Call("compare", R"([1 "a"])"));
  EXPECT_ERROR("arity", Call("compare", "[1]"));
}

// ---- arithmetic ----------------------------------------------------------

TEST(QueryFunctionsTest, ArithmeticOnLongs) {
  EXPECT_EQ(Call("+", "[]"), E("0"));
  EXPECT_EQ(Call("+", "[5]"), E("5"));
  EXPECT_EQ(Call("+", "[1 2 3]"), E("6"));
  EXPECT_EQ(Call("-", "[5]"), E("-5"));
  EXPECT_EQ(Call("-", "[10 1 2]"), E("7"));
  EXPECT_EQ(Call("*", "[]"), E("1"));
  EXPECT_EQ(Call("*", "[2 3 4]"), E("24"));
  EXPECT_EQ(Call("inc", "[1]"), E("2"));
  EXPECT_EQ(Call("dec", "[1]"), E("0"));
  EXPECT_EQ(Call("+", Value::Vector({Value::Ref(10), Value::Long(1)})), E("11"));
  EXPECT_ERROR("arity", Call("-", "[]"));
  EXPECT_ERROR("arity", Call("inc", "[1 2]"));
  EXPECT_ERROR("wrong-type-argument", Call("+", R"([1 "2"])"));
  EXPECT_ERROR("wrong-type-argument", Call("+", R"(["2"])"));
  EXPECT_ERROR("wrong-type-argument", Call("inc", "[nil]"));
}

TEST(QueryFunctionsTest, LongOverflowIsAnError) {
  Value max = Value::Long(INT64_MAX), min = Value::Long(INT64_MIN);
  EXPECT_ERROR("arithmetic", Call("+", Value::Vector({max, Value::Long(1)})));
  EXPECT_ERROR("arithmetic", Call("+", Value::Vector({Value::Long(1), max, Value::Long(1)})));
  EXPECT_ERROR("arithmetic", Call("-", Value::Vector({min, Value::Long(1)})));
  EXPECT_ERROR("arithmetic", Call("-", Value::Vector({min})));
  EXPECT_ERROR("arithmetic", Call("*", Value::Vector({max, Value::Long(2)})));
  EXPECT_ERROR("arithmetic", Call("*", Value::Vector({min, Value::Long(-1)})));
  EXPECT_ERROR("arithmetic", Call("inc", Value::Vector({max})));
  EXPECT_ERROR("arithmetic", Call("dec", Value::Vector({min})));
  EXPECT_ERROR("arithmetic", Call("/", Value::Vector({min, Value::Long(-1)})));
  EXPECT_ERROR("arithmetic", Call("quot", Value::Vector({min, Value::Long(-1)})));
  EXPECT_ERROR("arithmetic", Call("abs", Value::Vector({min})));
  EXPECT_EQ(Call("rem", Value::Vector({min, Value::Long(-1)})), E("0"));
  EXPECT_EQ(Call("mod", Value::Vector({min, Value::Long(-1)})), E("0"));
  EXPECT_EQ(Call("+", Value::Vector({max, Value::Long(-1), Value::Long(1)})), max);
}

TEST(QueryFunctionsTest, ContagionAcrossNumberTypes) {
  EXPECT_EQ(Call("+", "[1 2.5]"), E("3.5"));
  EXPECT_EQ(Call("+", "[1.5 2.5]"), E("4.0"));
  EXPECT_EQ(Call("+", "[1 2N]"), E("3N"));
  EXPECT_EQ(Call("+", "[1 2.5M]"), E("3.5M"));
  EXPECT_EQ(Call("+", "[1N 2.50M]"), E("3.50M"));
  EXPECT_EQ(Call("+", "[1.5M 0.5]"), E("2.0"));
  EXPECT_EQ(Call("*", "[1.5M 2]"), E("3.0M"));
  EXPECT_EQ(Call("-", "[1.25M 0.5M]"), E("0.75M"));
  EXPECT_EQ(Call("*", Value::Vector({Value::Float(1.5f), Value::Long(2)})), E("3.0"));
  EXPECT_EQ(Call("+", "[9223372036854775807N 1]"), E("9223372036854775808N"));
  EXPECT_EQ(Call("-", "[1N]"), E("-1N"));
  EXPECT_EQ(Call("-", "[1.5M]"), E("-1.5M"));
  EXPECT_EQ(Call("-", "[1.5]"), E("-1.5"));
  EXPECT_EQ(Call("inc", "[1.5]"), E("2.5"));
  EXPECT_TRUE(std::isinf(Call("*", "[1e308 10]").AsDouble()));
}

TEST(QueryFunctionsTest, Division) {
  EXPECT_EQ(Call("/", "[6 3]"), E("2"));
  EXPECT_EQ(Call("/", "[7 2]"), E("3.5"));  // no ratios: a double
  EXPECT_EQ(Call("/", "[1 3]"), Value::Double(1.0 / 3.0));
  EXPECT_EQ(Call("/", "[2]"), E("0.5"));
  EXPECT_EQ(Call("/", "[1]"), E("1"));
  EXPECT_EQ(Call("/", "[100 5 2]"), E("10"));
  EXPECT_EQ(Call("/", "[-6 3]"), E("-2"));
  EXPECT_EQ(Call("/", "[6N 3]"), E("2N"));
  EXPECT_EQ(Call("/", "[7N 2]"), E("3.5"));
  EXPECT_EQ(Call("/", "[1M 4]"), E("0.25M"));
  EXPECT_EQ(Call("/", "[1.0M 8M]"), E("0.125M"));
  EXPECT_EQ(Call("/", "[6.0M 2M]"), E("3.0M"));
  EXPECT_EQ(Call("/", "[-1M 2]"), E("-0.5M"));
  EXPECT_EQ(Call("/", "[1M -2]"), E("-0.5M"));
  EXPECT_EQ(Call("/", "[0M 7]"), E("0M"));
  EXPECT_ERROR("arithmetic", Call("/", "[1M 3]"));  // non-terminating
  EXPECT_EQ(Call("/", "[1.0 2]"), E("0.5"));
  EXPECT_ERROR("arithmetic", Call("/", "[1 0]"));
  EXPECT_ERROR("arithmetic", Call("/", "[1N 0N]"));
  EXPECT_ERROR("arithmetic", Call("/", "[1M 0.0M]"));
  EXPECT_ERROR("arithmetic", Call("/", "[0]"));
  // Doubles follow IEEE.
  EXPECT_TRUE(std::isinf(Call("/", "[1.0 0]").AsDouble()));
  EXPECT_TRUE(std::isinf(Call("/", "[1 0.0]").AsDouble()));
  EXPECT_TRUE(std::isnan(Call("/", "[0.0 0.0]").AsDouble()));
  EXPECT_ERROR("arity", Call("/", "[]"));
}

TEST(QueryFunctionsTest, QuotRemMod) {
  EXPECT_EQ(Call("quot", "[7 2]"), E("3"));
  EXPECT_EQ(Call("quot", "[-7 2]"), E("-3"));
  EXPECT_EQ(Call("rem", "[7 2]"), E("1"));
  EXPECT_EQ(Call("rem", "[-7 2]"), E("-1"));
  EXPECT_EQ(Call("mod", "[-7 2]"), E("1"));
  EXPECT_EQ(Call("mod", "[7 -2]"), E("-1"));
  EXPECT_EQ(Call("mod", "[-7 -2]"), E("-1"));
  EXPECT_EQ(Call("mod", "[6 3]"), E("0"));
  EXPECT_EQ(Call("quot", "[7N 2]"), E("3N"));
  EXPECT_EQ(Call("mod", "[-7N 2]"), E("1N"));
  EXPECT_EQ(Call("quot", "[7.5 2]"), E("3.0"));
  EXPECT_EQ(Call("rem", "[7.5 2]"), E("1.5"));
  EXPECT_EQ(Call("mod", "[-7.5 2]"), E("0.5"));
  EXPECT_EQ(Call("quot", "[7.5M 2]"), E("3M"));
  EXPECT_EQ(Call("rem", "[7.5M 2]"), E("1.5M"));
  EXPECT_EQ(Call("mod", "[-7.5M 2]"), E("0.5M"));
  EXPECT_ERROR("arithmetic", Call("quot", "[1 0]"));
  EXPECT_ERROR("arithmetic", Call("rem", "[1 0]"));
  EXPECT_ERROR("arithmetic", Call("mod", "[1.5 0.0]"));
  EXPECT_ERROR("arity", Call("mod", "[1]"));
  EXPECT_ERROR("wrong-type-argument", Call("mod", R"([1 "a"])"));
}

TEST(QueryFunctionsTest, MaxMinAbs) {
  EXPECT_EQ(Call("max", "[1 3 2]"), E("3"));
  EXPECT_EQ(Call("min", "[1 3 2]"), E("1"));
  EXPECT_EQ(Call("max", "[1 2.5]"), E("2.5"));
  EXPECT_EQ(Call("max", "[3 2.5]"), E("3"));
  EXPECT_EQ(Call("min", "[5N 2.5M]"), E("2.5M"));
  EXPECT_EQ(Call("max", "[7]"), E("7"));
  EXPECT_TRUE(std::isnan(Call("max", "[1 ##NaN 3]").AsDouble()));
  EXPECT_TRUE(std::isnan(Call("min", "[##NaN 1]").AsDouble()));
  EXPECT_ERROR("wrong-type-argument", Call("max", R"(["a" "b"])"));
  EXPECT_ERROR("arity", Call("min", "[]"));
  EXPECT_EQ(Call("abs", "[-3]"), E("3"));
  EXPECT_EQ(Call("abs", "[-3.5]"), E("3.5"));
  EXPECT_EQ(Call("abs", "[-3N]"), E("3N"));
  EXPECT_EQ(Call("abs", "[-0.5M]"), E("0.5M"));
}

TEST(QueryFunctionsTest, BigNumbersStayBounded) {
  // 10^60000 squared passes the 100000-digit limit of big numbers.
  std::string digits = "1" + std::string(60000, '0') + "N";
  Value big = E(digits);
  EXPECT_ERROR("arithmetic", Call("*", Value::Vector({big, big})));
  EXPECT_EQ(Call("-", Value::Vector({big, big})), E("0N"));
  // Scales too far apart to align.
  Value tiny = Value::BigDec("1", 2000000000);
  EXPECT_ERROR("arithmetic", Call("+", Value::Vector({tiny, E("1M")})));
  // ...but they still compare.
  EXPECT_TRUE(True(Call("<", Value::Vector({tiny, E("1M")}))));
  EXPECT_TRUE(True(Call("<", Value::Vector({Value::Long(0), tiny, Value::Double(1e-300)}))));
}

// ---- predicates ----------------------------------------------------------

TEST(QueryFunctionsTest, NumberPredicates) {
  EXPECT_TRUE(True(Call("zero?", "[0]")));
  EXPECT_TRUE(True(Call("zero?", "[0.0]")));
  EXPECT_TRUE(True(Call("zero?", "[-0.0]")));
  EXPECT_TRUE(True(Call("zero?", "[0.00M]")));
  EXPECT_FALSE(True(Call("zero?", "[1N]")));
  EXPECT_TRUE(True(Call("pos?", "[2]")));
  EXPECT_FALSE(True(Call("pos?", "[0]")));
  EXPECT_TRUE(True(Call("neg?", "[-2.5M]")));
  EXPECT_FALSE(True(Call("pos?", "[##NaN]")));
  EXPECT_FALSE(True(Call("zero?", "[##NaN]")));
  EXPECT_TRUE(True(Call("even?", "[4]")));
  EXPECT_TRUE(True(Call("even?", "[-4]")));
  EXPECT_TRUE(True(Call("odd?", "[-3]")));
  EXPECT_TRUE(True(Call("odd?", "[100000000000000000001N]")));
  EXPECT_FALSE(True(Call("even?", "[100000000000000000001N]")));
  EXPECT_ERROR("wrong-type-argument", Call("even?", "[2.0]"));
  EXPECT_ERROR("wrong-type-argument", Call("zero?", "[nil]"));
  EXPECT_ERROR("arity", Call("zero?", "[]"));
}

TEST(QueryFunctionsTest, TruthPredicates) {
  EXPECT_TRUE(True(Call("nil?", "[nil]")));
  EXPECT_FALSE(True(Call("nil?", "[false]")));
  EXPECT_TRUE(True(Call("some?", "[false]")));
  EXPECT_FALSE(True(Call("some?", "[nil]")));
  EXPECT_TRUE(True(Call("true?", "[true]")));
  EXPECT_FALSE(True(Call("true?", "[1]")));
  EXPECT_TRUE(True(Call("false?", "[false]")));
  EXPECT_FALSE(True(Call("false?", "[nil]")));
  EXPECT_TRUE(True(Call("not", "[nil]")));
  EXPECT_TRUE(True(Call("not", "[false]")));
  EXPECT_FALSE(True(Call("not", "[0]")));
  EXPECT_EQ(Call("and", "[]"), E("true"));
  EXPECT_EQ(Call("and", "[1 2]"), E("2"));
  EXPECT_EQ(Call("and", "[1 nil 2]"), E("nil"));
  EXPECT_EQ(Call("or", "[]"), E("nil"));
  EXPECT_EQ(Call("or", "[nil false 3]"), E("3"));
  EXPECT_EQ(Call("or", "[nil false]"), E("false"));
  EXPECT_EQ(Call("identity", "[[1 2]]"), E("[1 2]"));
  EXPECT_ERROR("arity", Call("identity", "[]"));
}

// ---- collections ---------------------------------------------------------

TEST(QueryFunctionsTest, Collections) {
  EXPECT_EQ(Call("vector", "[1 2]"), E("[1 2]"));
  EXPECT_TRUE(Call("vector", "[1 2]").is_vector());
  EXPECT_TRUE(Call("list", "[1 2]").is_list());
  EXPECT_EQ(Call("list", "[]"), E("()"));
  Value t = Call("tuple", "[1 :a]");
  EXPECT_TRUE(t.is_tuple());
  EXPECT_EQ(t, E("[1 :a]"));
  EXPECT_EQ(Call("untuple", Value::Vector({t})), t);
  EXPECT_EQ(Call("untuple", "[[1 2]]"), E("[1 2]"));
  EXPECT_ERROR("wrong-type-argument", Call("untuple", "[1]"));
  EXPECT_EQ(Call("hash-map", "[:a 1 :b 2 :a 3]"), E("{:a 3 :b 2}"));
  EXPECT_EQ(Call("hash-map", "[]"), E("{}"));
  EXPECT_ERROR("arity", Call("hash-map", "[:a]"));
  EXPECT_EQ(Call("hash-set", "[1 2 1]"), E("#{1 2}"));
  EXPECT_EQ(Call("set", "[[1 2 1]]"), E("#{1 2}"));
  EXPECT_EQ(Call("set", "[nil]"), E("#{}"));
  EXPECT_ERROR("wrong-type-argument", Call("set", "[1]"));
}

TEST(QueryFunctionsTest, CountEmptyGetContains) {
  EXPECT_EQ(Call("count", "[nil]"), E("0"));
  EXPECT_EQ(Call("count", R"(["héllo"])"), E("5"));
  EXPECT_EQ(Call("count", R"(["😀a"])"), E("2"));  // code points, not UTF-16 units
  EXPECT_EQ(Call("count", "[[1 2 3]]"), E("3"));
  EXPECT_EQ(Call("count", "[{:a 1 :b 2}]"), E("2"));
  EXPECT_EQ(Call("count", "[#{}]"), E("0"));
  EXPECT_ERROR("wrong-type-argument", Call("count", "[1]"));
  EXPECT_TRUE(True(Call("empty?", "[nil]")));
  EXPECT_TRUE(True(Call("empty?", R"([""])")));
  EXPECT_TRUE(True(Call("empty?", "[[]]")));
  EXPECT_FALSE(True(Call("empty?", "[{:a 1}]")));
  EXPECT_ERROR("wrong-type-argument", Call("empty?", "[:a]"));
  EXPECT_EQ(Call("not-empty", "[[]]"), E("nil"));
  EXPECT_EQ(Call("not-empty", "[[1]]"), E("[1]"));
  EXPECT_EQ(Call("get", "[{:a 1} :a]"), E("1"));
  EXPECT_EQ(Call("get", "[{:a 1} :b]"), E("nil"));
  EXPECT_EQ(Call("get", "[{:a 1} :b 0]"), E("0"));
  EXPECT_EQ(Call("get", "[[10 20] 1]"), E("20"));
  EXPECT_EQ(Call("get", "[[10 20] 2 :none]"), E(":none"));
  EXPECT_EQ(Call("get", "[[10 20] -1]"), E("nil"));
  EXPECT_EQ(Call("get", "[#{:a} :a]"), E(":a"));
  EXPECT_EQ(Call("get", "[nil :a]"), E("nil"));
  EXPECT_EQ(Call("get", "[5 :a 6]"), E("6"));
  EXPECT_ERROR("arity", Call("get", "[{}]"));
  EXPECT_TRUE(True(Call("contains?", "[{:a nil} :a]")));
  EXPECT_FALSE(True(Call("contains?", "[{:a 1} :b]")));
  EXPECT_TRUE(True(Call("contains?", "[#{1} 1]")));
  EXPECT_TRUE(True(Call("contains?", "[[5 6] 1]")));
  EXPECT_FALSE(True(Call("contains?", "[[5 6] 2]")));
  EXPECT_FALSE(True(Call("contains?", "[nil 1]")));
  EXPECT_TRUE(True(Call("contains?", R"(["ab" 1])")));
  EXPECT_ERROR("wrong-type-argument", Call("contains?", "[1 1]"));
}

TEST(QueryFunctionsTest, Names) {
  EXPECT_EQ(Call("name", "[:a/b]"), E("\"b\""));
  EXPECT_EQ(Call("name", "[x]"), E("\"x\""));
  EXPECT_EQ(Call("name", R"(["s"])"), E("\"s\""));
  EXPECT_EQ(Call("namespace", "[:a/b]"), E("\"a\""));
  EXPECT_EQ(Call("namespace", "[:b]"), E("nil"));
  EXPECT_ERROR("wrong-type-argument", Call("namespace", R"(["a/b"])"));
  EXPECT_ERROR("wrong-type-argument", Call("name", "[1]"));
  EXPECT_EQ(Call("keyword", R"(["a"])"), E(":a"));
  EXPECT_EQ(Call("keyword", R"(["a/b"])"), E(":a/b"));
  EXPECT_EQ(Call("keyword", R"(["a" "b"])"), E(":a/b"));
  EXPECT_EQ(Call("keyword", R"([nil "b"])"), E(":b"));
  EXPECT_EQ(Call("keyword", "[x/y]"), E(":x/y"));
  EXPECT_EQ(Call("keyword", "[:k]"), E(":k"));
  EXPECT_EQ(Call("keyword", "[nil]"), E("nil"));
  EXPECT_ERROR("invalid-argument", Call("keyword", R"([""])"));
  EXPECT_ERROR("wrong-type-argument", Call("keyword", "[1]"));
  EXPECT_EQ(Call("symbol", R"(["a" "b"])"), E("a/b"));
}

// ---- strings -------------------------------------------------------------

TEST(QueryFunctionsTest, Str) {
  EXPECT_EQ(Call("str", "[]"), E("\"\""));
  EXPECT_EQ(Call("str", "[nil]"), E("\"\""));
  EXPECT_EQ(Call("str", R"(["a" nil "b"])"), E("\"ab\""));
  EXPECT_EQ(Call("str", R"([:a/b " " sym " " 1 " " 1.5 " " \x])"), E(R"(":a/b sym 1 1.5 x")"));
  EXPECT_EQ(Call("str", "[1N 2.50M]"), E("\"12.50\""));
  EXPECT_EQ(Call("str", "[##NaN ##Inf ##-Inf]"), E("\"NaNInfinity-Infinity\""));
  EXPECT_EQ(Call("str", R"([[1 "a"] {:k nil}])"), E(R"("[1 \"a\"]{:k nil}")"));
  EXPECT_EQ(Call("str", R"([#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"])"),
            E(R"("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")"));
  EXPECT_EQ(Call("str", "[true false]"), E("\"truefalse\""));
  EXPECT_EQ(Call("str", Value::Vector({Value::Float(1.1f)})), E("\"1.1\""));
  std::string inst(Call("str", R"([#inst "2020-01-02T03:04:05.006Z"])").AsString());
  EXPECT_EQ(inst.substr(0, 23), "2020-01-02T03:04:05.006");
  EXPECT_EQ(Call("pr-str", R"(["a" :b nil])"), E(R"("\"a\" :b nil")"));
}

TEST(QueryFunctionsTest, Subs) {
  EXPECT_EQ(Call("subs", R"(["hello" 1])"), E("\"ello\""));
  EXPECT_EQ(Call("subs", R"(["hello" 1 3])"), E("\"el\""));
  EXPECT_EQ(Call("subs", R"(["hello" 5])"), E("\"\""));
  EXPECT_EQ(Call("subs", R"(["héllo😀!" 1 6])"), E("\"éllo😀\""));
  EXPECT_EQ(Call("subs", R"(["" 0 0])"), E("\"\""));
  EXPECT_ERROR("invalid-argument", Call("subs", R"(["hello" 6])"));
  EXPECT_ERROR("invalid-argument", Call("subs", R"(["hello" -1])"));
  EXPECT_ERROR("invalid-argument", Call("subs", R"(["hello" 3 2])"));
  EXPECT_ERROR("wrong-type-argument", Call("subs", R"(["hello" 1.0])"));
  EXPECT_ERROR("wrong-type-argument", Call("subs", "[:a 0]"));
  EXPECT_ERROR("arity", Call("subs", R"(["a"])"));
}

TEST(QueryFunctionsTest, ClojureStringFunctions) {
  EXPECT_TRUE(True(Call("clojure.string/starts-with?", R"(["hello" "he"])")));
  EXPECT_FALSE(True(Call("starts-with?", R"(["hello" "lo"])")));
  EXPECT_TRUE(True(Call("ends-with?", R"(["hello" "lo"])")));
  EXPECT_TRUE(True(Call("includes?", R"(["hello" "ll"])")));
  EXPECT_TRUE(True(Call("includes?", R"(["hello" ""])")));
  EXPECT_FALSE(True(Call("includes?", R"(["" "a"])")));
  EXPECT_ERROR("wrong-type-argument", Call("starts-with?", R"([nil "a"])"));
  EXPECT_ERROR("wrong-type-argument", Call("includes?", R"(["a" :a])"));
  EXPECT_EQ(Call("upper-case", R"(["Hello, wörld ß"])"), E(R"("HELLO, WÖRLD ß")"));
  EXPECT_EQ(Call("lower-case", R"(["ÀÉÎ ΣX"])"), E(R"("àéî σx")"));
  EXPECT_EQ(Call("clojure.string/lower-case", R"([""])"), E(R"("")"));
  EXPECT_TRUE(True(Call("blank?", "[nil]")));
  EXPECT_TRUE(True(Call("blank?", R"([""])")));
  EXPECT_TRUE(True(Call("blank?", "[\" \\t\\n\"]")));
  EXPECT_FALSE(True(Call("blank?", R"([" a "])")));
  EXPECT_ERROR("wrong-type-argument", Call("blank?", "[1]"));
  EXPECT_EQ(Call("trim", "[\"  a b \\n\"]"), E(R"("a b")"));
  EXPECT_EQ(Call("triml", R"(["  a "])"), E(R"("a ")"));
  EXPECT_EQ(Call("trimr", R"(["  a "])"), E(R"("  a")"));
  EXPECT_EQ(Call("trim", R"(["   "])"), E(R"("")"));
}

TEST(QueryFunctionsTest, Regexes) {
  EXPECT_EQ(Call("re-pattern", R"(["a+"])"), E(R"("a+")"));
  EXPECT_ERROR("invalid-argument", Call("re-pattern", R"(["a("])"));
  EXPECT_ERROR("wrong-type-argument", Call("re-pattern", "[1]"));
  Value pattern = Call("re-pattern", R"(["\\d+"])");
  EXPECT_EQ(Call("re-find", Value::Vector({pattern, Value::String("ab 123 45")})), E("\"123\""));
  EXPECT_EQ(Call("re-find", R"(["x" "abc"])"), E("nil"));
  EXPECT_EQ(Call("re-find", R"x(["(\\w+)@(\\w+)?" "me@ "])x"), E(R"x(["me@" "me" nil])x"));
  EXPECT_EQ(Call("re-find", R"x(["(a)(b)" "xaby"])x"), E(R"x(["ab" "a" "b"])x"));
  EXPECT_EQ(Call("re-matches", R"(["\\d+" "123"])"), E("\"123\""));
  EXPECT_EQ(Call("re-matches", R"(["\\d+" "123a"])"), E("nil"));
  EXPECT_EQ(Call("re-matches", R"x(["(\\d)(\\d)" "12"])x"), E(R"x(["12" "1" "2"])x"));
  EXPECT_EQ(Call("re-seq", R"(["\\d" "a1b2c3"])"), E(R"(("1" "2" "3"))"));
  EXPECT_EQ(Call("re-seq", R"(["x" "abc"])"), E("nil"));
  EXPECT_EQ(Call("re-seq", R"(["a*" "baa"])"), E(R"(("" "aa" ""))"));
  EXPECT_EQ(Call("re-seq", R"(["" "é"])"), E(R"(("" ""))"));
  EXPECT_EQ(Call("re-find", R"(["é." "xéy"])"), E("\"éy\""));
  EXPECT_ERROR("wrong-type-argument", Call("re-find", R"(["a" 1])"));
  EXPECT_ERROR("arity", Call("re-find", R"(["a"])"));
  // Backreferences are not RE2's.
  EXPECT_ERROR("invalid-argument", Call("re-find", R"x(["(a)\\1" "aa"])x"));
  // Long input and a pattern that backtracks badly elsewhere: linear here.
  std::string long_text(1'000'000, 'a');
  Value r =
      Call("re-matches", Value::Vector({Value::String("(a|aa)*b"), Value::String(long_text)}));
  EXPECT_TRUE(r.is_nil());
  r = Call("re-matches", Value::Vector({Value::String(".*"), Value::String(long_text)}));
  EXPECT_EQ(r.AsString().size(), long_text.size());
  // Many patterns in one thread: the cache starts over, results stay right.
  for (int i = 0; i < 200; ++i) {
    std::string p = "x" + std::to_string(i);
    EXPECT_EQ(Call("re-find", Value::Vector({Value::String(p), Value::String("a" + p)})),
              Value::String(p));
  }
}

// ---- aggregates ----------------------------------------------------------

TEST(QueryAggregatesTest, CountAndDistinct) {
  EXPECT_EQ(Agg("count", "[]", "[1 1 2]"), E("3"));
  EXPECT_EQ(Agg("count", "[]", "[]"), E("0"));
  EXPECT_EQ(Agg("count-distinct", "[]", "[1 1 2 1.0]"), E("3"));
  EXPECT_EQ(Agg("count-distinct", "[]", "[]"), E("0"));
  EXPECT_EQ(Agg("distinct", "[]", "[1 1 :a]"), E("#{1 :a}"));
  EXPECT_EQ(Agg("distinct", "[]", "[]"), E("#{}"));
  EXPECT_ERROR("arity", Agg("count", "[3]", "[1]"));
}

TEST(QueryAggregatesTest, Sum) {
  EXPECT_EQ(Agg("sum", "[]", "[1 2 3]"), E("6"));
  EXPECT_EQ(Agg("sum", "[]", "[]"), E("0"));
  EXPECT_EQ(Agg("sum", "[]", "[1 2.5]"), E("3.5"));
  EXPECT_EQ(Agg("sum", "[]", "[1 2N]"), E("3N"));
  EXPECT_EQ(Agg("sum", "[]", "[1 0.5M]"), E("1.5M"));
  EXPECT_EQ(Agg("sum", "[]", "[-1 9223372036854775807 1]"), E("9223372036854775807"));
  EXPECT_ERROR("arithmetic", Agg("sum", "[]", "[9223372036854775807 1]"));
  EXPECT_EQ(Agg("sum", "[]", "[1.5 9223372036854775807 1]"),
            Value::Double(1.5 + 9223372036854775807.0 + 1));
  EXPECT_ERROR("wrong-type-argument", Agg("sum", "[]", R"([1 "a"])"));
}

TEST(QueryAggregatesTest, AvgMedianVarianceStddev) {
  EXPECT_EQ(Agg("avg", "[]", "[1 2 3 4]"), E("2.5"));
  EXPECT_EQ(Agg("avg", "[]", "[1 2.0]"), E("1.5"));
  EXPECT_EQ(Agg("avg", "[]", "[9223372036854775807 9223372036854775807]"),
            Value::Double(9223372036854775807.0));
  EXPECT_EQ(Agg("avg", "[]", "[]"), E("nil"));
  EXPECT_EQ(Agg("avg", "[]", "[1.5M 2.5M]"), E("2.0"));
  EXPECT_EQ(Agg("median", "[]", "[3 1 2]"), E("2.0"));
  EXPECT_EQ(Agg("median", "[]", "[4 1 3 2]"), E("2.5"));
  EXPECT_EQ(Agg("median", "[]", "[7]"), E("7.0"));
  EXPECT_EQ(Agg("median", "[]", "[]"), E("nil"));
  EXPECT_EQ(Agg("median", "[]", "[1 ##NaN 2]"), E("2.0"));
  EXPECT_EQ(Agg("variance", "[]", "[1 2 3 4]"), E("1.25"));
  EXPECT_EQ(Agg("variance", "[]", "[5]"), E("0.0"));
  EXPECT_EQ(Agg("variance", "[]", "[]"), E("nil"));
  EXPECT_EQ(Agg("stddev", "[]", "[2 4 4 4 5 5 7 9]"), E("2.0"));
  EXPECT_EQ(Agg("stddev", "[]", "[]"), E("nil"));
  EXPECT_ERROR("wrong-type-argument", Agg("median", "[]", "[1 :a]"));
  EXPECT_ERROR("wrong-type-argument", Agg("variance", "[]", R"(["x"])"));
}

TEST(QueryAggregatesTest, MinMax) {
  EXPECT_EQ(Agg("min", "[]", "[3 1 2]"), E("1"));
  EXPECT_EQ(Agg("max", "[]", "[3 1 2]"), E("3"));
  EXPECT_EQ(Agg("max", "[]", "[3 3.5 2N 4.5M]"), E("4.5M"));
  EXPECT_EQ(Agg("min", "[]", "[1.0 1]"), E("1"));  // numerically equal: by type
  EXPECT_EQ(Agg("max", "[]", "[1 1.0]"), E("1.0"));
  EXPECT_EQ(Agg("min", "[]", R"(["b" "a" "c"])"), E(R"("a")"));
  EXPECT_EQ(Agg("max", "[]", "[:a :b/c :b]"), E(":b/c"));
  EXPECT_EQ(Agg("max", "[]", R"([#inst "2020-01-01" #inst "2021-01-01"])"),
            E(R"(#inst "2021-01-01")"));
  EXPECT_EQ(Agg("max", "[]", "[1 ##NaN]"), E("##NaN"));
  EXPECT_EQ(Agg("min", "[]", "[]"), E("nil"));
  EXPECT_ERROR("wrong-type-argument", Agg("min", "[]", R"([1 "a"])"));
  EXPECT_EQ(Agg("min", "[2]", "[5 3 1 3 4]"), E("[1 3]"));
  // The bag's values: a value the :with variables repeat counts each time.
  EXPECT_EQ(Agg("max", "[2]", "[5 3 1 5 4]"), E("[5 5]"));
  EXPECT_EQ(Agg("max", "[10]", "[2 1 2]"), E("[2 2 1]"));
  EXPECT_EQ(Agg("min", "[3]", "[1 1.0 1 0.5]"), E("[0.5 1 1]"));
  EXPECT_EQ(Agg("min", "[0]", "[1]"), E("[]"));
  EXPECT_EQ(Agg("max", "[2]", "[]"), E("[]"));
  EXPECT_EQ(Agg("max", "[2]", R"(["a" "c" "b"])"), E(R"(["c" "b"])"));
  EXPECT_ERROR("invalid-argument", Agg("min", "[-1]", "[1]"));
  EXPECT_ERROR("wrong-type-argument", Agg("min", "[1.5]", "[1]"));
  EXPECT_ERROR("arity", Agg("max", "[1 2]", "[1]"));
  EXPECT_ERROR("wrong-type-argument", Agg("max", "[1]", "[1 :a]"));
}

TEST(QueryAggregatesTest, MinMaxSortsMixedNumbersTransitively) {
  // Longs past 2^53, doubles, bigints and bigdecs that nearly coincide:
  // the sort must be a strict weak order or it could crash.
  std::vector<Value> values;
  for (int64_t i = -3; i <= 3; ++i) {
    int64_t n = (int64_t{1} << 53) + i;
    values.push_back(Value::Long(n));
    values.push_back(Value::Double(static_cast<double>(n)));
    values.push_back(Value::BigInt(n));
    values.push_back(Value::BigDec(std::to_string(n) + "0", 1));
  }
  values.push_back(Value::Double(std::nan("")));
  values.push_back(Value::Double(-0.0));
  values.push_back(Value::Double(0.0));
  auto fn = FindAggregate(Value::Symbol("min"));
  Value n = Value::Long(1000);
  Value sorted = (*fn)(std::span<const Value>(&n, 1), values);
  auto items = sorted.Items();
  for (size_t i = 0; i + 1 < items.size(); ++i) {
    auto lt = FindFunction(Value::Symbol("<="));
    if (!std::isnan(items[i + 1].is_double() ? items[i + 1].AsDouble() : 0)) {
      EXPECT_TRUE(True((*lt)(std::vector<Value>{items[i], items[i + 1]})))
          << PrintEdn(items[i]) << " " << PrintEdn(items[i + 1]);
    }
  }
  EXPECT_TRUE(std::isnan(items.back().AsDouble()));
  EXPECT_EQ(items.front(), Value::Double(-0.0));
}

TEST(QueryAggregatesTest, RandAndSample) {
  Value r = Agg("rand", "[]", "[1 2 3]");
  EXPECT_TRUE(r == E("1") || r == E("2") || r == E("3"));
  EXPECT_EQ(Agg("rand", "[]", "[]"), E("nil"));
  Value rs = Agg("rand", "[5]", "[7]");
  EXPECT_EQ(rs, E("[7 7 7 7 7]"));
  EXPECT_EQ(Agg("rand", "[3]", "[]"), E("[]"));
  EXPECT_ERROR("invalid-argument", Agg("rand", "[100000000000]", "[1]"));
  Value s = Agg("sample", "[2]", "[1 2 3 1]");
  ASSERT_EQ(s.Count(), 2u);
  EXPECT_NE(s.Items()[0], s.Items()[1]);
  Value all = Agg("sample", "[10]", "[1 2 2 3]");
  EXPECT_EQ(all.Count(), 3u);
  EXPECT_EQ(Call("set", Value::Vector({all})), E("#{1 2 3}"));
  EXPECT_EQ(Agg("sample", "[0]", "[1]"), E("[]"));
  EXPECT_ERROR("arity", Agg("sample", "[]", "[1]"));
}

// ---- robustness ----------------------------------------------------------

// Awkward arguments for every function and aggregate.
std::vector<Value> AwkwardValues() {
  std::vector<Value> pool = ReadAllEdn(R"x(
      nil true false 0 -1 1 2 9223372036854775807 -9223372036854775808 0.0 -0.0 1.5
      ##NaN ##Inf ##-Inf 0N 3N 0M 1.5M -2.50M \a "" "a" "héllo😀" " " "(" "a*" :k :a/b sym
      [] [1 2] () (1) {} {:a 1} #{} #{1} #inst "2020-01-01" #uuid
      "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")x");
  pool.push_back(Value::Float(std::numeric_limits<float>::quiet_NaN()));
  pool.push_back(Value::Ref(42));
  pool.push_back(Value::Tuple({Value::Long(1), Value::String("x")}));
  pool.push_back(E("1" + std::string(3000, '0') + "N"));
  pool.push_back(Value::BigDec("1", 2000000000));
  pool.push_back(Value::BigDec("-7", -2000000000));
  return pool;
}

// Every call returns a value or throws an incorrect anomaly: nothing else
// escapes, nothing crashes (the sanitizer builds run this too).
TEST(QueryFunctionsTest, AwkwardArgumentsNeverCrash) {
  std::vector<Value> pool = AwkwardValues();
  std::vector<std::string> names = {
      "=",      "==",           "not=",       "!=",        "<",          ">",          "<=",
      ">=",     "compare",      "+",          "-",         "*",          "/",          "quot",
      "rem",    "mod",          "inc",        "dec",       "max",        "min",        "abs",
      "zero?",  "pos?",         "neg?",       "even?",     "odd?",       "nil?",       "some?",
      "true?",  "false?",       "not",        "and",       "or",         "identity",   "vector",
      "list",   "tuple",        "untuple",    "hash-set",  "set",        "hash-map",   "count",
      "empty?", "not-empty",    "get",        "contains?", "name",       "namespace",  "keyword",
      "symbol", "str",          "pr-str",     "subs",      "re-pattern", "re-find",    "re-matches",
      "re-seq", "starts-with?", "ends-with?", "includes?", "upper-case", "lower-case", "blank?",
      "trim",   "triml",        "trimr"};
  auto call = [](const QueryFunction& fn, std::vector<Value> args) {
    try {
      fn(args);
    } catch (const Anomaly& a) {
      EXPECT_EQ(a.category(), Category::kIncorrect) << a.what();
    }
  };
  for (const auto& name : names) {
    auto fn = FindFunction(Value::Symbol(name));
    ASSERT_NE(fn, nullptr) << name;
    call(*fn, {});
    for (const Value& a : pool) {
      call(*fn, {a});
      for (const Value& b : pool) call(*fn, {a, b});
      for (size_t i = 0; i < pool.size(); i += 3) {
        call(*fn, {a, pool[i], pool[(i * 7) % pool.size()]});
      }
    }
  }
}

TEST(QueryAggregatesTest, AwkwardValuesNeverCrash) {
  std::vector<Value> pool = AwkwardValues();
  std::vector<std::vector<Value>> arg_lists = {
      {}, {Value::Long(2)}, {Value::Long(-1)}, {Value::String("x")}, {Value::Long(1), Value()}};
  for (const char* name : {"count", "count-distinct", "sum", "avg", "median", "variance", "stddev",
                           "min", "max", "distinct", "rand", "sample"}) {
    auto fn = FindAggregate(Value::Symbol(name));
    for (const auto& args : arg_lists) {
      auto call = [&](std::vector<Value> values) {
        try {
          (*fn)(args, values);
        } catch (const Anomaly& a) {
          EXPECT_EQ(a.category(), Category::kIncorrect) << a.what();
        }
      };
      call({});
      call(pool);
      for (const Value& a : pool) {
        call({a});
        for (const Value& b : pool) call({a, b, a});
      }
    }
  }
}

// ---- registration --------------------------------------------------------

TEST(QueryRegistryTest, RegisterFindReplace) {
  RegisterQueryFunction("test.fns/twice", [](std::span<const Value> args) {
    return Value::Long(args[0].AsLong() * 2);
  });
  auto fn = FindFunction(Value::Symbol("test.fns/twice"));
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ((*fn)(std::vector<Value>{Value::Long(4)}), Value::Long(8));
  EXPECT_EQ(FindFunction(Value::Symbol("twice")), nullptr);

  RegisterQueryFunction("test.fns/twice", [](std::span<const Value> args) {
    return Value::Long(args[0].AsLong() * 3);
  });
  EXPECT_EQ((*FindFunction(Value::Symbol("test.fns/twice")))(std::vector<Value>{Value::Long(4)}),
            Value::Long(12));
  // The function handed out before stays alive and unchanged.
  EXPECT_EQ((*fn)(std::vector<Value>{Value::Long(4)}), Value::Long(8));

  RegisterAggregate("test.fns/top", [](std::span<const Value> args, std::span<const Value> vs) {
    return Value::Vector({args[0], Value::Long(static_cast<int64_t>(vs.size()))});
  });
  auto agg = FindAggregate(Value::Symbol("test.fns/top"));
  ASSERT_NE(agg, nullptr);
  std::vector<Value> args{Value::Long(3)}, values{Value::Long(1), Value::Long(1)};
  EXPECT_EQ((*agg)(args, values), E("[3 2]"));
  EXPECT_EQ(FindFunction(Value::Symbol("test.fns/top")), nullptr);
}

TEST(QueryRegistryTest, RegisteredNamesWinOverBuiltins) {
  RegisterQueryFunction("clojure.core/dec",
                        [](std::span<const Value>) { return Value::Long(-42); });
  EXPECT_EQ(Call("clojure.core/dec", "[1]"), Value::Long(-42));
  EXPECT_EQ(Call("dec", "[1]"), Value::Long(0));  // the bare name is another name
  RegisterAggregate("median", [](std::span<const Value>, std::span<const Value>) {
    return Value::String("mine");
  });
  EXPECT_EQ(Agg("median", "[]", "[1]"), Value::String("mine"));
  RegisterAggregate("median", *FindAggregate(Value::Symbol("avg")));
  EXPECT_EQ(Agg("median", "[]", "[1 2]"), E("1.5"));
}

TEST(QueryRegistryTest, ConcurrentRegisterAndFind) {
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failed] {
      for (int i = 0; i < 500; ++i) {
        std::string name = fmt::format("test.threads/f{}", i % 20);
        RegisterQueryFunction(name, [i](std::span<const Value>) { return Value::Long(i); });
        auto fn = FindFunction(Value::Symbol(name));
        if (!fn || !(*fn)(std::span<const Value>()).is_long()) failed = true;
        auto plus = FindFunction(Value::Symbol("+"));
        std::vector<Value> args{Value::Long(t), Value::Long(i)};
        if (!plus || (*plus)(args) != Value::Long(t + i)) failed = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(failed);
}

}  // namespace
}  // namespace strata::query
