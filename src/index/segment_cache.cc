// The segment cache (see segment_cache.h).
#include "index/segment_cache.h"

#include <cstring>
#include <utility>

namespace strata::internal {
namespace {

size_t ValueHeapBytes(const Value& v) {
  if (v.heap() == nullptr) return 0;
  if (v.is_string()) return 32 + v.AsString().size();
  if (v.is_collection()) {
    size_t bytes = 32;
    for (const Value& item : v.Items()) bytes += sizeof(Value) + ValueHeapBytes(item);
    return bytes;
  }
  return 48;
}

size_t DatomsBytes(const Datom* datoms, size_t n, size_t stride) {
  size_t bytes = n * stride;
  for (size_t i = 0; i < n; ++i) bytes += ValueHeapBytes(datoms[i].v);
  return bytes;
}

}  // namespace

size_t SegmentMemoryUsage(const Segment& segment) {
  size_t bytes = sizeof(Segment);
  if (const Leaf* leaf = std::get_if<Leaf>(&segment)) {
    return bytes + DatomsBytes(leaf->datoms.data(), leaf->datoms.size(), sizeof(Datom));
  }
  const auto& dir = std::get<Directory>(segment);
  bytes += dir.children.size() * sizeof(ChildRef);
  for (const ChildRef& child : dir.children) bytes += ValueHeapBytes(child.first.v);
  return bytes;
}

size_t SegmentCache::KeyHash::operator()(const Uuid& u) const {
  uint64_t a;
  uint64_t b;
  std::memcpy(&a, u.bytes.data(), 8);
  std::memcpy(&b, u.bytes.data() + 8, 8);
  return static_cast<size_t>(a ^ (b * 0x9e3779b97f4a7c15ULL));
}

SegmentCache::SegmentCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

std::shared_ptr<const Segment> SegmentCache::Get(const Uuid& key, const Loader& loader) {
  {
    std::lock_guard lock(mutex_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      ++stats_.hits;
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->segment;
    }
    ++stats_.misses;
  }
  std::shared_ptr<const Segment> segment = loader();
  size_t bytes = SegmentMemoryUsage(*segment);
  std::lock_guard lock(mutex_);
  stats_.loaded_bytes += bytes;
  auto it = map_.find(key);
  if (it != map_.end()) {
    // Another thread loaded it meanwhile: keep one copy.
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->segment;
  }
  if (bytes > capacity_) return segment;
  lru_.push_front(Entry{key, segment, bytes});
  map_.emplace(key, lru_.begin());
  stats_.bytes += bytes;
  EvictToFit();
  return segment;
}

void SegmentCache::EvictToFit() {
  while (stats_.bytes > capacity_ && !lru_.empty()) {
    Entry& last = lru_.back();
    stats_.bytes -= last.bytes;
    map_.erase(last.key);
    lru_.pop_back();
    ++stats_.evictions;
  }
}

SegmentCache::Stats SegmentCache::stats() const {
  std::lock_guard lock(mutex_);
  Stats s = stats_;
  s.entries = lru_.size();
  return s;
}

}  // namespace strata::internal
