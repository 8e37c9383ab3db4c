// Tests for strata::Value: construction, accessors, equality, hashing and the
// total order that value.h specifies, and the sharing of boxed contents.
#include "strata/value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr float kNaNF = std::numeric_limits<float>::quiet_NaN();

Value BytesOf(std::vector<uint8_t> bytes) { return Value::Bytes(bytes); }

Value UuidOf(uint8_t first, uint8_t rest) {
  Uuid uuid;
  uuid.bytes.fill(rest);
  uuid.bytes[0] = first;
  return Value::MakeUuid(uuid);
}

std::string Show(const Value& v) { return PrintEdn(v); }

// ---------------------------------------------------------------------------
// Construction and accessors

TEST(ValueTest, DefaultIsNil) {
  Value v;
  EXPECT_TRUE(v.is_nil());
  EXPECT_EQ(v.type(), ValueType::kNil);
  EXPECT_EQ(v, Value::Nil());
  EXPECT_FALSE(v.is_collection());
  EXPECT_FALSE(v.is_sequential());
}

TEST(ValueTest, Boolean) {
  Value t = Value::Boolean(true);
  Value f = Value::Boolean(false);
  EXPECT_TRUE(t.is_boolean());
  EXPECT_EQ(t.type(), ValueType::kBoolean);
  EXPECT_TRUE(t.AsBoolean());
  EXPECT_FALSE(f.AsBoolean());
  EXPECT_NE(t, f);
  EXPECT_NE(f, Value::Nil());
  EXPECT_NE(t, L(1));
  EXPECT_NE(f, L(0));
}

TEST(ValueTest, Long) {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{42},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    Value v = L(n);
    EXPECT_TRUE(v.is_long());
    EXPECT_TRUE(v.is_integer());
    EXPECT_FALSE(v.is_ref());
    EXPECT_EQ(v.type(), ValueType::kLong);
    EXPECT_EQ(v.AsLong(), n);
    EXPECT_EQ(v, L(n));
  }
  EXPECT_NE(L(1), L(2));
}

TEST(ValueTest, RefIsTheLongOfItsEntityId) {
  Value r = Value::Ref(5);
  EXPECT_TRUE(r.is_ref());
  EXPECT_FALSE(r.is_long());
  EXPECT_TRUE(r.is_integer());
  EXPECT_EQ(r.type(), ValueType::kRef);
  EXPECT_EQ(r.AsLong(), 5);
  EXPECT_EQ(r, L(5));
  EXPECT_EQ(L(5), r);
  EXPECT_EQ(r.Hash(), L(5).Hash());
  EXPECT_EQ(Compare(r, L(5)), 0);
  EXPECT_NE(r, L(6));
  EXPECT_LT(Compare(r, L(6)), 0);
  EXPECT_GT(Compare(r, L(4)), 0);
  EXPECT_LT(Compare(L(4), r), 0);
  int64_t big = (int64_t{4} << 42) | 1002;
  EXPECT_EQ(Value::Ref(big), L(big));
  EXPECT_EQ(Value::Ref(big).Hash(), L(big).Hash());
}

TEST(ValueTest, BigInt) {
  Value a = Value::BigInt("123456789012345678901234567890");
  EXPECT_EQ(a.type(), ValueType::kBigInt);
  EXPECT_EQ(a.BigIntText(), "123456789012345678901234567890");
  Value neg = Value::BigInt("-98765432109876543210");
  EXPECT_EQ(neg.BigIntText(), "-98765432109876543210");
  EXPECT_EQ(Value::BigInt(int64_t{42}).BigIntText(), "42");
  EXPECT_EQ(Value::BigInt(int64_t{-7}).BigIntText(), "-7");
  EXPECT_EQ(Value::BigInt(std::numeric_limits<int64_t>::min()).BigIntText(),
            "-9223372036854775808");
  // By value: the text form and the int64 form of one number are equal.
  EXPECT_EQ(Value::BigInt("42"), Value::BigInt(int64_t{42}));
  EXPECT_EQ(Value::BigInt("42").Hash(), Value::BigInt(int64_t{42}).Hash());
  EXPECT_EQ(Value::BigInt("+42"), Value::BigInt(int64_t{42}));
  EXPECT_EQ(Value::BigInt("-0"), Value::BigInt(int64_t{0}));
  EXPECT_EQ(Value::BigInt("-0").BigIntText(), "0");
  EXPECT_NE(a, neg);
}

TEST(ValueTest, BigIntRejectsNonDecimalText) {
  for (std::string_view bad : {"", "-", "+", "12a", "1.5", "0x10", " 1", "1 "}) {
    auto anomaly = CatchAnomaly([&] { Value::BigInt(bad); });
    ASSERT_TRUE(anomaly.has_value()) << "BigInt(\"" << bad << "\")";
    EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  }
}

TEST(ValueTest, FloatAndDouble) {
  Value f = Value::Float(1.5f);
  EXPECT_TRUE(f.is_float());
  EXPECT_EQ(f.type(), ValueType::kFloat);
  EXPECT_EQ(f.AsFloat(), 1.5f);
  Value d = Value::Double(2.25);
  EXPECT_TRUE(d.is_double());
  EXPECT_EQ(d.type(), ValueType::kDouble);
  EXPECT_EQ(d.AsDouble(), 2.25);
  EXPECT_EQ(Value::Double(5e-324).AsDouble(), 5e-324);
  EXPECT_EQ(Value::Double(-kInf).AsDouble(), -kInf);
  EXPECT_TRUE(std::isnan(Value::Double(kNaN).AsDouble()));
  EXPECT_TRUE(std::isnan(Value::Float(kNaNF).AsFloat()));
  EXPECT_TRUE(std::signbit(Value::Double(-0.0).AsDouble()));
  EXPECT_TRUE(std::signbit(Value::Float(-0.0f).AsFloat()));
}

TEST(ValueTest, BigDecKeepsUnscaledAndScale) {
  Value a = Value::BigDec("150", 2);  // 1.50M
  EXPECT_EQ(a.type(), ValueType::kBigDec);
  EXPECT_EQ(a.BigDecUnscaledText(), "150");
  EXPECT_EQ(a.BigDecScale(), 2);
  Value b = Value::BigDec("1", -3);  // 1E+3M
  EXPECT_EQ(b.BigDecUnscaledText(), "1");
  EXPECT_EQ(b.BigDecScale(), -3);
  Value c = Value::BigDec("-123456789012345678901234567890", 7);
  EXPECT_EQ(c.BigDecUnscaledText(), "-123456789012345678901234567890");
  EXPECT_EQ(c.BigDecScale(), 7);
}

TEST(ValueTest, BigDecRejectsNonDecimalUnscaled) {
  for (std::string_view bad : {"", "1.5", "abc", "1e3"}) {
    auto anomaly = CatchAnomaly([&] { Value::BigDec(bad, 0); });
    ASSERT_TRUE(anomaly.has_value()) << "BigDec(\"" << bad << "\", 0)";
    EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  }
}

