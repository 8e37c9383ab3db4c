#include "testing/canonical.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/edn.h"

namespace strata::conformance {
namespace {

bool IsNumber(const Value& v) {
  switch (v.type()) {
    case ValueType::kLong:
    case ValueType::kRef:
    case ValueType::kBigInt:
    case ValueType::kFloat:
    case ValueType::kDouble:
      return true;
    default:
      return false;
  }
}

int Rank(const Value& v) {
  switch (v.type()) {
    case ValueType::kNil:
      return 0;
    case ValueType::kBoolean:
      return 1;
    case ValueType::kString:
      return 3;
    case ValueType::kKeyword:
      return 4;
    case ValueType::kSymbol:
      return 5;
    case ValueType::kUuid:
      return 6;
    case ValueType::kInstant:
      return 7;
    case ValueType::kTuple:
    case ValueType::kList:
    case ValueType::kVector:
      return 8;
    case ValueType::kMap:
      return 9;
    case ValueType::kSet:
      return 10;
    default:
      return IsNumber(v) ? 2 : 11;
  }
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Numbers by value. Longs compare exactly; a double against a long by the
// mathematical value (NaN last, as it never compares in JavaScript anyway).
int CompareNumbers(const Value& a, const Value& b) {
  Value x = NormalizeNumbers(a);
  Value y = NormalizeNumbers(b);
  if (x.is_long() && y.is_long()) return Cmp(x.AsLong(), y.AsLong());
  if (!x.is_long() && !x.is_double()) return Cmp(PrintEdn(x), PrintEdn(y));  // big integers
  if (!y.is_long() && !y.is_double()) return Cmp(PrintEdn(x), PrintEdn(y));
  long double dx =
      x.is_long() ? static_cast<long double>(x.AsLong()) : static_cast<long double>(x.AsDouble());
  long double dy =
      y.is_long() ? static_cast<long double>(y.AsLong()) : static_cast<long double>(y.AsDouble());
  if (std::isnan(dx) || std::isnan(dy)) return Cmp(std::isnan(dx), std::isnan(dy));
  return Cmp(dx, dy);
}

int CompareSequences(std::span<const Value> a, std::span<const Value> b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (int c = CanonicalCompare(a[i], b[i]); c != 0) return c;
  }
  return Cmp(a.size(), b.size());
}

std::vector<Value> Sorted(std::span<const Value> items) {
  std::vector<Value> out(items.begin(), items.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const Value& x, const Value& y) { return CanonicalCompare(x, y) < 0; });
  return out;
}

// A map's entries as [k v] vectors, sorted by key.
std::vector<Value> SortedEntries(const Value& map) {
  std::vector<Value> entries;
  for (size_t i = 0; i < map.Count(); ++i) {
    entries.push_back(Value::Vector({map.MapKey(i), map.MapVal(i)}));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Value& x, const Value& y) {
    return CanonicalCompare(x.Items()[0], y.Items()[0]) < 0;
  });
  return entries;
}

// A set from values that may hold duplicates (after number normalisation).
Value SetOf(std::vector<Value> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return Value::Set(std::move(items));
}

Value SortedVector(std::span<const Value> items) { return Value::Vector(Sorted(items)); }

bool IsSymbol(const Value& v, std::string_view name) {
  return v.is_symbol() && v.QualifiedName() == name;
}

Value Kw(std::string_view qualified) { return Value::Keyword(qualified); }

const Value* Get(const Value& map, std::string_view keyword) {
  return map.is_map() ? map.Get(Kw(keyword)) : nullptr;
}

bool IsTupleAttribute(const Value& schema, const Value& attr) {
  const Value* spec = schema.is_map() ? schema.Get(attr) : nullptr;
  const Value* type = spec != nullptr ? Get(*spec, "db/valueType") : nullptr;
  return type != nullptr && *type == Kw("db.type/tuple");
}

