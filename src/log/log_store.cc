// A database's root and log in storage (see log_store.h).
#include "log/log_store.h"

#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/value_codec.h"
#include "log/log_entry.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::internal {
namespace {

constexpr std::string_view kBlobMagic = "SLGB";
constexpr uint8_t kBlobVersion = 1;

Value Kw(std::string_view name) { return Value::Keyword(name); }

struct LogBlob {
  std::optional<Uuid> prev;
  std::vector<LogEntry> entries;
};

std::string EncodeBlob(const std::optional<Uuid>& prev, const std::vector<LogEntry>& entries) {
  std::string out;
  BeginFrame(kBlobMagic, kBlobVersion, &out);
  out.push_back(prev ? 1 : 0);
  if (prev) out.append(reinterpret_cast<const char*>(prev->bytes.data()), 16);
  PutVarint(entries.size(), &out);
  for (const LogEntry& e : entries) {
    std::string bytes = EncodeLogEntry(e);
    PutVarint(bytes.size(), &out);
    out.append(bytes);
  }
  EndFrame(&out);
  return out;
}

// Reads a blob's previous-blob key, leaving `r` at the entry count.
std::optional<Uuid> ReadPrev(ByteReader& r) {
  uint8_t has_prev = r.Byte();
  if (has_prev > 1) r.Fail("a bad previous-blob flag");
  if (has_prev == 0) return std::nullopt;
  Uuid prev;
  std::memcpy(prev.bytes.data(), r.Bytes(16).data(), 16);
  return prev;
}

LogBlob DecodeBlob(std::string_view bytes, const std::string& what) {
  ByteReader r = OpenFrame(bytes, kBlobMagic, kBlobVersion, "log blob", what);
  LogBlob blob;
  blob.prev = ReadPrev(r);
  uint64_t n = r.Varint();
  if (n > bytes.size()) r.Fail("an entry count past the end");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view entry = r.Bytes(r.Varint());
    blob.entries.push_back(DecodeLogEntry(entry, what));
  }
  if (!r.done()) r.Fail("bytes after the last entry");
  return blob;
}

// The root's :index entry (see log_store.h).
IndexPointer DecodeIndexPointer(const Value& m, std::string_view what) {
  auto bad = [&](std::string_view why) -> IndexPointer {
    ThrowFault(fmt::format("{} is corrupt: its :index {}", what, why));
  };
  if (!m.is_map()) return bad("is not a map");
  auto number = [&](std::string_view key) {
    const Value* v = m.Get(Kw(key));
    if (v == nullptr || v->type() != ValueType::kLong) bad(fmt::format("lacks :{}", key));
    return v->AsLong();
  };
  IndexPointer p;
  p.t = number("t");
  p.next_counter = number("next-counter");
  p.last_tx_instant = number("last-instant");
  auto tree = [&](const Value& v) {
    if (v.type() != ValueType::kVector || v.Count() != 3) bad("has a bad tree");
    const Value& id = v.Items()[0];
    const Value& count = v.Items()[1];
    const Value& height = v.Items()[2];
    if (!(id.is_nil() || id.type() == ValueType::kUuid) || count.type() != ValueType::kLong ||
        height.type() != ValueType::kLong) {
      bad("has a bad tree");
    }
    TreeRoot root;
    if (!id.is_nil()) root.root = id.AsUuid();
    root.count = count.AsLong();
    if (height.AsLong() < 0 || height.AsLong() > 64 || root.count < 0 ||
        root.root.has_value() != (height.AsLong() > 0)) {
      bad("has a bad tree");
    }
    root.height = static_cast<int>(height.AsLong());
    return root;
  };
  if (const Value* trees = m.Get(Kw("trees"))) {
    // One tier of current and history trees, as roots before tiers wrote.
    if (trees->type() != ValueType::kVector || trees->Count() != 8) bad("has bad :trees");
    Tier tier;
    for (size_t i = 0; i < 8; ++i) tier.trees[i / 2][i % 2] = tree(trees->Items()[i]);
    p.tiers.push_back(tier);
    return p;
  }
  const Value* tiers = m.Get(Kw("tiers"));
  if (tiers == nullptr || tiers->type() != ValueType::kVector) return bad("lacks :tiers");
  for (const Value& trees : tiers->Items()) {
    if (trees.type() != ValueType::kVector || trees.Count() != 4 * kTierParts) {
      return bad("has a tier without its 12 trees");
    }
    Tier tier;
    for (size_t i = 0; i < 4 * kTierParts; ++i) {
      tier.trees[i / kTierParts][i % kTierParts] = tree(trees.Items()[i]);
    }
    p.tiers.push_back(tier);
  }
  return p;
}

}  // namespace

