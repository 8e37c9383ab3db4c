// The built-in string functions: str, pr-str, subs, the regex functions and
// clojure.string's predicates and case functions.
//
// Strings are UTF-8 and indexed by code point (subs, count): a string's
// length is its number of Unicode characters, not of UTF-16 units as on the
// JVM, so strings outside the Basic Multilingual Plane count differently.
//
// Regular expressions are RE2's (linear time, no stack to overflow on long
// input). EDN has no regex literal, so a pattern is its source string:
// (re-pattern "a+") returns "a+" once it has checked that it compiles, and
// every regex function takes either. RE2 has no backreferences and no
// lookaround; a pattern that uses them is an invalid-argument error.
#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>
#include <locale.h>
#include <re2/re2.h>
#include <wctype.h>

#include <memory>
#include <string>
#include <vector>

#include "core/utf8.h"
#include "query/builtins.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::query {
namespace {

// Each code point of `s` in turn; an undecodable byte (never in a Value
// string) passes as U+FFFD of length 1.
template <typename Fn>
void ForEachCodePoint(std::string_view s, Fn&& fn) {
  const char* end = s.data() + s.size();
  for (const char* p = s.data(); p < end;) {
    char32_t cp;
    size_t n = DecodeUtf8(p, end, &cp);
    if (n == 0) cp = 0xFFFD, n = 1;
    fn(cp, static_cast<size_t>(p - s.data()), n);
    p += n;
  }
}

void CheckString(std::string_view fn, Args args, size_t i) {
  if (!args[i].is_string()) ThrowWrongType(fn, i + 1, args[i], "a string");
}

// ---- str, pr-str ---------------------------------------------------------

// Clojure's str of one value: nil is empty, strings and characters are
// themselves, keywords print with their colon, numbers as Java prints them
// (no N or M suffix; NaN, Infinity), instants and uuids as their text, and
// everything else as EDN.
void AppendStr(const Value& v, std::string* out) {
  switch (v.type()) {
    case ValueType::kNil:
      return;
    case ValueType::kString:
    case ValueType::kUri:
      out->append(v.AsString());
      return;
    case ValueType::kChar:
      AppendUtf8(v.AsChar(), out);
      return;
    case ValueType::kFloat:
    case ValueType::kDouble: {
      double d = FloatingOf(v);
      if (std::isnan(d)) {
        out->append("NaN");
        return;
      }
      if (std::isinf(d)) {
        out->append(d > 0 ? "Infinity" : "-Infinity");
        return;
      }
      std::string text = PrintEdn(v);
      constexpr std::string_view kFloatTag = "#strata/float ";
      if (std::string_view(text).starts_with(kFloatTag)) text.erase(0, kFloatTag.size());
      out->append(text);
      return;
    }
    case ValueType::kBigInt:
    case ValueType::kBigDec: {
      std::string text = PrintEdn(v);
      text.pop_back();  // the N or M
      out->append(text);
      return;
    }
    case ValueType::kInstant:
    case ValueType::kUuid: {
      // #inst "..." and #uuid "...": the text between the quotes.
      std::string text = PrintEdn(v);
      size_t open = text.find('"');
      out->append(text, open + 1, text.size() - open - 2);
      return;
    }
    default:
      PrintEdn(v, out);
  }
}

Value Str(Args args) {
  if (args.size() == 1 && args[0].is_string()) return args[0];
  std::string out;
  for (const Value& v : args) AppendStr(v, &out);
  return Value::String(out);
}

Value PrStr(Args args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out.push_back(' ');
    PrintEdn(args[i], &out);
  }
  return Value::String(out);
}

// (subs s start) and (subs s start end), by code point.
Value Subs(Args args) {
  CheckArity("subs", args, 2, 3, "2 or 3");
  CheckString("subs", args, 0);
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i].is_integer()) ThrowWrongType("subs", i + 1, args[i], "a long");
  }
  std::string_view s = args[0].AsString();
  // Byte offsets of every code point boundary, the end included.
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  ForEachCodePoint(s, [&](char32_t, size_t at, size_t) { offsets.push_back(at); });
  offsets.push_back(s.size());
  auto length = static_cast<int64_t>(offsets.size() - 1);
  int64_t start = args[1].AsLong();
  int64_t end = args.size() == 3 ? args[2].AsLong() : length;
  if (start < 0 || end > length || start > end) {
    ThrowInvalidArgument("subs", Value::Vector({args[1], args.size() == 3 ? args[2] : Value()}),
                         fmt::format("the range [{}, {}) is not within the string's {} "
                                     "characters",
                                     start, end, length));
  }
  size_t from = offsets[static_cast<size_t>(start)], to = offsets[static_cast<size_t>(end)];
  return Value::String(s.substr(from, to - from));
}

