// Database URIs: the three forms, percent-decoding, and an anomaly that
// says what to write for every malformed one.
#include "peer/uri.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::DbUri;
using internal::ParseDbUri;
using internal::StorageKind;

TEST(DbUriTest, MemNamesADatabaseInThisProcess) {
  DbUri uri = ParseDbUri("strata:mem://orders-2024_v1.2");
  EXPECT_EQ(uri.kind, StorageKind::kMem);
  EXPECT_EQ(uri.name, "orders-2024_v1.2");
  EXPECT_EQ(uri.location, "");
}

TEST(DbUriTest, LmdbDirectoriesAreMadeAbsoluteAndNormal) {
  DbUri abs = ParseDbUri("strata:lmdb://app?dir=/var/lib/strata/");
  EXPECT_EQ(abs.kind, StorageKind::kLmdb);
  EXPECT_EQ(abs.name, "app");
  EXPECT_EQ(abs.location, "/var/lib/strata");
  DbUri rel = ParseDbUri("strata:lmdb://app?dir=data/./x/../y");
  EXPECT_EQ(rel.location, (std::filesystem::current_path() / "data/y").string());
  // Percent-encoded: a space and a '?' in the path.
  EXPECT_EQ(ParseDbUri("strata:lmdb://app?dir=/tmp/my%20dir%3Fq").location, "/tmp/my dir?q");
}

TEST(DbUriTest, PostgresCarriesADecodedConnectionString) {
  DbUri uri = ParseDbUri("strata:postgres://app?host%3D%2Ftmp%2Fpg%20dbname%3Dstrata%20user%3Dme");
  EXPECT_EQ(uri.kind, StorageKind::kPostgres);
  EXPECT_EQ(uri.name, "app");
  EXPECT_EQ(uri.location, "host=/tmp/pg dbname=strata user=me");
  EXPECT_EQ(ParseDbUri("strata:postgres://app?postgresql%3A%2F%2Fme%40db%2Fstrata").location,
            "postgresql://me@db/strata");
}

TEST(DbUriTest, APatternNameIsAllowedOnlyWhenAsked) {
  EXPECT_EQ(ParseDbUri("strata:lmdb://*?dir=/d", true).name, "*");
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { ParseDbUri("strata:lmdb://*?dir=/d"); }),
                        Category::kIncorrect, "db.error/invalid-db-uri"));
}

TEST(DbUriTest, MalformedUrisSayWhatToWrite) {
  for (const char* bad : {
           "",
           "orders",
           "strata:mem:orders",
           "strata:mem://",
           "strata:mem://a/b",
           "strata:mem://has space",
           "strata:mem://x?dir=/tmp",
           "strata:lmdb://x",
           "strata:lmdb://x?",
           "strata:lmdb://x?dir=",
           "strata:lmdb://x?dir=/a&dir=/b",
           "strata:lmdb://x?directory=/a",
           "strata:lmdb://x?dir=%zz",
           "strata:lmdb://x?dir=%2",
           "strata:lmdb://x?dir=%00",
           "strata:postgres://x",
           "strata:postgres://x?",
       }) {
    std::optional<Anomaly> a = CatchAnomaly([&] { ParseDbUri(bad); });
    EXPECT_TRUE(IsAnomaly(a, Category::kIncorrect, "db.error/invalid-db-uri")) << bad;
    if (a) {
      EXPECT_NE(a->message().find("strata:"), std::string::npos) << a->message();
      Value map = a->ToValue();
      const Value* uri = map.Get(K("uri"));
      ASSERT_NE(uri, nullptr);
      EXPECT_EQ(*uri, S(bad));
    }
  }
  std::string long_name = "strata:mem://" + std::string(129, 'n');
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { ParseDbUri(long_name); }), Category::kIncorrect,
                        "db.error/invalid-db-uri"));
  EXPECT_EQ(ParseDbUri("strata:mem://" + std::string(128, 'n')).name.size(), 128u);
}

TEST(DbUriTest, UnknownStoragesAreUnsupported) {
  for (const char* bad : {"datomic:mem://x", "strata:redis://x", "strata:://x", "http://x"}) {
    EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { ParseDbUri(bad); }), Category::kIncorrect,
                          "db.error/unsupported-protocol"))
        << bad;
  }
}

}  // namespace
}  // namespace strata::testing
