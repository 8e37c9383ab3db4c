// Property test of the durable index against a plain model: random
// transactions, indexing jobs (IndexNow), compactions (CompactTiers with
// random ratios) and restarts (the index pointer through the root's EDN, a
// fresh cache, the schema read from the trees, the log after the index
// replayed) in any interleaving. The model is the list of every datom ever
// transacted; after each step every index of the current database, its
// history, and as-of and since views at random points equal what the model
// says, computed naively: a fact is visible as of t when its latest datom
// at or before t is an assertion.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "db/db_state.h"
#include "index/datom_order.h"
#include "log/log_store.h"
#include "storage/mem_storage.h"
#include "testing/test_util.h"
#include "tx/transaction.h"

namespace strata::testing {
namespace {

using internal::DbState;

constexpr std::string_view kSchema = R"([
  {:db/ident :m/id :db/valueType :db.type/long :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :m/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :m/tag :db/valueType :db.type/long :db/cardinality :db.cardinality/many}
  {:db/ident :m/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}])";

constexpr int kEntities = 10;

// One step; its numbers pick entities and values when it runs.
struct Step {
  Step() = default;
  Step(int kind_in, int x_in, int y_in) : kind(kind_in), x(x_in), y(y_in) {}
  int kind = 0;  // 0-5 a transaction, 6 index, 7 compact, 8 restart
  int x = 0;
  int y = 0;
};

[[maybe_unused]] std::ostream& operator<<(std::ostream& os, const Step& s) {
  return os << "Step{" << s.kind << "," << s.x << "," << s.y << "}";
}

std::string TxOf(const Step& s) {
  int e = s.x % kEntities, v = s.y % 4;
  switch (s.kind) {
    case 0:
      return "[{:m/id " + std::to_string(e) + " :m/name \"n" + std::to_string(v) + "\"}]";
    case 1:
      return "[{:m/id " + std::to_string(e) + " :m/tag " + std::to_string(v) + "}]";
    case 2:
      return "[[:db/retract [:m/id " + std::to_string(e) + "] :m/tag " + std::to_string(v) + "]]";
    case 3:
      return "[{:m/id " + std::to_string(e) + " :m/friend {:m/id " + std::to_string(v) + "}}]";
    case 4:
      return "[[:db/retract [:m/id " + std::to_string(e) + "] :m/friend [:m/id " +
             std::to_string(v) + "]]]";
    default:
      return "[[:db/retractEntity [:m/id " + std::to_string(e) + "]]]";
  }
}

// What the model says a view holds, in `index` order: the datoms of every
// fact visible as of `as_of` and asserted after `since` (current views), or
// every datom in (since, as_of] (history).
std::vector<Datom> ModelView(const std::vector<Datom>& log, const DbState& state, Index index,
                             int64_t as_of, int64_t since, bool history) {
  std::vector<Datom> out;
  if (history) {
    for (const Datom& d : log) {
      int64_t t = TFromTx(d.tx);
      if (t <= as_of && t > since) out.push_back(d);
    }
  } else {
    std::map<std::tuple<EntityId, EntityId, std::string>, Datom> latest;
    for (const Datom& d : log) {
      if (TFromTx(d.tx) <= as_of) latest[{d.e, d.a, PrintEdn(d.v)}] = d;
    }
    for (const auto& [fact, d] : latest) {
      if (d.added && TFromTx(d.tx) > since) out.push_back(d);
    }
  }
  if (index == Index::kVaet) {
    std::erase_if(out, [&](const Datom& d) {
      const Attribute* attr = state.schema->Find(d.a);
      return attr == nullptr || !attr->is_ref();
    });
  }
  std::sort(out.begin(), out.end(), [index](const Datom& x, const Datom& y) {
    return internal::CompareDatoms(index, x, y) < 0;
  });
  return out;
}