TEST(ValueTest, Char) {
  for (char32_t c : {U'a', U'\0', U'\n', char32_t{0xE9}, char32_t{0xD7FF}, char32_t{0xE000},
                     char32_t{0xFFFF}, char32_t{0x10000}, char32_t{0x1F600}, char32_t{0x10FFFF}}) {
    Value v = Value::Char(c);
    EXPECT_EQ(v.type(), ValueType::kChar);
    EXPECT_EQ(v.AsChar(), c);
  }
  EXPECT_NE(Value::Char(U'a'), Value::String("a"));
  EXPECT_NE(Value::Char(U'a'), L('a'));
}

TEST(ValueTest, CharRejectsNonScalarValues) {
  for (char32_t c : {char32_t{0xD800}, char32_t{0xDBFF}, char32_t{0xDC00}, char32_t{0xDFFF},
                     char32_t{0x110000}, char32_t{0xFFFFFFFF}}) {
    auto anomaly = CatchAnomaly([&] { Value::Char(c); });
    ASSERT_TRUE(anomaly.has_value()) << "code point " << uint32_t{c};
    EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  }
}

TEST(ValueTest, Strings) {
  Value empty = Value::String("");
  EXPECT_TRUE(empty.is_string());
  EXPECT_EQ(empty.AsString(), "");
  std::string long_text(1000, 'x');
  long_text += "\xC3\xA9";
  Value s = Value::String(long_text);
  EXPECT_EQ(s.type(), ValueType::kString);
  EXPECT_EQ(s.AsString(), long_text);
  // Embedded NUL bytes are part of the string.
  std::string_view with_nul("a\0b", 3);
  EXPECT_EQ(Value::String(with_nul).AsString(), with_nul);
  EXPECT_NE(Value::String(with_nul), Value::String("a"));
  EXPECT_NE(Value::String(std::string_view("\0", 1)), empty);
  // Every length around the inline limit keeps its bytes.
  for (size_t n = 0; n <= 20; ++n) {
    std::string text;
    for (size_t i = 0; i < n; ++i) text.push_back(static_cast<char>('a' + i));
    Value v = Value::String(text);
    EXPECT_EQ(v.AsString(), text) << n;
    EXPECT_EQ(v, Value::String(text)) << n;
    EXPECT_EQ(v.Hash(), Value::String(text).Hash()) << n;
  }
}

TEST(ValueTest, KeywordsAreInterned) {
  Value a = Value::Keyword("ns", "name");
  Value b = Value::Keyword("ns/name");
  EXPECT_TRUE(a.is_keyword());
  EXPECT_EQ(a.type(), ValueType::kKeyword);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.InternedId(), b.InternedId());
  EXPECT_NE(a.InternedId(), nullptr);
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_EQ(a.Namespace(), "ns");
  EXPECT_EQ(a.Name(), "name");
  EXPECT_EQ(a.QualifiedName(), "ns/name");
  std::string built = std::string("n") + "s/" + "name";
  EXPECT_EQ(Value::Keyword(built).InternedId(), a.InternedId());

  Value plain = Value::Keyword("", "x");
  EXPECT_EQ(plain, Value::Keyword("x"));
  EXPECT_EQ(plain.InternedId(), Value::Keyword("x").InternedId());
  EXPECT_EQ(plain.Namespace(), "");
  EXPECT_EQ(plain.Name(), "x");
  EXPECT_EQ(plain.QualifiedName(), "x");
  EXPECT_NE(plain.InternedId(), a.InternedId());

  Value dotted = Value::Keyword("db.type/long");
  EXPECT_EQ(dotted.Namespace(), "db.type");
  EXPECT_EQ(dotted.Name(), "long");
}

TEST(ValueTest, KeywordsWithDifferentSplitsDiffer) {
  EXPECT_NE(Value::Keyword("a", "bc"), Value::Keyword("ab", "c"));
  EXPECT_NE(Value::Keyword("a", "bc"), Value::Keyword("", "abc"));
  EXPECT_NE(Value::Keyword("ns", "name"), Value::Keyword("name", "ns"));
  EXPECT_NE(Value::Keyword("a"), Value::Keyword("A"));
}

TEST(ValueTest, Symbols) {
  Value a = Value::Symbol("clojure.core", "inc");
  EXPECT_TRUE(a.is_symbol());
  EXPECT_EQ(a.type(), ValueType::kSymbol);
  EXPECT_EQ(a, Value::Symbol("clojure.core/inc"));
  EXPECT_EQ(a.InternedId(), Value::Symbol("clojure.core/inc").InternedId());
  EXPECT_EQ(a.Namespace(), "clojure.core");
  EXPECT_EQ(a.Name(), "inc");
  EXPECT_EQ(a.QualifiedName(), "clojure.core/inc");
  Value plain = Value::Symbol("?e");
  EXPECT_EQ(plain.Namespace(), "");
  EXPECT_EQ(plain.Name(), "?e");
  // A keyword and a symbol with one name are different values.
  EXPECT_NE(Value::Symbol("a"), Value::Keyword("a"));
  EXPECT_NE(Value::Symbol("a").InternedId(), Value::Keyword("a").InternedId());
  EXPECT_NE(Value::Symbol("a"), Value::String("a"));
}

TEST(ValueTest, SlashAloneIsASymbolName) {
  Value slash = Value::Symbol("/");
  EXPECT_EQ(slash.Namespace(), "");
  EXPECT_EQ(slash.Name(), "/");
  EXPECT_EQ(slash, Value::Symbol("", "/"));
}

TEST(ValueTest, Instant) {
  Value v = Value::Instant(1577934245678);
  EXPECT_EQ(v.type(), ValueType::kInstant);
  EXPECT_EQ(v.AsInstant(), 1577934245678);
  EXPECT_EQ(Value::Instant(-1).AsInstant(), -1);
  EXPECT_NE(Value::Instant(0), L(0));
  EXPECT_LT(Compare(Value::Instant(-1), Value::Instant(0)), 0);
}

TEST(ValueTest, UuidParseAndToString) {
  Uuid uuid;
  ASSERT_TRUE(Uuid::Parse("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", &uuid));
  EXPECT_EQ(uuid.bytes[0], 0xf8);
  EXPECT_EQ(uuid.bytes[1], 0x1d);
  EXPECT_EQ(uuid.bytes[4], 0x7d);
  EXPECT_EQ(uuid.bytes[15], 0xf6);
  EXPECT_EQ(uuid.ToString(), "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");

  Uuid upper;
  ASSERT_TRUE(Uuid::Parse("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6", &upper));
  EXPECT_EQ(upper, uuid);
  EXPECT_EQ(upper.ToString(), "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");

  Uuid zero;
  ASSERT_TRUE(Uuid::Parse("00000000-0000-0000-0000-000000000000", &zero));
  EXPECT_EQ(zero, Uuid{});
  EXPECT_EQ(Uuid{}.ToString(), "00000000-0000-0000-0000-000000000000");
}

