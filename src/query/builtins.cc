// The built-in query functions and predicates that are not about strings:
// comparison, arithmetic, numeric and truth predicates, collections and
// names. Each follows the Clojure function of the same name, which is what
// Datomic calls; where Strata differs (no ratios, exact comparison across
// number types) numbers.h says how.
//
// The engine calls these once per row, so the common cases (two longs, two
// doubles) take paths that allocate nothing.
#include "query/builtins.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "query/functions.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::query {
namespace {

const Value kTrue = Value::Boolean(true);
const Value kFalse = Value::Boolean(false);
inline Value Bool(bool b) { return b ? kTrue : kFalse; }

// A short printed form of a value for messages.
std::string Quote(const Value& v) {
  std::string text = PrintEdn(v);
  if (text.size() > 120) {
    text.resize(117);
    text += "...";
  }
  return text;
}

Value ErrorData(std::string_view fn, const Value& arg) {
  return Value::Map({{Value::Keyword("fn"), Value::Symbol(fn)}, {Value::Keyword("arg"), arg}});
}

// ---- comparison ----------------------------------------------------------

template <bool (*Ok)(NumOrder)>
Value Chain(std::string_view fn, Args args) {
  if (args.empty()) ThrowArity(fn, 0, "at least 1");
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (!Ok(Order(fn, args[i], args[i + 1]))) return kFalse;
  }
  return kTrue;
}

bool IsLess(NumOrder o) { return o == NumOrder::kLess; }
bool IsGreater(NumOrder o) { return o == NumOrder::kGreater; }
bool IsLessEq(NumOrder o) { return o == NumOrder::kLess || o == NumOrder::kEqual; }
bool IsGreaterEq(NumOrder o) { return o == NumOrder::kGreater || o == NumOrder::kEqual; }

Value Lt(Args args) {
  if (args.size() == 2 && args[0].is_long() && args[1].is_long()) {
    return Bool(args[0].AsLong() < args[1].AsLong());
  }
  return Chain<IsLess>("<", args);
}
Value Gt(Args args) {
  if (args.size() == 2 && args[0].is_long() && args[1].is_long()) {
    return Bool(args[0].AsLong() > args[1].AsLong());
  }
  return Chain<IsGreater>(">", args);
}
Value Le(Args args) {
  if (args.size() == 2 && args[0].is_long() && args[1].is_long()) {
    return Bool(args[0].AsLong() <= args[1].AsLong());
  }
  return Chain<IsLessEq>("<=", args);
}
Value Ge(Args args) {
  if (args.size() == 2 && args[0].is_long() && args[1].is_long()) {
    return Bool(args[0].AsLong() >= args[1].AsLong());
  }
  return Chain<IsGreaterEq>(">=", args);
}

bool AllEquiv(std::string_view fn, Args args) {
  if (args.empty()) ThrowArity(fn, 0, "at least 1");
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (!Equiv(args[i], args[i + 1])) return false;
  }
  return true;
}
Value Eq(Args args) { return Bool(AllEquiv("=", args)); }
Value NotEq(Args args) { return Bool(!AllEquiv("not=", args)); }
Value BangEq(Args args) { return Bool(!AllEquiv("!=", args)); }

void CheckNumber(std::string_view fn, Args args, size_t i) {
  if (!IsNumber(args[i])) ThrowWrongType(fn, i + 1, args[i], "a number");
}
void CheckNumbers(std::string_view fn, Args args) {
  for (size_t i = 0; i < args.size(); ++i) CheckNumber(fn, args, i);
}

Value NumEq(Args args) {
  if (args.empty()) ThrowArity("==", 0, "at least 1");
  CheckNumbers("==", args);
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (CompareNumbers(args[i], args[i + 1]) != NumOrder::kEqual) return kFalse;
  }
  return kTrue;
}

