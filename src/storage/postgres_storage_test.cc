// The postgres storage backend: the conformance suite (storage_conformance.h)
// against a throwaway server (postgres_test_server.h), one fresh database per
// test, and what only PostgreSQL has: the table layout and its creation, the
// forms of the one-statement commit, connections lost while idle or while a
// commit is in flight, a server that goes away and comes back, and
// connection errors that retrying cannot fix.
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

// Every form of Commit is one statement (see postgres_storage.h): each kind
// of CAS, with blobs, when it matches and when it does not, and blobs alone.
TEST_F(PostgresStorageTest, EveryKindOfCasCommitsItsBlobsOnlyWhenItMatches) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  struct Case {
    const char* what;
    StorageWrite write;
    bool matches;
  };
  ASSERT_TRUE(storage->Commit(Cas("db/a", 0, "a1")));
  ASSERT_TRUE(storage->Commit(Cas("db/b", 0, "b1")));
  std::vector<Case> cases;
  cases.push_back({"create of an existing root", Cas("db/a", 0, "again"), false});
  cases.push_back({"create", Cas("db/c", 0, "c1"), true});
  cases.push_back({"absence of an existing root", Cas("db/a", 0, std::nullopt), false});
  cases.push_back({"absence", Cas("db/none", 0, std::nullopt), true});
  cases.push_back({"stale update", Cas("db/a", 2, "a2"), false});
  cases.push_back({"update of an absent root", Cas("db/none", 1, "x"), false});
  cases.push_back({"update", Cas("db/a", 1, "a2"), true});
  cases.push_back({"stale delete", Cas("db/b", 2, std::nullopt), false});
  cases.push_back({"delete of an absent root", Cas("db/none", 1, std::nullopt), false});
  cases.push_back({"delete", Cas("db/b", 1, std::nullopt), true});
  cases.push_back({"blobs alone", StorageWrite{}, true});
  for (Case& c : cases) {
    std::vector<Uuid> keys = {internal::NewBlobKey(), internal::NewBlobKey()};
    for (const Uuid& key : keys) c.write.blobs.emplace_back(key, "blob " + key.ToString());
    EXPECT_EQ(storage->Commit(c.write), c.matches) << c.what;
    for (const Uuid& key : keys) {
      EXPECT_EQ(storage->Get(key),
                c.matches ? std::optional<std::string>("blob " + key.ToString()) : std::nullopt)
          << c.what;
    }
  }
  EXPECT_EQ(storage->ListRoots("db/"), (std::vector<std::string>{"db/a", "db/c"}));
  std::optional<Root> a = storage->GetRoot("db/a"), c = storage->GetRoot("db/c");
  ASSERT_TRUE(a.has_value() && c.has_value());
  EXPECT_EQ(a->rev, 2u);
  EXPECT_EQ(a->value, "a2");
  EXPECT_EQ(c->rev, 1u);
  EXPECT_EQ(c->value, "c1");
  size_t blobs = 0;
  storage->ListBlobs([&](const Uuid&) { ++blobs; });
  EXPECT_EQ(blobs, 10u) << "two blobs for each of the five matching writes";
}

// The CAS is judged before the blobs are written: one that does not match
// returns false even when a blob key is reused, as in LMDB.
TEST_F(PostgresStorageTest, StaleCasWinsOverAReusedBlobKey) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  Uuid key = internal::NewBlobKey();
  StorageWrite first = Cas("db/a", 0, "first");
  first.blobs.emplace_back(key, "original");
  ASSERT_TRUE(storage->Commit(first));
  StorageWrite stale = Cas("db/a", 0, "second");
  stale.blobs.emplace_back(key, "replacement");
  EXPECT_FALSE(storage->Commit(stale));
  EXPECT_EQ(storage->Get(key), "original");
}

TEST_F(PostgresStorageTest, CommitOfFiveThousandBlobs) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  constexpr size_t kBlobs = 5'000;
  StorageWrite stale = Cas("db/a", 1, "never");
  StorageWrite w = Cas("db/a", 0, "many");
  for (size_t i = 0; i < kBlobs; ++i) {
    stale.blobs.emplace_back(internal::NewBlobKey(), "stale " + std::to_string(i));
    w.blobs.emplace_back(internal::NewBlobKey(), std::string(i % 700, static_cast<char>(i)));
  }
  EXPECT_FALSE(storage->Commit(stale));
  ASSERT_TRUE(storage->Commit(w));
  for (const auto& [key, blob] : w.blobs) ASSERT_EQ(storage->Get(key), blob) << key.ToString();
  size_t listed = 0;
  storage->ListBlobs([&](const Uuid&) { ++listed; });
  EXPECT_EQ(listed, kBlobs) << "none of the stale write's blobs";
}

