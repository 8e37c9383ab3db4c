// Durable index trees (see durable_tree.h).
#include "index/durable_tree.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <deque>
#include <string>
#include <type_traits>
#include <utility>

#include "strata/anomaly.h"

namespace strata::internal {
namespace {

std::string SegmentName(const Uuid& id) { return fmt::format("index segment {}", id.ToString()); }

[[noreturn]] void ThrowTreeFault(const Uuid& id, std::string_view problem) {
  ThrowFault(fmt::format("{} is corrupt: {}", SegmentName(id), problem),
             Value::Map({{Value::Keyword("blob"), Value::String(id.ToString())}}));
}

// Throws unless a non-empty root is one a tree can have.
void CheckRoot(const TreeRoot& root) {
  if (root.height < 1 || root.height > 64 || root.count < 1) {
    ThrowFault(fmt::format("{} is corrupt: a tree root of height {} and {} datoms",
                           SegmentName(*root.root), root.height, root.count));
  }
}

// ---- Reading segments

// Loads segments of one tree through the cache, checking each against the
// place it has in the tree.
class SegmentSource {
 public:
  SegmentSource(Storage* storage, SegmentCache* cache, Index index, TreeStats* stats = nullptr)
      : storage_(storage), cache_(cache), index_(index), stats_(stats) {}

  Index index() const { return index_; }

  // The segment `id` at `level` (0: a leaf), checked: its kind and index;
  // a directory's children of level - 1; and, when given, its first datom,
  // its count, and its last datom (or last child's first) before `upper`.
  std::shared_ptr<const Segment> Load(const Uuid& id, int level, const Datom* first, int64_t count,
                                      const Datom* upper) const {
    if (stats_ != nullptr) ++stats_->segments_read;
    std::shared_ptr<const Segment> segment;
    if (cache_ != nullptr) {
      segment = cache_->Get(id, [this, &id] { return Fetch(id); });
    } else {
      segment = Fetch(id);
    }
    Check(id, *segment, level, first, count, upper);
    return segment;
  }

  int Compare(const Datom& x, const Datom& y, int n = 5) const {
    return CompareDatoms(index_, x, y, n);
  }
  // x compared with the key's leading components.
  int CompareKey(const Datom& x, const DatomKey& key) const {
    return CompareDatoms(index_, x, key.probe, key.n);
  }

 private:
  std::shared_ptr<const Segment> Fetch(const Uuid& id) const {
    std::optional<std::string> bytes = storage_->Get(id);
    if (!bytes) {
      ThrowFault(fmt::format("{} is missing from storage", SegmentName(id)),
                 Value::Map({{Value::Keyword("blob"), Value::String(id.ToString())}}));
    }
    return std::make_shared<const Segment>(DecodeSegment(*bytes, SegmentName(id)));
  }

  void Check(const Uuid& id, const Segment& segment, int level, const Datom* first, int64_t count,
             const Datom* upper) const {
    const Datom* front = nullptr;
    const Datom* back = nullptr;
    int64_t actual = 0;
    Index index;
    if (const Leaf* leaf = std::get_if<Leaf>(&segment)) {
      if (level != 0)
        ThrowTreeFault(id, fmt::format("a leaf where level {} needs a directory", level));
      index = leaf->index;
      actual = static_cast<int64_t>(leaf->datoms.size());
      if (!leaf->datoms.empty()) {
        front = &leaf->datoms.front();
        back = &leaf->datoms.back();
      }
    } else {
      const auto& dir = std::get<Directory>(segment);
      if (level == 0) ThrowTreeFault(id, "a directory where a leaf belongs");
      index = dir.index;
      actual = dir.count;
      SegmentKind child_kind = level == 1 ? SegmentKind::kLeaf : SegmentKind::kDirectory;
      for (const ChildRef& child : dir.children) {
        if (child.kind != child_kind) {
          ThrowTreeFault(id, fmt::format("a child of kind {} at level {}",
                                         static_cast<int>(child.kind), level - 1));
        }
      }
      front = &dir.children.front().first;
      back = &dir.children.back().first;
    }
    if (index != index_) {
      ThrowTreeFault(
          id, fmt::format("a segment of {} in a tree of {}", IndexName(index), IndexName(index_)));
    }
    if (actual != count) {
      ThrowTreeFault(id, fmt::format("{} datoms where its entry says {}", actual, count));
    }
    if (first != nullptr && (front == nullptr || Compare(*front, *first) != 0)) {
      ThrowTreeFault(id, "its first datom is not its entry's");
    }
    if (upper != nullptr && back != nullptr && Compare(*back, *upper) >= 0) {
      ThrowTreeFault(id, "it reaches past the next entry's first datom");
    }
  }

