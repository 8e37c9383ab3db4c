// Property test of the transaction pipeline against a plain model.
//
// Random transaction sequences (upserts through a :db.unique/identity
// attribute, cardinality-one assertions that replace a value, cardinality-
// many assertions, retractions with and without a value, references,
// :db/retractEntity, new entities) are applied both to Strata and to a model
// that is a std::map of current facts plus a log of every datom with its t.
// After every transaction: the transaction's tx-data is what the model
// predicts; the current database (EAVT) equals the model; for every earlier
// t, db.AsOf(t) equals the model as it was at t; History() holds exactly
// every assertion and retraction ever made. Each transaction touches each
// entity at most once, so the model never has to predict a datoms-conflict.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/value.h"

namespace strata {
namespace {

Value K(std::string_view qualified) { return Value::Keyword(qualified); }
Value S(std::string_view s) { return Value::String(s); }
Value L(int64_t n) { return Value::Long(n); }

// One abstract operation; its numbers pick entities and values when it is
// applied, so any sequence applies to any state (and shrinks well).
struct Op {
  Op() = default;
  Op(int kind_in, int x_in, int y_in, int z_in) : kind(kind_in), x(x_in), y(y_in), z(z_in) {}
  int kind = 0;
  int x = 0;
  int y = 0;
  int z = 0;
};

constexpr int kOpKinds = 10;

[[maybe_unused]] std::ostream& operator<<(std::ostream& os, const Op& op) {
  return os << "Op{" << op.kind << "," << op.x << "," << op.y << "," << op.z << "}";
}

using Fact = std::tuple<EntityId, EntityId, Value>;  // e, a, v
using State = std::map<Fact, int64_t>;               // fact -> t asserted

struct LogDatom {
  EntityId e;
  EntityId a;
  Value v;
  int64_t t;
  bool added;
};

constexpr std::string_view kSchema = R"([
  {:db/ident :m/id :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :m/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :m/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :m/tag :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
  {:db/ident :m/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}])";

// (e, a, v, tx, added) of the model's attributes in a database view, EAVT order.
std::vector<std::tuple<EntityId, EntityId, Value, EntityId, bool>> Facts(
    const Database& db, const std::set<EntityId>& attrs) {
  std::vector<std::tuple<EntityId, EntityId, Value, EntityId, bool>> out;
  DatomIterator it = db.Datoms(Index::kEavt);
  while (const Datom* d = it.Next()) {
    if (attrs.count(d->a) != 0) out.emplace_back(d->e, d->a, d->v, d->tx, d->added);
  }
  return out;
}

std::vector<std::tuple<EntityId, EntityId, Value, EntityId, bool>> StateFacts(const State& s) {
  std::vector<std::tuple<EntityId, EntityId, Value, EntityId, bool>> out;
  for (const auto& [fact, t] : s) {
    out.emplace_back(std::get<0>(fact), std::get<1>(fact), std::get<2>(fact), TxFromT(t), true);
  }
  return out;
}

class Runner {
 public:
  Runner() {
    conn_.Transact(kSchema);
    Database db = conn_.Db();
    id_ = db.EntidOrThrow(K("m/id"));
    age_ = db.EntidOrThrow(K("m/age"));
    name_ = db.EntidOrThrow(K("m/name"));
    tag_ = db.EntidOrThrow(K("m/tag"));
    friend_ = db.EntidOrThrow(K("m/friend"));
    attrs_ = {id_, age_, name_, tag_, friend_};
    snapshots_.emplace_back(db.basis_t(), State());
  }

  void Run(const std::vector<std::vector<Op>>& txs) {
    for (const std::vector<Op>& ops : txs) RunTx(ops);
  }

 private:
  // Current values of (e, a) in the model.
  std::vector<Value> ValuesOf(EntityId e, EntityId a) const {
    std::vector<Value> out;
    for (auto it = state_.lower_bound(Fact{e, a, Value()});
         it != state_.end() && std::get<0>(it->first) == e && std::get<1>(it->first) == a; ++it) {
      out.push_back(std::get<2>(it->first));
    }
    return out;
  }
  bool Has(EntityId e, EntityId a, const Value& v) const {
    return state_.count(Fact{e, a, v}) != 0;
  }
  std::optional<EntityId> Holder(const Value& id) const {
    for (const auto& [fact, t] : state_) {
      if (std::get<1>(fact) == id_ && std::get<2>(fact) == id) return std::get<0>(fact);
    }
    return std::nullopt;
  }
  // A cardinality-one assertion: the old value is retracted.
  void SetOne(EntityId e, EntityId a, const Value& v) {
    std::vector<Value> old = ValuesOf(e, a);
    if (!old.empty() && old[0] == v) return;
    for (const Value& o : old) retracts_.emplace(e, a, o);
    adds_.emplace(e, a, v);
  }
  void AddMany(EntityId e, EntityId a, const Value& v) {
    if (!Has(e, a, v)) adds_.emplace(e, a, v);
  }
  void Retract(EntityId e, EntityId a, const Value& v) {
    if (Has(e, a, v)) retracts_.emplace(e, a, v);
  }
  // Claims entities for this transaction; false if one is taken.
  bool Touch(std::initializer_list<EntityId> es) {
    for (EntityId e : es) {
      if (touched_.count(e) != 0) return false;
    }
    for (EntityId e : es) touched_.insert(e);
    return true;
  }
  Value Form(std::initializer_list<Value> items) { return Value::Vector(items); }

