// Blob keys: version 7 UUIDs that start with the time they were made (see
// storage.h).
#include "storage/storage.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "strata/anomaly.h"

namespace strata::internal {
namespace {

constexpr int64_t kMaxKeyTimeMs = (int64_t{1} << 48) - 1;

}  // namespace

int64_t UnixTimeMs() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now())
      .time_since_epoch()
      .count();
}

Uuid NewBlobKey() { return NewBlobKeyAt(UnixTimeMs()); }

Uuid NewBlobKeyAt(int64_t unix_ms) {
  if (unix_ms < 0 || unix_ms > kMaxKeyTimeMs) {
    ThrowFault(fmt::format("cannot make a blob key at Unix time {} ms: the clock is out of range",
                           unix_ms));
  }
  // The random bits from the kernel each time: a forked process must not
  // repeat its parent's keys, as a copied generator would.
  Uuid u;
  size_t got = 6;
  while (got < u.bytes.size()) {
    ssize_t n = getrandom(u.bytes.data() + got, u.bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowFault(fmt::format("getrandom failed: {}", std::strerror(errno)));
    }
    got += static_cast<size_t>(n);
  }
  for (int i = 0; i < 6; ++i) {
    u.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(unix_ms >> (8 * (5 - i)));
  }
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x70);  // version 7
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // RFC 9562 variant
  return u;
}

std::optional<int64_t> BlobKeyTimeMs(const Uuid& key) {
  if ((key.bytes[6] & 0xf0) != 0x70 || (key.bytes[8] & 0xc0) != 0x80) return std::nullopt;
  int64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | key.bytes[static_cast<size_t>(i)];
  return ms;
}

}  // namespace strata::internal
