// Database values: component resolution for the index read interface,
// identifiers, time views.
#include "strata/database.h"

#include <fmt/format.h>

#include "db/bootstrap.h"
#include "db/db_state.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata {

using internal::DatomCursor;
using internal::DatomKey;
using internal::DbState;

std::optional<Index> ParseIndex(const Value& keyword) {
  if (!keyword.is_keyword() || !keyword.Namespace().empty()) return std::nullopt;
  std::string_view n = keyword.Name();
  if (n == "eavt") return Index::kEavt;
  if (n == "aevt") return Index::kAevt;
  if (n == "avet") return Index::kAvet;
  if (n == "vaet") return Index::kVaet;
  return std::nullopt;
}

// ---- DatomIterator --------------------------------------------------------------

DatomIterator::DatomIterator() = default;
DatomIterator::DatomIterator(std::unique_ptr<DatomCursor> cursor) : cursor_(std::move(cursor)) {}
DatomIterator::DatomIterator(DatomIterator&&) noexcept = default;
DatomIterator& DatomIterator::operator=(DatomIterator&&) noexcept = default;
DatomIterator::~DatomIterator() = default;

const Datom* DatomIterator::Next() { return cursor_ ? cursor_->Next() : nullptr; }

// ---- DbState ----------------------------------------------------------------------

std::shared_ptr<const DbState> DbState::Bootstrap() {
  DbState empty;
  empty.schema = std::make_shared<Schema>();
  empty.next_counter = sys::kFirstUserCounter;
  return internal::ApplyDatoms(empty, 0, BootstrapDatoms());
}

// ---- Database ---------------------------------------------------------------------

Database::Database(std::shared_ptr<const DbState> state) : state_(std::move(state)) {}

int64_t Database::basis_t() const { return state_->basis_t; }
int64_t Database::next_t() const { return state_->next_counter; }

namespace {

[[noreturn]] void ThrowNotAnAttribute(const Value& a) {
  ThrowIncorrect("not-an-attribute",
                 fmt::format("{} is not an attribute: install it with :db/ident, "
                             ":db/valueType and :db/cardinality first",
                             PrintEdn(a)),
                 Value::Map({{Value::Keyword("attribute"), a}}));
}

}  // namespace

std::optional<EntityId> Database::Entid(const Value& identifier) const {
  if (identifier.is_integer()) return identifier.AsLong();
  if (identifier.is_keyword()) return state_->schema->Entid(identifier);
  if (identifier.is_sequential() && identifier.Count() == 2) {
    // A lookup ref [unique-attribute value].
    const Value& a = identifier.Items()[0];
    std::optional<EntityId> aid = a.is_keyword() || a.is_integer() ? Entid(a) : std::nullopt;
    const Attribute* attr = aid ? state_->schema->Find(*aid) : nullptr;
    if (attr == nullptr) ThrowNotAnAttribute(a);
    if (attr->unique == Unique::kNone) {
      ThrowIncorrect("lookup-ref-attr-not-unique",
                     fmt::format("Lookup ref {} names {}, which is not unique: a lookup ref "
                                 "needs a :db/unique attribute",
                                 PrintEdn(identifier), PrintEdn(a)),
                     Value::Map({{Value::Keyword("lookup-ref"), identifier}}));
    }
    const Value& v = identifier.Items()[1];
    if (v.is_nil()) return std::nullopt;
    DatomIterator it = Datoms(Index::kAvet, {Value::Long(attr->id), v});
    if (const Datom* d = it.Next()) return d->e;
    return std::nullopt;
  }
  return std::nullopt;
}

EntityId Database::EntidOrThrow(const Value& identifier) const {
  std::optional<EntityId> e = Entid(identifier);
  if (!e) {
    ThrowNotFound("not-an-entity",
                  fmt::format("Unable to resolve entity: {}", PrintEdn(identifier)),
                  Value::Map({{Value::Keyword("entity"), identifier}}));
  }
  return *e;
}

Value Database::Ident(EntityId eid) const { return state_->schema->Ident(eid); }

