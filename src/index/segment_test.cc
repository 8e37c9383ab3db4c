// Leaf segments: round trips of every value type in every index order, of
// empty, one-datom and large leaves, of random sorted datoms (a property
// test); sizes on generated people; and damage of every kind (every flipped
// bit, every truncation, hand-built leaves that are wrong past a valid
// checksum) detected as a fault naming the segment. Directory segments: the
// same round trips and damage, and DecodeSegment telling the kinds apart.
#include "index/segment.h"

#include <gtest/gtest.h>
#include <lz4.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "core/value_codec.h"
#include "index/datom_order.h"
#include "testing/test_util.h"

namespace strata {

// Lets rapidcheck show Values in counterexamples (it finds showValue by
// this exact name).
[[maybe_unused]] static void showValue(  // NOLINT(readability-identifier-naming)
    const Value& value, std::ostream& os) {
  os << PrintEdn(value);
}

namespace testing {
namespace {

using namespace std::string_literals;

using internal::ChildRef;
using internal::CompareDatoms;
using internal::DecodeDirectory;
using internal::DecodeLeaf;
using internal::DecodeSegment;
using internal::Directory;
using internal::EncodeDirectory;
using internal::EncodeLeaf;
using internal::Leaf;
using internal::SegmentKind;

using internal::IndexName;
using internal::kIndexes;

std::string Encoding(const Value& v) {
  std::string out;
  EncodeValue(v, &out);
  return out;
}

// Success if `back` holds exactly `datoms`: equal, and every value of the
// same representation (a ref stays a ref, a tuple a tuple, at any depth).
::testing::AssertionResult SameDatoms(const std::vector<Datom>& datoms,
                                      const std::vector<Datom>& back) {
  if (back.size() != datoms.size()) {
    return ::testing::AssertionFailure() << back.size() << " datoms, wanted " << datoms.size();
  }
  for (size_t i = 0; i < datoms.size(); ++i) {
    if (!(back[i] == datoms[i]) || Encoding(back[i].v) != Encoding(datoms[i].v)) {
      return ::testing::AssertionFailure()
             << "datom " << i << ": " << ToString(back[i]) << ", wanted " << ToString(datoms[i]);
    }
  }
  return ::testing::AssertionSuccess();
}

Leaf RoundTrip(Index index, const std::vector<Datom>& datoms) {
  return DecodeLeaf(EncodeLeaf(index, datoms), "test leaf");
}

// One value of every type, and a few of each numeric kind.
std::vector<Value> EveryType() {
  std::vector<Value> values;
  for (const char* edn : kEveryValueEdn) values.push_back(ReadKeepingTags(edn));
  values.push_back(K("person.status/active"));
  for (int64_t n : {int64_t{0}, int64_t{17592186045418}, std::numeric_limits<int64_t>::max()}) {
    values.push_back(Value::Ref(n));
  }
  values.push_back(Value::Instant(std::numeric_limits<int64_t>::min()));
  values.push_back(Value::Tuple({Value::Ref(5), L(5), S("x"), K("a/b")}));
  values.push_back(Value::Tuple({L(5), Value::Ref(5)}));
  return values;
}

// Datoms over every type, with several datoms per entity, attribute and
// value, and both assertions and retractions.
std::vector<Datom> EveryTypeDatoms() {
  std::vector<Value> values = EveryType();
  std::vector<Datom> datoms;
  for (size_t i = 0; i < values.size(); ++i) {
    auto n = static_cast<int64_t>(i);
    for (int64_t k = 0; k < 3; ++k) {
      datoms.push_back(Datom{MakeEntityId(kPartUser, 1000 + (n + k) % 7), 50 + (n * k) % 5,
                             values[i], TxFromT(100 + (n + k) % 4), (n + k) % 3 != 0});
    }
  }
  // The extremes of every number column.
  datoms.push_back(Datom{std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max(),
                         L(1), (int64_t{1} << 62) - 1, true});
  datoms.push_back(Datom{0, 0, L(-1), 0, false});
  return datoms;
}

TEST(SegmentTest, EveryValueTypeRoundTripsInEveryOrder) {
  for (Index index : kIndexes) {
    std::vector<Datom> datoms = Sorted(index, EveryTypeDatoms());
    Leaf leaf = RoundTrip(index, datoms);
    EXPECT_EQ(leaf.index, index);
    EXPECT_TRUE(SameDatoms(datoms, leaf.datoms)) << IndexName(index);
  }
}

TEST(SegmentTest, EmptyAndOneDatomLeaves) {
  for (Index index : kIndexes) {
    Leaf empty = RoundTrip(index, {});
    EXPECT_EQ(empty.index, index);
    EXPECT_TRUE(empty.datoms.empty());
    for (const Value& v : EveryType()) {
      std::vector<Datom> one = {Datom{MakeEntityId(kPartUser, 7), 72, v, TxFromT(9), true}};
      Leaf leaf = RoundTrip(index, one);
      EXPECT_EQ(leaf.index, index);
      EXPECT_TRUE(SameDatoms(one, leaf.datoms)) << PrintEdn(v);
    }
  }
}

TEST(SegmentTest, RetractionsRoundTrip) {
  std::vector<Datom> datoms;
  for (int64_t i = 0; i < 100; ++i) {
    // A fact asserted, retracted, asserted again: the history part's shape.
    for (int64_t t = 0; t < 3; ++t) {
      datoms.push_back(
          Datom{MakeEntityId(kPartUser, i), 72 + i % 3, L(i % 10), TxFromT(10 + t), t != 1});
    }
  }
  for (Index index : kIndexes) {
    std::vector<Datom> sorted = Sorted(index, datoms);
    ASSERT_EQ(sorted.size(), 300u);
    EXPECT_TRUE(SameDatoms(sorted, RoundTrip(index, sorted).datoms)) << IndexName(index);
  }
  // Only retractions, and counts that do not fill the last flag byte.
  for (size_t n : {1, 7, 8, 9, 15, 17}) {
    std::vector<Datom> retracted(datoms.begin(), datoms.begin() + static_cast<ptrdiff_t>(n));
    for (Datom& d : retracted) d.added = false;
    retracted = Sorted(Index::kEavt, retracted);
    EXPECT_TRUE(SameDatoms(retracted, RoundTrip(Index::kEavt, retracted).datoms)) << n;
  }
}

// Attribute ids of the generated people.
constexpr EntityId kTxInstant = 50;
constexpr EntityId kName = 72;
constexpr EntityId kAge = 73;
constexpr EntityId kEmail = 74;
constexpr EntityId kStatus = 75;
constexpr EntityId kFriend = 76;

// About `count` datoms of people, as a transactor writes them: 50 people a
// transaction, each with a name, an email, an age, a status keyword and up
// to three friends (refs); each transaction with its :db/txInstant.
std::vector<Datom> People(size_t count, uint32_t seed) {
  static const char* const kFirst[] = {
      "Alice",   "Bob",  "Carol",  "Dave",  "Erin",   "Frank", "Grace", "Heidi", "Ivan",   "Judy",
      "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Uma",   "Victor", "Wendy"};
  static const char* const kLast[] = {"Smith",  "Johnson", "Williams", "Brown",  "Jones",
                                      "Garcia", "Miller",  "Davis",    "Wilson", "Moore",
                                      "Taylor", "Clark",   "Lewis",    "Walker", "Young"};
  static const char* const kStatuses[] = {"person.status/active", "person.status/away",
                                          "person.status/gone"};
  std::mt19937 rng(seed);
  auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<Datom> datoms;
  int64_t people = 0;
  while (datoms.size() < count) {
    int64_t t = 1000 + people / 50;
    EntityId tx = TxFromT(t);
    if (people % 50 == 0) {
      datoms.push_back(Datom{
          tx, kTxInstant,
          Value::Instant(1700000000000 + t * 1000 + static_cast<int64_t>(pick(1000))), tx, true});
    }
    EntityId e = MakeEntityId(kPartUser, 1 + people);
    std::string first = kFirst[pick(std::size(kFirst))];
    std::string last = kLast[pick(std::size(kLast))];
    datoms.push_back(Datom{e, kName, S(first + " " + last), tx, true});
    std::string email = first + "." + last + std::to_string(people) + "@example.com";
    std::transform(email.begin(), email.end(), email.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    datoms.push_back(Datom{e, kEmail, S(email), tx, true});
    datoms.push_back(Datom{e, kAge, L(18 + static_cast<int64_t>(pick(70))), tx, true});
    datoms.push_back(Datom{e, kStatus, K(kStatuses[pick(3)]), tx, true});
    if (people > 0) {
      for (size_t k = pick(4); k > 0; --k) {
        auto other = static_cast<int64_t>(pick(static_cast<size_t>(people)));
        datoms.push_back(
            Datom{e, kFriend, Value::Ref(MakeEntityId(kPartUser, 1 + other)), tx, true});
      }
    }
    ++people;
  }
  datoms.resize(count);
  return datoms;
}

TEST(SegmentTest, TwentyThousandDatomsRoundTripInEveryOrder) {
  std::vector<Datom> people = People(20000, 1);
  for (Index index : kIndexes) {
    std::vector<Datom> datoms = people;
    if (index == Index::kVaet) {
      std::erase_if(datoms, [](const Datom& d) { return !d.v.is_ref(); });
    }
    datoms = Sorted(index, datoms);
    EXPECT_TRUE(SameDatoms(datoms, RoundTrip(index, datoms).datoms)) << IndexName(index);
  }
}

// Sizes, not times: bytes per datom of a leaf of 10,000 people datoms in
// each order (VAET: the refs among them), printed for docs/segments.md and
// held to the format's aim of at most 8 bytes a datom.
TEST(SegmentTest, BytesPerDatomOfPeople) {
  std::vector<Datom> people = People(10000, 2);
  size_t log_bytes = 0;
  for (const Datom& d : people) {
    // What a log entry spends: e, a, added and the value (log_entry.h).
    std::string bytes;
    PutVarint(static_cast<uint64_t>(d.e), &bytes);
    PutVarint(static_cast<uint64_t>(d.a), &bytes);
    EncodeValue(d.v, &bytes);
    log_bytes += bytes.size() + 1;
  }
  std::printf("[ segment ] 10000 people datoms; as in a log entry: %.2f bytes/datom\n",
              static_cast<double>(log_bytes) / 10000.0);
  for (Index index : kIndexes) {
    std::vector<Datom> datoms = people;
    if (index == Index::kVaet) {
      std::erase_if(datoms, [](const Datom& d) { return !d.v.is_ref(); });
    }
    datoms = Sorted(index, datoms);
    std::string bytes = EncodeLeaf(index, datoms);
    double per_datom = static_cast<double>(bytes.size()) / static_cast<double>(datoms.size());
    std::printf("[ segment ] %s: %zu datoms, %zu bytes, %.2f bytes/datom\n",
                std::string(IndexName(index)).c_str(), datoms.size(), bytes.size(), per_datom);
    EXPECT_LE(per_datom, 8.0) << IndexName(index);
  }
}

// ---- Damage

// The checksum recomputed over damaged bytes, as a writer would have: the
// way to reach the parsers behind the frame.
std::string Reseal(std::string bytes) {
  bytes.resize(bytes.size() - 8);
  EndFrame(&bytes);
  return bytes;
}

::testing::AssertionResult IsFault(std::string_view bytes, std::string_view expected_problem = "") {
  std::optional<Anomaly> a = CatchAnomaly([&] { DecodeLeaf(bytes, "segment 5f3e"); });
  ::testing::AssertionResult r = IsAnomaly(a, Category::kFault, "");
  if (!r) return r;
  if (a->message().find("segment 5f3e") == std::string::npos) {
    return ::testing::AssertionFailure()
           << "the message does not name the segment: " << a->message();
  }
  if (a->message().find(expected_problem) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "wanted \"" << expected_problem << "\" in " << a->message();
  }
  return ::testing::AssertionSuccess() << a->message();
}

std::vector<Datom> SmallLeafDatoms() {
  return Sorted(
      Index::kEavt,
      {Datom{MakeEntityId(kPartUser, 1), kName, S("Alice Smith"), TxFromT(5), true},
       Datom{MakeEntityId(kPartUser, 1), kAge, L(31), TxFromT(5), true},
       Datom{MakeEntityId(kPartUser, 1), kAge, L(30), TxFromT(6), false},
       Datom{MakeEntityId(kPartUser, 1), kStatus, K("person.status/away"), TxFromT(6), true},
       Datom{MakeEntityId(kPartUser, 2), kFriend, Value::Ref(MakeEntityId(kPartUser, 1)),
             TxFromT(6), true},
       Datom{MakeEntityId(kPartUser, 2), kFriend, Value::Ref(MakeEntityId(kPartUser, 3)),
             TxFromT(6), true},
       Datom{TxFromT(6), kTxInstant, Value::Instant(1700000000000), TxFromT(6), true},
       Datom{TxFromT(6), 77, Value::Tuple({L(1), S("x")}), TxFromT(6), true}});
}

// Every flipped bit of `bytes` is a fault to `is_fault`.
template <typename IsFaultFn>
void ExpectEveryFlippedBitIsAFault(const std::string& bytes, IsFaultFn is_fault) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      ASSERT_TRUE(is_fault(damaged)) << "byte " << i << " bit " << bit;
    }
  }
}

// Every truncation of `bytes` is a fault to `is_fault`, and so is every
// truncation of its body behind a valid checksum (the parsers must find the
// end).
template <typename IsFaultFn>
void ExpectEveryTruncationIsAFault(const std::string& bytes, IsFaultFn is_fault) {
  for (size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_TRUE(is_fault(bytes.substr(0, n))) << "truncated to " << n;
  }
  for (size_t n = 5; n < bytes.size() - 8; ++n) {
    ASSERT_TRUE(is_fault(Reseal(bytes.substr(0, n) + std::string(8, '\0'))))
        << "body truncated to " << n;
  }
}

TEST(SegmentTest, EveryFlippedBitIsAFault) {
  ExpectEveryFlippedBitIsAFault(EncodeLeaf(Index::kEavt, SmallLeafDatoms()),
                                [](std::string_view b) { return IsFault(b); });
}

TEST(SegmentTest, EveryTruncationIsAFault) {
  ExpectEveryTruncationIsAFault(EncodeLeaf(Index::kEavt, SmallLeafDatoms()),
                                [](std::string_view b) { return IsFault(b); });
}

// Past a valid checksum, every flipped bit of the body is still either a
// fault or a leaf whose datoms are in order; never a crash.
TEST(SegmentTest, EveryFlippedBitBehindAValidChecksumIsAFaultOrALeafInOrder) {
  std::string bytes = EncodeLeaf(Index::kEavt, SmallLeafDatoms());
  int faults = 0;
  for (size_t i = 5; i < bytes.size() - 8; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      damaged = Reseal(damaged);
      std::optional<Leaf> leaf;
      std::optional<Anomaly> a = CatchAnomaly([&] { leaf = DecodeLeaf(damaged, "segment 5f3e"); });
      if (a) {
        ASSERT_TRUE(IsFault(damaged)) << "byte " << i << " bit " << bit;
        ++faults;
        continue;
      }
      for (size_t k = 1; k < leaf->datoms.size(); ++k) {
        ASSERT_LT(CompareDatoms(leaf->index, leaf->datoms[k - 1], leaf->datoms[k]), 0);
      }
    }
  }
  EXPECT_GT(faults, 0);
}