Value CanonPull(const Value& schema, const Value& x) {
  if (x.is_map()) {
    std::vector<ValuePair> entries;
    for (size_t i = 0; i < x.Count(); ++i) {
      const Value& k = x.MapKey(i);
      const Value& v = x.MapVal(i);
      if (k == Kw("db/id")) continue;
      if (v.is_map()) {
        entries.emplace_back(k, CanonPull(schema, v));
      } else if ((v.is_sequential() || v.is_set()) && !IsTupleAttribute(schema, k)) {
        std::vector<Value> items;
        for (const Value& item : v.Items()) items.push_back(CanonPull(schema, item));
        entries.emplace_back(k, SortedVector(items));
      } else {
        entries.emplace_back(k, v);
      }
    }
    return Value::Map(std::move(entries));
  }
  if (x.is_sequential()) {
    std::vector<Value> items;
    for (const Value& item : x.Items()) items.push_back(CanonPull(schema, item));
    return Value::Vector(std::move(items));
  }
  return x;
}

// One element of a result tuple, by the find element that made it.
Value CanonElement(const Value& schema, const Value& element, const Value& v) {
  if (element.is_list() && element.Count() > 0) {
    const Value& head = element.Items()[0];
    if (IsSymbol(head, "pull")) return CanonPull(schema, v);
    if (IsSymbol(head, "distinct") && (v.is_sequential() || v.is_set())) {
      return SetOf(std::vector<Value>(v.Items().begin(), v.Items().end()));
    }
    bool multiset = IsSymbol(head, "min") || IsSymbol(head, "max") || IsSymbol(head, "rand") ||
                    IsSymbol(head, "sample");
    if (multiset && element.Count() == 3 && v.is_sequential()) return SortedVector(v.Items());
  }
  return v;
}

Value Row(const Value& schema, const std::vector<Value>& elements, const Value& tuple) {
  if (!tuple.is_sequential()) return tuple;
  std::vector<Value> out;
  auto items = tuple.Items();
  for (size_t i = 0; i < items.size(); ++i) {
    out.push_back(i < elements.size() ? CanonElement(schema, elements[i], items[i]) : items[i]);
  }
  return Value::Vector(std::move(out));
}

// A set when the rows are distinct, else the sorted bag.
Value Bag(std::vector<Value> rows) {
  std::vector<Value> sorted = rows;
  std::sort(sorted.begin(), sorted.end());
  bool distinct = std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
  if (distinct) return Value::Set(std::move(sorted));
  return SortedVector(rows);
}

std::vector<Value> Elements(const Value& coll) {
  if (!coll.is_sequential() && !coll.is_set()) return {};
  return std::vector<Value>(coll.Items().begin(), coll.Items().end());
}

std::string KeyName(const Value& k) {
  if (k.is_keyword() || k.is_symbol()) return std::string(k.Name());
  if (k.is_string()) return std::string(k.AsString());
  return PrintEdn(k);
}

Value CanonQueryResult(const Value& schema, const Value& query, const Value& result) {
  FindSpec spec = ParseFindSpec(query);
  bool many = spec.kind == FindSpec::kCollection || spec.kind == FindSpec::kRelation ||
              spec.kind == FindSpec::kMaps;
  // Not the shape the find spec makes (a wrong answer): shown as it is.
  if (many && !result.is_sequential() && !result.is_set()) return result;
  switch (spec.kind) {
    case FindSpec::kScalar:
      return CanonElement(schema, spec.elements.at(0), result);
    case FindSpec::kCollection: {
      std::vector<Value> items;
      for (const Value& v : Elements(result)) {
        items.push_back(CanonElement(schema, spec.elements.at(0), v));
      }
      return SortedVector(items);
    }
    case FindSpec::kTuple:
      return result.is_nil() ? result : Row(schema, spec.elements, result);
    case FindSpec::kRelation: {
      std::vector<Value> rows;
      for (const Value& r : Elements(result)) rows.push_back(Row(schema, spec.elements, r));
      return Bag(std::move(rows));
    }
    case FindSpec::kMaps: {
      std::vector<Value> rows;
      for (const Value& m : Elements(result)) {
        if (!m.is_map()) {
          rows.push_back(m);
          continue;
        }
        std::vector<ValuePair> entries;
        for (size_t i = 0; i < m.Count(); ++i) {
          const Value& k = m.MapKey(i);
          Value v = m.MapVal(i);
          for (size_t j = 0; j < spec.keys.size() && j < spec.elements.size(); ++j) {
            if (KeyName(spec.keys[j]) == KeyName(k)) {
              v = CanonElement(schema, spec.elements[j], v);
              break;
            }
          }
          entries.emplace_back(k, v);
        }
        rows.push_back(Value::Map(std::move(entries)));
      }
      return Bag(std::move(rows));
    }
  }
  return result;
}

