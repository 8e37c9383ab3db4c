// The process's catalog of storages and connections: CreateDatabase,
// DeleteDatabase, GetDatabaseNames, GcStorage and Connect
// (strata/connection.h).
//
// Each storage a URI names is opened once per process and kept for the
// process's life (an LMDB environment must not be opened twice by one
// process; a PostgreSQL storage keeps its connection pool). Each database
// connected to has one DurableTransactor, shared by every Connection to it,
// until the database is deleted. Every transactor reads segments through the
// process's one object cache (object_cache.h), made with the first of them.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "index/segment_cache.h"
#include "log/gc.h"
#include "log/log_store.h"
#include "peer/object_cache.h"
#include "peer/uri.h"
#include "storage/lmdb_storage.h"
#include "storage/mem_storage.h"
#include "storage/postgres_storage.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "transactor/durable_transactor.h"

namespace strata {
namespace {

using internal::DbUri;
using internal::StorageKind;

[[noreturn]] void NoSuchDatabase(std::string_view uri, std::string message) {
  ThrowNotFound("db-not-found", std::move(message),
                Value::Map({{Value::Keyword("uri"), Value::String(std::string(uri))}}));
}

class Catalog {
 public:
  static Catalog& Get() {
    static Catalog* catalog = new Catalog;  // never destroyed: see below
    return *catalog;
  }

  // The storage `uri` names. With `create` false, an LMDB directory that
  // does not exist is a missing database rather than a new storage.
  std::shared_ptr<internal::Storage> StorageFor(std::string_view uri, const DbUri& parsed,
                                                bool create) {
    std::lock_guard lock(mutex_);
    return StorageForLocked(uri, parsed, create);
  }

  std::shared_ptr<internal::DurableTransactor> Transactor(std::string_view uri,
                                                          const DbUri& parsed) {
    std::lock_guard lock(mutex_);
    std::string key = ConnectionKey(parsed);
    std::shared_ptr<internal::Storage> storage = StorageForLocked(uri, parsed, false);
    auto root = internal::LogStore(storage.get(), parsed.name).ReadRoot();
    auto it = connections_.find(key);
    if (!root) {
      if (it != connections_.end()) connections_.erase(it);
      NoSuchDatabase(uri, fmt::format("Database {} does not exist: create it first "
                                      "(strata create URI)",
                                      uri));
    }
    if (it != connections_.end()) {
      // Another process may have deleted the database and created a new one
      // under its name: then this process's transactor is stale.
      if (it->second->uuid() == root->second.uuid) return it->second;
      connections_.erase(it);
    }
    if (!object_cache_) {
      object_cache_ =
          std::make_shared<internal::SegmentCache>(internal::ObjectCacheMaxFromEnvironment());
    }
    internal::DurableOptions options;
    options.cache = object_cache_;
    auto transactor =
        std::make_shared<internal::DurableTransactor>(storage, parsed.name, std::move(options));
    connections_.emplace(key, transactor);
    return transactor;
  }

  // Forgets this process's connection to a database (it was deleted).
  void Forget(const DbUri& parsed) {
    std::lock_guard lock(mutex_);
    connections_.erase(ConnectionKey(parsed));
  }

 private:
  static std::string StorageKey(const DbUri& parsed) {
    return fmt::format("{}\n{}", static_cast<int>(parsed.kind), parsed.location);
  }
  static std::string ConnectionKey(const DbUri& parsed) {
    return StorageKey(parsed) + "\n" + parsed.name;
  }

