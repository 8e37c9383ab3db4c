// Tests for LmdbStorage: the conformance suite (with the default map and with
// a tiny one that must grow under every test), then what is LMDB's own: a
// full map, growth, reopening, directories, root name limits, and two
// processes committing to one directory at once.
#include "storage/lmdb_storage.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "storage/storage.h"
#include "storage/storage_conformance.h"
#include "strata/anomaly.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::LmdbOptions;
using internal::LmdbStorage;
using internal::Root;
using internal::RootCas;
using internal::StorageWrite;

class LmdbHome : public StorageHome {
 public:
  explicit LmdbHome(LmdbOptions options) : options_(options) {}
  std::unique_ptr<internal::Storage> Open() override {
    return LmdbStorage::Open(dir_.path(), options_);
  }

 private:
  TempDir dir_;
  LmdbOptions options_;
};

LmdbOptions SmallMap() {
  LmdbOptions options;
  options.initial_map_size = 32 << 10;  // a few pages: every test grows it
  return options;
}

INSTANTIATE_TEST_SUITE_P(
    Lmdb, StorageConformanceTest,
    ::testing::Values(
        StorageBackend{"lmdb",
                       [] { return std::unique_ptr<StorageHome>(new LmdbHome(LmdbOptions{})); }},
        StorageBackend{"lmdb_small_map",
                       [] { return std::unique_ptr<StorageHome>(new LmdbHome(SmallMap())); }}),
    StorageBackendName());

size_t CountBlobs(internal::Storage& storage) {
  size_t n = 0;
  storage.ListBlobs([&](const Uuid&) { ++n; });
  return n;
}

TEST(LmdbStorageTest, FullMapIsAnUnavailableAnomalyAndTheStorageStaysUsable) {
  TempDir dir;
  LmdbOptions options;
  options.initial_map_size = 64 << 10;
  options.max_map_size = 1 << 20;
  auto storage = LmdbStorage::Open(dir.path(), options);
  Uuid small = internal::NewBlobKey();
  StorageWrite first = Cas("db/a", 0, "first");
  first.blobs.emplace_back(small, "small");
  ASSERT_TRUE(storage->Commit(first));

  Uuid big = internal::NewBlobKey();
  StorageWrite too_big = Cas("db/a", 1, "second");
  too_big.blobs.emplace_back(big, FillerBlob("big", 2 << 20));
  try {
    storage->Commit(too_big);
    FAIL() << "a write larger than the maximum map was accepted";
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kUnavailable) << e.what();
    EXPECT_NE(e.message().find("full"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("max_map_size"), std::string::npos) << e.what();
  }
  EXPECT_LE(storage->map_size(), options.max_map_size);

  // Nothing of it was written; reads and smaller writes go on.
  EXPECT_EQ(storage->Get(big), std::nullopt);
  EXPECT_EQ(storage->Get(small), "small");
  std::optional<Root> root = storage->GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 1u);
  StorageWrite next = Cas("db/a", 1, "second");
  next.blobs.emplace_back(internal::NewBlobKey(), FillerBlob("medium", 100 << 10));
  EXPECT_TRUE(storage->Commit(next));
  EXPECT_EQ(CountBlobs(*storage), 2u);

  // Filling the map with many writes ends the same way, never in a crash.
  bool full = false;
  for (int i = 0; i < 100 && !full; ++i) {
    StorageWrite w;
    w.blobs.emplace_back(internal::NewBlobKey(), FillerBlob("fill", 64 << 10));
    try {
      ASSERT_TRUE(storage->Commit(w));
    } catch (const Anomaly& e) {
      EXPECT_EQ(e.category(), Category::kUnavailable) << e.what();
      full = true;
    }
  }
  EXPECT_TRUE(full);
  EXPECT_EQ(storage->Get(small), "small");
}

TEST(LmdbStorageTest, MapGrowsFromASmallInitialSize) {
  TempDir dir;
  LmdbOptions options;
  options.initial_map_size = 32 << 10;
  auto storage = LmdbStorage::Open(dir.path(), options);
  size_t initial = storage->map_size();
  std::vector<std::pair<Uuid, std::string>> written;
  for (uint64_t i = 0; i < 200; ++i) {
    Uuid key = internal::NewBlobKey();
    StorageWrite w = Cas("db/a", i, key.ToString());
    w.blobs.emplace_back(key, FillerBlob(key.ToString(), 8 << 10));
    ASSERT_TRUE(storage->Commit(w));
    written.emplace_back(key, w.blobs[0].second);
  }
  EXPECT_GT(storage->map_size(), initial);
  EXPECT_GE(storage->map_size(), size_t{200} * (8 << 10));
  for (const auto& [key, blob] : written) ASSERT_EQ(storage->Get(key), blob);
  std::optional<Root> root = storage->GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 200u);
}

