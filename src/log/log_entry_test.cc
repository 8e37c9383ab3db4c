// Log entries and the value codec: round trips of every value type, and
// damage (truncation, flipped bits, wrong version) detected as a fault that
// names the entry.
#include "log/log_entry.h"

#include <gtest/gtest.h>

#include "core/value_codec.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::DecodeLogEntry;
using internal::EncodeLogEntry;

TEST(ValueCodecTest, EveryTypeRoundTrips) {
  for (const char* edn : kEveryValueEdn) {
    Value v = ReadKeepingTags(edn);
    std::string bytes;
    EncodeValue(v, &bytes);
    ByteReader r(bytes, "test value");
    Value back = r.ReadValue();
    EXPECT_TRUE(r.done()) << edn;
    EXPECT_EQ(back, v) << edn;
    EXPECT_EQ(back.type(), v.type()) << edn;
    EXPECT_EQ(PrintEdn(back), PrintEdn(v)) << edn;
  }
  // Refs and tuples keep their types (they print as longs and vectors).
  for (const Value& v : {Value::Ref(17592186045418), Value::Tuple({L(1), S("x")})}) {
    std::string bytes;
    EncodeValue(v, &bytes);
    ByteReader r(bytes, "test value");
    EXPECT_EQ(r.ReadValue().type(), v.type());
  }
}

TEST(ValueCodecTest, MalformedBytesAreFaults) {
  for (std::string_view bad :
       {std::string_view("\x0a\x05"
                         "ab",
                         4),          // string past the end
        std::string_view("\x63", 1),  // unknown tag
        std::string_view("\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12),
        std::string_view("\x0b\x03"
                         "a b",
                         5),                              // invalid keyword
        std::string_view("\x15\x02\x03\x02\x03\x02", 6),  // duplicate set
        std::string_view("\x0a\x01\xff", 3)}) {           // not UTF-8
    std::optional<Anomaly> a = CatchAnomaly([&] {
      ByteReader r(bad, "test blob");
      r.ReadValue();
    });
    ASSERT_TRUE(IsAnomaly(a, Category::kFault, ""));
    EXPECT_NE(a->message().find("test blob"), std::string::npos) << a->message();
  }
}

// Found by the fuzz target: a big integer with no magnitude bytes, and
// magnitude bytes with the high bit set, decode to the right numbers.
TEST(ValueCodecTest, BigIntegerEdgeEncodings) {
  ByteReader empty(std::string_view("\x05\x00\x00", 3), "test");
  EXPECT_EQ(empty.ReadValue(), Value::BigInt("0"));
  ByteReader high(std::string_view("\x05\x01\x02\xff\x80", 5), "test");
  EXPECT_EQ(high.ReadValue(), Value::BigInt("-33023"));
}

LogEntry SampleEntry() {
  LogEntry entry;
  entry.t = 1234;
  EntityId tx = TxFromT(entry.t);
  int i = 0;
  for (const char* edn : kEveryValueEdn) {
    entry.data.push_back(
        Datom{MakeEntityId(kPartUser, 1000 + i), 50 + i, ReadKeepingTags(edn), tx, i % 3 != 0});
    ++i;
  }
  return entry;
}

TEST(LogEntryTest, RoundTrips) {
  LogEntry entry = SampleEntry();
  LogEntry back = DecodeLogEntry(EncodeLogEntry(entry), "log entry 1234");
  EXPECT_EQ(back.t, entry.t);
  EXPECT_EQ(back.data, entry.data);
  LogEntry empty;
  empty.t = 7;
  EXPECT_TRUE(DecodeLogEntry(EncodeLogEntry(empty), "empty").data.empty());
}

TEST(LogEntryTest, EveryTruncationAndEveryFlippedBitIsAFault) {
  std::string bytes = EncodeLogEntry(SampleEntry());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { DecodeLogEntry(bytes.substr(0, n), "entry"); }),
                          Category::kFault, ""))
        << "truncated to " << n;
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      std::optional<Anomaly> a = CatchAnomaly([&] { DecodeLogEntry(damaged, "log entry x"); });
      ASSERT_TRUE(IsAnomaly(a, Category::kFault, "")) << "byte " << i << " bit " << bit;
      EXPECT_NE(a->message().find("log entry x"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace strata::testing