// Hand-built leaves: the format as segment.h draws it, so these also check
// that the drawing and the code agree.
std::string Varints(std::initializer_list<uint64_t> numbers) {
  std::string out;
  for (uint64_t n : numbers) PutVarint(n, &out);
  return out;
}
std::string RawColumn(std::string_view raw) {
  std::string out(1, '\0');
  PutVarint(raw.size(), &out);
  out.append(raw);
  return out;
}
std::string Lz4Column(std::string_view raw, uint64_t claimed_size) {
  std::string block(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))), '\0');
  int n = LZ4_compress_default(raw.data(), block.data(), static_cast<int>(raw.size()),
                               static_cast<int>(block.size()));
  block.resize(static_cast<size_t>(n));
  std::string out(1, '\1');
  PutVarint(claimed_size, &out);
  PutVarint(block.size(), &out);
  return out + block;
}

// The columns of a two-datom EAVT leaf:
//   [e1 72 "ab" tx5 true] [e1 73 7 tx5 false]
struct HandLeaf {
  uint8_t kind = 1;
  uint8_t index = 0;
  uint64_t n = 2;
  std::string e = RawColumn("\0"s + Varints({ZigZag(MakeEntityId(kPartUser, 1)), 0}));
  std::string a = RawColumn("\1" + Varints({ZigZag(72), 0, ZigZag(1), 0}));
  std::string tx = RawColumn("\1" + Varints({ZigZag(TxFromT(5)), 1}));
  std::string added = RawColumn("\x01");
  std::string kinds = RawColumn("\0\1"s);
  std::string numbers = RawColumn(Varints({ZigZag(7)}));
  std::string values = RawColumn(Encoding(S("ab")));
  std::string trailer;

