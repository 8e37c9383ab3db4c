// Tests for the read interface of database values: Datoms on the four
// indexes with 0..4 leading components (ids, idents, lookup refs and
// keyword-valued refs as components), SeekDatoms, IndexRange, Count, Entid
// and Ident, the time views (AsOf, Since, History and their combinations),
// Filter, the log, Stats, and readers on other threads while a writer
// commits.
#include "strata/database.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/value.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

Value LookupRef(std::string_view name) { return Value::Vector({K("person/name"), S(name)}); }

// A datom's components in the order of `index` (e, a, v, tx as values).
std::vector<Value> Components(Index index, const Datom& d) {
  Value e = L(d.e), a = L(d.a), tx = L(d.tx);
  switch (index) {
    case Index::kEavt:
      return {e, a, d.v, tx};
    case Index::kAevt:
      return {a, e, d.v, tx};
    case Index::kAvet:
      return {a, d.v, e, tx};
    case Index::kVaet:
      return {d.v, a, e, tx};
  }
  return {};
}

// Compares two datoms in `index` order (then added, retractions first).
int CompareIn(Index index, const Datom& x, const Datom& y) {
  std::vector<Value> cx = Components(index, x), cy = Components(index, y);
  for (size_t i = 0; i < cx.size(); ++i) {
    int c = Compare(cx[i], cy[i]);
    if (c != 0) return c;
  }
  return static_cast<int>(x.added) - static_cast<int>(y.added);
}

bool HasPrefix(Index index, const Datom& d, const std::vector<Value>& prefix) {
  std::vector<Value> c = Components(index, d);
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (!(c[i] == prefix[i])) return false;
  }
  return true;
}

constexpr Index kIndexes[] = {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet};

class DatabaseTest : public DbTest {
 protected:
  void SetUp() override {
    Tx(R"([{:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
            :db/unique :db.unique/identity}
           {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
           {:db/ident :person/nick :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
           {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
           {:db/ident :person/color :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
           {:db/ident :color/red} {:db/ident :color/blue}])");
    TxReport r = Tx(R"([{:db/id "ann" :person/name "Ann" :person/age 30 :person/color :color/red
                         :person/nick ["a" "annie"]}
                        {:db/id "bob" :person/name "Bob" :person/age 25 :person/color :color/blue
                         :person/friend ["ann"]}
                        {:db/id "cy" :person/name "Cy" :person/age 40 :person/color :color/red
                         :person/friend ["ann" "bob"]}])");
    ann_ = *r.Tempid("ann");
    bob_ = *r.Tempid("bob");
    cy_ = *r.Tempid("cy");
  }

  EntityId ann_ = 0;
  EntityId bob_ = 0;
  EntityId cy_ = 0;
};

// ---- Datoms, SeekDatoms, Count ------------------------------------------------------

TEST_F(DatabaseTest, EveryIndexIsSortedAndHoldsTheRightDatoms) {
  Database db = Db();
  std::vector<Datom> eavt = Dump(db, Index::kEavt);
  for (Index index : kIndexes) {
    std::vector<Datom> all = Dump(db, index);
    for (size_t i = 1; i < all.size(); ++i) {
      EXPECT_LT(CompareIn(index, all[i - 1], all[i]), 0) << static_cast<int>(index) << " at " << i;
    }
    for (const Datom& d : all) EXPECT_TRUE(d.added);
    if (index == Index::kVaet) {
      // Exactly the datoms of ref attributes.
      std::vector<Datom> refs;
      for (const Datom& d : eavt) {
        DatomIterator type = db.Datoms(Index::kEavt, {L(d.a), K("db/valueType")});
        const Datom* t = type.Next();
        if (t != nullptr && t->v == Value::Ref(A("db.type/ref"))) refs.push_back(d);
      }
      EXPECT_EQ(all.size(), refs.size());
    } else {
      EXPECT_EQ(all.size(), eavt.size()) << static_cast<int>(index);
    }
  }
}

