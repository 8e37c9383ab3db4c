// Log entry encoding (see log_entry.h).
#include "log/log_entry.h"

#include <cstring>

#include "core/value_codec.h"

namespace strata::internal {
namespace {

constexpr std::string_view kMagic = "SLOG";

// Reads a body (t, n, datoms) from `r`; `size` bounds the datom count.
LogEntry ReadBody(ByteReader& r, size_t size) {
  LogEntry entry;
  uint64_t t = r.Varint();
  if (t > static_cast<uint64_t>(kCounterMask)) r.Fail("a t out of range");
  entry.t = static_cast<int64_t>(t);
  uint64_t n = r.Varint();
  if (n > size) r.Fail("a datom count past the end");
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

}  // namespace

void AppendLogEntryBody(const LogEntry& entry, std::string* out) {
  PutVarint(static_cast<uint64_t>(entry.t), out);
  PutVarint(entry.data.size(), out);
  for (const Datom& d : entry.data) {
    PutVarint(static_cast<uint64_t>(d.e), out);
    PutVarint(static_cast<uint64_t>(d.a), out);
    out->push_back(d.added ? 1 : 0);
    EncodeValue(d.v, out);
  }
}

std::string EncodeLogEntry(const LogEntry& entry) {
  std::string out;
  BeginFrame(kMagic, kLogEntryVersion, &out);
  AppendLogEntryBody(entry, &out);
  EndFrame(&out);
  return out;
}

LogEntry DecodeLogEntry(std::string_view bytes, std::string_view what) {
  ByteReader r = OpenFrame(bytes, kMagic, kLogEntryVersion, "log entry", what);
  return ReadBody(r, bytes.size());
}

LogEntry DecodeLogEntryBody(std::string_view body, std::string_view what) {
  ByteReader r(body, what);
  return ReadBody(r, body.size());
}

}  // namespace strata::internal
