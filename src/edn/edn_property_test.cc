// Property tests: random nested Values of every type survive print -> read,
// and Compare, == and Hash form one consistent total order.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "strata/edn.h"
#include "strata/value.h"

namespace strata {

// Lets rapidcheck and gtest show Values in failure messages.
// rapidcheck finds showValue by this exact name.
[[maybe_unused]] static void showValue(  // NOLINT(readability-identifier-naming)
    const Value& value, std::ostream& os) {
  os << PrintEdn(value);
}
[[maybe_unused]] static void PrintTo(const Value& value, std::ostream* os) {
  *os << PrintEdn(value);
}

namespace {

// Encodes one Unicode scalar value as UTF-8.
void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// A Unicode scalar value, biased to ASCII and the characters EDN escapes.
rc::Gen<char32_t> GenCodePoint() {
  return rc::gen::weightedOneOf<char32_t>({
      {6, rc::gen::inRange<char32_t>(0x20, 0x7F)},
      {2, rc::gen::element<char32_t>(U'"', U'\\', U'\n', U'\t', U'\r', U'\b', U'\f', U'\0',
                                     char32_t{0x7F}, U' ', U';', U',', U'#')},
      {1, rc::gen::inRange<char32_t>(0, 0x20)},
      {1, rc::gen::inRange<char32_t>(0x80, 0x800)},
      {1, rc::gen::inRange<char32_t>(0x800, 0xD800)},
      {1, rc::gen::inRange<char32_t>(0xE000, 0x10000)},
      {1, rc::gen::inRange<char32_t>(0x10000, 0x110000)},
  });
}

rc::Gen<std::string> GenUtf8String() {
  return rc::gen::map(rc::gen::container<std::vector<char32_t>>(GenCodePoint()),
                      [](const std::vector<char32_t>& cps) {
                        std::string s;
                        for (char32_t c : cps) AppendUtf8(c, &s);
                        return s;
                      });
}

// A name that is a valid EDN symbol or keyword name (and not nil/true/false).
rc::Gen<std::string> GenName() {
  static const std::string kFirst = "abcdefghijklmnopqrstuvwxyzABCXYZ*!_?<>=";
  static const std::string kRest = "abcdefghijklmnopqrstuvwxyz0123456789-*+!_?<>=.#";
  return rc::gen::apply(
      [](char first, const std::vector<char>& rest) {
        std::string s(1, first);
        s.append(rest.begin(), rest.end());
        return s;
      },
      rc::gen::elementOf(kFirst),
      rc::gen::resize(8, rc::gen::container<std::vector<char>>(rc::gen::elementOf(kRest))));
}

rc::Gen<std::string> GenNamespace() {
  return rc::gen::weightedOneOf<std::string>({
      {2, rc::gen::just(std::string())},
      {1, rc::gen::element<std::string>("db", "db.type", "person", "a.b.c")},
      {1, GenName()},
  });
}

rc::Gen<std::string> GenDigits(int max_len) {
  return rc::gen::apply(
      [](bool negative, char first, const std::vector<char>& rest) {
        std::string s = negative ? "-" : "";
        s.push_back(first);
        s.append(rest.begin(), rest.end());
        return s;
      },
      rc::gen::arbitrary<bool>(), rc::gen::elementOf(std::string("123456789")),
      rc::gen::resize(max_len, rc::gen::container<std::vector<char>>(
                                   rc::gen::elementOf(std::string("0123456789")))));
}

rc::Gen<double> GenDouble() {
  return rc::gen::weightedOneOf<double>({
      {4, rc::gen::arbitrary<double>()},
      {1, rc::gen::map(rc::gen::arbitrary<uint64_t>(),
                       [](uint64_t bits) {
                         double d;
                         std::memcpy(&d, &bits, sizeof(d));
                         return d;
                       })},
      {1, rc::gen::element<double>(0.0, -0.0, 0.1, 1.0, -1.0, 5e-324, 1.7976931348623157e308,
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(),
                                   std::numeric_limits<double>::quiet_NaN())},
  });
}

rc::Gen<float> GenFloat() {
  return rc::gen::weightedOneOf<float>({
      {3, rc::gen::arbitrary<float>()},
      {1, rc::gen::map(rc::gen::arbitrary<uint32_t>(),
                       [](uint32_t bits) {
                         float f;
                         std::memcpy(&f, &bits, sizeof(f));
                         return f;
                       })},
      {1, rc::gen::element<float>(0.0f, -0.0f, 0.1f, 1.0f, std::numeric_limits<float>::infinity(),
                                  std::numeric_limits<float>::quiet_NaN())},
  });
}

rc::Gen<Value> GenScalar() {
  using rc::gen::map;
  return rc::gen::oneOf(
      rc::gen::just(Value()),
      map(rc::gen::arbitrary<bool>(), [](bool b) { return Value::Boolean(b); }),
      map(rc::gen::arbitrary<int64_t>(), [](int64_t n) { return Value::Long(n); }),
      map(rc::gen::inRange<int64_t>(0, int64_t{1} << 50), [](int64_t n) { return Value::Ref(n); }),
      map(GenDigits(40), [](const std::string& d) { return Value::BigInt(d); }),
      map(GenFloat(), [](float f) { return Value::Float(f); }),
      map(GenDouble(), [](double d) { return Value::Double(d); }),
      rc::gen::apply(
          [](const std::string& unscaled, int32_t scale) { return Value::BigDec(unscaled, scale); },
          rc::gen::oneOf(GenDigits(30), rc::gen::just(std::string("0"))),
          rc::gen::inRange<int32_t>(-30, 31)),
      map(GenCodePoint(), [](char32_t c) { return Value::Char(c); }),
      map(GenUtf8String(), [](const std::string& s) { return Value::String(s); }),
      rc::gen::apply(
          [](const std::string& ns, const std::string& name) { return Value::Keyword(ns, name); },
          GenNamespace(), GenName()),
      rc::gen::apply(
          [](const std::string& ns, const std::string& name) { return Value::Symbol(ns, name); },
          GenNamespace(),
          rc::gen::suchThat(
              GenName(),
              [](const std::string& n) { return n != "nil" && n != "true" && n != "false"; })),
      // Mostly years 0001 to 9999, sometimes any millisecond at all.
      map(rc::gen::weightedOneOf<int64_t>(
              {{4, rc::gen::inRange<int64_t>(-62135596800000, 253402300800000)},
               {1, rc::gen::arbitrary<int64_t>()}}),
          [](int64_t ms) { return Value::Instant(ms); }),
      map(rc::gen::arbitrary<std::array<uint8_t, 16>>(),
          [](const std::array<uint8_t, 16>& bytes) {
            Uuid uuid;
            uuid.bytes = bytes;
            return Value::MakeUuid(uuid);
          }),
      map(rc::gen::container<std::string>(rc::gen::elementOf(std::string("abcxyz0189-._~/"))),
          [](const std::string& s) { return Value::Uri("https://example.com/" + s); }),
      map(rc::gen::arbitrary<std::vector<uint8_t>>(),
          [](const std::vector<uint8_t>& b) { return Value::Bytes(b); }));
}

// Random Values of every type, collections nested at most `depth` deep.
rc::Gen<Value> GenValue(int depth) {
  if (depth <= 0) return GenScalar();
  rc::Gen<Value> inner = GenValue(depth - 1);
  auto items = rc::gen::resize(6, rc::gen::container<std::vector<Value>>(inner));
  using rc::gen::map;
  return rc::gen::weightedOneOf<Value>({
      {3, GenScalar()},
      {1, map(items, [](std::vector<Value> v) { return Value::Vector(std::move(v)); })},
      {1, map(items, [](std::vector<Value> v) { return Value::List(std::move(v)); })},
      {1, map(items, [](std::vector<Value> v) { return Value::Tuple(std::move(v)); })},
      {1, map(rc::gen::resize(6, rc::gen::container<std::vector<std::pair<Value, Value>>>(
                                     rc::gen::pair(inner, inner))),
              [](const std::vector<std::pair<Value, Value>>& pairs) {
                // std::map keyed by Value order drops duplicate keys.
                std::map<Value, Value> unique(pairs.begin(), pairs.end());
                return Value::Map(std::vector<ValuePair>(unique.begin(), unique.end()));
              })},
      {1, map(items,
              [](const std::vector<Value>& v) {
                std::set<Value> unique(v.begin(), v.end());
                return Value::Set(std::vector<Value>(unique.begin(), unique.end()));
              })},
      {1,
       rc::gen::apply([](const std::string& ns, const std::string& name,
                         Value v) { return Value::Tagged(Value::Symbol(ns, name), std::move(v)); },
                      rc::gen::element<std::string>("my", "x.y", "app"), GenName(), inner)},
  });
}

// Values drawn from a small pool, so that equal pairs and triples are common:
// refs and longs, tuples and vectors, the double and bigdec corner cases.
rc::Gen<Value> GenSmallValue(int depth) {
  rc::Gen<Value> scalar = rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange<int64_t>(-2, 3), [](int64_t n) { return Value::Long(n); }),
      rc::gen::map(rc::gen::inRange<int64_t>(0, 3), [](int64_t n) { return Value::Ref(n); }),
      rc::gen::map(rc::gen::inRange<int64_t>(-1, 2), [](int64_t n) { return Value::BigInt(n); }),
      rc::gen::element<Value>(
          Value(), Value::Boolean(false), Value::Boolean(true), Value::Double(0.0),
          Value::Double(-0.0), Value::Double(1.0),
          Value::Double(std::numeric_limits<double>::quiet_NaN()),
          Value::Double(std::numeric_limits<double>::infinity()), Value::Float(0.0f),
          Value::Float(-0.0f), Value::Float(std::numeric_limits<float>::quiet_NaN()),
          Value::BigDec("1", 0), Value::BigDec("10", 1), Value::BigDec("100", 2),
          Value::BigDec("1", -1), Value::BigDec("10", 0), Value::String(""), Value::String("a"),
          Value::String("ab"), Value::String(std::string(20, 'a')), Value::Char(U'a'),
          Value::Keyword("a"), Value::Keyword("a/a"), Value::Keyword("b"), Value::Symbol("a"),
          Value::Instant(0), Value::Instant(1), Value::Uri("urn:a"),
          Value::Bytes(std::vector<uint8_t>{}), Value::Bytes(std::vector<uint8_t>{0x80})));
  if (depth <= 0) return scalar;
  rc::Gen<Value> inner = GenSmallValue(depth - 1);
  auto items = rc::gen::resize(3, rc::gen::container<std::vector<Value>>(inner));
  return rc::gen::weightedOneOf<Value>({
      {6, scalar},
      {1, rc::gen::map(items, [](std::vector<Value> v) { return Value::Vector(std::move(v)); })},
      {1, rc::gen::map(items, [](std::vector<Value> v) { return Value::Tuple(std::move(v)); })},
      {1, rc::gen::map(items, [](std::vector<Value> v) { return Value::List(std::move(v)); })},
      {1, rc::gen::map(items,
                       [](const std::vector<Value>& v) {
                         std::set<Value> unique(v.begin(), v.end());
                         return Value::Set(std::vector<Value>(unique.begin(), unique.end()));
                       })},
      {1, rc::gen::map(items,
                       [](const std::vector<Value>& v) {
                         std::map<Value, Value> unique;
                         for (size_t i = 0; i + 1 < v.size(); i += 2) {
                           unique.emplace(v[i], v[i + 1]);
                         }
                         return Value::Map(std::vector<ValuePair>(unique.begin(), unique.end()));
                       })},
  });
}