TEST(ValueTest, UuidParseRejectsOtherForms) {
  for (std::string_view bad : {
           "",
           "f81d4fae7dec11d0a76500a0c91e6bf6",        // no dashes
           "f81d4fae-7dec-11d0-a765-00a0c91e6bf",     // short
           "f81d4fae-7dec-11d0-a765-00a0c91e6bf6a",   // long
           "f81d4fa-e7dec-11d0-a765-00a0c91e6bf6",    // dash misplaced
           "g81d4fae-7dec-11d0-a765-00a0c91e6bf6",    // not hex
           "{f81d4fae-7dec-11d0-a765-00a0c91e6bf6}",  // braces
           " f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
       }) {
    Uuid out;
    EXPECT_FALSE(Uuid::Parse(bad, &out)) << bad;
  }
}

TEST(ValueTest, UuidValue) {
  Uuid uuid;
  ASSERT_TRUE(Uuid::Parse("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", &uuid));
  Value v = Value::MakeUuid(uuid);
  EXPECT_EQ(v.type(), ValueType::kUuid);
  EXPECT_EQ(v.AsUuid(), uuid);
  EXPECT_EQ(v, Value::MakeUuid(uuid));
  EXPECT_EQ(v.Hash(), Value::MakeUuid(uuid).Hash());
  EXPECT_NE(v, Value::String(uuid.ToString()));
}

TEST(ValueTest, UriIsNotAString) {
  Value u = Value::Uri("http://example.com/a?b=c");
  EXPECT_EQ(u.type(), ValueType::kUri);
  EXPECT_EQ(u.AsString(), "http://example.com/a?b=c");
  EXPECT_NE(u, Value::String("http://example.com/a?b=c"));
  EXPECT_EQ(u, Value::Uri("http://example.com/a?b=c"));
  EXPECT_EQ(Value::Uri("urn:isbn:0451450523").AsString(), "urn:isbn:0451450523");
  EXPECT_EQ(Value::Uri("http://x/a%20b").AsString(), "http://x/a%20b");
}

TEST(ValueTest, UriRejectsCharactersAUriCannotHold) {
  // As java.net.URI: such characters must be percent-encoded.
  for (std::string_view bad : {"http://x/a b", "http://x/\"q\"", "http://x/<>"}) {
    auto anomaly = CatchAnomaly([&] { Value::Uri(bad); });
    ASSERT_TRUE(anomaly.has_value()) << bad;
    EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  }
}

TEST(ValueTest, Bytes) {
  std::vector<uint8_t> data = {0, 1, 2, 0xff};
  Value b = Value::Bytes(data);
  EXPECT_EQ(b.type(), ValueType::kBytes);
  ASSERT_EQ(b.AsBytes().size(), 4u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), b.AsBytes().begin()));
  EXPECT_EQ(b, BytesOf({0, 1, 2, 0xff}));
  EXPECT_EQ(b.Hash(), BytesOf({0, 1, 2, 0xff}).Hash());
  EXPECT_NE(b, BytesOf({0, 1, 2}));
  EXPECT_EQ(BytesOf({}).AsBytes().size(), 0u);
  EXPECT_NE(BytesOf({}), Value::String(""));
}

TEST(ValueTest, Sequences) {
  Value v = Value::Vector({L(1), Value::String("two"), K("three")});
  EXPECT_TRUE(v.is_vector());
  EXPECT_TRUE(v.is_sequential());
  EXPECT_TRUE(v.is_collection());
  EXPECT_EQ(v.type(), ValueType::kVector);
  ASSERT_EQ(v.Count(), 3u);
  ASSERT_EQ(v.Items().size(), 3u);
  EXPECT_EQ(v.Items()[0], L(1));
  EXPECT_EQ(v.Items()[1], Value::String("two"));
  EXPECT_EQ(v.Items()[2], K("three"));

  Value l = Value::List(std::vector<Value>{L(3), L(1)});
  EXPECT_TRUE(l.is_list());
  EXPECT_TRUE(l.is_sequential());
  EXPECT_EQ(l.Count(), 2u);
  EXPECT_EQ(l.Items()[0], L(3));  // lists keep their order

  Value t = Value::Tuple({L(1), K("a")});
  EXPECT_TRUE(t.is_tuple());
  EXPECT_TRUE(t.is_sequential());
  EXPECT_EQ(t.type(), ValueType::kTuple);
  EXPECT_EQ(t.Count(), 2u);

  Value empty = Value::Vector(std::vector<Value>{});
  EXPECT_EQ(empty.Count(), 0u);
  EXPECT_TRUE(empty.Items().empty());
  EXPECT_TRUE(empty.is_collection());
}

TEST(ValueTest, TupleIsTheVectorOfItsElements) {
  Value t = Value::Tuple({L(1), L(2)});
  Value v = Value::Vector({L(1), L(2)});
  EXPECT_EQ(t, v);
  EXPECT_EQ(v, t);
  EXPECT_EQ(Compare(t, v), 0);
  EXPECT_EQ(t.Hash(), v.Hash());
  EXPECT_LT(Compare(t, Value::Vector({L(1), L(3)})), 0);
  EXPECT_GT(Compare(Value::Vector({L(1), L(3)}), t), 0);
  // A tuple is not a list.
  EXPECT_NE(t, Value::List({L(1), L(2)}));
  // Refs inside are their longs.
  EXPECT_EQ(Value::Tuple({Value::Ref(7), K("a")}), Value::Vector({L(7), K("a")}));
  EXPECT_EQ(Value::Tuple({Value::Ref(7), K("a")}).Hash(), Value::Vector({L(7), K("a")}).Hash());
}

TEST(ValueTest, ListIsNotAVector) {
  Value l = Value::List({L(1), L(2)});
  Value v = Value::Vector({L(1), L(2)});
  EXPECT_NE(l, v);
  EXPECT_NE(Compare(l, v), 0);
  EXPECT_EQ(Compare(l, v) < 0, Compare(v, l) > 0);
  // Lists sort among themselves lexicographically, and before maps.
  EXPECT_LT(Compare(Value::List({}), Value::List({L(1)})), 0);
  EXPECT_LT(Compare(Value::List({L(1), L(9)}), Value::List({L(2)})), 0);
  EXPECT_LT(Compare(l, Value::Map({})), 0);
  // Lists and vectors are separate order classes: every vector is on the
  // same side of every list.
  int side = Compare(v, l) < 0 ? -1 : 1;
  EXPECT_EQ(Compare(Value::Vector({L(9)}), Value::List({L(1)})) < 0 ? -1 : 1, side);
  EXPECT_EQ(Compare(Value::Tuple({L(9)}), Value::List({})) < 0 ? -1 : 1, side);
  EXPECT_EQ(Compare(Value::Vector({}), Value::List({L(1), L(2), L(3)})) < 0 ? -1 : 1, side);
}

