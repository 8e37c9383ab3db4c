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

}  // namespace

std::unique_ptr<DatomCursor> OpenCursor(const Database& db, Index index, const DatomKey& key,
                                        bool prefix_only) {
  const MemoryIndex& mem = db.state().index;
  std::unique_ptr<DatomCursor> cursor;
  if (!db.as_of_t() && !db.since_t() && !db.is_history()) {
    // The database now: the current part alone.
    cursor = mem.Seek(index, Part::kCurrent, key, prefix_only);
  } else {
    cursor = std::make_unique<MergeCursor>(index, mem.Seek(index, Part::kCurrent, key, prefix_only),
                                           mem.Seek(index, Part::kHistory, key, prefix_only));
    cursor = std::make_unique<TimeCursor>(std::move(cursor), db.as_of_t().value_or(db.basis_t()),
                                          db.since_t().value_or(-1), db.is_history());
  }
  if (db.filter()) {
    cursor = std::make_unique<PredicateCursor>(std::move(cursor), db.Unfiltered(), db.filter());
  }
  return cursor;
}

}  // namespace strata::internal
