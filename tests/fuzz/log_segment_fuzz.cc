// Fuzz target for the log segment and log directory decoders
// (src/log/log_segment.h), and through them LZ4, log entry bodies and the
// value codec.
//
// The first input byte chooses the mode: bit 1 clear, a segment; set, a
// directory. Bit 0 clear, the rest is decoded as it is (checksum and all);
// set, the rest is taken as the blob's body (everything after the magic and
// the version byte) and sealed with a valid checksum first, so the fuzzer
// reaches the parsers behind it. Either way the only outcomes are a decoded
// blob or a fault anomaly naming it. A segment's entries must be in
// increasing t, as many as it says, and a range of them must be the
// matching part of the whole; a directory's segments in order with counts
// that fit their t ranges; either must encode to bytes that decode to the
// same, and encode to the same bytes again.
#include <xxhash.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/value_codec.h"
#include "log/log_segment.h"
#include "strata/anomaly.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using strata::LogEntry;
using strata::internal::LogSegment;
using strata::internal::LogSegmentRef;

// Decodes with `decode`; nullopt after checking that a throw is a fault
// naming the blob.
template <typename T, typename F>
std::optional<T> Decode(const std::string& bytes, F decode) {
  try {
    return decode(bytes);
  } catch (const strata::Anomaly& e) {
    FUZZ_CHECK(e.category() == strata::Category::kFault, "a decode error that is not a fault",
               bytes);
    FUZZ_CHECK(e.message().find("fuzz blob") != std::string::npos,
               "a fault that does not name the blob", bytes);
    return std::nullopt;
  }
}

// Entries equal down to each value's encoding.
bool SameEntries(const std::vector<LogEntry>& x, const std::vector<LogEntry>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].t != y[i].t || !(x[i].data == y[i].data)) return false;
    for (size_t j = 0; j < x[i].data.size(); ++j) {
      std::string a;
      std::string b;
      strata::EncodeValue(x[i].data[j].v, &a);
      strata::EncodeValue(y[i].data[j].v, &b);
      if (a != b) return false;
    }
  }
  return true;
}

void CheckSegment(const std::string& bytes) {
  using strata::internal::DecodeLogSegment;
  using strata::internal::EncodeLogSegment;
  std::optional<LogSegment> segment = Decode<LogSegment>(
      bytes, [](const std::string& b) { return DecodeLogSegment(b, "fuzz blob"); });
  if (!segment) return;
  const std::vector<LogEntry>& entries = segment->entries;
  FUZZ_CHECK(!entries.empty() && static_cast<int64_t>(entries.size()) == segment->count,
             "a segment with other than its count of entries", bytes);
  FUZZ_CHECK(entries.front().t == segment->first_t && entries.back().t == segment->last_t,
             "a segment's first or last t is not its entries'", bytes);
  for (size_t i = 1; i < entries.size(); ++i) {
    FUZZ_CHECK(entries[i - 1].t < entries[i].t, "a segment out of order", bytes);
  }
  // A range of the segment: those entries of the whole, in the middle.
  int64_t lo = entries[entries.size() / 3].t;
  int64_t hi = entries[entries.size() * 2 / 3].t + 1;
  std::vector<LogEntry> part;
  for (const LogEntry& e : entries) {
    if (e.t >= lo && e.t < hi) part.push_back(e);
  }
  FUZZ_CHECK(SameEntries(DecodeLogSegment(bytes, "again", lo, hi).entries, part),
             "a range of the segment is not the part of the whole", bytes);
  std::string encoded = EncodeLogSegment(entries);
  LogSegment again = DecodeLogSegment(encoded, "re-encoded");
  FUZZ_CHECK(SameEntries(again.entries, entries), "re-encoding changed the segment", bytes);
  FUZZ_CHECK(EncodeLogSegment(again.entries) == encoded, "encoding is not deterministic", bytes);
}

void CheckDirectory(const std::string& bytes) {
  using strata::internal::DecodeLogDirectory;
  using strata::internal::EncodeLogDirectory;
  std::optional<std::vector<LogSegmentRef>> dir = Decode<std::vector<LogSegmentRef>>(
      bytes, [](const std::string& b) { return DecodeLogDirectory(b, "fuzz blob"); });
  if (!dir) return;
  FUZZ_CHECK(!dir->empty(), "a directory with no segments", bytes);
  for (size_t i = 0; i < dir->size(); ++i) {
    const LogSegmentRef& s = (*dir)[i];
    FUZZ_CHECK(s.first_t >= 0 && s.first_t <= s.last_t && s.count >= 1 &&
                   s.count - 1 <= s.last_t - s.first_t,
               "a segment whose count does not fit its t range", bytes);
    FUZZ_CHECK(i == 0 || (*dir)[i - 1].last_t < s.first_t, "a directory out of order", bytes);
  }
  std::string encoded = EncodeLogDirectory(*dir);
  std::vector<LogSegmentRef> again = DecodeLogDirectory(encoded, "re-encoded");
  FUZZ_CHECK(again == *dir, "re-encoding changed the directory", bytes);
  FUZZ_CHECK(EncodeLogDirectory(again) == encoded, "encoding is not deterministic", bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool directory = (data[0] & 2) != 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    std::string body = std::string(directory ? "SLDR" : "SLSG") + "\x01" + bytes;
    uint64_t sum = XXH64(body.data(), body.size(), 0);
    char buf[8];
    std::memcpy(buf, &sum, 8);
    bytes = body + std::string(buf, 8);
  }
  if (directory) {
    CheckDirectory(bytes);
  } else {
    CheckSegment(bytes);
  }
  return 0;
}
