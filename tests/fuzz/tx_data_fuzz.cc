// Fuzz target for the transaction pipeline: any input read as EDN is
// transacted as tx-data against a fresh in-memory database with a small
// schema (a unique identity string, a long, a cardinality-many ref, a
// component ref, a composite tuple, a cardinality-many keyword) and a few
// entities.
//
// The only outcomes allowed are success or an Anomaly. After an anomaly the
// database is exactly as before (basis t, EAVT and history). After success
// the indexes agree: every EAVT datom is in AEVT and AVET, ref datoms (and
// only they) are in VAET, no entity has two values of a cardinality-one
// attribute, no two entities share a unique value, and tx-data is what the
// log holds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>
#include <tuple>
#include <vector>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/value.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_schema.h"

namespace {

using strata::Database;
using strata::Datom;
using strata::Index;
using strata::Value;

constexpr std::string_view kComposite = R"([
  {:db/ident :f/a+b :db/valueType :db.type/tuple :db/tupleAttrs [:f/a :f/b]
   :db/cardinality :db.cardinality/one :db/unique :db.unique/value}])";

constexpr std::string_view kData = R"([
  {:db/id "x" :f/name "x" :f/n 1 :f/kw [:k/a :k/b] :f/a "a" :f/b 1
   :f/part {:f/n 10 :f/kw :k/c}}
  {:db/id "y" :f/name "y" :f/n 2 :f/refs ["x"] :f/a "a" :f/b 2}
  {:f/name "z" :f/refs ["x" "y"] :f/part {:f/name "zp"}}])";

using Key = std::tuple<int64_t, int64_t, Value, int64_t, bool>;

std::vector<Key> Keys(const Database& db, Index index) {
  std::vector<Key> out;
  strata::DatomIterator it = db.Datoms(index);
  while (const Datom* d = it.Next()) out.emplace_back(d->e, d->a, d->v, d->tx, d->added);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Datom> Dump(const Database& db) {
  std::vector<Datom> out;
  strata::DatomIterator it = db.Datoms(Index::kEavt);
  while (const Datom* d = it.Next()) out.push_back(*d);
  return out;
}

// The value of (e, a) as one datom's v, or nil.
Value One(const Database& db, int64_t e, std::string_view a) {
  strata::DatomIterator it = db.Datoms(Index::kEavt, {Value::Long(e), Value::Keyword(a)});
  const Datom* d = it.Next();
  return d == nullptr ? Value() : d->v;
}

void CheckInvariants(const Database& db, std::string_view input) {
  std::vector<Key> eavt = Keys(db, Index::kEavt);
  FUZZ_CHECK(Keys(db, Index::kAevt) == eavt, "AEVT differs from EAVT", input);
  FUZZ_CHECK(Keys(db, Index::kAvet) == eavt, "AVET differs from EAVT", input);
  // Attribute properties, read as data.
  std::map<int64_t, bool> is_ref, is_many, is_unique;
  Value ref_type = Value::Ref(db.EntidOrThrow(Value::Keyword("db.type/ref")));
  Value many = Value::Ref(db.EntidOrThrow(Value::Keyword("db.cardinality/many")));
  for (const Key& k : eavt) {
    int64_t a = std::get<1>(k);
    if (is_ref.count(a) != 0) continue;
    is_ref[a] = One(db, a, "db/valueType") == ref_type;
    is_many[a] = One(db, a, "db/cardinality") == many;
    is_unique[a] = !One(db, a, "db/unique").is_nil();
  }
  std::vector<Key> refs;
  for (const Key& k : eavt) {
    if (is_ref[std::get<1>(k)]) refs.push_back(k);
  }
  FUZZ_CHECK(Keys(db, Index::kVaet) == refs, "VAET is not exactly the ref datoms", input);
  std::map<std::pair<int64_t, Value>, int64_t> holders;
  for (size_t i = 0; i < eavt.size(); ++i) {
    const auto& [e, a, v, tx, added] = eavt[i];
    FUZZ_CHECK(added, "a current datom is a retraction", input);
    if (i > 0 && !is_many[a]) {
      FUZZ_CHECK(!(std::get<0>(eavt[i - 1]) == e && std::get<1>(eavt[i - 1]) == a),
                 "two values of a cardinality-one attribute", input);
    }
    if (is_unique[a]) {
      auto [it, fresh] = holders.emplace(std::make_pair(a, v), e);
      FUZZ_CHECK(fresh || it->second == e, "two entities hold one unique value", input);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  strata::ReadOptions options;
  options.max_depth = 64;
  Value tx_data;
  try {
    tx_data = strata::ReadEdn(text, options);
  } catch (const strata::Anomaly&) {
    return 0;
  }
  strata::Connection conn = strata::Connection::CreateInMemory();
  conn.Transact(kFuzzSchema);
  conn.Transact(kComposite);
  conn.Transact(kData);
  Database before = conn.Db();
  std::vector<Datom> eavt = Dump(before);
  std::vector<Datom> history = Dump(before.History());
  try {
    strata::TxReport report = conn.Transact(tx_data);
    Database after = conn.Db();
    FUZZ_CHECK(after.basis_t() == report.db_after.basis_t(), "the connection is not at db-after",
               text);
    FUZZ_CHECK(after.basis_t() > before.basis_t(), "basis t did not advance", text);
    CheckInvariants(after, text);
    std::vector<strata::LogEntry> log = conn.log().TxRange(after.basis_t(), std::nullopt);
    FUZZ_CHECK(log.size() == 1 && log[0].data == report.tx_data, "the log differs from tx-data",
               text);
    for (const Datom& d : report.tx_data) {
      FUZZ_CHECK(d.tx == strata::TxFromT(after.basis_t()), "a tx-data datom has another tx", text);
    }
  } catch (const strata::Anomaly&) {
    Database after = conn.Db();
    FUZZ_CHECK(after.basis_t() == before.basis_t(), "a failed transaction moved basis t", text);
    FUZZ_CHECK(Dump(after) == eavt, "a failed transaction changed EAVT", text);
    FUZZ_CHECK(Dump(after.History()) == history, "a failed transaction changed the history", text);
  }
  return 0;
}