int Sign(int c) { return (c > 0) - (c < 0); }

// The same value built another way: refs as longs and longs as refs, tuples
// as vectors and vectors as tuples, map entries and set elements supplied in
// reverse order.
Value Twin(const Value& v) {
  std::vector<Value> items;
  for (const Value& item : v.Items()) items.push_back(Twin(item));
  switch (v.type()) {
    case ValueType::kLong:
      return Value::Ref(v.AsLong());
    case ValueType::kRef:
      return Value::Long(v.AsLong());
    case ValueType::kTuple:
      return Value::Vector(std::move(items));
    case ValueType::kVector:
      return Value::Tuple(std::move(items));
    case ValueType::kList:
      return Value::List(std::move(items));
    case ValueType::kSet:
      std::reverse(items.begin(), items.end());
      return Value::Set(std::move(items));
    case ValueType::kMap: {
      std::vector<ValuePair> entries;
      for (size_t i = items.size(); i >= 2; i -= 2) {
        entries.emplace_back(items[i - 2], items[i - 1]);
      }
      return Value::Map(std::move(entries));
    }
    case ValueType::kTagged:
      return Value::Tagged(v.Tag(), Twin(v.TaggedValue()));
    default:
      return v;
  }
}

ReadOptions KeepTags() {
  ReadOptions options;
  options.keep_unknown_tags = true;
  return options;
}

