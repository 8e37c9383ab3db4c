// The storage conformance suite (see storage_conformance.h): what every
// backend promises about blobs, roots, compare-and-swap, atomicity, errors,
// concurrency and durability across reopening. Instantiated here for `mem`;
// every other backend instantiates it in its own test file.
#include "storage/storage_conformance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storage/mem_storage.h"
#include "storage/storage.h"
#include "strata/anomaly.h"

namespace strata::testing {
namespace {

using internal::Root;
using internal::RootCas;
using internal::Storage;
using internal::StorageWrite;

std::string KeyBytes(const Uuid& key) { return std::string(key.bytes.begin(), key.bytes.end()); }

// A blob whose content tells which key and round made it.
std::string BlobFor(const Uuid& key, size_t size) { return FillerBlob(key.ToString(), size); }

std::set<std::string> AllBlobKeys(Storage& storage) {
  std::set<std::string> keys;
  storage.ListBlobs([&](const Uuid& key) {
    bool inserted = keys.insert(KeyBytes(key)).second;
    EXPECT_TRUE(inserted) << "ListBlobs listed " << key.ToString() << " twice";
  });
  return keys;
}

TEST_P(StorageConformanceTest, GetOfAbsentBlobIsNullopt) {
  EXPECT_EQ(storage().Get(internal::NewBlobKey()), std::nullopt);
}

TEST_P(StorageConformanceTest, CommittedBlobsCanBeRead) {
  StorageWrite w;
  for (int i = 0; i < 5; ++i) {
    Uuid key = internal::NewBlobKey();
    w.blobs.emplace_back(key, BlobFor(key, 100 + i));
  }
  ASSERT_TRUE(storage().Commit(w));
  for (const auto& [key, blob] : w.blobs) {
    std::optional<std::string> got = storage().Get(key);
    ASSERT_TRUE(got.has_value()) << key.ToString();
    EXPECT_EQ(*got, blob);
  }
}

TEST_P(StorageConformanceTest, EmptyWriteSucceeds) {
  EXPECT_TRUE(storage().Commit(StorageWrite{}));
  EXPECT_EQ(AllBlobKeys(storage()).size(), 0u);
  EXPECT_TRUE(storage().ListRoots("").empty());
}

TEST_P(StorageConformanceTest, GetRootOfAbsentRootIsNullopt) {
  EXPECT_EQ(storage().GetRoot("no-such-root"), std::nullopt);
  EXPECT_EQ(storage().GetRoot(""), std::nullopt);
}

TEST_P(StorageConformanceTest, CasWithExpectedZeroCreatesARootAtRevisionOne) {
  ASSERT_TRUE(storage().Commit(Cas("db/a", 0, "first")));
  std::optional<Root> root = storage().GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 1u);
  EXPECT_EQ(root->value, "first");
}

TEST_P(StorageConformanceTest, CasWithCurrentRevisionUpdates) {
  ASSERT_TRUE(storage().Commit(Cas("db/a", 0, "first")));
  ASSERT_TRUE(storage().Commit(Cas("db/a", 1, "second")));
  std::optional<Root> root = storage().GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 2u);
  EXPECT_EQ(root->value, "second");
}

TEST_P(StorageConformanceTest, StaleCasReturnsFalseAndWritesNothing) {
  Uuid first_key = internal::NewBlobKey();
  StorageWrite first = Cas("db/a", 0, "first");
  first.blobs.emplace_back(first_key, "first blob");
  ASSERT_TRUE(storage().Commit(first));

  // Stale revision, create over an existing root, update of an absent root:
  // each fails, and neither its blobs nor its root value become visible.
  std::vector<StorageWrite> stale = {Cas("db/a", 0, "create again"), Cas("db/a", 2, "from future"),
                                     Cas("db/b", 1, "absent")};
  for (StorageWrite& w : stale) {
    Uuid key = internal::NewBlobKey();
    w.blobs.emplace_back(key, "blob of a failed CAS");
    EXPECT_FALSE(storage().Commit(w)) << w.cas->name << " expected " << w.cas->expected_rev;
    EXPECT_EQ(storage().Get(key), std::nullopt) << "a failed CAS wrote its blob";
  }
  std::optional<Root> root = storage().GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 1u);
  EXPECT_EQ(root->value, "first");
  EXPECT_EQ(storage().GetRoot("db/b"), std::nullopt);
  EXPECT_EQ(AllBlobKeys(storage()), std::set<std::string>{KeyBytes(first_key)});
  EXPECT_EQ(storage().ListRoots(""), std::vector<std::string>{"db/a"});
}

