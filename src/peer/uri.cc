// Database URIs (see uri.h).
#include "peer/uri.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>

#include "strata/anomaly.h"

namespace strata::internal {
namespace {

constexpr size_t kMaxNameLength = 128;
constexpr std::string_view kPrefix = "strata:";
constexpr std::string_view kForms =
    "strata:mem://NAME, strata:lmdb://NAME?dir=PATH or strata:postgres://NAME?CONNINFO";

[[noreturn]] void Invalid(std::string_view uri, std::string message) {
  ThrowIncorrect("invalid-db-uri", std::move(message),
                 Value::Map({{Value::Keyword("uri"), Value::String(std::string(uri))}}));
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

void CheckName(std::string_view uri, std::string_view name, bool allow_pattern) {
  if (allow_pattern && name == "*") return;
  if (name.empty()) {
    Invalid(uri, fmt::format("Database URI {} names no database: write {}", uri, kForms));
  }
  if (name.size() > kMaxNameLength) {
    Invalid(uri, fmt::format("Database name in {} is {} characters long; the limit is {}", uri,
                             name.size(), kMaxNameLength));
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      Invalid(uri, fmt::format("Database name '{}' in {} has the character '{}': a name is "
                               "letters, digits, '-', '_' and '.'{}",
                               name, uri, c, allow_pattern ? ", or * for every database" : ""));
    }
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The lmdb form's query: dir=PATH (the only parameter).
std::string LmdbDir(std::string_view uri, std::string_view query) {
  std::optional<std::string> dir;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (param.empty()) continue;
    size_t eq = param.find('=');
    std::string_view key = param.substr(0, eq);
    if (key != "dir") {
      Invalid(uri, fmt::format("Database URI {} has the unknown parameter '{}': the lmdb form "
                               "takes only dir=PATH",
                               uri, key));
    }
    if (eq == std::string_view::npos || eq + 1 == param.size()) {
      Invalid(uri, fmt::format("Database URI {} has an empty dir: write ?dir=PATH", uri));
    }
    if (dir) Invalid(uri, fmt::format("Database URI {} gives dir twice", uri));
    dir = PercentDecode(param.substr(eq + 1), uri);
  }
  if (!dir) {
    Invalid(uri, fmt::format("Database URI {} says no directory: write "
                             "strata:lmdb://NAME?dir=PATH",
                             uri));
  }
  if (dir->find('\0') != std::string::npos) {
    Invalid(uri, fmt::format("Database URI {} has a NUL character in its directory", uri));
  }
  std::error_code ec;
  std::filesystem::path path = std::filesystem::absolute(*dir, ec);
  if (ec) {
    Invalid(uri,
            fmt::format("Database URI {}: cannot make {} absolute: {}", uri, *dir, ec.message()));
  }
  std::string out = path.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

std::string PercentDecode(std::string_view text, std::string_view uri) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int hi = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      Invalid(uri, fmt::format("Database URI {} has a '%' not followed by two hex digits (at "
                               "'{}'): encode '%' as %25",
                               uri, text.substr(i, 3)));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

DbUri ParseDbUri(std::string_view uri, bool allow_pattern) {
  size_t sep = uri.find("://");
  if (uri.substr(0, kPrefix.size()) != kPrefix || sep == std::string_view::npos) {
    if (sep != std::string_view::npos && uri.substr(0, kPrefix.size()) != kPrefix) {
      ThrowIncorrect("unsupported-protocol",
                     fmt::format("Unsupported protocol in database URI {}: use {}", uri, kForms),
                     Value::Map({{Value::Keyword("uri"), Value::String(std::string(uri))}}));
    }
    Invalid(uri, fmt::format("'{}' is not a database URI: write {}", uri, kForms));
  }
  std::string_view scheme = uri.substr(kPrefix.size(), sep - kPrefix.size());
  std::string_view rest = uri.substr(sep + 3);
  size_t q = rest.find('?');
  std::string_view name = rest.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  DbUri out;
  if (scheme == "mem") {
    out.kind = StorageKind::kMem;
    if (q != std::string_view::npos) {
      Invalid(uri, fmt::format("Database URI {} has parameters; the mem form takes none: write "
                               "strata:mem://NAME",
                               uri));
    }
  } else if (scheme == "lmdb") {
    out.kind = StorageKind::kLmdb;
    out.location = LmdbDir(uri, query);
  } else if (scheme == "postgres") {
    out.kind = StorageKind::kPostgres;
    if (query.empty()) {
      Invalid(uri, fmt::format("Database URI {} has no connection string: write "
                               "strata:postgres://NAME?CONNINFO, CONNINFO URL-encoded",
                               uri));
    }
    out.location = PercentDecode(query, uri);
  } else {
    ThrowIncorrect(
        "unsupported-protocol",
        fmt::format("Unsupported storage '{}' in database URI {}: use {}", scheme, uri, kForms),
        Value::Map({{Value::Keyword("uri"), Value::String(std::string(uri))}}));
  }
  CheckName(uri, name, allow_pattern);
  out.name = std::string(name);
  return out;
}

}  // namespace strata::internal
