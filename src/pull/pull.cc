// Pull: a parsed pattern resolved against a schema, then walked over EAVT
// (forward attributes) and VAET (reverse ones) from each entity.
//
// Resolution turns each attribute name into its Attribute once per schema
// and lists, per pattern node, the forward attribute ids it needs, sorted.
// Pulling an entity reads its datoms with one EAVT seek (a prefix on e, or on
// (e, a) when the node needs a single attribute), keeps those the node
// wants, and builds each spec's value from its run of datoms. Buffers are
// kept per nesting level and reused from entity to entity, so a pull
// allocates little beyond the values it returns.
#include "strata/pull.h"

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/value_internal.h"
#include "db/db_state.h"
#include "db/schema.h"
#include "pull/pattern.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata {
namespace internal {

struct ResolvedNode;

// An attr-spec with its attribute found in one schema.
struct ResolvedSpec {
  const PullAttrSpec* spec = nullptr;
  // Null for :db/id and for attributes the schema does not have.
  const Attribute* attr = nullptr;
  bool reverse = false;
  // The nested pattern, when the spec has one.
  const ResolvedNode* sub = nullptr;
  // The node that holds this spec: what a recursion repeats.
  const ResolvedNode* parent = nullptr;
  // For a forward attribute, its place in the node's `forward`.
  int forward_pos = -1;
};

struct ResolvedNode {
  bool wildcard = false;
  std::vector<ResolvedSpec> specs;
  // Without `*`: the specs' indexes in the order of their keys (stable, so
  // that of equal keys the first written comes first), and for each whether
  // its key is the one before's. A result map is built in this order, with
  // no comparison.
  std::vector<uint32_t> key_order;
  std::vector<bool> same_key;
  // The forward attributes the specs name, sorted, without duplicates.
  std::vector<EntityId> forward;
  bool has_db_id = false;
};

struct ResolvedPattern {
  std::shared_ptr<const Schema> schema;
  std::vector<std::unique_ptr<ResolvedNode>> nodes;
  const ResolvedNode* root = nullptr;
};

namespace {

// The pattern of a component pulled without a sub-pattern: `*`.
const ResolvedNode& WildcardNode() {
  static const ResolvedNode* node = [] {
    auto* n = new ResolvedNode();
    n->wildcard = true;
    return n;
  }();
  return *node;
}

// The spec of attributes `*` selects.
const PullAttrSpec& WildcardSpec() {
  static const PullAttrSpec* spec = new PullAttrSpec();
  return *spec;
}

const Value& DbIdKey() {
  static const Value* key = new Value(Value::Keyword("db", "id"));
  return *key;
}
const Value& DbIdentKey() {
  static const Value* key = new Value(Value::Keyword("db", "ident"));
  return *key;
}

// The deepest nesting of entities one pull builds.
constexpr size_t kMaxPullDepth = 1000;

class Resolver {
 public:
  Resolver(const PullPatternImpl& pattern, std::shared_ptr<const Schema> schema)
      : pattern_(pattern) {
    out_ = std::make_shared<ResolvedPattern>();
    out_->schema = std::move(schema);
  }

  std::shared_ptr<const ResolvedPattern> Run() {
    out_->root = Resolve(pattern_.root);
    return out_;
  }

 private:
  const Attribute* Find(const Value& ident) const {
    std::optional<EntityId> id = out_->schema->Entid(ident);
    return id ? out_->schema->Find(*id) : nullptr;
  }

