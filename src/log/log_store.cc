// A database's root and log in storage (see log_store.h).
#include "log/log_store.h"

#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

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

std::vector<Uuid> LogStore::ListLogBlobs(const DbRoot& root) const {
  std::vector<Uuid> keys;
  absl::flat_hash_set<Uuid, UuidHash> seen;
  for (std::optional<Uuid> key = root.tail; key;) {
    std::string what = fmt::format("log blob {} of database {}", key->ToString(), name_);
    if (!seen.insert(*key).second) ThrowFault(what + " comes back on itself: the log is damaged");
    std::optional<std::string> bytes = storage_->Get(*key);
    if (!bytes) ThrowFault(what + " is missing from storage");
    keys.push_back(*key);
    ByteReader r = OpenFrame(*bytes, kBlobMagic, kBlobVersion, "log blob", what);
    key = ReadPrev(r);
  }
  return keys;
}

std::vector<LogEntry> LogStore::ReadEntries(const DbRoot& root, int64_t after_t) const {
  // Walk back from the tail to the first blob that starts at or before
  // after_t, then return the entries oldest first.
  std::vector<std::vector<LogEntry>> blobs;
  std::optional<Uuid> key = root.tail;
  while (key) {
    std::string what = fmt::format("log blob {} of database {}", key->ToString(), name_);
    std::optional<std::string> bytes = storage_->Get(*key);
    if (!bytes) ThrowFault(what + " is missing from storage");
    LogBlob blob = DecodeBlob(*bytes, what);
    // Each blob's entries come before the newer blob's, in increasing t; the
    // newest ends at the root's t. Anything else (which also rules out a
    // cycle in the chain) is damage.
    int64_t limit = blobs.empty() ? root.t + 1 : blobs.back().front().t;
    bool ordered = !blob.entries.empty() && blob.entries.back().t < limit &&
                   (!blobs.empty() || blob.entries.back().t == root.t);
    for (size_t i = 1; ordered && i < blob.entries.size(); ++i) {
      ordered = blob.entries[i - 1].t < blob.entries[i].t;
    }
    if (!ordered) ThrowFault(what + " is out of order with the rest of the log");
    bool done = blob.entries.front().t <= after_t;
    blobs.push_back(std::move(blob.entries));
    if (done) break;
    key = blob.prev;
  }
  std::vector<LogEntry> out;
  for (auto it = blobs.rbegin(); it != blobs.rend(); ++it) {
    for (LogEntry& e : *it) {
      if (e.t > after_t) out.push_back(std::move(e));
    }
  }
  return out;
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

bool LogStore::UpdateRoot(uint64_t* rev, const DbRoot& root) {
  StorageWrite w;
  w.cas = RootCas{RootName(name_), *rev, EncodeRoot(root)};
  if (!storage_->Commit(w)) return false;
  *rev += 1;
  return true;
}

}  // namespace strata::internal