TEST_F(DatabaseTest, DatomsWithZeroToFourComponentsAreThePrefixMatches) {
  Tx(R"([[:db/add [:person/name "Ann"] :person/age 31] [:db/retract [:person/name "Bob"] :person/nick "x"]])");
  Database db = Db();
  for (Index index : kIndexes) {
    std::vector<Datom> all = Dump(db, index);
    for (const Datom& d : all) {
      if (PartitionOf(d.e) != kPartUser) continue;
      std::vector<Value> c = Components(index, d);
      for (size_t n = 0; n <= 4; ++n) {
        std::vector<Value> prefix(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n));
        std::vector<Datom> want;
        for (const Datom& x : all) {
          if (HasPrefix(index, x, prefix)) want.push_back(x);
        }
        EXPECT_EQ(Dump(db, index, prefix), want)
            << "index " << static_cast<int>(index) << " prefix " << PrintEdn(Value::Vector(prefix));
        EXPECT_EQ(db.Count(index, prefix), static_cast<int64_t>(want.size()))
            << "index " << static_cast<int>(index) << " prefix " << PrintEdn(Value::Vector(prefix));
      }
    }
  }
}

TEST_F(DatabaseTest, ComponentsMayBeIdentsLookupRefsAndKeywordRefs) {
  Database db = Db();
  std::vector<Datom> age = Dump(db, Index::kEavt, {LookupRef("Ann"), K("person/age")});
  ASSERT_EQ(age.size(), 1u);
  EXPECT_EQ(age[0].v, L(30));
  // A keyword in the value position of a ref attribute is an ident.
  std::vector<Datom> red = Dump(db, Index::kAvet, {K("person/color"), K("color/red")});
  ASSERT_EQ(red.size(), 2u);
  EXPECT_EQ(red[0].e, ann_);
  EXPECT_EQ(red[1].e, cy_);
  EXPECT_EQ(Dump(db, Index::kEavt, {L(ann_), K("person/color"), K("color/red")}).size(), 1u);
  EXPECT_EQ(Dump(db, Index::kVaet, {K("color/red")}).size(), 2u);
  // A lookup ref in the value position of a ref attribute.
  std::vector<Datom> friends_of_ann =
      Dump(db, Index::kVaet, {LookupRef("Ann"), K("person/friend")});
  ASSERT_EQ(friends_of_ann.size(), 2u);
  EXPECT_EQ(friends_of_ann[0].e, bob_);
  EXPECT_EQ(friends_of_ann[1].e, cy_);
  EXPECT_EQ(Dump(db, Index::kAevt, {K("person/friend"), LookupRef("Cy"), LookupRef("Bob")}).size(),
            1u);
  // An ident as the entity.
  std::vector<Datom> ident = Dump(db, Index::kEavt, {K("color/red")});
  ASSERT_EQ(ident.size(), 1u);
  EXPECT_EQ(ident[0].v, K("color/red"));
  // The attribute by id.
  EXPECT_EQ(Dump(db, Index::kAevt, {L(A("person/age"))}).size(), 3u);
  // A keyword-valued attribute's value is not resolved.
  EXPECT_EQ(Dump(db, Index::kAvet, {K("db/ident"), K("color/red")}).size(), 1u);
}

TEST_F(DatabaseTest, BadComponentsAreAnomaliesAndMissingEntitiesMatchNothing) {
  Database db = Db();
  EXPECT_TRUE(Dump(db, Index::kEavt, {LookupRef("Zed")}).empty());
  EXPECT_TRUE(Dump(db, Index::kVaet, {LookupRef("Zed")}).empty());
  EXPECT_EQ(db.Count(Index::kEavt, {LookupRef("Zed")}), 0);
  EXPECT_TRUE(Dump(db, Index::kAvet, {K("person/color"), K("color/green")}).empty());
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { db.Datoms(Index::kAevt, {K("no/such")}); }),
                        Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] {
                          db.Datoms(Index::kEavt, {L(ann_), K("color/red")});
                        }),
                        Category::kIncorrect, ""));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] {
                          db.Datoms(Index::kEavt, {L(ann_), K("person/age"), L(30), L(1), L(2)});
                        }),
                        Category::kIncorrect, ""));
  // A lookup ref needs a unique attribute.
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] {
                          db.Datoms(Index::kEavt, {Value::Vector({K("person/age"), L(30)})});
                        }),
                        Category::kIncorrect, ""));
}

