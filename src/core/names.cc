// Keyword and symbol name rules (see names.h).
#include "core/names.h"

#include <fmt/format.h>

#include "core/utf8.h"

namespace strata {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsNameChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c)) return true;
  switch (c) {
    case '.':
    case '*':
    case '+':
    case '!':
    case '-':
    case '_':
    case '?':
    case '$':
    case '%':
    case '&':
    case '=':
    case '<':
    case '>':
    case ':':
    case '#':
    case '\'':
      return true;
    default:
      return false;
  }
}

// What is wrong with the characters of one part, or empty.
std::string BadChars(std::string_view part) {
  const char* end = part.data() + part.size();
  for (const char* p = part.data(); p < end;) {
    if (static_cast<uint8_t>(*p) >= 0x80) {
      char32_t cp;
      size_t n = DecodeUtf8(p, end, &cp);
      if (n == 0) return "it is not valid UTF-8";
      p += n;
      continue;
    }
    if (!IsNameChar(*p))
      return fmt::format("'{}' may not appear in a name", std::string_view(p, 1));
    ++p;
  }
  return {};
}

// The leading-character rule of a symbol part.
std::string BadStart(std::string_view part, bool allow_digit) {
  char c0 = part[0];
  if (c0 == ':' || c0 == '#') return fmt::format("a name may not start with '{}'", c0);
  if (!allow_digit) {
    if (IsDigit(c0)) return "a name may not start with a digit";
    if ((c0 == '-' || c0 == '+' || c0 == '.') && part.size() > 1 && IsDigit(part[1])) {
      return fmt::format("a name may not start with '{}' and a digit", c0);
    }
  }
  return {};
}

}  // namespace

void SplitQualifiedName(std::string_view qualified, std::string_view* ns, std::string_view* name) {
  size_t slash = qualified.find('/');
  // A leading '/' ("/a") is no namespace separator: the name keeps it and is
  // then invalid, unless it is "/" itself.
  if (slash == std::string_view::npos || slash == 0) {
    *ns = {};
    *name = qualified;
  } else {
    *ns = qualified.substr(0, slash);
    *name = qualified.substr(slash + 1);
  }
}

std::string InvalidNameReason(bool keyword, std::string_view ns, std::string_view name) {
  if (name.empty()) return "the name is empty";
  if (ns.find('/') != std::string_view::npos ||
      (name.find('/') != std::string_view::npos && name != "/")) {
    return "'/' separates one namespace from one name";
  }
  if (name == "/") {
    return ns.empty() ? std::string() : BadChars(ns) + BadStart(ns, false);
  }
  std::string why = BadChars(ns);
  if (why.empty()) why = BadChars(name);
  if (!why.empty()) return why;
  if (!ns.empty()) {
    why = BadStart(ns, false);
    if (why.empty()) why = BadStart(name, false);
  } else {
    why = BadStart(name, keyword);
  }
  if (!why.empty()) return why;
  if (ns.ends_with(':') || name.ends_with(':') || ns.find("::") != std::string_view::npos ||
      name.find("::") != std::string_view::npos) {
    return "a name may not end with ':' or hold '::'";
  }
  if (!keyword && ns.empty() && (name == "nil" || name == "true" || name == "false")) {
    return fmt::format("'{}' is a literal, not a symbol", name);
  }
  return {};
}

}  // namespace strata