TEST(ValueTest, MapIsSortedAndLooksUpKeys) {
  Value m = Value::Map({{K("b"), L(2)}, {K("a"), L(1)}, {L(3), K("c")}});
  EXPECT_TRUE(m.is_map());
  EXPECT_TRUE(m.is_collection());
  EXPECT_FALSE(m.is_sequential());
  EXPECT_EQ(m.type(), ValueType::kMap);
  ASSERT_EQ(m.Count(), 3u);
  ASSERT_EQ(m.Items().size(), 6u);
  // Longs sort before keywords; :a before :b.
  EXPECT_EQ(m.MapKey(0), L(3));
  EXPECT_EQ(m.MapVal(0), K("c"));
  EXPECT_EQ(m.MapKey(1), K("a"));
  EXPECT_EQ(m.MapVal(1), L(1));
  EXPECT_EQ(m.MapKey(2), K("b"));
  EXPECT_EQ(m.MapVal(2), L(2));
  EXPECT_EQ(m.Items()[2], K("a"));
  EXPECT_EQ(m.Items()[3], L(1));

  ASSERT_NE(m.Get(K("a")), nullptr);
  EXPECT_EQ(*m.Get(K("a")), L(1));
  ASSERT_NE(m.Get(K("b")), nullptr);
  EXPECT_EQ(*m.Get(K("b")), L(2));
  ASSERT_NE(m.Get(L(3)), nullptr);
  EXPECT_EQ(*m.Get(L(3)), K("c"));
  // A ref finds the long key equal to it.
  ASSERT_NE(m.Get(Value::Ref(3)), nullptr);
  EXPECT_EQ(m.Get(K("z")), nullptr);
  EXPECT_EQ(m.Get(Value::String("a")), nullptr);
  EXPECT_EQ(m.Get(Value::Double(3.0)), nullptr);
  EXPECT_EQ(Value::Map({}).Get(K("a")), nullptr);
  // Get on something that is not a map is nullptr, not a crash.
  EXPECT_EQ(L(1).Get(K("a")), nullptr);
  EXPECT_EQ(Value::Vector({K("a"), L(1)}).Get(K("a")), nullptr);
}

TEST(ValueTest, LargeMapsAndSetsFindEveryElement) {
  constexpr int64_t kCount = 1000;
  std::vector<ValuePair> entries;
  std::vector<Value> items;
  // Insert in a scrambled order: i * 7919 mod kCount visits every i.
  for (int64_t i = 0; i < kCount; ++i) {
    int64_t k = (i * 7919) % kCount;
    entries.emplace_back(Value::String("key-" + std::to_string(k)), L(k));
    items.push_back(L(k * 2));
  }
  Value m = Value::Map(entries);
  Value s = Value::Set(items);
  ASSERT_EQ(m.Count(), static_cast<size_t>(kCount));
  ASSERT_EQ(s.Count(), static_cast<size_t>(kCount));
  for (int64_t k = 0; k < kCount; ++k) {
    const Value* got = m.Get(Value::String("key-" + std::to_string(k)));
    ASSERT_NE(got, nullptr) << k;
    EXPECT_EQ(*got, L(k));
    EXPECT_TRUE(s.Contains(L(k * 2))) << k;
    EXPECT_FALSE(s.Contains(L(k * 2 + 1))) << k;
    EXPECT_EQ(s.Items()[static_cast<size_t>(k)], L(k * 2));
  }
  EXPECT_EQ(m.Get(Value::String("key-")), nullptr);
  EXPECT_EQ(m.Get(Value::String("key-1000")), nullptr);
  for (size_t i = 0; i + 1 < m.Count(); ++i) {
    EXPECT_LT(Compare(m.MapKey(i), m.MapKey(i + 1)), 0);
  }
}

TEST(ValueTest, MapWithCollectionKeys) {
  Value vec_key = Value::Vector({L(1), L(2)});
  Value map_key = Value::Map({{K("x"), L(1)}});
  Value m = Value::Map({{vec_key, K("v")}, {map_key, K("m")}});
  ASSERT_NE(m.Get(Value::Tuple({L(1), L(2)})), nullptr);
  EXPECT_EQ(*m.Get(Value::Tuple({L(1), L(2)})), K("v"));
  ASSERT_NE(m.Get(Value::Map({{K("x"), L(1)}})), nullptr);
  EXPECT_EQ(*m.Get(Value::Map({{K("x"), L(1)}})), K("m"));
  EXPECT_EQ(m.Get(Value::List({L(1), L(2)})), nullptr);
}

