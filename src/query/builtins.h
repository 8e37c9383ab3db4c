// Private to src/query: the tables of built-in functions and aggregates that
// functions.cc serves by name, the order that comparisons and min/max share,
// and the errors every built-in throws.
//
// Errors (all of category incorrect, with {:fn <symbol>} and the offending
// argument in the data):
//   :db.error/arity                wrong number of arguments
//   :db.error/wrong-type-argument  an argument of a type the function does not
//                                  take, or two values that cannot be
//                                  compared (a long and a string)
//   :db.error/invalid-argument     the right type but a value out of range (an
//                                  index past the end, a malformed regex)
//   :db.error/arithmetic           overflow, division by zero, a decimal
//                                  quotient that does not terminate
#ifndef STRATA_QUERY_BUILTINS_H_
#define STRATA_QUERY_BUILTINS_H_

#include <cstddef>
#include <span>
#include <string_view>

#include "query/numbers.h"
#include "strata/value.h"

namespace strata::query {

using Args = std::span<const Value>;
using BuiltinFn = Value (*)(Args args);
using BuiltinAggregateFn = Value (*)(Args args, Args values);

struct BuiltinFunction {
  std::string_view name;
  BuiltinFn fn;
  // Also found as clojure.string/<name> (else as clojure.core/<name>).
  bool in_clojure_string = false;
};
struct BuiltinAggregate {
  std::string_view name;
  BuiltinAggregateFn fn;
};

// The functions of builtins.cc and of string_functions.cc.
std::span<const BuiltinFunction> BuiltinFunctions();
std::span<const BuiltinFunction> StringFunctions();
std::span<const BuiltinAggregate> BuiltinAggregates();

[[noreturn]] void ThrowArity(std::string_view fn, size_t given, std::string_view expected);
// `position` counts from 1.
[[noreturn]] void ThrowWrongType(std::string_view fn, size_t position, const Value& arg,
                                 std::string_view expected);
[[noreturn]] void ThrowInvalidArgument(std::string_view fn, const Value& arg, std::string_view why);
[[noreturn]] void ThrowIncomparable(std::string_view fn, const Value& a, const Value& b);

inline void CheckArity(std::string_view fn, Args args, size_t min, size_t max,
                       std::string_view expected) {
  if (args.size() < min || args.size() > max) ThrowArity(fn, args.size(), expected);
}

// The class of values that order among themselves: all numbers; a ref with
// the longs (they are numbers); a tuple with the vectors; every other type by
// itself.
inline ValueType OrderClass(const Value& v) {
  if (IsNumber(v)) return ValueType::kLong;
  if (v.type() == ValueType::kTuple) return ValueType::kVector;
  return v.type();
}
inline bool Orderable(const Value& a, const Value& b) { return OrderClass(a) == OrderClass(b); }

// The order of two values for <, >, <=, >=: numbers by numeric value
// (kUnordered with NaN), other values of one class by strata::Compare.
// Throws wrong-type-argument when the classes differ.
inline NumOrder Order(std::string_view fn, const Value& a, const Value& b) {
  if (a.is_long() && b.is_long()) {
    int64_t x = a.AsLong(), y = b.AsLong();
    return x < y ? NumOrder::kLess : (x > y ? NumOrder::kGreater : NumOrder::kEqual);
  }
  if (IsNumber(a) && IsNumber(b)) return CompareNumbers(a, b);
  if (!Orderable(a, b)) ThrowIncomparable(fn, a, b);
  int c = Compare(a, b);
  return c < 0 ? NumOrder::kLess : (c > 0 ? NumOrder::kGreater : NumOrder::kEqual);
}

// A total order over values of one OrderClass, for sorting (min, max,
// median, compare): numbers by numeric value with NaN greatest, numerically
// equal numbers of different types (1, 1.0, 1N) by strata::Compare so that
// the order agrees with Value equality; other values by strata::Compare.
// REQUIRES: Orderable(a, b).
int TotalOrder(const Value& a, const Value& b);

// Clojure's `=` on two values: numbers as NumbersEqual, everything else by
// Value equality.
inline bool Equiv(const Value& a, const Value& b) {
  if (a.is_long() && b.is_long()) return a.AsLong() == b.AsLong();
  if (IsNumber(a) && IsNumber(b)) return NumbersEqual(a, b);
  return a == b;
}

}  // namespace strata::query

#endif  // STRATA_QUERY_BUILTINS_H_