namespace {

// The component order of each index: e=0, a=1, v=2, tx=3.
constexpr int kComponentOrder[4][4] = {
    {0, 1, 2, 3},  // eavt
    {1, 0, 2, 3},  // aevt
    {1, 2, 0, 3},  // avet
    {2, 1, 0, 3},  // vaet
};

}  // namespace

// Resolves index components into a seek key. Returns false when a
// component names nothing (no datom can match).
static bool ResolveKey(const Database& db, Index index, const std::vector<Value>& components,
                       DatomKey* key) {
  if (components.size() > 4) {
    ThrowIncorrect("invalid-index-components",
                   fmt::format("An index has four components; {} were given", components.size()));
  }
  const int* order = kComponentOrder[static_cast<int>(index)];
  const Attribute* attr = nullptr;
  // The attribute first: values are read by its type.
  for (size_t i = 0; i < components.size(); ++i) {
    if (order[i] != 1) continue;
    std::optional<EntityId> a = db.Entid(components[i]);
    attr = a ? db.state().schema->Find(*a) : nullptr;
    if (attr == nullptr) ThrowNotAnAttribute(components[i]);
    key->probe.a = attr->id;
  }
  for (size_t i = 0; i < components.size(); ++i) {
    const Value& c = components[i];
    switch (order[i]) {
      case 0: {
        std::optional<EntityId> e = db.Entid(c);
        if (!e) return false;
        key->probe.e = *e;
        break;
      }
      case 1:
        break;
      case 2: {
        bool ref_value = index == Index::kVaet || (attr != nullptr && attr->is_ref());
        if (ref_value && (c.is_keyword() || c.is_sequential())) {
          std::optional<EntityId> e = db.Entid(c);
          if (!e) return false;
          key->probe.v = Value::Ref(*e);
        } else {
          key->probe.v = c;
        }
        break;
      }
      case 3:
        if (!c.is_integer()) {
          ThrowIncorrect(
              "invalid-index-components",
              fmt::format("The tx component must be a t or a transaction id, not {}", PrintEdn(c)));
        }
        key->probe.tx = TxFromT(ToT(c.AsLong()));
        break;
    }
  }
  key->n = static_cast<int>(components.size());
  return true;
}

DatomIterator Database::Datoms(Index index, const std::vector<Value>& components) const {
  DatomKey key;
  if (!ResolveKey(*this, index, components, &key)) return DatomIterator();
  return DatomIterator(internal::OpenCursor(*this, index, key, /*prefix_only=*/true));
}

DatomIterator Database::SeekDatoms(Index index, const std::vector<Value>& components) const {
  DatomKey key;
  if (!ResolveKey(*this, index, components, &key)) return DatomIterator();
  return DatomIterator(internal::OpenCursor(*this, index, key, /*prefix_only=*/false));
}

namespace {

// Stops at the first datom whose value is at or past `end`, or whose
// attribute differs.
class RangeCursor : public DatomCursor {
 public:
  RangeCursor(std::unique_ptr<DatomCursor> source, EntityId a, Value end)
      : source_(std::move(source)), a_(a), end_(std::move(end)) {}
  const Datom* Next() override {
    const Datom* d = source_->Next();
    if (d == nullptr || d->a != a_ || (!end_.is_nil() && Compare(d->v, end_) >= 0)) return nullptr;
    return d;
  }

 private:
  std::unique_ptr<DatomCursor> source_;
  EntityId a_;
  Value end_;
};

}  // namespace

DatomIterator Database::IndexRange(const Value& attr, const Value& start, const Value& end) const {
  std::optional<EntityId> a = Entid(attr);
  const Attribute* attribute = a ? state_->schema->Find(*a) : nullptr;
  if (attribute == nullptr) ThrowNotAnAttribute(attr);
  DatomKey key;
  key.probe.a = attribute->id;
  key.n = 1;
  if (!start.is_nil()) {
    key.probe.v = start;
    key.n = 2;
  }
  auto cursor = internal::OpenCursor(*this, Index::kAvet, key, /*prefix_only=*/false);
  return DatomIterator(std::make_unique<RangeCursor>(std::move(cursor), attribute->id, end));
}