TEST_F(DatabaseTest, SeekDatomsStartsAtTheComponentsAndRunsToTheEnd) {
  Database db = Db();
  for (Index index : kIndexes) {
    std::vector<Datom> all = Dump(db, index);
    std::vector<Value> key;
    switch (index) {
      case Index::kEavt:
        key = {L(bob_), K("person/age")};
        break;
      case Index::kAevt:
        key = {K("person/age"), L(bob_)};
        break;
      case Index::kAvet:
        key = {K("person/age"), L(26)};
        break;
      case Index::kVaet:
        key = {LookupRef("Ann"), K("person/friend")};
        break;
    }
    std::vector<Datom> seek = Drain(db.SeekDatoms(index, key));
    ASSERT_FALSE(seek.empty());
    // The suffix of the whole index from the first datom at or after key.
    auto first = std::find(all.begin(), all.end(), seek.front());
    ASSERT_NE(first, all.end());
    EXPECT_EQ(seek, std::vector<Datom>(first, all.end())) << static_cast<int>(index);
  }
  std::vector<Datom> from_age = Drain(db.SeekDatoms(Index::kAvet, {K("person/age"), L(26)}));
  ASSERT_GE(from_age.size(), 2u);
  EXPECT_EQ(from_age[0].v, L(30));
  EXPECT_EQ(from_age[1].v, L(40));
  // It goes on past the attribute.
  EXPECT_GT(from_age.size(), 2u);
}

TEST_F(DatabaseTest, IndexRangeIsHalfOpenWithNilForOpenEnds) {
  Database db = Db();
  auto ages = [&](const Value& start, const Value& end) {
    std::vector<Value> out;
    for (const Datom& d : Drain(db.IndexRange(K("person/age"), start, end))) out.push_back(d.v);
    return out;
  };
  EXPECT_EQ(ages(L(25), L(40)), (std::vector<Value>{L(25), L(30)}));
  EXPECT_EQ(ages(L(26), Value()), (std::vector<Value>{L(30), L(40)}));
  EXPECT_EQ(ages(Value(), L(30)), std::vector<Value>{L(25)});
  EXPECT_EQ(ages(Value(), Value()), (std::vector<Value>{L(25), L(30), L(40)}));
  EXPECT_TRUE(ages(L(41), Value()).empty());
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { db.IndexRange(K("no/such"), Value(), Value()); }),
                        Category::kIncorrect, ""));
}

TEST_F(DatabaseTest, CountIsExactForTheMemoryIndex) {
  Tx(R"([[:db/add [:person/name "Ann"] :person/age 31] [:db/retractEntity [:person/name "Bob"]]])");
  Database db = Db();
  for (Index index : kIndexes) {
    EXPECT_EQ(db.Count(index), static_cast<int64_t>(Dump(db, index).size()));
    EXPECT_EQ(db.History().Count(index), static_cast<int64_t>(Dump(db.History(), index).size()));
  }
  EXPECT_EQ(db.Count(Index::kAevt, {K("person/age")}), 2);
  EXPECT_EQ(db.History().Count(Index::kAevt, {K("person/age")}), 6);
  EXPECT_EQ(db.Count(Index::kAvet, {K("person/color"), K("color/red")}), 2);
  EXPECT_EQ(db.Count(Index::kVaet, {LookupRef("Ann")}), 1);
}

