// The numeric tower (numbers.h). Longs take the fast paths; big integers and
// big decimals use Boost.Multiprecision, as the values themselves do.
#include "query/numbers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/value_internal.h"
#include "strata/anomaly.h"

namespace strata::query {
namespace {

using internal::BigInteger;

// The most bits a computed big number may have: as many as the largest
// number the EDN reader accepts (kMaxNumberDigits decimal digits).
constexpr size_t kMaxBits = internal::kMaxNumberDigits * 3322 / 1000 + 1;

const BigInteger& CheckSize(std::string_view fn, const BigInteger& n) {
  if (!n.is_zero() && boost::multiprecision::msb(abs(n)) >= kMaxBits) {
    ThrowArithmetic(
        fn, fmt::format("the result has more than {} decimal digits", internal::kMaxNumberDigits));
  }
  return n;
}

BigInteger Pow10(std::string_view fn, int64_t n) {
  if (n < 0 || n > static_cast<int64_t>(2 * internal::kMaxNumberDigits)) {
    ThrowArithmetic(fn, "the operands' scales are too far apart to compute exactly");
  }
  return boost::multiprecision::pow(BigInteger(10), static_cast<unsigned>(n));
}

// A long or a bigint as a big integer.
BigInteger BigOf(const Value& v) {
  return v.is_integer() ? BigInteger(v.AsLong()) : internal::BigIntOf(v);
}

// A long, bigint or bigdec as unscaled * 10^-scale.
struct Decimal {
  BigInteger unscaled;
  int64_t scale = 0;
};

Decimal DecimalOf(const Value& v) {
  if (v.type() == ValueType::kBigDec) {
    const auto& d = internal::BigDecOf(v);
    return {d.unscaled, d.scale};
  }
  return {BigOf(v), 0};
}

Value MakeDecimal(std::string_view fn, BigInteger unscaled, int64_t scale) {
  CheckSize(fn, unscaled);
  if (scale < std::numeric_limits<int32_t>::min() || scale > std::numeric_limits<int32_t>::max()) {
    ThrowArithmetic(fn, "the result's scale is out of range");
  }
  return internal::MakeBigDec(std::move(unscaled), static_cast<int32_t>(scale));
}

NumOrder FromInt(int c) {
  return c < 0 ? NumOrder::kLess : (c > 0 ? NumOrder::kGreater : NumOrder::kEqual);
}

NumOrder Flip(NumOrder o) {
  switch (o) {
    case NumOrder::kLess:
      return NumOrder::kGreater;
    case NumOrder::kGreater:
      return NumOrder::kLess;
    default:
      return o;
  }
}

NumOrder CompareDoubles(double a, double b) {
  if (a < b) return NumOrder::kLess;
  if (a > b) return NumOrder::kGreater;
  if (a == b) return NumOrder::kEqual;
  return NumOrder::kUnordered;
}

// The exact order of two decimals, never building a power of ten larger
// than the operands' own digits.
NumOrder CompareDecimals(const Decimal& a, const Decimal& b) {
  int sa = a.unscaled.sign(), sb = b.unscaled.sign();
  if (sa != sb || sa == 0) return FromInt(sa - sb);
  int64_t ea = int64_t{internal::DecimalDigits(a.unscaled)} - a.scale;
  int64_t eb = int64_t{internal::DecimalDigits(b.unscaled)} - b.scale;
  if (ea != eb) return sa > 0 ? FromInt(ea < eb ? -1 : 1) : FromInt(ea < eb ? 1 : -1);
  int64_t diff = a.scale - b.scale;  // bounded by the digit counts
  if (diff >= 0) {
    return FromInt(a.unscaled.compare(b.unscaled * Pow10("compare", diff)));
  }
  return FromInt((a.unscaled * Pow10("compare", -diff)).compare(b.unscaled));
}

// A finite double's exact value as a decimal: m * 2^e is m * 5^-e * 10^e.
Decimal DecimalOfDouble(double d) {
  int exp;
  double frac = std::frexp(d, &exp);  // d = frac * 2^exp, 0.5 <= |frac| < 1
  auto m = static_cast<int64_t>(std::ldexp(frac, 53));
  exp -= 53;
  BigInteger u(m);
  if (exp >= 0) return {u << exp, 0};
  return {u * boost::multiprecision::pow(BigInteger(5), static_cast<unsigned>(-exp)), -exp};
}

// The exact order of a bigint or bigdec `big` and a float or double `d`.
NumOrder CompareBigWithDouble(const Value& big, const Value& d) {
  double x = FloatingOf(d);
  if (std::isnan(x)) return NumOrder::kUnordered;
  if (std::isinf(x)) return x > 0 ? NumOrder::kLess : NumOrder::kGreater;
  return CompareDecimals(DecimalOf(big), DecimalOfDouble(x));
}

// Both arguments aligned to the larger scale.
struct Aligned {
  BigInteger a, b;
  int64_t scale;
};

Aligned Align(std::string_view fn, const Value& x, const Value& y) {
  Decimal a = DecimalOf(x), b = DecimalOf(y);
  if (a.scale == b.scale) return {std::move(a.unscaled), std::move(b.unscaled), a.scale};
  if (a.scale > b.scale) {
    return {std::move(a.unscaled), b.unscaled * Pow10(fn, a.scale - b.scale), a.scale};
  }
  return {a.unscaled * Pow10(fn, b.scale - a.scale), std::move(b.unscaled), b.scale};
}

NumKind Widest(const Value& a, const Value& b) { return std::max(KindOf(a), KindOf(b)); }

[[noreturn]] void ThrowOverflow(std::string_view fn) { ThrowArithmetic(fn, "integer overflow"); }
[[noreturn]] void ThrowDivideByZero(std::string_view fn) { ThrowArithmetic(fn, "divide by zero"); }

bool IsZero(const Value& v) {
  switch (KindOf(v)) {
    case NumKind::kLong:
      return v.AsLong() == 0;
    case NumKind::kBigInt:
      return internal::BigIntOf(v).is_zero();
    case NumKind::kBigDec:
      return internal::BigDecOf(v).unscaled.is_zero();
    case NumKind::kDouble:
      return FloatingOf(v) == 0;
    case NumKind::kNone:
      break;
  }
  return false;
}

enum class DivOp { kQuot, kRem, kMod };

Value IntegralDivide(std::string_view fn, DivOp op, const Value& a, const Value& b) {
  if (IsZero(b)) ThrowDivideByZero(fn);
  switch (Widest(a, b)) {
    case NumKind::kLong: {
      int64_t x = a.AsLong(), y = b.AsLong();
      if (op == DivOp::kQuot) {
        if (x == std::numeric_limits<int64_t>::min() && y == -1) ThrowOverflow(fn);
        return Value::Long(x / y);
      }
      int64_t r = y == -1 ? 0 : x % y;
      if (op == DivOp::kMod && r != 0 && ((r < 0) != (y < 0))) r += y;
      return Value::Long(r);
    }
    case NumKind::kBigInt: {
      BigInteger x = BigOf(a), y = BigOf(b);
      if (op == DivOp::kQuot) return internal::MakeBigInt(x / y);
      BigInteger r = x % y;
      if (op == DivOp::kMod && !r.is_zero() && (r.sign() != y.sign())) r += y;
      return internal::MakeBigInt(std::move(r));
    }
    case NumKind::kBigDec: {
      Aligned al = Align(fn, a, b);
      if (op == DivOp::kQuot) return MakeDecimal(fn, al.a / al.b, 0);
      BigInteger r = al.a % al.b;
      if (op == DivOp::kMod && !r.is_zero() && (r.sign() != al.b.sign())) r += al.b;
      return MakeDecimal(fn, std::move(r), al.scale);
    }
    case NumKind::kDouble: {
      double x = ToDouble(a), y = ToDouble(b);
      double q = std::trunc(x / y);
      if (op == DivOp::kQuot) return Value::Double(q);
      double r = x - q * y;
      // Clojure's mod: the remainder moved to the divisor's sign.
      if (op == DivOp::kMod && r != 0 && ((r > 0) != (y > 0))) r += y;
      return Value::Double(r);
    }
    case NumKind::kNone:
      break;
  }
  ThrowFault("IntegralDivide on a non-number");
}

}  // namespace

void ThrowArithmetic(std::string_view fn, std::string_view what) {
  ThrowIncorrect("arithmetic", fmt::format("{}: {}", fn, what),
                 Value::Map({{Value::Keyword("fn"), Value::Symbol(fn)}}));
}

double ToDouble(const Value& v) {
  switch (KindOf(v)) {
    case NumKind::kLong:
      return static_cast<double>(v.AsLong());
    case NumKind::kDouble:
      return FloatingOf(v);
    case NumKind::kBigInt: {
      const BigInteger& n = internal::BigIntOf(v);
      if (!n.is_zero() && boost::multiprecision::msb(abs(n)) > 1100) {
        return n.sign() < 0 ? -HUGE_VAL : HUGE_VAL;
      }
      return n.convert_to<double>();
    }
    case NumKind::kBigDec: {
      // strtod rounds the decimal text correctly.
      const auto& d = internal::BigDecOf(v);
      std::string text = d.unscaled.str();
      text += 'e';
      text += std::to_string(-int64_t{d.scale});
      return std::strtod(text.c_str(), nullptr);
    }
    case NumKind::kNone:
      break;
  }
  return std::nan("");
}

NumOrder CompareNumbers(const Value& a, const Value& b) {
  NumKind ka = KindOf(a), kb = KindOf(b);
  if (ka == NumKind::kLong && kb == NumKind::kLong) {
    int64_t x = a.AsLong(), y = b.AsLong();
    return x < y ? NumOrder::kLess : (x > y ? NumOrder::kGreater : NumOrder::kEqual);
  }
  if (ka == NumKind::kDouble || kb == NumKind::kDouble) {
    if (ka == NumKind::kLong) return CompareLongDouble(a.AsLong(), FloatingOf(b));
    if (kb == NumKind::kLong) return Flip(CompareLongDouble(b.AsLong(), FloatingOf(a)));
    if (ka == kb) return CompareDoubles(FloatingOf(a), FloatingOf(b));
    // A double and a bigint or bigdec: exactly, as decimals.
    if (ka == NumKind::kDouble) return Flip(CompareBigWithDouble(b, a));
    return CompareBigWithDouble(a, b);
  }
  if (ka != NumKind::kBigDec && kb != NumKind::kBigDec) {
    return FromInt(BigOf(a).compare(BigOf(b)));
  }
  return CompareDecimals(DecimalOf(a), DecimalOf(b));
}

bool NumbersEqual(const Value& a, const Value& b) {
  auto category = [](NumKind k) { return k == NumKind::kBigInt ? NumKind::kLong : k; };
  if (category(KindOf(a)) != category(KindOf(b))) return false;
  return CompareNumbers(a, b) == NumOrder::kEqual;
}

Value Add(std::string_view fn, const Value& a, const Value& b) {
  switch (Widest(a, b)) {
    case NumKind::kLong: {
      int64_t r;
      if (__builtin_add_overflow(a.AsLong(), b.AsLong(), &r)) ThrowOverflow(fn);
      return Value::Long(r);
    }
    case NumKind::kDouble:
      return Value::Double(ToDouble(a) + ToDouble(b));
    case NumKind::kBigInt:
      return internal::MakeBigInt(CheckSize(fn, BigOf(a) + BigOf(b)));
    case NumKind::kBigDec: {
      Aligned al = Align(fn, a, b);
      return MakeDecimal(fn, al.a + al.b, al.scale);
    }
    case NumKind::kNone:
      break;
  }
  ThrowFault("Add on a non-number");
}

Value Subtract(std::string_view fn, const Value& a, const Value& b) {
  switch (Widest(a, b)) {
    case NumKind::kLong: {
      int64_t r;
      if (__builtin_sub_overflow(a.AsLong(), b.AsLong(), &r)) ThrowOverflow(fn);
      return Value::Long(r);
    }
    case NumKind::kDouble:
      return Value::Double(ToDouble(a) - ToDouble(b));
    case NumKind::kBigInt:
      return internal::MakeBigInt(CheckSize(fn, BigOf(a) - BigOf(b)));
    case NumKind::kBigDec: {
      Aligned al = Align(fn, a, b);
      return MakeDecimal(fn, al.a - al.b, al.scale);
    }
    case NumKind::kNone:
      break;
  }
  ThrowFault("Subtract on a non-number");
}

Value Multiply(std::string_view fn, const Value& a, const Value& b) {
  switch (Widest(a, b)) {
    case NumKind::kLong: {
      int64_t r;
      if (__builtin_mul_overflow(a.AsLong(), b.AsLong(), &r)) ThrowOverflow(fn);
      return Value::Long(r);
    }
    case NumKind::kDouble:
      return Value::Double(ToDouble(a) * ToDouble(b));
    case NumKind::kBigInt: {
      BigInteger x = BigOf(a), y = BigOf(b);
      // The product has at least msb(x) + msb(y) + 1 bits: refuse it before
      // computing it when that is already too many.
      if (!x.is_zero() && !y.is_zero() &&
          boost::multiprecision::msb(abs(x)) + boost::multiprecision::msb(abs(y)) >= kMaxBits) {
        ThrowArithmetic(fn, fmt::format("the result has more than {} decimal digits",
                                        internal::kMaxNumberDigits));
      }
      return internal::MakeBigInt(CheckSize(fn, x * y));
    }
    case NumKind::kBigDec: {
      Decimal x = DecimalOf(a), y = DecimalOf(b);
      return MakeDecimal(fn, x.unscaled * y.unscaled, x.scale + y.scale);
    }
    case NumKind::kNone:
      break;
  }
  ThrowFault("Multiply on a non-number");
}

Value Divide(std::string_view fn, const Value& a, const Value& b) {
  NumKind kind = Widest(a, b);
  if (kind == NumKind::kDouble) return Value::Double(ToDouble(a) / ToDouble(b));
  if (IsZero(b)) ThrowDivideByZero(fn);
  switch (kind) {
    case NumKind::kLong: {
      int64_t x = a.AsLong(), y = b.AsLong();
      if (x == std::numeric_limits<int64_t>::min() && y == -1) ThrowOverflow(fn);
      if (x % y == 0) return Value::Long(x / y);
      return Value::Double(static_cast<double>(x) / static_cast<double>(y));
    }
    case NumKind::kBigInt: {
      BigInteger x = BigOf(a), y = BigOf(b), q, r;
      boost::multiprecision::divide_qr(x, y, q, r);
      if (r.is_zero()) return internal::MakeBigInt(std::move(q));
      return Value::Double(ToDouble(a) / ToDouble(b));
    }
    case NumKind::kBigDec: {
      // x / y = (ux / uy) * 10^(sy - sx): exact when uy / gcd(ux, uy) has no
      // prime factors but 2 and 5.
      Decimal x = DecimalOf(a), y = DecimalOf(b);
      if (x.unscaled.is_zero()) return MakeDecimal(fn, 0, std::max<int64_t>(x.scale - y.scale, 0));
      BigInteger g = boost::multiprecision::gcd(x.unscaled, y.unscaled);
      BigInteger num = x.unscaled / g, den = y.unscaled / g;
      if (den.sign() < 0) num = -num, den = -den;
      BigInteger rest = den;
      int64_t twos = 0, fives = 0;
      while (!rest.is_zero() && (rest & 1) == 0) rest >>= 1, ++twos;
      while (rest % 5 == 0) rest /= 5, ++fives;
      if (rest != 1) {
        ThrowArithmetic(fn, "non-terminating decimal expansion; no exact decimal result");
      }
      int64_t k = std::max(twos, fives);
      return MakeDecimal(fn, num * (Pow10(fn, k) / den), x.scale - y.scale + k);
    }
    default:
      break;
  }
  ThrowFault("Divide on a non-number");
}

Value Quot(std::string_view fn, const Value& a, const Value& b) {
  return IntegralDivide(fn, DivOp::kQuot, a, b);
}
Value Rem(std::string_view fn, const Value& a, const Value& b) {
  return IntegralDivide(fn, DivOp::kRem, a, b);
}
Value Mod(std::string_view fn, const Value& a, const Value& b) {
  return IntegralDivide(fn, DivOp::kMod, a, b);
}

Value Negate(std::string_view fn, const Value& a) {
  switch (KindOf(a)) {
    case NumKind::kLong:
      if (a.AsLong() == std::numeric_limits<int64_t>::min()) ThrowOverflow(fn);
      return Value::Long(-a.AsLong());
    case NumKind::kBigInt:
      return internal::MakeBigInt(-internal::BigIntOf(a));
    case NumKind::kBigDec: {
      const auto& d = internal::BigDecOf(a);
      return internal::MakeBigDec(-d.unscaled, d.scale);
    }
    case NumKind::kDouble:
      return Value::Double(-FloatingOf(a));
    case NumKind::kNone:
      break;
  }
  ThrowFault("Negate on a non-number");
}

int Sign(const Value& a) {
  switch (KindOf(a)) {
    case NumKind::kLong:
      return (a.AsLong() > 0) - (a.AsLong() < 0);
    case NumKind::kBigInt:
      return internal::BigIntOf(a).sign();
    case NumKind::kBigDec:
      return internal::BigDecOf(a).unscaled.sign();
    case NumKind::kDouble: {
      double d = FloatingOf(a);
      return (d > 0) - (d < 0);
    }
    case NumKind::kNone:
      break;
  }
  return 0;
}

}  // namespace strata::query