int64_t Database::Count(Index index, const std::vector<Value>& components) const {
  DatomKey key;
  if (!ResolveKey(*this, index, components, &key)) return 0;
  return internal::CountKey(*this, index, key);
}

int64_t internal::CountKey(const Database& db, Index index, const DatomKey& key) {
  // An estimate: the memory index's retractions of durable facts are not
  // subtracted.
  const internal::MemoryIndex& mem = db.state().index;
  bool past = db.as_of_t() || db.since_t() || db.is_history();
  int64_t n = mem.Count(index, internal::Part::kCurrent, key);
  if (past) n += mem.Count(index, internal::Part::kHistory, key);
  if (const internal::DurableIndex* durable = db.state().durable.get()) {
    auto count = [&](const internal::Tier& tier, internal::TierPart part) {
      return internal::CountTree(durable->storage.get(), durable->cache.get(), index,
                                 tier.at(index, part), key);
    };
    for (const internal::Tier& tier : durable->tiers) {
      n += count(tier, internal::TierPart::kCurrent);
      if (past) {
        n += count(tier, internal::TierPart::kHistory) + count(tier, internal::TierPart::kRetracts);
      } else {
        // Each of a tier's retracts hides one older tier's assertion, which
        // has the same e, a and v, so matches the same key.
        n -= count(tier, internal::TierPart::kRetracts);
      }
    }
  }
  return n;
}

namespace {

// The t a time point names: a t, a tx id, or an instant (the last
// transaction at or before it; -1 when none).
int64_t TimePointToT(const Database& db, const Value& point) {
  if (point.is_integer()) return ToT(point.AsLong());
  if (point.type() == ValueType::kInstant) {
    int64_t t = -1;
    Database now(db.state_ptr());
    DatomIterator it = now.IndexRange(Value::Keyword("db", "txInstant"), Value(),
                                      Value::Instant(point.AsInstant() + 1));
    while (const Datom* d = it.Next()) t = std::max(t, TFromTx(d->e));
    return t;
  }
  ThrowIncorrect("invalid-time-point",
                 fmt::format("{} is not a time point: give a t, a transaction id or an #inst",
                             PrintEdn(point)));
}

}  // namespace

Database Database::AsOf(const Value& point) const {
  Database db = *this;
  int64_t t = TimePointToT(*this, point);
  db.as_of_ = as_of_ ? std::min(*as_of_, t) : t;
  return db;
}

Database Database::Since(const Value& point) const {
  Database db = *this;
  int64_t t = TimePointToT(*this, point);
  db.since_ = since_ ? std::max(*since_, t) : t;
  return db;
}

Database Database::History() const {
  Database db = *this;
  db.history_ = true;
  return db;
}

Database Database::Filter(std::function<bool(const Database&, const Datom&)> keep) const {
  Database db = *this;
  if (filter_) {
    auto first = filter_;
    db.filter_ = [first, keep = std::move(keep)](const Database& d, const Datom& datom) {
      return first(d, datom) && keep(d, datom);
    };
  } else {
    db.filter_ = std::move(keep);
  }
  return db;
}

Database Database::Unfiltered() const {
  Database db = *this;
  db.filter_ = nullptr;
  return db;
}

Value Database::Stats() const {
  int64_t total = 0;
  std::vector<ValuePair> attrs;
  for (const Attribute* attr : state_->schema->Attributes()) {
    int64_t n = Count(Index::kAevt, {Value::Long(attr->id)});
    if (n == 0) continue;
    total += n;
    attrs.emplace_back(attr->ident, Value::Map({{Value::Keyword("count"), Value::Long(n)}}));
  }
  return Value::Map({{Value::Keyword("datoms"), Value::Long(total)},
                     {Value::Keyword("attrs"), Value::Map(std::move(attrs))}});
}

std::optional<EntityId> TxReport::Tempid(std::string_view tempid) const {
  for (const auto& [name, eid] : tempids) {
    if (name == tempid) return eid;
  }
  return std::nullopt;
}

}  // namespace strata