  Storage* storage_;
  SegmentCache* cache_;
  Index index_;
  TreeStats* stats_;
};

const Directory& AsDirectory(const Segment& s) { return std::get<Directory>(s); }
const std::vector<Datom>& AsLeafDatoms(const Segment& s) { return std::get<Leaf>(s).datoms; }

// The child of `dir` a seek for `key` starts in: the last one whose first
// datom is before the key, or the first child. (A child whose first datom
// matches a partial key may have matches before it, in the child before;
// a whole key matches only itself.)
size_t StartChild(const SegmentSource& src, const Directory& dir, const DatomKey& key) {
  auto it = std::partition_point(dir.children.begin(), dir.children.end(), [&](const ChildRef& c) {
    return src.CompareKey(c.first, key) < 0;
  });
  size_t before = static_cast<size_t>(it - dir.children.begin());
  if (key.n >= 5 && it != dir.children.end() && src.CompareKey(it->first, key) == 0) return before;
  return before == 0 ? 0 : before - 1;
}

// The bound of child i of `dir`: the next child's first datom, or the
// directory's own bound.
const Datom* UpperOf(const Directory& dir, size_t i, const Datom* dir_upper) {
  return i + 1 < dir.children.size() ? &dir.children[i + 1].first : dir_upper;
}

// ---- The cursor

class TreeCursor : public DatomCursor {
 public:
  // Facts whose leaves stay alive (durable_tree.h's lifetime guarantee).
  static constexpr size_t kFactsKept = 4;

  TreeCursor(Storage* storage, SegmentCache* cache, Index index, const TreeRoot& root,
             const DatomKey& key, bool prefix_only)
      : src_(storage, cache, index), root_(root), key_(key), prefix_only_(prefix_only) {}

  const Datom* Next() override {
    if (!started_) {
      started_ = true;
      if (root_.empty()) {
        done_ = true;
      } else {
        Seek();
      }
    }
    while (!done_) {
      if (pos_ < leaf_->size()) {
        const Datom* d = &(*leaf_)[pos_];
        if (prefix_only_ && src_.CompareKey(*d, key_) != 0) {
          done_ = true;
          break;
        }
        ++pos_;
        Track(d);
        return d;
      }
      if (!NextLeaf()) done_ = true;
    }
    return nullptr;
  }

 private:
  // A directory on the path from the root to the current leaf.
  struct Frame {
    std::shared_ptr<const Segment> segment;
    const Directory* dir;
    size_t pos;          // the child the cursor is in
    const Datom* upper;  // the directory's bound (null: none)
  };

  void Seek() {
    CheckRoot(root_);
    int level = root_.height - 1;
    std::shared_ptr<const Segment> segment =
        src_.Load(*root_.root, level, nullptr, root_.count, nullptr);
    const Datom* upper = nullptr;
    while (level > 0) {
      const Directory& dir = AsDirectory(*segment);
      size_t i = StartChild(src_, dir, key_);
      path_.push_back(Frame{segment, &dir, i, upper});
      const ChildRef& child = dir.children[i];
      upper = UpperOf(dir, i, upper);
      segment = src_.Load(child.id, --level, &child.first, child.count, upper);
    }
    SetLeaf(std::move(segment));
    const std::vector<Datom>& datoms = *leaf_;
    pos_ = static_cast<size_t>(
        std::partition_point(datoms.begin(), datoms.end(),
                             [this](const Datom& d) { return src_.CompareKey(d, key_) < 0; }) -
        datoms.begin());
  }