// ---- clojure.string ------------------------------------------------------

Value StringPredicate(std::string_view fn, Args args,
                      bool (*test)(std::string_view, std::string_view)) {
  CheckArity(fn, args, 2, 2, "2");
  CheckString(fn, args, 0);
  CheckString(fn, args, 1);
  return Value::Boolean(test(args[0].AsString(), args[1].AsString()));
}
Value StartsWith(Args args) {
  return StringPredicate("starts-with?", args,
                         [](std::string_view s, std::string_view p) { return s.starts_with(p); });
}
Value EndsWith(Args args) {
  return StringPredicate("ends-with?", args,
                         [](std::string_view s, std::string_view p) { return s.ends_with(p); });
}
Value Includes(Args args) {
  return StringPredicate("includes?", args, [](std::string_view s, std::string_view p) {
    return s.find(p) != std::string_view::npos;
  });
}

// The C.UTF-8 locale for Unicode character classes and simple case
// mappings, or 0 when the system has none (then only ASCII is mapped).
locale_t Utf8Locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}

char32_t MapCase(char32_t cp, bool upper) {
  if (cp < 0x80) {
    if (upper && cp >= 'a' && cp <= 'z') return cp - 32;
    if (!upper && cp >= 'A' && cp <= 'Z') return cp + 32;
    return cp;
  }
  locale_t locale = Utf8Locale();
  if (locale == static_cast<locale_t>(0)) return cp;
  auto wc = static_cast<wint_t>(cp);
  auto mapped = static_cast<char32_t>(upper ? towupper_l(wc, locale) : towlower_l(wc, locale));
  // Keep only results that are Unicode scalar values.
  if (mapped > 0x10FFFF || (mapped >= 0xD800 && mapped <= 0xDFFF)) return cp;
  return mapped;
}

// upper-case and lower-case: each character's simple case mapping (ß stays
// ß; Java's full mapping would give SS).
Value ChangeCase(std::string_view fn, Args args, bool upper) {
  CheckArity(fn, args, 1, 1, "1");
  CheckString(fn, args, 0);
  std::string_view s = args[0].AsString();
  std::string out;
  out.reserve(s.size());
  ForEachCodePoint(s, [&](char32_t cp, size_t, size_t) { AppendUtf8(MapCase(cp, upper), &out); });
  return Value::String(out);
}
Value UpperCase(Args args) { return ChangeCase("upper-case", args, true); }
Value LowerCase(Args args) { return ChangeCase("lower-case", args, false); }

bool IsSpace(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= '\t' && cp <= '\r') || (cp >= 0x1C && cp <= 0x1F);
  locale_t locale = Utf8Locale();
  return locale != static_cast<locale_t>(0) && iswspace_l(static_cast<wint_t>(cp), locale);
}

// True for nil and for strings of only whitespace.
Value Blank(Args args) {
  CheckArity("blank?", args, 1, 1, "1");
  if (args[0].is_nil()) return Value::Boolean(true);
  CheckString("blank?", args, 0);
  bool blank = true;
  ForEachCodePoint(args[0].AsString(), [&](char32_t cp, size_t, size_t) {
    if (!IsSpace(cp)) blank = false;
  });
  return Value::Boolean(blank);
}

std::string_view TrimLeft(std::string_view s) {
  size_t from = s.size();
  bool found = false;
  ForEachCodePoint(s, [&](char32_t cp, size_t at, size_t) {
    if (!found && !IsSpace(cp)) from = at, found = true;
  });
  return s.substr(from);
}
std::string_view TrimRight(std::string_view s) {
  size_t to = 0;
  ForEachCodePoint(s, [&](char32_t cp, size_t at, size_t n) {
    if (!IsSpace(cp)) to = at + n;
  });
  return s.substr(0, to);
}
Value Trim(Args args) {
  CheckArity("trim", args, 1, 1, "1");
  CheckString("trim", args, 0);
  return Value::String(TrimRight(TrimLeft(args[0].AsString())));
}
Value Triml(Args args) {
  CheckArity("triml", args, 1, 1, "1");
  CheckString("triml", args, 0);
  return Value::String(TrimLeft(args[0].AsString()));
}
Value Trimr(Args args) {
  CheckArity("trimr", args, 1, 1, "1");
  CheckString("trimr", args, 0);
  return Value::String(TrimRight(args[0].AsString()));
}

// ---- regular expressions -------------------------------------------------

