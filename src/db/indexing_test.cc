// Indexing: a database whose datoms moved into durable trees (IndexNow's
// tiers, merged by CompactTiers) answers every view exactly as the same
// database kept in memory, through random transactions, retractions of
// durable facts, :db/noHistory, refs and retractEntity, with indexing jobs
// and compactions in between.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "db/db_state.h"
#include "storage/mem_storage.h"
#include "testing/test_util.h"
#include "tx/transaction.h"

namespace strata::testing {
namespace {

using internal::CompactTiers;
using internal::DbState;
using internal::IndexNow;
using internal::MemStorage;
using internal::SegmentCache;
using internal::TreeOptions;

constexpr std::string_view kSchema = R"([
  {:db/ident :p/id :db/valueType :db.type/long :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :p/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :p/tag :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
  {:db/ident :p/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :p/score :db/valueType :db.type/long :db/cardinality :db.cardinality/one
   :db/noHistory true}])";

// A random transaction over 12 people.
std::string RandomTx(std::mt19937& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  int k = pick(12), j = pick(12), r = pick(6);
  switch (pick(7)) {
    case 0:
      return fmt::format(R"([{{:p/id {} :p/name "n{}" :p/score {}}}])", k, r, r);
    case 1:
      return fmt::format("[{{:p/id {} :p/tag :t{}}}]", k, r);
    case 2:
      return fmt::format("[[:db/retract [:p/id {}] :p/tag :t{}]]", k, r);
    case 3:
      return fmt::format("[{{:p/id {} :p/friend {{:p/id {}}}}}]", k, j);
    case 4:
      return fmt::format("[[:db/retract [:p/id {}] :p/friend [:p/id {}]]]", k, j);
    case 5:
      return fmt::format("[[:db/retractEntity [:p/id {}]]]", k);
    default:
      return fmt::format("[{{:p/id {} :p/score {}}} {{:p/id {} :p/name \"m{}\"}}]", k, r, j, r);
  }
}

// The datoms of `a` not in `b`, for failure messages.
std::string Missing(const std::vector<Datom>& a, const std::vector<Datom>& b) {
  std::string out;
  for (const Datom& d : a) {
    if (std::find(b.begin(), b.end(), d) == b.end()) out += ToString(d) + " ";
  }
  return out;
}

::testing::AssertionResult Same(const std::vector<Datom>& indexed,
                                const std::vector<Datom>& memory) {
  if (indexed == memory) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "only indexed: " << Missing(indexed, memory)
                                       << "\nonly memory: " << Missing(memory, indexed);
}

// The datoms of a past view: all of them, or (`skip_no_history`) all but
// those of :p/score, a :db/noHistory attribute whose past may linger (as
// Datomic's documentation allows) until the tier holding its assertion
// merges with the one holding its retraction.
std::vector<Datom> Past(const Database& db, Index index, bool skip_no_history) {
  std::vector<Datom> out = Dump(db, index);
  if (!skip_no_history) return out;
  EntityId score = db.EntidOrThrow(K("p/score"));
  out.erase(std::remove_if(out.begin(), out.end(), [&](const Datom& d) { return d.a == score; }),
            out.end());
  return out;
}

// Every view of `indexed` equals `memory`'s; with `lingering`, past views
// may differ in :db/noHistory datoms not yet indexed away.
void ExpectSameViews(const Database& indexed, const Database& memory, const std::string& where,
                     bool lingering) {
  for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
    ASSERT_TRUE(Same(Dump(indexed, index), Dump(memory, index)))
        << where << " index " << int(index);
    ASSERT_TRUE(
        Same(Past(indexed.History(), index, lingering), Past(memory.History(), index, lingering)))
        << where << " history, index " << int(index);
  }
  for (int64_t t = 1000; t <= memory.basis_t(); t += 7) {
    ASSERT_TRUE(Same(Past(indexed.AsOf(L(t)), Index::kEavt, lingering),
                     Past(memory.AsOf(L(t)), Index::kEavt, lingering)))
        << where << " as of " << t;
    ASSERT_TRUE(Same(Past(indexed.Since(L(t)), Index::kAevt, lingering),
                     Past(memory.Since(L(t)), Index::kAevt, lingering)))
        << where << " since " << t;
  }
  // Seeks from a key and by prefix go through the same merge.
  ASSERT_EQ(Dump(indexed, Index::kAevt, {K("p/tag")}), Dump(memory, Index::kAevt, {K("p/tag")}));
  ASSERT_EQ(Dump(indexed, Index::kAvet, {K("p/id"), L(3)}),
            Dump(memory, Index::kAvet, {K("p/id"), L(3)}));
}

