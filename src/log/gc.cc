// Garbage collection of storage (see gc.h).
#include "log/gc.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "index/durable_tree.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::internal {

BlobSet ReachableBlobs(Storage* storage, SegmentCache* cache, std::string_view name,
                       const DbRoot& root) {
  BlobSet reachable;
  for (const Uuid& key : LogStore(storage, std::string(name)).LogBlobs(root)) {
    reachable.insert(key);
  }
  if (root.index) {
    ForEachTree(*root.index, [&](Index index, TierPart, const TreeRoot& tree) {
      for (const Uuid& key : ListTreeSegments(storage, cache, index, tree)) reachable.insert(key);
    });
  }
  return reachable;
}

std::string EncodeGarbageRecord(const GarbageRecord& record) {
  std::vector<Value> retired;
  retired.reserve(record.retired.size());
  for (const Uuid& key : record.retired) retired.push_back(Value::MakeUuid(key));
  std::vector<ValuePair> m = {{Value::Keyword("retired"), Value::Vector(std::move(retired))}};
  if (record.prev) m.emplace_back(Value::Keyword("prev"), Value::MakeUuid(*record.prev));
  return PrintEdn(Value::Map(std::move(m)));
}

GarbageRecord DecodeGarbageRecord(std::string_view bytes, std::string_view what) {
  Value m;
  try {
    m = ReadEdn(bytes);
  } catch (const Anomaly& e) {
    ThrowFault(fmt::format("{} is corrupt: {}", what, e.message()));
  }
  const Value* retired = m.is_map() ? m.Get(Value::Keyword("retired")) : nullptr;
  if (retired == nullptr || retired->type() != ValueType::kVector) {
    ThrowFault(fmt::format("{} is not a garbage record: it lacks :retired", what));
  }
  GarbageRecord record;
  for (const Value& key : retired->Items()) {
    if (key.type() != ValueType::kUuid) {
      ThrowFault(fmt::format("{} is corrupt: :retired holds {}", what, PrintEdn(key)));
    }
    record.retired.push_back(key.AsUuid());
  }
  if (const Value* prev = m.Get(Value::Keyword("prev"))) {
    if (prev->type() != ValueType::kUuid) {
      ThrowFault(fmt::format("{} is corrupt: :prev is not a UUID", what));
    }
    record.prev = prev->AsUuid();
  }
  return record;
}

BlobSet RecentlyRetired(Storage* storage, std::string_view name, const DbRoot& root,
                        int64_t older_than_ms) {
  BlobSet keep;
  // Newest first; each record was made before the one after it, so the
  // walk stops at the first one older than the cutoff (or gone: a pass
  // with a later cutoff deleted it).
  for (std::optional<Uuid> key = root.garbage; key;) {
    std::optional<int64_t> made = BlobKeyTimeMs(*key);
    if (!made || *made < older_than_ms || !keep.insert(*key).second) break;
    std::optional<std::string> bytes = storage->Get(*key);
    if (!bytes) break;
    GarbageRecord record = DecodeGarbageRecord(
        *bytes, fmt::format("garbage record {} of database {}", key->ToString(), name));
    for (const Uuid& k : record.retired) keep.insert(k);
    key = record.prev;
  }
  return keep;
}

namespace {

BlobSet TreeSegments(Storage* storage, SegmentCache* cache, const std::vector<Tier>& tiers) {
  BlobSet out;
  IndexPointer pointer;
  pointer.tiers = tiers;
  ForEachTree(pointer, [&](Index index, TierPart, const TreeRoot& tree) {
    for (const Uuid& key : ListTreeSegments(storage, cache, index, tree)) out.insert(key);
  });
  return out;
}

}  // namespace

std::vector<Uuid> RetiredSegments(Storage* storage, SegmentCache* cache,
                                  const std::vector<Tier>& before, const std::vector<Tier>& after) {
  BlobSet kept = TreeSegments(storage, cache, after);
  std::vector<Uuid> out;
  for (const Uuid& key : TreeSegments(storage, cache, before)) {
    if (!kept.contains(key)) out.push_back(key);
  }
  return out;
}

GcStats CollectGarbage(Storage* storage, SegmentCache* cache, int64_t older_than_ms,
                       int64_t now_ms) {
  if (older_than_ms > now_ms) {
    ThrowIncorrect("invalid-gc-cutoff",
                   fmt::format("gc was asked to delete blobs made before Unix time {} ms, after "
                               "now ({} ms); blobs being written now must be kept: give a time "
                               "in the past",
                               older_than_ms, now_ms),
                   Value::Map({{Value::Keyword("older-than"), Value::Long(older_than_ms)},
                               {Value::Keyword("now"), Value::Long(now_ms)}}));
  }
  GcStats stats;
  // First what is reachable, from every database's root: a blob any of
  // them reaches is live. A root the pass cannot read (damaged, or of a
  // newer format that may reach blobs in ways this version does not know)
  // stops it before anything is deleted.
  BlobSet reachable;
  BlobSet retired;  // unreachable, but retired at or after the cutoff
  std::string prefix = LogStore::RootName("");
  for (const std::string& root_name : storage->ListRoots(prefix)) {
    std::string name = root_name.substr(prefix.size());
    std::optional<std::pair<Root, DbRoot>> root = LogStore(storage, name).ReadRoot();
    if (!root) continue;  // deleted since it was listed: its blobs are garbage
    ++stats.databases;
    reachable.merge(ReachableBlobs(storage, cache, name, root->second));
    retired.merge(RecentlyRetired(storage, name, root->second, older_than_ms));
  }
  // Then every blob, judged against that set as the listing streams by.
  // A blob the set does not hold may have been written, or published, since
  // its root was read:
  // - a blob committed after the pass started was made at or after now_ms,
  //   so at or after older_than_ms: it is too young to delete;
  // - a root CAS after the root was read publishes blobs that are new
  //   (young again), or that the root reached already (the log blob before
  //   a new tail; the subtrees an indexing job reuses), or that a writer
  //   committed earlier and had not yet published: those are young as long
  //   as the cutoff leaves more time than the writer takes between writing
  //   a blob and publishing it (gc.h).
  // So the age rule, not the order, is what keeps a concurrent write safe;
  // and a key's time is that of the writer's clock, which must agree with
  // now_ms's to within the margin.
  std::vector<Uuid> garbage;
  storage->ListBlobs([&](const Uuid& key) {
    ++stats.blobs;
    if (reachable.contains(key)) {
      ++stats.reachable;
      return;
    }
    std::optional<int64_t> made = BlobKeyTimeMs(key);
    if (retired.contains(key)) {
      ++stats.too_young;
    } else if (!made) {
      ++stats.unknown_age;
    } else if (*made >= older_than_ms) {
      ++stats.too_young;
    } else {
      garbage.push_back(key);
    }
  });
  // Last, the deletes.
  for (size_t i = 0; i < garbage.size(); i += kGcDeleteBatch) {
    size_t end = std::min(garbage.size(), i + kGcDeleteBatch);
    storage->Delete(std::vector<Uuid>(garbage.begin() + static_cast<ptrdiff_t>(i),
                                      garbage.begin() + static_cast<ptrdiff_t>(end)));
    stats.deleted += static_cast<int64_t>(end - i);
  }
  return stats;
}

}  // namespace strata::internal