TEST(ValueTest, MapEqualityIgnoresInsertionOrder) {
  Value a = Value::Map({{K("a"), L(1)}, {K("b"), L(2)}, {K("c"), L(3)}});
  Value b = Value::Map({{K("c"), L(3)}, {K("a"), L(1)}, {K("b"), L(2)}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_EQ(Compare(a, b), 0);
  EXPECT_NE(a, Value::Map({{K("a"), L(1)}, {K("b"), L(2)}}));
  EXPECT_NE(a, Value::Map({{K("a"), L(1)}, {K("b"), L(2)}, {K("c"), L(4)}}));
}

TEST(ValueTest, MapRejectsDuplicateKeys) {
  auto anomaly = CatchAnomaly([] { Value::Map({{K("a"), L(1)}, {K("a"), L(2)}}); });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  // Equal though not identical keys are duplicates too.
  anomaly = CatchAnomaly([] { Value::Map({{L(5), L(1)}, {K("x"), L(0)}, {Value::Ref(5), L(2)}}); });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  anomaly = CatchAnomaly([] {
    Value::Map({{Value::Tuple({L(1)}), L(1)}, {Value::Vector({L(1)}), L(2)}});
  });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  // Same key, same value is still a duplicate entry.
  anomaly = CatchAnomaly([] {
    Value::Map(std::vector<ValuePair>{{K("a"), L(1)}, {K("a"), L(1)}});
  });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  // Keys that are merely similar are fine.
  EXPECT_NO_THROW(
      Value::Map({{L(1), L(1)}, {Value::Double(1.0), L(2)}, {Value::BigInt(int64_t{1}), L(3)}}));
}

TEST(ValueTest, SetIsSortedAndContains) {
  Value s = Value::Set({L(3), L(1), K("a"), L(2)});
  EXPECT_TRUE(s.is_set());
  EXPECT_TRUE(s.is_collection());
  EXPECT_FALSE(s.is_sequential());
  EXPECT_EQ(s.type(), ValueType::kSet);
  ASSERT_EQ(s.Count(), 4u);
  EXPECT_EQ(s.Items()[0], L(1));
  EXPECT_EQ(s.Items()[1], L(2));
  EXPECT_EQ(s.Items()[2], L(3));
  EXPECT_EQ(s.Items()[3], K("a"));
  EXPECT_TRUE(s.Contains(L(1)));
  EXPECT_TRUE(s.Contains(Value::Ref(2)));
  EXPECT_TRUE(s.Contains(K("a")));
  EXPECT_FALSE(s.Contains(L(4)));
  EXPECT_FALSE(s.Contains(Value::Double(1.0)));
  EXPECT_FALSE(s.Contains(Value::Symbol("a")));
  EXPECT_FALSE(Value::Set({}).Contains(Value::Nil()));
  EXPECT_TRUE(Value::Set({Value::Nil()}).Contains(Value::Nil()));
  // Contains on something that is not a set is false, not a crash.
  EXPECT_FALSE(Value::Vector({L(1)}).Contains(L(1)));
  EXPECT_FALSE(L(1).Contains(L(1)));
  EXPECT_EQ(s, Value::Set({L(2), K("a"), L(1), L(3)}));
  EXPECT_EQ(s.Hash(), Value::Set({L(2), K("a"), L(1), L(3)}).Hash());
}

TEST(ValueTest, SetRejectsDuplicates) {
  auto anomaly = CatchAnomaly([] { Value::Set({L(1), L(2), L(1)}); });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  anomaly = CatchAnomaly([] { Value::Set({Value::Ref(1), L(1)}); });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  anomaly = CatchAnomaly([] { Value::Set({Value::Double(kNaN), Value::Double(kNaN)}); });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  EXPECT_NO_THROW(Value::Set({Value::Double(0.0), Value::Double(-0.0)}));
  EXPECT_NO_THROW(Value::Set({Value::BigDec("10", 1), Value::BigDec("100", 2)}));
}

TEST(ValueTest, Tagged) {
  Value tag = Value::Symbol("my", "tag");
  Value t = Value::Tagged(tag, Value::Vector({L(1), L(2)}));
  EXPECT_EQ(t.type(), ValueType::kTagged);
  EXPECT_EQ(t.Tag(), tag);
  EXPECT_EQ(t.TaggedValue(), Value::Vector({L(1), L(2)}));
  EXPECT_EQ(t, Value::Tagged(Value::Symbol("my/tag"), Value::Vector({L(1), L(2)})));
  EXPECT_EQ(t.Hash(), Value::Tagged(Value::Symbol("my/tag"), Value::Vector({L(1), L(2)})).Hash());
  EXPECT_NE(t, Value::Tagged(Value::Symbol("my/other"), Value::Vector({L(1), L(2)})));
  EXPECT_NE(t, Value::Tagged(tag, Value::Vector({L(1)})));
  EXPECT_NE(t, Value::Vector({L(1), L(2)}));
  // Ordered by tag, then value.
  EXPECT_LT(
      Compare(Value::Tagged(Value::Symbol("a/a"), L(9)), Value::Tagged(Value::Symbol("a/b"), L(0))),
      0);
  EXPECT_LT(
      Compare(Value::Tagged(Value::Symbol("a/a"), L(0)), Value::Tagged(Value::Symbol("a/a"), L(9))),
      0);
}

TEST(ValueTest, TypeNames) {
  EXPECT_EQ(TypeName(ValueType::kLong), "long");
  EXPECT_EQ(TypeName(ValueType::kKeyword), "keyword");
  EXPECT_EQ(TypeName(ValueType::kString), "string");
  // Every type has a distinct, non-empty name.
  std::vector<std::string> names;
  for (int t = 0; t <= static_cast<int>(ValueType::kTagged); ++t) {
    std::string name(TypeName(static_cast<ValueType>(t)));
    EXPECT_FALSE(name.empty()) << t;
    for (const std::string& seen : names) EXPECT_NE(seen, name) << t;
    names.push_back(name);
  }
}

// ---------------------------------------------------------------------------
// Where the contents live

TEST(ValueTest, ScalarsNeedNoHeap) {
  for (const Value& v :
       {Value::Nil(), Value::Boolean(true), L(0), L(std::numeric_limits<int64_t>::min()),
        Value::Ref(int64_t{4} << 42), Value::Float(1.5f), Value::Double(kNaN), Value::Double(-0.0),
        Value::Char(0x10FFFF), Value::Instant(-5),
        Value::Keyword("some.long.namespace", "and-a-long-name"), Value::Keyword("a"),
        Value::Symbol("x"), Value::Symbol("some.long.namespace/and-a-long-name")}) {
    EXPECT_EQ(v.heap(), nullptr) << TypeName(v.type());
  }
}

TEST(ValueTest, ShortStringsAreInline) {
  for (std::string_view s : {"", "a", "fourteen bytes", "\xC3\xA9t\xC3\xA9"}) {
    EXPECT_LE(s.size(), 14u);
    EXPECT_EQ(Value::String(s).heap(), nullptr) << s;
  }
  EXPECT_EQ(Value::String(std::string(14, '\0')).heap(), nullptr);
}

TEST(ValueTest, LongStringsAndCollectionsAreBoxed) {
  EXPECT_NE(Value::String("fifteen bytes!!").heap(), nullptr);
  EXPECT_NE(Value::String(std::string(1000, 'z')).heap(), nullptr);
  EXPECT_NE(Value::Vector({L(1)}).heap(), nullptr);
  EXPECT_NE(Value::List({L(1)}).heap(), nullptr);
  EXPECT_NE(Value::Tuple({L(1)}).heap(), nullptr);
  EXPECT_NE(Value::Map({{L(1), L(2)}}).heap(), nullptr);
  EXPECT_NE(Value::Set({L(1)}).heap(), nullptr);
  EXPECT_NE(Value::Tagged(Value::Symbol("a/b"), L(1)).heap(), nullptr);
}

TEST(ValueTest, InlineAndBoxedStringsCompareByContent) {
  Value inline_s = Value::String("abcdefghijklmn");  // 14 bytes
  Value boxed_s = Value::String("abcdefghijklmno");  // 15 bytes
  EXPECT_LT(Compare(inline_s, boxed_s), 0);
  EXPECT_GT(Compare(boxed_s, inline_s), 0);
  EXPECT_LT(Compare(Value::String("abcdefghijklmnopq"), Value::String("b")), 0);
  // High bytes compare unsigned in boxed strings too.
  std::string prefix(20, 'a');
  EXPECT_LT(Compare(Value::String(prefix + "\x7f"), Value::String(prefix + "\xC3\xA9")), 0);
  EXPECT_LT(Compare(Value::String(prefix + "\xC3\xA9"), Value::String("b")), 0);
  EXPECT_NE(inline_s, boxed_s);
}

// ---------------------------------------------------------------------------
// Copying and moving

TEST(ValueTest, CopiesShareContents) {
  Value original = Value::Vector({Value::String(std::string(100, 'q')), L(1)});
  Value copy = original;
  EXPECT_EQ(copy, original);
  EXPECT_EQ(copy.heap(), original.heap());
  Value assigned;
  assigned = original;
  EXPECT_EQ(assigned.heap(), original.heap());
  EXPECT_EQ(assigned, original);
}

TEST(ValueTest, CopyOutlivesOriginal) {
  Value copy;
  {
    Value original =
        Value::Map({{Value::String(std::string(50, 'k')), Value::String(std::string(50, 'v'))}});
    copy = original;
  }
  ASSERT_EQ(copy.Count(), 1u);
  EXPECT_EQ(copy.MapKey(0).AsString(), std::string(50, 'k'));
  EXPECT_EQ(copy.MapVal(0).AsString(), std::string(50, 'v'));
}

TEST(ValueTest, MoveTransfersContents) {
  Value original = Value::String(std::string(40, 'm'));
  const void* heap = original.heap();
  Value moved(std::move(original));
  EXPECT_EQ(moved.heap(), heap);
  EXPECT_EQ(moved.AsString(), std::string(40, 'm'));
  Value target = L(1);
  target = std::move(moved);
  EXPECT_EQ(target.AsString(), std::string(40, 'm'));
  // Moved-from values can be reassigned and destroyed.
  original = L(3);
  moved = Value::String("again");
  EXPECT_EQ(original, L(3));
  EXPECT_EQ(moved, Value::String("again"));
}

TEST(ValueTest, SelfAssignmentIsSafe) {
  Value v = Value::Vector({Value::String(std::string(30, 's'))});
  Value& alias = v;
  v = alias;
  ASSERT_EQ(v.Count(), 1u);
  EXPECT_EQ(v.Items()[0].AsString(), std::string(30, 's'));
  Value s = Value::String(std::string(30, 't'));
  Value& s_alias = s;
  s = s_alias;
  EXPECT_EQ(s.AsString(), std::string(30, 't'));
  Value inline_s = Value::String("short");
  Value& inline_alias = inline_s;
  inline_s = inline_alias;
  EXPECT_EQ(inline_s.AsString(), "short");
  // Self-move must leave something that can be destroyed.
  Value m = Value::Vector({L(1)});
  Value& m_alias = m;
  m = std::move(m_alias);
  m = L(2);
  EXPECT_EQ(m, L(2));
}

TEST(ValueTest, AssignmentReleasesThePreviousValue) {
  Value a = Value::String(std::string(20, 'a'));
  Value b = Value::String(std::string(20, 'b'));
  a = b;
  EXPECT_EQ(a.AsString(), std::string(20, 'b'));
  b = L(1);
  EXPECT_EQ(a.AsString(), std::string(20, 'b'));
}

TEST(ValueTest, NumbersOfDifferentTypesAreUnequal) {
  Value l = L(1);
  Value d = Value::Double(1.0);
  Value f = Value::Float(1.0f);
  Value bi = Value::BigInt(int64_t{1});
  Value bd = Value::BigDec("1", 0);
  std::vector<Value> all = {l, d, f, bi, bd};
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = 0; j < all.size(); ++j) {
      if (i == j) continue;
      EXPECT_NE(all[i], all[j]) << Show(all[i]) << " vs " << Show(all[j]);
      EXPECT_NE(Compare(all[i], all[j]), 0);
    }
  }
}