  // Moves to the next leaf; false at the end of the tree, or of the prefix.
  bool NextLeaf() {
    while (!path_.empty() && path_.back().pos + 1 >= path_.back().dir->children.size()) {
      path_.pop_back();
    }
    if (path_.empty()) return false;
    Frame* frame = &path_.back();
    ++frame->pos;
    int level = root_.height - 1 - static_cast<int>(path_.size());
    for (;;) {
      const ChildRef& child = frame->dir->children[frame->pos];
      // Every datom from here on is at or after the child's first datom.
      if (prefix_only_ && src_.CompareKey(child.first, key_) != 0) return false;
      const Datom* upper = UpperOf(*frame->dir, frame->pos, frame->upper);
      std::shared_ptr<const Segment> segment =
          src_.Load(child.id, level, &child.first, child.count, upper);
      if (level == 0) {
        SetLeaf(std::move(segment));
        pos_ = 0;
        return true;
      }
      const Directory& dir = AsDirectory(*segment);
      path_.push_back(Frame{std::move(segment), &dir, 0, upper});
      frame = &path_.back();
      --level;
    }
  }

  void SetLeaf(std::shared_ptr<const Segment> segment) {
    leaf_ = &AsLeafDatoms(*segment);
    held_.push_back(Held{std::move(segment), ++leaf_seq_});
  }

  // Records that `d`, of the current leaf, was returned, and lets go of the
  // leaves no longer holding any of the last kFactsKept facts.
  void Track(const Datom* d) {
    if (last_ == nullptr || !SameFact(*last_, *d)) {
      run_starts_.push_back(leaf_seq_);
      if (run_starts_.size() > kFactsKept) run_starts_.pop_front();
      while (held_.front().seq < run_starts_.front()) held_.pop_front();
    }
    last_ = d;
  }

  struct Held {
    std::shared_ptr<const Segment> segment;
    uint64_t seq;
  };

