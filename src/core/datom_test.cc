// Tests for datoms and entity ids: the Datomic bit layout of partitions,
// counters and transaction ids, datom equality and printing.
#include "strata/datom.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>

#include "strata/edn.h"
#include "strata/value.h"

namespace strata {

// Lets gtest show Values in failure messages.
[[maybe_unused]] static void PrintTo(const Value& value, std::ostream* os) {
  *os << PrintEdn(value);
}

namespace {

TEST(EntityIdTest, LayoutMatchesDatomic) {
  // Datomic: (d/t->tx 1000) = 13194139534312, and the first user entity of a
  // fresh database is 17592186045418 = (4 << 42) | 1002.
  EXPECT_EQ(TxFromT(1000), 13194139534312);
  EXPECT_EQ(TxFromT(1000), (int64_t{3} << 42) | 1000);
  EXPECT_EQ(MakeEntityId(kPartUser, 1002), 17592186045418);
  EXPECT_EQ(MakeEntityId(kPartDb, 10), 10);
  EXPECT_EQ(MakeEntityId(kPartTx, 0), int64_t{3} << 42);
  EXPECT_EQ(kCounterMask, (int64_t{1} << 42) - 1);
}

TEST(EntityIdTest, PartitionAndCounterRoundTrip) {
  for (int64_t partition : {kPartDb, kPartTx, kPartUser, int64_t{1000}, kMaxPartition}) {
    for (int64_t counter :
         {int64_t{0}, int64_t{1}, int64_t{1002}, int64_t{123456789}, kCounterMask}) {
      EntityId eid = MakeEntityId(partition, counter);
      EXPECT_GE(eid, 0) << partition << " " << counter;
      EXPECT_EQ(PartitionOf(eid), partition) << eid;
      EXPECT_EQ(CounterOf(eid), counter) << eid;
    }
  }
  EXPECT_EQ(MakeEntityId(kMaxPartition, kCounterMask), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(PartitionOf(17592186045418), kPartUser);
  EXPECT_EQ(CounterOf(17592186045418), 1002);
}

TEST(EntityIdTest, TxAndT) {
  EXPECT_EQ(TFromTx(13194139534312), 1000);
  EXPECT_EQ(TFromTx(TxFromT(0)), 0);
  EXPECT_EQ(TFromTx(TxFromT(kCounterMask)), kCounterMask);
  EXPECT_TRUE(IsTxId(TxFromT(1000)));
  EXPECT_TRUE(IsTxId(TxFromT(0)));
  EXPECT_FALSE(IsTxId(1000));
  EXPECT_FALSE(IsTxId(MakeEntityId(kPartUser, 1000)));
  EXPECT_FALSE(IsTxId(MakeEntityId(kPartDb, 1000)));
}

TEST(EntityIdTest, ToTAcceptsTOrTx) {
  EXPECT_EQ(ToT(1000), 1000);
  EXPECT_EQ(ToT(0), 0);
  EXPECT_EQ(ToT(13194139534312), 1000);
  EXPECT_EQ(ToT(TxFromT(0)), 0);
  // The largest t below the tx partition is still a t.
  EXPECT_EQ(ToT(MakeEntityId(kPartTx, 0) - 1), MakeEntityId(kPartTx, 0) - 1);
  EXPECT_EQ(ToT(TxFromT(kCounterMask)), kCounterMask);
}

TEST(DatomTest, DefaultDatom) {
  Datom d;
  EXPECT_EQ(d.e, 0);
  EXPECT_EQ(d.a, 0);
  EXPECT_TRUE(d.v.is_nil());
  EXPECT_EQ(d.tx, 0);
  EXPECT_TRUE(d.added);
}

TEST(DatomTest, EqualityComparesEveryComponent) {
  Datom base{17592186045418, 72, Value::String("Alice"), TxFromT(1000), true};
  EXPECT_EQ(base, (Datom{17592186045418, 72, Value::String("Alice"), TxFromT(1000), true}));
  Datom other_e = base;
  other_e.e += 1;
  Datom other_a = base;
  other_a.a = 73;
  Datom other_v = base;
  other_v.v = Value::String("Bob");
  Datom other_tx = base;
  other_tx.tx = TxFromT(1001);
  Datom retraction = base;
  retraction.added = false;
  for (const Datom& d : {other_e, other_a, other_v, other_tx, retraction}) {
    EXPECT_NE(base, d) << ToString(d);
    EXPECT_FALSE(base == d);
  }
}

TEST(DatomTest, ValueEqualityFollowsValue) {
  // A ref value is the long of its entity id.
  Datom ref{1, 2, Value::Ref(17592186045418), 3, true};
  Datom lng{1, 2, Value::Long(17592186045418), 3, true};
  EXPECT_EQ(ref, lng);
  Datom dbl{1, 2, Value::Double(17592186045418.0), 3, true};
  EXPECT_NE(ref, dbl);
  Datom s1{1, 2, Value::String(std::string(30, 'x')), 3, true};
  Datom s2{1, 2, Value::String(std::string(30, 'x')), 3, true};
  EXPECT_EQ(s1, s2);
}

TEST(DatomTest, ToStringPrintsEdnVector) {
  EXPECT_EQ(ToString(Datom{17592186045418, 72, Value::String("Alice"), TxFromT(1000), true}),
            "[17592186045418 72 \"Alice\" 13194139534312 true]");
  EXPECT_EQ(ToString(Datom{1, 10, Value::Keyword("db.type", "long"), 13194139534312, false}),
            "[1 10 :db.type/long 13194139534312 false]");
  EXPECT_EQ(ToString(Datom{5, 6, Value::Ref(7), 8, true}), "[5 6 7 8 true]");
  EXPECT_EQ(ToString(Datom{5, 6, Value::Vector({Value::Long(1), Value::Nil()}), 8, true}),
            "[5 6 [1 nil] 8 true]");
  EXPECT_EQ(ToString(Datom{5, 6, Value::String("a \"quoted\"\nline"), 8, true}),
            "[5 6 \"a \\\"quoted\\\"\\nline\" 8 true]");
}

}  // namespace
}  // namespace strata