bool ManyStep(const Value& schema, const Value& attr) {
  if (!attr.is_keyword()) return false;
  std::string_view name = attr.Name();
  if (!name.empty() && name[0] == '_') {
    Value forward = Value::Keyword(attr.Namespace(), name.substr(1));
    const Value* spec = schema.is_map() ? schema.Get(forward) : nullptr;
    const Value* component = spec != nullptr ? Get(*spec, "db/isComponent") : nullptr;
    return !(component != nullptr && component->is_boolean() && component->AsBoolean());
  }
  const Value* spec = schema.is_map() ? schema.Get(attr) : nullptr;
  const Value* card = spec != nullptr ? Get(*spec, "db/cardinality") : nullptr;
  return card != nullptr && *card == Kw("db.cardinality/many");
}

Value CanonEntityResult(const Value& schema, const Value& paths, const Value& result) {
  if (result.is_nil() || !result.is_map()) return result;
  std::vector<ValuePair> entries;
  for (const Value& path : Elements(paths)) {
    std::vector<Value> steps = path.is_vector() ? Elements(path) : std::vector<Value>{path};
    bool many = std::any_of(steps.begin(), steps.end(),
                            [&](const Value& s) { return ManyStep(schema, s); });
    const Value* got = result.Get(path);
    Value v = got != nullptr ? *got : Value();
    if (many) v = SetOf(Elements(v));
    entries.emplace_back(path, v);
  }
  return Value::Map(std::move(entries));
}

// JavaScript's Number.prototype.toString for a finite double.
std::string JsNumber(double d) {
  if (d == 0) return "0";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string s(buf, end);  // like -1.2345e+02
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s = s.substr(1);
  }
  size_t e = s.find('e');
  std::string mantissa = s.substr(0, e);
  int exponent = std::stoi(s.substr(e + 1));
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  int k = static_cast<int>(digits.size());
  int n = exponent + 1;
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(-n, '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return sign + out;
}

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string InstText(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  int64_t millis = ms - secs * 1000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "#inst \"%04d-%02d-%02dT%02d:%02d:%02d.%03d-00:00\"",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

void Print(const Value& v, std::string* out) {
  Value x = IsNumber(v) ? NormalizeNumbers(v) : v;
  switch (x.type()) {
    case ValueType::kNil:
      *out += "nil";
      return;
    case ValueType::kBoolean:
      *out += x.AsBoolean() ? "true" : "false";
      return;
    case ValueType::kLong:
      *out += std::to_string(x.AsLong());
      return;
    case ValueType::kDouble: {
      double d = x.AsDouble();
      if (std::isnan(d)) {
        *out += "##NaN";
      } else if (std::isinf(d)) {
        *out += d > 0 ? "##Inf" : "##-Inf";
      } else {
        *out += JsNumber(d);
      }
      return;
    }
    case ValueType::kString:
      *out += QuoteString(x.AsString());
      return;
    case ValueType::kKeyword:
      *out += ":";
      *out += x.QualifiedName();
      return;
    case ValueType::kSymbol:
      *out += x.QualifiedName();
      return;
    case ValueType::kUuid:
      *out += "#uuid \"" + x.AsUuid().ToString() + "\"";
      return;
    case ValueType::kInstant:
      *out += InstText(x.AsInstant());
      return;
    case ValueType::kTuple:
    case ValueType::kList:
    case ValueType::kVector: {
      *out += "[";
      bool first = true;
      for (const Value& item : x.Items()) {
        if (!first) *out += " ";
        first = false;
        Print(item, out);
      }
      *out += "]";
      return;
    }
    case ValueType::kMap: {
      *out += "{";
      bool first = true;
      for (const Value& entry : SortedEntries(x)) {
        if (!first) *out += ", ";
        first = false;
        Print(entry.Items()[0], out);
        *out += " ";
        Print(entry.Items()[1], out);
      }
      *out += "}";
      return;
    }
    case ValueType::kSet: {
      *out += "#{";
      bool first = true;
      for (const Value& item : Sorted(x.Items())) {
        if (!first) *out += " ";
        first = false;
        Print(item, out);
      }
      *out += "}";
      return;
    }
    default:
      *out += PrintEdn(x);
  }
}

}  // namespace