// Past 32 MiB of blobs a commit takes several statements in one explicit
// transaction; it is as atomic as one.
TEST_F(PostgresStorageTest, CommitOfMoreBlobsThanOneStatementCarries) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  auto big_write = [](StorageWrite w) {
    for (int i = 0; i < 5; ++i) {
      Uuid key = internal::NewBlobKey();
      w.blobs.emplace_back(key, FillerBlob(key.ToString(), (size_t{8} << 20) + 1));
    }
    for (int i = 0; i < 100; ++i) w.blobs.emplace_back(internal::NewBlobKey(), "small");
    return w;
  };
  auto blob_count = [&] {
    size_t n = 0;
    storage->ListBlobs([&](const Uuid&) { ++n; });
    return n;
  };

  StorageWrite w = big_write(Cas("db/a", 0, "big"));
  ASSERT_TRUE(storage->Commit(w));
  for (const auto& [key, blob] : w.blobs) {
    std::optional<std::string> got = storage->Get(key);
    ASSERT_TRUE(got.has_value()) << key.ToString();
    EXPECT_TRUE(*got == blob) << key.ToString();
  }
  EXPECT_EQ(blob_count(), 105u);

  EXPECT_FALSE(storage->Commit(big_write(Cas("db/a", 0, "stale"))));
  EXPECT_EQ(blob_count(), 105u) << "a stale CAS wrote blobs";

  // A reused key in the last statement undoes the CAS and the earlier ones.
  StorageWrite reuse = big_write(Cas("db/a", 1, "second"));
  reuse.blobs.emplace_back(w.blobs.back().first, "again");
  try {
    storage->Commit(reuse);
    ADD_FAILURE() << "a reused blob key was accepted";
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kFault) << e.what();
  }
  EXPECT_EQ(blob_count(), 105u);
  std::optional<Root> root = storage->GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 1u);
  EXPECT_EQ(root->value, "big");

  StorageWrite blobs_only = big_write(StorageWrite{});
  ASSERT_TRUE(storage->Commit(blobs_only));
  EXPECT_EQ(blob_count(), 210u);
}

// A pooled connection the server closed while it was idle is found broken
// before anything is sent on it: the commit goes to a new connection, and
// is not mistaken for one whose outcome is unknown.
TEST_F(PostgresStorageTest, ConnectionClosedWhileIdleIsReplaced) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  ASSERT_TRUE(storage->Commit(Cas("db/a", 0, "first")));
  EXPECT_EQ(server_->Sql(db_,
                         "SELECT count(*) FILTER (WHERE gone) FROM (SELECT pg_terminate_backend("
                         "pid, 5000) AS gone FROM pg_stat_activity WHERE datname = "
                         "current_database() AND application_name = 'strata') AS t"),
            "1\n")
      << "the storage's one connection, terminated";
  StorageWrite w = Cas("db/a", 1, "second");
  Uuid key = internal::NewBlobKey();
  w.blobs.emplace_back(key, "blob");
  EXPECT_TRUE(storage->Commit(w));
  EXPECT_EQ(storage->Get(key), "blob");
}

// A connection lost while the commit statement runs leaves its outcome
// unknown: unavailable at once, not retried.
TEST_F(PostgresStorageTest, ConnectionLostDuringTheCommitIsUnavailableAtOnce) {
  std::unique_ptr<PostgresStorage> storage = OpenStorage();
  ASSERT_EQ(storage->GetRoot("slow"), std::nullopt);  // creates the table
  // Creating root "slow" sleeps in a trigger until the backend is terminated.
  server_->Sql(db_,
               "CREATE FUNCTION strata_sleep() RETURNS trigger LANGUAGE plpgsql AS "
               "'BEGIN PERFORM pg_sleep(20); RETURN NEW; END'");
  server_->Sql(db_,
               "CREATE TRIGGER strata_sleep BEFORE INSERT ON strata_kv FOR EACH ROW "
               "WHEN (NEW.id = 'r/slow') EXECUTE FUNCTION strata_sleep()");

  std::optional<Anomaly> error;
  Clock::time_point terminated;
  std::thread committer([&] {
    StorageWrite w = Cas("slow", 0, "v");
    w.blobs.emplace_back(internal::NewBlobKey(), "blob");
    try {
      storage->Commit(w);
    } catch (const Anomaly& e) {
      error = e;
    }
  });
  bool killed = false;
  for (int i = 0; i < 200 && !killed; ++i) {
    killed = server_->Sql(db_,
                          "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND wait_event = 'PgSleep'") == "t\n";
    terminated = Clock::now();
    if (!killed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  committer.join();
  ASSERT_TRUE(killed) << "the commit never reached the trigger";
  EXPECT_LT(MillisSince(terminated), 2'000) << "not retried";
  ASSERT_TRUE(error.has_value()) << "the commit returned";
  EXPECT_EQ(error->category(), Category::kUnavailable) << error->what();
  EXPECT_NE(error->message().find("may or may not"), std::string::npos) << error->what();

  // It was not applied (the server rolled it back), and the storage serves on.
  EXPECT_EQ(storage->GetRoot("slow"), std::nullopt);
  size_t blobs = 0;
  storage->ListBlobs([&](const Uuid&) { ++blobs; });
  EXPECT_EQ(blobs, 0u);
  EXPECT_TRUE(storage->Commit(Cas("fast", 0, "v")));
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
