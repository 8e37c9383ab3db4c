// The EDN printer. Its output reads back (ReadEdn) to an equal Value, and
// equal Values print the same text: maps and sets are stored sorted, doubles
// print in their shortest round-trip form, instants in one canonical form.
#include <charconv>
#include <cmath>

#include "core/base64.h"
#include "core/instant.h"
#include "core/utf8.h"
#include "core/value_internal.h"
#include "strata/edn.h"

namespace strata {
namespace {

void AppendHex4(uint32_t cp, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(cp >> shift) & 15]);
}

void PrintString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (static_cast<uint8_t>(c) < 0x20 || c == 0x7f) {
          AppendHex4(static_cast<uint8_t>(c), out);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void PrintChar(char32_t c, std::string* out) {
  switch (c) {
    case '\n':
      out->append("\\newline");
      return;
    case ' ':
      out->append("\\space");
      return;
    case '\t':
      out->append("\\tab");
      return;
    case '\r':
      out->append("\\return");
      return;
    case '\f':
      out->append("\\formfeed");
      return;
    case '\b':
      out->append("\\backspace");
      return;
    default:
      break;
  }
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xA0)) {
    AppendHex4(c, out);  // \uXXXX
    return;
  }
  out->push_back('\\');
  AppendUtf8(c, out);
}

// Shortest text that reads back to the same number, always with a '.' or an
// exponent so that it reads as floating point.
template <typename F>
void PrintFloating(F f, std::string* out) {
  if (std::isnan(f)) {
    out->append("##NaN");
    return;
  }
  if (std::isinf(f)) {
    out->append(f > 0 ? "##Inf" : "##-Inf");
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), f);
  std::string_view text(buf, static_cast<size_t>(end - buf));
  out->append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");
}

// As Java's BigDecimal.toString, so the scale survives: plain digits when
// the scale is not negative and the number is not tiny (1.50M, 0.005M),
// scientific notation otherwise (1E+3M, 1.23E-10M).
void PrintBigDec(const internal::BigDecObject& d, std::string* out) {
  std::string digits = internal::BigInteger(abs(d.unscaled)).str();
  if (d.unscaled.sign() < 0) out->push_back('-');
  int64_t adjusted = -int64_t{d.scale} + static_cast<int64_t>(digits.size()) - 1;
  if (d.scale >= 0 && adjusted >= -6) {
    auto scale = static_cast<size_t>(d.scale);
    if (scale == 0) {
      out->append(digits);
    } else if (digits.size() <= scale) {
      out->append("0.");
      out->append(scale - digits.size(), '0');
      out->append(digits);
    } else {
      out->append(digits, 0, digits.size() - scale);
      out->push_back('.');
      out->append(digits, digits.size() - scale, std::string::npos);
    }
  } else {
    out->push_back(digits[0]);
    if (digits.size() > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('E');
    out->push_back(adjusted >= 0 ? '+' : '-');
    out->append(std::to_string(adjusted >= 0 ? adjusted : -adjusted));
  }
  out->push_back('M');
}

void PrintItems(std::span<const Value> items, std::string* out) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(' ');
    PrintEdn(items[i], out);
  }
}

}  // namespace

void PrintEdn(const Value& v, std::string* out) {
  switch (v.type()) {
    case ValueType::kNil:
      out->append("nil");
      return;
    case ValueType::kBoolean:
      out->append(v.AsBoolean() ? "true" : "false");
      return;
    case ValueType::kLong:
    case ValueType::kRef: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v.AsLong());
      out->append(buf, end);
      return;
    }
    case ValueType::kBigInt:
      out->append(internal::BigIntOf(v).str());
      out->push_back('N');
      return;
    case ValueType::kFloat:
      out->append("#strata/float ");
      PrintFloating(v.AsFloat(), out);
      return;
    case ValueType::kDouble:
      PrintFloating(v.AsDouble(), out);
      return;
    case ValueType::kBigDec:
      PrintBigDec(internal::BigDecOf(v), out);
      return;
    case ValueType::kChar:
      PrintChar(v.AsChar(), out);
      return;
    case ValueType::kString:
      PrintString(v.AsString(), out);
      return;
    case ValueType::kKeyword:
      out->push_back(':');
      out->append(v.QualifiedName());
      return;
    case ValueType::kSymbol:
      out->append(v.QualifiedName());
      return;
    case ValueType::kInstant:
      out->append("#inst \"");
      out->append(FormatInstant(v.AsInstant()));
      out->push_back('"');
      return;
    case ValueType::kUuid:
      out->append("#uuid \"");
      out->append(v.AsUuid().ToString());
      out->push_back('"');
      return;
    case ValueType::kUri:
      out->append("#strata/uri ");
      PrintString(v.AsString(), out);
      return;
    case ValueType::kBytes:
      out->append("#strata/bytes \"");
      out->append(Base64Encode(v.AsBytes()));
      out->push_back('"');
      return;
    case ValueType::kTuple:
    case ValueType::kVector:
      out->push_back('[');
      PrintItems(v.Items(), out);
      out->push_back(']');
      return;
    case ValueType::kList:
      out->push_back('(');
      PrintItems(v.Items(), out);
      out->push_back(')');
      return;
    case ValueType::kSet:
      out->append("#{");
      PrintItems(v.Items(), out);
      out->push_back('}');
      return;
    case ValueType::kMap:
      out->push_back('{');
      for (size_t i = 0; i < v.Count(); ++i) {
        if (i > 0) out->append(", ");
        PrintEdn(v.MapKey(i), out);
        out->push_back(' ');
        PrintEdn(v.MapVal(i), out);
      }
      out->push_back('}');
      return;
    case ValueType::kTagged:
      out->push_back('#');
      out->append(v.Tag().QualifiedName());
      out->push_back(' ');
      PrintEdn(v.TaggedValue(), out);
      return;
  }
}

std::string PrintEdn(const Value& value) {
  std::string out;
  PrintEdn(value, &out);
  return out;
}

}  // namespace strata
