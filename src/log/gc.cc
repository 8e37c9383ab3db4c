// Garbage collection of storage (see gc.h).
#include "log/gc.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "index/durable_tree.h"
#include "strata/anomaly.h"

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
  std::string prefix = LogStore::RootName("");
  for (const std::string& root_name : storage->ListRoots(prefix)) {
    std::string name = root_name.substr(prefix.size());
    std::optional<std::pair<Root, DbRoot>> root = LogStore(storage, name).ReadRoot();
    if (!root) continue;  // deleted since it was listed: its blobs are garbage
    ++stats.databases;
    reachable.merge(ReachableBlobs(storage, cache, name, root->second));
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
    if (!made) {
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