int CanonicalCompare(const Value& a, const Value& b) {
  int ra = Rank(a);
  int rb = Rank(b);
  if (ra != rb) return Cmp(ra, rb);
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Cmp(a.AsBoolean(), b.AsBoolean());
    case 2:
      return CompareNumbers(a, b);
    case 3:
      return Cmp(a.AsString(), b.AsString());
    case 4:
    case 5:
      return Cmp(a.QualifiedName(), b.QualifiedName());
    case 6:
      return Cmp(a.AsUuid().ToString(), b.AsUuid().ToString());
    case 7:
      return Cmp(a.AsInstant(), b.AsInstant());
    case 8:
      return CompareSequences(a.Items(), b.Items());
    case 9:
      return CompareSequences(SortedEntries(a), SortedEntries(b));
    case 10:
      return CompareSequences(Sorted(a.Items()), Sorted(b.Items()));
    default:
      return Cmp(PrintEdn(a), PrintEdn(b));
  }
}

Value NormalizeNumbers(const Value& v) {
  switch (v.type()) {
    case ValueType::kRef:
      return Value::Long(v.AsLong());
    case ValueType::kBigInt: {
      std::string text = v.BigIntText();
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec == std::errc() && ptr == text.data() + text.size()) return Value::Long(n);
      return v;
    }
    case ValueType::kFloat:
    case ValueType::kDouble: {
      double d = v.is_float() ? static_cast<double>(v.AsFloat()) : v.AsDouble();
      // 2^63 is exact as a double; integral values below it fit in a long.
      if (std::isfinite(d) && d == std::trunc(d) && d >= -9223372036854775808.0 &&
          d < 9223372036854775808.0) {
        return Value::Long(static_cast<int64_t>(d));
      }
      return Value::Double(d);
    }
    case ValueType::kTuple:
    case ValueType::kList:
    case ValueType::kVector: {
      std::vector<Value> items;
      for (const Value& item : v.Items()) items.push_back(NormalizeNumbers(item));
      if (v.is_list()) return Value::List(std::move(items));
      return Value::Vector(std::move(items));
    }
    case ValueType::kSet: {
      std::vector<Value> items;
      for (const Value& item : v.Items()) items.push_back(NormalizeNumbers(item));
      return SetOf(std::move(items));
    }
    case ValueType::kMap: {
      std::vector<ValuePair> entries;
      for (size_t i = 0; i < v.Count(); ++i) {
        Value k = NormalizeNumbers(v.MapKey(i));
        bool seen = std::any_of(entries.begin(), entries.end(),
                                [&](const ValuePair& e) { return e.first == k; });
        if (!seen) entries.emplace_back(k, NormalizeNumbers(v.MapVal(i)));
      }
      return Value::Map(std::move(entries));
    }
    default:
      return v;
  }
}

