// Applying a transaction's datoms to a database state: the one place a new
// state is made, whether by the transaction pipeline (after validation) or by
// replaying the log on open.
#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <iterator>
#include <span>

#include "db/db_state.h"

namespace strata::internal {

namespace {

// The attributes whose datoms define attributes and idents.
constexpr EntityId kSchemaAttributes[] = {sys::kIdent,      sys::kValueType,   sys::kCardinality,
                                          sys::kUnique,     sys::kIsComponent, sys::kIndex,
                                          sys::kNoHistory,  sys::kFulltext,    sys::kTupleType,
                                          sys::kTupleTypes, sys::kTupleAttrs,  sys::kAttrPreds};

}  // namespace

bool IsSchemaFact(EntityId a) {
  return std::find(std::begin(kSchemaAttributes), std::end(kSchemaAttributes), a) !=
         std::end(kSchemaAttributes);
}

std::span<const EntityId> SchemaAttributes() { return kSchemaAttributes; }

std::shared_ptr<Schema> UpdatedSchema(
    const Schema* base, const absl::flat_hash_map<EntityId, std::vector<Datom>>& changed) {
  auto updated = base != nullptr ? std::make_shared<Schema>(*base) : std::make_shared<Schema>();
  // Composites last: they name their members by ident.
  auto composite = [](const std::vector<Datom>& facts) {
    return std::any_of(facts.begin(), facts.end(),
                       [](const Datom& f) { return f.a == sys::kTupleAttrs; });
  };
  for (const auto& [e, facts] : changed) {
    if (!composite(facts)) updated->Update(e, facts);
  }
  for (const auto& [e, facts] : changed) {
    if (composite(facts)) updated->Update(e, facts);
  }
  return updated;
}

std::shared_ptr<DbState> ApplyDatoms(const DbState& before, int64_t t,
                                     const std::vector<Datom>& datoms) {
  auto next = std::make_shared<DbState>();
  // The schema after, from each changed entity's facts before plus the
  // datoms' changes; the index then knows which new attributes are refs.
  absl::flat_hash_map<EntityId, std::vector<Datom>> changed;
  for (const Datom& d : datoms) {
    if (IsSchemaFact(d.a) && !changed.contains(d.e)) {
      std::vector<Datom>& facts = changed[d.e];
      DatomKey key{Datom{d.e, 0, Value(), 0, true}, 1};
      auto cursor = OpenCurrent(before, Index::kEavt, key, /*prefix_only=*/true);
      while (const Datom* f = cursor->Next()) facts.push_back(*f);
    }
  }
  std::shared_ptr<const Schema> schema = before.schema;
  if (!changed.empty()) {
    for (const Datom& d : datoms) {
      auto it = changed.find(d.e);
      if (it == changed.end()) continue;
      std::vector<Datom>& facts = it->second;
      if (d.added) {
        facts.push_back(d);
      } else {
        facts.erase(std::remove_if(facts.begin(), facts.end(),
                                   [&d](const Datom& f) { return f.a == d.a && f.v == d.v; }),
                    facts.end());
      }
    }
    schema = UpdatedSchema(before.schema.get(), changed);
  }
  next->durable = before.durable;
  next->index = before.index.With(datoms, *schema);
  next->schema = std::move(schema);
  next->basis_t = t;
  // The counter after the transaction and every entity it created.
  int64_t counter = std::max(before.next_counter, t + 1);
  for (const Datom& d : datoms) {
    if (!IsTxId(d.e)) counter = std::max(counter, CounterOf(d.e) + 1);
  }
  next->next_counter = counter;
  next->last_tx_instant = before.last_tx_instant;
  for (const Datom& d : datoms) {
    if (d.a == sys::kTxInstant && d.e == TxFromT(t) && d.added) {
      next->last_tx_instant = d.v.AsInstant();
    }
  }
  return next;
}

}  // namespace strata::internal