void ForEachTree(const IndexPointer& pointer,
                 const std::function<void(Index, TierPart, const TreeRoot&)>& f) {
  for (const Tier& tier : pointer.tiers) {
    for (size_t i = 0; i < tier.trees.size(); ++i) {
      for (size_t part = 0; part < tier.trees[i].size(); ++part) {
        f(static_cast<Index>(i), static_cast<TierPart>(part), tier.trees[i][part]);
      }
    }
  }
}

std::string EncodeRoot(const DbRoot& root) {
  std::vector<ValuePair> m = {{Kw("format"), Value::Long(root.format)},
                              {Kw("uuid"), Value::MakeUuid(root.uuid)},
                              {Kw("epoch"), Value::Long(root.epoch)},
                              {Kw("t"), Value::Long(root.t)}};
  if (root.tail) m.emplace_back(Kw("tail"), Value::MakeUuid(*root.tail));
  if (root.index) {
    std::vector<Value> tiers;
    for (const Tier& tier : root.index->tiers) {
      std::vector<Value> trees;
      for (const auto& parts : tier.trees) {
        for (const TreeRoot& tree : parts) {
          trees.push_back(Value::Vector({tree.root ? Value::MakeUuid(*tree.root) : Value(),
                                         Value::Long(tree.count), Value::Long(tree.height)}));
        }
      }
      tiers.push_back(Value::Vector(std::move(trees)));
    }
    m.emplace_back(Kw("index"),
                   Value::Map({{Kw("t"), Value::Long(root.index->t)},
                               {Kw("next-counter"), Value::Long(root.index->next_counter)},
                               {Kw("last-instant"), Value::Long(root.index->last_tx_instant)},
                               {Kw("tiers"), Value::Vector(std::move(tiers))}}));
  }
  if (root.log_index) m.emplace_back(Kw("log-index"), EncodeLogIndexPointer(*root.log_index));
  if (root.garbage) m.emplace_back(Kw("garbage"), Value::MakeUuid(*root.garbage));
  return PrintEdn(Value::Map(std::move(m)));
}

DbRoot DecodeRoot(std::string_view text, std::string_view what) {
  Value m;
  try {
    m = ReadEdn(text);
  } catch (const Anomaly& e) {
    ThrowFault(fmt::format("{} is corrupt: {}", what, e.message()));
  }
  auto get = [&](std::string_view key, ValueType type) -> const Value* {
    const Value* v = m.Get(Kw(key));
    if (v != nullptr && v->type() != type) {
      ThrowFault(fmt::format("{} is corrupt: {} is not a {}", what, key, TypeName(type)));
    }
    return v;
  };
  const Value* format = m.is_map() ? get("format", ValueType::kLong) : nullptr;
  if (format == nullptr) ThrowFault(fmt::format("{} is not a database root", what));
  if (format->AsLong() != kRootFormat) {
    ThrowUnsupported(fmt::format("{} has format {}; this Strata reads format {}: upgrade Strata",
                                 what, format->AsLong(), kRootFormat));
  }
  const Value* uuid = get("uuid", ValueType::kUuid);
  const Value* epoch = get("epoch", ValueType::kLong);
  const Value* t = get("t", ValueType::kLong);
  const Value* tail = get("tail", ValueType::kUuid);
  if (uuid == nullptr || epoch == nullptr || t == nullptr) {
    ThrowFault(fmt::format("{} is corrupt: it lacks :uuid, :epoch or :t", what));
  }
  DbRoot root;
  root.uuid = uuid->AsUuid();
  root.epoch = epoch->AsLong();
  root.t = t->AsLong();
  if (tail != nullptr) root.tail = tail->AsUuid();
  if (const Value* index = m.Get(Kw("index"))) root.index = DecodeIndexPointer(*index, what);
  if (const Value* log = m.Get(Kw("log-index"))) root.log_index = DecodeLogIndexPointer(*log, what);
  if (const Value* garbage = get("garbage", ValueType::kUuid)) root.garbage = garbage->AsUuid();
  return root;
}

LogStore::LogStore(Storage* storage, std::string name)
    : storage_(storage), name_(std::move(name)) {}

bool LogStore::Create() {
  DbRoot root;
  root.uuid = NewBlobKey();
  StorageWrite w;
  w.cas = RootCas{RootName(name_), 0, EncodeRoot(root)};
  return storage_->Commit(w);
}

