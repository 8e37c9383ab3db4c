// Databases by URI: create, list, connect, delete and collect garbage on
// every storage, and the anomalies of a missing database.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "peer/object_cache.h"
#include "storage/postgres_test_server.h"
#include "strata/connection.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

constexpr std::string_view kSchema = R"([
  {:db/ident :item/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}])";

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::vector<Value> Names(const Database& db) {
  std::vector<Value> names;
  for (const Datom& d : Dump(db, Index::kAevt, {K("item/name")})) names.push_back(d.v);
  return names;
}

// The life of a database through its URI, on any storage. `uri(NAME)` is
// the URI of database NAME, `pattern` the URI listing them all.
void CheckLifecycle(const std::function<std::string(std::string_view)>& uri,
                    const std::string& pattern) {
  std::string a = uri("catalog-a"), b = uri("catalog-b");
  EXPECT_TRUE(
      IsAnomaly(CatchAnomaly([&] { Connect(a); }), Category::kNotFound, "db.error/db-not-found"));
  EXPECT_TRUE(CreateDatabase(a));
  EXPECT_FALSE(CreateDatabase(a));
  EXPECT_TRUE(CreateDatabase(b));
  std::vector<std::string> names = GetDatabaseNames(pattern);
  EXPECT_TRUE(std::find(names.begin(), names.end(), "catalog-a") != names.end());
  EXPECT_TRUE(std::find(names.begin(), names.end(), "catalog-b") != names.end());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));

  Connection conn = Connect(a);
  conn.Transact(kSchema);
  conn.Transact(R"([{:item/name "first"}])");
  // Every connection of this process to one database shares its transactor.
  Connection again = Connect(a);
  EXPECT_EQ(Names(again.Db()), std::vector<Value>{S("first")});
  again.Transact(R"([{:item/name "second"}])");
  EXPECT_EQ(Names(conn.Db()), (std::vector<Value>{S("first"), S("second")}));
  // Databases in one storage are separate.
  EXPECT_EQ(Connect(b).Db().basis_t(), Connection::CreateInMemory().Db().basis_t());

  EXPECT_TRUE(DeleteDatabase(a));
  EXPECT_FALSE(DeleteDatabase(a));
  EXPECT_TRUE(
      IsAnomaly(CatchAnomaly([&] { Connect(a); }), Category::kNotFound, "db.error/db-not-found"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { conn.Transact(R"([{:item/name "x"}])"); }),
                        Category::kNotFound, "db.error/db-not-found"));
  names = GetDatabaseNames(pattern);
  EXPECT_TRUE(std::find(names.begin(), names.end(), "catalog-a") == names.end());
  // A database created again under the name is a new, empty one.
  EXPECT_TRUE(CreateDatabase(a));
  Connection fresh = Connect(a);
  EXPECT_EQ(fresh.Db().basis_t(), Connection::CreateInMemory().Db().basis_t());
  EXPECT_TRUE(
      IsAnomaly(CatchAnomaly([&] { conn.Db(); }), Category::kNotFound, "db.error/db-not-found"));

  // The deleted database's blobs are garbage: a pass reclaims them (once
  // they are older than its cutoff) and leaves the live databases whole.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  GcStats stats = GcStorage(pattern, std::chrono::system_clock::now());
  EXPECT_GE(stats.databases, 2);
  EXPECT_GT(stats.deleted, 0);
  EXPECT_EQ(stats.blobs, stats.reachable + stats.deleted + stats.too_young + stats.unknown_age);
  fresh.Transact(kSchema);
  EXPECT_EQ(Names(fresh.Db()), std::vector<Value>{});
  EXPECT_EQ(Connect(b).Db().basis_t(), Connection::CreateInMemory().Db().basis_t());
  // A database's URI names its storage too; a cutoff in the future is wrong.
  EXPECT_TRUE(IsAnomaly(
      CatchAnomaly([&] { GcStorage(a, std::chrono::system_clock::now() + std::chrono::hours(1)); }),
      Category::kIncorrect, "db.error/invalid-gc-cutoff"));
  EXPECT_TRUE(DeleteDatabase(a));
  EXPECT_TRUE(DeleteDatabase(b));
}

