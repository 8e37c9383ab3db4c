// Log entries: one transaction's datoms as stored in the log, the record of
// truth from which every index is rebuilt.
//
//   +--------+---------+-----------+------------+---------------------+----------+
//   | "SLOG" | version | t varint  | n varint   | n datoms            | xxh64    |
//   | 4 B    | u8 = 1  |           |            |                     | 8 B LE   |
//   +--------+---------+-----------+------------+---------------------+----------+
//   datom: | e varint | a varint | added u8 (0 or 1) | value (value_codec.h) |
//
// Every datom's tx is the entry's transaction, TxFromT(t). The checksum
// covers every byte before it. Decoding checks magic, version, checksum,
// every length and every value; a damaged entry is an Anomaly of category
// fault naming the entry, never a crash and never a wrong answer.
#ifndef STRATA_LOG_LOG_ENTRY_H_
#define STRATA_LOG_LOG_ENTRY_H_

#include <string>
#include <string_view>

#include "strata/database.h"

namespace strata::internal {

inline constexpr uint8_t kLogEntryVersion = 1;

// The encoding of `entry`. REQUIRES: every datom's tx is TxFromT(entry.t).
std::string EncodeLogEntry(const LogEntry& entry);

// Decodes an entry; `what` names it in errors ("log entry 5f3e...").
LogEntry DecodeLogEntry(std::string_view bytes, std::string_view what);

// An entry's body, everything between the version byte and the checksum
// (| t | n | n datoms |), for containers that frame and check many entries
// at once (log segments, log_segment.h). Appends it to *out; REQUIRES as
// EncodeLogEntry.
void AppendLogEntryBody(const LogEntry& entry, std::string* out);

// Decodes a body as DecodeLogEntry decodes a whole entry.
LogEntry DecodeLogEntryBody(std::string_view body, std::string_view what);

}  // namespace strata::internal

#endif  // STRATA_LOG_LOG_ENTRY_H_
