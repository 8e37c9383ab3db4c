// The EDN reader: a recursive-descent parser over a byte buffer.
//
// It reads straight from the input: a string without escapes becomes a Value
// without an intermediate copy, collection items gather on one reusable stack
// and move into a single allocation when the collection closes, and line and
// column are computed only when an error needs them. Recursion depth is
// bounded by ReadOptions::max_depth, so hostile input cannot overflow the
// stack.
#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>
#include <xxhash.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/base64.h"
#include "core/instant.h"
#include "core/names.h"
#include "core/utf8.h"
#include "core/value_internal.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata {
namespace {

// Distinct keyword and symbol tokens remembered per reader.
constexpr size_t kMaxCachedNames = 4096;

// Longest number literal accepted: digits, sign, point, exponent, suffix.
constexpr size_t kMaxNumberLength = internal::kMaxNumberDigits + 32;

bool IsWhitespace(char c) {
  return c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

// Characters that end a token (symbol, keyword, number, character name).
bool IsDelimiter(char c) {
  return IsWhitespace(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' ||
         c == '"' || c == ';' || c == '\\';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

struct TokenHash {
  size_t operator()(std::string_view s) const { return XXH3_64bits(s.data(), s.size()); }
};

class Reader {
 public:
  Reader(std::string_view text, ReadOptions options)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        options_(std::move(options)) {}

  bool Next(Value* out) {
    if (failed_) Fail(p_, "the reader already failed on earlier input");
    try {
      return ReadNext(out, 0, '\0');
    } catch (const Anomaly& e) {
      failed_ = true;
      // Every reader error carries a position; one raised by a Value factory
      // (a name the namespace of #:ns{} makes invalid, say) gets the form's.
      if (e.data().is_map() && e.data().Get(Value::Keyword("line")) != nullptr) throw;
      Fail(last_form_ != nullptr ? last_form_ : p_, e.message());
    } catch (...) {
      failed_ = true;
      throw;
    }
  }

  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  // Throws unless only whitespace, comments and discarded forms remain.
  void ExpectEnd() {
    Value extra;
    if (Next(&extra)) {
      Fail(last_form_, "more than one value where one was expected (wrap several in a vector)");
    }
  }

  [[noreturn]] void FailEmpty() { Fail(p_, "the input holds no value; write one EDN value"); }

 private:
  // ---- Errors ---------------------------------------------------------------

  [[noreturn]] void Fail(const char* at, std::string_view what) {
    int64_t line = 1, column = 1;
    for (const char* q = begin_; q < at && q < end_; ++q) {
      if (*q == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<uint8_t>(*q) & 0xC0) != 0x80) {
        ++column;
      }
    }
    // Up to 24 bytes of the offending text, cut at a line end and kept valid
    // UTF-8 so the message itself prints.
    std::string near;
    for (const char* q = at; q < end_ && near.size() < 24 && *q != '\n';) {
      char32_t cp;
      size_t n = DecodeUtf8(q, end_, &cp);
      if (n == 0) {
        near += "\xEF\xBF\xBD";  // U+FFFD for an invalid byte
        ++q;
      } else {
        near.append(q, n);
        q += n;
      }
    }
    std::string message =
        fmt::format("EDN syntax error at line {}, column {}: {}", line, column, what);
    if (!near.empty()) message += fmt::format(" (near \"{}\")", near);
    throw Anomaly(Category::kIncorrect, std::move(message),
                  Value::Keyword("db.error", "invalid-edn"),
                  Value::Map({{Value::Keyword("line"), Value::Long(line)},
                              {Value::Keyword("column"), Value::Long(column)},
                              {Value::Keyword("near"), Value::String(near)}}));
  }

  // ---- Whitespace ------------------------------------------------------------

  void SkipWhitespace() {
    while (p_ < end_) {
      char c = *p_;
      if (IsWhitespace(c)) {
        ++p_;
      } else if (c == ';') {
        while (p_ < end_ && *p_ != '\n') ++p_;
      } else {
        return;
      }
    }
  }

  // ---- Forms ------------------------------------------------------------------

  // Reads the next form before `closing` (or the end of input when closing
  // is '\0'), skipping #_ discards. Returns false at the closing delimiter
  // (not consumed) or at the end of the input.
  bool ReadNext(Value* out, int depth, char closing) {
    for (;;) {
      SkipWhitespace();
      if (p_ == end_) {
        if (closing != '\0') {
          Fail(p_, fmt::format("end of input inside a collection: expected '{}'", closing));
        }
        return false;
      }
      char c = *p_;
      if (c == closing) return false;
      if (c == '#' && p_ + 1 < end_ && p_[1] == '_') {
        const char* at = p_;
        p_ += 2;
        // "#_ #_ a b" nests: each discard is a level, so a long chain is
        // bounded like deep collections.
        if (depth + 1 > options_.max_depth) {
          Fail(at, fmt::format("nesting deeper than {} levels", options_.max_depth));
        }
        Value discarded;
        if (!ReadNext(&discarded, depth + 1, closing)) {
          Fail(at, "#_ must be followed by a form to discard");
        }
        continue;
      }
      last_form_ = p_;
      *out = ReadForm(depth);
      return true;
    }
  }

  // Reads the form that must follow a tag or a prefix at `at`.
  Value ReadRequired(int depth, const char* at, std::string_view what) {
    Value v;
    if (!ReadNext(&v, depth, '\0')) Fail(at, fmt::format("{} must be followed by a form", what));
    return v;
  }

  Value ReadForm(int depth) {
    const char* at = p_;
    char c = *p_;
    switch (c) {
      case '(':
        ++p_;
        return ReadSequence(ValueType::kList, ')', depth, at);
      case '[':
        ++p_;
        return ReadSequence(ValueType::kVector, ']', depth, at);
      case '{':
        ++p_;
        return ReadSequence(ValueType::kMap, '}', depth, at);
      case ')':
      case ']':
      case '}':
        Fail(at, fmt::format("unmatched delimiter '{}'", c));
      case '"':
        return ReadString();
      case '\\':
        return ReadChar();
      case ':':
        return ReadKeyword();
      case '#':
        return ReadDispatch(depth);
      default:
        break;
    }
    if (IsDigit(c) || ((c == '+' || c == '-') && p_ + 1 < end_ && IsDigit(p_[1]))) {
      return ReadNumber();
    }
    return ReadSymbolic();
  }

  // Collections: items gather on stack_, then move into one allocation.
  Value ReadSequence(ValueType type, char closing, int depth, const char* at) {
    if (depth + 1 > options_.max_depth) {
      Fail(at, fmt::format("nesting deeper than {} levels", options_.max_depth));
    }
    size_t base = stack_.size();
    Value item;  // not read into stack_ directly: nested reads grow it
    while (ReadNext(&item, depth + 1, closing)) stack_.push_back(std::move(item));
    ++p_;  // the closing delimiter
    return FinishCollection(type, base, at);
  }

  Value FinishCollection(ValueType type, size_t base, const char* at) {
    size_t n = stack_.size() - base;
    if (type == ValueType::kMap && n % 2 != 0) {
      stack_.resize(base);
      Fail(at, "a map needs an even number of forms: a value for every key");
    }
    uint64_t count = type == ValueType::kMap ? n / 2 : n;
    internal::SeqObject* seq = internal::AllocSeq(type, count);
    Value result = internal::WrapSeq(seq);
    internal::ValueAccess::Relocate(stack_.data() + base, n, seq->items());
    stack_.resize(base);
    if (type == ValueType::kMap || type == ValueType::kSet) {
      try {
        internal::SortAndCheckUnique(seq);
      } catch (const Anomaly& e) {
        Fail(at, e.message());
      }
    }
    return result;
  }

  // '#' dispatch: sets, discards (handled by ReadNext), ##symbolic values,
  // #:ns{} maps and tagged literals.
  Value ReadDispatch(int depth) {
    const char* at = p_;
    if (p_ + 1 >= end_) Fail(at, "a lone '#' at the end of input");
    char c = p_[1];
    if (c == '{') {
      p_ += 2;
      return ReadSequence(ValueType::kSet, '}', depth, at);
    }
    if (c == '#') {
      p_ += 2;
      std::string_view token = ReadToken();
      if (token == "NaN") return Value::Double(std::numeric_limits<double>::quiet_NaN());
      if (token == "Inf") return Value::Double(std::numeric_limits<double>::infinity());
      if (token == "-Inf") return Value::Double(-std::numeric_limits<double>::infinity());
      Fail(at, "unknown symbolic value: expected ##NaN, ##Inf or ##-Inf");
    }
    if (c == ':') {
      p_ += 2;
      return ReadNamespacedMap(depth, at);
    }
    if (IsAlpha(c)) {
      ++p_;
      std::string_view tag = ReadToken();
      Value tag_symbol = ParseSymbolToken(tag, at + 1);
      return ReadTagged(tag_symbol, depth, at);
    }
    Fail(at, fmt::format("'#{}' starts no EDN form: expected #{{, #_, ##, #: or a tag",
                         std::string_view(p_ + 1, 1)));
  }

  Value ReadNamespacedMap(int depth, const char* at) {
    if (p_ < end_ && *p_ == ':') {
      Fail(at, "auto-resolved namespaced maps (#::{...}) are not EDN: write #:ns{...}");
    }
    std::string_view ns = ReadToken();
    if (ns.empty() || ns.find('/') != std::string_view::npos ||
        !InvalidNameReason(false, "", ns).empty()) {
      Fail(at, "#: must be followed by a namespace name, as in #:person{:name \"x\"}");
    }
    SkipWhitespace();
    if (p_ == end_ || *p_ != '{') Fail(p_, fmt::format("#:{} must be followed by a map", ns));
    const char* map_at = p_;
    ++p_;
    if (depth + 1 > options_.max_depth) {
      Fail(map_at, fmt::format("nesting deeper than {} levels", options_.max_depth));
    }
    size_t base = stack_.size();
    Value item;
    bool is_key = true;
    while (ReadNext(&item, depth + 1, '}')) {
      if (is_key && (item.is_keyword() || item.is_symbol())) {
        std::string_view key_ns = item.Namespace();
        std::string_view name = item.Name();
        if (key_ns.empty() || key_ns == "_") {
          std::string_view new_ns = key_ns.empty() ? ns : std::string_view();
          std::string why = InvalidNameReason(item.is_keyword(), new_ns, name);
          if (!why.empty()) {
            Fail(map_at, fmt::format("#:{} cannot qualify {}: {}", ns, PrintEdn(item), why));
          }
          item = item.is_keyword() ? Value::Keyword(new_ns, name) : Value::Symbol(new_ns, name);
        }
      }
      stack_.push_back(std::move(item));
      is_key = !is_key;
    }
    ++p_;
    return FinishCollection(ValueType::kMap, base, map_at);
  }

  Value ReadTagged(const Value& tag, int depth, const char* at) {
    if (depth + 1 > options_.max_depth) {
      Fail(at, fmt::format("nesting deeper than {} levels", options_.max_depth));
    }
    std::string_view name = tag.QualifiedName();
    auto custom = options_.tag_readers.find(name);
    if (custom == options_.tag_readers.end() && name == "strata/float") {
      return ReadFloatLiteral(at);
    }
    Value form = ReadRequired(depth + 1, at, fmt::format("#{}", name));
    if (custom != options_.tag_readers.end()) {
      try {
        return custom->second(form);
      } catch (const Anomaly& e) {
        Fail(at, fmt::format("#{}: {}", name, e.message()));
      }
    }
    if (name == "inst") {
      if (!form.is_string()) Fail(at, "#inst must be followed by a string");
      std::string error;
      std::optional<int64_t> ms = ParseInstant(form.AsString(), &error);
      if (!ms) Fail(at, error);
      return Value::Instant(*ms);
    }
    if (name == "uuid") {
      Uuid uuid;
      if (!form.is_string() || !Uuid::Parse(form.AsString(), &uuid)) {
        Fail(at,
             "#uuid must be followed by a string in the 8-4-4-4-12 hex form, "
             "e.g. #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"");
      }
      return Value::MakeUuid(uuid);
    }
    if (name == "strata/uri") {
      if (!form.is_string()) Fail(at, "#strata/uri must be followed by a string");
      try {
        return Value::Uri(form.AsString());
      } catch (const Anomaly& e) {
        Fail(at, e.message());
      }
    }
    if (name == "strata/bytes") {
      std::optional<std::vector<uint8_t>> bytes;
      if (form.is_string()) bytes = Base64Decode(form.AsString());
      if (!bytes) {
        Fail(at,
             "#strata/bytes must be followed by a string in padded "
             "standard base64");
      }
      return Value::Bytes(*bytes);
    }
    if (options_.keep_unknown_tags) return Value::Tagged(tag, std::move(form));
    Fail(at, fmt::format("no reader for the tag #{}: register one in "
                         "ReadOptions::tag_readers",
                         name));
  }

  // #strata/float: the number's text is parsed as a float directly, so that
  // it rounds once.
  Value ReadFloatLiteral(const char* at) {
    SkipWhitespace();
    if (p_ + 1 < end_ && p_[0] == '#' && p_[1] == '#') {
      Value d = ReadDispatch(0);
      return Value::Float(static_cast<float>(d.AsDouble()));
    }
    const char* start = p_;
    std::string_view token = ReadToken();
    float f = 0;
    auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), f);
    if (token.empty() || ptr != token.data() + token.size() ||
        !(IsDigit(token[0]) || token[0] == '-' || token[0] == '+') ||
        token.find_first_of("MNn") != std::string_view::npos) {
      Fail(start == end_ ? at : start,
           "#strata/float must be followed by a number such as 1.5 or ##NaN");
    }
    if (ec == std::errc::result_out_of_range) {
      std::string copy(token);
      f = std::strtof(copy.c_str(), nullptr);
    }
    return Value::Float(f);
  }

  // ---- Strings and characters ---------------------------------------------------

  Value ReadString() {
    const char* at = p_;
    ++p_;
    const char* start = p_;
    // Fast path: plain ASCII with no escapes needs no copy.
    while (p_ < end_) {
      auto c = static_cast<uint8_t>(*p_);
      if (c == '"') {
        Value v = Value::String(std::string_view(start, p_ - start));
        ++p_;
        return v;
      }
      if (c == '\\' || c >= 0x80) break;
      ++p_;
    }
    scratch_.assign(start, p_);
    while (p_ < end_) {
      char c = *p_;
      if (c == '"') {
        ++p_;
        return Value::String(scratch_);
      }
      if (c == '\\') {
        ReadEscape();
      } else if (static_cast<uint8_t>(c) >= 0x80) {
        char32_t cp;
        size_t n = DecodeUtf8(p_, end_, &cp);
        if (n == 0) Fail(p_, "invalid UTF-8 in a string");
        scratch_.append(p_, n);
        p_ += n;
      } else {
        scratch_.push_back(c);
        ++p_;
      }
    }
    Fail(at, "end of input inside a string: expected a closing '\"'");
  }

  void ReadEscape() {
    const char* at = p_;
    ++p_;
    if (p_ == end_) Fail(at, "end of input after '\\' in a string");
    char c = *p_++;
    switch (c) {
      case 't':
        scratch_.push_back('\t');
        return;
      case 'r':
        scratch_.push_back('\r');
        return;
      case 'n':
        scratch_.push_back('\n');
        return;
      case 'b':
        scratch_.push_back('\b');
        return;
      case 'f':
        scratch_.push_back('\f');
        return;
      case '\\':
        scratch_.push_back('\\');
        return;
      case '"':
        scratch_.push_back('"');
        return;
      case 'u': {
        char32_t cp = ReadHex4(at);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate must pair with a low one: together one code
          // point.
          if (end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            const char* low_at = p_;
            p_ += 2;
            char32_t low = ReadHex4(low_at);
            if (low >= 0xDC00 && low <= 0xDFFF) {
              AppendUtf8(0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00), &scratch_);
              return;
            }
          }
          Fail(at, "a \\u escape of a high surrogate must be followed by one of a low surrogate");
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) Fail(at, "lone low surrogate in a \\u escape");
        AppendUtf8(cp, &scratch_);
        return;
      }
      default:
        Fail(at, fmt::format("unsupported escape '\\{}' in a string: use \\t \\r "
                             "\\n \\b \\f \\\\ \\\" or \\uXXXX",
                             std::string_view(&c, 1)));
    }
  }