  std::string Bytes() const {
    std::string out;
    BeginFrame("SSEG", 1, &out);
    out.push_back(static_cast<char>(kind));
    out.push_back(static_cast<char>(index));
    PutVarint(n, &out);
    out += e + a + tx + added + kinds + numbers + values + trailer;
    EndFrame(&out);
    return out;
  }
};

TEST(SegmentTest, AHandBuiltLeafDecodes) {
  Leaf leaf = DecodeLeaf(HandLeaf().Bytes(), "hand leaf");
  EXPECT_EQ(leaf.index, Index::kEavt);
  EXPECT_TRUE(SameDatoms({Datom{MakeEntityId(kPartUser, 1), 72, S("ab"), TxFromT(5), true},
                          Datom{MakeEntityId(kPartUser, 1), 73, L(7), TxFromT(5), false}},
                         leaf.datoms));
  // Every column compressed decodes the same.
  HandLeaf compressed;
  for (std::string* column : {&compressed.e, &compressed.a, &compressed.tx, &compressed.added,
                              &compressed.kinds, &compressed.numbers, &compressed.values}) {
    std::string raw = column->substr(2);  // every column here is shorter than 128 bytes
    *column = Lz4Column(raw, raw.size());
  }
  EXPECT_TRUE(SameDatoms(leaf.datoms, DecodeLeaf(compressed.Bytes(), "hand leaf").datoms));
}

