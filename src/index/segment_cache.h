// SegmentCache: the in-process cache of decoded index segments, a
// least-recently-used set bounded in bytes (DESIGN.md section 3: only the
// cache is bounded; a query touches only the segments it needs).
//
// Segments never change once written (their keys are never reused), so an
// entry is never stale and nothing is ever invalidated: the cache only
// decides what to keep. Entries are shared_ptrs to immutable segments, so an
// evicted segment lives on while a cursor still holds it; the byte bound is
// on what the cache itself keeps.
//
//   Get(key, loader)
//     hit:  the entry moves to the front of the LRU list
//     miss: loader() runs WITHOUT the lock (two threads missing one key may
//           both load it; the first to finish is kept, the other's copy is
//           returned to its caller only), then the entry is inserted at the
//           front and entries are evicted from the back until the bytes fit
//
// Thread safety: every method may be called from any thread.
#ifndef STRATA_INDEX_SEGMENT_CACHE_H_
#define STRATA_INDEX_SEGMENT_CACHE_H_

#include <absl/container/flat_hash_map.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

#include "index/segment.h"

namespace strata::internal {

// An estimate of the memory a decoded segment holds: the struct, 40 bytes
// a datom (or 80 a directory entry), plus the heap objects of values (a
// string's bytes and 32 bytes of header, 16 bytes an element of a
// collection, recursively, 48 bytes for other boxed values). A value
// repeated by a leaf shares one heap object but is counted each time: the
// estimate errs high.
size_t SegmentMemoryUsage(const Segment& segment);

class SegmentCache {
 public:
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;     // calls of the loader
    uint64_t evictions = 0;  // entries dropped to keep within capacity
    size_t bytes = 0;        // the estimated size of the entries kept
    size_t entries = 0;
    uint64_t loaded_bytes = 0;  // the estimated size of every segment loaded
  };
  using Loader = std::function<std::shared_ptr<const Segment>()>;

  // A cache keeping at most `capacity_bytes` of segments (estimated by
  // SegmentMemoryUsage). A segment larger than the capacity is returned but
  // not kept; a capacity of 0 keeps nothing.
  explicit SegmentCache(size_t capacity_bytes);
  SegmentCache(const SegmentCache&) = delete;
  SegmentCache& operator=(const SegmentCache&) = delete;

  // The segment under `key`: from the cache, or else from `loader` (which
  // returns it or throws; a throw caches nothing and propagates).
  std::shared_ptr<const Segment> Get(const Uuid& key, const Loader& loader);

  Stats stats() const;
  size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    Uuid key;
    std::shared_ptr<const Segment> segment;
    size_t bytes = 0;
  };
  struct KeyHash {
    size_t operator()(const Uuid& u) const;
  };
  void EvictToFit();  // REQUIRES: mutex_ held

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // GUARDED_BY(mutex_), most recently used first
  absl::flat_hash_map<Uuid, std::list<Entry>::iterator, KeyHash> map_;  // GUARDED_BY(mutex_)
  Stats stats_;                                                         // GUARDED_BY(mutex_)
};

}  // namespace strata::internal

#endif  // STRATA_INDEX_SEGMENT_CACHE_H_