// Compiled patterns, per thread so that a lookup takes no lock; a thread
// keeps at most kMaxPatterns and starts over past that.
constexpr size_t kMaxPatterns = 64;

const RE2& Pattern(std::string_view fn, const Value& pattern, size_t position) {
  if (!pattern.is_string()) ThrowWrongType(fn, position, pattern, "a regex (its pattern string)");
  thread_local absl::flat_hash_map<std::string, std::unique_ptr<RE2>> cache;
  std::string_view source = pattern.AsString();
  auto it = cache.find(absl::string_view(source.data(), source.size()));
  if (it != cache.end()) return *it->second;
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(re2::StringPiece(source.data(), source.size()), options);
  if (!re->ok()) {
    ThrowInvalidArgument(fn, pattern, fmt::format("not a valid regex: {}", re->error()));
  }
  if (cache.size() >= kMaxPatterns) cache.clear();
  return *cache.emplace(std::string(source), std::move(re)).first->second;
}

Value RePattern(Args args) {
  CheckArity("re-pattern", args, 1, 1, "1");
  Pattern("re-pattern", args[0], 1);
  return args[0];
}

// The match as Clojure returns it: the matched text, or when the pattern has
// groups a vector of the match and each group (nil for a group that did not
// take part).
Value MatchResult(const std::vector<re2::StringPiece>& groups) {
  if (groups.size() == 1)
    return Value::String(std::string_view(groups[0].data(), groups[0].size()));
  std::vector<Value> items;
  items.reserve(groups.size());
  for (const auto& g : groups) {
    items.push_back(g.data() == nullptr ? Value()
                                        : Value::String(std::string_view(g.data(), g.size())));
  }
  return Value::Vector(std::move(items));
}

Value Match(std::string_view fn, Args args, RE2::Anchor anchor) {
  CheckArity(fn, args, 2, 2, "2");
  const RE2& re = Pattern(fn, args[0], 1);
  CheckString(fn, args, 1);
  std::string_view s = args[1].AsString();
  std::vector<re2::StringPiece> groups(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
  if (!re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), anchor, groups.data(),
                static_cast<int>(groups.size()))) {
    return Value();
  }
  return MatchResult(groups);
}
Value ReFind(Args args) { return Match("re-find", args, RE2::UNANCHORED); }
Value ReMatches(Args args) { return Match("re-matches", args, RE2::ANCHOR_BOTH); }

// Every successive match, as a list; nil when there is none.
Value ReSeq(Args args) {
  CheckArity("re-seq", args, 2, 2, "2");
  const RE2& re = Pattern("re-seq", args[0], 1);
  CheckString("re-seq", args, 1);
  std::string_view s = args[1].AsString();
  re2::StringPiece text(s.data(), s.size());
  std::vector<re2::StringPiece> groups(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
  std::vector<Value> matches;
  size_t at = 0;
  while (at <= s.size() && re.Match(text, at, s.size(), RE2::UNANCHORED, groups.data(),
                                    static_cast<int>(groups.size()))) {
    matches.push_back(MatchResult(groups));
    size_t end = static_cast<size_t>(groups[0].data() - s.data()) + groups[0].size();
    if (groups[0].empty()) {
      // An empty match: step over one character.
      if (end >= s.size()) break;
      char32_t cp;
      size_t n = DecodeUtf8(s.data() + end, s.data() + s.size(), &cp);
      end += n == 0 ? 1 : n;
    }
    at = end;
  }
  if (matches.empty()) return Value();
  return Value::List(std::move(matches));
}

constexpr std::array kStringFunctions = {
    BuiltinFunction{"str", Str},
    BuiltinFunction{"pr-str", PrStr},
    BuiltinFunction{"subs", Subs},
    BuiltinFunction{"re-pattern", RePattern},
    BuiltinFunction{"re-find", ReFind},
    BuiltinFunction{"re-matches", ReMatches},
    BuiltinFunction{"re-seq", ReSeq},
    BuiltinFunction{"starts-with?", StartsWith, true},
    BuiltinFunction{"ends-with?", EndsWith, true},
    BuiltinFunction{"includes?", Includes, true},
    BuiltinFunction{"upper-case", UpperCase, true},
    BuiltinFunction{"lower-case", LowerCase, true},
    BuiltinFunction{"blank?", Blank, true},
    BuiltinFunction{"trim", Trim, true},
    BuiltinFunction{"triml", Triml, true},
    BuiltinFunction{"trimr", Trimr, true},
};

}  // namespace

std::span<const BuiltinFunction> StringFunctions() { return kStringFunctions; }

}  // namespace strata::query
