// The LMDB storage backend (see lmdb_storage.h for the on-disk layout, the
// map's growth and the error mapping).
#include "storage/lmdb_storage.h"

#include <fmt/format.h>
#include <lmdb.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <utility>

#include "strata/anomaly.h"

namespace strata::internal {
namespace {

constexpr size_t kRevBytes = 8;
constexpr size_t kListBatch = 4096;

// Thrown by Check() inside a write transaction when the map is full; Write()
// catches it, grows the map and retries. Never leaves this file.
struct MapFull {};

[[noreturn]] void ThrowLmdb(const std::filesystem::path& dir, int rc, std::string_view what) {
  std::string message =
      fmt::format("lmdb storage at {}: {} failed: {}", dir.string(), what, mdb_strerror(rc));
  if (rc > 0) {  // an errno: the disk, the file system, permissions
    throw Anomaly(Category::kUnavailable,
                  message + "; check the disk and the directory's permissions, then retry");
  }
  if (rc == MDB_READERS_FULL) {
    throw Anomaly(Category::kBusy,
                  message + "; too many concurrent readers: retry later, or raise max_readers");
  }
  throw Anomaly(Category::kFault,
                message + "; the database files may be damaged, or not Strata's LMDB files");
}

size_t PageSize() {
  long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? static_cast<size_t>(page) : 4096;
}

size_t RoundUpToPage(size_t n) {
  size_t page = PageSize();
  return std::max(page, (n + page - 1) / page * page);
}

LmdbOptions Normalized(LmdbOptions options) {
  options.max_map_size = RoundUpToPage(options.max_map_size);
  options.initial_map_size =
      std::min(RoundUpToPage(options.initial_map_size), options.max_map_size);
  options.max_readers = std::max(options.max_readers, 1u);
  return options;
}

MDB_val ValOf(const void* data, size_t size) {
  MDB_val val;
  val.mv_size = size;
  val.mv_data = const_cast<void*>(data);  // LMDB does not write through input values
  return val;
}

MDB_val KeyOf(const Uuid& key) { return ValOf(key.bytes.data(), key.bytes.size()); }

std::string StringOf(const MDB_val& val) {
  return std::string(static_cast<const char*>(val.mv_data), val.mv_size);
}

std::string EncodeRoot(uint64_t rev, std::string_view value) {
  std::string out(kRevBytes, '\0');
  for (size_t i = 0; i < kRevBytes; ++i) {
    out[i] = static_cast<char>((rev >> (8 * (kRevBytes - 1 - i))) & 0xff);
  }
  out.append(value);
  return out;
}

bool IsRootName(std::string_view name, MDB_env* env) {
  return !name.empty() && name.size() <= static_cast<size_t>(mdb_env_get_maxkeysize(env));
}

// A cursor, closed when it goes out of scope (before its transaction ends).
class Cursor {
 public:
  Cursor(const std::filesystem::path& dir, MDB_txn* txn, MDB_dbi dbi) {
    int rc = mdb_cursor_open(txn, dbi, &cursor_);
    if (rc != 0) ThrowLmdb(dir, rc, "opening a cursor");
  }
  ~Cursor() { mdb_cursor_close(cursor_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  MDB_cursor* get() { return cursor_; }

 private:
  MDB_cursor* cursor_ = nullptr;
};

}  // namespace

// A read-only transaction, holding map_mutex_ shared for its lifetime.
class LmdbStorage::ReadTxn {
 public:
  explicit ReadTxn(LmdbStorage* storage) : storage_(storage), lock_(storage->map_mutex_) {
    for (;;) {
      int rc = mdb_txn_begin(storage_->env_, nullptr, MDB_RDONLY, &txn_);
      if (rc == 0) return;
      if (rc != MDB_MAP_RESIZED) ThrowLmdb(storage_->dir_, rc, "beginning a read transaction");
      lock_.unlock();
      storage_->AdoptMapSize();
      lock_.lock();
    }
  }
  ~ReadTxn() { mdb_txn_abort(txn_); }
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  MDB_txn* get() { return txn_; }
  // Throws the Anomaly for `rc`.
  [[noreturn]] void Fail(int rc, std::string_view what) { ThrowLmdb(storage_->dir_, rc, what); }