class IndexingTest : public ::testing::TestWithParam<int> {};

TEST_P(IndexingTest, IndexedDatabasesAnswerAsTheMemoryIndexAlone) {
  std::mt19937 rng(static_cast<unsigned>(GetParam()));
  auto storage = std::make_shared<MemStorage>();
  auto cache = std::make_shared<SegmentCache>(size_t{64} << 10);
  TreeOptions tiny;
  tiny.leaf_datoms = 8;
  tiny.fanout = 4;
  int64_t now = 1'700'000'000'000;
  std::shared_ptr<const DbState> memory = DbState::Bootstrap();
  memory = internal::RunTransaction(Database(memory), ReadEdn(kSchema), now).state;
  std::shared_ptr<const DbState> indexed = IndexNow(*memory, storage, cache, tiny);
  for (int step = 0; step < 300; ++step) {
    std::string tx = RandomTx(rng);
    ++now;
    std::optional<Anomaly> failed_memory, failed_indexed;
    std::shared_ptr<const DbState> next_memory, next_indexed;
    try {
      next_memory = internal::RunTransaction(Database(memory), ReadEdn(tx), now).state;
    } catch (const Anomaly& e) {
      failed_memory = e;
    }
    try {
      next_indexed = internal::RunTransaction(Database(indexed), ReadEdn(tx), now).state;
    } catch (const Anomaly& e) {
      failed_indexed = e;
    }
    ASSERT_EQ(failed_memory.has_value(), failed_indexed.has_value())
        << tx << ": " << (failed_memory ? failed_memory->message() : failed_indexed->message());
    if (failed_memory) continue;
    memory = next_memory;
    indexed = next_indexed;
    if (rng() % 10 == 0) {
      indexed = IndexNow(*indexed, storage, cache, tiny);
      if (rng() % 2 == 0) indexed = CompactTiers(*indexed, 2 + static_cast<int>(rng() % 3), tiny);
    }
    if (step % 10 == 0) {
      ExpectSameViews(Database(indexed), Database(memory), "step " + std::to_string(step),
                      /*lingering=*/true);
    }
  }
  indexed = IndexNow(*indexed, storage, cache, tiny);
  ExpectSameViews(Database(indexed), Database(memory), "end", /*lingering=*/true);
  // Counts of the current view are exact with an empty memory index, in
  // any number of tiers.
  for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
    EXPECT_EQ(Database(indexed).Count(index), Database(memory).Count(index));
  }
  EXPECT_EQ(Database(indexed).Count(Index::kAevt, {K("p/id")}),
            Database(memory).Count(Index::kAevt, {K("p/id")}));
  // Merged into one tier, :db/noHistory datoms no longer linger.
  indexed = CompactTiers(*indexed, 1 << 30, tiny);
  ASSERT_EQ(indexed->durable->tiers.size(), 1u);
  ExpectSameViews(Database(indexed), Database(memory), "compacted", /*lingering=*/false);
  // Opened from its index alone (schema read from the trees), the database
  // is the same and takes the same transactions.
  std::shared_ptr<const DbState> opened =
      internal::StateFromIndex(indexed->durable, indexed->next_counter, indexed->last_tx_instant);
  EXPECT_EQ(opened->schema->Attributes().size(), memory->schema->Attributes().size());
  ExpectSameViews(Database(opened), Database(memory), "opened", /*lingering=*/false);
  std::string tx = R"([{:p/id 99 :p/name "new" :p/tag :fresh :p/friend [:p/id 99]}])";
  ++now;
  opened = internal::RunTransaction(Database(opened), ReadEdn(tx), now).state;
  memory = internal::RunTransaction(Database(memory), ReadEdn(tx), now).state;
  ExpectSameViews(Database(opened), Database(memory), "opened and written", /*lingering=*/false);
}

INSTANTIATE_TEST_SUITE_P(Seeds, IndexingTest, ::testing::Range(1, 13));

}  // namespace
}  // namespace strata::testing