TEST_P(StorageConformanceTest, CasWithNulloptDeletesTheRoot) {
  ASSERT_TRUE(storage().Commit(Cas("db/a", 0, "first")));
  ASSERT_TRUE(storage().Commit(Cas("db/a", 1, "second")));
  EXPECT_FALSE(storage().Commit(Cas("db/a", 1, std::nullopt))) << "stale delete";
  ASSERT_TRUE(storage().GetRoot("db/a").has_value());
  ASSERT_TRUE(storage().Commit(Cas("db/a", 2, std::nullopt)));
  EXPECT_EQ(storage().GetRoot("db/a"), std::nullopt);
  EXPECT_TRUE(storage().ListRoots("").empty());
  // Once deleted, the root can be created again (expected 0), at revision 1.
  EXPECT_FALSE(storage().Commit(Cas("db/a", 2, "too late")));
  ASSERT_TRUE(storage().Commit(Cas("db/a", 0, "again")));
  std::optional<Root> root = storage().GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 1u);
  EXPECT_EQ(root->value, "again");
}

TEST_P(StorageConformanceTest, RevisionsIncreaseByOne) {
  for (uint64_t rev = 0; rev < 20; ++rev) {
    ASSERT_TRUE(storage().Commit(Cas("db/a", rev, "value " + std::to_string(rev + 1))));
    std::optional<Root> root = storage().GetRoot("db/a");
    ASSERT_TRUE(root.has_value());
    EXPECT_EQ(root->rev, rev + 1);
    EXPECT_EQ(root->value, "value " + std::to_string(rev + 1));
  }
}

TEST_P(StorageConformanceTest, RootsAreIndependent) {
  ASSERT_TRUE(storage().Commit(Cas("db/a", 0, "a1")));
  ASSERT_TRUE(storage().Commit(Cas("db/b", 0, "b1")));
  ASSERT_TRUE(storage().Commit(Cas("db/a", 1, "a2")));
  std::optional<Root> b = storage().GetRoot("db/b");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->rev, 1u);
  EXPECT_EQ(b->value, "b1");
}

TEST_P(StorageConformanceTest, ListRootsFiltersByPrefixAndSorts) {
  for (const char* name : {"db/zeta", "db/alpha", "lease", "db/", "db/alpha/x", "dbx", "a"}) {
    ASSERT_TRUE(storage().Commit(Cas(name, 0, std::string("value of ") + name)));
  }
  EXPECT_EQ(storage().ListRoots("db/"),
            (std::vector<std::string>{"db/", "db/alpha", "db/alpha/x", "db/zeta"}));
  EXPECT_EQ(storage().ListRoots("db"),
            (std::vector<std::string>{"db/", "db/alpha", "db/alpha/x", "db/zeta", "dbx"}));
  EXPECT_EQ(storage().ListRoots(""), (std::vector<std::string>{"a", "db/", "db/alpha", "db/alpha/x",
                                                               "db/zeta", "dbx", "lease"}));
  EXPECT_TRUE(storage().ListRoots("nothing").empty());
  EXPECT_TRUE(storage().ListRoots("db/zeta/").empty());
}

TEST_P(StorageConformanceTest, DeleteRemovesBlobsAndListBlobsListsTheRest) {
  StorageWrite w;
  for (int i = 0; i < 10; ++i) {
    Uuid key = internal::NewBlobKey();
    w.blobs.emplace_back(key, BlobFor(key, 64));
  }
  ASSERT_TRUE(storage().Commit(w));
  std::set<std::string> expected;
  for (const auto& [key, blob] : w.blobs) expected.insert(KeyBytes(key));
  EXPECT_EQ(AllBlobKeys(storage()), expected);

  std::vector<Uuid> doomed = {w.blobs[0].first, w.blobs[3].first, w.blobs[9].first,
                              internal::NewBlobKey()};  // absent keys are ignored
  storage().Delete(doomed);
  for (const Uuid& key : doomed) {
    EXPECT_EQ(storage().Get(key), std::nullopt);
    expected.erase(KeyBytes(key));
  }
  EXPECT_EQ(AllBlobKeys(storage()), expected);
  EXPECT_TRUE(storage().Get(w.blobs[1].first).has_value());
  storage().Delete({});
  storage().Delete(doomed);  // deleting twice is harmless
  EXPECT_EQ(AllBlobKeys(storage()), expected);
}