TEST_F(DatabaseTest, IteratorsAndDatabasesOutliveTheirConnection) {
  std::optional<Database> db;
  DatomIterator it;
  {
    Connection conn = Connection::CreateInMemory();
    conn.Transact(
        R"([{:db/ident :o/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])");
    conn.Transact(R"([{:o/n 1} {:o/n 2}])");
    db = conn.Db();
    it = db->Datoms(Index::kAevt, {K("o/n")});
    for (int i = 3; i < 50; ++i) conn.Transact(Value::Vector({Value::Map({{K("o/n"), L(i)}})}));
  }
  std::vector<Datom> kept = Drain(std::move(it));
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].v, L(1));
  EXPECT_EQ(kept[1].v, L(2));
  db.reset();
  EXPECT_EQ(Dump(Db(), Index::kAevt, {K("person/age")}).size(), 3u);
}

// ---- Entid, Ident ------------------------------------------------------------------

TEST_F(DatabaseTest, EntidIdentAndEntidOrThrow) {
  Database db = Db();
  EXPECT_EQ(db.Entid(L(ann_)), std::optional<EntityId>(ann_));
  EXPECT_EQ(db.Entid(LookupRef("Ann")), std::optional<EntityId>(ann_));
  EXPECT_EQ(db.Entid(K("person/age")), std::optional<EntityId>(A("person/age")));
  EXPECT_FALSE(db.Entid(LookupRef("Zed")).has_value());
  EXPECT_FALSE(db.Entid(K("no/such")).has_value());
  EXPECT_FALSE(db.Entid(S("Ann")).has_value());
  EXPECT_EQ(db.Ident(A("color/red")), K("color/red"));
  EXPECT_TRUE(db.Ident(ann_).is_nil());
  EXPECT_EQ(db.EntidOrThrow(LookupRef("Bob")), bob_);
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { db.EntidOrThrow(LookupRef("Zed")); }),
                        Category::kNotFound, "db.error/not-an-entity"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { db.EntidOrThrow(K("no/such")); }), Category::kNotFound,
                        "db.error/not-an-entity"));
}

TEST_F(DatabaseTest, BasisTAndNextT) {
  Database before = Db();
  EXPECT_GT(before.next_t(), before.basis_t());
  TxReport r = Tx(R"([[:db/add "d" :person/name "Dee"]])");
  EXPECT_EQ(r.db_after.basis_t(), before.next_t());
  EXPECT_GT(r.db_after.next_t(), r.db_after.basis_t());
  // A new entity's counter is after the transaction's t.
  EXPECT_GE(CounterOf(*r.Tempid("d")), r.db_after.basis_t());
  EXPECT_LT(CounterOf(*r.Tempid("d")), r.db_after.next_t());
  EXPECT_EQ(Db().basis_t(), r.db_after.basis_t());
}

// ---- Time views ------------------------------------------------------------------

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class TimeTravelTest : public DatabaseTest {
 protected:
  // Ann's age: 31 at t1, 32 at t2, retracted at t3, 34 at t4; explicit
  // instants one second apart.
  void SetUp() override {
    DatabaseTest::SetUp();
    t0_ = Db().basis_t();
    base_ms_ = NowMs() + 86'400'000;
    t1_ = Step(0, "[:db/add [:person/name \"Ann\"] :person/age 31]");
    t2_ = Step(1, "[:db/add [:person/name \"Ann\"] :person/age 32]");
    t3_ = Step(2, "[:db/retract [:person/name \"Ann\"] :person/age 32]");
    t4_ = Step(3, "[:db/add [:person/name \"Ann\"] :person/age 34]");
  }
  int64_t Step(int i, const std::string& form) {
    std::string instant = PrintEdn(Value::Instant(base_ms_ + 1000 * i));
    return Tx("[" + form + " [:db/add \"datomic.tx\" :db/txInstant " + instant + "]]")
        .db_after.basis_t();
  }
  std::vector<Value> Ages(const Database& db) const {
    std::vector<Value> out;
    for (const Datom& d : Dump(db, Index::kEavt, {L(ann_), K("person/age")})) out.push_back(d.v);
    return out;
  }
  int64_t t0_ = 0, t1_ = 0, t2_ = 0, t3_ = 0, t4_ = 0;
  int64_t base_ms_ = 0;
};