Value CompareFn(Args args) {
  CheckArity("compare", args, 2, 2, "2");
  const Value &a = args[0], &b = args[1];
  // nil sorts before everything, as in Clojure.
  if (a.is_nil() || b.is_nil()) return Value::Long(int{!a.is_nil()} - int{!b.is_nil()});
  if (!Orderable(a, b)) ThrowIncomparable("compare", a, b);
  if (IsNumber(a)) {
    NumOrder o = CompareNumbers(a, b);
    if (o == NumOrder::kUnordered) {
      bool a_nan = std::isnan(ToDouble(a)), b_nan = std::isnan(ToDouble(b));
      return Value::Long(int{a_nan} - int{b_nan});
    }
    return Value::Long(static_cast<int>(o));
  }
  int c = Compare(a, b);
  return Value::Long((c > 0) - (c < 0));
}

// ---- arithmetic ----------------------------------------------------------

using BinaryOp = Value (*)(std::string_view, const Value&, const Value&);

Value Fold(std::string_view fn, Args args, BinaryOp op) {
  CheckNumbers(fn, args);
  Value acc = op(fn, args[0], args[1]);
  for (size_t i = 2; i < args.size(); ++i) acc = op(fn, acc, args[i]);
  return acc;
}

Value Plus(Args args) {
  if (args.size() == 2) {
    const Value &a = args[0], &b = args[1];
    if (a.is_long() && b.is_long()) {
      int64_t r;
      if (!__builtin_add_overflow(a.AsLong(), b.AsLong(), &r)) return Value::Long(r);
    } else if (a.is_double() && b.is_double()) {
      return Value::Double(a.AsDouble() + b.AsDouble());
    }
  }
  if (args.empty()) return Value::Long(0);
  if (args.size() == 1) {
    CheckNumbers("+", args);
    return args[0];
  }
  return Fold("+", args, Add);
}

Value Minus(Args args) {
  if (args.size() == 2) {
    const Value &a = args[0], &b = args[1];
    if (a.is_long() && b.is_long()) {
      int64_t r;
      if (!__builtin_sub_overflow(a.AsLong(), b.AsLong(), &r)) return Value::Long(r);
    } else if (a.is_double() && b.is_double()) {
      return Value::Double(a.AsDouble() - b.AsDouble());
    }
  }
  if (args.empty()) ThrowArity("-", 0, "at least 1");
  if (args.size() == 1) {
    CheckNumbers("-", args);
    return Negate("-", args[0]);
  }
  return Fold("-", args, Subtract);
}

Value Times(Args args) {
  if (args.size() == 2) {
    const Value &a = args[0], &b = args[1];
    if (a.is_long() && b.is_long()) {
      int64_t r;
      if (!__builtin_mul_overflow(a.AsLong(), b.AsLong(), &r)) return Value::Long(r);
    } else if (a.is_double() && b.is_double()) {
      return Value::Double(a.AsDouble() * b.AsDouble());
    }
  }
  if (args.empty()) return Value::Long(1);
  if (args.size() == 1) {
    CheckNumbers("*", args);
    return args[0];
  }
  return Fold("*", args, Multiply);
}

Value Slash(Args args) {
  if (args.empty()) ThrowArity("/", 0, "at least 1");
  if (args.size() == 1) {
    CheckNumbers("/", args);
    return Divide("/", Value::Long(1), args[0]);
  }
  return Fold("/", args, Divide);
}

Value Binary(std::string_view fn, Args args, BinaryOp op) {
  CheckArity(fn, args, 2, 2, "2");
  CheckNumbers(fn, args);
  return op(fn, args[0], args[1]);
}
Value QuotFn(Args args) { return Binary("quot", args, Quot); }
Value RemFn(Args args) { return Binary("rem", args, Rem); }
Value ModFn(Args args) { return Binary("mod", args, Mod); }