TEST(ValueTest, DoublesFollowTheJvmTotalOrder) {
  Value neg_zero = Value::Double(-0.0);
  Value zero = Value::Double(0.0);
  Value nan = Value::Double(kNaN);
  Value inf = Value::Double(kInf);
  EXPECT_NE(neg_zero, zero);
  EXPECT_LT(Compare(neg_zero, zero), 0);
  EXPECT_GT(Compare(zero, neg_zero), 0);
  EXPECT_EQ(nan, nan);
  EXPECT_EQ(nan, Value::Double(kNaN));
  EXPECT_EQ(Compare(nan, Value::Double(kNaN)), 0);
  EXPECT_EQ(nan.Hash(), Value::Double(kNaN).Hash());
  EXPECT_GT(Compare(nan, inf), 0);
  EXPECT_LT(Compare(inf, nan), 0);
  EXPECT_GT(Compare(nan, zero), 0);
  EXPECT_GT(Compare(nan, Value::Double(-kInf)), 0);
  EXPECT_LT(Compare(Value::Double(-kInf), Value::Double(-1e308)), 0);
  EXPECT_LT(Compare(Value::Double(-1.0), neg_zero), 0);
  EXPECT_LT(Compare(zero, Value::Double(5e-324)), 0);
}

TEST(ValueTest, AllNaNsAreOneDouble) {
  // Double.compare and Double.equals treat every NaN bit pattern as one NaN.
  double other_nan = std::nan("42");
  double negative_nan = -kNaN;
  ASSERT_TRUE(std::isnan(other_nan));
  ASSERT_TRUE(std::isnan(negative_nan));
  EXPECT_EQ(Value::Double(other_nan), Value::Double(kNaN));
  EXPECT_EQ(Value::Double(negative_nan), Value::Double(kNaN));
  EXPECT_EQ(Value::Double(other_nan).Hash(), Value::Double(kNaN).Hash());
  EXPECT_EQ(Value::Double(negative_nan).Hash(), Value::Double(kNaN).Hash());
  EXPECT_GT(Compare(Value::Double(negative_nan), Value::Double(kInf)), 0);
  EXPECT_EQ(Value::Float(std::nanf("7")), Value::Float(kNaNF));
  EXPECT_EQ(Value::Float(-kNaNF).Hash(), Value::Float(kNaNF).Hash());
}

TEST(ValueTest, FloatsFollowTheJvmTotalOrder) {
  Value neg_zero = Value::Float(-0.0f);
  Value zero = Value::Float(0.0f);
  Value nan = Value::Float(kNaNF);
  EXPECT_NE(neg_zero, zero);
  EXPECT_LT(Compare(neg_zero, zero), 0);
  EXPECT_EQ(nan, Value::Float(kNaNF));
  EXPECT_EQ(nan.Hash(), Value::Float(kNaNF).Hash());
  EXPECT_GT(Compare(nan, Value::Float(kInfF)), 0);
  EXPECT_LT(Compare(Value::Float(-kInfF), Value::Float(-1.0f)), 0);
  EXPECT_LT(Compare(Value::Float(1.0f), Value::Float(1.5f)), 0);
}

TEST(ValueTest, BigDecScaleMattersForEquality) {
  Value one_0 = Value::BigDec("10", 1);    // 1.0M
  Value one_00 = Value::BigDec("100", 2);  // 1.00M
  Value one = Value::BigDec("1", 0);       // 1M
  EXPECT_NE(one_0, one_00);
  EXPECT_NE(one_0, one);
  EXPECT_EQ(one_0, Value::BigDec("10", 1));
  EXPECT_EQ(one_0.Hash(), Value::BigDec("10", 1).Hash());
  // Numeric value first, then scale.
  EXPECT_LT(Compare(one, one_0), 0);
  EXPECT_LT(Compare(one_0, one_00), 0);
  EXPECT_GT(Compare(one_00, one_0), 0);
  EXPECT_LT(Compare(one_00, Value::BigDec("11", 1)), 0);  // 1.00 < 1.1
  EXPECT_LT(Compare(Value::BigDec("15", 1), Value::BigDec("2", 0)), 0);
  EXPECT_LT(Compare(Value::BigDec("-15", 1), Value::BigDec("1", 0)), 0);
  EXPECT_LT(Compare(Value::BigDec("-2", 0), Value::BigDec("-15", 1)), 0);
  EXPECT_GT(Compare(Value::BigDec("1", -3), Value::BigDec("999", 0)), 0);
  EXPECT_LT(Compare(Value::BigDec("1", -3), Value::BigDec("1001", 0)), 0);
  EXPECT_LT(Compare(Value::BigDec("1", -3), Value::BigDec("1000", 0)), 0);
  EXPECT_NE(Value::BigDec("1", -3), Value::BigDec("1000", 0));
  EXPECT_LT(Compare(Value::BigDec("0", 0), Value::BigDec("0", 3)), 0);
  EXPECT_LT(Compare(Value::BigDec("1", 30), Value::BigDec("2", 30)), 0);
  EXPECT_LT(Compare(Value::BigDec("99999999999999999999999", 2),
                    Value::BigDec("100000000000000000000000", 2)),
            0);
}