Value QueryToMap(const Value& query) {
  if (query.is_map() || !query.is_sequential()) return query;
  std::vector<ValuePair> entries;
  std::vector<Value> current;
  Value key;
  auto flush = [&] {
    if (!key.is_nil()) entries.emplace_back(key, Value::Vector(std::move(current)));
    current.clear();
  };
  for (const Value& x : query.Items()) {
    if (x.is_keyword()) {
      flush();
      key = x;
    } else {
      current.push_back(x);
    }
  }
  flush();
  // A repeated section keyword is malformed; keep the first.
  std::vector<ValuePair> unique;
  for (auto& e : entries) {
    bool seen = std::any_of(unique.begin(), unique.end(),
                            [&](const ValuePair& u) { return u.first == e.first; });
    if (!seen) unique.push_back(std::move(e));
  }
  return Value::Map(std::move(unique));
}

FindSpec ParseFindSpec(const Value& query) {
  Value m = QueryToMap(query);
  FindSpec spec;
  const Value* find = Get(m, "find");
  std::vector<Value> f = find != nullptr ? Elements(*find) : std::vector<Value>{};
  const Value* keys = Get(m, "keys");
  if (keys == nullptr) keys = Get(m, "strs");
  if (keys == nullptr) keys = Get(m, "syms");
  if (keys != nullptr) {
    spec.kind = FindSpec::kMaps;
    spec.elements = f;
    spec.keys = Elements(*keys);
  } else if (f.size() == 2 && IsSymbol(f[1], ".")) {
    spec.kind = FindSpec::kScalar;
    spec.elements = {f[0]};
  } else if (f.size() == 1 && f[0].is_vector()) {
    std::vector<Value> inner = Elements(f[0]);
    if (!inner.empty() && IsSymbol(inner.back(), "...")) {
      spec.kind = FindSpec::kCollection;
      spec.elements = {inner.front()};
    } else {
      spec.kind = FindSpec::kTuple;
      spec.elements = inner;
    }
  } else {
    spec.kind = FindSpec::kRelation;
    spec.elements = f;
  }
  return spec;
}

Value Canonicalize(const Value& test_case, const Value& raw) {
  Value result = NormalizeNumbers(raw);
  if (result.is_keyword() && result.Namespace().empty() && result.Name() == "error") {
    return result;
  }
  if (result.is_keyword() && result.Namespace() == "error") return result;
  const Value* schema_ptr = Get(test_case, "schema");
  Value schema = schema_ptr != nullptr ? *schema_ptr : Value();
  if (const Value* query = Get(test_case, "query")) {
    return CanonQueryResult(schema, *query, result);
  }
  if (Get(test_case, "pull") != nullptr) {
    if (Get(test_case, "eids") != nullptr) {
      std::vector<Value> items;
      for (const Value& v : Elements(result)) items.push_back(CanonPull(schema, v));
      return Value::Vector(std::move(items));
    }
    return CanonPull(schema, result);
  }
  if (Get(test_case, "entity") != nullptr) {
    const Value* paths = Get(test_case, "get");
    return CanonEntityResult(schema, paths != nullptr ? *paths : Value(), result);
  }
  return result;
}

std::string CanonicalString(const Value& v) {
  std::string out;
  Print(v, &out);
  return out;
}

Value SchemaTxData(const Value& schema) {
  std::vector<Value> forms;
  for (size_t i = 0; i < schema.Count(); ++i) {
    std::vector<ValuePair> entries{{Value::Keyword("db/ident"), schema.MapKey(i)}};
    const Value& spec = schema.MapVal(i);
    for (size_t j = 0; j < spec.Count(); ++j) entries.emplace_back(spec.MapKey(j), spec.MapVal(j));
    forms.push_back(Value::Map(std::move(entries)));
  }
  return Value::Vector(std::move(forms));
}

TxStep ParseTxStep(const Value& tx) {
  if (!tx.is_map()) return {tx, false};
  const Value* data = Get(tx, "tx-data");
  const Value* flag = Get(tx, "expect-error");
  return {data != nullptr ? *data : Value::Vector({}),
          flag != nullptr && flag->is_boolean() && flag->AsBoolean()};
}

}  // namespace strata::conformance