RC_GTEST_PROP(EdnPropertyTest, PrintThenReadIsIdentity, ()) {
  const Value v = *GenValue(3);
  const std::string text = PrintEdn(v);
  const Value back = ReadEdn(text, KeepTags());
  RC_ASSERT(back == v);
  RC_ASSERT(Compare(back, v) == 0);
  RC_ASSERT(back.Hash() == v.Hash());
  RC_ASSERT(PrintEdn(back) == text);
}

RC_GTEST_PROP(EdnPropertyTest, ReadAllEdnReadsConcatenatedPrints, ()) {
  const auto values = *rc::gen::resize(5, rc::gen::container<std::vector<Value>>(GenValue(2)));
  std::string text;
  for (const Value& v : values) {
    PrintEdn(v, &text);
    text += '\n';
  }
  const std::vector<Value> back = ReadAllEdn(text, KeepTags());
  RC_ASSERT(back.size() == values.size());
  for (size_t i = 0; i < values.size(); ++i) RC_ASSERT(back[i] == values[i]);
}

RC_GTEST_PROP(EdnPropertyTest, CompareIsAntisymmetricAndAgreesWithEquality, ()) {
  const Value a = *rc::gen::oneOf(GenValue(2), GenSmallValue(2));
  const Value b = *rc::gen::oneOf(GenValue(2), GenSmallValue(2));
  RC_ASSERT(Compare(a, a) == 0);
  RC_ASSERT(a == a);
  RC_ASSERT(Sign(Compare(a, b)) == -Sign(Compare(b, a)));
  RC_ASSERT((Compare(a, b) == 0) == (a == b));
  RC_ASSERT((a != b) == !(a == b));
  RC_ASSERT((a < b) == (Compare(a, b) < 0));
  if (a == b) RC_ASSERT(a.Hash() == b.Hash());
}