  SegmentSource src_;
  TreeRoot root_;
  DatomKey key_;
  bool prefix_only_;
  bool started_ = false;
  bool done_ = false;
  std::vector<Frame> path_;
  const std::vector<Datom>* leaf_ = nullptr;  // the last of held_
  size_t pos_ = 0;
  uint64_t leaf_seq_ = 0;            // leaves loaded so far
  std::deque<Held> held_;            // leaves kept alive, oldest first
  std::deque<uint64_t> run_starts_;  // the leaf where each recent fact began
  const Datom* last_ = nullptr;      // the datom returned last
};

// ---- Counting

int64_t CountNode(const SegmentSource& src, const Segment& segment, int level, const DatomKey& key,
                  const Datom* upper) {
  if (level == 0) {
    const std::vector<Datom>& datoms = AsLeafDatoms(segment);
    auto lo = std::partition_point(datoms.begin(), datoms.end(),
                                   [&](const Datom& d) { return src.CompareKey(d, key) < 0; });
    auto hi = std::partition_point(lo, datoms.end(),
                                   [&](const Datom& d) { return src.CompareKey(d, key) == 0; });
    return hi - lo;
  }
  const Directory& dir = AsDirectory(segment);
  int64_t total = 0;
  for (size_t i = StartChild(src, dir, key); i < dir.children.size(); ++i) {
    const ChildRef& child = dir.children[i];
    if (src.CompareKey(child.first, key) > 0) break;
    const Datom* child_upper = UpperOf(dir, i, upper);
    int c = child_upper == nullptr ? 1 : src.CompareKey(*child_upper, key);
    if (c < 0) continue;
    // Matching datoms are contiguous: a child between two matching datoms
    // is all matching.
    if (c == 0 && src.CompareKey(child.first, key) == 0) {
      total += child.count;
      continue;
    }
    std::shared_ptr<const Segment> s =
        src.Load(child.id, level - 1, &child.first, child.count, child_upper);
    total += CountNode(src, *s, level - 1, key, child_upper);
  }
  return total;
}

// ---- Writing

// Input checks: the datoms a tree may hold, each after `previous` (null for
// the first).
void CheckInput(Index index, std::string_view what, const Datom* previous, const Datom& d) {
  if (d.e < 0 || d.a < 0 || d.tx < 0) {
    ThrowIncorrect("", fmt::format("{}: datom {} has a negative e, a or tx", what, ToString(d)));
  }
  if (previous != nullptr && CompareDatoms(index, *previous, d) >= 0) {
    ThrowIncorrect("", fmt::format("{}: datom {} does not follow {} in {} order", what, ToString(d),
                                   ToString(*previous), IndexName(index)));
  }
}

void CheckOptions(const TreeOptions& options) {
  if (options.leaf_datoms < 1 || options.fanout < 2) {
    ThrowIncorrect("",
                   fmt::format("tree options need leaf_datoms >= 1 and fanout >= 2, not {} and {}",
                               options.leaf_datoms, options.fanout));
  }
}

std::vector<Datom> Drain(DatomCursor& cursor, Index index, std::string_view what) {
  std::vector<Datom> out;
  while (const Datom* d = cursor.Next()) {
    CheckInput(index, what, out.empty() ? nullptr : &out.back(), *d);
    out.push_back(*d);
  }
  return out;
}

// Writes segments, committing them in batches.
class SegmentWriter {
 public:
  SegmentWriter(Storage* storage, Index index, const TreeOptions& options, TreeStats* stats)
      : storage_(storage), index_(index), options_(options), stats_(stats) {
    assert(options.leaf_datoms >= 1 && options.fanout >= 2);
  }

  ChildRef WriteLeaf(std::span<const Datom> datoms) {
    assert(!datoms.empty());
    ChildRef ref{datoms.front(), NewBlobKey(), SegmentKind::kLeaf,
                 static_cast<int64_t>(datoms.size())};
    ++stats_->leaves_written;
    Add(ref.id, EncodeLeaf(index_, datoms));
    return ref;
  }
  ChildRef WriteLeaf(std::span<const Datom* const> datoms) {
    assert(!datoms.empty());
    ChildRef ref{*datoms.front(), NewBlobKey(), SegmentKind::kLeaf,
                 static_cast<int64_t>(datoms.size())};
    ++stats_->leaves_written;
    Add(ref.id, EncodeLeaf(index_, datoms));
    return ref;
  }

  ChildRef WriteDirectory(std::span<const ChildRef> children) {
    assert(!children.empty());
    int64_t count = 0;
    for (const ChildRef& c : children) count += c.count;
    ChildRef ref{children.front().first, NewBlobKey(), SegmentKind::kDirectory, count};
    ++stats_->directories_written;
    Add(ref.id, EncodeDirectory(index_, children));
    return ref;
  }

  // Directories over `refs` (segments of level `level`), level by level,
  // until one remains: the root. *level becomes the root's.
  ChildRef BuildUp(std::vector<ChildRef> refs, int* level) {
    assert(!refs.empty());
    while (refs.size() > 1) {
      std::vector<ChildRef> up;
      size_t n = refs.size();
      size_t k = (n + options_.fanout - 1) / options_.fanout;
      for (size_t j = 0, begin = 0; j < k; ++j) {
        size_t end = n * (j + 1) / k;
        up.push_back(WriteDirectory(std::span(refs).subspan(begin, end - begin)));
        begin = end;
      }
      refs = std::move(up);
      ++*level;
    }
    return refs.front();
  }

  void Flush() {
    if (batch_.blobs.empty()) return;
    storage_->Commit(batch_);
    ++stats_->commits;
    batch_.blobs.clear();
    batch_bytes_ = 0;
  }

