// The numeric tower of query functions and aggregates: comparing and
// computing across longs (and refs), big integers, big decimals, floats and
// doubles, as Clojure's arithmetic does for Datomic.
//
// Contagion, as Clojure: an operation's result has the widest kind among its
// arguments, long < bigint < bigdec < double (a float counts as a double and
// the result is a double). Long arithmetic that overflows is an error (as
// Clojure's +, -, *, inc, dec), never a wrap or a silent promotion.
//
// Comparison is by exact numeric value across all kinds: a double is the
// binary fraction it holds, so a long past 2^53 compares correctly with a
// double, and the order is transitive across kinds (which sorting needs).
// NaN is unordered with every number, itself included (IEEE, as Clojure's
// <, ==).
//
// Every error is an incorrect anomaly naming the function (`fn`) it is for.
#ifndef STRATA_QUERY_NUMBERS_H_
#define STRATA_QUERY_NUMBERS_H_

#include <cmath>
#include <cstdint>
#include <string_view>

#include "strata/value.h"

namespace strata::query {

// The kind of a number, in contagion order; kNone for a non-number.
enum class NumKind : uint8_t { kNone, kLong, kBigInt, kBigDec, kDouble };

inline NumKind KindOf(const Value& v) {
  switch (v.type()) {
    case ValueType::kLong:
    case ValueType::kRef:
      return NumKind::kLong;
    case ValueType::kBigInt:
      return NumKind::kBigInt;
    case ValueType::kBigDec:
      return NumKind::kBigDec;
    case ValueType::kFloat:
    case ValueType::kDouble:
      return NumKind::kDouble;
    default:
      return NumKind::kNone;
  }
}
inline bool IsNumber(const Value& v) { return KindOf(v) != NumKind::kNone; }

// A float or double as a double. REQUIRES: KindOf(v) == kDouble.
inline double FloatingOf(const Value& v) {
  return v.is_double() ? v.AsDouble() : static_cast<double>(v.AsFloat());
}

// Any number as the nearest double (big numbers past the double range
// become infinities). REQUIRES: IsNumber(v).
double ToDouble(const Value& v);

// The numeric order of two numbers. REQUIRES: both are numbers.
enum class NumOrder : int8_t { kLess = -1, kEqual = 0, kGreater = 1, kUnordered = 2 };
NumOrder CompareNumbers(const Value& a, const Value& b);

// The exact order of a long and a double (kUnordered when d is NaN).
inline NumOrder CompareLongDouble(int64_t l, double d) {
  if (std::isnan(d)) return NumOrder::kUnordered;
  // 2^63 is exact as a double; every double in [-2^63, 2^63) truncates to an
  // int64 without overflow.
  if (d >= 9223372036854775808.0) return NumOrder::kLess;
  if (d < -9223372036854775808.0) return NumOrder::kGreater;
  auto t = static_cast<int64_t>(d);
  if (l != t) return l < t ? NumOrder::kLess : NumOrder::kGreater;
  double frac = d - static_cast<double>(t);  // exact
  if (frac > 0) return NumOrder::kLess;
  if (frac < 0) return NumOrder::kGreater;
  return NumOrder::kEqual;
}

// Clojure's `=` on two numbers: equal when of one category (integers: long
// and bigint; floating: float and double; decimals: bigdec) and numerically
// equal. 1 = 1N, 1.5 = 1.5f, 1.0M = 1.00M; 1 != 1.0; NaN != NaN.
bool NumbersEqual(const Value& a, const Value& b);

// Arithmetic. REQUIRES: both arguments are numbers (the callers check the
// types, so the error names the argument).
Value Add(std::string_view fn, const Value& a, const Value& b);
Value Subtract(std::string_view fn, const Value& a, const Value& b);
Value Multiply(std::string_view fn, const Value& a, const Value& b);
// Clojure's / without ratios: longs and bigints give an integer when the
// division is exact and a double otherwise; bigdecs give the exact decimal
// or, when it does not terminate, an error; doubles follow IEEE (x / 0.0 is
// an infinity or NaN). An integer or decimal divisor of zero is an error.
Value Divide(std::string_view fn, const Value& a, const Value& b);
// quot truncates toward zero; rem has the sign of the dividend; mod the
// sign of the divisor. Integers, decimals and doubles; a zero divisor is an
// error.
Value Quot(std::string_view fn, const Value& a, const Value& b);
Value Rem(std::string_view fn, const Value& a, const Value& b);
Value Mod(std::string_view fn, const Value& a, const Value& b);
Value Negate(std::string_view fn, const Value& a);
// The sign of a number: -1, 0 or 1; 0 for NaN.
int Sign(const Value& a);

// Errors of arithmetic (overflow, division by zero, a number too large).
[[noreturn]] void ThrowArithmetic(std::string_view fn, std::string_view what);

}  // namespace strata::query

#endif  // STRATA_QUERY_NUMBERS_H_