TEST(SegmentTest, DamageBehindAValidChecksumIsAFault) {
  struct Case {
    const char* problem;
    void (*damage)(HandLeaf*);
  };
  const Case cases[] = {
      {"not a leaf segment", [](HandLeaf* l) { l->kind = 2; }},
      {"not a leaf segment", [](HandLeaf* l) { l->kind = 0; }},
      {"an unknown index 4", [](HandLeaf* l) { l->index = 4; }},
      {"an unknown index", [](HandLeaf* l) { l->index = 255; }},
      {"a count of", [](HandLeaf* l) { l->n = std::numeric_limits<uint64_t>::max(); }},
      {"a count of", [](HandLeaf* l) { l->n = uint64_t{1} << 40; }},
      {"the datom count needs", [](HandLeaf* l) { l->n = 3; }},
      {"the datom count needs", [](HandLeaf* l) { l->n = 1; }},
      {"the datom count needs", [](HandLeaf* l) { l->kinds = RawColumn("\1"); }},
      {"the datom count needs", [](HandLeaf* l) { l->added = RawColumn("\1\0"s); }},
      {"past the end", [](HandLeaf* l) { l->values = "\0\x7f"s + Encoding(S("ab")); }},
      {"past the end", [](HandLeaf* l) { l->values = "\1\x05\x7f"s + Encoding(S("ab")); }},
      {"unexpected end", [](HandLeaf* l) { l->values.clear(); }},
      {"bytes after the last column", [](HandLeaf* l) { l->trailer = "x"; }},
      {"an unknown codec 2", [](HandLeaf* l) { l->tx[0] = 2; }},
      // LZ4: garbage, a size that is not the block's, a size no block holds.
      {"does not decompress", [](HandLeaf* l) { l->values = "\1\x04\x03\xff\xff\xff"s; }},
      {"does not decompress", [](HandLeaf* l) { l->values = Lz4Column(std::string(40, 'a'), 41); }},
      {"does not decompress", [](HandLeaf* l) { l->values = Lz4Column(std::string(40, 'a'), 39); }},
      {"bytes from an LZ4 block of",
       [](HandLeaf* l) { l->values = Lz4Column(std::string(40, 'a'), 10000); }},
      {"bytes from an LZ4 block of",
       [](HandLeaf* l) {
         l->values = "\1" + Varints({uint64_t{1} << 62, 1}) + "\0"s;
       }},
      // Number columns.
      {"an unknown layout 2", [](HandLeaf* l) { l->a = RawColumn("\2"); }},
      {"a run past the last datom",
       [](HandLeaf* l) {
         l->tx = RawColumn("\1" + Varints({10, 2}));
       }},
      {"a run past the last datom",
       [](HandLeaf* l) {
         l->tx = RawColumn("\1" + Varints({10, ~uint64_t{0}}));
       }},
      {"unexpected end",
       [](HandLeaf* l) {
         l->tx = RawColumn("\1" + Varints({10, 0}));
       }},
      {"unexpected end", [](HandLeaf* l) { l->e = RawColumn("\0"s + Varints({10})); }},
      {"bytes after the last datom",
       [](HandLeaf* l) {
         l->e = RawColumn("\0"s + Varints({10, 0, 0}));
       }},
      {"a negative entity id",
       [](HandLeaf* l) {
         l->e = RawColumn("\0"s + Varints({ZigZag(-1), 0}));
       }},
      {"a negative attribute id",
       [](HandLeaf* l) {
         l->a = RawColumn("\0"s + Varints({4, ZigZag(-3)}));
       }},
      {"a tx out of range",
       [](HandLeaf* l) {
         l->tx = RawColumn("\1" + Varints({ZigZag(int64_t{1} << 62), 1}));
       }},
      {"a varint longer than 10 bytes",
       [](HandLeaf* l) { l->e = RawColumn("\0"s + std::string(11, '\xff')); }},
      // Flags and values.
      {"flags set past the last datom", [](HandLeaf* l) { l->added = RawColumn("\x05"); }},
      {"an unknown value kind 5", [](HandLeaf* l) { l->kinds = RawColumn("\0\5"s); }},
      {"the first value repeats", [](HandLeaf* l) { l->kinds = RawColumn("\4\1"s); }},
      {"bytes after the last number",
       [](HandLeaf* l) {
         l->numbers = RawColumn(Varints({7, 7}));
       }},
      {"bytes after the last value",
       [](HandLeaf* l) { l->values = RawColumn(Encoding(S("ab")) + "\0"s); }},
      {"unknown value tag", [](HandLeaf* l) { l->values = RawColumn("\x63"); }},
      // Order: the same datom twice, datoms swapped, a leaf in another order.
      {"does not follow datom 0 in EAVT order",
       [](HandLeaf* l) {
         l->a = RawColumn("\0"s + Varints({ZigZag(72), 0}));
         l->added = RawColumn("\x03");
         l->kinds = RawColumn("\0\4"s);
         l->numbers = RawColumn("");
       }},
      {"does not follow datom 0 in EAVT order",
       [](HandLeaf* l) {
         l->a = RawColumn("\0"s + Varints({ZigZag(73), ZigZag(-1)}));
       }},
      {"in VAET order", [](HandLeaf* l) { l->index = 3; }},
  };
  for (const Case& c : cases) {
    HandLeaf leaf;
    c.damage(&leaf);
    EXPECT_TRUE(IsFault(leaf.Bytes(), c.problem)) << c.problem;
  }
}

