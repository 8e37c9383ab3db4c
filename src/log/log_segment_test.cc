// Log segments, log directories and the root's :log-index: round trips,
// LZ4 on repetitive entries, and damage (every truncation, every flipped
// bit, well-sealed nonsense) detected as a fault that names the blob.
#include "log/log_segment.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "core/value_codec.h"
#include "storage/storage.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::DecodeLogDirectory;
using internal::DecodeLogIndexPointer;
using internal::DecodeLogSegment;
using internal::EncodeLogDirectory;
using internal::EncodeLogIndexPointer;
using internal::EncodeLogSegment;
using internal::LogIndexPointer;
using internal::LogSegment;
using internal::LogSegmentRef;

// Transaction t: n datoms of every value type in turn.
LogEntry Entry(int64_t t, int n) {
  LogEntry e;
  e.t = t;
  constexpr size_t kValues = std::size(kEveryValueEdn);
  for (int i = 0; i < n; ++i) {
    const char* edn = kEveryValueEdn[static_cast<size_t>(t + i) % kValues];
    e.data.push_back(Datom{MakeEntityId(kPartUser, t * 10 + i), 72 + i % 3, ReadKeepingTags(edn),
                           TxFromT(t), i % 4 != 1});
  }
  return e;
}

// Transactions 1000, 1003, 1006...: `count` of them.
std::vector<LogEntry> Entries(int count) {
  std::vector<LogEntry> entries;
  for (int i = 0; i < count; ++i) entries.push_back(Entry(1000 + 3 * i, 1 + i % 5));
  return entries;
}

void ExpectSameEntries(const std::vector<LogEntry>& got, const std::vector<LogEntry>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].t, want[i].t);
    EXPECT_EQ(got[i].data, want[i].data) << "t " << want[i].t;
  }
}

// A blob of `magic` with a valid checksum over `body`.
std::string Sealed(std::string_view magic, std::string_view body) {
  std::string out;
  BeginFrame(magic, 1, &out);
  out.append(body);
  EndFrame(&out);
  return out;
}

// Every prefix and every one-bit change of `bytes` fails `decode` with a
// fault naming "blob x".
template <typename F>
void ExpectEveryDamageIsAFault(const std::string& bytes, F decode) {
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::optional<Anomaly> a = CatchAnomaly([&] { decode(bytes.substr(0, n)); });
    ASSERT_TRUE(IsAnomaly(a, Category::kFault, "")) << "truncated to " << n;
    EXPECT_NE(a->message().find("blob x"), std::string::npos) << a->message();
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      std::optional<Anomaly> a = CatchAnomaly([&] { decode(damaged); });
      ASSERT_TRUE(IsAnomaly(a, Category::kFault, "")) << "byte " << i << " bit " << bit;
      EXPECT_NE(a->message().find("blob x"), std::string::npos) << a->message();
    }
  }
}

TEST(LogSegmentTest, RoundTripsWholeAndInPart) {
  std::vector<LogEntry> entries = Entries(40);
  std::string bytes = EncodeLogSegment(entries);
  LogSegment all = DecodeLogSegment(bytes, "segment");
  EXPECT_EQ(all.first_t, 1000);
  EXPECT_EQ(all.last_t, 1000 + 3 * 39);
  EXPECT_EQ(all.count, 40);
  ExpectSameEntries(all.entries, entries);
  // Only the entries asked for, with the whole segment's figures.
  LogSegment part = DecodeLogSegment(bytes, "segment", 1010, 1031);
  EXPECT_EQ(part.count, 40);
  EXPECT_EQ(part.last_t, all.last_t);
  ExpectSameEntries(part.entries, std::vector<LogEntry>(entries.begin() + 4, entries.begin() + 11));
  EXPECT_TRUE(DecodeLogSegment(bytes, "segment", 2000, 3000).entries.empty());
  // One entry with no datoms is a segment too.
  LogEntry empty;
  empty.t = 0;
  LogSegment one = DecodeLogSegment(EncodeLogSegment({&empty, 1}), "segment");
  EXPECT_EQ(one.count, 1);
  ASSERT_EQ(one.entries.size(), 1u);
  EXPECT_TRUE(one.entries[0].data.empty());
}

