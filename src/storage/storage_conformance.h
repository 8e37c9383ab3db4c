// The storage conformance suite: one set of tests (storage_conformance_test.cc)
// that every Storage backend must pass, so that `mem`, `lmdb` and `postgres`
// mean the same thing by blobs, roots, CAS, atomicity, durability and errors.
//
// A backend joins the suite by describing how to make a fresh, empty place
// for its data (a StorageHome: a temporary directory, a throwaway PostgreSQL
// schema...) and instantiating the fixture in its own test file:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Lmdb, StorageConformanceTest,
//       ::testing::Values(StorageBackend{"lmdb", [] { return MakeLmdbHome(); }}),
//       StorageBackendName());
//
// Header-only, test-only (no part of libstrata); the TEST_Ps are compiled once,
// in storage_conformance_test.cc, which also instantiates them for `mem`.
#ifndef STRATA_STORAGE_STORAGE_CONFORMANCE_H_
#define STRATA_STORAGE_STORAGE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "storage/storage.h"

namespace strata::testing {

// A place where one backend keeps its data, fresh and empty when made. The
// place outlives the Storage handles opened on it; destroying the home
// removes the place (the directory, the schema...).
class StorageHome {
 public:
  virtual ~StorageHome() = default;

  // A new handle on the storage at this place, which holds everything that
  // earlier handles committed (the test of durability across reopening).
  // May be called any number of times.
  // REQUIRES: every handle this home opened before has been destroyed (LMDB
  // forbids one process to open an environment twice at once).
  // Throws an Anomaly when the storage cannot be opened.
  virtual std::unique_ptr<internal::Storage> Open() = 0;
};

// A backend under test: `name` is a gtest-safe identifier ([A-Za-z0-9_]),
// shown in test names; `make` returns a fresh, empty home. `make` is called
// once per test, from the test's thread.
struct StorageBackend {
  std::string name;
  std::function<std::unique_ptr<StorageHome>()> make;
};

// Shows a backend by its name in gtest failure messages (found by ADL).
inline void PrintTo(const StorageBackend& backend, std::ostream* os) {
  *os << "StorageBackend{" << backend.name << "}";
}

// The name generator for INSTANTIATE_TEST_SUITE_P: the backend's name.
struct StorageBackendName {
  std::string operator()(const ::testing::TestParamInfo<StorageBackend>& info) const {
    return info.param.name;
  }
};

// The fixture: each test starts with a fresh home and a storage open on it.
// Not thread-safe itself; tests that race threads share `storage()` only,
// which every backend must allow.
class StorageConformanceTest : public ::testing::TestWithParam<StorageBackend> {
 protected:
  void SetUp() override {
    home_ = GetParam().make();
    ASSERT_NE(home_, nullptr) << GetParam().name << ": make() returned no home";
    storage_ = home_->Open();
    ASSERT_NE(storage_, nullptr) << GetParam().name << ": Open() returned no storage";
  }

  void TearDown() override {
    storage_.reset();
    home_.reset();
  }

  // Closes the current handle and opens the same place again, as a
  // restarted process would.
  void Reopen() {
    storage_.reset();
    storage_ = home_->Open();
    ASSERT_NE(storage_, nullptr);
  }

  internal::Storage& storage() { return *storage_; }
  StorageHome& home() { return *home_; }

 private:
  std::unique_ptr<StorageHome> home_;
  std::unique_ptr<internal::Storage> storage_;
};

// A blob of `size` bytes starting with `head`, then letters.
inline std::string FillerBlob(std::string_view head, size_t size) {
  std::string blob(head);
  while (blob.size() < size) blob += static_cast<char>('a' + blob.size() % 26);
  blob.resize(size);
  return blob;
}

// A write of nothing but a root CAS.
inline internal::StorageWrite Cas(std::string name, uint64_t expected_rev,
                                  std::optional<std::string> value) {
  internal::StorageWrite w;
  w.cas = internal::RootCas{std::move(name), expected_rev, std::move(value)};
  return w;
}

}  // namespace strata::testing

#endif  // STRATA_STORAGE_STORAGE_CONFORMANCE_H_