bool LogStore::Delete() {
  std::optional<Root> root = storage_->GetRoot(RootName(name_));
  if (!root) return false;
  StorageWrite w;
  w.cas = RootCas{RootName(name_), root->rev, std::nullopt};
  return storage_->Commit(w);
}

std::optional<std::pair<Root, DbRoot>> LogStore::ReadRoot() const {
  std::optional<Root> root = storage_->GetRoot(RootName(name_));
  if (!root) return std::nullopt;
  return std::make_pair(*root, DecodeRoot(root->value, "the root of database " + name_));
}

std::vector<LogEntry> LogStore::ReadEntries(const DbRoot& root, int64_t after_t) const {
  if (after_t == std::numeric_limits<int64_t>::max()) return {};
  return ReadRange(root, after_t + 1, std::numeric_limits<int64_t>::max());
}

std::vector<LogEntry> LogStore::ReadRange(const DbRoot& root, int64_t start, int64_t end) const {
  std::vector<LogEntry> out;
  start = std::max<int64_t>(start, 0);  // no entry has a negative t
  if (start >= end) return out;
  // The chain is read for t > chain_after: after the packed part.
  int64_t chain_after = start - 1;
  if (const std::optional<LogIndexPointer>& packed = root.log_index) {
    if (packed->t > root.t) {
      ThrowFault(
          fmt::format("The root of database {} is corrupt: its :log-index is past its :t", name_));
    }
    if (start <= packed->t) {
      int64_t packed_end = std::min(end, packed->t + 1);
      std::vector<LogSegmentRef> dir = ReadDirectory(*packed);
      auto it = std::partition_point(dir.begin(), dir.end(),
                                     [&](const LogSegmentRef& s) { return s.last_t < start; });
      for (; it != dir.end() && it->first_t < packed_end; ++it) {
        for (LogEntry& e : ReadSegment(*it, start, packed_end).entries) out.push_back(std::move(e));
      }
    }
    chain_after = std::max(chain_after, packed->t);
  }
  if (end > chain_after + 1) {
    for (LogEntry& e : ReadChain(root, chain_after, end, nullptr)) out.push_back(std::move(e));
  }
  return out;
}

std::vector<LogEntry> LogStore::ReadChain(const DbRoot& root, int64_t after_t, int64_t end,
                                          std::vector<Uuid>* keys) const {
  // Walk back from the tail to the first blob that starts at or before
  // after_t, then return the entries oldest first.
  std::vector<std::vector<LogEntry>> blobs;
  int64_t limit = root.t + 1;  // every entry read so far is below it
  std::optional<Uuid> key = root.tail;
  while (key) {
    std::string what = fmt::format("log blob {} of database {}", key->ToString(), name_);
    std::optional<std::string> bytes = storage_->Get(*key);
    if (!bytes) ThrowFault(what + " is missing from storage");
    if (keys != nullptr) keys->push_back(*key);
    LogBlob blob = DecodeBlob(*bytes, what);
    // Each blob's entries come before the newer blob's, in increasing t; the
    // newest ends at the root's t. Anything else (which also rules out a
    // cycle in the chain) is damage.
    bool ordered = !blob.entries.empty() && blob.entries.back().t < limit &&
                   (!blobs.empty() || blob.entries.back().t == root.t);
    for (size_t i = 1; ordered && i < blob.entries.size(); ++i) {
      ordered = blob.entries[i - 1].t < blob.entries[i].t;
    }
    if (!ordered) ThrowFault(what + " is out of order with the rest of the log");
    limit = blob.entries.front().t;
    bool done = blob.entries.front().t <= after_t;
    std::erase_if(blob.entries, [&](const LogEntry& e) { return e.t <= after_t || e.t >= end; });
    blobs.push_back(std::move(blob.entries));
    if (done) break;
    key = blob.prev;
  }
  std::vector<LogEntry> out;
  for (auto it = blobs.rbegin(); it != blobs.rend(); ++it) {
    for (LogEntry& e : *it) out.push_back(std::move(e));
  }
  return out;
}

std::vector<LogSegmentRef> LogStore::ReadDirectory(const LogIndexPointer& pointer) const {
  std::string what = fmt::format("log directory {} of database {}", pointer.dir.ToString(), name_);
  std::optional<std::string> bytes = storage_->Get(pointer.dir);
  if (!bytes) ThrowFault(what + " is missing from storage");
  std::vector<LogSegmentRef> dir = DecodeLogDirectory(*bytes, what);
  if (dir.back().last_t > pointer.t) {
    ThrowFault(fmt::format("{} reaches past the packed t {} of the root", what, pointer.t));
  }
  return dir;
}