Value Inc(Args args) {
  CheckArity("inc", args, 1, 1, "1");
  CheckNumbers("inc", args);
  return Add("inc", args[0], Value::Long(1));
}
Value Dec(Args args) {
  CheckArity("dec", args, 1, 1, "1");
  CheckNumbers("dec", args);
  return Subtract("dec", args[0], Value::Long(1));
}

bool IsNaN(const Value& v) { return KindOf(v) == NumKind::kDouble && std::isnan(FloatingOf(v)); }

// Clojure's max and min: numbers only; the winning argument itself (its
// type kept); NaN wins over everything.
Value Extreme(std::string_view fn, Args args, NumOrder wanted) {
  if (args.empty()) ThrowArity(fn, 0, "at least 1");
  CheckNumbers(fn, args);
  const Value* best = &args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    if (IsNaN(*best)) break;
    if (IsNaN(args[i]) || CompareNumbers(args[i], *best) == wanted) best = &args[i];
  }
  return *best;
}
Value Max(Args args) { return Extreme("max", args, NumOrder::kGreater); }
Value Min(Args args) { return Extreme("min", args, NumOrder::kLess); }

Value Abs(Args args) {
  CheckArity("abs", args, 1, 1, "1");
  CheckNumbers("abs", args);
  if (KindOf(args[0]) == NumKind::kDouble) return Value::Double(std::fabs(FloatingOf(args[0])));
  return Sign(args[0]) < 0 ? Negate("abs", args[0]) : args[0];
}

// ---- predicates ----------------------------------------------------------

Value NumberPredicate(std::string_view fn, Args args, int sign) {
  CheckArity(fn, args, 1, 1, "1");
  CheckNumbers(fn, args);
  if (IsNaN(args[0])) return kFalse;
  return Bool(Sign(args[0]) == sign);
}
Value IsZeroFn(Args args) { return NumberPredicate("zero?", args, 0); }
Value IsPos(Args args) { return NumberPredicate("pos?", args, 1); }
Value IsNeg(Args args) { return NumberPredicate("neg?", args, -1); }

Value Parity(std::string_view fn, Args args, bool even) {
  CheckArity(fn, args, 1, 1, "1");
  const Value& v = args[0];
  bool is_even;
  if (v.is_integer()) {
    is_even = (v.AsLong() & 1) == 0;
  } else if (v.type() == ValueType::kBigInt) {
    is_even = Rem(fn, v, Value::Long(2)) == Value::BigInt(0);
  } else {
    ThrowWrongType(fn, 1, v, "an integer");
  }
  return Bool(is_even == even);
}
Value IsEven(Args args) { return Parity("even?", args, true); }
Value IsOdd(Args args) { return Parity("odd?", args, false); }

Value IsNil(Args args) {
  CheckArity("nil?", args, 1, 1, "1");
  return Bool(args[0].is_nil());
}
Value IsSome(Args args) {
  CheckArity("some?", args, 1, 1, "1");
  return Bool(!args[0].is_nil());
}
Value IsTrue(Args args) {
  CheckArity("true?", args, 1, 1, "1");
  return Bool(args[0].is_boolean() && args[0].AsBoolean());
}
Value IsFalse(Args args) {
  CheckArity("false?", args, 1, 1, "1");
  return Bool(args[0].is_boolean() && !args[0].AsBoolean());
}
Value Not(Args args) {
  CheckArity("not", args, 1, 1, "1");
  return Bool(!Truthy(args[0]));
}
// (and) is true; else the first falsy argument or the last.
Value And(Args args) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (!Truthy(args[i])) return args[i];
  }
  return args.empty() ? kTrue : args.back();
}
// (or) is nil; else the first truthy argument or the last.
Value Or(Args args) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (Truthy(args[i])) return args[i];
  }
  return args.empty() ? Value() : args.back();
}

Value Identity(Args args) {
  CheckArity("identity", args, 1, 1, "1");
  return args[0];
}

// ---- collections ---------------------------------------------------------