TEST(LogSegmentTest, RepetitiveEntriesAreCompressed) {
  std::vector<LogEntry> entries;
  for (int i = 0; i < 200; ++i) {
    LogEntry e;
    e.t = 5000 + i;
    for (int j = 0; j < 4; ++j) {
      e.data.push_back(Datom{MakeEntityId(kPartUser, 100 + j), 72,
                             Value::String("the same long text in every transaction"), TxFromT(e.t),
                             true});
    }
    entries.push_back(std::move(e));
  }
  std::string bytes = EncodeLogSegment(entries);
  LogSegment back = DecodeLogSegment(bytes, "segment");
  ExpectSameEntries(back.entries, entries);
  EXPECT_LT(bytes.size() * 4, back.raw_bytes) << bytes.size() << " of " << back.raw_bytes;
}

TEST(LogSegmentTest, EveryTruncationAndEveryFlippedBitIsAFault) {
  ExpectEveryDamageIsAFault(EncodeLogSegment(Entries(6)),
                            [](std::string_view b) { DecodeLogSegment(b, "blob x"); });
  // Compressed, too.
  std::vector<LogEntry> same(30, Entry(7, 3));
  for (size_t i = 0; i < same.size(); ++i) same[i].t = 7 + static_cast<int64_t>(i);
  for (LogEntry& e : same) {
    for (Datom& d : e.data) d.tx = TxFromT(e.t);
  }
  std::string lz4 = EncodeLogSegment(same);
  ASSERT_EQ(lz4[6], 1) << "the entries are stored as LZ4";  // after magic, version, n
  ExpectEveryDamageIsAFault(lz4, [](std::string_view b) { DecodeLogSegment(b, "blob x"); });
}

TEST(LogSegmentTest, SealedNonsenseIsAFault) {
  std::string entry;  // t 5, no datoms, framed as a segment's entry
  entry.append("\x02\x05\x00", 3);
  std::string twice_t5 = entry + entry;
  // Well formed: n 1, a raw column of one entry.
  LogSegment one = DecodeLogSegment(Sealed("SLSG", std::string("\x01\x00\x03", 3) + entry), "x");
  ASSERT_EQ(one.entries.size(), 1u);
  EXPECT_EQ(one.entries[0].t, 5);
  for (const std::string& body : {
           std::string("\x00\x00\x00", 3),                // no entries
           std::string("\x02\x00\x06", 3) + twice_t5,     // t not increasing
           std::string("\x02\x00\x03", 3) + entry,        // fewer entries than n
           std::string("\x01\x00\x04", 3) + entry + "x",  // bytes after the last entry
           std::string("\x01\x02\x03", 3) + entry,        // unknown codec
           // LZ4 claiming a million bytes from a block of 2
           std::string("\x01\x01\xc0\x84\x3d\x02\x00\x00", 8),
           // LZ4 block that does not decompress to its size
           std::string("\x01\x01\x05\x02\x00\x00", 6),
           // an entry whose t is out of range
           std::string("\x01\x00\x0a\x09\xff\xff\xff\xff\xff\xff\xff\x7f\x00", 13),
       }) {
    std::string bytes = Sealed("SLSG", body);
    std::optional<Anomaly> a = CatchAnomaly([&] { DecodeLogSegment(bytes, "blob x"); });
    ASSERT_TRUE(IsAnomaly(a, Category::kFault, "")) << ::testing::PrintToString(body);
    EXPECT_NE(a->message().find("blob x"), std::string::npos) << a->message();
  }
}

// Any run of entries, t rising by any steps: the segment gives back each
// range of it, and the directory of any segments their refs.
RC_GTEST_PROP(LogSegmentPropertyTest, RangesOfASegmentAreRangesOfItsEntries, ()) {
  auto steps = *rc::gen::nonEmpty(
      rc::gen::container<std::vector<int64_t>>(rc::gen::inRange<int64_t>(1, 1000)));
  std::vector<LogEntry> entries;
  int64_t t = *rc::gen::inRange<int64_t>(0, 1'000'000);
  for (int64_t step : steps) {
    LogEntry e;
    e.t = t;
    auto texts = *rc::gen::container<std::vector<std::string>>(
        rc::gen::container<std::string>(rc::gen::inRange(' ', '~')));  // valid UTF-8
    for (const std::string& text : texts) {
      e.data.push_back(Datom{MakeEntityId(kPartUser, step), 72, Value::String(text), TxFromT(t),
                             text.size() % 2 == 0});
    }
    e.data.push_back(Datom{TxFromT(t), 50, Value::Instant(step), TxFromT(t), true});
    entries.push_back(std::move(e));
    t += step;
  }
  std::string bytes = EncodeLogSegment(entries);
  int64_t lo = *rc::gen::inRange<int64_t>(entries.front().t - 2, t + 2);
  int64_t hi = *rc::gen::inRange<int64_t>(entries.front().t - 2, t + 2);
  LogSegment segment = DecodeLogSegment(bytes, "segment", lo, hi);
  RC_ASSERT(segment.count == static_cast<int64_t>(entries.size()));
  RC_ASSERT(segment.first_t == entries.front().t);
  RC_ASSERT(segment.last_t == entries.back().t);
  std::vector<LogEntry> want;
  for (const LogEntry& e : entries) {
    if (e.t >= lo && e.t < hi) want.push_back(e);
  }
  RC_ASSERT(segment.entries.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    RC_ASSERT(segment.entries[i].t == want[i].t);
    RC_ASSERT(segment.entries[i].data == want[i].data);
  }
  std::vector<LogSegmentRef> refs;
  int64_t first = 0;
  for (int64_t step : steps) {
    int64_t count = step % 7 + 1;
    refs.push_back(LogSegmentRef{first, first + count - 1 + step, count, internal::NewBlobKey()});
    first += count + step;
  }
  RC_ASSERT(DecodeLogDirectory(EncodeLogDirectory(refs), "dir") == refs);
}

