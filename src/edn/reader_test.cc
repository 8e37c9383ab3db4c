// Tests for the EDN reader: every form of the EDN specification, the Clojure
// and Datomic additions edn.h promises, tags, and errors that say where.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "strata/value.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

std::optional<Anomaly> ReadError(std::string_view text, const ReadOptions& options = {}) {
  return CatchAnomaly([&] { ReadEdn(text, options); });
}

// Whether reading `text` fails the way edn.h says every reader error does:
// category incorrect, :db.error/invalid-edn, and data with :line and :column.
::testing::AssertionResult IsInvalidEdn(std::string_view text, const ReadOptions& options = {}) {
  std::optional<Anomaly> anomaly;
  try {
    Value v = ReadEdn(text, options);
    return ::testing::AssertionFailure() << "read \"" << text << "\" as " << PrintEdn(v);
  } catch (const Anomaly& a) {
    anomaly = a;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "\"" << text << "\" threw a non-Anomaly: " << e.what();
  }
  if (anomaly->category() != Category::kIncorrect) {
    return ::testing::AssertionFailure()
           << "\"" << text << "\": category " << CategoryName(anomaly->category());
  }
  if (anomaly->error() != Value::Keyword("db.error", "invalid-edn")) {
    return ::testing::AssertionFailure()
           << "\"" << text << "\": error " << PrintEdn(anomaly->error());
  }
  const Value& data = anomaly->data();
  if (!data.is_map() || data.Get(K("line")) == nullptr || data.Get(K("column")) == nullptr) {
    return ::testing::AssertionFailure() << "\"" << text << "\": data " << PrintEdn(data);
  }
  return ::testing::AssertionSuccess() << anomaly->message();
}

// The (line, column) an error reports.
std::pair<int64_t, int64_t> ErrorPosition(std::string_view text) {
  std::optional<Anomaly> anomaly = ReadError(text);
  if (!anomaly) {
    ADD_FAILURE() << "no error reading \"" << text << "\"";
    return {-1, -1};
  }
  const Value* line = anomaly->data().Get(K("line"));
  const Value* column = anomaly->data().Get(K("column"));
  if (line == nullptr || column == nullptr || !line->is_long() || !column->is_long()) {
    ADD_FAILURE() << "no position in " << PrintEdn(anomaly->data());
    return {-1, -1};
  }
  return {line->AsLong(), column->AsLong()};
}

Value Instant(std::string_view rfc3339) {
  return ReadEdn("#inst \"" + std::string(rfc3339) + "\"");
}

// ---------------------------------------------------------------------------
// Scalars

TEST(EdnReaderTest, NilAndBooleans) {
  EXPECT_EQ(ReadEdn("nil"), Value());
  EXPECT_TRUE(ReadEdn("nil").is_nil());
  EXPECT_EQ(ReadEdn("true"), Value::Boolean(true));
  EXPECT_EQ(ReadEdn("false"), Value::Boolean(false));
  EXPECT_EQ(ReadEdn("  \t\n true \r\n"), Value::Boolean(true));
  // Longer names are symbols.
  EXPECT_EQ(ReadEdn("nilly"), Sym("nilly"));
  EXPECT_EQ(ReadEdn("truex"), Sym("truex"));
  EXPECT_EQ(ReadEdn("false?"), Sym("false?"));
}

