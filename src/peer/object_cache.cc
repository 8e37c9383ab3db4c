// The object cache's bound (see object_cache.h).
#include "peer/object_cache.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "strata/anomaly.h"
#include "strata/value.h"
#include "transactor/durable_transactor.h"

namespace strata::internal {

size_t ParseByteSize(std::string_view text, std::string_view variable) {
  auto invalid = [&](std::string_view why) -> size_t {
    ThrowIncorrect("invalid-config",
                   fmt::format("{}={} is not a size: {}. Write bytes (268435456) or a whole "
                               "number with the suffix k, m or g for KiB, MiB or GiB (512k, "
                               "64m, 2g)",
                               variable, text, why),
                   Value::Map({{Value::Keyword("variable"), Value::String(variable)},
                               {Value::Keyword("value"), Value::String(text)}}));
  };
  std::string_view digits = text;
  uint64_t unit = 1;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'k':
      case 'K':
        unit = uint64_t{1} << 10;
        break;
      case 'm':
      case 'M':
        unit = uint64_t{1} << 20;
        break;
      case 'g':
      case 'G':
        unit = uint64_t{1} << 30;
        break;
      default:
        break;
    }
    if (unit != 1) digits.remove_suffix(1);
  }
  if (digits.empty()) return invalid(text.empty() ? "it is empty" : "it has no number");
  uint64_t n = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return invalid(fmt::format("'{}' is not a digit, and only k, m or g may end it", c));
    }
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (n > (kMax - digit) / 10) return invalid("it is too large");
    n = n * 10 + digit;
  }
  if (n > std::numeric_limits<size_t>::max() / unit) return invalid("it is too large");
  return static_cast<size_t>(n * unit);
}

size_t ObjectCacheMaxFromEnvironment() {
  std::string name(kObjectCacheMaxVariable);
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return DurableOptions::DefaultCacheBytes();
  return ParseByteSize(value, kObjectCacheMaxVariable);
}

}  // namespace strata::internal