std::vector<LogSegmentRef> Refs() {
  return {{1, 4096, 4000, internal::NewBlobKey()},
          {4097, 4097, 1, internal::NewBlobKey()},
          {5000, 1'000'000'000, 4096, internal::NewBlobKey()}};
}

TEST(LogDirectoryTest, RoundTrips) {
  std::vector<LogSegmentRef> refs = Refs();
  std::string bytes = EncodeLogDirectory(refs);
  EXPECT_EQ(DecodeLogDirectory(bytes, "dir"), refs);
  EXPECT_LT(bytes.size(), 13 + refs.size() * 30);
}

TEST(LogDirectoryTest, EveryTruncationAndEveryFlippedBitIsAFault) {
  ExpectEveryDamageIsAFault(EncodeLogDirectory(Refs()),
                            [](std::string_view b) { DecodeLogDirectory(b, "blob x"); });
}

TEST(LogDirectoryTest, SealedNonsenseIsAFault) {
  std::string key(16, '\x07');
  // Well formed: one segment, t 5 to 5, one entry.
  std::vector<LogSegmentRef> one =
      DecodeLogDirectory(Sealed("SLDR", std::string("\x01\x05\x00\x01", 4) + key), "x");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].first_t, 5);
  EXPECT_EQ(one[0].last_t, 5);
  for (const std::string& body : {
           std::string("\x00", 1),                    // no segments
           std::string("\x01\x05\x00\x00", 4) + key,  // count 0
           std::string("\x01\x05\x01\x03", 4) + key,  // 3 entries in 2 t
           std::string("\x02\x05\x00\x01", 4) + key + std::string("\x05\x00\x01", 3) +
               key,                                                            // overlap
           std::string("\x02\x05\x00\x01", 4) + key,                           // fewer than n
           std::string("\x01\x05\x00\x01", 4) + key + "x",                     // bytes after
           std::string("\x01\x80\x80\x80\x80\x80\x80\x01\x00\x01", 10) + key,  // t 2^42
       }) {
    std::string bytes = Sealed("SLDR", body);
    std::optional<Anomaly> a = CatchAnomaly([&] { DecodeLogDirectory(bytes, "blob x"); });
    ASSERT_TRUE(IsAnomaly(a, Category::kFault, "")) << ::testing::PrintToString(body);
    EXPECT_NE(a->message().find("blob x"), std::string::npos) << a->message();
  }
}

TEST(LogIndexPointerTest, RoundTripsAndRejectsMalformedOnes) {
  LogIndexPointer p{1000, internal::NewBlobKey()};
  EXPECT_EQ(DecodeLogIndexPointer(EncodeLogIndexPointer(p), "root"), p);
  for (const char* bad : {"1", "{:t 1}", "{:dir #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"}",
                          "{:t -1 :dir #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"}",
                          "{:t \"1\" :dir #uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"}",
                          "{:t 1 :dir \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"}"}) {
    std::optional<Anomaly> a = CatchAnomaly([&] { DecodeLogIndexPointer(ReadEdn(bad), "root x"); });
    ASSERT_TRUE(IsAnomaly(a, Category::kFault, "")) << bad;
    EXPECT_NE(a->message().find("root x"), std::string::npos) << a->message();
  }
}

}  // namespace
}  // namespace strata::testing
