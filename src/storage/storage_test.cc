// Blob keys: version 7 UUIDs that say when they were made, unique, and
// ordered by time; keys of other versions carry no time.
#include "storage/storage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::BlobKeyTimeMs;
using internal::NewBlobKey;
using internal::NewBlobKeyAt;

std::string KeyBytes(const Uuid& key) { return std::string(key.bytes.begin(), key.bytes.end()); }

TEST(BlobKeyTest, AKeyTellsWhenItWasMade) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{1'763'800'000'123}, (int64_t{1} << 48) - 1}) {
    Uuid key = NewBlobKeyAt(ms);
    EXPECT_EQ(BlobKeyTimeMs(key), ms);
    // The RFC 9562 layout: version 7, variant 10.
    std::string text = key.ToString();
    EXPECT_EQ(text[14], '7') << text;
    EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
  }
  // The time, big-endian, in the first six bytes.
  EXPECT_EQ(NewBlobKeyAt(0x0123456789ab).ToString().substr(0, 13), "01234567-89ab");
}

TEST(BlobKeyTest, NewKeysAreMadeNow) {
  int64_t before = internal::UnixTimeMs();
  Uuid key = NewBlobKey();
  int64_t after = internal::UnixTimeMs();
  ASSERT_TRUE(BlobKeyTimeMs(key).has_value());
  EXPECT_GE(*BlobKeyTimeMs(key), before);
  EXPECT_LE(*BlobKeyTimeMs(key), after);
}

TEST(BlobKeyTest, KeysMadeInOneMillisecondAreDistinct) {
  std::set<std::string> keys;
  for (int i = 0; i < 20'000; ++i) keys.insert(KeyBytes(NewBlobKeyAt(1'000'000)));
  EXPECT_EQ(keys.size(), 20'000u);
}

TEST(BlobKeyTest, LaterKeysSortLater) {
  std::vector<std::string> keys;
  for (int64_t ms = 1'000; ms < 1'000'000'000; ms = ms * 3 + 1) {
    keys.push_back(KeyBytes(NewBlobKeyAt(ms)));
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST(BlobKeyTest, OtherKeysCarryNoTime) {
  Uuid v4;
  ASSERT_TRUE(Uuid::Parse("f81d4fae-7dec-41d0-a765-00a0c91e6bf6", &v4));
  EXPECT_EQ(BlobKeyTimeMs(v4), std::nullopt);
  EXPECT_EQ(BlobKeyTimeMs(Uuid{}), std::nullopt);  // nil
  Uuid other_variant;
  ASSERT_TRUE(Uuid::Parse("01234567-89ab-7def-c123-456789abcdef", &other_variant));
  EXPECT_EQ(BlobKeyTimeMs(other_variant), std::nullopt);
  Uuid v7;
  ASSERT_TRUE(Uuid::Parse("01234567-89ab-7def-8123-456789abcdef", &v7));
  EXPECT_EQ(BlobKeyTimeMs(v7), 0x0123456789ab);
}

TEST(BlobKeyTest, ATimeOutOfRangeIsAFault) {
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { NewBlobKeyAt(-1); }), Category::kFault, ""));
  EXPECT_TRUE(
      IsAnomaly(CatchAnomaly([] { NewBlobKeyAt(int64_t{1} << 48); }), Category::kFault, ""));
}

}  // namespace
}  // namespace strata::testing