  char32_t ReadHex4(const char* at) {
    if (end_ - p_ < 4) Fail(at, "\\u must be followed by four hex digits");
    char32_t cp = 0;
    for (int i = 0; i < 4; ++i) {
      char c = p_[i];
      int d = IsDigit(c)               ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) Fail(at, "\\u must be followed by four hex digits");
      cp = cp << 4 | static_cast<char32_t>(d);
    }
    p_ += 4;
    return cp;
  }

  Value ReadChar() {
    const char* at = p_;
    ++p_;
    if (p_ == end_ || (IsWhitespace(*p_) && *p_ != ',')) {
      Fail(at, "'\\' must be followed by a character");
    }
    // The first code point is taken whatever it is (\( and \" are
    // characters); letters and digits after it make a character name.
    char32_t cp;
    size_t n = DecodeUtf8(p_, end_, &cp);
    if (n == 0) Fail(p_, "invalid UTF-8 in a character");
    const char* start = p_;
    p_ += n;
    while (p_ < end_ && !IsDelimiter(*p_)) ++p_;
    std::string_view token(start, p_ - start);
    if (token.size() == n) return Value::Char(cp);
    if (token == "newline") return Value::Char('\n');
    if (token == "space") return Value::Char(' ');
    if (token == "tab") return Value::Char('\t');
    if (token == "return") return Value::Char('\r');
    if (token == "formfeed") return Value::Char('\f');
    if (token == "backspace") return Value::Char('\b');
    if (token.size() == 5 && token[0] == 'u') {
      const char* saved = p_;
      p_ = start + 1;
      char32_t u = ReadHex4(at);
      p_ = saved;
      if (u >= 0xD800 && u <= 0xDFFF) Fail(at, "a character cannot be a surrogate");
      return Value::Char(u);
    }
    Fail(at, fmt::format("unknown character name '\\{}': use a single character, "
                         "\\newline, \\space, \\tab, \\return, \\formfeed, "
                         "\\backspace or \\uXXXX",
                         token));
  }

  // ---- Tokens: symbols, keywords, numbers -------------------------------------------

  std::string_view ReadToken() {
    const char* start = p_;
    while (p_ < end_ && !IsDelimiter(*p_)) ++p_;
    return {start, static_cast<size_t>(p_ - start)};
  }

  // Splits a symbol or keyword token and checks EDN's name rules.
  void SplitName(std::string_view token, const char* at, bool keyword, std::string_view* ns,
                 std::string_view* name) {
    SplitQualifiedName(token, ns, name);
    std::string why = InvalidNameReason(keyword, *ns, *name);
    if (!why.empty()) {
      Fail(at, fmt::format("'{}{}' is not a valid {}: {}", keyword ? ":" : "", token,
                           keyword ? "keyword" : "symbol", why));
    }
  }

  Value ParseSymbolToken(std::string_view token, const char* at) {
    if (token.empty()) Fail(at, "expected a symbol");
    std::string_view ns, name;
    SplitName(token, at, false, &ns, &name);
    return Value::Symbol(ns, name);
  }

  Value ReadSymbolic() {
    const char* at = p_;
    std::string_view token = ReadToken();
    if (token.empty()) {
      Fail(at, fmt::format("unexpected character '{}'", std::string_view(at, 1)));
    }
    if (token == "nil") return Value();
    if (token == "true") return Value::Boolean(true);
    if (token == "false") return Value::Boolean(false);
    if (const Value* cached = CachedName(token)) return *cached;
    return CacheName(token, ParseSymbolToken(token, at));
  }

  // Keywords and symbols repeat: remember the Value of each distinct token
  // (keywords keyed with their ':'), skipping validation and interning.
  const Value* CachedName(std::string_view token) const {
    auto it = names_.find(token);
    return it == names_.end() ? nullptr : &it->second;
  }

  Value CacheName(std::string_view token, Value v) {
    if (names_.size() < kMaxCachedNames) names_.emplace(token, v);
    return v;
  }

  Value ReadKeyword() {
    const char* at = p_;
    ++p_;
    if (p_ < end_ && *p_ == ':') {
      Fail(at, "auto-resolved keywords (::name) are not EDN: write :ns/name");
    }
    std::string_view token = ReadToken();
    std::string_view with_colon(at, token.size() + 1);
    if (const Value* cached = CachedName(with_colon)) return *cached;
    if (token.empty()) Fail(at, "':' must be followed by a keyword name");
    if (token == "/") Fail(at, "':/' is not a keyword");
    std::string_view ns, name;
    SplitName(token, at + 1, true, &ns, &name);
    return CacheName(with_colon, Value::Keyword(ns, name));
  }

  Value ReadNumber() {
    const char* at = p_;
    std::string_view token = ReadToken();
    if (token.size() > kMaxNumberLength) {
      Fail(at, fmt::format("a number literal longer than {} characters", kMaxNumberLength));
    }
    // Grammar: sign? int (frac)? (exp)? suffix?, int = 0 | [1-9][0-9]*.
    size_t i = 0;
    bool negative = false;
    if (token[i] == '+' || token[i] == '-') negative = token[i++] == '-';
    size_t int_start = i;
    while (i < token.size() && IsDigit(token[i])) ++i;
    size_t int_end = i;
    size_t frac_start = 0, frac_end = 0;
    bool has_frac = false, has_exp = false;
    if (i < token.size() && token[i] == '.') {
      has_frac = true;
      frac_start = ++i;
      while (i < token.size() && IsDigit(token[i])) ++i;
      frac_end = i;
    }
    int64_t exponent = 0;
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
      has_exp = true;
      ++i;
      bool exp_negative = false;
      if (i < token.size() && (token[i] == '+' || token[i] == '-'))
        exp_negative = token[i++] == '-';
      size_t exp_start = i;
      while (i < token.size() && IsDigit(token[i])) {
        if (exponent < 100000000000) exponent = exponent * 10 + (token[i] - '0');
        ++i;
      }
      if (i == exp_start)
        Fail(at, fmt::format("'{}' is not a number: the exponent has no digits", token));
      if (exp_negative) exponent = -exponent;
    }
    char suffix = '\0';
    if (i < token.size() && (token[i] == 'N' || token[i] == 'M')) suffix = token[i++];
    if (i != token.size()) {
      std::string_view hint = token.find('/') != std::string_view::npos ? " (ratios are not EDN)"
                              : (token.size() > 1 && (token[1] == 'x' || token[1] == 'X'))
                                  ? " (hex literals are not EDN)"
                                  : "";
      Fail(at, fmt::format("'{}' is not a number{}", token, hint));
    }
    std::string_view int_digits = token.substr(int_start, int_end - int_start);
    if (int_digits.size() > 1 && int_digits[0] == '0') {
      Fail(at,
           fmt::format("'{}' is not a number: no integer other than 0 may begin with 0", token));
    }
    bool is_float = has_frac || has_exp || suffix == 'M';
    if (!is_float) {
      if (suffix != 'N') {
        int64_t n = 0;
        auto [ptr, ec] = std::from_chars(token.data() + (token[0] == '+' ? 1 : 0),
                                         token.data() + token.size(), n);
        if (ec == std::errc()) return Value::Long(n);
        // Too big for a long: a big integer, as Clojure reads it.
      }
      internal::BigInteger big(int_digits);
      if (negative) big = -big;
      return internal::MakeBigInt(std::move(big));
    }
    if (suffix == 'N') Fail(at, fmt::format("'{}' is not a number: N marks integers only", token));
    if (suffix == 'M') {
      std::string digits(int_digits);
      if (has_frac) digits.append(token.substr(frac_start, frac_end - frac_start));
      int64_t scale = static_cast<int64_t>(frac_end - frac_start) - exponent;
      if (scale > std::numeric_limits<int32_t>::max() ||
          scale < std::numeric_limits<int32_t>::min()) {
        Fail(at, fmt::format("'{}': the exponent is out of range for a bigdec", token));
      }
      size_t nz = digits.find_first_not_of('0');
      internal::BigInteger unscaled(nz == std::string::npos ? std::string_view("0")
                                                            : std::string_view(digits).substr(nz));
      if (negative) unscaled = -unscaled;
      return internal::MakeBigDec(std::move(unscaled), static_cast<int32_t>(scale));
    }
    double d = 0;
    const char* first = token.data() + (token[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(first, token.data() + token.size(), d);
    if (ec == std::errc::result_out_of_range) {
      // Overflow to infinity and underflow to zero, as Java's parseDouble.
      std::string copy(first, token.data() + token.size());
      d = std::strtod(copy.c_str(), nullptr);
    } else if (ec != std::errc() || ptr != token.data() + token.size()) {
      Fail(at, fmt::format("'{}' is not a number", token));
    }
    return Value::Double(d);
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  ReadOptions options_;
  bool failed_ = false;
  const char* last_form_ = nullptr;  // start of the form read last
  std::vector<Value> stack_;
  std::string scratch_;
  // Keys view the input text, which outlives the reader.
  absl::flat_hash_map<std::string_view, Value, TokenHash> names_;
};

}  // namespace

class EdnReader::Impl : public Reader {
  using Reader::Reader;
};

EdnReader::EdnReader(std::string_view text, ReadOptions options)
    : impl_(std::make_unique<Impl>(text, std::move(options))) {}

EdnReader::~EdnReader() = default;

bool EdnReader::Next(Value* out) { return impl_->Next(out); }

size_t EdnReader::offset() const { return impl_->offset(); }

Value ReadEdn(std::string_view text, const ReadOptions& options) {
  Reader reader(text, options);
  Value v;
  if (!reader.Next(&v)) reader.FailEmpty();
  reader.ExpectEnd();
  return v;
}

std::vector<Value> ReadAllEdn(std::string_view text, const ReadOptions& options) {
  Reader reader(text, options);
  std::vector<Value> values;
  Value v;
  while (reader.Next(&v)) values.push_back(std::move(v));
  return values;
}

}  // namespace strata