TEST(EdnReaderTest, Strings) {
  EXPECT_EQ(ReadEdn("\"\""), S(""));
  EXPECT_EQ(ReadEdn("\"hello world\""), S("hello world"));
  EXPECT_EQ(ReadEdn(R"("\t\r\n\\\"\b\f")"), S("\t\r\n\\\"\b\f"));
  EXPECT_EQ(ReadEdn(R"("a\\nb")"), S("a\\nb"));
  // Raw newlines and tabs may appear in a string.
  EXPECT_EQ(ReadEdn("\"line1\nline2\tx\""), S("line1\nline2\tx"));
  // UTF-8 passes through.
  EXPECT_EQ(ReadEdn("\"caf\xC3\xA9 \xF0\x9F\x98\x80\""), S("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  // A long string, past any inline limit.
  std::string long_text(10000, 'y');
  EXPECT_EQ(ReadEdn("\"" + long_text + "\""), S(long_text));
  // A semicolon, brackets and # inside a string are just characters.
  EXPECT_EQ(ReadEdn("\"; not a comment [ { #_ \""), S("; not a comment [ { #_ "));
}

TEST(EdnReaderTest, UnicodeEscapes) {
  EXPECT_EQ(ReadEdn(R"("\u0041")"), S("A"));
  EXPECT_EQ(ReadEdn(R"("\u00e9")"), S("\xC3\xA9"));
  EXPECT_EQ(ReadEdn(R"("\u00E9")"), S("\xC3\xA9"));
  EXPECT_EQ(ReadEdn(R"("\u20AC")"), S("\xE2\x82\xAC"));
  EXPECT_EQ(ReadEdn(R"("\u0000")"), S(std::string_view("\0", 1)));
  // A surrogate pair is one code point.
  EXPECT_EQ(ReadEdn(R"("\ud83d\ude00")"), S("\xF0\x9F\x98\x80"));
  EXPECT_EQ(ReadEdn(R"("\uD83D\uDE00")"), S("\xF0\x9F\x98\x80"));
  EXPECT_EQ(ReadEdn(R"("x\uDBFF\uDFFFy")"), S("x\xF4\x8F\xBF\xBFy"));
}

TEST(EdnReaderTest, BadEscapesAreErrors) {
  for (std::string_view bad : {
           R"("\ud83d")",        // lone high surrogate
           R"("\ud83dx")",       // high surrogate then a plain char
           R"("\ude00")",        // lone low surrogate
           R"("\ude00\ud83d")",  // pair in the wrong order
           R"("\ud83d\u0041")",  // high surrogate then a non-surrogate
           R"("\u00g1")",        // not hex
           R"("\u12")",          // too short
           R"("\u")",
           R"("\q")",  // unknown escape
           R"("\x41")",
           "\"\\",  // escape at end of input
       }) {
    EXPECT_TRUE(IsInvalidEdn(bad)) << bad;
  }
}

TEST(EdnReaderTest, InvalidUtf8IsAnError) {
  int index = 0;
  for (std::string_view bad : {
           "\"\xFF\"",              // never valid
           "\"\xC3\"",              // truncated 2-byte sequence
           "\"\xC3x\"",             // bad continuation
           "\"\xC0\xAF\"",          // overlong '/'
           "\"\xE0\x80\xAF\"",      // overlong
           "\"\xED\xA0\x80\"",      // encoded surrogate U+D800
           "\"\xF4\x90\x80\x80\"",  // above U+10FFFF
           "\"\x80\"",              // lone continuation byte
           "\"ok\xF0\x9F\x98\"",    // truncated 4-byte sequence
       }) {
    EXPECT_TRUE(IsInvalidEdn(bad)) << "case " << index;
    ++index;
  }
}

TEST(EdnReaderTest, UnterminatedStringIsAnError) {
  EXPECT_TRUE(IsInvalidEdn("\"abc"));
  EXPECT_TRUE(IsInvalidEdn("\""));
  EXPECT_TRUE(IsInvalidEdn("[\"abc]"));
  EXPECT_TRUE(IsInvalidEdn("\"abc\\\""));
}

TEST(EdnReaderTest, Characters) {
  EXPECT_EQ(ReadEdn("\\c"), Value::Char(U'c'));
  EXPECT_EQ(ReadEdn("\\A"), Value::Char(U'A'));
  EXPECT_EQ(ReadEdn("\\7"), Value::Char(U'7'));
  EXPECT_EQ(ReadEdn("\\newline"), Value::Char(U'\n'));
  EXPECT_EQ(ReadEdn("\\space"), Value::Char(U' '));
  EXPECT_EQ(ReadEdn("\\tab"), Value::Char(U'\t'));
  EXPECT_EQ(ReadEdn("\\return"), Value::Char(U'\r'));
  EXPECT_EQ(ReadEdn("\\formfeed"), Value::Char(U'\f'));
  EXPECT_EQ(ReadEdn("\\backspace"), Value::Char(U'\b'));
  EXPECT_EQ(ReadEdn("\\u0041"), Value::Char(U'A'));
  EXPECT_EQ(ReadEdn("\\u00e9"), Value::Char(0xE9));
  EXPECT_EQ(ReadEdn("\\uFFFF"), Value::Char(0xFFFF));
  // A multi-byte UTF-8 character.
  EXPECT_EQ(ReadEdn("\\\xC3\xA9"), Value::Char(0xE9));
  EXPECT_EQ(ReadEdn("\\\xE2\x82\xAC"), Value::Char(0x20AC));
  EXPECT_EQ(ReadEdn("\\\xF0\x9F\x98\x80"), Value::Char(0x1F600));
  // Punctuation characters, and characters followed by delimiters.
  EXPECT_EQ(ReadEdn("\\\\"), Value::Char(U'\\'));
  EXPECT_EQ(ReadEdn("[\\a \\b]"), Value::Vector({Value::Char(U'a'), Value::Char(U'b')}));
  EXPECT_EQ(ReadEdn("[\\a]"), Value::Vector({Value::Char(U'a')}));
  EXPECT_EQ(ReadEdn("[\\( \\)]"), Value::Vector({Value::Char(U'('), Value::Char(U')')}));
  EXPECT_EQ(ReadEdn("(\\n)"), Value::List({Value::Char(U'n')}));
  EXPECT_EQ(ReadEdn("[\\space,\\tab]"), Value::Vector({Value::Char(U' '), Value::Char(U'\t')}));
}

TEST(EdnReaderTest, BadCharactersAreErrors) {
  EXPECT_TRUE(IsInvalidEdn("\\"));         // nothing after the backslash
  EXPECT_TRUE(IsInvalidEdn("\\abc"));      // not a character name
  EXPECT_TRUE(IsInvalidEdn("\\Newline"));  // names are case-sensitive
  EXPECT_TRUE(IsInvalidEdn("\\u12"));      // short \u escape
  EXPECT_TRUE(IsInvalidEdn("\\u00zz"));
  EXPECT_TRUE(IsInvalidEdn("\\ud800"));  // a surrogate is no character
  EXPECT_TRUE(IsInvalidEdn("\\udfff"));
  EXPECT_TRUE(IsInvalidEdn("\\\xFF"));  // invalid UTF-8
}

TEST(EdnReaderTest, Integers) {
  EXPECT_EQ(ReadEdn("0"), L(0));
  EXPECT_EQ(ReadEdn("-0"), L(0));
  EXPECT_EQ(ReadEdn("+0"), L(0));
  EXPECT_EQ(ReadEdn("42"), L(42));
  EXPECT_EQ(ReadEdn("-42"), L(-42));
  EXPECT_EQ(ReadEdn("+5"), L(5));
  EXPECT_TRUE(ReadEdn("42").is_long());
  EXPECT_EQ(ReadEdn("1000000"), L(1000000));
}

TEST(EdnReaderTest, LongLimitsAndBigInts) {
  Value max = ReadEdn("9223372036854775807");
  EXPECT_TRUE(max.is_long());
  EXPECT_EQ(max.AsLong(), std::numeric_limits<int64_t>::max());
  Value min = ReadEdn("-9223372036854775808");
  EXPECT_TRUE(min.is_long());
  EXPECT_EQ(min.AsLong(), std::numeric_limits<int64_t>::min());

  Value over = ReadEdn("9223372036854775808");
  EXPECT_EQ(over.type(), ValueType::kBigInt);
  EXPECT_EQ(over.BigIntText(), "9223372036854775808");
  Value under = ReadEdn("-9223372036854775809");
  EXPECT_EQ(under.type(), ValueType::kBigInt);
  EXPECT_EQ(under.BigIntText(), "-9223372036854775809");
  Value huge = ReadEdn("123456789012345678901234567890123456789");
  EXPECT_EQ(huge, Value::BigInt("123456789012345678901234567890123456789"));

  EXPECT_EQ(ReadEdn("123N"), Value::BigInt(int64_t{123}));
  EXPECT_EQ(ReadEdn("123N").type(), ValueType::kBigInt);
  EXPECT_NE(ReadEdn("123N"), L(123));
  EXPECT_EQ(ReadEdn("0N"), Value::BigInt(int64_t{0}));
  EXPECT_EQ(ReadEdn("-7N"), Value::BigInt(int64_t{-7}));
  EXPECT_EQ(ReadEdn("+7N"), Value::BigInt(int64_t{7}));
  EXPECT_EQ(ReadEdn("99999999999999999999N"), Value::BigInt("99999999999999999999"));
}

TEST(EdnReaderTest, BadNumbersAreErrors) {
  for (std::string_view bad : {"012", "00", "-012", "+00", "012N", "1a", "12x3", "1N2", "1.5N",
                               "1..5", "1e", "1e+", "1.5e3.2", "1MM", "0x"}) {
    EXPECT_TRUE(IsInvalidEdn(bad)) << bad;
  }
}

TEST(EdnReaderTest, SignsAloneAreSymbols) {
  EXPECT_EQ(ReadEdn("+"), Sym("+"));
  EXPECT_EQ(ReadEdn("-"), Sym("-"));
  EXPECT_EQ(ReadEdn("-a"), Sym("-a"));
  EXPECT_EQ(ReadEdn("+x"), Sym("+x"));
  EXPECT_EQ(ReadEdn("[- 1]"), Value::Vector({Sym("-"), L(1)}));
}

TEST(EdnReaderTest, Doubles) {
  EXPECT_EQ(ReadEdn("1.5"), Value::Double(1.5));
  EXPECT_TRUE(ReadEdn("1.5").is_double());
  EXPECT_EQ(ReadEdn("-1.5"), Value::Double(-1.5));
  EXPECT_EQ(ReadEdn("+1.5"), Value::Double(1.5));
  EXPECT_EQ(ReadEdn("0.0"), Value::Double(0.0));
  EXPECT_EQ(ReadEdn("-0.0"), Value::Double(-0.0));
  EXPECT_NE(ReadEdn("-0.0"), Value::Double(0.0));
  EXPECT_EQ(ReadEdn("1e3"), Value::Double(1000.0));
  EXPECT_EQ(ReadEdn("1E3"), Value::Double(1000.0));
  EXPECT_EQ(ReadEdn("1e+3"), Value::Double(1000.0));
  EXPECT_EQ(ReadEdn("1.5e-3"), Value::Double(0.0015));
  EXPECT_EQ(ReadEdn("-2.5E2"), Value::Double(-250.0));
  EXPECT_EQ(ReadEdn("0.1"), Value::Double(0.1));
  EXPECT_EQ(ReadEdn("5e-324"), Value::Double(5e-324));
  EXPECT_EQ(ReadEdn("4.9E-324"), Value::Double(5e-324));
  EXPECT_EQ(ReadEdn("1.7976931348623157e308"), Value::Double(1.7976931348623157e308));
  EXPECT_EQ(ReadEdn("2.2250738585072014E-308"), Value::Double(2.2250738585072014E-308));
  // Correctly rounded, not accumulated digit by digit.
  EXPECT_EQ(ReadEdn("0.30000000000000004"), Value::Double(0.30000000000000004));
  EXPECT_EQ(ReadEdn("123456789.123456789"), Value::Double(123456789.123456789));
  // An integer with an exponent is a double.
  EXPECT_TRUE(ReadEdn("1e3").is_double());
}

TEST(EdnReaderTest, SpecialDoubles) {
  Value nan = ReadEdn("##NaN");
  ASSERT_TRUE(nan.is_double());
  EXPECT_TRUE(std::isnan(nan.AsDouble()));
  EXPECT_EQ(nan, Value::Double(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(ReadEdn("##Inf"), Value::Double(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(ReadEdn("##-Inf"), Value::Double(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(ReadEdn("[##Inf ##-Inf]").Count(), 2u);
  EXPECT_TRUE(IsInvalidEdn("##nan"));
  EXPECT_TRUE(IsInvalidEdn("##Infinity"));
  EXPECT_TRUE(IsInvalidEdn("##foo"));
  EXPECT_TRUE(IsInvalidEdn("##"));
}

TEST(EdnReaderTest, BigDecimalsKeepTheirScale) {
  Value a = ReadEdn("1.50M");
  ASSERT_EQ(a.type(), ValueType::kBigDec);
  EXPECT_EQ(a.BigDecUnscaledText(), "150");
  EXPECT_EQ(a.BigDecScale(), 2);
  EXPECT_EQ(a, Value::BigDec("150", 2));
  EXPECT_NE(a, ReadEdn("1.5M"));

  Value b = ReadEdn("1E+3M");
  EXPECT_EQ(b.BigDecUnscaledText(), "1");
  EXPECT_EQ(b.BigDecScale(), -3);
  EXPECT_EQ(ReadEdn("1E3M"), b);

  Value c = ReadEdn("15M");
  EXPECT_EQ(c.type(), ValueType::kBigDec);
  EXPECT_EQ(c.BigDecUnscaledText(), "15");
  EXPECT_EQ(c.BigDecScale(), 0);

  EXPECT_EQ(ReadEdn("-0.5M"), Value::BigDec("-5", 1));
  EXPECT_EQ(ReadEdn("+0.5M"), Value::BigDec("5", 1));
  EXPECT_EQ(ReadEdn("0.000M"), Value::BigDec("0", 3));
  EXPECT_EQ(ReadEdn("1.5E2M"), Value::BigDec("15", -1));
  EXPECT_EQ(ReadEdn("1.5e-2M"), Value::BigDec("15", 3));
  EXPECT_EQ(ReadEdn("123456789012345678901234567890.123M"),
            Value::BigDec("123456789012345678901234567890123", 3));
}

TEST(EdnReaderTest, Keywords) {
  EXPECT_EQ(ReadEdn(":a"), Value::Keyword("", "a"));
  EXPECT_EQ(ReadEdn(":ns/name"), Value::Keyword("ns", "name"));
  EXPECT_EQ(ReadEdn(":db.type/long"), Value::Keyword("db.type", "long"));
  EXPECT_EQ(ReadEdn(":person/first-name"), Value::Keyword("person", "first-name"));
  EXPECT_EQ(ReadEdn(":a*b+c!d-e_f?g<h>i=j.k"), Value::Keyword("", "a*b+c!d-e_f?g<h>i=j.k"));
  EXPECT_EQ(ReadEdn(":a#b"), Value::Keyword("", "a#b"));
  EXPECT_EQ(ReadEdn(":a:b"), Value::Keyword("", "a:b"));
  EXPECT_EQ(ReadEdn(":nil"), Value::Keyword("", "nil"));
  EXPECT_EQ(ReadEdn(":true"), Value::Keyword("", "true"));
  EXPECT_EQ(ReadEdn(":db/id"), Value::Keyword("db", "id"));
  EXPECT_EQ(ReadEdn(":_/b"), Value::Keyword("_", "b"));
  EXPECT_TRUE(ReadEdn(":a").is_keyword());
}

TEST(EdnReaderTest, BadKeywordsAreErrors) {
  EXPECT_TRUE(IsInvalidEdn(":"));
  EXPECT_TRUE(IsInvalidEdn("::x"));  // auto-resolved: no namespace here
  EXPECT_TRUE(IsInvalidEdn("::ns/x"));
  EXPECT_TRUE(IsInvalidEdn(":a/"));     // empty name
  EXPECT_TRUE(IsInvalidEdn(":/a"));     // empty namespace
  EXPECT_TRUE(IsInvalidEdn(":a/b/c"));  // '/' once only (EDN)
  EXPECT_TRUE(IsInvalidEdn("[: a]"));
}

TEST(EdnReaderTest, Symbols) {
  EXPECT_EQ(ReadEdn("foo"), Value::Symbol("", "foo"));
  EXPECT_EQ(ReadEdn("foo/bar"), Value::Symbol("foo", "bar"));
  EXPECT_EQ(ReadEdn("clojure.core/inc"), Value::Symbol("clojure.core", "inc"));
  EXPECT_EQ(ReadEdn("?e"), Sym("?e"));
  EXPECT_EQ(ReadEdn("$"), Sym("$"));
  EXPECT_EQ(ReadEdn("..."), Sym("..."));
  EXPECT_EQ(ReadEdn("<="), Sym("<="));
  EXPECT_EQ(ReadEdn("a.b"), Sym("a.b"));
  EXPECT_EQ(ReadEdn("a#b"), Sym("a#b"));
  EXPECT_EQ(ReadEdn("*"), Sym("*"));
  EXPECT_EQ(ReadEdn("_"), Sym("_"));
  EXPECT_TRUE(ReadEdn("foo").is_symbol());
  // '/' alone is the division symbol.
  Value slash = ReadEdn("/");
  ASSERT_TRUE(slash.is_symbol());
  EXPECT_EQ(slash.Namespace(), "");
  EXPECT_EQ(slash.Name(), "/");
  EXPECT_EQ(ReadEdn("[/ 1]"), Value::Vector({Value::Symbol("", "/"), L(1)}));
}

TEST(EdnReaderTest, BadSymbolsAreErrors) {
  EXPECT_TRUE(IsInvalidEdn("a/"));
  EXPECT_TRUE(IsInvalidEdn("/a"));
  EXPECT_TRUE(IsInvalidEdn("a/b/c"));
}

// ---------------------------------------------------------------------------
// Collections

TEST(EdnReaderTest, Collections) {
  EXPECT_EQ(ReadEdn("()"), Value::List({}));
  EXPECT_EQ(ReadEdn("[]"), Value::Vector(std::vector<Value>{}));
  EXPECT_EQ(ReadEdn("{}"), Value::Map({}));
  EXPECT_EQ(ReadEdn("#{}"), Value::Set({}));
  EXPECT_EQ(ReadEdn("(1 2 3)"), Value::List({L(1), L(2), L(3)}));
  EXPECT_TRUE(ReadEdn("(1 2 3)").is_list());
  EXPECT_EQ(ReadEdn("[1 :a \"s\"]"), Value::Vector({L(1), K("a"), S("s")}));
  EXPECT_TRUE(ReadEdn("[1]").is_vector());
  EXPECT_EQ(ReadEdn("{:a 1 :b 2}"), Value::Map({{K("a"), L(1)}, {K("b"), L(2)}}));
  EXPECT_EQ(ReadEdn("#{1 2 3}"), Value::Set({L(1), L(2), L(3)}));
  Value empty = Value::Vector(std::vector<Value>{});
  EXPECT_EQ(ReadEdn("[1 [2 [3 []]]]"),
            Value::Vector({L(1), Value::Vector({L(2), Value::Vector({L(3), empty})})}));
  EXPECT_EQ(ReadEdn("[[]]").Count(), 1u);
  EXPECT_EQ(ReadEdn("[1[2]3]"), Value::Vector({L(1), Value::Vector({L(2)}), L(3)}));
  EXPECT_EQ(ReadEdn("(a(b)c)"), Value::List({Sym("a"), Value::List({Sym("b")}), Sym("c")}));
  EXPECT_EQ(ReadEdn("{:a{:b{}}}"), Value::Map({{K("a"), Value::Map({{K("b"), Value::Map({})}})}}));
  EXPECT_EQ(ReadEdn("[\"a\"\"b\"]"), Value::Vector({S("a"), S("b")}));
}

TEST(EdnReaderTest, MapsWithCollectionKeys) {
  Value m = ReadEdn("{[1 2] :v, {:a 1} :m, #{1} :s, (1) :l, nil :n}");
  ASSERT_EQ(m.Count(), 5u);
  ASSERT_NE(m.Get(Value::Vector({L(1), L(2)})), nullptr);
  EXPECT_EQ(*m.Get(Value::Vector({L(1), L(2)})), K("v"));
  ASSERT_NE(m.Get(Value::Map({{K("a"), L(1)}})), nullptr);
  EXPECT_EQ(*m.Get(Value::Map({{K("a"), L(1)}})), K("m"));
  ASSERT_NE(m.Get(Value::Set({L(1)})), nullptr);
  ASSERT_NE(m.Get(Value::List({L(1)})), nullptr);
  ASSERT_NE(m.Get(Value()), nullptr);
  EXPECT_EQ(*m.Get(Value()), K("n"));
}

TEST(EdnReaderTest, DuplicatesAreErrors) {
  EXPECT_TRUE(IsInvalidEdn("{:a 1 :a 2}"));
  EXPECT_TRUE(IsInvalidEdn("{:a 1 :a 1}"));
  EXPECT_TRUE(IsInvalidEdn("{[1 2] 1 [1 2] 2}"));
  EXPECT_TRUE(IsInvalidEdn("#{1 1}"));
  EXPECT_TRUE(IsInvalidEdn("#{:a :b :a}"));
  EXPECT_TRUE(IsInvalidEdn("#{{:a 1} {:a 1}}"));
  EXPECT_TRUE(IsInvalidEdn("#{##NaN ##NaN}"));
  EXPECT_TRUE(IsInvalidEdn("[{:x 1 :x 2}]"));
  // Values equal by value.h are duplicates however they are written.
  EXPECT_TRUE(IsInvalidEdn("#{1.5M 1.5M}"));
  EXPECT_TRUE(IsInvalidEdn("#{\"a\" \"\\u0061\"}"));
  // Different types are not duplicates.
  EXPECT_EQ(ReadEdn("#{1 1N 1.0 1M}").Count(), 4u);
  EXPECT_EQ(ReadEdn("#{1.0M 1.00M}").Count(), 2u);
  EXPECT_EQ(ReadEdn("{0.0 :a -0.0 :b}").Count(), 2u);
}

TEST(EdnReaderTest, MalformedCollectionsAreErrors) {
  for (std::string_view bad :
       {"{:a}", "{:a 1 :b}", "[1 2", "(1", "{:a 1", "#{1", "[1 2)", "(1]", "{:a 1]", "#{1}}", "]",
        ")", "}", "[1 2]]", "#[1]", "#(1)", "[{]}", "#{", "{"}) {
    EXPECT_TRUE(IsInvalidEdn(bad)) << bad;
  }
}

// Found by the fuzz target: a key the map's namespace cannot qualify (a
// qualified name may not start with a digit, though :1 alone is a keyword)
// is a positioned reader error, not a bare factory anomaly.
TEST(EdnReaderTest, NamespacedMapKeysThatCannotBeQualifiedAreErrors) {
  EXPECT_EQ(ReadEdn(":1"), Value::Keyword("1"));
  EXPECT_TRUE(IsInvalidEdn("#:a{:1 2}"));
  EXPECT_TRUE(IsInvalidEdn("[1\n #:person{:name \"x\" :1y 2}]"));
  std::optional<Anomaly> error = ReadError("[1\n #:person{:name \"x\" :1y 2}]");
  ASSERT_TRUE(error);
  EXPECT_EQ(*error->data().Get(K("line")), Value::Long(2));
}

TEST(EdnReaderTest, NamespacedMaps) {
  Value m = ReadEdn("#:ns{:a 1 :_/b 2 \"s\" 3 :other/c 4}");
  EXPECT_EQ(m, Value::Map({{Value::Keyword("ns", "a"), L(1)},
                           {Value::Keyword("", "b"), L(2)},
                           {S("s"), L(3)},
                           {Value::Keyword("other", "c"), L(4)}}));
  EXPECT_EQ(ReadEdn("#:person{:name \"Ann\" :age 3}"),
            Value::Map({{K("person/name"), S("Ann")}, {K("person/age"), L(3)}}));
  EXPECT_EQ(ReadEdn("#:a.b{}"), Value::Map({}));
  // Only the top-level keys change.
  EXPECT_EQ(ReadEdn("#:ns{:a {:b 1}}"), Value::Map({{K("ns/a"), Value::Map({{K("b"), L(1)}})}}));
  // Symbol keys are qualified too, as Clojure's reader does.
  EXPECT_EQ(ReadEdn("#:ns{a 1 _/b 2 x/c 3}"), Value::Map({{Value::Symbol("ns", "a"), L(1)},
                                                          {Value::Symbol("", "b"), L(2)},
                                                          {Value::Symbol("x", "c"), L(3)}}));
  // Keys that become equal are duplicates.
  EXPECT_TRUE(IsInvalidEdn("#:ns{:a 1 :ns/a 2}"));
  EXPECT_TRUE(IsInvalidEdn("#:ns{:a}"));
  EXPECT_TRUE(IsInvalidEdn("#:ns[:a 1]"));
  EXPECT_TRUE(IsInvalidEdn("#::{:a 1}"));
  EXPECT_TRUE(IsInvalidEdn("#:{:a 1}"));
}

// ---------------------------------------------------------------------------
// Whitespace, comments, discard

TEST(EdnReaderTest, CommasAreWhitespace) {
  EXPECT_EQ(ReadEdn("[1,2,,3]"), Value::Vector({L(1), L(2), L(3)}));
  EXPECT_EQ(ReadEdn("{:a 1, :b 2}"), Value::Map({{K("a"), L(1)}, {K("b"), L(2)}}));
  EXPECT_EQ(ReadEdn(",,1,,"), L(1));
  EXPECT_EQ(ReadEdn("{:a,1}"), Value::Map({{K("a"), L(1)}}));
}

TEST(EdnReaderTest, Comments) {
  EXPECT_EQ(ReadEdn("; leading\n1"), L(1));
  EXPECT_EQ(ReadEdn("1 ; trailing"), L(1));
  EXPECT_EQ(ReadEdn("1;trailing without newline"), L(1));
  EXPECT_EQ(ReadEdn("[1 ; one\n 2 ;; two\n]"), Value::Vector({L(1), L(2)}));
  EXPECT_EQ(ReadEdn("{:a ; comment between key and value\n 1}"), Value::Map({{K("a"), L(1)}}));
  EXPECT_EQ(ReadEdn(";a\r\n;b\n:x"), K("x"));
}

TEST(EdnReaderTest, Discard) {
  EXPECT_EQ(ReadEdn("[1 #_ 2 3]"), Value::Vector({L(1), L(3)}));
  EXPECT_EQ(ReadEdn("[1 #_2 3]"), Value::Vector({L(1), L(3)}));
  EXPECT_EQ(ReadEdn("#_ 1 2"), L(2));
  EXPECT_EQ(ReadEdn("[#_ #_ 1 2 3]"), Value::Vector({L(3)}));
  EXPECT_EQ(ReadEdn("#_ #_ 1 2 3"), L(3));
  EXPECT_EQ(ReadEdn("#_[1 2 [3]] :k"), K("k"));
  EXPECT_EQ(ReadEdn("{:a #_ :b 1}"), Value::Map({{K("a"), L(1)}}));
  EXPECT_EQ(ReadEdn("[1 #_ ; comment\n 2]"), Value::Vector({L(1)}));
  EXPECT_EQ(ReadEdn("[#_ {:a 1 :b 2}]"), Value::Vector(std::vector<Value>{}));
  EXPECT_EQ(ReadEdn("2 #_ 3"), L(2));
  // A discarded form must itself be well-formed, and must exist.
  EXPECT_TRUE(IsInvalidEdn("[#_]"));
  EXPECT_TRUE(IsInvalidEdn("#_"));
  EXPECT_TRUE(IsInvalidEdn("#_ 1"));
  EXPECT_TRUE(IsInvalidEdn("[#_ {:a} 1]"));
  EXPECT_TRUE(IsInvalidEdn("[1 #_ ]"));
}

// ---------------------------------------------------------------------------
// Built-in tags

TEST(EdnReaderTest, InstFullForm) {
  Value v = Instant("2020-01-02T03:04:05.678Z");
  ASSERT_EQ(v.type(), ValueType::kInstant);
  EXPECT_EQ(v.AsInstant(), 1577934245678);
  EXPECT_EQ(Instant("2020-01-02T03:04:05.678-00:00").AsInstant(), 1577934245678);
  EXPECT_EQ(Instant("2020-01-02T03:04:05.678+00:00").AsInstant(), 1577934245678);
  EXPECT_EQ(Instant("2020-01-02T04:04:05.678+01:00").AsInstant(), 1577934245678);
  EXPECT_EQ(Instant("2020-01-01T22:04:05.678-05:00").AsInstant(), 1577934245678);
  EXPECT_EQ(Instant("2020-01-02T08:34:05.678+05:30").AsInstant(), 1577934245678);
  EXPECT_EQ(Instant("1970-01-01T00:00:00Z").AsInstant(), 0);
  EXPECT_EQ(Instant("1970-01-01T00:00:00.000Z").AsInstant(), 0);
  EXPECT_EQ(Instant("1969-12-31T23:59:59.999Z").AsInstant(), -1);
  EXPECT_EQ(Instant("0001-01-01T00:00:00Z").AsInstant(), -62135596800000);
  EXPECT_EQ(Instant("9999-12-31T23:59:59.999Z").AsInstant(), 253402300799999);
  EXPECT_EQ(ReadEdn("#inst\"2020-01-02T03:04:05.678Z\"").AsInstant(), 1577934245678);
}

TEST(EdnReaderTest, InstPartialForms) {
  EXPECT_EQ(Instant("2020").AsInstant(), 1577836800000);
  EXPECT_EQ(Instant("2020-01").AsInstant(), 1577836800000);
  EXPECT_EQ(Instant("2020-01-02").AsInstant(), 1577923200000);
  EXPECT_EQ(Instant("2020-01-02T03:04").AsInstant(), 1577934240000);
  EXPECT_EQ(Instant("2020-01-02T03:04Z").AsInstant(), 1577934240000);
  EXPECT_EQ(Instant("2020-01-02T03:04:05").AsInstant(), 1577934245000);
  EXPECT_EQ(Instant("2020-02-29").AsInstant(), 1582934400000);
}

TEST(EdnReaderTest, InstFractionalSeconds) {
  EXPECT_EQ(Instant("2020-01-02T03:04:05.5Z").AsInstant(), 1577934245500);
  EXPECT_EQ(Instant("2020-01-02T03:04:05.05Z").AsInstant(), 1577934245050);
  // Digits past milliseconds are truncated, not rounded.
  EXPECT_EQ(Instant("2020-01-02T03:04:05.6789999Z").AsInstant(), 1577934245678);
  EXPECT_EQ(Instant("2020-01-02T03:04:05.678999999Z").AsInstant(), 1577934245678);
  EXPECT_EQ(Instant("1969-12-31T23:59:59.9999Z").AsInstant(), -1);
}

TEST(EdnReaderTest, BadInstsAreErrors) {
  for (std::string_view bad : {
           "#inst \"2021-02-29\"",  // not a leap year
           "#inst \"1900-02-29\"",  // century, not a leap year
           "#inst \"2020-13-01\"",
           "#inst \"2020-00-01\"",
           "#inst \"2020-01-32\"",
           "#inst \"2020-04-31\"",
           "#inst \"2020-01-00\"",
           "#inst \"2020-01-02T24:00:00Z\"",
           "#inst \"2020-01-02T23:60:00Z\"",
           "#inst \"2020-1-2\"",
           "#inst \"20200102\"",
           "#inst \"2020-01-02T03:04:05+1:00\"",
           "#inst \"2020-01-02 03:04:05Z\"",
           "#inst \"2020-01-02T03:04:05.Z\"",
           "#inst \"not a date\"",
           "#inst \"\"",
           "#inst 5",
           "#inst :k",
           "#inst",
       }) {
    EXPECT_TRUE(IsInvalidEdn(bad)) << bad;
  }
}

TEST(EdnReaderTest, Uuid) {
  Value v = ReadEdn("#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"");
  ASSERT_EQ(v.type(), ValueType::kUuid);
  EXPECT_EQ(v.AsUuid().ToString(), "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  EXPECT_EQ(ReadEdn("#uuid \"F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6\""), v);
  EXPECT_TRUE(IsInvalidEdn("#uuid \"f81d4fae-7dec-11d0-a765\""));
  EXPECT_TRUE(IsInvalidEdn("#uuid \"not-a-uuid\""));
  EXPECT_TRUE(IsInvalidEdn("#uuid 5"));
  EXPECT_TRUE(IsInvalidEdn("#uuid"));
}

TEST(EdnReaderTest, StrataTags) {
  Value f = ReadEdn("#strata/float 1.5");
  ASSERT_TRUE(f.is_float());
  EXPECT_EQ(f.AsFloat(), 1.5f);
  EXPECT_EQ(ReadEdn("#strata/float -0.25"), Value::Float(-0.25f));
  EXPECT_EQ(ReadEdn("#strata/float 0.1"), Value::Float(0.1f));
  EXPECT_EQ(ReadEdn("#strata/float ##Inf"), Value::Float(std::numeric_limits<float>::infinity()));
  EXPECT_TRUE(std::isnan(ReadEdn("#strata/float ##NaN").AsFloat()));
  EXPECT_TRUE(IsInvalidEdn("#strata/float \"1.5\""));
  EXPECT_TRUE(IsInvalidEdn("#strata/float :k"));

  Value u = ReadEdn("#strata/uri \"http://example.com/a?b=c\"");
  ASSERT_EQ(u.type(), ValueType::kUri);
  EXPECT_EQ(u, Value::Uri("http://example.com/a?b=c"));
  EXPECT_TRUE(IsInvalidEdn("#strata/uri 5"));

  Value b = ReadEdn("#strata/bytes \"AAEC/w==\"");
  ASSERT_EQ(b.type(), ValueType::kBytes);
  EXPECT_EQ(b, Value::Bytes(std::vector<uint8_t>{0, 1, 2, 0xff}));
  EXPECT_EQ(ReadEdn("#strata/bytes \"\""), Value::Bytes(std::vector<uint8_t>{}));
  EXPECT_EQ(ReadEdn("#strata/bytes \"AQ==\""), Value::Bytes(std::vector<uint8_t>{1}));
  EXPECT_EQ(ReadEdn("#strata/bytes \"AQI=\""), Value::Bytes(std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(ReadEdn("#strata/bytes \"AQID\""), Value::Bytes(std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(ReadEdn("#strata/bytes \"+/+/\""),
            Value::Bytes(std::vector<uint8_t>{0xfb, 0xff, 0xbf}));
  EXPECT_TRUE(IsInvalidEdn("#strata/bytes \"!!!!\""));
  EXPECT_TRUE(IsInvalidEdn("#strata/bytes \"A===\""));
  EXPECT_TRUE(IsInvalidEdn("#strata/bytes 5"));
}

TEST(EdnReaderTest, TagsInsideCollections) {
  Value v = ReadEdn(
      "{:when #inst \"2020-01-02T03:04:05.678Z\" "
      ":id #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"}");
  ASSERT_NE(v.Get(K("when")), nullptr);
  EXPECT_EQ(*v.Get(K("when")), Value::Instant(1577934245678));
  ASSERT_NE(v.Get(K("id")), nullptr);
  EXPECT_EQ(v.Get(K("id"))->type(), ValueType::kUuid);
  EXPECT_EQ(ReadEdn("[#inst \"2020\"#inst \"2020\"]").Count(), 2u);
}

// ---------------------------------------------------------------------------
// Other tags

TEST(EdnReaderTest, UnknownTagIsAnError) {
  EXPECT_TRUE(IsInvalidEdn("#foo/bar 1"));
  EXPECT_TRUE(IsInvalidEdn("[#foo/bar [1 2]]"));
  EXPECT_TRUE(IsInvalidEdn("#foo/bar"));
}

TEST(EdnReaderTest, KeepUnknownTags) {
  ReadOptions options;
  options.keep_unknown_tags = true;
  Value v = ReadEdn("#foo/bar [1 2]", options);
  ASSERT_EQ(v.type(), ValueType::kTagged);
  EXPECT_EQ(v.Tag(), Value::Symbol("foo", "bar"));
  EXPECT_EQ(v.TaggedValue(), Value::Vector({L(1), L(2)}));
  EXPECT_EQ(v, Value::Tagged(Value::Symbol("foo/bar"), Value::Vector({L(1), L(2)})));
  // Nested tags, and built-in tags still apply.
  Value nested = ReadEdn("#a/b #c/d 1", options);
  EXPECT_EQ(nested, Value::Tagged(Value::Symbol("a/b"), Value::Tagged(Value::Symbol("c/d"), L(1))));
  EXPECT_EQ(ReadEdn("#inst \"2020\"", options), Value::Instant(1577836800000));
  // A tag still needs a value.
  EXPECT_TRUE(IsInvalidEdn("#foo/bar", options));
  EXPECT_TRUE(IsInvalidEdn("[#foo/bar]", options));
}

TEST(EdnReaderTest, RegisteredTagReaders) {
  ReadOptions options;
  options.tag_readers["db/id"] = [](const Value& form) {
    return Value::Vector({Value::String("tempid"), form});
  };
  options.tag_readers["my/upper"] = [](const Value& form) {
    if (!form.is_string()) {
      ThrowIncorrect("bad-tag", "my/upper wants a string");
    }
    std::string s(form.AsString());
    for (char& c : s) c = static_cast<char>(std::toupper(c));
    return Value::String(s);
  };
  EXPECT_EQ(ReadEdn("#db/id [:db.part/user -1]", options),
            Value::Vector({S("tempid"), Value::Vector({K("db.part/user"), L(-1)})}));
  EXPECT_EQ(ReadEdn("[#my/upper \"abc\" 1]", options), Value::Vector({S("ABC"), L(1)}));
  // Registered readers compose with each other.
  EXPECT_EQ(ReadEdn("#db/id #my/upper \"x\"", options), Value::Vector({S("tempid"), S("X")}));
  // Without the option the tag is unknown.
  EXPECT_TRUE(IsInvalidEdn("#db/id [:db.part/user -1]"));
}

TEST(EdnReaderTest, TagReaderErrorsGainAPosition) {
  ReadOptions options;
  options.tag_readers["my/upper"] = [](const Value& form) -> Value {
    if (!form.is_string()) {
      ThrowIncorrect("bad-tag", "my/upper wants a string");
    }
    return form;
  };
  auto anomaly = ReadError("[1\n #my/upper 5]", options);
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  ASSERT_TRUE(anomaly->data().is_map()) << PrintEdn(anomaly->data());
  const Value* line = anomaly->data().Get(K("line"));
  ASSERT_NE(line, nullptr) << PrintEdn(anomaly->data());
  EXPECT_EQ(*line, L(2));
}

TEST(EdnReaderTest, RegisteredReadersOverrideBuiltIns) {
  ReadOptions options;
  options.tag_readers["inst"] = [](const Value& form) {
    return Value::Vector({K("custom"), form});
  };
  EXPECT_EQ(ReadEdn("#inst \"whatever\"", options), Value::Vector({K("custom"), S("whatever")}));
}

// ---------------------------------------------------------------------------
// Errors

TEST(EdnReaderTest, ErrorsCarryLineAndColumn) {
  // The unexpected '}' is on line 2, column 4.
  EXPECT_EQ(ErrorPosition("[1 2\n 3 }"), std::make_pair(int64_t{2}, int64_t{4}));
  // The bad token 012 starts on line 3, column 5.
  EXPECT_EQ(ErrorPosition("[1\n  2\n    012]"), std::make_pair(int64_t{3}, int64_t{5}));
  EXPECT_EQ(ErrorPosition("(1 2]"), std::make_pair(int64_t{1}, int64_t{5}));
  EXPECT_EQ(ErrorPosition("\n\n  }"), std::make_pair(int64_t{3}, int64_t{3}));
  EXPECT_EQ(ErrorPosition("}"), std::make_pair(int64_t{1}, int64_t{1}));
  // CRLF is one line break.
  EXPECT_EQ(ErrorPosition("[1\r\n }"), std::make_pair(int64_t{2}, int64_t{2}));
  // Comments and strings spanning lines count their lines.
  EXPECT_EQ(ErrorPosition("; one\n\"two\nthree\" ]"), std::make_pair(int64_t{3}, int64_t{8}));
}

TEST(EdnReaderTest, ErrorDataHasNearText) {
  auto anomaly = ReadError("[1 2 3 }");
  ASSERT_TRUE(anomaly.has_value());
  const Value* near = anomaly->data().Get(K("near"));
  ASSERT_NE(near, nullptr) << PrintEdn(anomaly->data());
  EXPECT_TRUE(near->is_string());
  EXPECT_FALSE(anomaly->message().empty());
  EXPECT_STREQ(anomaly->what(), anomaly->message().c_str());
}

TEST(EdnReaderTest, UnterminatedInputReportsItsLine) {
  auto [line, column] = ErrorPosition("[1\n2\n\"abc");
  EXPECT_EQ(line, 3);
  EXPECT_GE(column, 1);
  EXPECT_EQ(ErrorPosition("{:a [1\n 2").first, 2);
}

TEST(EdnReaderTest, EmptyInputIsAnError) {
  EXPECT_TRUE(IsInvalidEdn(""));
  EXPECT_TRUE(IsInvalidEdn("   "));
  EXPECT_TRUE(IsInvalidEdn(" ; just a comment"));
  EXPECT_TRUE(IsInvalidEdn(",,,"));
}

TEST(EdnReaderTest, TrailingGarbageIsAnError) {
  EXPECT_TRUE(IsInvalidEdn("1 2"));
  EXPECT_TRUE(IsInvalidEdn("1 )"));
  EXPECT_TRUE(IsInvalidEdn("[1] x"));
  EXPECT_TRUE(IsInvalidEdn("{:a 1}}"));
  EXPECT_TRUE(IsInvalidEdn("nil nil"));
  EXPECT_EQ(ReadEdn("[1] ; fine\n  "), Value::Vector({L(1)}));
}

TEST(EdnReaderTest, StrayCharactersAreErrors) {
  for (std::string_view bad : {"#", "# x", "#1", "#\"a\"", "^", "#'a", "#?(:clj 1)", "\x01", "\xFF",
                               ":\xFF", "[1 \xC3]"}) {
    EXPECT_TRUE(IsInvalidEdn(bad)) << bad;
  }
}

TEST(EdnReaderTest, DeepNestingIsAnErrorNotACrash) {
  for (std::string_view open : {"[", "(", "{:a ", "#{", "#_ ["}) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += open;
    EXPECT_TRUE(IsInvalidEdn(text)) << open;
  }
  // Balanced but too deep is an error too.
  std::string balanced = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(IsInvalidEdn(balanced));
  ReadOptions keep;
  keep.keep_unknown_tags = true;
  std::string tags;
  for (int i = 0; i < 100000; ++i) tags += "#a/b ";
  tags += "1";
  EXPECT_TRUE(IsInvalidEdn(tags, keep));
}

TEST(EdnReaderTest, DeepDiscardChainsDoNotCrash) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "#_ ";
  for (int i = 0; i < 100000; ++i) text += "1 ";
  text += "2";
  // Either reads 2 or reports the depth; never overflows the stack.
  auto anomaly = CatchAnomaly([&] { EXPECT_EQ(ReadEdn(text), L(2)); });
  if (anomaly) {
    EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  }
  // Discards with nothing to discard are an error, however many.
  std::string only_discards;
  for (int i = 0; i < 100000; ++i) only_discards += "#_ ";
  EXPECT_TRUE(IsInvalidEdn(only_discards));
}

TEST(EdnReaderTest, MaxDepthIsHonoured) {
  ReadOptions options;
  options.max_depth = 5;
  EXPECT_EQ(ReadEdn("[[[[[1]]]]]", options).Count(), 1u);
  EXPECT_TRUE(IsInvalidEdn("[[[[[[1]]]]]]", options));
  EXPECT_TRUE(IsInvalidEdn("[[[[{:a #{1}}]]]]", options));
  EXPECT_EQ(ReadEdn("[[[[{:a 1}]]]]", options).Count(), 1u);
  // Siblings do not add up.
  EXPECT_EQ(ReadEdn("[[[[[1]]]] [[[[2]]]] [[[[3]]]]]", options).Count(), 3u);
  // The default accepts a thousand levels.
  std::string thousand = std::string(1000, '[') + std::string(1000, ']');
  EXPECT_NO_THROW(ReadEdn(thousand));
  options.max_depth = 1;
  EXPECT_EQ(ReadEdn("[1 2]", options).Count(), 2u);
  EXPECT_EQ(ReadEdn("1", options), L(1));
  EXPECT_TRUE(IsInvalidEdn("[[1]]", options));
}

// ---------------------------------------------------------------------------
// Streams of values

TEST(EdnReaderTest, ReadAllEdn) {
  std::vector<Value> all = ReadAllEdn("1 [2] :a\n{:b 3} ; end\n");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0], L(1));
  EXPECT_EQ(all[1], Value::Vector({L(2)}));
  EXPECT_EQ(all[2], K("a"));
  EXPECT_EQ(all[3], Value::Map({{K("b"), L(3)}}));
  EXPECT_TRUE(ReadAllEdn("").empty());
  EXPECT_TRUE(ReadAllEdn("  ; only a comment\n").empty());
  EXPECT_TRUE(ReadAllEdn("#_ 1").empty());
  EXPECT_EQ(ReadAllEdn("1 #_ 2 3").size(), 2u);
  EXPECT_EQ(ReadAllEdn("a b").size(), 2u);
  EXPECT_EQ(ReadAllEdn("[1][2]").size(), 2u);
  EXPECT_EQ(ReadAllEdn("\"a\"\"b\"").size(), 2u);
  auto anomaly = CatchAnomaly([] { ReadAllEdn("1 2 )"); });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  EXPECT_EQ(anomaly->error(), Value::Keyword("db.error", "invalid-edn"));
}

TEST(EdnReaderTest, EdnReaderStreams) {
  std::string text = "1 :two\n\"three\" [4]";
  EdnReader reader(text);
  Value v;
  size_t last_offset = reader.offset();
  std::vector<Value> got;
  while (reader.Next(&v)) {
    got.push_back(v);
    EXPECT_GT(reader.offset(), last_offset);
    last_offset = reader.offset();
  }
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], L(1));
  EXPECT_EQ(got[1], K("two"));
  EXPECT_EQ(got[2], S("three"));
  EXPECT_EQ(got[3], Value::Vector({L(4)}));
  EXPECT_EQ(reader.offset(), text.size());
  EXPECT_FALSE(reader.Next(&v));
  EXPECT_FALSE(reader.Next(&v));
}

TEST(EdnReaderTest, EdnReaderOffsetsPointPastEachValue) {
  std::string text = "[1 2] abc";
  EdnReader reader(text);
  Value v;
  ASSERT_TRUE(reader.Next(&v));
  EXPECT_EQ(v, Value::Vector({L(1), L(2)}));
  EXPECT_GE(reader.offset(), 5u);
  EXPECT_LE(reader.offset(), 6u);
  ASSERT_TRUE(reader.Next(&v));
  EXPECT_EQ(v, Sym("abc"));
  EXPECT_EQ(reader.offset(), text.size());
}

TEST(EdnReaderTest, EdnReaderOnEmptyInput) {
  EdnReader reader("");
  Value v = L(7);
  EXPECT_FALSE(reader.Next(&v));
  EdnReader comments(" ; nothing\n ,, ");
  EXPECT_FALSE(comments.Next(&v));
}

TEST(EdnReaderTest, EdnReaderKeepsThrowingAfterAnError) {
  EdnReader reader("1 ) 2");
  Value v;
  ASSERT_TRUE(reader.Next(&v));
  EXPECT_EQ(v, L(1));
  auto first = CatchAnomaly([&] { reader.Next(&v); });
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->category(), Category::kIncorrect);
  EXPECT_EQ(first->error(), Value::Keyword("db.error", "invalid-edn"));
  auto second = CatchAnomaly([&] { reader.Next(&v); });
  EXPECT_TRUE(second.has_value());
}

TEST(EdnReaderTest, EdnReaderWithOptions) {
  ReadOptions options;
  options.keep_unknown_tags = true;
  EdnReader reader("#x/y 1 #x/z 2", options);
  Value v;
  ASSERT_TRUE(reader.Next(&v));
  EXPECT_EQ(v, Value::Tagged(Value::Symbol("x/y"), L(1)));
  ASSERT_TRUE(reader.Next(&v));
  EXPECT_EQ(v, Value::Tagged(Value::Symbol("x/z"), L(2)));
  EXPECT_FALSE(reader.Next(&v));
}

}  // namespace
}  // namespace strata::testing
