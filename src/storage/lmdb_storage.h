// LmdbStorage: the embedded default storage backend, one directory on local
// disk holding an LMDB environment (http://www.lmdb.tech/doc/).
//
// On disk. The directory holds LMDB's two files, `data.mdb` (the B+trees,
// copy-on-write, so a crash never leaves a half-written transaction) and
// `lock.mdb` (the reader table and the writer mutex, shared by every process
// that opens the directory). The environment holds two named databases:
//
//   "blobs"   key: the blob's UUID, 16 bytes as Uuid::bytes holds them
//             value: the blob, as is (0 or more bytes; large ones live in
//             LMDB overflow pages)
//
//             +--------------------------+       +----------------------+
//             | uuid (16 bytes)          |  -->  | blob bytes ...       |
//             +--------------------------+       +----------------------+
//
//   "roots"   key: the root's name, 1 to 511 bytes (LMDB's key limit)
//             value: the revision, 8 bytes big-endian, then the root's value
//
//             +--------------------------+       +-----------+----------+
//             | name (1..511 bytes)      |  -->  | rev (u64  | value    |
//             +--------------------------+       | big-end.) | bytes... |
//                                                +-----------+----------+
//
// Keys sort as bytes (LMDB's default), so ListRoots is a range scan.
//
// Writes. Commit is one LMDB write transaction: the CAS is checked, the blobs
// are put with MDB_NOOVERWRITE (a reused key aborts everything), the root is
// put or deleted, and the transaction commits with a full sync (no
// MDB_NOSYNC, no MDB_NOMETASYNC): durable when Commit returns. LMDB's writer
// mutex, in lock.mdb, serializes the writers of every process; readers never
// block and never wait.
//
// The map. LMDB maps the file into memory at a fixed size. It starts at
// LmdbOptions::initial_map_size (or the size last recorded in the file, if
// larger) and, when a write finds it full (MDB_MAP_FULL), the write is
// aborted, the map doubled, and the write retried, up to max_map_size; past
// that a write throws an Anomaly of category unavailable ("the database is
// full") and changes nothing, and the storage stays open for reads and for
// smaller writes. When another process has grown the map (MDB_MAP_RESIZED),
// this one adopts the new size and retries.
//
// Several processes may open the same directory at once; a process must open
// it once only (LMDB's rule: a second environment on the same files in one
// process breaks its locks). Reader slots left behind by killed processes
// are cleared on open (mdb_reader_check).
//
// Errors: LMDB's errors become Anomalies where they are caught: I/O errors
// (errno codes: EIO, ENOSPC...) are unavailable, a full reader table is
// busy, corruption and every other LMDB error are fault.
#ifndef STRATA_STORAGE_LMDB_STORAGE_H_
#define STRATA_STORAGE_LMDB_STORAGE_H_

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/storage.h"

struct MDB_env;
struct MDB_txn;

namespace strata::internal {

struct LmdbOptions {
  // The map's size when the directory is new (or recorded smaller); rounded
  // up to a multiple of the OS page size.
  size_t initial_map_size = size_t{64} << 20;  // 64 MiB
  // The size the map never grows past; writes that need more throw an
  // unavailable Anomaly. Only address space is reserved: the file grows with
  // the data.
  size_t max_map_size = size_t{1} << 40;  // 1 TiB
  // Concurrent read transactions of all processes together; fixed by the
  // first process that creates the lock file.
  unsigned max_readers = 512;
};

class LmdbStorage : public Storage {
 public:
  // Opens the LMDB environment in `dir`, creating the directory (and its
  // parents) and the databases if missing, and clears stale reader slots.
  // Throws an Anomaly (unavailable when the directory cannot be created or
  // opened, fault when the files are not a Strata LMDB environment).
  // REQUIRES: no other LmdbStorage of this process is open on `dir`.
  static std::unique_ptr<LmdbStorage> Open(const std::filesystem::path& dir,
                                           const LmdbOptions& options = {});

  // Closes the environment.
  // REQUIRES: no call on this storage is in flight.
  ~LmdbStorage() override;

  LmdbStorage(const LmdbStorage&) = delete;
  LmdbStorage& operator=(const LmdbStorage&) = delete;

  // Storage. Thread-safe: any number of threads may call these at once.
  // Reads run in read-only transactions (opened with MDB_NOTLS, so they are
  // not tied to a thread and each call takes its own reader slot) and never
  // wait for writers; writes of this process take turns on a mutex, then on
  // LMDB's writer lock, shared with other processes. Throws Anomalies as the
  // file comment says.
  std::optional<std::string> Get(const Uuid& key) override;
  // A name that cannot be a root (empty, or longer than 511 bytes) has none.
  std::optional<Root> GetRoot(std::string_view name) override;
  // Also throws an incorrect Anomaly when the CAS's root name is empty or
  // longer than 511 bytes, and an unavailable one when the map is full.
  bool Commit(const StorageWrite& w) override;
  void Delete(const std::vector<Uuid>& keys) override;
  // Lists in batches, each in its own read transaction, and calls `f` with
  // no transaction open (so `f` may call this storage): a blob committed or
  // deleted during the listing may be listed or not.
  void ListBlobs(const std::function<void(const Uuid&)>& f) override;
  std::vector<std::string> ListRoots(std::string_view prefix) override;

  // The map's current size in bytes, as this process maps it. Thread-safe.
  size_t map_size();
  const std::filesystem::path& dir() const { return dir_; }

 private:
  class ReadTxn;

  LmdbStorage(std::filesystem::path dir, const LmdbOptions& options);

  // Runs `body` in a write transaction, retrying it after growing the map
  // when it is full; commits when `body` returns true, aborts when it
  // returns false, and returns what `body` returned. `body` may run more
  // than once. Throws as the file comment says.
  bool Write(const std::function<bool(MDB_txn*)>& body);
  // After MDB_MAP_FULL: adopts a larger size another process recorded, or
  // doubles the map; throws the "full" Anomaly at max_map_size.
  // REQUIRES: write_mutex_ held, no transaction of this storage open.
  void GrowMap();
  // map_size() for callers that hold map_mutex_ (or own the storage alone).
  size_t MapSizeLocked();
  // After MDB_MAP_RESIZED: adopts the size another process recorded.
  // REQUIRES: no transaction of this storage open by this thread.
  void AdoptMapSize();

  const std::filesystem::path dir_;
  const LmdbOptions options_;
  MDB_env* env_ = nullptr;  // owned; closed by the destructor
  unsigned int blobs_dbi_ = 0;
  unsigned int roots_dbi_ = 0;
  // Held shared by every transaction of this storage, exclusively to resize
  // the map (LMDB requires that no transaction be open in the process then).
  std::shared_mutex map_mutex_;
  // Serializes this process's writers, taken before map_mutex_.
  std::mutex write_mutex_;
};

}  // namespace strata::internal

#endif  // STRATA_STORAGE_LMDB_STORAGE_H_