TEST(SegmentTest, ALeafInOneOrderLabelledAnotherIsAFault) {
  std::vector<Datom> datoms = Sorted(Index::kEavt, People(500, 3));
  std::string bytes = EncodeLeaf(Index::kEavt, datoms);
  for (uint8_t index : {1, 2, 3}) {
    std::string relabelled = bytes;
    relabelled[6] = static_cast<char>(index);
    EXPECT_TRUE(IsFault(Reseal(relabelled), "order")) << int{index};
  }
}

// ---- Property

rc::Gen<Value> GenDatomValue() {
  using rc::gen::map;
  return rc::gen::oneOf(
      map(rc::gen::inRange<int64_t>(-3, 4), [](int64_t n) { return Value::Long(n); }),
      map(rc::gen::arbitrary<int64_t>(), [](int64_t n) { return Value::Long(n); }),
      map(rc::gen::inRange<int64_t>(0, 5), [](int64_t n) { return Value::Ref(n); }),
      map(rc::gen::arbitrary<int64_t>(), [](int64_t n) { return Value::Instant(n); }),
      map(rc::gen::arbitrary<double>(), [](double d) { return Value::Double(d); }),
      map(rc::gen::container<std::vector<std::string>>(
              rc::gen::element<std::string>("a", "b", " ", "é")),
          [](const std::vector<std::string>& parts) {
            std::string s;
            for (const std::string& part : parts) s += part;
            return Value::String(s);
          }),
      map(rc::gen::element<std::string>("a", "b/c", "person.status/active"),
          [](const std::string& k) { return Value::Keyword(k); }),
      map(rc::gen::arbitrary<bool>(), [](bool b) { return Value::Boolean(b); }),
      map(rc::gen::inRange<int64_t>(-2, 3), [](int64_t n) { return Value::BigInt(n); }),
      map(rc::gen::inRange<int32_t>(-2, 3), [](int32_t s) { return Value::BigDec("15", s); }),
      map(rc::gen::pair(rc::gen::inRange<int64_t>(0, 3), rc::gen::arbitrary<bool>()),
          [](const std::pair<int64_t, bool>& p) {
            // A tuple holding a ref or a long: equal Values, distinct encodings.
            return Value::Tuple(
                {p.second ? Value::Ref(p.first) : Value::Long(p.first), Value::String("t")});
          }));
}