TEST(LmdbStorageTest, ReopenAfterCloseKeepsDataAndTheGrownMap) {
  TempDir dir;
  LmdbOptions small;
  small.initial_map_size = 32 << 10;
  Uuid key = internal::NewBlobKey();
  size_t grown = 0;
  {
    auto storage = LmdbStorage::Open(dir.path(), small);
    StorageWrite w = Cas("db/a", 0, "a1");
    w.blobs.emplace_back(key, FillerBlob("blob", 1 << 20));
    ASSERT_TRUE(storage->Commit(w));
    grown = storage->map_size();
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data.mdb"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "lock.mdb"));
  for (int round = 0; round < 3; ++round) {
    auto storage = LmdbStorage::Open(dir.path(), small);
    EXPECT_GE(storage->map_size(), grown) << "the recorded map size is adopted";
    EXPECT_EQ(storage->Get(key), FillerBlob("blob", 1 << 20));
    std::optional<Root> root = storage->GetRoot("db/a");
    ASSERT_TRUE(root.has_value());
    EXPECT_EQ(root->rev, static_cast<uint64_t>(round + 1));
    ASSERT_TRUE(storage->Commit(Cas("db/a", root->rev, "next")));
  }
}

TEST(LmdbStorageTest, OpenCreatesMissingDirectories) {
  TempDir dir;
  std::filesystem::path nested = dir.path() / "a" / "b" / "c";
  auto storage = LmdbStorage::Open(nested);
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  EXPECT_EQ(storage->dir(), nested);
  EXPECT_TRUE(storage->Commit(Cas("db/a", 0, "x")));
}

TEST(LmdbStorageTest, OpenOnAFileIsAnAnomaly) {
  TempDir dir;
  std::filesystem::path file = dir.path() / "not-a-directory";
  std::ofstream(file) << "hello";
  try {
    LmdbStorage::Open(file);
    FAIL() << "opened a regular file as a directory";
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kUnavailable) << e.what();
    EXPECT_NE(e.message().find(file.string()), std::string::npos) << e.what();
  }
}

TEST(LmdbStorageTest, RootNamesAreOneTo511Bytes) {
  TempDir dir;
  auto storage = LmdbStorage::Open(dir.path());
  for (const std::string& bad : {std::string(), std::string(512, 'n')}) {
    try {
      storage->Commit(Cas(bad, 0, "x"));
      ADD_FAILURE() << "accepted a root name of " << bad.size() << " bytes";
    } catch (const Anomaly& e) {
      EXPECT_EQ(e.category(), Category::kIncorrect) << e.what();
    }
    EXPECT_EQ(storage->GetRoot(bad), std::nullopt);
    EXPECT_TRUE(storage->ListRoots(bad).empty());
  }
  std::string longest(511, 'n');
  ASSERT_TRUE(storage->Commit(Cas(longest, 0, "x")));
  std::optional<Root> root = storage->GetRoot(longest);
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->value, "x");
}

// Commits `commits` blobs from this process, each with a CAS incrementing the
// shared root "counter", then waits until `other` is done too and checks
// that everything both wrote is visible here. Returns "" or what was wrong.
// Checks with plain code, not gtest: it also runs in a forked child.
std::string CommitAlongside(const std::filesystem::path& dir, const std::string& me,
                            const std::string& other, int commits) {
  LmdbOptions options;
  options.initial_map_size = 32 << 10;  // each process grows the map in turn
  auto storage = LmdbStorage::Open(dir, options);
  for (int i = 0; i < commits; ++i) {
    for (;;) {
      std::optional<Root> root = storage->GetRoot("counter");
      uint64_t rev = root ? root->rev : 0;
      Uuid key = internal::NewBlobKey();
      StorageWrite w = Cas("counter", rev, me);
      w.blobs.emplace_back(key, FillerBlob(me + " " + key.ToString(), 4 << 10));
      if (storage->Commit(w)) break;
    }
  }
  if (!storage->Commit(Cas(me + "/done", 0, "yes"))) return me + ": could not mark itself done";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!storage->GetRoot(other + "/done")) {
    if (std::chrono::steady_clock::now() > deadline) return me + ": gave up waiting for " + other;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::optional<Root> counter = storage->GetRoot("counter");
  if (!counter || counter->rev != static_cast<uint64_t>(2 * commits)) {
    return fmt::format("{}: counter at revision {}, not {}", me, counter ? counter->rev : 0,
                       2 * commits);
  }
  int mine = 0, theirs = 0;
  std::string error;
  storage->ListBlobs([&](const Uuid& key) {
    std::optional<std::string> blob = storage->Get(key);
    if (!blob) {
      error = me + ": a listed blob cannot be read";
    } else if (blob->starts_with(me + " ")) {
      ++mine;
    } else if (blob->starts_with(other + " ")) {
      ++theirs;
    }
  });
  if (!error.empty()) return error;
  if (mine != commits || theirs != commits) {
    return fmt::format("{}: sees {} of its blobs and {} of {}'s, not {} each", me, mine, theirs,
                       other, commits);
  }
  return "";
}

TEST(LmdbStorageTest, TwoProcessesCommitToOneDirectory) {
  TempDir dir;
  constexpr int kCommits = 60;
  std::fflush(nullptr);
  pid_t child = fork();
  ASSERT_GE(child, 0) << "fork failed";
  if (child == 0) {
    // The child opens its own environment (none is open across the fork)
    // and leaves with _exit: no gtest, no destructors of the parent's state.
    // It works on a new thread: NewBlobKey's thread-local generator is
    // copied by fork(), so the child's main thread would make the parent's
    // keys again.
    int code = 2;
    std::thread worker([&] {
      try {
        std::string error = CommitAlongside(dir.path(), "child", "parent", kCommits);
        if (!error.empty()) std::fprintf(stderr, "%s\n", error.c_str());
        code = error.empty() ? 0 : 1;
      } catch (const Anomaly& e) {
        std::fprintf(stderr, "child: %s\n", e.what());
      }
    });
    worker.join();
    std::fflush(nullptr);
    _exit(code);
  }
  std::string error;
  try {
    error = CommitAlongside(dir.path(), "parent", "child", kCommits);
  } catch (const Anomaly& e) {
    error = e.what();
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(error, "");
  ASSERT_TRUE(WIFEXITED(status)) << "the child died: status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child failed (its stderr says why)";

  // And both are there for a later process.
  auto storage = LmdbStorage::Open(dir.path());
  EXPECT_EQ(CountBlobs(*storage), static_cast<size_t>(2 * kCommits));
  EXPECT_EQ(storage->ListRoots(""),
            (std::vector<std::string>{"child/done", "counter", "parent/done"}));
}

}  // namespace
}  // namespace strata::testing