 private:
  LmdbStorage* storage_;
  std::shared_lock<std::shared_mutex> lock_;
  MDB_txn* txn_ = nullptr;
};

std::unique_ptr<LmdbStorage> LmdbStorage::Open(const std::filesystem::path& dir,
                                               const LmdbOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Anomaly(Category::kUnavailable,
                  fmt::format("lmdb storage: cannot create the directory {}: {}; check the path "
                              "and its permissions",
                              dir.string(), ec.message()));
  }
  return std::unique_ptr<LmdbStorage>(new LmdbStorage(dir, options));
}

LmdbStorage::LmdbStorage(std::filesystem::path dir, const LmdbOptions& options)
    : dir_(std::move(dir)), options_(Normalized(options)) {
  int rc = mdb_env_create(&env_);
  if (rc != 0) ThrowLmdb(dir_, rc, "creating the environment");
  try {
    auto check = [&](int code, std::string_view what) {
      if (code != 0) ThrowLmdb(dir_, code, what);
    };
    check(mdb_env_set_maxdbs(env_, 2), "setting the number of databases");
    check(mdb_env_set_maxreaders(env_, options_.max_readers), "setting the number of readers");
    check(mdb_env_set_mapsize(env_, options_.initial_map_size), "setting the map size");
    // MDB_NOTLS: read transactions are not tied to threads (see the header).
    // No MDB_NOSYNC / MDB_NOMETASYNC: every commit is synced to disk.
    check(mdb_env_open(env_, dir_.c_str(), MDB_NOTLS, 0644), "opening the environment");
    // Never map less than the file last recorded (another process may have
    // grown it), nor less than asked for.
    check(mdb_env_set_mapsize(env_, 0), "adopting the recorded map size");
    if (MapSizeLocked() < options_.initial_map_size) {
      check(mdb_env_set_mapsize(env_, options_.initial_map_size), "setting the map size");
    }
    int dead = 0;
    check(mdb_reader_check(env_, &dead), "clearing stale reader slots");
    Write([&](MDB_txn* txn) {
      check(mdb_dbi_open(txn, "blobs", MDB_CREATE, &blobs_dbi_), "opening the blobs database");
      check(mdb_dbi_open(txn, "roots", MDB_CREATE, &roots_dbi_), "opening the roots database");
      return true;
    });
  } catch (...) {
    mdb_env_close(env_);
    throw;
  }
}

LmdbStorage::~LmdbStorage() { mdb_env_close(env_); }

size_t LmdbStorage::map_size() {
  std::shared_lock lock(map_mutex_);
  return MapSizeLocked();
}

size_t LmdbStorage::MapSizeLocked() {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

void LmdbStorage::AdoptMapSize() {
  std::unique_lock lock(map_mutex_);
  int rc = mdb_env_set_mapsize(env_, 0);
  if (rc != 0) ThrowLmdb(dir_, rc, "adopting the map size another process set");
}

void LmdbStorage::GrowMap() {
  std::unique_lock lock(map_mutex_);
  size_t before = MapSizeLocked();
  // Another process may have grown the map already: adopt its size if larger.
  int rc = mdb_env_set_mapsize(env_, 0);
  if (rc != 0) ThrowLmdb(dir_, rc, "adopting the recorded map size");
  if (MapSizeLocked() > before) return;
  if (before >= options_.max_map_size) {
    rc = mdb_env_set_mapsize(env_, before);
    if (rc != 0) ThrowLmdb(dir_, rc, "restoring the map size");
    throw Anomaly(Category::kUnavailable,
                  fmt::format("lmdb storage at {}: the database is full: the write needs more than "
                              "the maximum map size of {} bytes; raise max_map_size (or free "
                              "space by garbage collection). Nothing was written.",
                              dir_.string(), options_.max_map_size));
  }
  size_t next = before > options_.max_map_size / 2 ? options_.max_map_size : before * 2;
  rc = mdb_env_set_mapsize(env_, next);
  if (rc != 0) ThrowLmdb(dir_, rc, "growing the map");
}

bool LmdbStorage::Write(const std::function<bool(MDB_txn*)>& body) {
  std::lock_guard write_lock(write_mutex_);
  for (;;) {
    int rc = 0;
    bool result = false;
    {
      std::shared_lock map_lock(map_mutex_);
      MDB_txn* txn = nullptr;
      rc = mdb_txn_begin(env_, nullptr, 0, &txn);
      if (rc == 0) {
        try {
          result = body(txn);
        } catch (const MapFull&) {
          rc = MDB_MAP_FULL;
        } catch (...) {
          mdb_txn_abort(txn);
          throw;
        }
        if (rc == 0 && result) {
          rc = mdb_txn_commit(txn);  // frees the transaction, committed or not
        } else {
          mdb_txn_abort(txn);
        }
      }
    }
    if (rc == 0) return result;
    if (rc == MDB_MAP_FULL) {
      GrowMap();
    } else if (rc == MDB_MAP_RESIZED) {
      AdoptMapSize();
    } else {
      ThrowLmdb(dir_, rc, "a write transaction");
    }
  }
}

std::optional<std::string> LmdbStorage::Get(const Uuid& key) {
  ReadTxn txn(this);
  MDB_val k = KeyOf(key), v;
  int rc = mdb_get(txn.get(), blobs_dbi_, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc != 0) txn.Fail(rc, "reading a blob");
  return StringOf(v);
}

std::optional<Root> LmdbStorage::GetRoot(std::string_view name) {
  if (!IsRootName(name, env_)) return std::nullopt;
  ReadTxn txn(this);
  MDB_val k = ValOf(name.data(), name.size()), v;
  int rc = mdb_get(txn.get(), roots_dbi_, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc != 0) txn.Fail(rc, "reading a root");
  if (v.mv_size < kRevBytes) {
    ThrowFault(
        fmt::format("lmdb storage at {}: root {} is {} bytes, shorter than its revision; "
                    "the database is damaged",
                    dir_.string(), name, v.mv_size));
  }
  const auto* bytes = static_cast<const uint8_t*>(v.mv_data);
  Root root;
  for (size_t i = 0; i < kRevBytes; ++i) root.rev = (root.rev << 8) | bytes[i];
  root.value.assign(reinterpret_cast<const char*>(bytes) + kRevBytes, v.mv_size - kRevBytes);
  return root;
}

bool LmdbStorage::Commit(const StorageWrite& w) {
  if (w.cas && !IsRootName(w.cas->name, env_)) {
    ThrowIncorrect("", fmt::format("lmdb storage: a root name must be 1 to {} bytes, not {}",
                                   mdb_env_get_maxkeysize(env_), w.cas->name.size()));
  }
  auto check = [&](int rc, std::string_view what) {
    if (rc == MDB_MAP_FULL) throw MapFull{};
    if (rc != 0) ThrowLmdb(dir_, rc, what);
  };
  return Write([&](MDB_txn* txn) {
    if (w.cas) {
      MDB_val k = ValOf(w.cas->name.data(), w.cas->name.size()), v;
      int rc = mdb_get(txn, roots_dbi_, &k, &v);
      uint64_t rev = 0;
      if (rc == 0) {
        if (v.mv_size < kRevBytes) {
          ThrowFault(
              fmt::format("lmdb storage at {}: root {} is damaged", dir_.string(), w.cas->name));
        }
        const auto* bytes = static_cast<const uint8_t*>(v.mv_data);
        for (size_t i = 0; i < kRevBytes; ++i) rev = (rev << 8) | bytes[i];
      } else if (rc != MDB_NOTFOUND) {
        check(rc, "reading a root");
      }
      if (rev != w.cas->expected_rev) return false;
    }
    for (const auto& [key, blob] : w.blobs) {
      MDB_val k = KeyOf(key), v = ValOf(blob.data(), blob.size());
      int rc = mdb_put(txn, blobs_dbi_, &k, &v, MDB_NOOVERWRITE);
      if (rc == MDB_KEYEXIST) {
        ThrowFault(fmt::format("lmdb storage at {}: blob {} exists already; keys are never reused",
                               dir_.string(), key.ToString()));
      }
      check(rc, "writing a blob");
    }
    if (w.cas) {
      MDB_val k = ValOf(w.cas->name.data(), w.cas->name.size());
      if (w.cas->value) {
        std::string encoded = EncodeRoot(w.cas->expected_rev + 1, *w.cas->value);
        MDB_val v = ValOf(encoded.data(), encoded.size());
        check(mdb_put(txn, roots_dbi_, &k, &v, 0), "writing a root");
      } else {
        check(mdb_del(txn, roots_dbi_, &k, nullptr), "deleting a root");
      }
    }
    return true;
  });
}

void LmdbStorage::Delete(const std::vector<Uuid>& keys) {
  if (keys.empty()) return;
  Write([&](MDB_txn* txn) {
    for (const Uuid& key : keys) {
      MDB_val k = KeyOf(key);
      int rc = mdb_del(txn, blobs_dbi_, &k, nullptr);
      if (rc == MDB_MAP_FULL) throw MapFull{};
      if (rc != 0 && rc != MDB_NOTFOUND) ThrowLmdb(dir_, rc, "deleting a blob");
    }
    return true;
  });
}

void LmdbStorage::ListBlobs(const std::function<void(const Uuid&)>& f) {
  std::optional<Uuid> after;  // the last key listed
  for (;;) {
    std::vector<Uuid> batch;
    {
      ReadTxn txn(this);
      Cursor cursor(dir_, txn.get(), blobs_dbi_);
      MDB_val k, v;
      int rc;
      if (after) {
        k = KeyOf(*after);
        rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE);
        if (rc == 0 && k.mv_size == after->bytes.size() &&
            std::memcmp(k.mv_data, after->bytes.data(), k.mv_size) == 0) {
          rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT);
        }
      } else {
        rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
      }
      for (; rc == 0 && batch.size() < kListBatch;
           rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
        Uuid key;
        if (k.mv_size != key.bytes.size()) {
          ThrowFault(
              fmt::format("lmdb storage at {}: a blob key of {} bytes; the database is "
                          "damaged",
                          dir_.string(), k.mv_size));
        }
        std::memcpy(key.bytes.data(), k.mv_data, key.bytes.size());
        batch.push_back(key);
      }
      if (rc != 0 && rc != MDB_NOTFOUND) txn.Fail(rc, "listing blobs");
    }
    for (const Uuid& key : batch) f(key);
    if (batch.size() < kListBatch) return;
    after = batch.back();
  }
}

std::vector<std::string> LmdbStorage::ListRoots(std::string_view prefix) {
  std::vector<std::string> names;
  ReadTxn txn(this);
  Cursor cursor(dir_, txn.get(), roots_dbi_);
  MDB_val k, v;
  int rc;
  if (prefix.empty()) {
    rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  } else if (IsRootName(prefix, env_)) {
    k = ValOf(prefix.data(), prefix.size());
    rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE);
  } else {
    return names;  // longer than any root name
  }
  for (; rc == 0; rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string name = StringOf(k);
    if (!name.starts_with(prefix)) break;
    names.push_back(std::move(name));
  }
  if (rc != 0 && rc != MDB_NOTFOUND) txn.Fail(rc, "listing roots");
  return names;
}

}  // namespace strata::internal