  void Apply(const Op& op, int index) {
    bool have = !entities_.empty();
    EntityId e = have ? entities_[static_cast<size_t>(op.x) % entities_.size()] : 0;
    EntityId f = have ? entities_[static_cast<size_t>(op.y) % entities_.size()] : 0;
    Value ev = L(e);
    switch (op.kind) {
      case 0:
      case 1: {  // upsert {:m/id k :m/age n}
        Value key = S("k" + std::to_string(op.x % 6));
        Value age = L(op.y % 4);
        forms_.push_back(Value::Map({{K("m/id"), key}, {K("m/age"), age}}));
        if (std::optional<EntityId> holder = Holder(key)) {
          if (!Touch({*holder})) {
            forms_.pop_back();
            return;
          }
          SetOne(*holder, age_, age);
        } else {
          if (!keys_.insert(key).second) {
            forms_.pop_back();
            return;
          }
          // A map without :db/id: the model learns the id from the database.
          new_by_key_.emplace_back(key, age);
        }
        return;
      }
      case 2:  // new entity with a name and a tag
      {
        std::string tempid = "n" + std::to_string(index);
        Value name = S("name" + std::to_string(op.y % 3));
        Value tag = S("t" + std::to_string(op.z % 4));
        forms_.push_back(
            Value::Map({{K("db/id"), S(tempid)}, {K("m/name"), name}, {K("m/tag"), tag}}));
        new_by_tempid_.emplace_back(
            tempid, std::vector<std::pair<EntityId, Value>>{{name_, name}, {tag_, tag}});
        return;
      }
      default:
        break;
    }
    if (!have) return;
    switch (op.kind) {
      case 3:  // card-one replace
        if (!Touch({e})) return;
        forms_.push_back(Form({K("db/add"), ev, K("m/age"), L(op.y % 4)}));
        SetOne(e, age_, L(op.y % 4));
        return;
      case 4:
        if (!Touch({e})) return;
        forms_.push_back(
            Form({K("db/add"), ev, K("m/name"), S("name" + std::to_string(op.y % 3))}));
        SetOne(e, name_, S("name" + std::to_string(op.y % 3)));
        return;
      case 5:  // card-many add
        if (!Touch({e})) return;
        forms_.push_back(Form({K("db/add"), ev, K("m/tag"), S("t" + std::to_string(op.y % 4))}));
        AddMany(e, tag_, S("t" + std::to_string(op.y % 4)));
        return;
      case 6:  // retract with a value (maybe absent)
        if (!Touch({e})) return;
        if (op.z % 2 == 0) {
          forms_.push_back(
              Form({K("db/retract"), ev, K("m/tag"), S("t" + std::to_string(op.y % 4))}));
          Retract(e, tag_, S("t" + std::to_string(op.y % 4)));
        } else {
          forms_.push_back(Form({K("db/retract"), ev, K("m/age"), L(op.y % 4)}));
          Retract(e, age_, L(op.y % 4));
        }
        return;
      case 7: {  // retract without a value
        if (!Touch({e})) return;
        EntityId a = op.z % 2 == 0 ? tag_ : age_;
        forms_.push_back(Form({K("db/retract"), ev, a == tag_ ? K("m/tag") : K("m/age")}));
        for (const Value& v : ValuesOf(e, a)) Retract(e, a, v);
        return;
      }
      case 8:  // reference
        if (!Touch({e, f})) return;
        forms_.push_back(Form({K("db/add"), ev, K("m/friend"), Value::Ref(f)}));
        AddMany(e, friend_, Value::Ref(f));
        return;
      case 9: {  // retractEntity: its facts and references to it
        if (!Touch({e})) return;
        forms_.push_back(Form({K("db/retractEntity"), ev}));
        for (const auto& [fact, t] : state_) {
          if (std::get<0>(fact) == e ||
              (std::get<1>(fact) == friend_ && std::get<2>(fact) == Value::Ref(e))) {
            retracts_.insert(fact);
          }
        }
        return;
      }
      default:
        return;
    }
  }