TEST_F(TimeTravelTest, AsOfByTTxIdAndInstant) {
  Database db = Db();
  EXPECT_EQ(Ages(db.AsOf(L(t0_))), std::vector<Value>{L(30)});
  EXPECT_EQ(Ages(db.AsOf(L(t1_))), std::vector<Value>{L(31)});
  EXPECT_EQ(Ages(db.AsOf(L(t2_))), std::vector<Value>{L(32)});
  EXPECT_TRUE(Ages(db.AsOf(L(t3_))).empty());
  EXPECT_EQ(Ages(db.AsOf(L(t4_))), std::vector<Value>{L(34)});
  EXPECT_EQ(Ages(db.AsOf(L(TxFromT(t2_)))), std::vector<Value>{L(32)});
  EXPECT_EQ(db.AsOf(L(TxFromT(t2_))).as_of_t(), std::optional<int64_t>(t2_));
  EXPECT_EQ(Ages(db.AsOf(Value::Instant(base_ms_ + 1000))), std::vector<Value>{L(32)});
  EXPECT_EQ(Ages(db.AsOf(Value::Instant(base_ms_ + 1500))), std::vector<Value>{L(32)});
  EXPECT_EQ(Ages(db.AsOf(Value::Instant(base_ms_ - 1))), std::vector<Value>{L(30)});
  // Before Ann existed.
  EXPECT_TRUE(Dump(db.AsOf(L(t0_ - 1)), Index::kAevt, {K("person/name")}).empty());
  // The as-of view of every index agrees with EAVT.
  Database past = db.AsOf(L(t2_));
  for (Index index : kIndexes) {
    std::vector<Datom> all = Dump(past, index);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(CompareIn(index, all[i - 1], all[i]), 0);
  }
  EXPECT_EQ(Dump(past, Index::kAvet, {K("person/age"), L(32)}).size(), 1u);
  EXPECT_TRUE(Dump(past, Index::kAvet, {K("person/age"), L(34)}).empty());
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { db.AsOf(S("yesterday")); }), Category::kIncorrect, ""));
}

TEST_F(TimeTravelTest, SinceKeepsFactsAssertedAfterThePoint) {
  Database db = Db();
  EXPECT_EQ(Ages(db.Since(L(t3_))), std::vector<Value>{L(34)});
  EXPECT_TRUE(Ages(db.Since(L(t4_))).empty());
  EXPECT_EQ(Ages(db.Since(L(TxFromT(t3_)))), std::vector<Value>{L(34)});
  EXPECT_EQ(Ages(db.Since(Value::Instant(base_ms_ + 2500))), std::vector<Value>{L(34)});
  // Ann's name was asserted before t1.
  EXPECT_TRUE(Dump(db.Since(L(t1_)), Index::kEavt, {L(ann_), K("person/name")}).empty());
  EXPECT_EQ(Dump(db.Since(L(t0_ - 1)), Index::kEavt, {L(ann_), K("person/name")}).size(), 1u);
}

TEST_F(TimeTravelTest, AsOfAndSinceCombine) {
  Database db = Db();
  EXPECT_EQ(Ages(db.AsOf(L(t2_)).Since(L(t1_))), std::vector<Value>{L(32)});
  EXPECT_EQ(Ages(db.Since(L(t1_)).AsOf(L(t2_))), std::vector<Value>{L(32)});
  EXPECT_TRUE(Ages(db.AsOf(L(t2_)).Since(L(t2_))).empty());
  EXPECT_TRUE(Ages(db.AsOf(L(t1_)).Since(L(t2_))).empty());
  // Nested as-ofs keep the earlier point.
  EXPECT_EQ(Ages(db.AsOf(L(t1_)).AsOf(L(t4_))), std::vector<Value>{L(31)});
}