 private:
  void Add(const Uuid& id, std::string bytes) {
    stats_->bytes_written += static_cast<int64_t>(bytes.size());
    stats_->new_keys.push_back(id);
    batch_bytes_ += bytes.size();
    batch_.blobs.emplace_back(id, std::move(bytes));
    if (batch_bytes_ >= options_.batch_bytes) Flush();
  }

  Storage* storage_;
  Index index_;
  TreeOptions options_;
  TreeStats* stats_;
  StorageWrite batch_;
  size_t batch_bytes_ = 0;
};

// ---- Merging

// A segment in the making at some level: an existing one reused as is, or
// new contents, written only once the whole merge is decided (so that
// nothing written ends up unreachable).
struct Piece {
  std::optional<ChildRef> existing;
  std::vector<Datom> datoms;    // a new leaf's
  std::vector<Piece> children;  // a new directory's, one level down

  bool fresh() const { return !existing.has_value(); }
};

Piece Existing(const ChildRef& ref) { return Piece{ref, {}, {}}; }

class Merger {
 public:
  Merger(const SegmentSource& src, SegmentWriter* writer, const TreeOptions& options)
      : src_(src), writer_(writer), options_(options) {}

  // The new tree for `old` with the changes.
  TreeRoot Run(const TreeRoot& old, std::span<const Datom> adds, std::span<const Datom> rems) {
    int level = old.height - 1;
    std::vector<Piece> pieces =
        MergeNode(*old.root, level, nullptr, old.count, nullptr, adds, rems);
    Rebalance(level, &pieces);
    if (pieces.empty()) return TreeRoot{};
    // A root left with one child gives way to it.
    while (pieces.size() == 1 && level > 0) {
      Piece& only = pieces.front();
      if (only.fresh()) {
        if (only.children.size() != 1) break;
        Piece child = std::move(only.children.front());
        only = std::move(child);
      } else {
        const ChildRef& ref = *only.existing;
        std::shared_ptr<const Segment> s = src_.Load(ref.id, level, &ref.first, ref.count, nullptr);
        const Directory& dir = AsDirectory(*s);
        if (dir.children.size() != 1) break;
        only = Existing(dir.children.front());
      }
      --level;
    }
    std::vector<ChildRef> refs;
    for (Piece& p : pieces) refs.push_back(Write(level, &p));
    ChildRef root = writer_->BuildUp(std::move(refs), &level);
    return TreeRoot{root.id, root.count, level + 1};
  }

 private:
  // The fewest datoms (leaves) or children (directories) a segment the
  // merge writes may have, when it has a neighbour to join. Any piece of
  // a split is at least this big (see Split): for directories that needs
  // fanout >= 3, so fanout 2 lets a directory keep a single child.
  size_t MinFill(int level) const {
    if (level == 0) return std::max<size_t>(1, options_.leaf_datoms / 2);
    return options_.fanout < 3 ? 1 : std::max<size_t>(2, options_.fanout / 2);
  }

  // The pieces replacing segment `id` of `level` (entry: first, count,
  // upper) with the changes that fall in its range.
  std::vector<Piece> MergeNode(const Uuid& id, int level, const Datom* first, int64_t count,
                               const Datom* upper, std::span<const Datom> adds,
                               std::span<const Datom> rems) {
    std::shared_ptr<const Segment> segment = src_.Load(id, level, first, count, upper);
    if (level == 0) return Split(0, Apply(AsLeafDatoms(*segment), adds, rems));
    const Directory& dir = AsDirectory(*segment);
    std::vector<Piece> kids;
    for (size_t i = 0; i < dir.children.size(); ++i) {
      const ChildRef& child = dir.children[i];
      // Child i takes the changes before the next child's first datom (the
      // first child also those before its own).
      size_t a = adds.size();
      size_t r = rems.size();
      if (i + 1 < dir.children.size()) {
        const Datom& next = dir.children[i + 1].first;
        auto before = [&](const Datom& d) { return src_.Compare(d, next) < 0; };
        a = static_cast<size_t>(std::partition_point(adds.begin(), adds.end(), before) -
                                adds.begin());
        r = static_cast<size_t>(std::partition_point(rems.begin(), rems.end(), before) -
                                rems.begin());
      }
      if (a == 0 && r == 0) {
        kids.push_back(Existing(child));
        continue;
      }
      std::vector<Piece> merged = MergeNode(child.id, level - 1, &child.first, child.count,
                                            UpperOf(dir, i, upper), adds.first(a), rems.first(r));
      for (Piece& p : merged) kids.push_back(std::move(p));
      adds = adds.subspan(a);
      rems = rems.subspan(r);
    }
    Rebalance(level - 1, &kids);
    return Split(level, std::move(kids));
  }

