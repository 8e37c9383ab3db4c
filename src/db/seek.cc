// The read path behind every Database read: sources of one index merged in
// index order, then the view's filters.
//
// All datoms about one fact (e, a, v) are adjacent in every index order,
// oldest first, so the time filter decides a fact's visibility from one run
// of datoms: as of t, a fact is visible when its latest datom with tx <= t is
// an assertion; since t, when that assertion's tx is after t; a history view
// passes every datom in its time window. When the durable index exists, its
// tiers' trees become more sources of the same merge: a retraction in a
// newer source (the memory index, or a newer tier's retracts) then hides
// the assertion in the older by the same rule.
#include <cstdint>
#include <memory>
#include <vector>

#include "db/db_state.h"
#include "strata/database.h"

namespace strata::internal {
namespace {

// Sorted cursors merged into one, in `index` order: each source's next
// datom is held, and the least is returned (a linear scan: there are a
// handful of sources). One level of lookahead, whatever the number of
// sources, which durable_tree.h's datom lifetime relies on.
class MergeCursor : public DatomCursor {
 public:
  MergeCursor(Index index, std::vector<std::unique_ptr<DatomCursor>> sources)
      : index_(index), sources_(std::move(sources)) {
    heads_.reserve(sources_.size());
    for (auto& s : sources_) heads_.push_back(s->Next());
  }

  const Datom* Next() override {
    size_t best = heads_.size();
    for (size_t i = 0; i < heads_.size(); ++i) {
      if (heads_[i] == nullptr) continue;
      if (best == heads_.size() || CompareDatoms(index_, *heads_[i], *heads_[best]) < 0) best = i;
    }
    if (best == heads_.size()) return nullptr;
    const Datom* d = heads_[best];
    heads_[best] = sources_[best]->Next();
    return d;
  }

 private:
  Index index_;
  std::vector<std::unique_ptr<DatomCursor>> sources_;
  std::vector<const Datom*> heads_;
};

// The as-of / since / history filter over a merged cursor (see the file
// comment). Bounds are in t; as_of is the database's basis when not set.
class TimeCursor : public DatomCursor {
 public:
  TimeCursor(std::unique_ptr<DatomCursor> source, int64_t as_of, int64_t since, bool history)
      : source_(std::move(source)), as_of_(as_of), since_(since), history_(history) {}

  const Datom* Next() override {
    if (history_) {
      while (const Datom* d = source_->Next()) {
        int64_t t = TFromTx(d->tx);
        if (t <= as_of_ && t > since_) return d;
      }
      return nullptr;
    }
    for (;;) {
      const Datom* first = pending_ != nullptr ? pending_ : source_->Next();
      pending_ = nullptr;
      if (first == nullptr) return nullptr;
      // The run of datoms about first's fact; the latest one in the window
      // decides.
      const Datom* latest = TFromTx(first->tx) <= as_of_ ? first : nullptr;
      while (const Datom* d = source_->Next()) {
        if (!SameFact(*d, *first)) {
          pending_ = d;
          break;
        }
        if (TFromTx(d->tx) <= as_of_ && (latest == nullptr || d->tx >= latest->tx)) latest = d;
      }
      if (latest != nullptr && latest->added && TFromTx(latest->tx) > since_) return latest;
    }
  }

 private:
  std::unique_ptr<DatomCursor> source_;
  int64_t as_of_;
  int64_t since_;
  bool history_;
  const Datom* pending_ = nullptr;
};

// A Database::Filter view's predicate.
class PredicateCursor : public DatomCursor {
 public:
  PredicateCursor(std::unique_ptr<DatomCursor> source, Database unfiltered,
                  std::function<bool(const Database&, const Datom&)> keep)
      : source_(std::move(source)), unfiltered_(std::move(unfiltered)), keep_(std::move(keep)) {}

  const Datom* Next() override {
    while (const Datom* d = source_->Next()) {
      if (keep_(unfiltered_, *d)) return d;
    }
    return nullptr;
  }

 private:
  std::unique_ptr<DatomCursor> source_;
  Database unfiltered_;
  std::function<bool(const Database&, const Datom&)> keep_;
};

std::unique_ptr<DatomCursor> MergeAll(Index index,
                                      std::vector<std::unique_ptr<DatomCursor>> sources) {
  if (sources.size() == 1) return std::move(sources.front());
  return std::make_unique<MergeCursor>(index, std::move(sources));
}

// Every source of `state`'s `index`: the memory index's parts, and each
// durable tier's current and retracts parts, and history parts too when
// `history`. Empty trees are left out.
std::vector<std::unique_ptr<DatomCursor>> Sources(const DbState& state, Index index,
                                                  const DatomKey& key, bool prefix_only,
                                                  bool history) {
  std::vector<std::unique_ptr<DatomCursor>> sources;
  sources.push_back(state.index.Seek(index, Part::kCurrent, key, prefix_only));
  sources.push_back(state.index.Seek(index, Part::kHistory, key, prefix_only));
  if (const DurableIndex* durable = state.durable.get()) {
    for (size_t i = 0; i < durable->tiers.size(); ++i) {
      for (TierPart part : {TierPart::kCurrent, TierPart::kRetracts, TierPart::kHistory}) {
        if (part == TierPart::kHistory && !history) continue;
        if (durable->tiers[i].at(index, part).empty()) continue;
        sources.push_back(durable->Seek(i, index, part, key, prefix_only));
      }
    }
  }
  return sources;
}

}  // namespace

std::unique_ptr<DatomCursor> OpenCurrent(const DbState& state, Index index, const DatomKey& key,
                                         bool prefix_only) {
  // Without a durable index, the current part is the answer; with one, the
  // memory index's retractions must hide the durable assertions they
  // retract, which is the time filter's rule at the basis.
  if (!state.durable) return state.index.Seek(index, Part::kCurrent, key, prefix_only);
  return std::make_unique<TimeCursor>(MergeAll(index, Sources(state, index, key, prefix_only,
                                                              /*history=*/false)),
                                      INT64_MAX, -1, false);
}

std::unique_ptr<DatomCursor> OpenCursor(const Database& db, Index index, const DatomKey& key,
                                        bool prefix_only) {
  std::unique_ptr<DatomCursor> cursor;
  if (!db.as_of_t() && !db.since_t() && !db.is_history()) {
    cursor = OpenCurrent(db.state(), index, key, prefix_only);
  } else {
    cursor = std::make_unique<TimeCursor>(
        MergeAll(index, Sources(db.state(), index, key, prefix_only, /*history=*/true)),
        db.as_of_t().value_or(db.basis_t()), db.since_t().value_or(-1), db.is_history());
  }
  if (db.filter()) {
    cursor = std::make_unique<PredicateCursor>(std::move(cursor), db.Unfiltered(), db.filter());
  }
  return cursor;
}

}  // namespace strata::internal