// The database a restart opens: the index pointer as the root records it,
// the trees read through a fresh cache, and the log after the index.
std::shared_ptr<const DbState> Reopen(const std::shared_ptr<internal::Storage>& storage,
                                      const DbState& state, const std::vector<LogEntry>& log) {
  std::shared_ptr<const DbState> opened;
  if (state.durable) {
    internal::DbRoot root;
    internal::IndexPointer pointer;
    pointer.t = state.durable->t;
    // The clocks at the index's t: those of the state the index was made
    // from, which the log entries after it then move on.
    std::shared_ptr<const DbState> at_index = DbState::Bootstrap();
    for (const LogEntry& e : log) {
      if (e.t <= pointer.t) at_index = internal::ApplyDatoms(*at_index, e.t, e.data);
    }
    pointer.next_counter = at_index->next_counter;
    pointer.last_tx_instant = at_index->last_tx_instant;
    pointer.tiers = state.durable->tiers;
    root.index = pointer;
    internal::DbRoot back = internal::DecodeRoot(internal::EncodeRoot(root), "root");
    auto durable = std::make_shared<internal::DurableIndex>();
    durable->storage = storage;
    durable->cache = std::make_shared<internal::SegmentCache>(size_t{16} << 10);
    durable->t = back.index->t;
    durable->tiers = back.index->tiers;
    opened = internal::StateFromIndex(std::move(durable), back.index->next_counter,
                                      back.index->last_tx_instant);
  } else {
    opened = DbState::Bootstrap();
  }
  for (const LogEntry& e : log) {
    if (e.t > opened->basis_t) opened = internal::ApplyDatoms(*opened, e.t, e.data);
  }
  return opened;
}

RC_GTEST_PROP(IndexingModelTest, EveryViewEqualsAPlainModelThroughJobsAndRestarts, ()) {
  auto storage = std::make_shared<internal::MemStorage>();
  auto cache = std::make_shared<internal::SegmentCache>(size_t{32} << 10);
  internal::TreeOptions tiny;
  tiny.leaf_datoms = 4;
  tiny.fanout = 3;
  int64_t now = 1'700'000'000'000;
  std::shared_ptr<const DbState> state = DbState::Bootstrap();
  std::vector<LogEntry> log;
  // Every datom ever, the bootstrap's and then every transaction's: the
  // model.
  std::vector<Datom> datoms = Dump(Database(state).History(), Index::kEavt);
  auto transact = [&](const std::string& edn) {
    internal::TxResult r = internal::RunTransaction(Database(state), ReadEdn(edn), ++now);
    log.push_back(LogEntry{r.state->basis_t, r.tx_data});
    for (const Datom& d : r.tx_data) datoms.push_back(d);
    state = r.state;
  };
  transact(std::string(kSchema));
  const int64_t first_t = state->basis_t;
  const auto steps = *rc::gen::container<std::vector<Step>>(rc::gen::construct<Step>(
      rc::gen::inRange(0, 9), rc::gen::inRange(0, 100), rc::gen::inRange(0, 100)));
  for (const Step& s : steps) {
    if (s.kind <= 5) {
      try {
        transact(TxOf(s));
      } catch (const Anomaly&) {
        // e.g. a retraction through a lookup ref of an entity not yet made
      }
    } else if (s.kind == 6) {
      state = internal::IndexNow(*state, storage, cache, tiny);
    } else if (s.kind == 7) {
      state = internal::CompactTiers(*state, 2 + s.x % 3, tiny);
    } else {
      state = Reopen(storage, *state, log);
    }
    Database db(state);
    RC_ASSERT(db.basis_t() == log.back().t);
    for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
      RC_ASSERT(Dump(db, index) == ModelView(datoms, *state, index, INT64_MAX, -1, false));
      RC_ASSERT(Dump(db.History(), index) == ModelView(datoms, *state, index, INT64_MAX, -1, true));
    }
    int64_t t = first_t + s.y % (db.basis_t() - first_t + 1);
    RC_ASSERT(Dump(db.AsOf(L(t)), Index::kEavt) ==
              ModelView(datoms, *state, Index::kEavt, t, -1, false));
    RC_ASSERT(Dump(db.Since(L(t)), Index::kAevt) ==
              ModelView(datoms, *state, Index::kAevt, INT64_MAX, t, false));
    RC_ASSERT(Dump(db.AsOf(L(t)).History(), Index::kAvet) ==
              ModelView(datoms, *state, Index::kAvet, t, -1, true));
  }
}

}  // namespace
}  // namespace strata::testing
