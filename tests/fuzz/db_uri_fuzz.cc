// Fuzz target for the database URI parser (src/peer/uri.h).
//
// The first input byte says whether a pattern name ("*") is allowed; the rest
// is the URI. The only outcomes are a parsed URI whose parts obey the rules
// or an incorrect anomaly; a parsed URI parses again to the same thing when
// printed back in its canonical form.
#include <string>
#include <string_view>

#include "peer/uri.h"
#include "strata/anomaly.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool ValidName(std::string_view name, bool allow_pattern) {
  if (allow_pattern && name == "*") return true;
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool allow_pattern = (data[0] & 1) != 0;
  std::string uri(reinterpret_cast<const char*>(data) + 1, size - 1);
  strata::internal::DbUri parsed;
  try {
    parsed = strata::internal::ParseDbUri(uri, allow_pattern);
  } catch (const strata::Anomaly& e) {
    FUZZ_CHECK(e.category() == strata::Category::kIncorrect, "a URI error that is not incorrect",
               uri);
    return 0;
  }
  FUZZ_CHECK(ValidName(parsed.name, allow_pattern), "a parsed name breaks the rules", uri);
  std::string again;
  switch (parsed.kind) {
    case strata::internal::StorageKind::kMem:
      FUZZ_CHECK(parsed.location.empty(), "a mem URI with a location", uri);
      again = "strata:mem://" + parsed.name;
      break;
    case strata::internal::StorageKind::kLmdb:
      FUZZ_CHECK(!parsed.location.empty() && parsed.location[0] == '/',
                 "an lmdb directory that is not absolute", uri);
      again = "strata:lmdb://" + parsed.name + "?dir=" + Encode(parsed.location);
      break;
    case strata::internal::StorageKind::kPostgres:
      FUZZ_CHECK(!parsed.location.empty(), "a postgres URI without a conninfo", uri);
      again = "strata:postgres://" + parsed.name + "?" + Encode(parsed.location);
      break;
  }
  strata::internal::DbUri reparsed = strata::internal::ParseDbUri(again, allow_pattern);
  FUZZ_CHECK(reparsed.kind == parsed.kind && reparsed.name == parsed.name &&
                 reparsed.location == parsed.location,
             "a canonical URI parses differently", uri);
  return 0;
}