TEST_P(StorageConformanceTest, ReusingABlobKeyIsAFaultAndWritesNothing) {
  Uuid key = internal::NewBlobKey();
  StorageWrite first = Cas("db/a", 0, "first");
  first.blobs.emplace_back(key, "original");
  ASSERT_TRUE(storage().Commit(first));

  Uuid fresh = internal::NewBlobKey();
  StorageWrite reuse = Cas("db/a", 1, "second");
  reuse.blobs.emplace_back(fresh, "fresh");
  reuse.blobs.emplace_back(key, "replacement");
  try {
    storage().Commit(reuse);
    ADD_FAILURE() << "a reused blob key was accepted";
  } catch (const Anomaly& e) {
    EXPECT_EQ(e.category(), Category::kFault) << e.what();
    EXPECT_NE(e.message().find(key.ToString()), std::string::npos)
        << "the message should name the key: " << e.what();
  }
  EXPECT_EQ(storage().Get(key), "original");
  EXPECT_EQ(storage().Get(fresh), std::nullopt);
  std::optional<Root> root = storage().GetRoot("db/a");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, 1u);
  EXPECT_EQ(root->value, "first");

  // The storage is still in service.
  StorageWrite next = Cas("db/a", 1, "second");
  next.blobs.emplace_back(fresh, "fresh");
  EXPECT_TRUE(storage().Commit(next));
  EXPECT_EQ(storage().Get(fresh), "fresh");
}

TEST_P(StorageConformanceTest, CommitOfManyBlobs) {
  StorageWrite w = Cas("db/a", 0, "many");
  for (int i = 0; i < 1000; ++i) {
    Uuid key = internal::NewBlobKey();
    w.blobs.emplace_back(key, BlobFor(key, 1024));
  }
  ASSERT_TRUE(storage().Commit(w));
  for (const auto& [key, blob] : w.blobs) ASSERT_EQ(storage().Get(key), blob) << key.ToString();
  EXPECT_EQ(AllBlobKeys(storage()).size(), 1000u);
}

TEST_P(StorageConformanceTest, LargeBlobs) {
  StorageWrite w = Cas("db/a", 0, "large");
  for (int i = 0; i < 2; ++i) {
    Uuid key = internal::NewBlobKey();
    w.blobs.emplace_back(key, BlobFor(key, (8u << 20) + static_cast<size_t>(i)));
  }
  ASSERT_TRUE(storage().Commit(w));
  for (const auto& [key, blob] : w.blobs) {
    std::optional<std::string> got = storage().Get(key);
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(*got == blob) << "blob of " << blob.size() << " bytes read back as " << got->size();
  }
}

TEST_P(StorageConformanceTest, BinaryContentRoundTrips) {
  std::string binary;
  for (int round = 0; round < 3; ++round) {
    for (int b = 0; b < 256; ++b) binary += static_cast<char>(b);
  }
  binary += std::string(10, '\0');
  Uuid key = internal::NewBlobKey(), empty_key = internal::NewBlobKey();
  StorageWrite w = Cas("db/binary", 0, binary);
  w.blobs.emplace_back(key, binary);
  w.blobs.emplace_back(empty_key, "");
  ASSERT_TRUE(storage().Commit(w));
  EXPECT_EQ(storage().Get(key), binary);
  EXPECT_EQ(storage().Get(empty_key), std::string()) << "an empty blob is not an absent one";
  std::optional<Root> root = storage().GetRoot("db/binary");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->value, binary);
  ASSERT_TRUE(storage().Commit(Cas("db/binary", 1, "")));
  root = storage().GetRoot("db/binary");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->value, "");
}

// Four threads race to CAS one root, each commit carrying a blob: exactly one
// wins each revision, the final revision is the number of wins, and exactly
// the winners' blobs exist.
TEST_P(StorageConformanceTest, ConcurrentCasHasOneWinnerPerRevision) {
  constexpr int kThreads = 4, kAttempts = 25;
  struct Outcome {
    std::vector<uint64_t> won;  // revisions this thread made
    std::vector<Uuid> won_blobs, lost_blobs;
    std::string error;
  };
  std::vector<Outcome> outcomes(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      Outcome& out = outcomes[static_cast<size_t>(t)];
      try {
        for (int i = 0; i < kAttempts; ++i) {
          std::optional<Root> root = storage().GetRoot("db/race");
          uint64_t rev = root ? root->rev : 0;
          Uuid key = internal::NewBlobKey();
          StorageWrite w =
              Cas("db/race", rev, "thread " + std::to_string(t) + " at " + std::to_string(rev + 1));
          w.blobs.emplace_back(key, BlobFor(key, 256));
          if (storage().Commit(w)) {
            out.won.push_back(rev + 1);
            out.won_blobs.push_back(key);
          } else {
            out.lost_blobs.push_back(key);
          }
        }
      } catch (const Anomaly& e) {
        out.error = e.what();
      }
    });
  }
  go.store(true);
  for (std::thread& thread : threads) thread.join();

  std::map<uint64_t, int> winner_of;
  size_t wins = 0;
  for (int t = 0; t < kThreads; ++t) {
    const Outcome& out = outcomes[static_cast<size_t>(t)];
    EXPECT_EQ(out.error, "") << "thread " << t;
    for (uint64_t rev : out.won) {
      auto [it, fresh] = winner_of.emplace(rev, t);
      EXPECT_TRUE(fresh) << "revision " << rev << " won by threads " << it->second << " and " << t;
    }
    wins += out.won.size();
    for (const Uuid& key : out.won_blobs) EXPECT_TRUE(storage().Get(key).has_value());
    for (const Uuid& key : out.lost_blobs) EXPECT_EQ(storage().Get(key), std::nullopt);
  }
  ASSERT_GE(wins, static_cast<size_t>(kAttempts)) << "the first attempt of each round wins";
  std::optional<Root> root = storage().GetRoot("db/race");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->rev, wins);
  // Revisions 1..wins, each won once.
  ASSERT_EQ(winner_of.size(), wins);
  EXPECT_EQ(winner_of.begin()->first, 1u);
  EXPECT_EQ(winner_of.rbegin()->first, wins);
  EXPECT_EQ(root->value,
            "thread " + std::to_string(winner_of.rbegin()->second) + " at " + std::to_string(wins));
  EXPECT_EQ(AllBlobKeys(storage()).size(), wins);
}

