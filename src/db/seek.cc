// The read path behind every Database read: sources of one index merged in
// index order, then the view's filters.
//
// All datoms about one fact (e, a, v) are adjacent in every index order,
// oldest first, so the time filter decides a fact's visibility from one run
// of datoms: as of t, a fact is visible when its latest datom with tx <= t is
// an assertion; since t, when that assertion's tx is after t; a history view
// passes every datom in its time window. When the durable index exists, its
// parts become more sources of the same merge: a retraction in the newer
// source then hides the assertion in the older by the same rule.
#include <cstdint>
#include <memory>
#include <vector>

#include "db/db_state.h"
#include "strata/database.h"

namespace strata::internal {
namespace {

// Two sorted cursors merged into one, in `index` order.
class MergeCursor : public DatomCursor {
 public:
  MergeCursor(Index index, std::unique_ptr<DatomCursor> a, std::unique_ptr<DatomCursor> b)
      : index_(index),
        a_(std::move(a)),
        b_(std::move(b)),
        next_a_(a_->Next()),
        next_b_(b_->Next()) {}

  const Datom* Next() override {
    if (next_a_ == nullptr && next_b_ == nullptr) return nullptr;
    bool take_a = next_b_ == nullptr ||
                  (next_a_ != nullptr && CompareDatoms(index_, *next_a_, *next_b_) <= 0);
    const Datom* d;
    if (take_a) {
      d = next_a_;
      next_a_ = a_->Next();
    } else {
      d = next_b_;
      next_b_ = b_->Next();
    }
    return d;
  }

 private:
  Index index_;
  std::unique_ptr<DatomCursor> a_, b_;
  const Datom* next_a_;
  const Datom* next_b_;
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

// `sources` merged pairwise into one cursor, as a balanced tree (so a datom
// passes through as few merges as possible: durable_tree.h's cursors keep
// their datoms alive for a lookahead of two merge levels).
std::unique_ptr<DatomCursor> MergeAll(Index index,
                                      std::vector<std::unique_ptr<DatomCursor>> sources) {
  while (sources.size() > 1) {
    std::vector<std::unique_ptr<DatomCursor>> next;
    for (size_t i = 0; i + 1 < sources.size(); i += 2) {
      next.push_back(
          std::make_unique<MergeCursor>(index, std::move(sources[i]), std::move(sources[i + 1])));
    }
    if (sources.size() % 2 == 1) next.push_back(std::move(sources.back()));
    sources = std::move(next);
  }
  return std::move(sources.front());
}

// Every source of `state`'s `index`: the memory index's parts, and the
// durable trees when there are any (history parts only when `history`).
std::vector<std::unique_ptr<DatomCursor>> Sources(const DbState& state, Index index,
                                                  const DatomKey& key, bool prefix_only,
                                                  bool history) {
  std::vector<std::unique_ptr<DatomCursor>> sources;
  sources.push_back(state.index.Seek(index, Part::kCurrent, key, prefix_only));
  sources.push_back(state.index.Seek(index, Part::kHistory, key, prefix_only));
  if (state.durable) {
    sources.push_back(state.durable->Seek(index, Part::kCurrent, key, prefix_only));
    if (history) sources.push_back(state.durable->Seek(index, Part::kHistory, key, prefix_only));
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
