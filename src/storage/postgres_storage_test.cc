// The postgres storage backend: the conformance suite (storage_conformance.h)
// against a throwaway server (postgres_test_server.h), one fresh database per
// test, and what only PostgreSQL has: the table layout and its creation, a
// server that goes away and comes back, and connection errors that retrying
// cannot fix.
#include "storage/postgres_storage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storage/postgres_test_server.h"
#include "storage/storage.h"
#include "storage/storage_conformance.h"
#include "strata/anomaly.h"

namespace strata::testing {
namespace {

using internal::PostgresOptions;
using internal::PostgresStorage;
using internal::Root;
using internal::RootCas;
using internal::Storage;
using internal::StorageWrite;
using Clock = std::chrono::steady_clock;

PostgresOptions Options(std::string conninfo, std::chrono::milliseconds deadline) {
  PostgresOptions options;
  options.conninfo = std::move(conninfo);
  options.retry_deadline = deadline;
  return options;
}

StorageWrite Cas(std::string name, uint64_t expected_rev, std::optional<std::string> value) {
  StorageWrite w;
  w.cas = RootCas{std::move(name), expected_rev, std::move(value)};
  return w;
}

long long MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// A fresh database on the shared server per test, dropped afterwards.
class PostgresHome : public StorageHome {
 public:
  explicit PostgresHome(PostgresTestServer* server)
      : server_(server), db_(server->CreateDatabase()) {}
  ~PostgresHome() override {
    try {
      server_->DropDatabase(db_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  std::unique_ptr<Storage> Open() override {
    return std::make_unique<PostgresStorage>(
        Options(server_->ConnInfo(db_), std::chrono::milliseconds(10'000)));
  }

 private:
  PostgresTestServer* server_;
  std::string db_;
};

std::unique_ptr<StorageHome> MakePostgresHome() {
  std::string error;
  PostgresTestServer* server = PostgresTestServer::Shared(&error);
  if (server == nullptr) {
    ADD_FAILURE() << "no PostgreSQL server for the postgres tests: " << error;
    return nullptr;
  }
  try {
    return std::make_unique<PostgresHome>(server);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return nullptr;
  }
}

INSTANTIATE_TEST_SUITE_P(Postgres, StorageConformanceTest,
                         ::testing::Values(StorageBackend{"postgres", MakePostgresHome}),
                         StorageBackendName());

// Tests of a fresh database on the shared server.
class PostgresStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = PostgresTestServer::Shared(&error);
    ASSERT_NE(server_, nullptr) << "no PostgreSQL server for the postgres tests: " << error;
    db_ = server_->CreateDatabase();
  }
  void TearDown() override {
    if (server_ != nullptr && !db_.empty()) server_->DropDatabase(db_);
  }

  std::unique_ptr<PostgresStorage> OpenStorage() {
    return std::make_unique<PostgresStorage>(
        Options(server_->ConnInfo(db_), std::chrono::milliseconds(10'000)));
  }

  PostgresTestServer* server_ = nullptr;
  std::string db_;
};

TEST_F(PostgresStorageTest, CreatesTheTableOnFirstUseInDatomicsLayout) {
  EXPECT_EQ(server_->Sql(db_, "SELECT to_regclass('strata_kv') IS NULL"), "t\n");
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  EXPECT_EQ(server_->Sql(db_, "SELECT to_regclass('strata_kv') IS NULL"), "t\n")
      << "opening connects lazily";
  EXPECT_EQ(storage->GetRoot("db/a"), std::nullopt);
  EXPECT_EQ(server_->Sql(db_, "SELECT to_regclass('strata_kv') IS NULL"), "f\n");

  Uuid key = internal::NewBlobKey();
  StorageWrite w = Cas("db/a", 0, "root value");
  w.blobs.emplace_back(key, "blob value");
  ASSERT_TRUE(storage->Commit(w));
  ASSERT_TRUE(storage->Commit(Cas("db/a", 1, "second")));
  EXPECT_EQ(server_->Sql(db_, "SELECT id, rev, encode(val, 'escape') FROM strata_kv ORDER BY id"),
            "b/" + key.ToString() + "|0|blob value\nr/db/a|2|second\n");

  // A second storage (another process) finds the table and the data.
  storage.reset();
  std::unique_ptr<PostgresStorage> again = OpenStorage();
  std::optional<Root> root = again->GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 2u);
  EXPECT_EQ(again->Get(key), "blob value");
}

// Storages (as of several processes) starting at once on a database without
// the table: all of them create it, none fails.
TEST_F(PostgresStorageTest, ConcurrentFirstUseCreatesTheTableOnce) {
  constexpr int kStorages = 6;
  std::vector<std::unique_ptr<PostgresStorage>> storages;
  for (int i = 0; i < kStorages; ++i) storages.push_back(OpenStorage());
  std::vector<std::string> errors(kStorages);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStorages; ++i) {
    threads.emplace_back([&, i] {
      try {
        storages[static_cast<size_t>(i)]->Commit(Cas("db/" + std::to_string(i), 0, "v"));
      } catch (const Anomaly& e) {
        errors[static_cast<size_t>(i)] = e.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kStorages; ++i) EXPECT_EQ(errors[static_cast<size_t>(i)], "") << i;
  EXPECT_EQ(storages[0]->ListRoots("db/").size(), static_cast<size_t>(kStorages));
}

TEST_F(PostgresStorageTest, ListRootsTakesLikeWildcardsLiterally) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  for (const char* name : {"a%b", "a_b", "axb", "a\\b", "ab"}) {
    ASSERT_TRUE(storage->Commit(Cas(name, 0, "v")));
  }
  EXPECT_EQ(storage->ListRoots("a%"), std::vector<std::string>{"a%b"});
  EXPECT_EQ(storage->ListRoots("a_"), std::vector<std::string>{"a_b"});
  EXPECT_EQ(storage->ListRoots("a\\"), std::vector<std::string>{"a\\b"});
  EXPECT_EQ(storage->ListRoots("a"),
            (std::vector<std::string>{"a%b", "a\\b", "a_b", "ab", "axb"}));  // byte order
}

TEST_F(PostgresStorageTest, ListBlobsReadsPageAfterPage) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  constexpr size_t kBlobs = 10'001;  // one page of 10,000 and one more
  StorageWrite w;
  for (size_t i = 0; i < kBlobs; ++i) w.blobs.emplace_back(internal::NewBlobKey(), "x");
  ASSERT_TRUE(storage->Commit(w));
  size_t listed = 0;
  storage->ListBlobs([&](const Uuid&) { ++listed; });
  EXPECT_EQ(listed, kBlobs);
}

TEST_F(PostgresStorageTest, RootNamesPostgresCannotStoreAreIncorrect) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  for (std::string name : {std::string("nul\0byte", 8), std::string("bad \xff utf-8")}) {
    try {
      storage->Commit(Cas(name, 0, "v"));
      ADD_FAILURE() << "accepted root name " << name;
    } catch (const Anomaly& e) {
      EXPECT_EQ(e.category(), Category::kIncorrect) << e.what();
    }
  }
  EXPECT_TRUE(storage->Commit(Cas("fine", 0, "v"))) << "still in service";
}

TEST(PostgresStorageErrorsTest, MissingDatabaseIsNotFoundAtOnce) {
  std::string error;
  PostgresTestServer* server = PostgresTestServer::Shared(&error);
  ASSERT_NE(server, nullptr) << error;
  PostgresStorage storage(
      Options(server->ConnInfo("no_such_database"), std::chrono::milliseconds(5'000)));
  Clock::time_point start = Clock::now();
  try {
    storage.GetRoot("db/a");
    ADD_FAILURE() << "a missing database was found";
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kNotFound) << e.what();
    EXPECT_NE(e.message().find("no_such_database"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("createdb"), std::string::npos) << e.what();
  }
  EXPECT_LT(MillisSince(start), 2'000) << "not retried";
}

TEST(PostgresStorageErrorsTest, UnknownUserIsForbidden) {
  std::string error;
  PostgresTestServer* server = PostgresTestServer::Shared(&error);
  ASSERT_NE(server, nullptr) << error;
  PostgresStorage storage(
      Options("host=" + server->socket_dir() + " dbname=postgres user=nobody_here",
              std::chrono::milliseconds(5'000)));
  try {
    storage.Get(internal::NewBlobKey());
    ADD_FAILURE() << "an unknown user was let in";
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kForbidden) << e.what();
    EXPECT_NE(e.message().find("nobody_here"), std::string::npos) << e.what();
  }
}

TEST(PostgresStorageErrorsTest, MalformedConnectionStringIsIncorrect) {
  try {
    PostgresStorage storage(Options("host=/tmp dbname", std::chrono::milliseconds(100)));
    ADD_FAILURE() << "a malformed connection string was accepted";
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kIncorrect) << e.what();
  }
}

TEST(PostgresStorageErrorsTest, NoServerIsUnavailableAfterTheDeadline) {
  PostgresStorage storage(Options("host=/tmp/strata-no-server-here dbname=x user=postgres",
                                  std::chrono::milliseconds(300)));
  Clock::time_point start = Clock::now();
  try {
    storage.GetRoot("db/a");
    ADD_FAILURE() << "a server that is not there answered";
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kUnavailable) << e.what();
    EXPECT_NE(e.message().find("/tmp/strata-no-server-here"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("last error"), std::string::npos) << e.what();
  }
  long long elapsed = MillisSince(start);
  EXPECT_GE(elapsed, 100) << "retried for most of the deadline";
  EXPECT_LT(elapsed, 2'000);
}

// A server of its own, stopped and started again under a storage that keeps
// its pool across the outage.
TEST(PostgresStorageRestartTest, UnavailableWhileTheServerIsDownAndRecoversAfter) {
  std::unique_ptr<PostgresTestServer> server;
  try {
    server = std::make_unique<PostgresTestServer>();
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  std::string db = server->CreateDatabase();
  PostgresStorage storage(Options(server->ConnInfo(db), std::chrono::milliseconds(400)));
  Uuid key = internal::NewBlobKey();
  StorageWrite w = Cas("db/a", 0, "before");
  w.blobs.emplace_back(key, "blob");
  ASSERT_TRUE(storage.Commit(w));

  server->Stop();
  for (int call = 0; call < 2; ++call) {
    try {
      if (call == 0) {
        storage.GetRoot("db/a");
      } else {
        storage.Commit(Cas("db/a", 1, "during"));
      }
      ADD_FAILURE() << "a stopped server answered call " << call;
    } catch (const Anomaly& e) {
      EXPECT_EQ(e.category(), Category::kUnavailable) << e.what();
      EXPECT_NE(e.message().find(server->socket_dir()), std::string::npos) << e.what();
    }
  }

  server->Start();
  std::optional<Root> root = storage.GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 1u);
  EXPECT_EQ(root->value, "before");
  EXPECT_EQ(storage.Get(key), "blob");
  EXPECT_TRUE(storage.Commit(Cas("db/a", 1, "after")));

  // A call that starts while the server is down succeeds once it is back
  // within the deadline.
  PostgresStorage patient(Options(server->ConnInfo(db), std::chrono::milliseconds(20'000)));
  ASSERT_TRUE(patient.GetRoot("db/a").has_value());
  server->Stop();
  std::thread restarter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server->Start();
  });
  std::optional<Root> after;
  EXPECT_NO_THROW(after = patient.GetRoot("db/a"));
  restarter.join();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->rev, 2u);
  EXPECT_EQ(after->value, "after");
}

}  // namespace
}  // namespace strata::testing