TEST(CatalogTest, MemDatabasesLiveInTheProcess) {
  CheckLifecycle([](std::string_view name) { return fmt::format("strata:mem://{}", name); },
                 "strata:mem://*");
}

TEST(CatalogTest, LmdbDatabasesLiveInADirectory) {
  TempDir dir;
  std::string where = PercentEncode((dir.path() / "store").string());
  CheckLifecycle(
      [&](std::string_view name) { return fmt::format("strata:lmdb://{}?dir={}", name, where); },
      "strata:lmdb://*?dir=" + where);
}

TEST(CatalogTest, AMissingLmdbDirectoryHoldsNoDatabaseAndIsNotCreated) {
  TempDir dir;
  std::filesystem::path missing = dir.path() / "nothing-here";
  std::string uri = "strata:lmdb://x?dir=" + PercentEncode(missing.string());
  EXPECT_TRUE(
      IsAnomaly(CatchAnomaly([&] { Connect(uri); }), Category::kNotFound, "db.error/db-not-found"));
  EXPECT_FALSE(DeleteDatabase(uri));
  EXPECT_TRUE(GetDatabaseNames("strata:lmdb://*?dir=" + PercentEncode(missing.string())).empty());
  GcStats stats = GcStorage(uri, std::chrono::system_clock::now());
  EXPECT_EQ(stats.databases, 0);
  EXPECT_EQ(stats.blobs, 0);
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST(CatalogTest, PostgresDatabasesLiveInATable) {
  std::string error;
  PostgresTestServer* server = PostgresTestServer::Shared(&error);
  ASSERT_NE(server, nullptr) << "no PostgreSQL server for the postgres tests: " << error;
  std::string db = server->CreateDatabase();
  std::string conninfo = PercentEncode(server->ConnInfo(db));
  CheckLifecycle(
      [&](std::string_view name) { return fmt::format("strata:postgres://{}?{}", name, conninfo); },
      "strata:postgres://*?" + conninfo);
}

// Every connection of the process reads through one object cache, whose
// bound the environment gave when the first connection was made.
TEST(CatalogTest, ConnectionsShareTheProcesssObjectCache) {
  TempDir dir;
  std::string where = PercentEncode((dir.path() / "store").string());
  std::string a = fmt::format("strata:lmdb://cache-a?dir={}", where);
  std::string b = fmt::format("strata:mem://cache-b");
  ASSERT_TRUE(CreateDatabase(a));
  ASSERT_TRUE(CreateDatabase(b));
  Connection ca = Connect(a), cb = Connect(b);
  EXPECT_EQ(ca.cache_stats().capacity_bytes,
            static_cast<int64_t>(internal::ObjectCacheMaxFromEnvironment()));
  EXPECT_EQ(cb.cache_stats().capacity_bytes, ca.cache_stats().capacity_bytes);
  ca.Transact(kSchema);
  TxReport r = ca.Transact(R"([{:item/name "first"} {:item/name "second"}])");
  Database db = ca.SyncIndex(r.db_after.basis_t());
  CacheStats before = cb.cache_stats();
  EXPECT_EQ(Dump(db, Index::kAvet, {K("item/name"), S("second")}).size(), 1u);
  CacheStats after = cb.cache_stats();
  EXPECT_GT(after.misses, before.misses);
  EXPECT_EQ(after.misses, ca.cache_stats().misses);
  EXPECT_TRUE(DeleteDatabase(a));
  EXPECT_TRUE(DeleteDatabase(b));
}

TEST(CatalogTest, BadUrisAreIncorrect) {
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { CreateDatabase("strata:mem://"); }), Category::kIncorrect,
                        "db.error/invalid-db-uri"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { Connect("datomic:mem://x"); }), Category::kIncorrect,
                        "db.error/unsupported-protocol"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { GetDatabaseNames("strata:mem://x"); }),
                        Category::kIncorrect, "db.error/invalid-db-uri"));
}

}  // namespace
}  // namespace strata::testing