TEST(ValueTest, BigIntsOrderNumerically) {
  std::vector<Value> ascending = {
      Value::BigInt("-100000000000000000000000"),
      Value::BigInt("-99999999999999999999999"),
      Value::BigInt("-9223372036854775809"),
      Value::BigInt(std::numeric_limits<int64_t>::min()),
      Value::BigInt(int64_t{-1}),
      Value::BigInt(int64_t{0}),
      Value::BigInt(int64_t{9}),
      Value::BigInt(int64_t{10}),
      Value::BigInt(std::numeric_limits<int64_t>::max()),
      Value::BigInt("9223372036854775808"),
      Value::BigInt("99999999999999999999999"),
      Value::BigInt("100000000000000000000000"),
  };
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_LT(Compare(ascending[i], ascending[i + 1]), 0)
        << ascending[i].BigIntText() << " vs " << ascending[i + 1].BigIntText();
    EXPECT_GT(Compare(ascending[i + 1], ascending[i]), 0);
  }
}

TEST(ValueTest, StringsCompareBytewise) {
  EXPECT_LT(Compare(Value::String(""), Value::String("a")), 0);
  EXPECT_LT(Compare(Value::String("A"), Value::String("a")), 0);
  EXPECT_LT(Compare(Value::String("a"), Value::String("aa")), 0);
  EXPECT_LT(Compare(Value::String("aa"), Value::String("b")), 0);
  EXPECT_LT(Compare(Value::String("a"), Value::String(std::string_view("a\0", 2))), 0);
  // Bytes compare unsigned, which for UTF-8 is code point order.
  EXPECT_LT(Compare(Value::String("\x7f"), Value::String("\xC3\xA9")), 0);
  EXPECT_LT(Compare(Value::String("\xC3\xA9"), Value::String("\xF0\x9F\x98\x80")), 0);
  // U+FFFF before U+10000 (UTF-16 order would put U+10000 first).
  EXPECT_LT(Compare(Value::String("\xEF\xBF\xBF"), Value::String("\xF0\x90\x80\x80")), 0);
}

TEST(ValueTest, KeywordsOrderByNamespaceThenName) {
  std::vector<Value> ascending = {
      Value::Keyword("a"),      Value::Keyword("b"),           Value::Keyword("zzz"),
      Value::Keyword("a", "z"), Value::Keyword("a", "zz"),     Value::Keyword("a.b", "a"),
      Value::Keyword("b", "a"), Value::Keyword("db", "ident"), Value::Keyword("db.type", "long"),
  };
  for (size_t i = 0; i < ascending.size(); ++i) {
    for (size_t j = i + 1; j < ascending.size(); ++j) {
      EXPECT_LT(Compare(ascending[i], ascending[j]), 0)
          << ascending[i].QualifiedName() << " vs " << ascending[j].QualifiedName();
      EXPECT_GT(Compare(ascending[j], ascending[i]), 0);
    }
  }
  // Intern order is not sort order: a keyword made later can sort first.
  Value late_first = Value::Keyword("aaaaaaaa.never.seen.before", "x");
  EXPECT_LT(Compare(late_first, Value::Keyword("b", "a")), 0);
  EXPECT_LT(Compare(Value::Symbol("a", "b"), Value::Symbol("b", "a")), 0);
  EXPECT_LT(Compare(Value::Symbol("zz"), Value::Symbol("a", "a")), 0);
}

TEST(ValueTest, UuidsAndBytesCompareUnsigned) {
  EXPECT_LT(Compare(UuidOf(0x00, 0), UuidOf(0x7f, 0)), 0);
  EXPECT_LT(Compare(UuidOf(0x7f, 0xff), UuidOf(0x80, 0)), 0);
  EXPECT_LT(Compare(UuidOf(0x80, 0), UuidOf(0xff, 0)), 0);
  EXPECT_LT(Compare(BytesOf({0x01}), BytesOf({0xff})), 0);
  EXPECT_LT(Compare(BytesOf({0x7f}), BytesOf({0x80})), 0);
  EXPECT_LT(Compare(BytesOf({1}), BytesOf({1, 0})), 0);
  EXPECT_LT(Compare(BytesOf({}), BytesOf({0})), 0);
}

// Representatives of every type, strictly ascending by value.h's order.
std::vector<Value> AscendingValues() {
  return {
      Value::Nil(),
      Value::Boolean(false),
      Value::Boolean(true),
      L(std::numeric_limits<int64_t>::min()),
      L(-1),
      L(0),
      L(5),
      Value::Ref(7),
      L(10),
      L(std::numeric_limits<int64_t>::max()),
      Value::BigInt("-100000000000000000000"),
      Value::BigInt(int64_t{-1}),
      Value::BigInt(int64_t{0}),
      Value::BigInt("100000000000000000000"),
      Value::Float(-kInfF),
      Value::Float(-1.5f),
      Value::Float(-0.0f),
      Value::Float(0.0f),
      Value::Float(2.5f),
      Value::Float(kInfF),
      Value::Float(kNaNF),
      Value::Double(-kInf),
      Value::Double(-1e300),
      Value::Double(-0.0),
      Value::Double(0.0),
      Value::Double(5e-324),
      Value::Double(1.0),
      Value::Double(kInf),
      Value::Double(kNaN),
      Value::BigDec("-15", 1),
      Value::BigDec("0", 0),
      Value::BigDec("1", 0),
      Value::BigDec("10", 1),
      Value::BigDec("100", 2),
      Value::BigDec("15", 1),
      Value::BigDec("2", 0),
      Value::BigDec("1", -3),
      Value::Char(0),
      Value::Char(U'A'),
      Value::Char(U'a'),
      Value::Char(0xE9),
      Value::Char(0xFFFF),
      Value::Char(0x10000),
      Value::Char(0x10FFFF),
      Value::String(""),
      Value::String("A"),
      Value::String("a"),
      Value::String("aa"),
      Value::String("abcdefghijklmnopqrstuvwxyz"),
      Value::String("b"),
      Value::String("\x7f"),
      Value::String("\xC3\xA9"),
      Value::String("\xF0\x9F\x98\x80"),
      Value::Keyword("a"),
      Value::Keyword("b"),
      Value::Keyword("a", "a"),
      Value::Keyword("a", "b"),
      Value::Keyword("b", "a"),
      Value::Symbol("a"),
      Value::Symbol("a", "a"),
      Value::Instant(std::numeric_limits<int64_t>::min()),
      Value::Instant(-1),
      Value::Instant(0),
      Value::Instant(1577934245678),
      UuidOf(0x00, 0x00),
      UuidOf(0x00, 0x01),
      UuidOf(0x80, 0x00),
      UuidOf(0xff, 0xff),
      Value::Uri("http://a"),
      Value::Uri("http://b"),
      BytesOf({}),
      BytesOf({0}),
      BytesOf({0, 0}),
      BytesOf({1}),
      BytesOf({0xff}),
      Value::Vector(std::vector<Value>{}),
      Value::Vector({L(1)}),
      Value::Tuple({L(1), L(2)}),
      Value::Vector({L(1), L(3)}),
      Value::Vector({L(2)}),
      Value::Map({}),
      Value::Map({{K("a"), L(1)}}),
      Value::Map({{K("a"), L(1)}, {K("b"), L(2)}}),
      Value::Map({{K("a"), L(2)}}),
      Value::Map({{K("b"), L(0)}}),
      Value::Set({}),
      Value::Set({L(1)}),
      Value::Set({L(1), L(2)}),
      Value::Set({L(2)}),
      Value::Tagged(Value::Symbol("a/b"), L(1)),
      Value::Tagged(Value::Symbol("a/b"), L(2)),
      Value::Tagged(Value::Symbol("a/c"), L(0)),
  };
}

