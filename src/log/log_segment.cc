// Log segments and log directories (see log_segment.h for the formats).
#include "log/log_segment.h"

#include <fmt/format.h>

#include <cassert>
#include <cstring>

#include "core/value_codec.h"
#include "log/log_entry.h"
#include "strata/anomaly.h"

namespace strata::internal {
namespace {

constexpr std::string_view kSegmentMagic = "SLSG";
constexpr std::string_view kDirectoryMagic = "SLDR";

constexpr size_t kKeySize = 16;
// The smallest directory entry: three one-byte varints and a key.
constexpr size_t kMinDirectoryEntry = 3 + kKeySize;

void PutKey(const Uuid& key, std::string* out) {
  out->append(reinterpret_cast<const char*>(key.bytes.data()), kKeySize);
}

Uuid ReadKey(ByteReader& r) {
  Uuid key;
  std::memcpy(key.bytes.data(), r.Bytes(kKeySize).data(), kKeySize);
  return key;
}

Value Kw(std::string_view name) { return Value::Keyword(name); }

}  // namespace

Value EncodeLogIndexPointer(const LogIndexPointer& pointer) {
  return Value::Map({{Kw("t"), Value::Long(pointer.t)}, {Kw("dir"), Value::MakeUuid(pointer.dir)}});
}

LogIndexPointer DecodeLogIndexPointer(const Value& v, std::string_view what) {
  const Value* t = v.is_map() ? v.Get(Kw("t")) : nullptr;
  const Value* dir = v.is_map() ? v.Get(Kw("dir")) : nullptr;
  if (t == nullptr || t->type() != ValueType::kLong || t->AsLong() < 0 ||
      t->AsLong() > kCounterMask || dir == nullptr || dir->type() != ValueType::kUuid) {
    ThrowFault(
        fmt::format("{} is corrupt: its :log-index is not {{:t T :dir #uuid \"...\"}}", what));
  }
  return LogIndexPointer{t->AsLong(), dir->AsUuid()};
}

std::string EncodeLogDirectory(std::span<const LogSegmentRef> segments) {
  assert(!segments.empty());
  std::string out;
  BeginFrame(kDirectoryMagic, kLogDirectoryVersion, &out);
  PutVarint(segments.size(), &out);
  for (const LogSegmentRef& s : segments) {
    assert(s.first_t >= 0 && s.first_t <= s.last_t && s.count >= 1 &&
           s.count <= s.last_t - s.first_t + 1);
    PutVarint(static_cast<uint64_t>(s.first_t), &out);
    PutVarint(static_cast<uint64_t>(s.last_t - s.first_t), &out);
    PutVarint(static_cast<uint64_t>(s.count), &out);
    PutKey(s.key, &out);
  }
  EndFrame(&out);
  return out;
}

std::vector<LogSegmentRef> DecodeLogDirectory(std::string_view bytes, std::string_view what) {
  ByteReader r = OpenFrame(bytes, kDirectoryMagic, kLogDirectoryVersion, "log directory", what);
  uint64_t n = r.Varint();
  if (n == 0) r.Fail("no segments");
  if (n > bytes.size() / kMinDirectoryEntry) r.Fail("a segment count past the end");
  std::vector<LogSegmentRef> segments;
  segments.reserve(n);
  constexpr auto kMaxT = static_cast<uint64_t>(kCounterMask);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t first = r.Varint();
    uint64_t span = r.Varint();
    uint64_t count = r.Varint();
    if (first > kMaxT || span > kMaxT - first) r.Fail("a t out of range");
    if (count == 0 || count > span + 1) r.Fail("a segment count that does not fit its t range");
    LogSegmentRef s;
    s.first_t = static_cast<int64_t>(first);
    s.last_t = static_cast<int64_t>(first + span);
    s.count = static_cast<int64_t>(count);
    s.key = ReadKey(r);
    if (!segments.empty() && s.first_t <= segments.back().last_t) {
      r.Fail("segments out of order");
    }
    segments.push_back(s);
  }
  if (!r.done()) r.Fail("bytes after the last segment");
  return segments;
}

void LogSegmentBuilder::Add(const LogEntry& entry) {
  assert(entry.t >= 0 && (count_ == 0 || entry.t > last_t_));
  std::string body;
  AppendLogEntryBody(entry, &body);
  PutVarint(body.size(), &raw_);
  raw_.append(body);
  if (count_ == 0) first_t_ = entry.t;
  last_t_ = entry.t;
  ++count_;
}

std::string LogSegmentBuilder::Finish() {
  assert(count_ >= 1);
  std::string out;
  BeginFrame(kSegmentMagic, kLogSegmentVersion, &out);
  PutVarint(static_cast<uint64_t>(count_), &out);
  PutColumn(raw_, &out);
  EndFrame(&out);
  raw_.clear();
  count_ = 0;
  first_t_ = 0;
  last_t_ = 0;
  return out;
}

std::string EncodeLogSegment(std::span<const LogEntry> entries) {
  LogSegmentBuilder builder;
  for (const LogEntry& e : entries) builder.Add(e);
  return builder.Finish();
}

LogSegment DecodeLogSegment(std::string_view bytes, std::string_view what, int64_t lo, int64_t hi) {
  ByteReader frame = OpenFrame(bytes, kSegmentMagic, kLogSegmentVersion, "log segment", what);
  uint64_t n = frame.Varint();
  if (n == 0) frame.Fail("no entries");
  std::string owned;
  std::string_view raw = ReadColumn(frame, "entries", -1, &owned);
  if (!frame.done()) frame.Fail("bytes after the entries");
  // Each entry takes at least three bytes: its length, t and datom count.
  if (n > raw.size() / 3) frame.Fail("an entry count past the end");
  LogSegment segment;
  segment.count = static_cast<int64_t>(n);
  segment.raw_bytes = raw.size();
  // Faults inside the column count its bytes, uncompressed.
  std::string column_what = fmt::format("{} (entries column)", what);
  ByteReader r(raw, column_what);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view body = r.Bytes(r.Varint());
    ByteReader peek(body, column_what);
    uint64_t t = peek.Varint();
    if (t > static_cast<uint64_t>(kCounterMask)) peek.Fail("a t out of range");
    auto entry_t = static_cast<int64_t>(t);
    if (i == 0) {
      segment.first_t = entry_t;
    } else if (entry_t <= segment.last_t) {
      r.Fail("entries out of order");
    }
    segment.last_t = entry_t;
    if (entry_t >= lo && entry_t < hi) {
      segment.entries.push_back(DecodeLogEntryBody(body, column_what));
    }
  }
  if (!r.done()) r.Fail("bytes after the last entry");
  return segment;
}

}  // namespace strata::internal
