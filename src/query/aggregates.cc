// The built-in aggregates, as Datomic's: count, count-distinct, sum, avg,
// median, variance, stddev, min, max, distinct, rand and sample, and the
// collection forms (min n ?x), (max n ?x), (rand n ?x), (sample n ?x).
//
// Each receives the constant arguments written before the variable (`args`)
// and the group's values as a bag (`values`). Decisions:
//  - count counts the bag; count-distinct and distinct use Value equality
//    (1 and 1.0 are two values).
//  - sum keeps the contagion of numbers.h: longs sum to a long (overflow is
//    an arithmetic error), any double makes a double, bigints a bigint,
//    bigdecs a bigdec. avg, median, variance and stddev are doubles; median
//    of an even count is the mean of the middle two; variance is the
//    population variance (divided by n, as Datomic's and DataScript's).
//  - min and max take any values of one OrderClass (builtins.h): numbers
//    across types by numeric value (NaN greatest), strings, keywords,
//    instants... by strata::Compare; two classes in one group is a
//    wrong-type-argument error. Numerically equal numbers of different
//    types order as TotalOrder says (by type: 1 before 1N before 1.0).
//  - (min n ?x) and (max n ?x) return a vector of up to n values of the bag
//    (duplicates kept, as :with keeps them),
//    least first for min and greatest first for max.
//  - (rand n ?x) draws n values with replacement; (sample n ?x) up to n
//    distinct values without replacement, in random order.
//  - On an empty bag: count and count-distinct 0, sum 0, distinct #{}, the
//    collection forms []; the rest nil.
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "query/builtins.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::query {
namespace {

// The most values (rand n ?x) may draw.
constexpr int64_t kMaxDraws = int64_t{1} << 24;

void NoArgs(std::string_view fn, Args args) {
  if (!args.empty()) ThrowArity(fn, args.size() + 1, "1 (the variable)");
}

// The n of (min n ?x) and the like: a long, not negative.
size_t CountArg(std::string_view fn, Args args) {
  if (args.size() != 1) ThrowArity(fn, args.size() + 1, "2 (n and the variable)");
  if (!args[0].is_integer()) ThrowWrongType(fn, 1, args[0], "a long");
  if (args[0].AsLong() < 0) ThrowInvalidArgument(fn, args[0], "n must not be negative");
  return static_cast<size_t>(args[0].AsLong());
}

[[noreturn]] void ThrowValueType(std::string_view fn, const Value& v, std::string_view expected) {
  std::string text = PrintEdn(v);
  if (text.size() > 120) text.resize(120);
  ThrowIncorrect(
      "wrong-type-argument",
      fmt::format("{}: the values must be {}; found {} {}", fn, expected, TypeName(v.type()), text),
      Value::Map({{Value::Keyword("fn"), Value::Symbol(fn)}, {Value::Keyword("arg"), v}}));
}

void CheckNumbers(std::string_view fn, Args values) {
  for (const Value& v : values) {
    if (!IsNumber(v)) ThrowValueType(fn, v, "numbers");
  }
}

// Throws unless every value orders with the first.
void CheckOrderable(std::string_view fn, Args values) {
  for (const Value& v : values) {
    if (!Orderable(values[0], v)) ThrowIncomparable(fn, values[0], v);
  }
}

std::mt19937_64& Random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

std::vector<Value> DistinctValues(Args values) {
  absl::flat_hash_set<Value, ValueHash> seen;
  std::vector<Value> out;
  for (const Value& v : values) {
    if (seen.insert(v).second) out.push_back(v);
  }
  return out;
}

// Numbers as doubles, ordered with NaN greatest.
std::vector<double> Doubles(Args values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (const Value& v : values) out.push_back(ToDouble(v));
  return out;
}
bool DoubleLess(double a, double b) {
  if (std::isnan(b)) return !std::isnan(a);
  return a < b;
}

Value CountAgg(Args args, Args values) {
  NoArgs("count", args);
  return Value::Long(static_cast<int64_t>(values.size()));
}

Value CountDistinct(Args args, Args values) {
  NoArgs("count-distinct", args);
  absl::flat_hash_set<Value, ValueHash> seen(values.begin(), values.end());
  return Value::Long(static_cast<int64_t>(seen.size()));
}

Value Sum(Args args, Args values) {
  NoArgs("sum", args);
  CheckNumbers("sum", values);
  int64_t total = 0;
  size_t i = 0;
  for (; i < values.size() && values[i].is_integer(); ++i) {
    if (__builtin_add_overflow(total, values[i].AsLong(), &total)) {
      ThrowArithmetic("sum", "integer overflow");
    }
  }
  Value acc = Value::Long(total);
  for (; i < values.size(); ++i) acc = Add("sum", acc, values[i]);
  return acc;
}

// The mean of doubles, with Neumaier's compensated sum.
double Mean(const std::vector<double>& xs) {
  double sum = 0, compensation = 0;
  for (double x : xs) {
    double t = sum + x;
    if (std::fabs(sum) >= std::fabs(x)) {
      compensation += (sum - t) + x;
    } else {
      compensation += (x - t) + sum;
    }
    sum = t;
  }
  return (sum + compensation) / static_cast<double>(xs.size());
}

Value Avg(Args args, Args values) {
  NoArgs("avg", args);
  CheckNumbers("avg", values);
  if (values.empty()) return Value();
  if (std::all_of(values.begin(), values.end(), [](const Value& v) { return v.is_integer(); })) {
    __extension__ __int128 total = 0;  // cannot overflow for fewer than 2^64 values
    for (const Value& v : values) total += v.AsLong();
    return Value::Double(static_cast<double>(total) / static_cast<double>(values.size()));
  }
  return Value::Double(Mean(Doubles(values)));
}

Value Median(Args args, Args values) {
  NoArgs("median", args);
  CheckNumbers("median", values);
  if (values.empty()) return Value();
  std::vector<double> xs = Doubles(values);
  size_t mid = xs.size() / 2;
  std::nth_element(xs.begin(), xs.begin() + static_cast<ptrdiff_t>(mid), xs.end(), DoubleLess);
  double upper = xs[mid];
  if (xs.size() % 2 == 1) return Value::Double(upper);
  double lower =
      *std::max_element(xs.begin(), xs.begin() + static_cast<ptrdiff_t>(mid), DoubleLess);
  return Value::Double(lower + (upper - lower) / 2);
}

// Population variance by Welford's method; nil for no values.
bool Variance(std::string_view fn, Args args, Args values, double* out) {
  NoArgs(fn, args);
  CheckNumbers(fn, values);
  if (values.empty()) return false;
  double mean = 0, m2 = 0;
  size_t n = 0;
  for (const Value& v : values) {
    double x = ToDouble(v);
    ++n;
    double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }
  *out = m2 / static_cast<double>(n);
  return true;
}
Value VarianceAgg(Args args, Args values) {
  double v;
  return Variance("variance", args, values, &v) ? Value::Double(v) : Value();
}
Value Stddev(Args args, Args values) {
  double v;
  return Variance("stddev", args, values, &v) ? Value::Double(std::sqrt(v)) : Value();
}

// (min ?x), (max ?x), (min n ?x), (max n ?x). `sign` is -1 for min, 1 for max.
Value Extreme(std::string_view fn, Args args, Args values, int sign) {
  if (!args.empty()) {
    size_t n = CountArg(fn, args);
    CheckOrderable(fn, values);
    std::vector<Value> sorted(values.begin(), values.end());
    auto before = [sign](const Value& a, const Value& b) { return -sign * TotalOrder(a, b) < 0; };
    std::sort(sorted.begin(), sorted.end(), before);
    if (sorted.size() > n) sorted.resize(n);
    return Value::Vector(std::move(sorted));
  }
  if (values.empty()) return Value();
  CheckOrderable(fn, values);
  const Value* best = &values[0];
  for (const Value& v : values) {
    if (sign * TotalOrder(v, *best) > 0) best = &v;
  }
  return *best;
}
Value MinAgg(Args args, Args values) { return Extreme("min", args, values, -1); }
Value MaxAgg(Args args, Args values) { return Extreme("max", args, values, 1); }

Value DistinctAgg(Args args, Args values) {
  NoArgs("distinct", args);
  return Value::Set(DistinctValues(values));
}

Value Rand(Args args, Args values) {
  if (args.empty()) {
    if (values.empty()) return Value();
    std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
    return values[pick(Random())];
  }
  size_t n = CountArg("rand", args);
  if (args[0].AsLong() > kMaxDraws) {
    ThrowInvalidArgument("rand", args[0], fmt::format("n may be at most {}", kMaxDraws));
  }
  std::vector<Value> out;
  if (values.empty()) return Value::Vector(std::move(out));
  out.reserve(n);
  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  for (size_t i = 0; i < n; ++i) out.push_back(values[pick(Random())]);
  return Value::Vector(std::move(out));
}

Value Sample(Args args, Args values) {
  size_t n = CountArg("sample", args);
  std::vector<Value> pool = DistinctValues(values);
  size_t take = std::min(n, pool.size());
  // A partial Fisher-Yates shuffle: the first `take` are the sample.
  for (size_t i = 0; i < take; ++i) {
    std::uniform_int_distribution<size_t> pick(i, pool.size() - 1);
    std::swap(pool[i], pool[pick(Random())]);
  }
  pool.resize(take);
  return Value::Vector(std::move(pool));
}

constexpr std::array kAggregates = {
    BuiltinAggregate{"count", CountAgg}, BuiltinAggregate{"count-distinct", CountDistinct},
    BuiltinAggregate{"sum", Sum},        BuiltinAggregate{"avg", Avg},
    BuiltinAggregate{"median", Median},  BuiltinAggregate{"variance", VarianceAgg},
    BuiltinAggregate{"stddev", Stddev},  BuiltinAggregate{"min", MinAgg},
    BuiltinAggregate{"max", MaxAgg},     BuiltinAggregate{"distinct", DistinctAgg},
    BuiltinAggregate{"rand", Rand},      BuiltinAggregate{"sample", Sample},
};

}  // namespace

std::span<const BuiltinAggregate> BuiltinAggregates() { return kAggregates; }

}  // namespace strata::query