std::vector<Value> Copy(Args args) { return {args.begin(), args.end()}; }

Value VectorFn(Args args) { return Value::Vector(Copy(args)); }
Value ListFn(Args args) { return Value::List(Copy(args)); }
Value TupleFn(Args args) { return Value::Tuple(Copy(args)); }

std::vector<Value> Distinct(std::vector<Value> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

Value HashSet(Args args) { return Value::Set(Distinct(Copy(args))); }

Value SetFn(Args args) {
  CheckArity("set", args, 1, 1, "1");
  const Value& v = args[0];
  if (v.is_nil()) return Value::Set(std::vector<Value>{});
  if (v.is_set()) return v;
  if (!v.is_sequential()) ThrowWrongType("set", 1, v, "a collection");
  return Value::Set(Distinct(Copy(v.Items())));
}

// (hash-map k v ...): a later key replaces an earlier equal one.
Value HashMap(Args args) {
  if (args.size() % 2 != 0) ThrowArity("hash-map", args.size(), "an even number");
  std::vector<ValuePair> entries;
  entries.reserve(args.size() / 2);
  for (size_t i = 0; i < args.size(); i += 2) entries.emplace_back(args[i], args[i + 1]);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const ValuePair& a, const ValuePair& b) { return a.first < b.first; });
  std::vector<ValuePair> unique;
  unique.reserve(entries.size());
  for (auto& e : entries) {
    if (!unique.empty() && unique.back().first == e.first) {
      unique.back() = std::move(e);
    } else {
      unique.push_back(std::move(e));
    }
  }
  return Value::Map(std::move(unique));
}

// Returns a tuple, vector or list as it is, for the engine's tuple binding
// ([(untuple ?t) [?a ?b]]) to take apart.
Value Untuple(Args args) {
  CheckArity("untuple", args, 1, 1, "1");
  if (!args[0].is_sequential()) ThrowWrongType("untuple", 1, args[0], "a tuple");
  return args[0];
}

// Code points of a string (each undecodable byte counts as one).
size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

Value Count(Args args) {
  CheckArity("count", args, 1, 1, "1");
  const Value& v = args[0];
  if (v.is_nil()) return Value::Long(0);
  if (v.is_string()) return Value::Long(static_cast<int64_t>(CodePointCount(v.AsString())));
  if (v.is_collection()) return Value::Long(static_cast<int64_t>(v.Count()));
  ThrowWrongType("count", 1, v, "a string, a collection or nil");
}

// Whether v is empty; throws for a value with no emptiness.
bool IsEmptyValue(std::string_view fn, const Value& v) {
  if (v.is_nil()) return true;
  if (v.is_string()) return v.AsString().empty();
  if (v.is_collection()) return v.Count() == 0;
  ThrowWrongType(fn, 1, v, "a string, a collection or nil");
}
Value IsEmpty(Args args) {
  CheckArity("empty?", args, 1, 1, "1");
  return Bool(IsEmptyValue("empty?", args[0]));
}
Value NotEmpty(Args args) {
  CheckArity("not-empty", args, 1, 1, "1");
  return IsEmptyValue("not-empty", args[0]) ? Value() : args[0];
}

// The element at a long index of a sequence, or null.
const Value* AtIndex(const Value& coll, const Value& key) {
  if (!coll.is_sequential() || !key.is_integer()) return nullptr;
  int64_t i = key.AsLong();
  auto items = coll.Items();
  if (i < 0 || static_cast<uint64_t>(i) >= items.size()) return nullptr;
  return &items[static_cast<size_t>(i)];
}

