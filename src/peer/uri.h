// Database URIs: which storage holds a database, and its name there.
//
//   strata:mem://NAME                 this process's memory (tests, scratch)
//   strata:lmdb://NAME?dir=PATH       the embedded LMDB storage in directory
//                                     PATH (absolute or relative to the
//                                     working directory)
//   strata:postgres://NAME?CONNINFO   a PostgreSQL storage; CONNINFO is a
//                                     libpq connection string or URI,
//                                     URL-encoded ("host%3D%2Ftmp%20dbname%3Dx")
//
// NAME is 1 to 128 characters of letters, digits, '-', '_' and '.'; where a
// pattern is wanted (listing databases) it is "*". Query values are
// percent-decoded ("%2F" is '/'; '+' stays '+'). A malformed URI is an
// incorrect anomaly :db.error/invalid-db-uri, an unknown scheme an incorrect
// anomaly :db.error/unsupported-protocol; both say what was wrong.
#ifndef STRATA_PEER_URI_H_
#define STRATA_PEER_URI_H_

#include <string>
#include <string_view>

namespace strata::internal {

enum class StorageKind { kMem, kLmdb, kPostgres };

struct DbUri {
  StorageKind kind = StorageKind::kMem;
  // The database's name, or "*" when ParseDbUri allowed a pattern.
  std::string name;
  // Where the storage is: empty for mem, the directory made absolute and
  // lexically normal for lmdb, the decoded conninfo for postgres. Two URIs
  // with equal kind and location name the same storage.
  std::string location;
};

// Parses `uri`; with `allow_pattern`, NAME may be "*". Throws an Anomaly as
// the file comment says.
DbUri ParseDbUri(std::string_view uri, bool allow_pattern = false);

// Percent-decodes `text`, a part of database URI `uri`; a '%' without two
// hex digits after it is an invalid-db-uri anomaly.
std::string PercentDecode(std::string_view text, std::string_view uri);

}  // namespace strata::internal

#endif  // STRATA_PEER_URI_H_