  void RunTx(const std::vector<Op>& ops) {
    forms_.clear();
    adds_.clear();
    retracts_.clear();
    touched_.clear();
    keys_.clear();
    new_by_key_.clear();
    new_by_tempid_.clear();
    for (size_t i = 0; i < ops.size(); ++i) Apply(ops[i], static_cast<int>(i));
    Value tx_data = Value::Vector(forms_);
    std::optional<TxReport> result;
    try {
      result = conn_.Transact(tx_data);
    } catch (const Anomaly& a) {
      RC_FAIL("transaction rejected: " + PrintEdn(tx_data) + ": " + a.message());
    }
    const TxReport& report = *result;
    int64_t t = report.db_after.basis_t();
    std::set<EntityId> known(entities_.begin(), entities_.end());
    for (const auto& [key, age] : new_by_key_) {
      std::optional<EntityId> e = report.db_after.Entid(Value::Vector({K("m/id"), key}));
      RC_ASSERT(e.has_value());
      RC_ASSERT(known.count(*e) == 0u);
      adds_.emplace(*e, id_, key);
      adds_.emplace(*e, age_, age);
      entities_.push_back(*e);
    }
    for (const auto& [tempid, facts] : new_by_tempid_) {
      std::optional<EntityId> e = report.Tempid(tempid);
      RC_ASSERT(e.has_value());
      RC_ASSERT(known.count(*e) == 0u);
      for (const auto& [a, v] : facts) adds_.emplace(*e, a, v);
      entities_.push_back(*e);
    }
    // The model's datoms for this transaction.
    std::multiset<std::tuple<EntityId, EntityId, Value, bool>> want, got;
    for (const Fact& f : retracts_) {
      want.emplace(std::get<0>(f), std::get<1>(f), std::get<2>(f), false);
      state_.erase(f);
      log_.push_back(LogDatom{std::get<0>(f), std::get<1>(f), std::get<2>(f), t, false});
    }
    for (const Fact& f : adds_) {
      want.emplace(std::get<0>(f), std::get<1>(f), std::get<2>(f), true);
      state_.emplace(f, t);
      log_.push_back(LogDatom{std::get<0>(f), std::get<1>(f), std::get<2>(f), t, true});
    }
    for (const Datom& d : report.tx_data) {
      RC_ASSERT(d.tx == TxFromT(t));
      if (attrs_.count(d.a) != 0) got.emplace(d.e, d.a, d.v, d.added);
    }
    RC_ASSERT(got == want);
    snapshots_.emplace_back(t, state_);
    Check(report.db_after);
    RC_ASSERT(conn_.Db().basis_t() == t);
  }

  void Check(const Database& db) const {
    // Now.
    RC_ASSERT(Facts(db, attrs_) == StateFacts(state_));
    // Every earlier t.
    for (const auto& [t, state] : snapshots_) {
      RC_ASSERT(Facts(db.AsOf(L(t)), attrs_) == StateFacts(state));
    }
    // The whole history, in EAVT order.
    std::vector<std::tuple<EntityId, EntityId, Value, EntityId, bool>> history;
    for (const LogDatom& d : log_) history.emplace_back(d.e, d.a, d.v, TxFromT(d.t), d.added);
    std::sort(history.begin(), history.end());
    RC_ASSERT(Facts(db.History(), attrs_) == history);
  }

  Connection conn_ = Connection::CreateInMemory();
  EntityId id_ = 0, age_ = 0, name_ = 0, tag_ = 0, friend_ = 0;
  std::set<EntityId> attrs_;
  std::vector<EntityId> entities_;
  State state_;
  std::vector<LogDatom> log_;
  std::vector<std::pair<int64_t, State>> snapshots_;
  // One transaction's work.
  std::vector<Value> forms_;
  std::set<Fact> adds_;
  std::set<Fact> retracts_;
  std::set<EntityId> touched_;
  std::set<Value> keys_;
  std::vector<std::pair<Value, Value>> new_by_key_;
  std::vector<std::pair<std::string, std::vector<std::pair<EntityId, Value>>>> new_by_tempid_;
};

rc::Gen<Op> GenOp() {
  return rc::gen::construct<Op>(rc::gen::inRange(0, kOpKinds), rc::gen::inRange(0, 64),
                                rc::gen::inRange(0, 64), rc::gen::inRange(0, 64));
}

rc::Gen<std::vector<std::vector<Op>>> GenTxs(int max_txs, int max_ops) {
  return rc::gen::mapcat(rc::gen::inRange(1, max_txs + 1), [max_ops](int n) {
    return rc::gen::container<std::vector<std::vector<Op>>>(
        static_cast<size_t>(n), rc::gen::mapcat(rc::gen::inRange(0, max_ops + 1), [](int k) {
          return rc::gen::container<std::vector<Op>>(static_cast<size_t>(k), GenOp());
        }));
  });
}

RC_GTEST_PROP(TxPropertyTest, DatabaseAsOfAndHistoryMatchTheModel, ()) {
  Runner runner;
  runner.Run(*GenTxs(10, 5));
}

RC_GTEST_PROP(TxPropertyTest, HeavyDatabaseAsOfAndHistoryMatchTheModel, ()) {
  Runner runner;
  runner.Run(*GenTxs(40, 10));
}

}  // namespace
}  // namespace strata