// (get m k) and (get m k not-found): maps by key, sets by element, vectors
// and tuples by index; anything else has no entries (as in Clojure).
Value Get(Args args) {
  CheckArity("get", args, 2, 3, "2 or 3");
  const Value &coll = args[0], &key = args[1];
  Value not_found = args.size() == 3 ? args[2] : Value();
  if (coll.is_map()) {
    const Value* v = coll.Get(key);
    return v ? *v : not_found;
  }
  if (coll.is_set()) return coll.Contains(key) ? key : not_found;
  if (coll.is_vector() || coll.is_tuple()) {
    const Value* v = AtIndex(coll, key);
    return v ? *v : not_found;
  }
  return not_found;
}

Value Contains(Args args) {
  CheckArity("contains?", args, 2, 2, "2");
  const Value &coll = args[0], &key = args[1];
  if (coll.is_nil()) return kFalse;
  if (coll.is_map()) return Bool(coll.Get(key) != nullptr);
  if (coll.is_set()) return Bool(coll.Contains(key));
  if (coll.is_vector() || coll.is_tuple()) return Bool(AtIndex(coll, key) != nullptr);
  if (coll.is_string()) {
    return Bool(key.is_integer() && key.AsLong() >= 0 &&
                static_cast<uint64_t>(key.AsLong()) < CodePointCount(coll.AsString()));
  }
  ThrowWrongType("contains?", 1, coll, "a map, set, vector, string or nil");
}

// ---- names ---------------------------------------------------------------

Value Name(Args args) {
  CheckArity("name", args, 1, 1, "1");
  const Value& v = args[0];
  if (v.is_keyword() || v.is_symbol()) return Value::String(v.Name());
  if (v.is_string()) return v;
  ThrowWrongType("name", 1, v, "a keyword, symbol or string");
}

Value Namespace(Args args) {
  CheckArity("namespace", args, 1, 1, "1");
  const Value& v = args[0];
  if (!v.is_keyword() && !v.is_symbol()) ThrowWrongType("namespace", 1, v, "a keyword or symbol");
  return v.Namespace().empty() ? Value() : Value::String(v.Namespace());
}

// keyword and symbol: from a name ("a/b" or "b"), a namespace and a name, or
// another keyword or symbol.
Value MakeName(std::string_view fn, Args args, bool keyword) {
  CheckArity(fn, args, 1, 2, "1 or 2");
  auto make = [&](std::string_view ns, std::string_view name) {
    if (name.empty()) ThrowInvalidArgument(fn, args.back(), "a name must not be empty");
    return keyword ? Value::Keyword(ns, name) : Value::Symbol(ns, name);
  };
  if (args.size() == 1) {
    const Value& v = args[0];
    if (v.is_nil()) return Value();
    if (v.is_keyword() || v.is_symbol()) return make(v.Namespace(), v.Name());
    if (!v.is_string()) ThrowWrongType(fn, 1, v, "a string, keyword or symbol");
    std::string_view text = v.AsString();
    size_t slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) {
      return make("", text);
    }
    return make(text.substr(0, slash), text.substr(slash + 1));
  }
  if (!args[0].is_nil() && !args[0].is_string()) {
    ThrowWrongType(fn, 1, args[0], "a string or nil");
  }
  if (!args[1].is_string()) ThrowWrongType(fn, 2, args[1], "a string");
  return make(args[0].is_nil() ? std::string_view() : args[0].AsString(), args[1].AsString());
}
Value KeywordFn(Args args) { return MakeName("keyword", args, true); }
Value SymbolFn(Args args) { return MakeName("symbol", args, false); }

