// A set of rows of a fixed width, stored flat: the rule solver's tables and
// the engine's distinct projections.
#ifndef STRATA_QUERY_ROW_SET_H_
#define STRATA_QUERY_ROW_SET_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "query/relation.h"

namespace strata::query {

inline uint64_t HashSlots(const Slot* row, size_t width) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ width;
  for (size_t i = 0; i < width; ++i) {
    h ^= row[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
  }
  return h ^ (h >> 33);
}

class RowSet {
 public:
  explicit RowSet(size_t width) : width_(width), index_(16, Hash{this}, Eq{this}) {}
  RowSet(const RowSet&) = delete;
  RowSet& operator=(const RowSet&) = delete;

  size_t width() const { return width_; }
  size_t size() const { return width_ == 0 ? (has_empty_ ? 1 : 0) : hashes_.size(); }
  const Slot* Row(size_t i) const { return data_.data() + i * width_; }
  const std::vector<Slot>& data() const { return data_; }

  // Room for n rows without growing.
  void Reserve(size_t n) {
    data_.reserve(n * width_);
    hashes_.reserve(n);
    index_.reserve(n);
  }

  // Adds `row` unless present; true when added.
  bool Insert(const Slot* row) {
    if (width_ == 0) {
      bool added = !has_empty_;
      has_empty_ = true;
      return added;
    }
    // The row goes in first: the index's functors read rows by number.
    uint32_t n = static_cast<uint32_t>(hashes_.size());
    AppendSlots(&data_, row, width_);
    hashes_.push_back(HashSlots(row, width_));
    if (index_.insert(n).second) return true;
    data_.resize(data_.size() - width_);
    hashes_.pop_back();
    return false;
  }
  bool Contains(const Slot* row) const {
    if (width_ == 0) return has_empty_;
    auto* self = const_cast<RowSet*>(this);
    uint32_t n = static_cast<uint32_t>(hashes_.size());
    AppendSlots(&self->data_, row, width_);
    self->hashes_.push_back(HashSlots(row, width_));
    bool found = index_.contains(n);
    self->data_.resize(self->data_.size() - width_);
    self->hashes_.pop_back();
    return found;
  }

 private:
  // Hashes are kept per row, so growing the index rehashes nothing.
  struct Hash {
    const RowSet* set;
    size_t operator()(uint32_t i) const { return set->hashes_[i]; }
  };
  struct Eq {
    const RowSet* set;
    bool operator()(uint32_t a, uint32_t b) const {
      if (set->hashes_[a] != set->hashes_[b]) return false;
      const Slot* x = set->Row(a);
      const Slot* y = set->Row(b);
      for (size_t i = 0; i < set->width_; ++i) {
        if (x[i] != y[i]) return false;
      }
      return true;
    }
  };

  size_t width_;
  bool has_empty_ = false;
  std::vector<Slot> data_;
  std::vector<uint64_t> hashes_;
  absl::flat_hash_set<uint32_t, Hash, Eq> index_;
};

}  // namespace strata::query

#endif  // STRATA_QUERY_ROW_SET_H_
