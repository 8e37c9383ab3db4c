// The memory index's data structure: a persistent (immutable, structurally
// shared) sorted set, as DataScript's persistent-sorted-set. It is a B+tree
// whose nodes never change once a set that reaches them has been published;
// a new version copies the nodes on the paths it changes and shares the rest,
// so a snapshot (a database value) is a copy of one pointer, and readers on
// other threads neither block the writer nor see half-applied changes.
//
// Nodes, one allocation each, fixed capacity (B = kBranchCapacity):
//
//   Leaf, level 0 (8 + 8 * 64 = 520 bytes for 8-byte elements by default):
//   | refs:u32 | count:u16 | level:u8 | pad | elem[0] elem[1] ... elem[count-1] | unused |
//
//   Branch, level >= 1:
//   | refs:u32 | count:u16 | level:u8 | pad | first[0..B) | child[0..B) | size[0..B) |
//
//   child[i] is a node of level - 1; first[i] is the smallest element under
//   child[i] (first[0] is the smallest of the branch itself); size[i] is the
//   number of elements under child[i], so Size() is O(1) and counting a range
//   is O(log n). Elements are strictly increasing in key order from child to
//   child. All leaves are at the same depth; leaves hold 1..kLeafCapacity
//   elements, branches other than the root kBranchCapacity / 2..B children
//   (so the depth is O(log n)). An insert that overflows a leaf at its end
//   (or, on the left spine, at its start) keeps the full leaf and starts a new
//   one, so ascending and clustered inserts (new entities, one attribute's new
//   datoms) leave leaves full; other splits are even. A sorted batch
//   (Builder::InsertSorted) is merged into each leaf it touches at once, one
//   descent per leaf, with the same rule for the leaves it fills. An erase
//   that leaves a node below half full merges it with, or borrows from, a
//   neighbour.
//
// `refs` counts the parents and sets that hold a node; a node is freed with
// its subtree when it drops to zero (relaxed increment, acq_rel decrement).
// A Builder writes a node in place only when every node on the path from its
// root to that node has refs == 1, i.e. when no other set or parent can reach
// it; any other node is copied on its first write. The refs == 1 test is an
// acquire load, pairing with the release in other holders' decrements, so
// whatever they read of a node happens before the builder writes it. A set
// returned by Build() holds its own reference to the root, so the builder's
// later edits copy.
//
// Thread safety: a set is immutable. Any number of threads may read, iterate,
// search, copy and destroy sets that share nodes while one thread (per
// builder) builds new versions from them. A set *object* (the handle) is like
// an int: concurrent reads are fine, a write to it (assignment) needs outside
// synchronization against other accesses to that same object. A Builder is
// used by one thread at a time.
#ifndef STRATA_INDEX_PERSISTENT_SORTED_SET_H_
#define STRATA_INDEX_PERSISTENT_SORTED_SET_H_

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata::internal {

// A persistent sorted set of T ordered by Compare.
//
// REQUIRES: T is trivially copyable and trivially default-constructible
// (in practice `const Datom*` or an integer). Compare is a copyable functor
// with `int operator()(const T& a, const T& b) const` returning <0, 0 or >0, a
// strict weak order. Elements that compare equal are the same element.
//
// Heterogeneous seeks take a key K and a KeyCompare functor
// `int operator()(const T& element, const K& key) const` (<0: element before
// the key, 0: element matches, >0: after). REQUIRES: it agrees with Compare's
// order, i.e. kc(e, key) is non-decreasing as e increases. A partial key
// ("entity 42, any attribute") matches a contiguous run of elements.
template <typename T, typename Compare, size_t kLeafCapacity = 64,
          size_t kBranchCapacity = kLeafCapacity>
class PersistentSortedSet {
  static_assert(std::is_trivially_copyable_v<T>, "elements are copied with memmove");
  static_assert(std::is_trivially_default_constructible_v<T>, "nodes leave slots uninitialized");
  static_assert(kLeafCapacity >= 2 && kLeafCapacity <= 0xffff);
  static_assert(kBranchCapacity >= 4 && kBranchCapacity <= 0xffff);

  struct Node;
  struct Leaf;

 public:
  class Iterator;
  class Builder;

  using ReverseIterator = std::reverse_iterator<Iterator>;

  // The empty set.
  explicit PersistentSortedSet(Compare cmp = Compare()) : cmp_(std::move(cmp)) {}

  // O(1): the copy shares every node.
  PersistentSortedSet(const PersistentSortedSet& other)
      : root_(other.root_), size_(other.size_), cmp_(other.cmp_) {
    if (root_ != nullptr) Ref(root_);
  }
  PersistentSortedSet(PersistentSortedSet&& other) noexcept
      : root_(std::exchange(other.root_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        cmp_(other.cmp_) {}
  PersistentSortedSet& operator=(const PersistentSortedSet& other) {
    PersistentSortedSet copy(other);
    swap(copy);
    return *this;
  }
  PersistentSortedSet& operator=(PersistentSortedSet&& other) noexcept {
    PersistentSortedSet moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~PersistentSortedSet() {
    if (root_ != nullptr) Unref(root_);
  }

  void swap(PersistentSortedSet& other) noexcept {
    std::swap(root_, other.root_);
    std::swap(size_, other.size_);
    std::swap(cmp_, other.cmp_);
  }

  size_t Size() const { return size_; }
  bool Empty() const { return size_ == 0; }

  // A new set with x added. If an element equal to x is present, the result
  // is this set unchanged (the existing element is kept, not replaced) and
  // *added, when given, is false. Copies O(log n) nodes.
  PersistentSortedSet Insert(const T& x, bool* added = nullptr) const {
    Builder builder(*this);
    bool result = builder.Insert(x);
    if (added != nullptr) *added = result;
    return std::move(builder).Build();
  }

  // A new set without the element equal to x; this set unchanged (and
  // *erased false) if there is none.
  PersistentSortedSet Erase(const T& x, bool* erased = nullptr) const {
    Builder builder(*this);
    bool result = builder.Erase(x);
    if (erased != nullptr) *erased = result;
    return std::move(builder).Build();
  }

  // Iteration in ascending order. Iterators (and the references they return)
  // stay valid while this set, or any set sharing its root, is alive; they do
  // not keep the nodes alive themselves.
  Iterator begin() const { return Nth(0); }
  Iterator end() const { return Iterator(root_, size_, size_); }
  ReverseIterator rbegin() const { return ReverseIterator(end()); }
  ReverseIterator rend() const { return ReverseIterator(begin()); }

  // The element of rank `rank` (0-based); end() if rank >= Size(). O(log n).
  Iterator Nth(size_t rank) const {
    Iterator it(root_, size_, std::min(rank, size_));
    it.Seek();
    return it;
  }

  // The first element e with kc(e, key) >= 0 (not before the key).
  template <typename K, typename KeyCompare>
  Iterator LowerBound(const K& key, const KeyCompare& kc) const {
    return Bound<false>(key, kc);
  }
  Iterator LowerBound(const T& x) const { return Bound<false>(x, cmp_); }

  // The first element e with kc(e, key) > 0 (after the key).
  template <typename K, typename KeyCompare>
  Iterator UpperBound(const K& key, const KeyCompare& kc) const {
    return Bound<true>(key, kc);
  }
  Iterator UpperBound(const T& x) const { return Bound<true>(x, cmp_); }

  // Moves `it` on to the first element not before `key` (kc(e, key) >= 0)
  // when that element is in its current leaf, with a search of that leaf
  // alone; false, `it` unchanged, when it lies beyond. A lookup after a
  // nearby lookup costs no descent from the root.
  // REQUIRES: `it` is an iterator of this set; key is not before *it.
  template <typename K, typename KeyCompare>
  bool SeekInLeaf(Iterator* it, const K& key, const KeyCompare& kc) const {
    const Leaf* leaf = it->leaf_;
    if (leaf == nullptr || kc(leaf->keys[leaf->count - 1], key) < 0) return false;
    // Galloping: the key is usually a few elements on, so probe 1, 2, 4...
    // ahead, then search the last gap.
    size_t lo = it->pos_;
    size_t hi = lo;
    for (size_t step = 1; hi < leaf->count && kc(leaf->keys[hi], key) < 0; step *= 2) {
      lo = hi + 1;
      hi = std::min<size_t>(lo + step, leaf->count);
    }
    size_t pos = lo + Partition<false>(leaf->keys + lo, hi - lo, key, kc);
    it->rank_ += pos - it->pos_;
    it->pos_ = static_cast<uint32_t>(pos);
    return true;
  }

  // The element equal to x, or end().
  Iterator Find(const T& x) const {
    Iterator it = LowerBound(x);
    return it != end() && cmp_(*it, x) == 0 ? it : end();
  }
  bool Contains(const T& x) const { return Find(x) != end(); }

  // The number of elements before the key (e with kc(e, key) < 0). O(log n).
  template <typename K, typename KeyCompare>
  size_t CountLess(const K& key, const KeyCompare& kc) const {
    const Leaf* leaf;
    size_t pos;
    return Rank<false>(key, kc, &leaf, &pos);
  }

  // The number of elements in [lo, hi): from the first element not before
  // `lo` to the last element before `hi`; 0 if hi <= lo. O(log n), from the
  // subtree sizes (the query planner's statistics).
  template <typename K, typename KeyCompare>
  size_t CountRange(const K& lo, const K& hi, const KeyCompare& kc) const {
    size_t a = CountLess(lo, kc);
    size_t b = CountLess(hi, kc);
    return b > a ? b - a : 0;
  }
  size_t CountRange(const T& lo, const T& hi) const { return CountRange(lo, hi, cmp_); }

  // The number of elements from `lo` (an iterator of this set) to the last
  // element before `hi`.
  template <typename K, typename KeyCompare>
  size_t CountRange(const Iterator& lo, const K& hi, const KeyCompare& kc) const {
    size_t b = CountLess(hi, kc);
    return b > lo.rank() ? b - lo.rank() : 0;
  }
  size_t CountRange(const Iterator& lo, const T& hi) const { return CountRange(lo, hi, cmp_); }

  // Calls f(const void* node, size_t bytes) once for each node of this set.
  // Two sets that share a node both visit it (compare the addresses to
  // measure sharing between versions).
  template <typename F>
  void ForEachNode(F&& f) const {
    if (root_ != nullptr) VisitNodes(root_, f);
  }

  // Bytes of node memory reachable from this set (nodes shared with other
  // versions included); allocator overhead not included. O(n / capacity).
  size_t MemoryUsage() const {
    size_t bytes = 0;
    ForEachNode([&bytes](const void*, size_t node_bytes) { bytes += node_bytes; });
    return bytes;
  }

  // Levels of the tree: 0 for the empty set, 1 for one leaf.
  size_t Height() const { return root_ == nullptr ? 0 : root_->level + 1u; }

  // For tests: checks every structural invariant (order, separators, subtree
  // sizes, balance, fill, reference counts); returns "" or the first
  // violation found. O(n).
  std::string Validate() const;

 private:
  struct Node {
    explicit Node(uint8_t node_level) : level(node_level) {}
    std::atomic<uint32_t> refs{1};
    uint16_t count = 0;
    uint8_t level;  // 0 for a leaf; a branch's children are one lower.
  };
  struct Leaf : Node {
    Leaf() : Node(0) {}
    T keys[kLeafCapacity];
  };
  struct Branch : Node {
    explicit Branch(uint8_t node_level) : Node(node_level) {}
    T keys[kBranchCapacity];  // keys[i]: the first element under children[i].
    Node* children[kBranchCapacity];
    size_t counts[kBranchCapacity];  // counts[i]: elements under children[i].
  };

  // What an insert below a node reports to its parent.
  struct InsertResult {
    bool added = false;
    Node* split = nullptr;  // A new right sibling, holding one reference.
  };

  static Leaf* AsLeaf(Node* n) { return static_cast<Leaf*>(n); }
  static const Leaf* AsLeaf(const Node* n) { return static_cast<const Leaf*>(n); }
  static Branch* AsBranch(Node* n) { return static_cast<Branch*>(n); }
  static const Branch* AsBranch(const Node* n) { return static_cast<const Branch*>(n); }

  static void Ref(Node* n) { n->refs.fetch_add(1, std::memory_order_relaxed); }
  static void Unref(Node* n) {
    if (n->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) Destroy(n);
  }
  static void Destroy(Node* n) {
    if (n->level == 0) {
      delete AsLeaf(n);
      return;
    }
    Branch* b = AsBranch(n);
    for (size_t i = 0; i < b->count; ++i) Unref(b->children[i]);  // depth is the height
    delete b;
  }
  // True when only one holder references n. Acquire pairs with the release
  // of the other holders' Unref, so their reads of n happen before our writes.
  static bool Exclusive(const Node* n) { return n->refs.load(std::memory_order_acquire) == 1; }

  static const T& First(const Node* n) {
    return n->level == 0 ? AsLeaf(n)->keys[0] : AsBranch(n)->keys[0];
  }
  static size_t SubtreeSize(const Node* n) {
    if (n->level == 0) return n->count;
    const Branch* b = AsBranch(n);
    size_t total = 0;
    for (size_t i = 0; i < b->count; ++i) total += b->counts[i];
    return total;
  }
  static size_t Capacity(const Node* n) { return n->level == 0 ? kLeafCapacity : kBranchCapacity; }

  // The first i in [0, n) with kc(keys[i], key) >= 0 (kUpper: > 0), or n.
  template <bool kUpper, typename K, typename KeyCompare>
  static size_t Partition(const T* keys, size_t n, const K& key, const KeyCompare& kc) {
    size_t lo = 0;
    size_t hi = n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      auto c = kc(keys[mid], key);
      if (kUpper ? c > 0 : c >= 0) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
  // The child of b whose range holds the lower (kUpper: upper) bound of key,
  // or whose end is just before it: the last child i whose first element is
  // before the key (kUpper: not after it), or 0.
  template <bool kUpper, typename K, typename KeyCompare>
  static size_t Route(const Branch* b, const K& key, const KeyCompare& kc) {
    return Partition<kUpper>(b->keys + 1, b->count - 1u, key, kc);
  }

  static Leaf* NewLeaf(const T& x) {
    Leaf* l = new Leaf;
    l->keys[0] = x;
    l->count = 1;
    return l;
  }
  static Node* Clone(const Node* n) {
    if (n->level == 0) {
      const Leaf* l = AsLeaf(n);
      Leaf* c = new Leaf;
      std::copy(l->keys, l->keys + l->count, c->keys);
      c->count = l->count;
      return c;
    }
    const Branch* b = AsBranch(n);
    Branch* c = new Branch(b->level);
    std::copy(b->keys, b->keys + b->count, c->keys);
    std::copy(b->children, b->children + b->count, c->children);
    std::copy(b->counts, b->counts + b->count, c->counts);
    c->count = b->count;
    for (size_t i = 0; i < c->count; ++i) Ref(c->children[i]);
    return c;
  }
  // REQUIRES: b is exclusively ours. Returns b's child i, copied first if
  // anyone else can reach it.
  static Node* WritableChild(Branch* b, size_t i) {
    Node* c = b->children[i];
    if (Exclusive(c)) return c;
    Node* copy = Clone(c);
    b->children[i] = copy;
    Unref(c);
    return copy;
  }

  static Node* InsertLeaf(Leaf* l, bool owned, const T& x, const Compare& cmp, InsertResult* r);
  static Node* InsertNode(Node* n, bool owned, const T& x, const Compare& cmp, InsertResult* r);
  static void InsertChild(Branch* b, size_t at, Node* child, InsertResult* r);
  static Node* EraseNode(Node* n, bool owned, const T& x, const Compare& cmp, bool* found);
  static void RemoveChild(Branch* b, size_t at);
  static void Rebalance(Branch* b, size_t j);

  // Bulk insertion (Builder::InsertSorted): the nodes replacing a subtree
  // are appended to an output list, each holding one reference for the
  // caller, who still holds (and later drops) its reference to the old one.
  struct RunState {
    const Compare& cmp;
    std::vector<T> merged;  // scratch: a leaf's elements and its new ones
    size_t added = 0;
  };
  static size_t Gallop(const T* xs, size_t n, const T& key, const Compare& cmp);
  static void InsertRun(Node* n, bool owned, std::span<const T> xs, RunState* s,
                        std::vector<Node*>* out);
  static void InsertRunLeaf(Leaf* l, bool owned, std::span<const T> xs, RunState* s,
                            std::vector<Node*>* out);
  static void InsertRunBranch(Branch* b, bool owned, std::span<const T> xs, RunState* s,
                              std::vector<Node*>* out);
  static void PackBranches(uint8_t level, std::span<Node* const> kids, std::vector<Node*>* out);

  template <bool kUpper, typename K, typename KeyCompare>
  size_t Rank(const K& key, const KeyCompare& kc, const Leaf** leaf, size_t* pos) const {
    *leaf = nullptr;
    *pos = 0;
    if (root_ == nullptr) return 0;
    const Node* n = root_;
    size_t rank = 0;
    while (n->level > 0) {
      const Branch* b = AsBranch(n);
      size_t j = Route<kUpper>(b, key, kc);
      for (size_t i = 0; i < j; ++i) rank += b->counts[i];
      n = b->children[j];
    }
    *leaf = AsLeaf(n);
    *pos = Partition<kUpper>(AsLeaf(n)->keys, n->count, key, kc);
    return rank + *pos;
  }
  template <bool kUpper, typename K, typename KeyCompare>
  Iterator Bound(const K& key, const KeyCompare& kc) const {
    const Leaf* leaf;
    size_t pos;
    Iterator it(root_, size_, Rank<kUpper>(key, kc, &leaf, &pos));
    if (leaf != nullptr && pos < leaf->count) {
      it.leaf_ = leaf;
      it.pos_ = static_cast<uint32_t>(pos);
    } else {
      it.Seek();  // The bound is the first element of the next leaf, or end.
    }
    return it;
  }

  template <typename F>
  static void VisitNodes(const Node* n, F& f) {
    if (n->level == 0) {
      f(static_cast<const void*>(n), sizeof(Leaf));
      return;
    }
    const Branch* b = AsBranch(n);
    f(static_cast<const void*>(n), sizeof(Branch));
    for (size_t i = 0; i < b->count; ++i) VisitNodes(b->children[i], f);
  }
  std::string ValidateNode(const Node* n, bool is_root, const T** last, size_t* size) const;

  Node* root_ = nullptr;  // Holds one reference; nullptr iff the set is empty.
  size_t size_ = 0;
  [[no_unique_address]] Compare cmp_;
};

// A bidirectional iterator over a set's elements, 40 bytes. It records its
// rank (position) and the leaf it is in; stepping out of a leaf finds the
// next one from the root by rank, O(log n) once per leaf (amortized O(1)
// per element). Decrementing end() gives the last element. Two iterators are
// equal when they are at the same position of the same set.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
class PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::Iterator {
 public:
  // The standard names, so std algorithms and std::reverse_iterator work.
  // NOLINTBEGIN(readability-identifier-naming)
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = const T*;
  using reference = const T&;
  // NOLINTEND(readability-identifier-naming)

  Iterator() = default;

  // REQUIRES: not end().
  const T& operator*() const { return leaf_->keys[pos_]; }
  const T* operator->() const { return &leaf_->keys[pos_]; }

  // REQUIRES: not end().
  Iterator& operator++() {
    ++rank_;
    if (++pos_ < leaf_->count) return *this;
    Seek();
    return *this;
  }
  Iterator operator++(int) {
    Iterator old = *this;
    ++*this;
    return old;
  }
  // REQUIRES: not begin().
  Iterator& operator--() {
    assert(rank_ > 0);
    --rank_;
    if (leaf_ != nullptr && pos_ > 0) {
      --pos_;
      return *this;
    }
    Descend();  // rank_ < size_ here.
    return *this;
  }
  Iterator operator--(int) {
    Iterator old = *this;
    --*this;
    return old;
  }

  friend bool operator==(const Iterator& a, const Iterator& b) { return a.rank_ == b.rank_; }

  // The number of elements before this position (Size() at end()).
  size_t rank() const { return rank_; }

  // The element k positions on, when it is in the same leaf (else nullptr):
  // what a scan may prefetch.
  const T* PeekInLeaf(size_t k) const {
    return leaf_ != nullptr && pos_ + k < leaf_->count ? &leaf_->keys[pos_ + k] : nullptr;
  }
  // How many elements follow this one in its leaf (0 at end()).
  size_t LeftInLeaf() const { return leaf_ != nullptr ? leaf_->count - pos_ - 1 : 0; }
  // To the first element of the next leaf (or end()): a descent by the
  // branches' counts, which compares no elements. REQUIRES: not end().
  void ToNextLeaf() {
    rank_ += leaf_->count - pos_;
    Seek();
  }

 private:
  friend class PersistentSortedSet;

  Iterator(const Node* root, size_t size, size_t rank) : root_(root), size_(size), rank_(rank) {}

  // Finds leaf_ and pos_ from rank_.
  void Seek() {
    if (rank_ >= size_) {
      leaf_ = nullptr;
      pos_ = 0;
      return;
    }
    Descend();
  }
  // REQUIRES: rank_ < size_.
  void Descend() {
    const Node* n = root_;
    size_t r = rank_;
    while (n->level > 0) {
      const Branch* b = AsBranch(n);
      size_t i = 0;
      while (r >= b->counts[i]) r -= b->counts[i++];
      n = b->children[i];
    }
    leaf_ = AsLeaf(n);
    pos_ = static_cast<uint32_t>(r);
  }

  const Node* root_ = nullptr;
  size_t size_ = 0;
  size_t rank_ = 0;
  const Leaf* leaf_ = nullptr;  // nullptr at end().
  uint32_t pos_ = 0;
};

// A batch of edits to a set, as a Clojure transient: Insert and Erase change
// the builder's own version; Build() publishes it as a set in O(1).
//
//   Builder b(set);  b.Insert(x);  b.Erase(y);  Set next = b.Build();
//
// Ownership: the builder writes in place the nodes that only it can reach
// (the ones it created, or ones no set shares any more) and copies any other
// node on its first write, so k edits to a set of n elements copy at most
// O(k log n) nodes, and about O(log n + k / capacity) when the k are
// clustered. The original set never changes. After Build() the built set
// shares the builder's nodes, so later edits copy them again: a built set
// never changes either. Moving a set into the builder, when that was its
// last holder, lets the builder edit its nodes in place.
//
// Thread safety: not thread-safe; one thread at a time. The sets it reads
// from and the sets it builds may be used from any thread meanwhile.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
class PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::Builder {
 public:
  explicit Builder(PersistentSortedSet set = PersistentSortedSet()) : set_(std::move(set)) {}
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;
  Builder(Builder&&) noexcept = default;
  Builder& operator=(Builder&&) noexcept = default;
  ~Builder() = default;

  // Adds x; returns false (and keeps the existing element) if an element
  // equal to x is present.
  bool Insert(const T& x);
  // Removes the element equal to x; returns false if there is none.
  bool Erase(const T& x);
  // Adds every element of xs that is not present (an equal element present
  // is kept); returns how many were added. One descent per run of xs that
  // falls in one leaf, and each touched leaf is merged with its run at once,
  // so a batch costs far less than as many Inserts. Leaves that overflow
  // split as Insert's do: a run appended after a leaf's last element keeps
  // the leaves full, one before its first element likewise, any other split
  // is even.
  // REQUIRES: xs strictly ascending in the set's order.
  size_t InsertSorted(std::span<const T> xs);

  size_t Size() const { return set_.size_; }
  bool Empty() const { return set_.size_ == 0; }
  bool Contains(const T& x) const { return set_.Contains(x); }

  // The current version, O(1). The builder stays usable; its next edits copy
  // the nodes the result shares.
  PersistentSortedSet Build() & { return set_; }
  // The current version, without a reference-count update; the builder is
  // left empty.
  PersistentSortedSet Build() && { return std::move(set_); }

 private:
  PersistentSortedSet set_;
};

// ---- Implementation --------------------------------------------------------

// Adds x to leaf l. Returns the node for l's slot in the parent: l itself
// (changed in place when owned, or unchanged) or a new node holding one
// reference; a new right sibling goes to r->split.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
auto PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::InsertLeaf(
    Leaf* l, bool owned, const T& x, const Compare& cmp, InsertResult* r) -> Node* {
  const size_t n = l->count;
  const size_t pos = Partition<false>(l->keys, n, x, cmp);
  if (pos < n && cmp(l->keys[pos], x) == 0) return l;
  r->added = true;
  if (n < kLeafCapacity) {
    if (owned) {
      std::copy_backward(l->keys + pos, l->keys + n, l->keys + n + 1);
      l->keys[pos] = x;
      l->count = static_cast<uint16_t>(n + 1);
      return l;
    }
    Leaf* c = new Leaf;
    std::copy(l->keys, l->keys + pos, c->keys);
    c->keys[pos] = x;
    std::copy(l->keys + pos, l->keys + n, c->keys + pos + 1);
    c->count = static_cast<uint16_t>(n + 1);
    return c;
  }
  // Full. Appending (or prepending on the left spine): keep l whole.
  if (pos == n) {
    r->split = NewLeaf(x);
    return l;
  }
  if (pos == 0) {
    Ref(l);  // The parent drops l's old slot and takes l as the split.
    r->split = l;
    return NewLeaf(x);
  }
  T all[kLeafCapacity + 1];
  std::copy(l->keys, l->keys + pos, all);
  all[pos] = x;
  std::copy(l->keys + pos, l->keys + n, all + pos + 1);
  constexpr size_t kLeft = (kLeafCapacity + 1) / 2;
  Leaf* left = owned ? l : new Leaf;
  Leaf* right = new Leaf;
  std::copy(all, all + kLeft, left->keys);
  left->count = static_cast<uint16_t>(kLeft);
  std::copy(all + kLeft, all + kLeafCapacity + 1, right->keys);
  right->count = static_cast<uint16_t>(kLeafCapacity + 1 - kLeft);
  r->split = right;
  return left;
}

// Adds x under n. `owned`: n and every node above it are exclusively ours.
// Returns the node for n's slot, as InsertLeaf.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
auto PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::InsertNode(
    Node* n, bool owned, const T& x, const Compare& cmp, InsertResult* r) -> Node* {
  if (n->level == 0) return InsertLeaf(AsLeaf(n), owned, x, cmp, r);
  Branch* b = AsBranch(n);
  const size_t j = Route<true>(b, x, cmp);
  Node* child = b->children[j];
  Node* new_child = InsertNode(child, owned && Exclusive(child), x, cmp, r);
  if (!r->added) return n;
  Branch* w = owned ? b : AsBranch(Clone(b));
  if (new_child != child) {
    w->children[j] = new_child;
    Unref(child);
  }
  w->keys[j] = First(new_child);
  if (r->split == nullptr) {
    w->counts[j] += 1;
    return w;
  }
  w->counts[j] = SubtreeSize(new_child);
  Node* split = std::exchange(r->split, nullptr);
  InsertChild(w, j + 1, split, r);
  return w;
}

// REQUIRES: b exclusively ours. Puts child (its reference moves to b) at
// slot `at`; if b is full, splits it evenly and puts the right half in
// r->split.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
void PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::InsertChild(Branch* b,
                                                                                  size_t at,
                                                                                  Node* child,
                                                                                  InsertResult* r) {
  const size_t n = b->count;
  if (n < kBranchCapacity) {
    std::copy_backward(b->keys + at, b->keys + n, b->keys + n + 1);
    std::copy_backward(b->children + at, b->children + n, b->children + n + 1);
    std::copy_backward(b->counts + at, b->counts + n, b->counts + n + 1);
    b->keys[at] = First(child);
    b->children[at] = child;
    b->counts[at] = SubtreeSize(child);
    b->count = static_cast<uint16_t>(n + 1);
    return;
  }
  T keys[kBranchCapacity + 1];
  Node* children[kBranchCapacity + 1];
  size_t counts[kBranchCapacity + 1];
  std::copy(b->keys, b->keys + at, keys);
  std::copy(b->children, b->children + at, children);
  std::copy(b->counts, b->counts + at, counts);
  keys[at] = First(child);
  children[at] = child;
  counts[at] = SubtreeSize(child);
  std::copy(b->keys + at, b->keys + n, keys + at + 1);
  std::copy(b->children + at, b->children + n, children + at + 1);
  std::copy(b->counts + at, b->counts + n, counts + at + 1);
  constexpr size_t kLeft = (kBranchCapacity + 1) / 2;
  constexpr size_t kRight = kBranchCapacity + 1 - kLeft;
  Branch* right = new Branch(b->level);
  std::copy(keys, keys + kLeft, b->keys);
  std::copy(children, children + kLeft, b->children);
  std::copy(counts, counts + kLeft, b->counts);
  b->count = static_cast<uint16_t>(kLeft);
  std::copy(keys + kLeft, keys + kLeft + kRight, right->keys);
  std::copy(children + kLeft, children + kLeft + kRight, right->children);
  std::copy(counts + kLeft, counts + kLeft + kRight, right->counts);
  right->count = static_cast<uint16_t>(kRight);
  r->split = right;
}

// Removes the element equal to x from under n. Returns the node for n's slot
// (n itself if unchanged or changed in place, a new node holding one
// reference, or nullptr when the subtree became empty).
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
auto PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::EraseNode(
    Node* n, bool owned, const T& x, const Compare& cmp, bool* found) -> Node* {
  if (n->level == 0) {
    Leaf* l = AsLeaf(n);
    const size_t count = l->count;
    const size_t pos = Partition<false>(l->keys, count, x, cmp);
    if (pos == count || cmp(l->keys[pos], x) != 0) return n;
    *found = true;
    if (count == 1) return nullptr;
    if (owned) {
      std::copy(l->keys + pos + 1, l->keys + count, l->keys + pos);
      l->count = static_cast<uint16_t>(count - 1);
      return l;
    }
    Leaf* c = new Leaf;
    std::copy(l->keys, l->keys + pos, c->keys);
    std::copy(l->keys + pos + 1, l->keys + count, c->keys + pos);
    c->count = static_cast<uint16_t>(count - 1);
    return c;
  }
  Branch* b = AsBranch(n);
  const size_t j = Route<true>(b, x, cmp);
  Node* child = b->children[j];
  Node* new_child = EraseNode(child, owned && Exclusive(child), x, cmp, found);
  if (!*found) return n;
  Branch* w = owned ? b : AsBranch(Clone(b));
  if (new_child != child) Unref(child);
  if (new_child == nullptr) {
    RemoveChild(w, j);
    if (w->count == 0) {
      if (w != b) delete w;  // A fresh copy with no children left.
      return nullptr;
    }
    return w;  // If now under-full, the parent rebalances it.
  }
  w->children[j] = new_child;
  w->counts[j] -= 1;
  w->keys[j] = First(new_child);
  if (new_child->count < Capacity(new_child) / 2 && w->count >= 2) Rebalance(w, j);
  return w;
}

// REQUIRES: b exclusively ours; slot `at` already released.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
void PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::RemoveChild(Branch* b,
                                                                                  size_t at) {
  const size_t n = b->count;
  std::copy(b->keys + at + 1, b->keys + n, b->keys + at);
  std::copy(b->children + at + 1, b->children + n, b->children + at);
  std::copy(b->counts + at + 1, b->counts + n, b->counts + at);
  b->count = static_cast<uint16_t>(n - 1);
}

// REQUIRES: b exclusively ours with at least two children; child j is
// under-full. Merges it with a neighbour if both fit in one node, otherwise
// moves entries from the neighbour so both are at least half full.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
void PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::Rebalance(Branch* b,
                                                                                size_t j) {
  const size_t li = j + 1 < b->count ? j : j - 1;
  const size_t ri = li + 1;
  Node* left = WritableChild(b, li);
  Node* right = b->children[ri];
  const size_t nl = left->count;
  const size_t nr = right->count;
  const bool leaves = left->level == 0;
  if (nl + nr <= Capacity(left)) {
    if (leaves) {
      std::copy(AsLeaf(right)->keys, AsLeaf(right)->keys + nr, AsLeaf(left)->keys + nl);
    } else {
      Branch* l = AsBranch(left);
      const Branch* r = AsBranch(right);
      std::copy(r->keys, r->keys + nr, l->keys + nl);
      std::copy(r->children, r->children + nr, l->children + nl);
      std::copy(r->counts, r->counts + nr, l->counts + nl);
      for (size_t i = 0; i < nr; ++i) Ref(r->children[i]);
    }
    left->count = static_cast<uint16_t>(nl + nr);
    b->counts[li] += b->counts[ri];
    RemoveChild(b, ri);
    Unref(right);
    return;
  }
  right = WritableChild(b, ri);
  const size_t target = (nl + nr) / 2;  // New size of the left node.
  // Moves the last k entries of the left array to the front of the right one,
  // or the first k of the right one to the end of the left one.
  auto move_entries = [&](auto* l, auto* r) {
    if (nl > target) {
      const size_t k = nl - target;
      std::copy_backward(r, r + nr, r + nr + k);
      std::copy(l + target, l + nl, r);
    } else {
      const size_t k = target - nl;
      std::copy(r, r + k, l + nl);
      std::copy(r + k, r + nr, r);
    }
  };
  if (leaves) {
    move_entries(AsLeaf(left)->keys, AsLeaf(right)->keys);
  } else {
    Branch* l = AsBranch(left);
    Branch* r = AsBranch(right);
    move_entries(l->keys, r->keys);
    move_entries(l->children, r->children);
    move_entries(l->counts, r->counts);
  }
  left->count = static_cast<uint16_t>(target);
  right->count = static_cast<uint16_t>(nl + nr - target);
  const size_t total = b->counts[li] + b->counts[ri];
  b->counts[li] = SubtreeSize(left);
  b->counts[ri] = total - b->counts[li];
  b->keys[li] = First(left);
  b->keys[ri] = First(right);
}

template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
bool PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::Builder::Insert(const T& x) {
  Node*& root = set_.root_;
  if (root == nullptr) {
    root = NewLeaf(x);
    set_.size_ = 1;
    return true;
  }
  InsertResult r;
  Node* new_root = InsertNode(root, Exclusive(root), x, set_.cmp_, &r);
  if (!r.added) return false;
  if (new_root != root) {
    Unref(root);
    root = new_root;
  }
  if (r.split != nullptr) {
    Branch* b = new Branch(static_cast<uint8_t>(root->level + 1));
    b->keys[0] = First(root);
    b->children[0] = root;
    b->counts[0] = SubtreeSize(root);
    b->keys[1] = First(r.split);
    b->children[1] = r.split;
    b->counts[1] = SubtreeSize(r.split);
    b->count = 2;
    root = b;
  }
  ++set_.size_;
  return true;
}

// The first i in [0, n) with cmp(xs[i], key) >= 0, or n: exponential search
// from the front, O(log i).
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
size_t PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::Gallop(const T* xs,
                                                                               size_t n,
                                                                               const T& key,
                                                                               const Compare& cmp) {
  if (n == 0 || cmp(xs[0], key) >= 0) return 0;
  size_t bound = 1;  // xs[bound / 2] is before the key
  while (bound < n && cmp(xs[bound], key) < 0) bound *= 2;
  const size_t lo = bound / 2 + 1;
  const size_t hi = std::min(bound, n);
  return lo + Partition<false>(xs + lo, hi - lo, key, cmp);
}

// Adds xs (all routed to n) under n; appends to *out the nodes for n's slot.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
void PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::InsertRun(
    Node* n, bool owned, std::span<const T> xs, RunState* s, std::vector<Node*>* out) {
  if (n->level == 0) {
    InsertRunLeaf(AsLeaf(n), owned, xs, s, out);
  } else {
    InsertRunBranch(AsBranch(n), owned, xs, s, out);
  }
}

template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
void PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::InsertRunLeaf(
    Leaf* l, bool owned, std::span<const T> xs, RunState* s, std::vector<Node*>* out) {
  const size_t n = l->count;
  std::vector<T>& merged = s->merged;
  merged.clear();
  size_t i = 0;  // l's elements before i are in `merged`
  size_t added = 0;
  size_t first_at = n;  // where the first and last new elements went among l's
  size_t last_at = 0;
  for (const T& x : xs) {
    const size_t pos = i + Partition<false>(l->keys + i, n - i, x, s->cmp);
    merged.insert(merged.end(), l->keys + i, l->keys + pos);
    i = pos;
    if (i < n && s->cmp(l->keys[i], x) == 0) continue;  // present: keep it
    if (added == 0) first_at = i;
    last_at = i;
    merged.push_back(x);
    ++added;
  }
  if (added == 0) {
    Ref(l);
    out->push_back(l);
    return;
  }
  merged.insert(merged.end(), l->keys + i, l->keys + n);
  s->added += added;
  // Leaf sizes: one leaf if all fit; else full leaves with the remainder
  // last (all new after l's elements) or first (all before), or even.
  const size_t m = merged.size();
  const size_t k = (m + kLeafCapacity - 1) / kLeafCapacity;
  const bool append = first_at == n;
  const bool prepend = !append && last_at == 0;
  size_t begin = 0;
  for (size_t j = 0; j < k; ++j) {
    size_t size;
    if (k == 1) {
      size = m;
    } else if (append) {
      size = j + 1 < k ? kLeafCapacity : m - begin;
    } else if (prepend) {
      size = j == 0 ? m - (k - 1) * kLeafCapacity : kLeafCapacity;
    } else {
      size = m / k + (j < m % k ? 1 : 0);
    }
    Leaf* dst;
    if (j == 0 && owned) {
      dst = l;
      Ref(l);
    } else {
      dst = new Leaf;
    }
    std::copy(merged.begin() + static_cast<ptrdiff_t>(begin),
              merged.begin() + static_cast<ptrdiff_t>(begin + size), dst->keys);
    dst->count = static_cast<uint16_t>(size);
    out->push_back(dst);
    begin += size;
  }
}

template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
void PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::InsertRunBranch(
    Branch* b, bool owned, std::span<const T> xs, RunState* s, std::vector<Node*>* out) {
  const size_t c = b->count;
  const size_t before = s->added;
  std::vector<Node*> kids;
  kids.reserve(c + 2);
  size_t start = 0;
  for (size_t j = 0; j < c; ++j) {
    // Child j takes the elements before child j + 1's first.
    const size_t end =
        j + 1 < c ? start + Gallop(xs.data() + start, xs.size() - start, b->keys[j + 1], s->cmp)
                  : xs.size();
    Node* child = b->children[j];
    if (end == start) {
      Ref(child);
      kids.push_back(child);
      continue;
    }
    InsertRun(child, owned && Exclusive(child), xs.subspan(start, end - start), s, &kids);
    start = end;
  }
  if (s->added == before) {  // all present: b stays
    for (Node* kid : kids) Unref(kid);
    Ref(b);
    out->push_back(b);
    return;
  }
  if (kids.size() <= kBranchCapacity && owned) {
    for (size_t j = 0; j < c; ++j) Unref(b->children[j]);
    for (size_t j = 0; j < kids.size(); ++j) {
      b->keys[j] = First(kids[j]);
      b->children[j] = kids[j];
      b->counts[j] = SubtreeSize(kids[j]);
    }
    b->count = static_cast<uint16_t>(kids.size());
    Ref(b);
    out->push_back(b);
    return;
  }
  PackBranches(b->level, kids, out);
}

// New branches of `level` over `kids` (taking over their references), as
// few as fit, with the children spread evenly.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
void PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::PackBranches(
    uint8_t level, std::span<Node* const> kids, std::vector<Node*>* out) {
  const size_t c = kids.size();
  const size_t k = (c + kBranchCapacity - 1) / kBranchCapacity;
  size_t begin = 0;
  for (size_t j = 0; j < k; ++j) {
    const size_t size = c / k + (j < c % k ? 1 : 0);
    Branch* nb = new Branch(level);
    for (size_t i = 0; i < size; ++i) {
      Node* kid = kids[begin + i];
      nb->keys[i] = First(kid);
      nb->children[i] = kid;
      nb->counts[i] = SubtreeSize(kid);
    }
    nb->count = static_cast<uint16_t>(size);
    out->push_back(nb);
    begin += size;
  }
}

template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
size_t PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::Builder::InsertSorted(
    std::span<const T> xs) {
  if (xs.empty()) return 0;
#ifndef NDEBUG
  for (size_t i = 1; i < xs.size(); ++i) {
    assert(set_.cmp_(xs[i - 1], xs[i]) < 0 && "REQUIRES: xs strictly ascending");
  }
#endif
  Node*& root = set_.root_;
  if (root == nullptr) root = new Leaf;  // empty only until the run fills it
  RunState s{set_.cmp_, {}, 0};
  std::vector<Node*> out;
  Node* old = root;
  InsertRun(old, Exclusive(old), xs, &s, &out);
  Unref(old);
  uint8_t level = out.front()->level;
  while (out.size() > 1) {
    std::vector<Node*> up;
    PackBranches(++level, out, &up);
    out.swap(up);
  }
  root = out.front();
  set_.size_ += s.added;
  return s.added;
}

template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
bool PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::Builder::Erase(const T& x) {
  Node*& root = set_.root_;
  if (root == nullptr) return false;
  bool found = false;
  Node* new_root = EraseNode(root, Exclusive(root), x, set_.cmp_, &found);
  if (!found) return false;
  if (new_root != root) {
    Unref(root);
    root = new_root;
  }
  --set_.size_;
  // A root with one child hands the tree to that child.
  while (root != nullptr && root->level > 0 && root->count == 1) {
    Node* child = AsBranch(root)->children[0];
    Ref(child);
    Unref(root);
    root = child;
  }
  return true;
}

template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
std::string PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::Validate() const {
  if (root_ == nullptr) {
    return size_ == 0 ? "" : "empty tree but size " + std::to_string(size_);
  }
  const T* last = nullptr;
  size_t size = 0;
  std::string error = ValidateNode(root_, true, &last, &size);
  if (error.empty() && size != size_) {
    error = "size " + std::to_string(size_) + " but " + std::to_string(size) + " elements";
  }
  return error;
}

// Checks the subtree at n; *last is the greatest element seen so far, in
// order, and *size counts the elements.
template <typename T, typename Compare, size_t kLeafCapacity, size_t kBranchCapacity>
std::string PersistentSortedSet<T, Compare, kLeafCapacity, kBranchCapacity>::ValidateNode(
    const Node* n, bool is_root, const T** last, size_t* size) const {
  const std::string where = "level " + std::to_string(n->level) + ": ";
  if (n->refs.load(std::memory_order_relaxed) == 0) return where + "node with no references";
  if (n->count == 0 || n->count > Capacity(n)) {
    return where + "node with " + std::to_string(n->count) + " entries";
  }
  if (n->level == 0) {
    const Leaf* l = AsLeaf(n);
    for (size_t i = 0; i < l->count; ++i) {
      if (*last != nullptr && cmp_(**last, l->keys[i]) >= 0) return where + "elements out of order";
      *last = &l->keys[i];
    }
    *size += l->count;
    return "";
  }
  const Branch* b = AsBranch(n);
  if (!is_root && b->count < kBranchCapacity / 2) {
    return where + "branch under half full: " + std::to_string(b->count) + " children";
  }
  if (is_root && b->count < 2) return where + "root branch with one child";
  for (size_t i = 0; i < b->count; ++i) {
    const Node* c = b->children[i];
    if (c->level + 1 != b->level)
      return where + "unbalanced: child at level " + std::to_string(c->level);
    if (cmp_(b->keys[i], First(c)) != 0) {
      return where + "separator " + std::to_string(i) + " is not its child's first element";
    }
    size_t child_size = 0;
    std::string error = ValidateNode(c, false, last, &child_size);
    if (!error.empty()) return error;
    if (child_size != b->counts[i]) {
      return where + "count " + std::to_string(b->counts[i]) + " but subtree has " +
             std::to_string(child_size);
    }
    *size += child_size;
  }
  return "";
}

}  // namespace strata::internal

#endif  // STRATA_INDEX_PERSISTENT_SORTED_SET_H_
