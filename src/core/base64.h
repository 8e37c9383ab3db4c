// Base64 (RFC 4648, standard alphabet, padded): how EDN and JSON carry
// :db.type/bytes values.
#ifndef STRATA_CORE_BASE64_H_
#define STRATA_CORE_BASE64_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

std::string Base64Encode(std::span<const uint8_t> bytes);
// Returns nullopt when `text` is not padded standard base64.
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);

}  // namespace strata

#endif  // STRATA_CORE_BASE64_H_