constexpr std::array kFunctions = {
    BuiltinFunction{"=", Eq},
    BuiltinFunction{"==", NumEq},
    BuiltinFunction{"not=", NotEq},
    BuiltinFunction{"!=", BangEq},
    BuiltinFunction{"<", Lt},
    BuiltinFunction{">", Gt},
    BuiltinFunction{"<=", Le},
    BuiltinFunction{">=", Ge},
    BuiltinFunction{"compare", CompareFn},
    BuiltinFunction{"+", Plus},
    BuiltinFunction{"-", Minus},
    BuiltinFunction{"*", Times},
    BuiltinFunction{"/", Slash},
    BuiltinFunction{"quot", QuotFn},
    BuiltinFunction{"rem", RemFn},
    BuiltinFunction{"mod", ModFn},
    BuiltinFunction{"inc", Inc},
    BuiltinFunction{"dec", Dec},
    BuiltinFunction{"max", Max},
    BuiltinFunction{"min", Min},
    BuiltinFunction{"abs", Abs},
    BuiltinFunction{"zero?", IsZeroFn},
    BuiltinFunction{"pos?", IsPos},
    BuiltinFunction{"neg?", IsNeg},
    BuiltinFunction{"even?", IsEven},
    BuiltinFunction{"odd?", IsOdd},
    BuiltinFunction{"nil?", IsNil},
    BuiltinFunction{"some?", IsSome},
    BuiltinFunction{"true?", IsTrue},
    BuiltinFunction{"false?", IsFalse},
    BuiltinFunction{"not", Not},
    BuiltinFunction{"and", And},
    BuiltinFunction{"or", Or},
    BuiltinFunction{"identity", Identity},
    BuiltinFunction{"vector", VectorFn},
    BuiltinFunction{"list", ListFn},
    BuiltinFunction{"tuple", TupleFn},
    BuiltinFunction{"untuple", Untuple},
    BuiltinFunction{"hash-set", HashSet},
    BuiltinFunction{"set", SetFn},
    BuiltinFunction{"hash-map", HashMap},
    BuiltinFunction{"count", Count},
    BuiltinFunction{"empty?", IsEmpty},
    BuiltinFunction{"not-empty", NotEmpty},
    BuiltinFunction{"get", Get},
    BuiltinFunction{"contains?", Contains},
    BuiltinFunction{"name", Name},
    BuiltinFunction{"namespace", Namespace},
    BuiltinFunction{"keyword", KeywordFn},
    BuiltinFunction{"symbol", SymbolFn},
};

}  // namespace

std::span<const BuiltinFunction> BuiltinFunctions() { return kFunctions; }

int TotalOrder(const Value& a, const Value& b) {
  if (IsNumber(a)) {
    NumOrder o = CompareNumbers(a, b);
    if (o == NumOrder::kUnordered) {
      bool a_nan = IsNaN(a), b_nan = IsNaN(b);
      if (a_nan != b_nan) return a_nan ? 1 : -1;
    } else if (o != NumOrder::kEqual) {
      return static_cast<int>(o);
    }
  }
  return Compare(a, b);
}

void ThrowArity(std::string_view fn, size_t given, std::string_view expected) {
  ThrowIncorrect("arity", fmt::format("{} takes {} argument(s), not {}", fn, expected, given),
                 Value::Map({{Value::Keyword("fn"), Value::Symbol(fn)}}));
}

void ThrowWrongType(std::string_view fn, size_t position, const Value& arg,
                    std::string_view expected) {
  ThrowIncorrect("wrong-type-argument",
                 fmt::format("{}: argument {} must be {}, not {} {}", fn, position, expected,
                             TypeName(arg.type()), Quote(arg)),
                 ErrorData(fn, arg));
}

void ThrowInvalidArgument(std::string_view fn, const Value& arg, std::string_view why) {
  ThrowIncorrect("invalid-argument", fmt::format("{}: {} ({})", fn, why, Quote(arg)),
                 ErrorData(fn, arg));
}

void ThrowIncomparable(std::string_view fn, const Value& a, const Value& b) {
  ThrowIncorrect("wrong-type-argument",
                 fmt::format("{}: cannot compare {} {} with {} {}", fn, TypeName(a.type()),
                             Quote(a), TypeName(b.type()), Quote(b)),
                 Value::Map({{Value::Keyword("fn"), Value::Symbol(fn)},
                             {Value::Keyword("args"), Value::Vector({a, b})}}));
}

}  // namespace strata::query