RC_GTEST_PROP(SegmentPropertyTest, RandomSortedDatomsRoundTrip, ()) {
  const Index index = *rc::gen::element(Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet);
  const size_t count = *rc::gen::inRange<size_t>(0, 300);
  // Small ranges, so that entities, attributes, values and txs repeat.
  const int64_t e_range = *rc::gen::element<int64_t>(1, 4, 1000, int64_t{1} << 50);
  std::vector<Datom> datoms;
  for (size_t i = 0; i < count; ++i) {
    Datom d;
    d.e = *rc::gen::inRange<int64_t>(0, e_range);
    d.a = *rc::gen::inRange<int64_t>(0, 6);
    d.v = *GenDatomValue();
    d.tx = TxFromT(*rc::gen::inRange<int64_t>(0, 20));
    d.added = *rc::gen::arbitrary<bool>();
    datoms.push_back(std::move(d));
  }
  datoms = Sorted(index, std::move(datoms));
  const std::string bytes = EncodeLeaf(index, datoms);
  const Leaf leaf = DecodeLeaf(bytes, "random leaf");
  RC_ASSERT(leaf.index == index);
  RC_ASSERT(static_cast<bool>(SameDatoms(datoms, leaf.datoms)));
  // One encoding per leaf: decoding and encoding again gives the same bytes.
  RC_ASSERT(EncodeLeaf(index, leaf.datoms) == bytes);
}

// ---- Directories

// Children for `datoms` (each one a child's first datom), with random ids
// (as real ones are), alternating kinds and growing counts.
std::vector<ChildRef> ChildrenOf(const std::vector<Datom>& datoms) {
  std::vector<ChildRef> children;
  std::mt19937 rng(42);
  for (size_t i = 0; i < datoms.size(); ++i) {
    ChildRef c;
    c.first = datoms[i];
    for (uint8_t& b : c.id.bytes) b = static_cast<uint8_t>(rng());
    c.kind = i % 3 == 0 ? SegmentKind::kDirectory : SegmentKind::kLeaf;
    c.count = static_cast<int64_t>(1 + i * 1000);
    children.push_back(c);
  }
  return children;
}

::testing::AssertionResult SameChildren(const std::vector<ChildRef>& x,
                                        const std::vector<ChildRef>& y) {
  if (x.size() != y.size()) {
    return ::testing::AssertionFailure() << y.size() << " children, wanted " << x.size();
  }
  std::vector<Datom> firsts_x;
  std::vector<Datom> firsts_y;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(x[i].id == y[i].id) || x[i].kind != y[i].kind || x[i].count != y[i].count) {
      return ::testing::AssertionFailure() << "child " << i << " differs";
    }
    firsts_x.push_back(x[i].first);
    firsts_y.push_back(y[i].first);
  }
  return SameDatoms(firsts_x, firsts_y);
}

TEST(SegmentTest, DirectoriesRoundTripInEveryOrder) {
  for (Index index : kIndexes) {
    for (std::vector<Datom> firsts :
         {Sorted(index, EveryTypeDatoms()), Sorted(index, People(3000, 4)), SmallLeafDatoms()}) {
      firsts = Sorted(index, firsts);
      std::vector<ChildRef> children = ChildrenOf(firsts);
      std::string bytes = EncodeDirectory(index, children);
      Directory dir = DecodeDirectory(bytes, "test directory");
      EXPECT_EQ(dir.index, index);
      EXPECT_TRUE(SameChildren(children, dir.children)) << IndexName(index);
      int64_t total = 0;
      for (const ChildRef& c : children) total += c.count;
      EXPECT_EQ(dir.count, total);
      // Deterministic, and told apart from a leaf by DecodeSegment.
      EXPECT_EQ(EncodeDirectory(index, dir.children), bytes);
      internal::Segment segment = DecodeSegment(bytes, "test directory");
      ASSERT_TRUE(std::holds_alternative<Directory>(segment));
      EXPECT_TRUE(SameChildren(children, std::get<Directory>(segment).children));
      internal::Segment leaf = DecodeSegment(EncodeLeaf(index, firsts), "test leaf");
      ASSERT_TRUE(std::holds_alternative<Leaf>(leaf));
      EXPECT_TRUE(SameDatoms(firsts, std::get<Leaf>(leaf).datoms));
    }
  }
}