TEST_F(TimeTravelTest, HistoryHasEveryAssertionAndRetraction) {
  Database history = Db().History();
  EXPECT_TRUE(history.is_history());
  std::vector<Datom> all = Dump(history, Index::kEavt, {L(ann_), K("person/age")});
  struct Want {
    int64_t v;
    int64_t t;
    bool added;
  };
  // EAVT order: by value, then tx.
  const Want want[] = {{30, t0_, true}, {30, t1_, false}, {31, t1_, true}, {31, t2_, false},
                       {32, t2_, true}, {32, t3_, false}, {34, t4_, true}};
  ASSERT_EQ(all.size(), std::size(want));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].v, L(want[i].v)) << i;
    EXPECT_EQ(all[i].tx, TxFromT(want[i].t)) << i;
    EXPECT_EQ(all[i].added, want[i].added) << i;
  }
  // History with as-of and since: the datoms in the window.
  EXPECT_EQ(Dump(history.AsOf(L(t2_)), Index::kEavt, {L(ann_), K("person/age")}).size(), 5u);
  EXPECT_EQ(Dump(history.Since(L(t2_)), Index::kEavt, {L(ann_), K("person/age")}).size(), 2u);
  EXPECT_EQ(
      Dump(history.Since(L(t1_)).AsOf(L(t3_)), Index::kEavt, {L(ann_), K("person/age")}).size(),
      3u);
  // Every index holds the same history.
  for (Index index : {Index::kAevt, Index::kAvet}) {
    std::vector<Datom> ages;
    for (const Datom& d : Dump(history, index, {K("person/age")})) {
      if (d.e == ann_) ages.push_back(d);
    }
    EXPECT_EQ(ages.size(), all.size()) << static_cast<int>(index);
  }
}

TEST_F(TimeTravelTest, HistoryDatomsWithATxComponentFindRetractions) {
  Database history = Db().History();
  // [ann :person/age 32 t3] is the retraction of 32 in t3.
  std::vector<Datom> at = Dump(history, Index::kEavt, {L(ann_), K("person/age"), L(32), L(t3_)});
  EXPECT_EQ(at.size(), 1u);
  if (!at.empty()) {
    EXPECT_FALSE(at[0].added);
  }
  EXPECT_EQ(history.Count(Index::kEavt, {L(ann_), K("person/age"), L(32), L(TxFromT(t3_))}), 1);
  std::vector<Datom> asserted =
      Dump(history, Index::kEavt, {L(ann_), K("person/age"), L(32), L(t2_)});
  ASSERT_EQ(asserted.size(), 1u);
  EXPECT_TRUE(asserted[0].added);
}

TEST_F(TimeTravelTest, LogTxRangeByTAndTx) {
  const Log& log = conn_.log();
  std::vector<LogEntry> mid = log.TxRange(t1_, t3_);
  ASSERT_EQ(mid.size(), 2u);
  EXPECT_EQ(mid[0].t, t1_);
  EXPECT_EQ(mid[1].t, t2_);
  std::vector<LogEntry> by_tx = log.TxRange(TxFromT(t1_), TxFromT(t3_));
  ASSERT_EQ(by_tx.size(), 2u);
  EXPECT_EQ(by_tx[0].data, mid[0].data);
  std::vector<LogEntry> tail = log.TxRange(t3_, std::nullopt);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[1].t, t4_);
  std::vector<LogEntry> all = log.TxRange(std::nullopt, std::nullopt);
  ASSERT_GE(all.size(), 6u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].t, all[i].t);
  EXPECT_EQ(all.back().t, t4_);
  EXPECT_TRUE(log.TxRange(t4_ + 1, std::nullopt).empty());
  EXPECT_TRUE(log.TxRange(t2_, t2_).empty());
  // t2's entry: the retraction of 31, the assertion of 32 and the instant.
  ASSERT_EQ(mid[1].data.size(), 3u);
  for (const Datom& d : mid[1].data) EXPECT_EQ(d.tx, TxFromT(t2_));
  // Replaying the log gives the history.
  size_t datoms = 0;
  for (const LogEntry& e : all) datoms += e.data.size();
  EXPECT_EQ(static_cast<int64_t>(datoms), Db().History().Count(Index::kEavt));
}