// Readers racing a writer see every commit whole: a root never names a blob
// that is not there.
TEST_P(StorageConformanceTest, ReadersSeeCommitsWhole) {
  constexpr int kCommits = 30;
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      try {
        while (!done.load()) {
          std::optional<Root> root = storage().GetRoot("db/a");
          if (!root) continue;
          Uuid key;
          if (!Uuid::Parse(root->value, &key) || !storage().Get(key).has_value()) ++torn;
          ++reads;
        }
      } catch (const Anomaly&) {
        ++torn;
      }
    });
  }
  for (int i = 0; i < kCommits; ++i) {
    Uuid key = internal::NewBlobKey();
    StorageWrite w = Cas("db/a", static_cast<uint64_t>(i), key.ToString());
    w.blobs.emplace_back(key, BlobFor(key, 4096));
    ASSERT_TRUE(storage().Commit(w));
  }
  done.store(true);
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(torn.load(), 0);
}

TEST_P(StorageConformanceTest, DataSurvivesReopening) {
  StorageWrite w = Cas("db/a", 0, "a1");
  for (int i = 0; i < 20; ++i) {
    Uuid key = internal::NewBlobKey();
    w.blobs.emplace_back(key, BlobFor(key, 512));
  }
  ASSERT_TRUE(storage().Commit(w));
  ASSERT_TRUE(storage().Commit(Cas("db/a", 1, "a2")));
  ASSERT_TRUE(storage().Commit(Cas("db/b", 0, "b1")));
  storage().Delete({w.blobs[0].first});
  EXPECT_FALSE(storage().Commit(Cas("db/c", 3, "never")));

  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(storage().Get(w.blobs[0].first), std::nullopt);
  for (size_t i = 1; i < w.blobs.size(); ++i) {
    EXPECT_EQ(storage().Get(w.blobs[i].first), w.blobs[i].second);
  }
  EXPECT_EQ(AllBlobKeys(storage()).size(), w.blobs.size() - 1);
  std::optional<Root> a = storage().GetRoot("db/a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->rev, 2u);
  EXPECT_EQ(a->value, "a2");
  EXPECT_EQ(storage().ListRoots(""), (std::vector<std::string>{"db/a", "db/b"}));

  // Writing goes on where it stopped, and survives another reopening.
  ASSERT_TRUE(storage().Commit(Cas("db/a", 2, "a3")));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  a = storage().GetRoot("db/a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->rev, 3u);
  EXPECT_EQ(a->value, "a3");
}

// `mem`: every Open() is a handle on the one MemStorage the home owns.
class MemHandle : public Storage {
 public:
  explicit MemHandle(internal::MemStorage* target) : target_(target) {}
  std::optional<std::string> Get(const Uuid& key) override { return target_->Get(key); }
  std::optional<Root> GetRoot(std::string_view name) override { return target_->GetRoot(name); }
  bool Commit(const StorageWrite& w) override { return target_->Commit(w); }
  void Delete(const std::vector<Uuid>& keys) override { target_->Delete(keys); }
  void ListBlobs(const std::function<void(const Uuid&)>& f) override { target_->ListBlobs(f); }
  std::vector<std::string> ListRoots(std::string_view prefix) override {
    return target_->ListRoots(prefix);
  }

 private:
  internal::MemStorage* target_;  // not owned
};

class MemHome : public StorageHome {
 public:
  std::unique_ptr<Storage> Open() override { return std::make_unique<MemHandle>(&storage_); }

 private:
  internal::MemStorage storage_;
};

INSTANTIATE_TEST_SUITE_P(Mem, StorageConformanceTest,
                         ::testing::Values(StorageBackend{
                             "mem", [] { return std::unique_ptr<StorageHome>(new MemHome()); }}),
                         StorageBackendName());

}  // namespace
}  // namespace strata::testing
