// UTF-8: decoding one code point with full validation, and encoding.
#ifndef STRATA_CORE_UTF8_H_
#define STRATA_CORE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

// Decodes the code point at p (p < end). Returns its length in bytes, or 0
// if the bytes there are not valid UTF-8 (truncated, overlong, a surrogate,
// or above U+10FFFF).
inline size_t DecodeUtf8(const char* p, const char* end, char32_t* out) {
  auto b0 = static_cast<uint8_t>(p[0]);
  if (b0 < 0x80) {
    *out = b0;
    return 1;
  }
  size_t len;
  char32_t cp;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    auto b = static_cast<uint8_t>(p[i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *out = cp;
  return len;
}

// Whether every byte of `s` belongs to a valid UTF-8 code point.
inline bool IsUtf8(std::string_view s) {
  for (const char* p = s.data(); p < s.data() + s.size();) {
    char32_t cp;
    size_t n = DecodeUtf8(p, s.data() + s.size(), &cp);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

// Appends the UTF-8 encoding of a Unicode scalar value.
inline void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace strata

#endif  // STRATA_CORE_UTF8_H_