// ---- Filter -----------------------------------------------------------------------

TEST_F(DatabaseTest, FilterKeepsWhatThePredicateAcceptsAndComposes) {
  Database db = Db();
  EntityId age = A("person/age");
  int calls_with_filtered_db = 0;
  Database no_ages = db.Filter([&](const Database& unfiltered, const Datom& d) {
    if (unfiltered.filter()) ++calls_with_filtered_db;
    // The predicate sees the whole database.
    EXPECT_EQ(Dump(unfiltered, Index::kAevt, {K("person/age")}).size(), 3u);
    return d.a != age;
  });
  EXPECT_TRUE(Dump(no_ages, Index::kAevt, {K("person/age")}).empty());
  EXPECT_EQ(Dump(no_ages, Index::kAevt, {K("person/name")}).size(), 3u);
  Database no_bob = no_ages.Filter([&](const Database&, const Datom& d) { return d.e != bob_; });
  EXPECT_EQ(Dump(no_bob, Index::kAevt, {K("person/name")}).size(), 2u);
  EXPECT_TRUE(Dump(no_bob, Index::kAevt, {K("person/age")}).empty());
  EXPECT_TRUE(Dump(no_bob, Index::kEavt, {L(bob_)}).empty());
  EXPECT_EQ(calls_with_filtered_db, 0);
  // The original is untouched, and Unfiltered drops the filters.
  EXPECT_EQ(Dump(db, Index::kAevt, {K("person/age")}).size(), 3u);
  EXPECT_EQ(Dump(no_bob.Unfiltered(), Index::kAevt, {K("person/age")}).size(), 3u);
  // Filters apply to time views too.
  Tx(R"([[:db/add [:person/name "Bob"] :person/age 26]])");
  Database h = Db().History().Filter([&](const Database&, const Datom& d) { return d.e == bob_; });
  std::vector<Datom> bob_ages = Dump(h, Index::kAevt, {K("person/age")});
  EXPECT_EQ(bob_ages.size(), 3u);
}

// ---- Stats ------------------------------------------------------------------------

TEST_F(DatabaseTest, StatsCountDatomsInTotalAndPerAttribute) {
  Database db = Db();
  Value stats = db.Stats();
  ASSERT_TRUE(stats.is_map());
  const Value* total = stats.Get(K("datoms"));
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(*total, L(static_cast<int64_t>(Dump(db).size())));
  const Value* attrs = stats.Get(K("attrs"));
  ASSERT_NE(attrs, nullptr);
  const Value* age = attrs->Get(K("person/age"));
  ASSERT_NE(age, nullptr);
  EXPECT_EQ(*age->Get(K("count")), L(3));
  EXPECT_EQ(*attrs->Get(K("person/friend"))->Get(K("count")), L(3));
  int64_t sum = 0;
  for (size_t i = 0; i < attrs->Count(); ++i) sum += attrs->MapVal(i).Get(K("count"))->AsLong();
  EXPECT_EQ(sum, total->AsLong());
}

// ---- Concurrency -----------------------------------------------------------------