  // old + adds - rems, in order.
  std::vector<Datom> Apply(const std::vector<Datom>& old, std::span<const Datom> adds,
                           std::span<const Datom> rems) const {
    std::vector<Datom> out;
    out.reserve(old.size() + adds.size());
    size_t i = 0;
    size_t j = 0;
    size_t k = 0;
    auto removed = [&](const Datom& d) {
      while (k < rems.size() && src_.Compare(rems[k], d) < 0) ++k;
      return k < rems.size() && src_.Compare(rems[k], d) == 0;
    };
    while (i < old.size() || j < adds.size()) {
      int c = i == old.size() ? 1 : j == adds.size() ? -1 : src_.Compare(old[i], adds[j]);
      const Datom& d = c < 0 ? old[i] : adds[j];
      if (c <= 0) ++i;
      if (c >= 0) ++j;
      if (!removed(d)) out.push_back(d);
    }
    return out;
  }

  // The contents of segments of `level` as pieces: one if they fit, else
  // split evenly into ceil(n / target) pieces, target being leaf_datoms
  // (leaves, which may hold up to twice that) or fanout (directories). Each
  // piece of a split then has more than target / 2 (and, for directories
  // with fanout >= 3, at least 2). None for nothing.
  template <typename T>
  std::vector<Piece> Split(int level, std::vector<T> items) {
    std::vector<Piece> out;
    size_t n = items.size();
    if (n == 0) return out;
    size_t target = level == 0 ? options_.leaf_datoms : options_.fanout;
    size_t max = level == 0 ? 2 * options_.leaf_datoms : options_.fanout;
    size_t k = n <= max ? 1 : (n + target - 1) / target;
    for (size_t j = 0, begin = 0; j < k; ++j) {
      size_t end = n * (j + 1) / k;
      Piece p;
      std::vector<T> part(std::make_move_iterator(items.begin() + static_cast<ptrdiff_t>(begin)),
                          std::make_move_iterator(items.begin() + static_cast<ptrdiff_t>(end)));
      if constexpr (std::is_same_v<T, Datom>) {
        p.datoms = std::move(part);
      } else {
        p.children = std::move(part);
      }
      out.push_back(std::move(p));
      begin = end;
    }
    return out;
  }

  size_t Fill(int level, const Piece& p) const {
    return level == 0 ? p.datoms.size() : p.children.size();
  }

  // Merges every new piece under MinFill(level) with a neighbour (and
  // splits the result again if that makes it too big). Terminates: a merge
  // either leaves one piece less, or splits into pieces of MinFill or more.
  void Rebalance(int level, std::vector<Piece>* pieces) {
    size_t i = 0;
    while (i < pieces->size() && pieces->size() > 1) {
      const Piece& p = (*pieces)[i];
      if (!p.fresh() || Fill(level, p) >= MinFill(level)) {
        ++i;
        continue;
      }
      size_t lo = i + 1 < pieces->size() ? i : i - 1;
      Piece& x = (*pieces)[lo];
      Piece& y = (*pieces)[lo + 1];
      std::vector<Piece> merged;
      if (level == 0) {
        std::vector<Datom> datoms = LeafContents(std::move(x));
        std::vector<Datom> more = LeafContents(std::move(y));
        datoms.insert(datoms.end(), std::make_move_iterator(more.begin()),
                      std::make_move_iterator(more.end()));
        merged = Split(level, std::move(datoms));
      } else {
        std::vector<Piece> children = DirectoryContents(level, std::move(x));
        std::vector<Piece> more = DirectoryContents(level, std::move(y));
        children.insert(children.end(), std::make_move_iterator(more.begin()),
                        std::make_move_iterator(more.end()));
        merged = Split(level, std::move(children));
      }
      auto at = pieces->begin() + static_cast<ptrdiff_t>(lo);
      at = pieces->erase(at, at + 2);
      pieces->insert(at, std::make_move_iterator(merged.begin()),
                     std::make_move_iterator(merged.end()));
      i = lo;
    }
  }