RC_GTEST_PROP(EdnPropertyTest, EqualSmallValuesHaveEqualHashes, ()) {
  const Value a = *GenSmallValue(2);
  const Value b = *GenSmallValue(2);
  RC_CLASSIFY(a == b, "equal");
  RC_ASSERT((Compare(a, b) == 0) == (a == b));
  if (a == b) RC_ASSERT(a.Hash() == b.Hash());
  // A copy is equal and hashes equally.
  const Value copy = a;
  RC_ASSERT(copy == a);
  RC_ASSERT(copy.Hash() == a.Hash());
}

RC_GTEST_PROP(EdnPropertyTest, OtherRepresentationsOfAValueAreEqual, ()) {
  const Value v = *GenValue(3);
  const Value twin = Twin(v);
  RC_ASSERT(twin == v);
  RC_ASSERT(v == twin);
  RC_ASSERT(Compare(v, twin) == 0);
  RC_ASSERT(Compare(twin, v) == 0);
  RC_ASSERT(twin.Hash() == v.Hash());
  RC_ASSERT(PrintEdn(twin) == PrintEdn(v));
}

RC_GTEST_PROP(EdnPropertyTest, CompareIsTransitive, ()) {
  std::vector<Value> three = {*GenSmallValue(2), *GenSmallValue(2), *GenSmallValue(2)};
  // Order the triple by Compare, then check the ends agree with the middle.
  std::sort(three.begin(), three.end(),
            [](const Value& x, const Value& y) { return Compare(x, y) < 0; });
  const Value& a = three[0];
  const Value& b = three[1];
  const Value& c = three[2];
  RC_ASSERT(Compare(a, b) <= 0);
  RC_ASSERT(Compare(b, c) <= 0);
  RC_ASSERT(Compare(a, c) <= 0);
  if (Compare(a, b) < 0 || Compare(b, c) < 0) RC_ASSERT(Compare(a, c) < 0);
  if (a == b && b == c) RC_ASSERT(a == c);
}