TEST(DatabaseConcurrencyTest, ReadersSeeWholeSortedGrowingSnapshotsWhileAWriterCommits) {
  Connection conn = Connection::CreateInMemory();
  conn.Transact(
      R"([{:db/ident :c/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])");
  constexpr int kWrites = 500;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  std::vector<int64_t> snapshots(3, 0);
  std::atomic<int> started{0};
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&conn, &done, &failures, &snapshots, &started, r] {
      started.fetch_add(1);
      int64_t last_count = 0;
      int64_t last_basis = 0;
      int64_t seen = 0;
      for (;;) {
        bool finished = done.load();
        Database db = conn.Db();
        int64_t count = 0;
        const Datom* prev = nullptr;
        Datom prev_copy;
        DatomIterator it = db.Datoms(Index::kAevt, {Value::Keyword("c/n")});
        while (const Datom* d = it.Next()) {
          if (prev != nullptr && !(prev_copy.e < d->e)) failures.fetch_add(1);
          prev_copy = *d;
          prev = &prev_copy;
          ++count;
        }
        if (count < last_count || db.basis_t() < last_basis) failures.fetch_add(1);
        if (count != db.Count(Index::kAevt, {Value::Keyword("c/n")})) failures.fetch_add(1);
        // The log has the snapshot's transaction.
        std::vector<LogEntry> entry = conn.log().TxRange(db.basis_t(), db.basis_t() + 1);
        if (entry.size() != 1 || entry[0].t != db.basis_t()) failures.fetch_add(1);
        last_count = count;
        last_basis = db.basis_t();
        ++seen;
        if (finished) break;
      }
      if (last_count != kWrites) failures.fetch_add(1);
      snapshots[static_cast<size_t>(r)] = seen;
    });
  }
  // The writer starts once every reader runs.
  while (started.load() < 3) std::this_thread::yield();
  for (int i = 0; i < kWrites; ++i) {
    conn.Transact(Value::Vector({Value::Map({{Value::Keyword("c/n"), Value::Long(i)}})}));
  }
  done.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int64_t seen : snapshots) EXPECT_GT(seen, 0);
  EXPECT_EQ(conn.Db().Count(Index::kAevt, {Value::Keyword("c/n")}), kWrites);
}

TEST(DatabaseConcurrencyTest, WithOnOneDatabaseValueFromManyThreadsWhileAWriterCommits) {
  Connection conn = Connection::CreateInMemory();
  conn.Transact(R"([{:db/ident :c/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
                    {:db/ident :c/tag :db/valueType :db.type/string
                     :db/cardinality :db.cardinality/many}])");
  EntityId e = *conn.Transact(R"([{:db/id "base" :c/n -1 :c/tag ["x"]}])").Tempid("base");
  Database base = conn.Db();
  std::vector<Datom> base_dump = Dump(base);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&base, &base_dump, &failures, e, r] {
      for (int i = 0; i < 60; ++i) {
        Value tag = Value::String("t" + std::to_string(r) + "-" + std::to_string(i));
        TxReport w = base.With(Value::Vector({Value::Map(
            {{Value::Keyword("c/n"), Value::Long(i)}, {Value::Keyword("c/tag"), tag}})}));
        // A With on the With: retract the base entity's number.
        TxReport w2 = w.db_after.With(Value::Vector({Value::Vector(
            {Value::Keyword("db/retract"), Value::Long(e), Value::Keyword("c/n")})}));
        if (Dump(w.db_after, Index::kAvet, {Value::Keyword("c/tag"), tag}).size() != 1 ||
            w.db_after.basis_t() != base.next_t() ||
            Dump(w.db_after, Index::kAevt, {Value::Keyword("c/n")}).size() != 2 ||
            Dump(w2.db_after, Index::kAevt, {Value::Keyword("c/n")}).size() != 1) {
          failures.fetch_add(1);
        }
      }
      if (Dump(base) != base_dump) failures.fetch_add(1);
    });
  }
  for (int i = 0; i < 200; ++i) {
    conn.Transact(Value::Vector({Value::Map({{Value::Keyword("c/n"), Value::Long(i)}})}));
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Dump(base), base_dump);
  EXPECT_EQ(conn.Db().Count(Index::kAevt, {Value::Keyword("c/n")}), 201);
}

}  // namespace
}  // namespace strata::testing