  const ResolvedNode* Resolve(const PullNode& node) {
    out_->nodes.push_back(std::make_unique<ResolvedNode>());
    ResolvedNode* r = out_->nodes.back().get();
    r->wildcard = node.wildcard;
    for (const PullAttrSpec& spec : node.specs) {
      ResolvedSpec rs;
      rs.spec = &spec;
      rs.parent = r;
      if (spec.kind == PullAttrSpec::Kind::kDbId) {
        r->has_db_id = true;
        r->specs.push_back(rs);
        continue;
      }
      rs.attr = Find(spec.name);
      if (rs.attr == nullptr && !spec.reverse_of.is_nil()) {
        rs.attr = Find(spec.reverse_of);
        rs.reverse = rs.attr != nullptr;
        if (rs.reverse && !rs.attr->is_ref()) {
          ThrowInvalidPull(pattern_.form, spec.form,
                           fmt::format("{} reads {} in reverse, but {} is not a ref attribute: "
                                       "only refs have reverse names",
                                       PrintEdn(spec.name), PrintEdn(spec.reverse_of),
                                       PrintEdn(spec.reverse_of)));
        }
      }
      bool navigates = spec.sub != nullptr || spec.recursion != PullAttrSpec::Recursion::kNone;
      if (rs.attr != nullptr && !rs.attr->is_ref() && navigates) {
        ThrowInvalidPull(pattern_.form, spec.form,
                         fmt::format("{} is not a ref attribute: a map-spec needs a ref to pull "
                                     "the entities it names",
                                     PrintEdn(spec.name)));
      }
      if (rs.attr != nullptr && spec.sub != nullptr) rs.sub = Resolve(*spec.sub);
      if (rs.attr != nullptr && !rs.reverse) r->forward.push_back(rs.attr->id);
      r->specs.push_back(rs);
    }
    std::sort(r->forward.begin(), r->forward.end());
    r->forward.erase(std::unique(r->forward.begin(), r->forward.end()), r->forward.end());
    for (ResolvedSpec& rs : r->specs) {
      if (rs.attr == nullptr || rs.reverse) continue;
      rs.forward_pos = static_cast<int>(
          std::lower_bound(r->forward.begin(), r->forward.end(), rs.attr->id) - r->forward.begin());
    }
    if (!r->wildcard) {
      for (uint32_t i = 0; i < r->specs.size(); ++i) r->key_order.push_back(i);
      auto key = [r](uint32_t i) -> const Value& { return r->specs[i].spec->key; };
      std::stable_sort(r->key_order.begin(), r->key_order.end(),
                       [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
      for (size_t i = 0; i < r->key_order.size(); ++i) {
        r->same_key.push_back(i > 0 && key(r->key_order[i]) == key(r->key_order[i - 1]));
      }
    }
    return r;
  }

  const PullPatternImpl& pattern_;
  std::shared_ptr<ResolvedPattern> out_;
};

std::shared_ptr<const ResolvedPattern> ResolvedFor(const PullPatternImpl& pattern,
                                                   const Database& db) {
  const std::shared_ptr<const Schema>& schema = db.state().schema;
  {
    std::lock_guard<std::mutex> lock(pattern.mu);
    if (pattern.resolved && pattern.resolved->schema == schema) return pattern.resolved;
  }
  std::shared_ptr<const ResolvedPattern> resolved = Resolver(pattern, schema).Run();
  std::lock_guard<std::mutex> lock(pattern.mu);
  pattern.resolved = resolved;
  return resolved;
}

void CheckNotHistory(const Database& db) {
  if (db.is_history()) {
    ThrowIncorrect("history-db",
                   "Pull reads entities, and a history database has none: pull from the database "
                   "itself, or from an as-of or since view of it");
  }
}

// The order of a map's keys, learnt once per shape: entities pulled with
// `*` mostly have the same attributes, so their entries come with the same
// keys in the same order, and one sort serves them all.
class KeyOrders {
 public:
  // The indexes of `entries` in the order of their keys, of equal keys the
  // first only.
  const std::vector<uint32_t>& Of(const std::vector<ValuePair>& entries) {
    // A shape is known by its keywords' identities; other keys are sorted
    // each time.
    shape_.clear();
    for (const ValuePair& e : entries) {
      if (!e.first.is_keyword()) return Sorted(entries);
      shape_.push_back(e.first.InternedId());
    }
    for (Known& k : known_) {
      if (k.shape == shape_) return k.order;
    }
    const std::vector<uint32_t>& order = Sorted(entries);
    if (known_.size() < kMaxShapes) known_.emplace_back();
    Known& slot = known_[next_++ % kMaxShapes];
    slot.shape = shape_;
    slot.order = order;
    return slot.order;
  }

 private:
  static constexpr size_t kMaxShapes = 16;
  struct Known {
    std::vector<const void*> shape;
    std::vector<uint32_t> order;
  };

  const std::vector<uint32_t>& Sorted(const std::vector<ValuePair>& entries) {
    sorted_.resize(entries.size());
    for (uint32_t i = 0; i < entries.size(); ++i) sorted_[i] = i;
    std::stable_sort(sorted_.begin(), sorted_.end(), [&](uint32_t a, uint32_t b) {
      return Compare(entries[a].first, entries[b].first) < 0;
    });
    size_t n = 0;
    for (size_t i = 0; i < sorted_.size(); ++i) {
      if (n > 0 && entries[sorted_[n - 1]].first == entries[sorted_[i]].first) continue;
      sorted_[n++] = sorted_[i];
    }
    sorted_.resize(n);
    return sorted_;
  }

  std::vector<const void*> shape_;
  std::vector<uint32_t> sorted_;
  std::vector<Known> known_;
  size_t next_ = 0;
};

// A map from entries in any order: sorted by key, and the first of equal
// keys kept. Takes the entries' values, leaving `entries` to be cleared.
Value MakeMap(SeqArena* arena, KeyOrders* orders, std::vector<ValuePair>* entries) {
  const std::vector<uint32_t>& order = orders->Of(*entries);
  SeqObject* seq = arena->Alloc(ValueType::kMap, order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    ValuePair& e = (*entries)[order[i]];
    seq->items()[2 * i] = std::move(e.first);
    arena->Place(seq, 2 * i + 1, std::move(e.second));
  }
  return WrapSeq(seq);
}

Value MakeVector(SeqArena* arena, std::vector<Value>* items) {
  SeqObject* seq = arena->Alloc(ValueType::kVector, items->size());
  for (size_t i = 0; i < items->size(); ++i) arena->Place(seq, i, std::move((*items)[i]));
  return WrapSeq(seq);
}

// Pulls entities with one resolved pattern; reuse it for many entities.
class Puller {
 public:
  Puller(const Database& db, const ResolvedPattern& pattern)
      : db_(db),
        schema_(*pattern.schema),
        pattern_(pattern),
        plain_(!db.as_of_t() && !db.since_t() && !db.is_history() && !db.filter() &&
               !db.state().durable) {}

  Value Pull(EntityId e) {
    path_.clear();
    limits_.clear();
    path_.push_back(e);
    return PullEntity(e, *pattern_.root);
  }

 private:
  // The buffers of one nesting level.
  struct Frame {
    // The entity's datoms the node reads, in EAVT order; `owned` holds
    // them when they come from a cursor rather than the memory index.
    std::vector<const Datom*> datoms;
    std::vector<Datom> owned;
    // Per attribute of the node's `forward`, its datoms' [begin, end) in
    // `datoms` (empty when it has none).
    std::vector<std::pair<uint32_t, uint32_t>> runs;
    std::vector<ValuePair> entries;
    // A node's spec values, and which of them are present.
    std::vector<Value> values;
    std::vector<bool> present;
    std::vector<Value> items;
    // A reverse name's VAET datoms.
    std::vector<const Datom*> refs;
    std::vector<Datom> refs_owned;
  };

  Value PullEntity(EntityId e, const ResolvedNode& node) {
    if (depth_ >= kMaxPullDepth) {
      ThrowIncorrect("pull-too-deep",
                     fmt::format("Pull nests more than {} entities deep: give recursion a depth "
                                 "limit ({{:attr 10}}) rather than ...",
                                 kMaxPullDepth));
    }
    if (frames_.size() <= depth_) frames_.emplace_back();
    Frame& f = frames_[depth_];
    ++depth_;
    struct Leave {
      size_t* depth;
      ~Leave() { --*depth; }
    } leave{&depth_};
    Load(e, node, f);
    if (!node.wildcard) return Specified(e, node, f);
    f.entries.clear();
    for (const ResolvedSpec& rs : node.specs) {
      Value value;
      if (SpecValue(e, rs, f, &value)) f.entries.emplace_back(rs.spec->key, std::move(value));
    }
    // `*`: every attribute the specs do not name, keyed by its ident.
    if (!node.has_db_id) f.entries.emplace_back(DbIdKey(), Value::Long(e));
    auto it = f.datoms.begin();
    while (it != f.datoms.end()) {
      EntityId a = (*it)->a;
      auto end = std::find_if(it, f.datoms.end(), [a](const Datom* d) { return d->a != a; });
      const Attribute* attr = schema_.Find(a);
      if (attr != nullptr && !std::binary_search(node.forward.begin(), node.forward.end(), a)) {
        ResolvedSpec rs;
        rs.spec = &WildcardSpec();
        rs.attr = attr;
        Value value;
        if (Forward(it, end, rs, f, &value)) f.entries.emplace_back(attr->ident, std::move(value));
      }
      it = end;
    }
    Value result = MakeMap(&arena_, &key_orders_, &f.entries);
    f.entries.clear();
    return result;
  }

  // The value of one spec for e, its default included; false when there is
  // none to give.
  bool SpecValue(EntityId e, const ResolvedSpec& rs, Frame& f, Value* value) {
    const PullAttrSpec& spec = *rs.spec;
    bool present = false;
    if (spec.kind == PullAttrSpec::Kind::kDbId) {
      *value = Value::Long(e);
      present = true;
    } else if (rs.attr == nullptr) {
      present = false;
    } else if (rs.reverse) {
      present = Reverse(e, rs, f, value);
    } else {
      auto [lo, hi] = f.runs[rs.forward_pos];
      present = Forward(f.datoms.begin() + lo, f.datoms.begin() + hi, rs, f, value);
    }
    if (present) {
      if (spec.xform) *value = (*spec.xform)(*value);
      return true;
    }
    if (!spec.has_default) return false;
    *value = spec.default_value;
    return true;
  }

  // The map of a node without `*`: each spec's value, then the entries in
  // the order of their keys, worked out when the pattern was resolved.
  Value Specified(EntityId e, const ResolvedNode& node, Frame& f) {
    size_t n = node.specs.size();
    f.values.resize(n);
    f.present.assign(n, false);
    for (size_t i = 0; i < n; ++i) f.present[i] = SpecValue(e, node.specs[i], f, &f.values[i]);
    // Of equal keys, the first present (in the order written) is kept.
    size_t count = 0;
    bool taken = false;
    for (size_t k = 0; k < n; ++k) {
      if (!node.same_key[k]) taken = false;
      if (taken || !f.present[node.key_order[k]]) continue;
      taken = true;
      ++count;
    }
    SeqObject* seq = arena_.Alloc(ValueType::kMap, count);
    size_t at = 0;
    taken = false;
    for (size_t k = 0; k < n; ++k) {
      if (!node.same_key[k]) taken = false;
      uint32_t i = node.key_order[k];
      if (taken || !f.present[i]) continue;
      taken = true;
      seq->items()[at++] = node.specs[i].spec->key;
      arena_.Place(seq, at++, std::move(f.values[i]));
    }
    for (Value& v : f.values) v = Value();
    return WrapSeq(seq);
  }

  // The datoms of `index` matching the key's leading components, into
  // *out: straight from the memory index for a plain database, else
  // through a cursor (copies kept in *owned).
  void Read(Index index, const DatomKey& key, std::vector<const Datom*>* out,
            std::vector<Datom>* owned) {
    out->clear();
    if (plain_) {
      db_.state().index.Scan(index, Part::kCurrent, key, out);
      return;
    }
    owned->clear();
    std::unique_ptr<DatomCursor> cursor = OpenCursor(db_, index, key, true);
    while (const Datom* d = cursor->Next()) owned->push_back(*d);
    for (const Datom& d : *owned) out->push_back(&d);
  }

  // The datoms of e that `node` reads, in EAVT order, into f.datoms, and
  // where each of the node's forward attributes has its run of them.
  void Load(EntityId e, const ResolvedNode& node, Frame& f) {
    ReadDatoms(e, node, f);
    f.runs.assign(node.forward.size(), {0, 0});
    size_t j = 0;
    for (uint32_t i = 0, n = static_cast<uint32_t>(f.datoms.size()); i < n;) {
      EntityId a = f.datoms[i]->a;
      uint32_t end = i + 1;
      while (end < n && f.datoms[end]->a == a) ++end;
      while (j < node.forward.size() && node.forward[j] < a) ++j;
      if (j < node.forward.size() && node.forward[j] == a) f.runs[j] = {i, end};
      i = end;
    }
  }

  void ReadDatoms(EntityId e, const ResolvedNode& node, Frame& f) {
    f.datoms.clear();
    if (!node.wildcard && node.forward.empty()) return;
    DatomKey key;
    key.probe.e = e;
    key.n = 1;
    if (!node.wildcard && node.forward.size() == 1) {
      key.probe.a = node.forward[0];
      key.n = 2;
    }
    if (plain_) {
      f.datoms.clear();
      std::span<const EntityId> attrs;
      if (!node.wildcard && key.n == 1) attrs = node.forward;
      db_.state().index.ScanEavt(key, attrs, &finger_, &f.datoms);
      return;
    }
    Read(Index::kEavt, key, &f.datoms, &f.owned);
    if (node.wildcard || key.n == 2) return;
    size_t n = 0;
    for (const Datom* d : f.datoms) {
      if (std::binary_search(node.forward.begin(), node.forward.end(), d->a)) f.datoms[n++] = d;
    }
    f.datoms.resize(n);
  }

  using DatomIt = std::vector<const Datom*>::const_iterator;

  // The value of a forward attribute from its datoms [lo, hi); false when
  // there is none to give.
  bool Forward(DatomIt lo, DatomIt hi, const ResolvedSpec& rs, Frame& f, Value* out) {
    if (lo == hi) return false;
    const Attribute& attr = *rs.attr;
    if (!attr.many) return Element((*lo)->v, rs, attr.is_component, out);
    int64_t limit = rs.spec->limit;
    f.items.clear();
    for (auto it = lo; it != hi && (limit < 0 || static_cast<int64_t>(f.items.size()) < limit);
         ++it) {
      Value v;
      if (Element((*it)->v, rs, attr.is_component, &v)) f.items.push_back(std::move(v));
    }
    if (f.items.empty()) return false;
    *out = MakeVector(&arena_, &f.items);
    f.items.clear();
    return true;
  }

  // A reverse attribute's value: the entities whose attribute refers to e.
  bool Reverse(EntityId e, const ResolvedSpec& rs, Frame& f, Value* out) {
    const Attribute& attr = *rs.attr;
    int64_t limit = attr.is_component ? 1 : rs.spec->limit;
    DatomKey key;
    key.probe.v = Value::Ref(e);
    key.probe.a = attr.id;
    key.n = 2;
    Read(Index::kVaet, key, &f.refs, &f.refs_owned);
    if (limit >= 0 && static_cast<int64_t>(f.refs.size()) > limit) {
      f.refs.resize(static_cast<size_t>(limit));
    }
    if (f.refs.empty()) return false;
    if (attr.is_component) return Ref(f.refs[0]->e, rs, false, out);
    // f.refs stays as it is while the referring entities are pulled: only
    // deeper frames are used for them.
    std::vector<Value> items;
    items.reserve(f.refs.size());
    for (const Datom* d : f.refs) {
      Value v;
      if (Ref(d->e, rs, false, &v)) items.push_back(std::move(v));
    }
    if (items.empty()) return false;
    *out = MakeVector(&arena_, &items);
    return true;
  }

  bool Element(const Value& v, const ResolvedSpec& rs, bool component, Value* out) {
    if (!rs.attr->is_ref() || !v.is_integer()) {
      *out = v;
      return true;
    }
    return Ref(v.AsLong(), rs, component, out);
  }

  // What a ref to `target` gives under `rs`.
  bool Ref(EntityId target, const ResolvedSpec& rs, bool component, Value* out) {
    const PullAttrSpec& spec = *rs.spec;
    if (spec.recursion != PullAttrSpec::Recursion::kNone) return Recurse(target, rs, out);
    const ResolvedNode* node = rs.sub != nullptr ? rs.sub : component ? &WildcardNode() : nullptr;
    if (node == nullptr) {
      *out = BareRef(target);
      return true;
    }
    if (component) {
      if (OnPath(target)) {
        *out = Value::Map({{DbIdKey(), Value::Long(target)}});
        return true;
      }
      path_.push_back(target);
    }
    Value m = PullEntity(target, *node);
    if (component) path_.pop_back();
    if (m.Count() == 0) return false;
    *out = std::move(m);
    return true;
  }

  bool Recurse(EntityId target, const ResolvedSpec& rs, Value* out) {
    if (OnPath(target)) {
      *out = Value::Map({{DbIdKey(), Value::Long(target)}});
      return true;
    }
    bool bounded = rs.spec->recursion == PullAttrSpec::Recursion::kDepth;
    if (bounded) {
      int64_t remaining = rs.spec->depth;
      for (auto it = limits_.rbegin(); it != limits_.rend(); ++it) {
        if (it->first == &rs) {
          remaining = it->second;
          break;
        }
      }
      if (remaining <= 0) return false;
      limits_.emplace_back(&rs, remaining - 1);
    }
    path_.push_back(target);
    Value m = PullEntity(target, *rs.parent);
    path_.pop_back();
    if (bounded) limits_.pop_back();
    if (m.Count() == 0) return false;
    *out = std::move(m);
    return true;
  }

  bool OnPath(EntityId e) const { return std::find(path_.begin(), path_.end(), e) != path_.end(); }

  Value BareRef(EntityId target) const {
    Value ident = schema_.Ident(target);
    if (ident.is_nil()) return Value::Map({{DbIdKey(), Value::Long(target)}});
    return Value::Map({{DbIdKey(), Value::Long(target)}, {DbIdentKey(), std::move(ident)}});
  }

  const Database& db_;
  const Schema& schema_;
  const ResolvedPattern& pattern_;
  // The result's maps and vectors, made in shared blocks: the first just
  // big enough for the first (one small map pulled alone takes no more room
  // than on its own), each next one twice the one before.
  SeqArena arena_{0};
  KeyOrders key_orders_;
  // Where the last entity's datoms were read, for a plain database.
  internal::MemoryIndex::EavtFinger finger_;
  // Whether the database is its memory index's current part alone, read
  // without cursors.
  bool plain_;
  std::deque<Frame> frames_;
  size_t depth_ = 0;
  // The entities on the path from the root to the entity being pulled,
  // through recursion and components: met again, they end a cycle.
  std::vector<EntityId> path_;
  // Recursion limits left, per recursive spec, innermost last.
  std::vector<std::pair<const ResolvedSpec*, int64_t>> limits_;
};

// Patterns given as values or text, parsed once: a small process-wide
// cache, emptied when full.
class PatternCache {
 public:
  PullPattern Get(const Value& key, const Value& form) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = cache_.find(key);
      if (it != cache_.end()) return it->second;
    }
    PullPattern pattern(ParsePattern(form));
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kMaxEntries) cache_.clear();
    cache_.insert_or_assign(key, pattern);
    return pattern;
  }

