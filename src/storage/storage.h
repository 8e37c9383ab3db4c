// Storage: where a database's log entries, index segments and roots live.
//
// The interface is deliberately small (DESIGN.md section 2), as LevelDB's
// Env: immutable blobs under unique keys (UUIDs, never content hashes, so
// garbage collection can never race a writer), a few small mutable roots
// changed only by compare-and-swap, and one atomic, durable write: a batch of
// new blobs plus at most one root CAS, all or nothing. Delete and list exist
// for garbage collection and for deleting databases. Nothing else.
//
// Backends: `mem` (tests, with fault injection; mem_storage.h), `lmdb` (the
// embedded default) and `postgres` (shared storage: one table of
// (id, rev, val)). Every backend passes the same conformance suite
// (storage_conformance.h).
//
// Blob keys are made by NewBlobKey (below): UUIDs that start with the time
// they were made, which is what lets garbage collection (src/log/gc.h) tell
// a blob a writer has not yet published from an old one nothing reaches.
//
// Errors: a storage that cannot be reached or fails transiently throws an
// Anomaly of category unavailable (retry later); corrupt or impossible
// states are category fault. A CAS that does not match is not an error:
// Commit returns false and writes nothing.
//
// Thread safety: every method may be called from any thread at any time.
#ifndef STRATA_STORAGE_STORAGE_H_
#define STRATA_STORAGE_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/value.h"

namespace strata::internal {

// A root's current state: its value and revision. Revisions start at 1 and
// grow by one with every successful CAS.
struct Root {
  uint64_t rev = 0;
  std::string value;
};

// Compare-and-swap of one root: succeeds when the root's revision is
// `expected_rev` (0: the root must not exist). The new value replaces it
// (revision expected_rev + 1); nullopt deletes the root.
struct RootCas {
  std::string name;
  uint64_t expected_rev = 0;
  std::optional<std::string> value;
};

// The one write: new immutable blobs and at most one root CAS.
struct StorageWrite {
  std::vector<std::pair<Uuid, std::string>> blobs;
  std::optional<RootCas> cas;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The blob under `key`, or nullopt when there is none.
  virtual std::optional<std::string> Get(const Uuid& key) = 0;

  // The root named `name`, or nullopt.
  virtual std::optional<Root> GetRoot(std::string_view name) = 0;

  // Writes every blob and applies the CAS, atomically and durably: when it
  // returns true, all of it survives a crash; when it returns false (the CAS
  // did not match) or throws, none of it is visible. A blob key that exists
  // already is an error (keys are never reused).
  // REQUIRES: w.blobs's keys are distinct.
  virtual bool Commit(const StorageWrite& w) = 0;

  // Garbage collection: removes blobs (absent keys are ignored).
  virtual void Delete(const std::vector<Uuid>& keys) = 0;
  // Calls `f` once for every blob key, in no particular order.
  virtual void ListBlobs(const std::function<void(const Uuid&)>& f) = 0;
  // The names of the roots that start with `prefix`, sorted.
  virtual std::vector<std::string> ListRoots(std::string_view prefix) = 0;
};

// Blob keys are UUIDs of version 7 (RFC 9562): the first 48 bits are the
// Unix time in milliseconds when the key was made, big-endian, so a key
// tells its blob's age (garbage collection keeps young blobs) and keys made
// later sort later (writes land at the end of a B-tree):
//
//   +------------------+---------+-----------+---------+-----------------+
//   | unix_ts_ms       | ver = 7 | rand_a    | var = 2 | rand_b          |
//   | 48 bits, BE      | 4 bits  | 12 bits   | 2 bits  | 62 bits         |
//   +------------------+---------+-----------+---------+-----------------+
//
// Keys written by older versions of Strata are random (version 4) and
// carry no time: BlobKeyTimeMs says nullopt, and gc never deletes them.

// A new blob key made now (the system clock), with 74 random bits from the
// kernel. Thread-safe, and fork-safe: nothing random is kept in memory.
Uuid NewBlobKey();

// A new blob key made at `unix_ms` (for tests, and NewBlobKey). A time
// outside 0 <= unix_ms < 2^48 (a broken clock) is a fault anomaly.
Uuid NewBlobKeyAt(int64_t unix_ms);

// When `key` was made, in Unix milliseconds, if it is a version 7 key (of
// the RFC variant); nullopt for any other key.
std::optional<int64_t> BlobKeyTimeMs(const Uuid& key);

// The current time of the system clock in Unix milliseconds, as NewBlobKey
// reads it.
int64_t UnixTimeMs();

// A hash of blob keys for hash maps and sets: the random second half,
// spread by a multiplication, mixed into the first.
struct UuidHash {
  size_t operator()(const Uuid& u) const {
    uint64_t a, b;
    std::memcpy(&a, u.bytes.data(), 8);
    std::memcpy(&b, u.bytes.data() + 8, 8);
    return static_cast<size_t>(a ^ (b * 0x9e3779b97f4a7c15ULL));
  }
};

}  // namespace strata::internal

#endif  // STRATA_STORAGE_STORAGE_H_