TEST(SegmentTest, ADirectoryIsSmall) {
  // 512 children of people datoms: the first datoms cost what a leaf's do,
  // plus 16 bytes of id, a kind and a count or so each.
  std::vector<Datom> people = Sorted(Index::kEavt, People(20000, 5));
  std::vector<Datom> firsts;
  for (size_t i = 0; i < people.size() && firsts.size() < 512; i += 39) firsts.push_back(people[i]);
  std::vector<ChildRef> children = ChildrenOf(firsts);
  std::string bytes = EncodeDirectory(Index::kEavt, children);
  double per_child = static_cast<double>(bytes.size()) / static_cast<double>(children.size());
  std::printf("[ segment ] directory of %zu children: %zu bytes, %.2f bytes/child\n",
              children.size(), bytes.size(), per_child);
  EXPECT_LE(per_child, 40.0);
}

::testing::AssertionResult IsDirectoryFault(std::string_view bytes,
                                            std::string_view expected_problem = "") {
  for (bool generic : {false, true}) {
    std::optional<Anomaly> a = CatchAnomaly([&] {
      if (generic) {
        DecodeSegment(bytes, "segment 5f3e");
      } else {
        DecodeDirectory(bytes, "segment 5f3e");
      }
    });
    ::testing::AssertionResult r = IsAnomaly(a, Category::kFault, "");
    if (!r) return r;
    if (a->message().find("segment 5f3e") == std::string::npos) {
      return ::testing::AssertionFailure()
             << "the message does not name the segment: " << a->message();
    }
    if (a->message().find(expected_problem) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "wanted \"" << expected_problem << "\" in " << a->message();
    }
  }
  return ::testing::AssertionSuccess();
}

std::string SmallDirectory() {
  std::vector<Datom> firsts = SmallLeafDatoms();
  return EncodeDirectory(Index::kEavt, ChildrenOf(firsts));
}

TEST(SegmentTest, EveryFlippedBitOfADirectoryIsAFault) {
  auto is_fault = [](std::string_view b) { return IsDirectoryFault(b); };
  ExpectEveryFlippedBitIsAFault(SmallDirectory(), is_fault);
  ExpectEveryTruncationIsAFault(SmallDirectory(), is_fault);
}

TEST(SegmentTest, EveryFlippedBitOfADirectoryBehindAValidChecksumIsAFaultOrInOrder) {
  std::string bytes = SmallDirectory();
  int faults = 0;
  for (size_t i = 5; i < bytes.size() - 8; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      damaged = Reseal(damaged);
      std::optional<internal::Segment> segment;
      std::optional<Anomaly> a =
          CatchAnomaly([&] { segment = DecodeSegment(damaged, "segment 5f3e"); });
      if (a) {
        ASSERT_TRUE(IsFault(damaged)) << "byte " << i << " bit " << bit;
        ++faults;
        continue;
      }
      if (const Directory* dir = std::get_if<Directory>(&*segment)) {
        ASSERT_FALSE(dir->children.empty());
        int64_t total = 0;
        for (size_t k = 0; k < dir->children.size(); ++k) {
          const ChildRef& c = dir->children[k];
          ASSERT_TRUE(c.kind == SegmentKind::kLeaf || c.kind == SegmentKind::kDirectory);
          ASSERT_GE(c.count, 1);
          total += c.count;
          if (k > 0) {
            ASSERT_LT(CompareDatoms(dir->index, dir->children[k - 1].first, c.first), 0);
          }
        }
        ASSERT_EQ(total, dir->count);
      }
    }
  }
  EXPECT_GT(faults, 0);
}

// A two-child EAVT directory by hand, as segment.h draws it: the first
// datoms are HandLeaf's two datoms.
struct HandDirectory {
  HandLeaf firsts;
  std::string ids = RawColumn(std::string(16, '\x11') + std::string(16, '\x22'));
  std::string kinds = RawColumn("\1\2"s);
  std::string counts = RawColumn(Varints({5, 300}));
  std::string trailer;

  std::string Bytes() const {
    std::string out;
    BeginFrame("SSEG", 1, &out);
    out.push_back(2);
    out.push_back(static_cast<char>(firsts.index));
    PutVarint(firsts.n, &out);
    out += firsts.e + firsts.a + firsts.tx + firsts.added + firsts.kinds + firsts.numbers +
           firsts.values + ids + kinds + counts + trailer;
    EndFrame(&out);
    return out;
  }
};

