// Equality, hashing and the total order of Values (see value.h for the
// rules). Index order in later layers is composed from Compare, so it must
// never depend on anything process-specific such as intern addresses.
#include <xxhash.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "core/value_internal.h"
#include "strata/value.h"

namespace strata {

using internal::BigDecObject;
using internal::BigInteger;
using internal::Interned;
using internal::SeqObject;
using internal::ValueAccess;

namespace {

// Refs order and compare as longs, tuples as vectors.
ValueType OrderClass(ValueType t) {
  if (t == ValueType::kRef) return ValueType::kLong;
  if (t == ValueType::kTuple) return ValueType::kVector;
  return t;
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Double.compare / Float.compare: -0.0 < 0.0, NaN greatest and equal to
// itself.
template <typename F>
int CompareFloating(F a, F b) {
  bool a_nan = std::isnan(a), b_nan = std::isnan(b);
  if (a_nan || b_nan) return Cmp(a_nan, b_nan);
  if (a < b) return -1;
  if (a > b) return 1;
  return Cmp(!std::signbit(a), !std::signbit(b));
}

int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return Cmp(a.size(), b.size());
}

std::string_view RawBytes(const Value& v) {
  auto bytes = v.AsBytes();
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Bytewise order of two strings whose first 8 bytes (zero-padded) are
// `pa` and `pb`.
int ComparePrefixed(uint64_t pa, std::string_view a, uint64_t pb, std::string_view b) {
  if (pa != pb) return pa < pb ? -1 : 1;
  if (a.size() <= 8 || b.size() <= 8) return Cmp(a.size(), b.size());
  return CompareBytes(a.substr(8), b.substr(8));
}

int CompareInterned(const Interned* a, const Interned* b) {
  if (a == b) return 0;
  // No namespace sorts first.
  if ((a->ns_size == 0) != (b->ns_size == 0)) return a->ns_size == 0 ? -1 : 1;
  int c = ComparePrefixed(a->ns_prefix, a->ns(), b->ns_prefix, b->ns());
  if (c != 0) return c;
  return ComparePrefixed(a->name_prefix, a->name(), b->name_prefix, b->name());
}

// Numeric order of two bigdecs, then scale (so 1.0M < 1.00M and the order
// agrees with scale-sensitive equality).
int CompareBigDec(const BigDecObject& a, const BigDecObject& b) {
  int sa = a.unscaled.sign(), sb = b.unscaled.sign();
  if (sa != sb) return Cmp(sa, sb);
  if (sa != 0) {
    // Compare the decimal exponents of the leading digits first: this never
    // needs a power of ten larger than the operands themselves.
    int64_t ea = int64_t{a.digits} - a.scale, eb = int64_t{b.digits} - b.scale;
    if (ea != eb) return sa > 0 ? Cmp(ea, eb) : Cmp(eb, ea);
    // Same leading exponent: scales differ by the digit counts' difference.
    int64_t diff = int64_t{a.scale} - b.scale;
    int c;
    if (diff >= 0) {
      BigInteger scaled =
          b.unscaled * boost::multiprecision::pow(BigInteger(10), static_cast<unsigned>(diff));
      c = a.unscaled.compare(scaled);
    } else {
      BigInteger scaled =
          a.unscaled * boost::multiprecision::pow(BigInteger(10), static_cast<unsigned>(-diff));
      c = scaled.compare(b.unscaled);
    }
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return Cmp(a.scale, b.scale);
}

int CompareItems(std::span<const Value> a, std::span<const Value> b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int c = Compare(a[i], b[i]);
    if (c != 0) return c;
  }
  return Cmp(a.size(), b.size());
}

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t Combine(uint64_t seed, uint64_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

uint64_t HashText(std::string_view s, uint64_t seed) {
  return XXH3_64bits_withSeed(s.data(), s.size(), seed);
}

uint64_t HashBigInteger(const BigInteger& n, uint64_t seed) {
  // The limbs of the magnitude and the sign.
  const auto& backend = n.backend();
  uint64_t h =
      XXH3_64bits_withSeed(backend.limbs(), backend.size() * sizeof(*backend.limbs()), seed);
  return Combine(h, static_cast<uint64_t>(n.sign() + 1));
}

}  // namespace

int Compare(const Value& a, const Value& b) {
  ValueType ta = OrderClass(a.type()), tb = OrderClass(b.type());
  if (ta != tb) return Cmp(static_cast<int>(ta), static_cast<int>(tb));
  switch (ta) {
    case ValueType::kNil:
      return 0;
    case ValueType::kBoolean:
      return Cmp(a.AsBoolean(), b.AsBoolean());
    case ValueType::kLong:
      return Cmp(a.AsLong(), b.AsLong());
    case ValueType::kBigInt: {
      int c = internal::BigIntOf(a).compare(internal::BigIntOf(b));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case ValueType::kFloat:
      return CompareFloating(a.AsFloat(), b.AsFloat());
    case ValueType::kDouble:
      return CompareFloating(a.AsDouble(), b.AsDouble());
    case ValueType::kBigDec:
      return CompareBigDec(internal::BigDecOf(a), internal::BigDecOf(b));
    case ValueType::kChar:
      return Cmp(a.AsChar(), b.AsChar());
    case ValueType::kString:
    case ValueType::kUri:
      return CompareBytes(a.AsString(), b.AsString());
    case ValueType::kBytes:
      return CompareBytes(RawBytes(a), RawBytes(b));
    case ValueType::kKeyword:
    case ValueType::kSymbol:
      return CompareInterned(ValueAccess::InternedOf(a), ValueAccess::InternedOf(b));
    case ValueType::kInstant:
      return Cmp(a.AsInstant(), b.AsInstant());
    case ValueType::kUuid: {
      int c = std::memcmp(a.AsUuid().bytes.data(), b.AsUuid().bytes.data(), 16);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case ValueType::kList:
    case ValueType::kVector:
    case ValueType::kMap:
    case ValueType::kSet:
      if (a.heap() == b.heap()) return 0;
      return CompareItems(a.Items(), b.Items());
    case ValueType::kTagged: {
      int c = Compare(a.Tag(), b.Tag());
      return c != 0 ? c : Compare(a.TaggedValue(), b.TaggedValue());
    }
    case ValueType::kRef:
    case ValueType::kTuple:
      break;  // folded into kLong and kVector by OrderClass
  }
  assert(false && "unreachable");
  return 0;
}

bool operator==(const Value& a, const Value& b) {
  ValueType ta = OrderClass(a.type()), tb = OrderClass(b.type());
  if (ta != tb) return false;
  switch (ta) {
    case ValueType::kNil:
      return true;
    case ValueType::kBoolean:
    case ValueType::kLong:
    case ValueType::kChar:
    case ValueType::kInstant:
    case ValueType::kKeyword:
    case ValueType::kSymbol:
    case ValueType::kFloat:  // NaN is canonical, so bits decide
    case ValueType::kDouble:
      return a.bits() == b.bits();
    case ValueType::kString:
    case ValueType::kUri:
      return a.AsString() == b.AsString();
    case ValueType::kBytes:
      return RawBytes(a) == RawBytes(b);
    case ValueType::kUuid:
      return a.AsUuid() == b.AsUuid();
    case ValueType::kBigInt:
      return internal::BigIntOf(a) == internal::BigIntOf(b);
    case ValueType::kBigDec: {
      const BigDecObject& x = internal::BigDecOf(a);
      const BigDecObject& y = internal::BigDecOf(b);
      return x.scale == y.scale && x.unscaled == y.unscaled;
    }
    case ValueType::kList:
    case ValueType::kVector:
    case ValueType::kMap:
    case ValueType::kSet: {
      if (a.heap() == b.heap()) return true;
      std::span<const Value> x = a.Items(), y = b.Items();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!(x[i] == y[i])) return false;
      }
      return true;
    }
    case ValueType::kTagged:
      return a.Tag() == b.Tag() && a.TaggedValue() == b.TaggedValue();
    case ValueType::kRef:
    case ValueType::kTuple:
      break;
  }
  assert(false && "unreachable");
  return false;
}

size_t Value::Hash() const {
  ValueType t = OrderClass(type());
  uint64_t seed = static_cast<uint64_t>(t) * 0x9e3779b97f4a7c15ULL;
  switch (t) {
    case ValueType::kNil:
      return Mix(seed);
    case ValueType::kBoolean:
    case ValueType::kLong:
    case ValueType::kChar:
    case ValueType::kInstant:
    case ValueType::kFloat:
    case ValueType::kDouble:
      return Mix(bits() ^ seed);
    case ValueType::kKeyword:
    case ValueType::kSymbol:
      return interned()->hash;
    case ValueType::kString:
    case ValueType::kUri:
      return HashText(AsString(), seed);
    case ValueType::kBytes:
      return HashText(RawBytes(*this), seed);
    case ValueType::kUuid:
      return XXH3_64bits_withSeed(AsUuid().bytes.data(), 16, seed);
    case ValueType::kBigInt:
      return HashBigInteger(internal::BigIntOf(*this), seed);
    case ValueType::kBigDec: {
      const BigDecObject& d = internal::BigDecOf(*this);
      return Combine(HashBigInteger(d.unscaled, seed), Mix(static_cast<uint64_t>(d.scale)));
    }
    case ValueType::kList:
    case ValueType::kVector:
    case ValueType::kMap:
    case ValueType::kSet: {
      uint64_t h = Mix(seed ^ Count());
      for (const Value& item : Items()) h = Combine(h, item.Hash());
      return h;
    }
    case ValueType::kTagged:
      return Combine(Combine(seed, Tag().Hash()), TaggedValue().Hash());
    case ValueType::kRef:
    case ValueType::kTuple:
      break;
  }
  assert(false && "unreachable");
  return 0;
}

}  // namespace strata
