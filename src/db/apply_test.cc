// Replaying the log rebuilds the database: the state that ApplyDatoms makes
// from each logged transaction's datoms, starting from the bootstrap, is the
// state the transactions made (datoms, history, schema, clocks). Opening a
// durable database relies on it.
#include <gtest/gtest.h>

#include "db/db_state.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

class ApplyTest : public DbTest {};

// Every logged transaction after the bootstrap, applied in order.
std::shared_ptr<const internal::DbState> Replay(const Log& log) {
  std::shared_ptr<const internal::DbState> state = internal::DbState::Bootstrap();
  for (const LogEntry& entry : log.TxRange(1, std::nullopt)) {
    state = internal::ApplyDatoms(*state, entry.t, entry.data);
  }
  return state;
}

TEST_F(ApplyTest, ReplayingTheLogRebuildsTheDatabase) {
  Tx(R"([{:db/ident :p/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
          :db/unique :db.unique/identity}
         {:db/ident :p/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
         {:db/ident :p/tags :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
         {:db/ident :p/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
         {:db/ident :p/secret :db/valueType :db.type/string :db/cardinality :db.cardinality/one
          :db/noHistory true}
         {:db/ident :p/name+age :db/valueType :db.type/tuple :db/tupleAttrs [:p/name :p/age]
          :db/cardinality :db.cardinality/one :db/unique :db.unique/value}])");
  Tx(R"([{:db/id "a" :p/name "Ann" :p/age 30 :p/tags [:x :y] :p/secret "s1"}
         {:db/id "b" :p/name "Bob" :p/friend ["a"]}])");
  Tx(R"([{:p/name "Ann" :p/age 31 :p/secret "s2"} [:db/retract [:p/name "Ann"] :p/tags :x]])");
  Tx(R"([{:db/id :p/tags :db/cardinality :db.cardinality/one}])");  // many -> one (one value left)
  Tx(R"([{:db/id :p/age :db/ident :p/years}])");                    // rename
  Tx(R"([{:db/id "datomic.tx" :db/doc "meta"} {:p/name "Cy" :p/years 5}])");
  Tx(R"([[:db/retractEntity [:p/name "Bob"]]])");
  Database live = Db();
  Database replayed(Replay(conn_.log()));
  EXPECT_EQ(replayed.basis_t(), live.basis_t());
  EXPECT_EQ(replayed.next_t(), live.next_t());
  EXPECT_EQ(replayed.state().last_tx_instant, live.state().last_tx_instant);
  for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
    EXPECT_EQ(Dump(replayed, index), Dump(live, index));
    EXPECT_EQ(Dump(replayed.History(), index), Dump(live.History(), index));
  }
  // The schema in force: the rename, the alteration, the composite.
  EXPECT_EQ(replayed.Entid(K("p/age")), live.Entid(K("p/years")));
  const Attribute* tags = replayed.state().schema->Find(*replayed.Entid(K("p/tags")));
  ASSERT_NE(tags, nullptr);
  EXPECT_FALSE(tags->many);
  EXPECT_EQ(replayed.Stats(), live.Stats());
  // And it goes on as the live one would: the next transaction gets the same
  // ids and t.
  conn_.Transact(std::string_view(R"([{:db/id "d" :p/name "Dee"}])"));
  TxReport next = Database(Replay(conn_.log())).With(ReadEdn(R"([{:db/id "e" :p/name "Eve"}])"));
  TxReport live_next = conn_.Db().With(ReadEdn(R"([{:db/id "e" :p/name "Eve"}])"));
  EXPECT_EQ(next.Tempid("e"), live_next.Tempid("e"));
  EXPECT_EQ(next.db_after.basis_t(), live_next.db_after.basis_t());
}

}  // namespace
}  // namespace strata::testing