  std::shared_ptr<internal::Storage> StorageForLocked(std::string_view uri, const DbUri& parsed,
                                                      bool create) {
    std::string key = StorageKey(parsed);
    auto it = storages_.find(key);
    if (it != storages_.end()) return it->second;
    std::shared_ptr<internal::Storage> storage;
    switch (parsed.kind) {
      case StorageKind::kMem:
        storage = std::make_shared<internal::MemStorage>();
        break;
      case StorageKind::kLmdb: {
        std::error_code ec;
        if (!create && !std::filesystem::exists(parsed.location, ec)) {
          NoSuchDatabase(uri, fmt::format("Database {} does not exist: there is no directory {}",
                                          uri, parsed.location));
        }
        storage = internal::LmdbStorage::Open(parsed.location);
        break;
      }
      case StorageKind::kPostgres: {
        internal::PostgresOptions options;
        options.conninfo = parsed.location;
        storage = std::make_shared<internal::PostgresStorage>(std::move(options));
        break;
      }
    }
    storages_.emplace(key, storage);
    return storage;
  }

  // The catalog lives until the process exits and is never destroyed:
  // transactors' writer threads and storages must not be torn down by static
  // destructors while another thread may still use them.
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<internal::Storage>> storages_;
  std::map<std::string, std::shared_ptr<internal::DurableTransactor>> connections_;
  // Made with the first transactor; its bound is read then, once.
  std::shared_ptr<internal::SegmentCache> object_cache_;
};

// The storage `uri` names, or null when it does not exist (nothing is
// created).
std::shared_ptr<internal::Storage> ExistingStorage(std::string_view uri, const DbUri& parsed) {
  try {
    return Catalog::Get().StorageFor(uri, parsed, false);
  } catch (const Anomaly& e) {
    if (e.category() == Category::kNotFound) return nullptr;
    throw;
  }
}

}  // namespace

bool CreateDatabase(std::string_view uri) {
  DbUri parsed = internal::ParseDbUri(uri);
  std::shared_ptr<internal::Storage> storage = Catalog::Get().StorageFor(uri, parsed, true);
  return internal::LogStore(storage.get(), parsed.name).Create();
}

bool DeleteDatabase(std::string_view uri) {
  DbUri parsed = internal::ParseDbUri(uri);
  std::shared_ptr<internal::Storage> storage = ExistingStorage(uri, parsed);
  if (storage == nullptr) return false;
  bool deleted = internal::LogStore(storage.get(), parsed.name).Delete();
  Catalog::Get().Forget(parsed);
  return deleted;
}

std::vector<std::string> GetDatabaseNames(std::string_view uri) {
  DbUri parsed = internal::ParseDbUri(uri, true);
  if (parsed.name != "*") {
    ThrowIncorrect("invalid-db-uri",
                   fmt::format("GetDatabaseNames takes a URI whose name is *, as "
                               "strata:lmdb://*?dir=PATH; got {}",
                               uri),
                   Value::Map({{Value::Keyword("uri"), Value::String(std::string(uri))}}));
  }
  std::shared_ptr<internal::Storage> storage = ExistingStorage(uri, parsed);
  if (storage == nullptr) return {};
  std::string prefix = internal::LogStore::RootName("");
  std::vector<std::string> names;
  for (std::string& root : storage->ListRoots(prefix)) names.push_back(root.substr(prefix.size()));
  return names;
}

GcStats GcStorage(std::string_view uri, std::chrono::system_clock::time_point older_than) {
  DbUri parsed = internal::ParseDbUri(uri, true);
  std::shared_ptr<internal::Storage> storage = ExistingStorage(uri, parsed);
  if (storage == nullptr) return {};
  int64_t now_ms = internal::UnixTimeMs();
  int64_t older_than_ms =
      std::chrono::floor<std::chrono::milliseconds>(older_than).time_since_epoch().count();
  internal::GcStats pass = internal::CollectGarbage(storage.get(), nullptr, older_than_ms, now_ms);
  return GcStats{.databases = pass.databases,
                 .blobs = pass.blobs,
                 .reachable = pass.reachable,
                 .deleted = pass.deleted,
                 .too_young = pass.too_young,
                 .unknown_age = pass.unknown_age};
}

Connection Connect(std::string_view uri) {
  DbUri parsed = internal::ParseDbUri(uri);
  return Connection(Catalog::Get().Transactor(uri, parsed));
}

}  // namespace strata
