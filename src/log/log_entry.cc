// Log entry encoding (see log_entry.h).
#include "log/log_entry.h"

#include <xxhash.h>

#include <cstring>

#include "core/value_codec.h"

namespace strata::internal {
namespace {

constexpr std::string_view kMagic = "SLOG";

uint64_t Checksum(std::string_view bytes) { return XXH64(bytes.data(), bytes.size(), 0); }

}  // namespace

std::string EncodeLogEntry(const LogEntry& entry) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kLogEntryVersion));
  PutVarint(static_cast<uint64_t>(entry.t), &out);
  PutVarint(entry.data.size(), &out);
  for (const Datom& d : entry.data) {
    PutVarint(static_cast<uint64_t>(d.e), &out);
    PutVarint(static_cast<uint64_t>(d.a), &out);
    out.push_back(d.added ? 1 : 0);
    EncodeValue(d.v, &out);
  }
  uint64_t sum = Checksum(out);
  char buf[8];
  std::memcpy(buf, &sum, 8);
  out.append(buf, 8);
  return out;
}

LogEntry DecodeLogEntry(std::string_view bytes, std::string_view what) {
  ByteReader header(bytes, what);
  if (bytes.size() < kMagic.size() + 1 + 8) header.Fail("too short for a log entry");
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + body.size(), 8);
  ByteReader r(body, what);
  if (r.Bytes(kMagic.size()) != kMagic) r.Fail("not a log entry (bad magic)");
  uint8_t version = r.Byte();
  if (version != kLogEntryVersion) r.Fail("an unknown log entry version");
  if (Checksum(body) != stored) r.Fail("checksum mismatch");
  LogEntry entry;
  uint64_t t = r.Varint();
  if (t > static_cast<uint64_t>(kCounterMask)) r.Fail("a t out of range");
  entry.t = static_cast<int64_t>(t);
  uint64_t n = r.Varint();
  if (n > body.size()) r.Fail("a datom count past the end");
  entry.data.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    Datom d;
    d.e = static_cast<EntityId>(r.Varint());
    d.a = static_cast<EntityId>(r.Varint());
    uint8_t added = r.Byte();
    if (added > 1) r.Fail("a bad added flag");
    d.added = added == 1;
    d.v = r.ReadValue();
    d.tx = TxFromT(entry.t);
    if (d.e < 0 || d.a < 0) r.Fail("a negative entity id");
    entry.data.push_back(std::move(d));
  }
  if (!r.done()) r.Fail("bytes after the last datom");
  return entry;
}

}  // namespace strata::internal