  static PatternCache& Instance() {
    static PatternCache* cache = new PatternCache();
    return *cache;
  }

 private:
  static constexpr size_t kMaxEntries = 512;
  std::mutex mu_;
  absl::flat_hash_map<Value, PullPattern, ValueHash> cache_;
};

PullPattern CachedPattern(const Value& pattern) {
  return PatternCache::Instance().Get(pattern, pattern);
}

PullPattern CachedPattern(std::string_view text) {
  Value key = Value::String(text);
  return PatternCache::Instance().Get(key, ReadEdn(text));
}

}  // namespace
}  // namespace internal

PullPattern::PullPattern(std::shared_ptr<const internal::PullPatternImpl> impl)
    : impl_(std::move(impl)) {}

const Value& PullPattern::form() const { return impl_->form; }

PullPattern ParsePullPattern(const Value& pattern) {
  return PullPattern(internal::ParsePattern(pattern));
}

PullPattern ParsePullPattern(std::string_view pattern) {
  return PullPattern(internal::ParsePattern(ReadEdn(pattern)));
}

Value Pull(const Database& db, const PullPattern& pattern, EntityId eid) {
  internal::CheckNotHistory(db);
  auto resolved = internal::ResolvedFor(pattern.impl(), db);
  return internal::Puller(db, *resolved).Pull(eid);
}

