// Tests for the EDN printer: the exact text of every type (as Clojure and
// Datomic print it), determinism, and print -> read round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "strata/value.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Value UuidValue(std::string_view text) {
  Uuid uuid;
  EXPECT_TRUE(Uuid::Parse(text, &uuid)) << text;
  return Value::MakeUuid(uuid);
}

TEST(EdnPrinterTest, NilBooleansAndLongs) {
  EXPECT_EQ(PrintEdn(Value()), "nil");
  EXPECT_EQ(PrintEdn(Value::Boolean(true)), "true");
  EXPECT_EQ(PrintEdn(Value::Boolean(false)), "false");
  EXPECT_EQ(PrintEdn(L(42)), "42");
  EXPECT_EQ(PrintEdn(L(0)), "0");
  EXPECT_EQ(PrintEdn(L(-7)), "-7");
  EXPECT_EQ(PrintEdn(L(std::numeric_limits<int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(PrintEdn(L(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
}

TEST(EdnPrinterTest, RefPrintsAsItsEntityId) {
  EXPECT_EQ(PrintEdn(Value::Ref(17592186045418)), "17592186045418");
  EXPECT_EQ(PrintEdn(Value::Ref(0)), "0");
}

TEST(EdnPrinterTest, BigInts) {
  EXPECT_EQ(PrintEdn(Value::BigInt(int64_t{123})), "123N");
  EXPECT_EQ(PrintEdn(Value::BigInt(int64_t{0})), "0N");
  EXPECT_EQ(PrintEdn(Value::BigInt(int64_t{-5})), "-5N");
  EXPECT_EQ(PrintEdn(Value::BigInt("-99999999999999999999")), "-99999999999999999999N");
  EXPECT_EQ(PrintEdn(Value::BigInt("9223372036854775808")), "9223372036854775808N");
}

TEST(EdnPrinterTest, Doubles) {
  EXPECT_EQ(PrintEdn(Value::Double(1.5)), "1.5");
  EXPECT_EQ(PrintEdn(Value::Double(-2.5)), "-2.5");
  // An integral double keeps a decimal point, else it would read as a long.
  EXPECT_EQ(PrintEdn(Value::Double(1.0)), "1.0");
  EXPECT_EQ(PrintEdn(Value::Double(0.0)), "0.0");
  EXPECT_EQ(PrintEdn(Value::Double(100.0)), "100.0");
  EXPECT_EQ(PrintEdn(Value::Double(-3.0)), "-3.0");
  EXPECT_EQ(PrintEdn(Value::Double(-0.0)), "-0.0");
  // Shortest text that reads back to the same double.
  EXPECT_EQ(PrintEdn(Value::Double(0.1)), "0.1");
  EXPECT_EQ(PrintEdn(Value::Double(0.30000000000000004)), "0.30000000000000004");
  EXPECT_EQ(PrintEdn(Value::Double(1234.5)), "1234.5");
  EXPECT_EQ(PrintEdn(Value::Double(kNaN)), "##NaN");
  EXPECT_EQ(PrintEdn(Value::Double(kInf)), "##Inf");
  EXPECT_EQ(PrintEdn(Value::Double(-kInf)), "##-Inf");
}

TEST(EdnPrinterTest, DoublesInExponentFormReadBackAsDoubles) {
  for (double d : {1e21, 1e100, 1e-7, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308,
                   123456789012345680.0}) {
    std::string text = PrintEdn(Value::Double(d));
    Value back = ReadEdn(text);
    EXPECT_TRUE(back.is_double()) << text;
    EXPECT_EQ(back, Value::Double(d)) << text;
  }
}

TEST(EdnPrinterTest, Floats) {
  EXPECT_EQ(PrintEdn(Value::Float(1.5f)), "#strata/float 1.5");
  EXPECT_EQ(PrintEdn(Value::Float(1.0f)), "#strata/float 1.0");
  EXPECT_EQ(PrintEdn(Value::Float(-0.0f)), "#strata/float -0.0");
  // The float's own shortest text, as Java's Float.toString.
  EXPECT_EQ(PrintEdn(Value::Float(0.1f)), "#strata/float 0.1");
  EXPECT_EQ(PrintEdn(Value::Float(std::numeric_limits<float>::quiet_NaN())), "#strata/float ##NaN");
  EXPECT_EQ(PrintEdn(Value::Float(std::numeric_limits<float>::infinity())), "#strata/float ##Inf");
}

TEST(EdnPrinterTest, BigDecimals) {
  EXPECT_EQ(PrintEdn(Value::BigDec("150", 2)), "1.50M");
  EXPECT_EQ(PrintEdn(Value::BigDec("15", 0)), "15M");
  EXPECT_EQ(PrintEdn(Value::BigDec("15", 1)), "1.5M");
  EXPECT_EQ(PrintEdn(Value::BigDec("-5", 1)), "-0.5M");
  EXPECT_EQ(PrintEdn(Value::BigDec("5", 3)), "0.005M");
  EXPECT_EQ(PrintEdn(Value::BigDec("0", 3)), "0.000M");
  EXPECT_EQ(PrintEdn(Value::BigDec("0", 0)), "0M");
  // A negative scale needs an exponent (Java's BigDecimal.toString).
  EXPECT_EQ(PrintEdn(Value::BigDec("1", -3)), "1E+3M");
}

TEST(EdnPrinterTest, BigDecimalsKeepTheirScaleThroughText) {
  for (const auto& [unscaled, scale] :
       std::vector<std::pair<std::string, int32_t>>{{"1", -3},
                                                    {"123", -2},
                                                    {"-45", -10},
                                                    {"1", 10},
                                                    {"-1", 7},
                                                    {"0", -2},
                                                    {"0", 12},
                                                    {"123456789012345678901234567890", 15},
                                                    {"7", 0},
                                                    {"10", 1},
                                                    {"100", 2}}) {
    Value v = Value::BigDec(unscaled, scale);
    std::string text = PrintEdn(v);
    Value back = ReadEdn(text);
    ASSERT_EQ(back.type(), ValueType::kBigDec) << text;
    EXPECT_EQ(back.BigDecUnscaledText(), unscaled) << text;
    EXPECT_EQ(back.BigDecScale(), scale) << text;
  }
}

TEST(EdnPrinterTest, Characters) {
  EXPECT_EQ(PrintEdn(Value::Char(U'a')), "\\a");
  EXPECT_EQ(PrintEdn(Value::Char(U'Z')), "\\Z");
  EXPECT_EQ(PrintEdn(Value::Char(U'\n')), "\\newline");
  EXPECT_EQ(PrintEdn(Value::Char(U' ')), "\\space");
  EXPECT_EQ(PrintEdn(Value::Char(U'\t')), "\\tab");
  EXPECT_EQ(PrintEdn(Value::Char(U'\r')), "\\return");
  EXPECT_EQ(PrintEdn(Value::Char(U'\f')), "\\formfeed");
  EXPECT_EQ(PrintEdn(Value::Char(U'\b')), "\\backspace");
  EXPECT_EQ(PrintEdn(Value::Char(U'\\')), "\\\\");
}

TEST(EdnPrinterTest, Strings) {
  EXPECT_EQ(PrintEdn(S("")), "\"\"");
  EXPECT_EQ(PrintEdn(S("hello")), "\"hello\"");
  EXPECT_EQ(PrintEdn(S("a\"b\n")), "\"a\\\"b\\n\"");
  EXPECT_EQ(PrintEdn(S("back\\slash")), "\"back\\\\slash\"");
  EXPECT_EQ(PrintEdn(S("t\tr\r")), "\"t\\tr\\r\"");
  EXPECT_EQ(PrintEdn(S(std::string(20, 'x'))), "\"" + std::string(20, 'x') + "\"");
}

TEST(EdnPrinterTest, KeywordsAndSymbols) {
  EXPECT_EQ(PrintEdn(Value::Keyword("ns", "name")), ":ns/name");
  EXPECT_EQ(PrintEdn(Value::Keyword("a")), ":a");
  EXPECT_EQ(PrintEdn(Value::Keyword("db.type/long")), ":db.type/long");
  EXPECT_EQ(PrintEdn(Value::Symbol("sym")), "sym");
  EXPECT_EQ(PrintEdn(Value::Symbol("clojure.core", "inc")), "clojure.core/inc");
  EXPECT_EQ(PrintEdn(Value::Symbol("?e")), "?e");
  EXPECT_EQ(PrintEdn(Value::Symbol("", "/")), "/");
}

TEST(EdnPrinterTest, Instants) {
  EXPECT_EQ(PrintEdn(Value::Instant(1577934245678)), "#inst \"2020-01-02T03:04:05.678-00:00\"");
  EXPECT_EQ(PrintEdn(Value::Instant(0)), "#inst \"1970-01-01T00:00:00.000-00:00\"");
  EXPECT_EQ(PrintEdn(Value::Instant(-1)), "#inst \"1969-12-31T23:59:59.999-00:00\"");
  EXPECT_EQ(PrintEdn(Value::Instant(1582934400000)), "#inst \"2020-02-29T00:00:00.000-00:00\"");
  EXPECT_EQ(PrintEdn(Value::Instant(-62135596800000)), "#inst \"0001-01-01T00:00:00.000-00:00\"");
  EXPECT_EQ(PrintEdn(Value::Instant(253402300799999)), "#inst \"9999-12-31T23:59:59.999-00:00\"");
}

TEST(EdnPrinterTest, UuidUriBytes) {
  EXPECT_EQ(PrintEdn(UuidValue("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")),
            "#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"");
  EXPECT_EQ(PrintEdn(UuidValue("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6")),
            "#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"");
  EXPECT_EQ(PrintEdn(Value::Uri("http://example.com/a?b=c")),
            "#strata/uri \"http://example.com/a?b=c\"");
  EXPECT_EQ(PrintEdn(Value::Bytes(std::vector<uint8_t>{0, 1, 2, 0xff})),
            "#strata/bytes \"AAEC/w==\"");
  EXPECT_EQ(PrintEdn(Value::Bytes(std::vector<uint8_t>{})), "#strata/bytes \"\"");
  EXPECT_EQ(PrintEdn(Value::Bytes(std::vector<uint8_t>{1})), "#strata/bytes \"AQ==\"");
  EXPECT_EQ(PrintEdn(Value::Bytes(std::vector<uint8_t>{1, 2, 3})), "#strata/bytes \"AQID\"");
  EXPECT_EQ(PrintEdn(Value::Bytes(std::vector<uint8_t>{0xfb, 0xff, 0xbf})),
            "#strata/bytes \"+/+/\"");
}

TEST(EdnPrinterTest, Collections) {
  EXPECT_EQ(PrintEdn(Value::Vector({L(1), L(2)})), "[1 2]");
  EXPECT_EQ(PrintEdn(Value::List({L(1), L(2)})), "(1 2)");
  EXPECT_EQ(PrintEdn(Value::Vector(std::vector<Value>{})), "[]");
  EXPECT_EQ(PrintEdn(Value::List({})), "()");
  EXPECT_EQ(PrintEdn(Value::Map({})), "{}");
  EXPECT_EQ(PrintEdn(Value::Set({})), "#{}");
  EXPECT_EQ(PrintEdn(Value::Map({{K("a"), L(1)}, {K("b"), L(2)}})), "{:a 1, :b 2}");
  EXPECT_EQ(PrintEdn(Value::Map({{K("a"), L(1)}})), "{:a 1}");
  EXPECT_EQ(PrintEdn(Value::Set({L(2), L(1)})), "#{1 2}");
  // Sets and maps print in value order: longs before keywords.
  EXPECT_EQ(PrintEdn(Value::Set({K("a"), L(1)})), "#{1 :a}");
  EXPECT_EQ(PrintEdn(Value::Map({{K("b"), L(1)}, {K("a"), L(2)}})), "{:a 2, :b 1}");
  EXPECT_EQ(PrintEdn(Value::Tuple({L(1), K("x")})), "[1 :x]");
  EXPECT_EQ(PrintEdn(Value::Vector({Value::Ref(5), Value()})), "[5 nil]");
  EXPECT_EQ(
      PrintEdn(Value::Vector(
          {Value::Map({{K("a"), Value::Vector({L(1), Value::Set({L(2)})})}}), S("x"), Value()})),
      "[{:a [1 #{2}]} \"x\" nil]");
}

TEST(EdnPrinterTest, Tagged) {
  EXPECT_EQ(PrintEdn(Value::Tagged(Value::Symbol("my", "tag"), Value::Vector({L(1)}))),
            "#my/tag [1]");
  EXPECT_EQ(PrintEdn(Value::Tagged(Value::Symbol("a/b"), S("x"))), "#a/b \"x\"");
}

TEST(EdnPrinterTest, AppendsToOutput) {
  std::string out = "prefix ";
  PrintEdn(Value::Vector({L(1)}), &out);
  EXPECT_EQ(out, "prefix [1]");
  PrintEdn(K("k"), &out);
  EXPECT_EQ(out, "prefix [1]:k");
}

TEST(EdnPrinterTest, EqualValuesPrintIdentically) {
  Value a = Value::Map({{K("z"), L(1)},
                        {K("a"), Value::Set({L(3), L(1), L(2)})},
                        {S("s"), Value::Map({{L(2), L(2)}, {L(1), L(1)}})}});
  Value b = Value::Map({{S("s"), Value::Map({{L(1), L(1)}, {L(2), L(2)}})},
                        {K("z"), L(1)},
                        {K("a"), Value::Set({L(2), L(1), L(3)})}});
  ASSERT_EQ(a, b);
  EXPECT_EQ(PrintEdn(a), PrintEdn(b));
  // A ref and a tuple print as the long and vector they equal.
  EXPECT_EQ(PrintEdn(Value::Tuple({Value::Ref(1), L(2)})),
            PrintEdn(Value::Vector({L(1), Value::Ref(2)})));
  // Reading text in any order prints one text.
  EXPECT_EQ(PrintEdn(ReadEdn("{:b 2 :a 1 :c #{3 1 2}}")),
            PrintEdn(ReadEdn("{:c #{2 3 1} :a 1 :b 2}")));
}

// A string with every ASCII control character, DEL, and non-ASCII text.
std::string AllControlChars() {
  std::string s;
  for (int c = 0; c < 0x20; ++c) s.push_back(static_cast<char>(c));
  s.push_back('\x7f');
  s += "\"\\ caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  return s;
}

std::vector<Value> TrickyValues() {
  Uuid uuid;
  Uuid::Parse("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", &uuid);
  return {
      Value(),
      Value::Boolean(false),
      L(0),
      L(std::numeric_limits<int64_t>::max()),
      L(std::numeric_limits<int64_t>::min()),
      Value::BigInt("-123456789012345678901234567890"),
      Value::BigInt(int64_t{0}),
      Value::Double(5e-324),
      Value::Double(1.7976931348623157e308),
      Value::Double(-1.7976931348623157e308),
      Value::Double(0.1),
      Value::Double(-0.0),
      Value::Double(1e21),
      Value::Double(1e-7),
      Value::Double(123456789.0),
      Value::Double(kNaN),
      Value::Double(-kInf),
      Value::Float(0.1f),
      Value::Float(-0.0f),
      Value::Float(3.4028235e38f),
      Value::Float(1e-45f),
      Value::BigDec("1", -3),
      Value::BigDec("-31415926535897932384626", 22),
      Value::Char(0),
      Value::Char(0x7f),
      Value::Char(U'"'),
      Value::Char(U'('),
      Value::Char(U';'),
      Value::Char(U','),
      Value::Char(0xE9),
      Value::Char(0xFFFF),
      Value::Char(0x1F600),
      Value::Char(0x10FFFF),
      S(""),
      S(AllControlChars()),
      S("\xF0\x9F\x98\x80"),
      S(std::string_view("nul\0inside", 10)),
      S("; not a comment"),
      S("#_ [ { ("),
      K("a"),
      K("a.b-c/d*e+f!g?h"),
      Value::Symbol("/"),
      Value::Symbol("?x"),
      Value::Symbol("a.b/c"),
      Value::Instant(0),
      Value::Instant(-1),
      Value::Instant(253402300799999),
      Value::Instant(-62135596800000),
      // Years past 9999 and before 0001 still read back.
      Value::Instant(253402300800000),
      Value::Instant(-62135596800001),
      Value::Instant(std::numeric_limits<int64_t>::max()),
      Value::Instant(std::numeric_limits<int64_t>::min()),
      Value::MakeUuid(uuid),
      Value::MakeUuid(Uuid{}),
      Value::Uri("urn:isbn:0451450523"),
      Value::Uri("http://x/a%20b?q=1&r=%22#frag"),
      Value::Bytes(std::vector<uint8_t>{}),
      Value::Bytes(std::vector<uint8_t>{0xff, 0xfe, 0x00, 0x80, 0x7f}),
      Value::Vector(std::vector<Value>{}),
      Value::List({}),
      Value::Map({}),
      Value::Set({}),
      Value::Vector(
          {Value::Vector(std::vector<Value>{}), Value::List({}), Value::Map({}), Value::Set({})}),
      Value::Map({{Value::Map({{K("a"), L(1)}}), Value::Set({L(1)})},
                  {Value::Vector({L(1), L(2)}), Value::List({L(3)})},
                  {Value::Set({Value(), Value::Boolean(true)}), S("set key")},
                  {Value::List({}), Value::Map({})},
                  {Value(), Value()}}),
      Value::Set({Value::Map({}), Value::Set({}), Value::Vector({L(1)}), Value::List({L(1)})}),
      Value::Tagged(Value::Symbol("my/tag"), Value::Map({{K("k"), Value::Vector({L(1)})}})),
      Value::List({Value::Symbol("inc"), Value::Symbol("?x")}),
      Value::Vector({Value::Char(U'a'), Value::Char(U'b'), S("c"), Value::Symbol("d"), K("e")}),
  };
}

TEST(EdnPrinterTest, RoundTripsTrickyValues) {
  ReadOptions options;
  options.keep_unknown_tags = true;
  for (const Value& v : TrickyValues()) {
    std::string text = PrintEdn(v);
    Value back;
    try {
      back = ReadEdn(text, options);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cannot read back " << text << ": " << e.what();
      continue;
    }
    EXPECT_EQ(back, v) << text;
    EXPECT_EQ(back.type(), v.type()) << text;
    EXPECT_EQ(PrintEdn(back), text);
  }
}

TEST(EdnPrinterTest, RoundTripsRefsAndTuplesAsTheirEquals) {
  Value ref = Value::Ref(42);
  Value back = ReadEdn(PrintEdn(ref));
  EXPECT_EQ(back, ref);
  EXPECT_TRUE(back.is_long());
  Value tuple = Value::Tuple({L(1), Value::Ref(2)});
  back = ReadEdn(PrintEdn(tuple));
  EXPECT_EQ(back, tuple);
  EXPECT_TRUE(back.is_vector());
}

TEST(EdnPrinterTest, HugeBigDecScalesPrintCompactly) {
  // 11 bytes of input must not print as 100,000 digits (Java and Clojure
  // print 1E-100000M); nor may the text lose the scale.
  Value tiny = ReadEdn("1E-100000M");
  ASSERT_EQ(tiny.BigDecScale(), 100000);
  std::string text = PrintEdn(tiny);
  EXPECT_LT(text.size(), 64u) << text.substr(0, 64);
  Value back = ReadEdn(text);
  EXPECT_EQ(back, tiny);
  EXPECT_EQ(PrintEdn(ReadEdn("1E+100000M")).size(), 10u);
}

// Whether `v` is something the printer can write and the reader read back,
// which edn.h promises for every Value. A factory may instead refuse to build
// a value that has no EDN text.
::testing::AssertionResult RejectedOrRoundTrips(const std::function<Value()>& make) {
  Value v;
  try {
    v = make();
  } catch (const Anomaly& anomaly) {
    if (anomaly.category() == Category::kIncorrect) {
      return ::testing::AssertionSuccess() << "rejected";
    }
    return ::testing::AssertionFailure()
           << "rejected with category " << CategoryName(anomaly.category());
  }
  std::string text = PrintEdn(v);
  if (text.size() > 80) text = text.substr(0, 80) + "...";
  ReadOptions options;
  options.keep_unknown_tags = true;
  try {
    Value back = ReadEdn(PrintEdn(v), options);
    if (back == v) return ::testing::AssertionSuccess() << text;
    return ::testing::AssertionFailure()
           << "printed as " << text << ", which reads back as " << PrintEdn(back);
  } catch (const Anomaly& anomaly) {
    return ::testing::AssertionFailure()
           << "printed as " << text << ", which does not read: " << anomaly.what();
  }
}

TEST(EdnPrinterTest, NamesWithoutEdnTextAreRejectedOrRoundTrip) {
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Keyword("a b"); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Keyword("ns", "a]"); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Symbol("a b"); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Symbol("nil"); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Symbol("true"); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Symbol("false"); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Symbol("-1"); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Symbol("1abc"); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Symbol("a\"b"); }));
}

TEST(EdnPrinterTest, VeryLongNumbersAreRejectedOrRoundTrip) {
  std::string digits = "1" + std::string(20000, '7');
  EXPECT_TRUE(RejectedOrRoundTrips([&] { return Value::BigInt(digits); }));
  EXPECT_TRUE(RejectedOrRoundTrips([&] { return Value::BigDec(digits, 3); }));
  // Long strings are no problem.
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::String(std::string(1 << 20, 's')); }));
}

TEST(EdnPrinterTest, TaggedValuesUnderReaderTagsAreRejectedOrRoundTrip) {
  // Printed, these would be read by the built-in tag readers (or discarded).
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Tagged(Value::Symbol("_"), L(1)); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Tagged(Value::Symbol("inst"), L(5)); }));
  EXPECT_TRUE(RejectedOrRoundTrips([] { return Value::Tagged(Value::Symbol("uuid"), S("x")); }));
  EXPECT_TRUE(
      RejectedOrRoundTrips([] { return Value::Tagged(Value::Symbol("strata/float"), L(1)); }));
}

TEST(EdnPrinterTest, PrintedTextIsOneValue) {
  // Adjacent values in a vector must stay separate when read back.
  Value v = Value::Vector({Value::Char(U'a'), Value::Char(U'b'), Value::Symbol("c"), K("d"), L(1),
                           Value::Double(2.0), Value::BigInt(int64_t{3}), Value::BigDec("4", 0),
                           S("e"), S("f")});
  std::vector<Value> all = ReadAllEdn(PrintEdn(v) + PrintEdn(v));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], v);
  EXPECT_EQ(all[1], v);
}

}  // namespace
}  // namespace strata::testing
