// Log segments: the old part of a database's transaction log, packed into
// few large immutable blobs so that reading any range of it costs the
// segments the range falls in, not the history after it.
//
// A segment holds many consecutive log entries (log_entry.h), in increasing
// t, as one column framed as an index segment's columns are (segment.h):
// raw, or one LZ4 block when that is smaller.
//
//   +--------+---------+----------+--------------------------------------+----------+
//   | "SLSG" | version | n varint | entries column                       | xxh64    |
//   | 4 B    | u8 = 1  | n >= 1   | codec u8 | raw length | stored length | 8 B LE   |
//   |        |         |          |          | varint     | varint (LZ4)  |          |
//   |        |         |          | stored bytes                         |          |
//   +--------+---------+----------+--------------------------------------+----------+
//   codec 0: raw; no stored length, the stored bytes are the raw bytes.
//   codec 1: LZ4; the stored bytes are an LZ4 block that decompresses to
//            exactly `raw length` bytes (at most 255 times its size).
//
//   the raw entries column, n times:
//   +------------+-------------------------------------------------------+
//   | len varint | entry body: | t varint | datoms varint | datoms |     |
//   +------------+-------------------------------------------------------+
//   (an entry as log_entry.h draws it, without magic, version and
//   checksum: the segment's checksum covers them all), t strictly
//   increasing.
//
// A log directory lists a database's segments in t order, and is rewritten
// whole when segments are added (about 25 bytes a segment):
//
//   +--------+---------+----------+-------------------------------------------+----------+
//   | "SLDR" | version | n varint | n x | first t | last t - first t | count  | xxh64    |
//   | 4 B    | u8 = 1  | n >= 1   |     | varint  | varint           | varint | 8 B LE   |
//   |        |         |          |     | key, 16 B (most significant first)  |          |
//   +--------+---------+----------+-------------------------------------------+----------+
//   Each segment's first t is above the previous segment's last t; its
//   count is at least 1 and at most last t - first t + 1.
//
// The database root points at the directory with its :log-index key,
//
//   :log-index {:t 1000 :dir #uuid "..."}
//
// meaning every transaction with t <= 1000 is in the directory's segments
// (which end at or before it); the chain of log blobs (log_store.h) holds
// the rest. The checksums cover every byte before them. Decoding checks
// magic, version, checksum, every length, count and order: damage is an
// Anomaly of category fault naming the blob, never a crash and never a
// wrong answer.
#ifndef STRATA_LOG_LOG_SEGMENT_H_
#define STRATA_LOG_LOG_SEGMENT_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/database.h"
#include "strata/value.h"

namespace strata::internal {

inline constexpr uint8_t kLogSegmentVersion = 1;
inline constexpr uint8_t kLogDirectoryVersion = 1;

// Where the packed part of a database's log is (the root's :log-index):
// every transaction with t <= `t` is in the segments directory `dir` lists.
struct LogIndexPointer {
  int64_t t = 0;
  Uuid dir;
  friend bool operator==(const LogIndexPointer&, const LogIndexPointer&) = default;
};

// The pointer as the root's EDN map {:t T :dir #uuid "..."}, and back (a
// malformed one is a fault naming `what`, the root).
Value EncodeLogIndexPointer(const LogIndexPointer& pointer);
LogIndexPointer DecodeLogIndexPointer(const Value& v, std::string_view what);

// A directory's entry for one segment.
struct LogSegmentRef {
  int64_t first_t = 0;
  int64_t last_t = 0;
  int64_t count = 0;  // the entries in the segment
  Uuid key;
  friend bool operator==(const LogSegmentRef&, const LogSegmentRef&) = default;
};

// The directory blob listing `segments`.
// REQUIRES: at least one segment; each as DecodeLogDirectory checks.
std::string EncodeLogDirectory(std::span<const LogSegmentRef> segments);

// Decodes a directory; `what` names it in anomalies.
std::vector<LogSegmentRef> DecodeLogDirectory(std::string_view bytes, std::string_view what);

// Builds a segment entry by entry, so that a packer can close it at a size.
class LogSegmentBuilder {
 public:
  // REQUIRES: entry.t above every t added before, 0 <= entry.t, and every
  // datom's tx TxFromT(entry.t).
  void Add(const LogEntry& entry);
  int64_t count() const { return count_; }
  // The encoded entries so far, before compression.
  size_t raw_bytes() const { return raw_.size(); }
  int64_t first_t() const { return first_t_; }
  int64_t last_t() const { return last_t_; }
  // The segment blob; the builder is left empty. REQUIRES: count() >= 1.
  std::string Finish();

 private:
  std::string raw_;
  int64_t count_ = 0;
  int64_t first_t_ = 0;
  int64_t last_t_ = 0;
};

// The segment holding `entries` (REQUIRES: not empty; as Add).
std::string EncodeLogSegment(std::span<const LogEntry> entries);

// A decoded segment: what it holds, and the entries asked for.
struct LogSegment {
  int64_t first_t = 0;
  int64_t last_t = 0;
  int64_t count = 0;
  size_t raw_bytes = 0;  // the entries column, uncompressed
  // The entries with lo <= t < hi, oldest first.
  std::vector<LogEntry> entries;
};

// Decodes a segment, keeping the entries with lo <= t < hi; `what` names it
// in anomalies. Every entry's t and order are checked (and every byte by
// the checksum); only the entries kept are decoded further.
LogSegment DecodeLogSegment(std::string_view bytes, std::string_view what,
                            int64_t lo = std::numeric_limits<int64_t>::min(),
                            int64_t hi = std::numeric_limits<int64_t>::max());

}  // namespace strata::internal

#endif  // STRATA_LOG_LOG_SEGMENT_H_
