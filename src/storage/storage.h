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
// Errors: a storage that cannot be reached or fails transiently throws an
// Anomaly of category unavailable (retry later); corrupt or impossible
// states are category fault. A CAS that does not match is not an error:
// Commit returns false and writes nothing.
//
// Thread safety: every method may be called from any thread at any time.
#ifndef STRATA_STORAGE_STORAGE_H_
#define STRATA_STORAGE_STORAGE_H_

#include <cstdint>
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

// A new random (version 4) UUID for a blob key.
Uuid NewBlobKey();

}  // namespace strata::internal

#endif  // STRATA_STORAGE_STORAGE_H_