RC_GTEST_PROP(EdnPropertyTest, CompareIsTransitiveOnAnyTriple, ()) {
  const Value a = *rc::gen::oneOf(GenValue(2), GenSmallValue(1));
  const Value b = *rc::gen::oneOf(GenValue(2), GenSmallValue(1));
  const Value c = *rc::gen::oneOf(GenValue(2), GenSmallValue(1));
  if (Compare(a, b) <= 0 && Compare(b, c) <= 0) RC_ASSERT(Compare(a, c) <= 0);
  if (Compare(a, b) >= 0 && Compare(b, c) >= 0) RC_ASSERT(Compare(a, c) >= 0);
  if (Compare(a, b) < 0 && Compare(b, c) <= 0) RC_ASSERT(Compare(a, c) < 0);
}

RC_GTEST_PROP(EdnPropertyTest, SortedValuesAreNonDecreasing, ()) {
  auto values = *rc::gen::resize(
      40, rc::gen::container<std::vector<Value>>(rc::gen::oneOf(GenValue(2), GenSmallValue(2))));
  const size_t size = values.size();
  std::sort(values.begin(), values.end());
  RC_ASSERT(values.size() == size);
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    RC_ASSERT(Compare(values[i], values[i + 1]) <= 0);
    RC_ASSERT(!(values[i + 1] < values[i]));
  }
  // A set of the values lists them in the same order.
  std::set<Value> unique(values.begin(), values.end());
  const Value set = Value::Set(std::vector<Value>(unique.begin(), unique.end()));
  RC_ASSERT(set.Count() == unique.size());
  for (size_t i = 0; i + 1 < set.Count(); ++i) {
    RC_ASSERT(Compare(set.Items()[i], set.Items()[i + 1]) < 0);
  }
  for (const Value& v : values) RC_ASSERT(set.Contains(v));
}

RC_GTEST_PROP(EdnPropertyTest, MapsAndSetsIgnoreInsertionOrder, ()) {
  auto keys = *rc::gen::resize(8, rc::gen::container<std::vector<Value>>(GenValue(1)));
  std::set<Value> unique(keys.begin(), keys.end());
  std::vector<Value> forward(unique.begin(), unique.end());
  std::vector<Value> backward(unique.rbegin(), unique.rend());
  const Value s1 = Value::Set(forward);
  const Value s2 = Value::Set(backward);
  RC_ASSERT(s1 == s2);
  RC_ASSERT(s1.Hash() == s2.Hash());
  RC_ASSERT(PrintEdn(s1) == PrintEdn(s2));
  std::vector<ValuePair> entries;
  for (size_t i = 0; i < forward.size(); ++i) {
    entries.emplace_back(forward[i], Value::Long(static_cast<int64_t>(i)));
  }
  const Value m1 = Value::Map(entries);
  std::reverse(entries.begin(), entries.end());
  const Value m2 = Value::Map(entries);
  RC_ASSERT(m1 == m2);
  RC_ASSERT(m1.Hash() == m2.Hash());
  RC_ASSERT(PrintEdn(m1) == PrintEdn(m2));
  for (size_t i = 0; i < forward.size(); ++i) {
    const Value* got = m1.Get(forward[i]);
    RC_ASSERT(got != nullptr);
    RC_ASSERT(*got == Value::Long(static_cast<int64_t>(i)));
  }
}

}  // namespace
}  // namespace strata