Value Pull(const Database& db, const PullPattern& pattern, const Value& eid) {
  internal::CheckNotHistory(db);
  std::optional<EntityId> e = db.Entid(eid);
  if (!e) return Value();
  return Pull(db, pattern, *e);
}

Value Pull(const Database& db, const Value& pattern, EntityId eid) {
  return Pull(db, internal::CachedPattern(pattern), eid);
}

Value Pull(const Database& db, const Value& pattern, const Value& eid) {
  return Pull(db, internal::CachedPattern(pattern), eid);
}

Value Pull(const Database& db, std::string_view pattern, const Value& eid) {
  return Pull(db, internal::CachedPattern(pattern), eid);
}

std::vector<Value> PullMany(const Database& db, const PullPattern& pattern,
                            std::span<const EntityId> eids) {
  internal::CheckNotHistory(db);
  auto resolved = internal::ResolvedFor(pattern.impl(), db);
  internal::Puller puller(db, *resolved);
  std::vector<Value> out;
  out.reserve(eids.size());
  for (EntityId e : eids) out.push_back(puller.Pull(e));
  return out;
}

Value PullMany(const Database& db, const PullPattern& pattern, const Value& eids) {
  internal::CheckNotHistory(db);
  if (!eids.is_sequential() && !eids.is_set()) {
    ThrowIncorrect(
        "invalid-pull",
        fmt::format("PullMany takes a collection of entity identifiers, not {}", PrintEdn(eids)),
        Value::Map({{Value::Keyword("eids"), eids}}));
  }
  auto resolved = internal::ResolvedFor(pattern.impl(), db);
  internal::Puller puller(db, *resolved);
  std::vector<Value> out;
  out.reserve(eids.Count());
  for (const Value& id : eids.Items()) {
    std::optional<EntityId> e = db.Entid(id);
    out.push_back(e ? puller.Pull(*e) : Value());
  }
  return Value::Vector(std::move(out));
}

Value PullMany(const Database& db, const Value& pattern, const Value& eids) {
  return PullMany(db, internal::CachedPattern(pattern), eids);
}

}  // namespace strata