  // A leaf piece's datoms, reading the leaf if it exists.
  std::vector<Datom> LeafContents(Piece p) {
    if (!p.existing) return std::move(p.datoms);
    const ChildRef& ref = *p.existing;
    return AsLeafDatoms(*src_.Load(ref.id, 0, &ref.first, ref.count, nullptr));
  }

  // A directory piece's children, reading the directory if it exists.
  std::vector<Piece> DirectoryContents(int level, Piece p) {
    if (!p.existing) return std::move(p.children);
    const ChildRef& ref = *p.existing;
    std::shared_ptr<const Segment> s = src_.Load(ref.id, level, &ref.first, ref.count, nullptr);
    std::vector<Piece> out;
    for (const ChildRef& child : AsDirectory(*s).children) out.push_back(Existing(child));
    return out;
  }

  // Writes a piece of `level` (and the new pieces under it); its entry.
  ChildRef Write(int level, Piece* p) {
    if (p->existing) return *p->existing;
    if (level == 0) return writer_->WriteLeaf(p->datoms);
    std::vector<ChildRef> refs;
    refs.reserve(p->children.size());
    for (Piece& child : p->children) refs.push_back(Write(level - 1, &child));
    return writer_->WriteDirectory(refs);
  }

  const SegmentSource& src_;
  SegmentWriter* writer_;
  TreeOptions options_;
};

void ListNode(const SegmentSource& src, const ChildRef& ref, int level, const Datom* upper,
              std::vector<Uuid>* out) {
  out->push_back(ref.id);
  if (level == 0) return;
  std::shared_ptr<const Segment> s = src.Load(ref.id, level, &ref.first, ref.count, upper);
  const Directory& dir = AsDirectory(*s);
  for (size_t i = 0; i < dir.children.size(); ++i) {
    ListNode(src, dir.children[i], level - 1, UpperOf(dir, i, upper), out);
  }
}

}  // namespace

TreeRoot BuildTree(Storage* storage, Index index, DatomCursor& sorted, const TreeOptions& options,
                   TreeStats* stats) {
  CheckOptions(options);
  TreeStats local;
  SegmentWriter writer(storage, index, options, stats != nullptr ? stats : &local);
  const size_t leaf = options.leaf_datoms;
  // Two leaves' worth held back, so that the last two can share the rest:
  // pointers to the cursor's own datoms when they stay valid, else to
  // copies (a deque keeps them in place as it grows and shrinks).
  const bool stable = sorted.Stable();
  std::deque<Datom> copies;
  std::vector<const Datom*> held;
  held.reserve(std::min<size_t>(2 * leaf, 1 << 14));
  // A stable cursor's datoms are checked just before their leaf is encoded,
  // so that both read them while they are in the cache (fetched ahead), and
  // none is read twice from memory; copies are checked as they are made.
  size_t checked = 0;  // held[0, checked) are checked
  const Datom* previous = nullptr;
  auto check = [&](size_t end) {
    constexpr size_t kAhead = 16;
    for (size_t i = checked; i < end; ++i) {
      if (i + kAhead < end) __builtin_prefetch(held[i + kAhead]);
      if (i + kAhead / 2 < end) {
        if (const void* boxed = held[i + kAhead / 2]->v.heap()) __builtin_prefetch(boxed);
      }
      CheckInput(index, "BuildTree", previous, *held[i]);
      previous = held[i];
    }
    checked = end;
  };
  std::vector<ChildRef> leaves;
  while (const Datom* d = sorted.Next()) {
    if (!stable) {
      copies.push_back(*d);
      d = &copies.back();
    }
    held.push_back(d);
    if (!stable) check(held.size());
    if (held.size() == 2 * leaf) {
      check(leaf);
      leaves.push_back(writer.WriteLeaf(std::span(held).first(leaf)));
      held.erase(held.begin(), held.begin() + static_cast<ptrdiff_t>(leaf));
      checked -= leaf;
      if (!stable) copies.erase(copies.begin(), copies.begin() + static_cast<ptrdiff_t>(leaf));
    }
  }
  check(held.size());
  if (held.size() > leaf) {
    size_t half = held.size() / 2;
    leaves.push_back(writer.WriteLeaf(std::span(held).first(half)));
    leaves.push_back(writer.WriteLeaf(std::span(held).subspan(half)));
  } else if (!held.empty()) {
    leaves.push_back(writer.WriteLeaf(std::span<const Datom* const>(held)));
  }
  if (leaves.empty()) return TreeRoot{};
  int level = 0;
  ChildRef root = writer.BuildUp(std::move(leaves), &level);
  writer.Flush();
  return TreeRoot{root.id, root.count, level + 1};
}

TreeRoot MergeTree(Storage* storage, SegmentCache* cache, Index index, const TreeRoot& old,
                   DatomCursor& additions, DatomCursor& removals, const TreeOptions& options,
                   TreeStats* stats) {
  CheckOptions(options);
  std::vector<Datom> adds = Drain(additions, index, "MergeTree additions");
  std::vector<Datom> rems = Drain(removals, index, "MergeTree removals");
  if (adds.empty() && rems.empty()) return old;
  if (old.empty()) {
    SpanCursor cursor(adds);
    return BuildTree(storage, index, cursor, options, stats);
  }
  CheckRoot(old);
  TreeStats local;
  TreeStats* s = stats != nullptr ? stats : &local;
  SegmentSource src(storage, cache, index, s);
  SegmentWriter writer(storage, index, options, s);
  TreeRoot root = Merger(src, &writer, options).Run(old, adds, rems);
  writer.Flush();
  return root;
}

std::unique_ptr<DatomCursor> OpenTree(Storage* storage, SegmentCache* cache, Index index,
                                      const TreeRoot& root, const DatomKey& key, bool prefix_only) {
  return std::make_unique<TreeCursor>(storage, cache, index, root, key, prefix_only);
}

int64_t CountTree(Storage* storage, SegmentCache* cache, Index index, const TreeRoot& root,
                  const DatomKey& key) {
  if (root.empty()) return 0;
  CheckRoot(root);
  if (key.n == 0) return root.count;
  SegmentSource src(storage, cache, index);
  std::shared_ptr<const Segment> s =
      src.Load(*root.root, root.height - 1, nullptr, root.count, nullptr);
  return CountNode(src, *s, root.height - 1, key, nullptr);
}

std::vector<Uuid> ListTreeSegments(Storage* storage, SegmentCache* cache, Index index,
                                   const TreeRoot& root) {
  std::vector<Uuid> out;
  if (root.empty()) return out;
  CheckRoot(root);
  SegmentSource src(storage, cache, index);
  std::shared_ptr<const Segment> s =
      src.Load(*root.root, root.height - 1, nullptr, root.count, nullptr);
  out.push_back(*root.root);
  if (root.height == 1) return out;
  const Directory& dir = AsDirectory(*s);
  for (size_t i = 0; i < dir.children.size(); ++i) {
    ListNode(src, dir.children[i], root.height - 2, UpperOf(dir, i, nullptr), &out);
  }
  return out;
}

}  // namespace strata::internal