TEST(ValueTest, TotalOrderAcrossAndWithinTypes) {
  std::vector<Value> values = AscendingValues();
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(Compare(values[i], values[i]), 0) << Show(values[i]);
    EXPECT_EQ(values[i], values[i]) << Show(values[i]);
    for (size_t j = i + 1; j < values.size(); ++j) {
      EXPECT_LT(Compare(values[i], values[j]), 0)
          << Show(values[i]) << " should sort before " << Show(values[j]);
      EXPECT_GT(Compare(values[j], values[i]), 0)
          << Show(values[j]) << " should sort after " << Show(values[i]);
      EXPECT_NE(values[i], values[j]) << Show(values[i]) << " vs " << Show(values[j]);
      EXPECT_TRUE(values[i] < values[j]);
      EXPECT_FALSE(values[j] < values[i]);
    }
  }
}

TEST(ValueTest, EqualValuesHaveEqualHashesAndCompareZero) {
  std::vector<std::vector<Value>> groups = {
      {L(5), Value::Ref(5)},
      {Value::Tuple({L(1), L(2)}), Value::Vector({L(1), L(2)}),
       Value::Vector({Value::Ref(1), L(2)})},
      {Value::Map({{Value::Ref(1), K("x")}}), Value::Map({{L(1), K("x")}})},
      {Value::Set({Value::Ref(1), L(2)}), Value::Set({L(2), L(1)})},
      {Value::String(std::string(40, 'a')), Value::String(std::string(40, 'a'))},
      {Value::BigInt("7"), Value::BigInt(int64_t{7})},
      {Value::Double(kNaN), Value::Double(kNaN)},
      {Value::Keyword("a/b"), Value::Keyword("a", "b")},
      {Value::Symbol("a/b"), Value::Symbol("a", "b")},
      {Value::Map({{K("a"), Value::Vector({L(1)})}, {K("b"), Value::Set({})}}),
       Value::Map({{K("b"), Value::Set({})}, {K("a"), Value::Tuple({L(1)})}})},
  };
  for (const auto& group : groups) {
    for (const Value& a : group) {
      for (const Value& b : group) {
        EXPECT_EQ(a, b) << Show(a) << " vs " << Show(b);
        EXPECT_EQ(Compare(a, b), 0) << Show(a) << " vs " << Show(b);
        EXPECT_EQ(a.Hash(), b.Hash()) << Show(a) << " vs " << Show(b);
        EXPECT_EQ(ValueHash()(a), std::hash<Value>()(b));
      }
    }
  }
}

TEST(ValueTest, CompareIsAntisymmetricAndTransitive) {
  std::vector<Value> values = AscendingValues();
  // Add equal-but-different-representation values to the mix.
  values.push_back(Value::Ref(5));
  values.push_back(Value::Vector({L(1), L(2)}));
  values.push_back(Value::Tuple({L(2)}));
  values.push_back(Value::List({L(1)}));
  values.push_back(Value::List({}));
  auto sign = [](int c) { return (c > 0) - (c < 0); };
  for (const Value& a : values) {
    for (const Value& b : values) {
      int ab = Compare(a, b);
      EXPECT_EQ(sign(ab), -sign(Compare(b, a))) << Show(a) << " vs " << Show(b);
      EXPECT_EQ(ab == 0, a == b) << Show(a) << " vs " << Show(b);
      if (a == b) {
        EXPECT_EQ(a.Hash(), b.Hash()) << Show(a);
      }
    }
  }
  for (const Value& a : values) {
    for (const Value& b : values) {
      if (Compare(a, b) > 0) continue;
      for (const Value& c : values) {
        if (Compare(b, c) > 0) continue;
        EXPECT_LE(Compare(a, c), 0) << Show(a) << " <= " << Show(b) << " <= " << Show(c);
      }
    }
  }
}

TEST(ValueTest, DistinctValuesAreUnequal) {
  std::vector<std::pair<Value, Value>> pairs = {
      {Value::Boolean(false), Value::Nil()},
      {L(0), Value::Nil()},
      {Value::String(""), Value::Nil()},
      {Value::Vector(std::vector<Value>{}), Value::Nil()},
      {Value::Vector(std::vector<Value>{}), Value::List({})},
      {Value::Vector(std::vector<Value>{}), Value::Set({})},
      {Value::Map({}), Value::Set({})},
      {Value::String("a"), Value::Keyword("a")},
      {Value::Keyword("a"), Value::Symbol("a")},
      {Value::Char(U'a'), Value::String("a")},
      {L(0), Value::Instant(0)},
      {Value::Tagged(Value::Symbol("a/b"), L(1)), L(1)},
      {Value::Vector({L(1)}), Value::Set({L(1)})},
      {Value::Vector({L(1), L(2)}), Value::Map({{L(1), L(2)}})},
      {Value::Vector({L(1), L(2)}), Value::Vector({L(2), L(1)})},
      {Value::Vector({L(1)}), Value::Vector({Value::Double(1.0)})},
      {Value::Map({{K("a"), L(1)}}), Value::Map({{K("a"), Value::Double(1.0)}})},
  };
  for (const auto& [a, b] : pairs) {
    EXPECT_NE(a, b) << Show(a) << " vs " << Show(b);
    EXPECT_NE(Compare(a, b), 0) << Show(a) << " vs " << Show(b);
  }
}

TEST(ValueTest, SortingMixedValuesRestoresTheOrder) {
  std::vector<Value> values = AscendingValues();
  std::vector<Value> shuffled(values.rbegin(), values.rend());
  // Interleave to avoid the sort merely reversing.
  std::vector<Value> mixed;
  for (size_t i = 0; i < shuffled.size(); i += 2) mixed.push_back(shuffled[i]);
  for (size_t i = 1; i < shuffled.size(); i += 2) mixed.push_back(shuffled[i]);
  std::sort(mixed.begin(), mixed.end());
  ASSERT_EQ(mixed.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(mixed[i], values[i]) << i;
  }
}

}  // namespace
}  // namespace strata::testing