LogSegment LogStore::ReadSegment(const LogSegmentRef& ref, int64_t lo, int64_t hi) const {
  std::string what = fmt::format("log segment {} of database {}", ref.key.ToString(), name_);
  std::optional<std::string> bytes = storage_->Get(ref.key);
  if (!bytes) ThrowFault(what + " is missing from storage");
  LogSegment segment = DecodeLogSegment(*bytes, what, lo, hi);
  if (segment.first_t != ref.first_t || segment.last_t != ref.last_t ||
      segment.count != ref.count) {
    ThrowFault(fmt::format(
        "{} holds {} entries, t {} to {}, where its log directory lists {}, t {} to {}", what,
        segment.count, segment.first_t, segment.last_t, ref.count, ref.first_t, ref.last_t));
  }
  return segment;
}

std::optional<LogIndexPointer> LogStore::PackLog(const DbRoot& root, int64_t up_to_t,
                                                 const LogPackOptions& options) const {
  const std::optional<LogIndexPointer>& base = root.log_index;
  up_to_t = std::min(up_to_t, root.t);
  int64_t from = base ? base->t : -1;
  if (up_to_t <= from) return base;
  std::vector<LogEntry> entries = ReadChain(root, from, up_to_t + 1, nullptr);
  if (entries.empty()) {
    if (!base) return std::nullopt;
    return LogIndexPointer{up_to_t, base->dir};
  }
  std::vector<LogSegmentRef> dir;
  if (base) dir = ReadDirectory(*base);
  LogSegmentBuilder builder;
  // A last segment that is not full takes the first new entries: the
  // segments stay full however often the log is packed.
  if (!dir.empty() && dir.back().count < options.max_entries) {
    LogSegment last = ReadSegment(dir.back(), std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max());
    if (last.raw_bytes < options.max_bytes) {
      dir.pop_back();
      for (const LogEntry& e : last.entries) builder.Add(e);
    }
  }
  // Blob-only writes of at most about kMaxPackWrite bytes each; the last
  // one carries the directory.
  constexpr size_t kMaxPackWrite = size_t{32} << 20;
  StorageWrite w;
  size_t pending = 0;
  auto close = [&] {
    LogSegmentRef ref{builder.first_t(), builder.last_t(), builder.count(), NewBlobKey()};
    std::string blob = builder.Finish();
    pending += blob.size();
    w.blobs.emplace_back(ref.key, std::move(blob));
    dir.push_back(ref);
    if (pending >= kMaxPackWrite) {
      storage_->Commit(w);
      w.blobs.clear();
      pending = 0;
    }
  };
  for (const LogEntry& e : entries) {
    builder.Add(e);
    if (builder.count() >= options.max_entries || builder.raw_bytes() >= options.max_bytes) {
      close();
    }
  }
  if (builder.count() > 0) close();
  LogIndexPointer pointer{up_to_t, NewBlobKey()};
  w.blobs.emplace_back(pointer.dir, EncodeLogDirectory(dir));
  storage_->Commit(w);
  return pointer;
}

std::vector<Uuid> LogStore::LogBlobs(const DbRoot& root) const {
  std::vector<Uuid> keys;
  int64_t after = -1;
  if (root.log_index) {
    keys.push_back(root.log_index->dir);
    for (const LogSegmentRef& s : ReadDirectory(*root.log_index)) keys.push_back(s.key);
    after = root.log_index->t;
  }
  ReadChain(root, after, after + 1, &keys);  // the walk, keeping no entries
  return keys;
}

bool LogStore::Append(uint64_t* rev, DbRoot* root, const std::vector<LogEntry>& entries) {
  if (entries.empty()) return true;
  DbRoot next = *root;
  Uuid key = NewBlobKey();
  next.tail = key;
  next.t = entries.back().t;
  StorageWrite w;
  w.blobs.emplace_back(key, EncodeBlob(root->tail, entries));
  w.cas = RootCas{RootName(name_), *rev, EncodeRoot(next)};
  if (!storage_->Commit(w)) return false;
  *root = next;
  *rev += 1;
  return true;
}

bool LogStore::UpdateRoot(uint64_t* rev, const DbRoot& root,
                          std::vector<std::pair<Uuid, std::string>> blobs) {
  StorageWrite w;
  w.blobs = std::move(blobs);
  w.cas = RootCas{RootName(name_), *rev, EncodeRoot(root)};
  if (!storage_->Commit(w)) return false;
  *rev += 1;
  return true;
}

}  // namespace strata::internal