TEST(SegmentTest, AHandBuiltDirectoryDecodes) {
  Directory dir = DecodeDirectory(HandDirectory().Bytes(), "hand directory");
  ASSERT_EQ(dir.children.size(), 2u);
  EXPECT_EQ(dir.children[0].first,
            (Datom{MakeEntityId(kPartUser, 1), 72, S("ab"), TxFromT(5), true}));
  EXPECT_EQ(dir.children[1].id.bytes[15], 0x22);
  EXPECT_EQ(dir.children[0].kind, SegmentKind::kLeaf);
  EXPECT_EQ(dir.children[1].kind, SegmentKind::kDirectory);
  EXPECT_EQ(dir.children[1].count, 300);
  EXPECT_EQ(dir.count, 305);
}

TEST(SegmentTest, DirectoryDamageBehindAValidChecksumIsAFault) {
  struct Case {
    const char* problem;
    void (*damage)(HandDirectory*);
  };
  const Case cases[] = {
      {"a directory with no children", [](HandDirectory* d) { d->firsts.n = 0; }},
      {"the datom count needs", [](HandDirectory* d) { d->ids = RawColumn(std::string(31, 'x')); }},
      {"the datom count needs", [](HandDirectory* d) { d->kinds = RawColumn("\1"); }},
      {"an unknown child kind 0", [](HandDirectory* d) { d->kinds = RawColumn("\1\0"s); }},
      {"an unknown child kind 3", [](HandDirectory* d) { d->kinds = RawColumn("\3\1"s); }},
      {"a child with no datoms",
       [](HandDirectory* d) {
         d->counts = RawColumn(Varints({0, 1}));
       }},
      {"add up past 2^62",
       [](HandDirectory* d) {
         d->counts = RawColumn(Varints({uint64_t{1} << 61, uint64_t{1} << 61}));
       }},
      {"unexpected end", [](HandDirectory* d) { d->counts = RawColumn(Varints({1})); }},
      {"bytes after the last count",
       [](HandDirectory* d) {
         d->counts = RawColumn(Varints({1, 2, 3}));
       }},
      {"bytes after the last column", [](HandDirectory* d) { d->trailer = "x"; }},
      {"unexpected end", [](HandDirectory* d) { d->counts.clear(); }},
      {"does not follow datom 0 in EAVT order",
       [](HandDirectory* d) {
         d->firsts.a = RawColumn("\0"s + Varints({ZigZag(73), ZigZag(-1)}));
       }},
  };
  for (const Case& c : cases) {
    HandDirectory dir;
    c.damage(&dir);
    EXPECT_TRUE(IsDirectoryFault(dir.Bytes(), c.problem)) << c.problem;
  }
  // An unknown kind, to each decoder.
  std::string kind3 = HandDirectory().Bytes();
  kind3[5] = 3;
  kind3 = Reseal(kind3);
  EXPECT_TRUE(IsFault(kind3, "not a leaf segment (kind 3)"));
  std::optional<Anomaly> unknown = CatchAnomaly([&] { DecodeSegment(kind3, "segment 5f3e"); });
  ASSERT_TRUE(IsAnomaly(unknown, Category::kFault, ""));
  EXPECT_NE(unknown->message().find("an unknown segment kind 3"), std::string::npos);
  // A leaf is not a directory, nor a directory a leaf.
  EXPECT_TRUE(IsFault(HandDirectory().Bytes(), "not a leaf segment (kind 2)"));
  std::optional<Anomaly> a =
      CatchAnomaly([] { DecodeDirectory(HandLeaf().Bytes(), "segment 5f3e"); });
  EXPECT_TRUE(IsAnomaly(a, Category::kFault, ""));
  EXPECT_NE(a->message().find("not a directory segment (kind 1)"), std::string::npos);
}

RC_GTEST_PROP(SegmentPropertyTest, RandomDirectoriesRoundTrip, ()) {
  const Index index = *rc::gen::element(Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet);
  const size_t count = *rc::gen::inRange<size_t>(1, 200);
  std::vector<Datom> datoms;
  for (size_t i = 0; i < count; ++i) {
    Datom d;
    d.e = *rc::gen::inRange<int64_t>(0, 1000);
    d.a = *rc::gen::inRange<int64_t>(0, 6);
    d.v = *GenDatomValue();
    d.tx = TxFromT(*rc::gen::inRange<int64_t>(0, 20));
    d.added = *rc::gen::arbitrary<bool>();
    datoms.push_back(std::move(d));
  }
  datoms = Sorted(index, std::move(datoms));
  std::vector<ChildRef> children = ChildrenOf(datoms);
  for (ChildRef& c : children) c.count = *rc::gen::inRange<int64_t>(1, int64_t{1} << 50);
  const std::string bytes = EncodeDirectory(index, children);
  const Directory dir = DecodeDirectory(bytes, "random directory");
  RC_ASSERT(dir.index == index);
  RC_ASSERT(static_cast<bool>(SameChildren(children, dir.children)));
  RC_ASSERT(EncodeDirectory(index, dir.children) == bytes);
}

}  // namespace
}  // namespace testing
}  // namespace strata
