#include "query/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "core/value_internal.h"
#include "db/db_state.h"
#include "db/schema.h"
#include "index/datom_order.h"
#include "index/memory_index.h"
#include "query/functions.h"
#include "query/parser.h"
#include "query/relation.h"
#include "query/row_set.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/edn.h"

namespace strata::query {

// Implemented by the pull layer's bridge (pull_find.cc).
Value PullForFind(const Database& db, const Value& pattern, EntityId eid);

namespace {

using internal::DatomCursor;
using internal::DatomKey;
using strata::Attribute;

Value Kw(std::string_view name) { return Value::Keyword(name); }

[[noreturn]] void ThrowInsufficient(const Value& form, const std::vector<Value>& vars) {
  std::string names;
  for (const Value& v : vars) {
    if (!names.empty()) names += " ";
    names += PrintEdn(v);
  }
  ThrowIncorrect("insufficient-binding",
                 fmt::format("Insufficient binding of {} in {}: no clause of the query binds it "
                             "before this one can run; bind it with a data pattern, a function "
                             "or an :in binding",
                             names, PrintEdn(form)),
                 Value::Map({{Kw("form"), form}, {Kw("vars"), Value::Vector(vars)}}));
}

// ---- Sources -------------------------------------------------------------------

struct Source {
  std::optional<Database> db;
  // A collection of tuples as a source.
  std::vector<std::vector<Value>> tuples;
};

// ---- Relations --------------------------------------------------------------

// The natural join of a and b (their product when they share no variable).
Relation Join(const Relation& a, const Relation& b);

Relation Product(const Relation& a, const Relation& b) {
  Relation out;
  out.vars = a.vars;
  out.vars.insert(out.vars.end(), b.vars.begin(), b.vars.end());
  out.data.reserve(a.rows * b.rows * out.width());
  for (size_t i = 0; i < a.rows; ++i) {
    for (size_t j = 0; j < b.rows; ++j) {
      AppendSlots(&out.data, a.Row(i), a.width());
      AppendSlots(&out.data, b.Row(j), b.width());
    }
  }
  out.rows = a.rows * b.rows;
  out.distinct = a.distinct && b.distinct;
  return out;
}

Relation Join(const Relation& a, const Relation& b) {
  std::vector<int> ka, kb;  // shared columns
  for (size_t i = 0; i < a.vars.size(); ++i) {
    int j = b.Column(a.vars[i]);
    if (j >= 0) {
      ka.push_back(static_cast<int>(i));
      kb.push_back(j);
    }
  }
  if (ka.empty()) return Product(a, b);
  // Build on the smaller side.
  bool build_a = a.rows <= b.rows;
  const Relation& build = build_a ? a : b;
  const Relation& probe = build_a ? b : a;
  const std::vector<int>& kbuild = build_a ? ka : kb;
  const std::vector<int>& kprobe = build_a ? kb : ka;
  size_t k = ka.size();
  auto key_hash = [k](const Slot* row, const std::vector<int>& cols) {
    if (k == 1) return static_cast<uint64_t>(row[cols[0]]);
    uint64_t h = 0;
    for (size_t i = 0; i < k; ++i) h = h * 0x9e3779b97f4a7c15ULL + row[cols[i]];
    return h;
  };
  // head[key] -> first row; next[row] -> next row of the same key.
  absl::flat_hash_map<uint64_t, uint32_t> head;
  head.reserve(build.rows);
  std::vector<uint32_t> next(build.rows, UINT32_MAX);
  for (size_t i = build.rows; i-- > 0;) {
    auto [it, inserted] =
        head.try_emplace(key_hash(build.Row(i), kbuild), static_cast<uint32_t>(i));
    if (!inserted) {
      next[i] = it->second;
      it->second = static_cast<uint32_t>(i);
    }
  }
  // Output: a's columns, then b's that a lacks.
  Relation out;
  out.vars = a.vars;
  out.distinct = a.distinct && b.distinct;
  std::vector<int> b_extra;
  for (size_t j = 0; j < b.vars.size(); ++j) {
    if (a.Column(b.vars[j]) < 0) {
      out.vars.push_back(b.vars[j]);
      b_extra.push_back(static_cast<int>(j));
    }
  }
  for (size_t p = 0; p < probe.rows; ++p) {
    const Slot* prow = probe.Row(p);
    auto it = head.find(key_hash(prow, kprobe));
    if (it == head.end()) continue;
    for (uint32_t i = it->second; i != UINT32_MAX; i = next[i]) {
      const Slot* brow = build.Row(i);
      bool equal = true;
      for (size_t c = 0; c < k && equal; ++c) equal = brow[kbuild[c]] == prow[kprobe[c]];
      if (!equal) continue;
      const Slot* arow = build_a ? brow : prow;
      const Slot* browb = build_a ? prow : brow;
      AppendSlots(&out.data, arow, a.width());
      for (int j : b_extra) out.data.push_back(browb[j]);
      ++out.rows;
    }
  }
  return out;
}

// The rows of r over `vars` (each a column of r), without duplicates when
// `distinct`.
Relation Project(const Relation& r, const std::vector<VarId>& vars, bool distinct) {
  Relation out(vars);
  std::vector<int> cols;
  for (VarId v : vars) cols.push_back(r.Column(v));
  if (vars.empty()) {
    out.rows = r.rows > 0 ? (distinct ? 1 : r.rows) : 0;
    return out;
  }
  bool identity = cols.size() == r.width();
  for (size_t i = 0; i < cols.size() && identity; ++i) identity = cols[i] == static_cast<int>(i);
  if (identity && (!distinct || r.distinct)) return r;
  // All of r's columns, reordered: r's rows are distinct if it knows so.
  bool all_columns = cols.size() == r.width();
  if (all_columns) {
    std::vector<int> sorted = cols;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size() && all_columns; ++i) {
      all_columns = sorted[i] == static_cast<int>(i);
    }
  }
  if (distinct && all_columns && r.distinct) distinct = false;
  out.distinct = distinct || (all_columns && r.distinct);
  RowSet seen(vars.size());
  if (distinct) seen.Reserve(r.rows);
  std::vector<Slot> row(vars.size());
  for (size_t i = 0; i < r.rows; ++i) {
    const Slot* src = r.Row(i);
    for (size_t c = 0; c < cols.size(); ++c) row[c] = src[cols[c]];
    if (distinct && !seen.Insert(row.data())) continue;
    out.AddRow(row.data());
  }
  return out;
}

// ---- Clauses prepared for a conjunction ------------------------------------------

struct Scope {
  absl::flat_hash_map<Value, VarId, ValueHash> ids;
};

struct PatternInfo;

struct Item {
  const Clause* clause = nullptr;
  std::vector<VarId> needs;  // bound before it can run
  std::vector<VarId> binds;  // bound by it
  std::vector<VarId> joins;  // not/or: the variables it shares with the rest
  // Predicates, functions and rule calls: each argument's variable, or -1.
  std::vector<VarId> arg_vars;
  std::shared_ptr<PatternInfo> pattern;  // data patterns
};

// The state of one conjunction: relations over disjoint variables.
struct Frame {
  std::vector<Relation> rels;
  bool empty = false;

  int RelOf(VarId v) const {
    for (size_t i = 0; i < rels.size(); ++i) {
      if (rels[i].Has(v)) return static_cast<int>(i);
    }
    return -1;
  }
  bool Bound(VarId v) const { return RelOf(v) >= 0; }
  void Add(Relation r) {
    if (r.rows == 0) empty = true;
    if (r.vars.empty()) return;  // a unit relation changes nothing
    rels.push_back(std::move(r));
  }
  // Puts r in place of relation idx, or adds it when idx < 0; its rows.
  size_t Put(int idx, Relation r) {
    size_t rows = r.rows;
    if (idx < 0) {
      Add(std::move(r));
    } else {
      if (rows == 0) empty = true;
      rels[idx] = std::move(r);
    }
    return rows;
  }
};

// The rule solver of one fixpoint (see Engine::SolveRule).
class RuleRun;

// A data pattern with its constants resolved against its source.
struct Known {
  bool has[5] = {false, false, false, false, false};
  EntityId e = 0;
  EntityId a = 0;
  Value v;
  EntityId tx = 0;
  bool added = true;
};

struct PatternInfo {
  const Source* source = nullptr;
  Term terms[5];
  VarId vars[5] = {-1, -1, -1, -1, -1};
  Known consts;
  const Attribute* attr = nullptr;  // the attribute, when constant
  bool impossible = false;          // a constant names nothing
};

// A range of values, from comparisons with constants.
struct Range {
  Value lo, hi;  // nil: open
  bool lo_incl = true, hi_incl = true;
};

class Engine {
 public:
  Engine(const QueryOptions& options, bool explain)
      : options_(options), explain_(explain), start_(std::chrono::steady_clock::now()) {
    true_slot_ = values_.Encode(Value::Boolean(true));
    false_slot_ = values_.Encode(Value::Boolean(false));
  }

  Value Run(const Query& query, const std::vector<QueryInput>& inputs);
  Value Plan(const Value& result_rows) const;

  // Evaluates clauses as a conjunction over `inputs` (relations of bound
  // variables); the result's columns are `keep`. Without `distinct` it may
  // repeat rows (for callers that deduplicate anyway).
  Relation Conjunction(const Clauses& clauses, Scope& scope, std::vector<Relation> inputs,
                       const Value& default_source, const std::vector<VarId>& keep, RuleRun* run,
                       const Clause* delta_clause, bool distinct = true);

  VarId Var(Scope& scope, const Value& symbol) {
    auto [it, inserted] = scope.ids.try_emplace(symbol, static_cast<VarId>(names_.size()));
    if (inserted) names_.push_back(symbol);
    return it->second;
  }
  const Value& Name(VarId v) const { return names_[v]; }
  ValueTable& values() { return values_; }
  const absl::flat_hash_map<Value, std::vector<const RuleBody*>, ValueHash>& rules() const {
    return rules_;
  }
  void Check(const Relation& r);
  // Check for memory held outside relations (rule tables), in slots.
  void CheckRows(size_t slots);
  // Throws the timeout's anomaly once the query has run past it.
  void CheckDeadline() const;
  void Step(const Value& form, std::string_view op, const Value& detail, double estimate,
            size_t rows);

 private:
  friend class RuleRun;

  // Preparation.
  void BindInputs(const Query& query, const std::vector<QueryInput>& inputs, Scope& scope,
                  std::vector<Relation>* rels);
  Relation BindValue(const Binding& b, const Value& v, Scope& scope);
  const Source& SourceOf(const Value& symbol, const Value& form);
  PatternInfo Resolve(const Clause& c, Scope& scope, const Value& default_source);

  // Clause kinds.
  double Estimate(const Item& item, const Frame& f, const std::vector<const Item*>& pending);
  double BranchEstimate(const Clauses& clauses, const Value& default_source);
  std::optional<Range> RangeOf(const PatternInfo& info, const Frame& f,
                               const std::vector<const Item*>& pending);
  void RunPattern(const Item& item, Frame& f, const std::vector<const Item*>& pending);
  void RunPredicate(const Item& item, Frame& f);
  void RunFunction(const Item& item, Scope& scope, Frame& f);
  void RunNot(const Item& item, Scope& scope, Frame& f, const Value& default_source);
  void RunOr(const Item& item, Scope& scope, Frame& f, const Value& default_source, RuleRun* run);
  void RunRule(const Item& item, Frame& f, RuleRun* run, const Clause* delta_clause);

  // Index access.
  int64_t CountKnown(const Database& db, const Known& k, const Attribute* attr) const;
  // A cursor kept between lookups (ForEachDatom moves it on when it can).
  struct Lookups {
    std::unique_ptr<DatomCursor> cursor;
    DatomKey key;
    Index index = Index::kEavt;
  };
  template <typename Emit>
  void ForEachDatom(const Database& db, const Known& k, const Attribute* attr, Emit&& emit,
                    Lookups* lookups = nullptr);
  template <typename Emit>
  void ScanRange(const Database& db, EntityId a, const Range& range, Emit&& emit);
  bool BindKnown(const Database& db, int pos, Slot s, const Attribute* attr, Known* k);
  Slot Component(const Datom& d, int pos) {
    switch (pos) {
      case 0:
        return values_.EncodeId(d.e);
      case 1:
        return values_.EncodeId(d.a);
      case 2:
        return values_.Encode(d.v);
      case 3:
        return values_.EncodeId(d.tx);
      default:
        return d.added ? true_slot_ : false_slot_;
    }
  }

  // Functions the engine itself implements; false when `fn` is not one.
  bool EngineFunction(const Value& fn, const std::vector<Term>& terms,
                      const std::vector<Value>& args, const Clause& clause, Value* result);
  // The argument values for one row of r (the columns in `cols`, -1 for a
  // constant or a source, which gives its symbol).
  void Args(const std::vector<Term>& terms, const std::vector<int>& cols, const Slot* row,
            std::vector<Value>* out);
  Value Call(const Clause& clause, const Value& fn, const std::vector<Term>& terms,
             const std::vector<Value>& args);
  // Merges the frame's relations binding any of `vars` into one (their
  // product); its index, or -1 when none binds any.
  int Gather(Frame& f, const std::vector<VarId>& vars);

  // :find.
  Value Find(const Query& query, Scope& scope);
  // The distinct rows of r's columns `cols` as a set of vectors (or, for a
  // collection, a vector of the one column), in the result's order.
  Value SortedResult(const Relation& r, const std::vector<int>& cols, bool collection);
  int CompareSlots(Slot a, Slot b) const;

  QueryOptions options_;
  bool explain_;
  std::chrono::steady_clock::time_point start_;
  size_t ticks_ = 0;
  ValueTable values_;
  Slot true_slot_ = 0;
  Slot false_slot_ = 0;
  std::vector<Value> names_;
  absl::flat_hash_map<Value, Source, ValueHash> sources_;
  absl::flat_hash_map<Value, const Log*, ValueHash> logs_;  // by variable
  absl::flat_hash_map<Value, Value, ValueHash> patterns_;   // pull pattern names
  RuleSet rule_set_;
  absl::flat_hash_map<Value, std::vector<const RuleBody*>, ValueHash> rules_;
  std::vector<Value> steps_;
  int depth_ = 0;
  std::vector<Relation> pending_inputs_;  // the :in relations, for Find
  // While a rule body runs for a call on a source other than $ (($src rule
  // ...)): that source, which $ then names. Nil otherwise.
  Value rule_source_;
};

void Engine::CheckDeadline() const {
  if (options_.timeout.count() > 0 &&
      std::chrono::steady_clock::now() - start_ > options_.timeout) {
    throw Anomaly(Category::kInterrupted,
                  fmt::format("The query ran past its timeout of {} ms and was cancelled",
                              options_.timeout.count()),
                  Kw("db.error/query-timeout"));
  }
}

void Engine::CheckRows(size_t slots) {
  CheckDeadline();
  if (slots * sizeof(Slot) > options_.memory_budget_bytes) {
    ThrowIncorrect("query-memory-budget",
                   fmt::format("The query's rules hold more than its memory budget of {} bytes; "
                               "a recursion may not end: bind its arguments, or raise "
                               "QueryOptions::memory_budget_bytes",
                               options_.memory_budget_bytes));
  }
}

void Engine::Check(const Relation& r) {
  if (r.data.size() * sizeof(Slot) > options_.memory_budget_bytes) {
    ThrowIncorrect("query-memory-budget",
                   fmt::format("The query needs more than its memory budget of {} bytes for one "
                               "intermediate relation ({} rows of {} variables); add clauses "
                               "that restrict it, or raise QueryOptions::memory_budget_bytes",
                               options_.memory_budget_bytes, r.rows, r.width()));
  }
  CheckDeadline();
}

void Engine::Step(const Value& form, std::string_view op, const Value& detail, double estimate,
                  size_t rows) {
  if (!explain_) return;
  std::vector<ValuePair> entries = {
      {Kw("clause"), form},
      {Kw("op"), Kw(op)},
      {Kw("estimate"), Value::Long(static_cast<int64_t>(estimate))},
      {Kw("rows"), Value::Long(static_cast<int64_t>(rows))},
      {Kw("depth"), Value::Long(depth_)},
  };
  if (!detail.is_nil()) entries.push_back({Kw(detail.is_keyword() ? "index" : "table"), detail});
  steps_.push_back(Value::Map(std::move(entries)));
}

// ---- Inputs ---------------------------------------------------------------------

const Source& Engine::SourceOf(const Value& symbol, const Value& form) {
  // In the body of a rule called on another source, $ is that source.
  auto it =
      sources_.find(!rule_source_.is_nil() && symbol == Value::Symbol("$") ? rule_source_ : symbol);
  if (it == sources_.end()) {
    ThrowIncorrect("invalid-query",
                   fmt::format("{} names no source in {}: pass a database for it in :in",
                               PrintEdn(symbol), PrintEdn(form)),
                   Value::Map({{Kw("form"), form}}));
  }
  return it->second;
}

Relation Engine::BindValue(const Binding& b, const Value& v, Scope& scope) {
  switch (b.kind) {
    case Binding::Kind::kScalar: {
      if (b.variable.is_nil()) return Relation::Unit();
      Relation r({Var(scope, b.variable)});
      Slot s = values_.Encode(v);
      r.AddRow(&s);
      r.distinct = true;
      return r;
    }
    case Binding::Kind::kTuple: {
      if (!v.is_sequential() && !v.is_tuple()) {
        ThrowIncorrect("invalid-binding",
                       fmt::format("The tuple binding {} needs a vector or list, not {}",
                                   PrintEdn(b.form), PrintEdn(v)));
      }
      std::span<const Value> items = v.Items();
      if (items.size() < b.elements.size()) {
        ThrowIncorrect("invalid-binding",
                       fmt::format("The tuple binding {} needs {} values, and {} has {}",
                                   PrintEdn(b.form), b.elements.size(), PrintEdn(v), items.size()));
      }
      Relation r = Relation::Unit();
      for (size_t i = 0; i < b.elements.size(); ++i) {
        r = Join(r, BindValue(b.elements[i], items[i], scope));
      }
      return r;
    }
    case Binding::Kind::kCollection:
    case Binding::Kind::kRelation: {
      if (!v.is_collection() || v.is_map()) {
        ThrowIncorrect("invalid-binding", fmt::format("The binding {} needs a collection, not {}",
                                                      PrintEdn(b.form), PrintEdn(v)));
      }
      std::vector<Value> vars = b.Variables();
      std::vector<VarId> ids;
      for (const Value& s : vars) ids.push_back(Var(scope, s));
      Relation out(ids);
      out.distinct = true;
      RowSet seen(ids.size());
      Binding element;
      if (b.kind == Binding::Kind::kCollection) {
        element = b.elements[0];
      } else {
        element.kind = Binding::Kind::kTuple;
        element.elements = b.elements;
        element.form = b.form;
      }
      for (const Value& item : v.Items()) {
        Relation one = BindValue(element, item, scope);
        Relation p = Project(one, ids, false);
        for (size_t i = 0; i < p.rows; ++i) {
          if (seen.Insert(p.Row(i))) out.AddRow(p.Row(i));
        }
      }
      return out;
    }
  }
  return Relation::Unit();
}

void Engine::BindInputs(const Query& query, const std::vector<QueryInput>& inputs, Scope& scope,
                        std::vector<Relation>* rels) {
  if (inputs.size() != query.inputs.size()) {
    ThrowIncorrect("invalid-query",
                   fmt::format("The query's :in takes {} inputs and {} were given",
                               query.inputs.size(), inputs.size()),
                   Value::Map({{Kw("form"), query.form}}));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Input& in = query.inputs[i];
    const QueryInput& given = inputs[i];
    switch (in.kind) {
      case Input::Kind::kSource: {
        Source src;
        if (given.is_database()) {
          src.db = given.database();
        } else if (!given.is_log() && given.value().is_collection() && !given.value().is_map()) {
          for (const Value& t : given.value().Items()) {
            if (!t.is_sequential() && !t.is_tuple()) {
              ThrowIncorrect("invalid-data-source",
                             fmt::format("The source {} is a collection of tuples; {} is not one",
                                         PrintEdn(in.symbol), PrintEdn(t)));
            }
            std::span<const Value> items = t.Items();
            src.tuples.emplace_back(items.begin(), items.end());
          }
        } else {
          ThrowIncorrect("invalid-data-source",
                         fmt::format("The source {} needs a database or a collection of tuples",
                                     PrintEdn(in.symbol)));
        }
        sources_[in.symbol] = std::move(src);
        break;
      }
      case Input::Kind::kRules: {
        if (given.is_database() || given.is_log()) {
          ThrowIncorrect("invalid-query", "The rules input % needs rules, not a database or log");
        }
        rule_set_ = ParseRules(given.value());
        rules_.clear();
        for (const RuleBody& body : rule_set_.rules) rules_[body.name].push_back(&body);
        break;
      }
      case Input::Kind::kPattern:
        if (given.is_database() || given.is_log()) {
          ThrowIncorrect("invalid-query", fmt::format("The pattern input {} needs a pull pattern",
                                                      PrintEdn(in.symbol)));
        }
        patterns_[in.symbol] = given.value();
        break;
      case Input::Kind::kBinding: {
        if (given.is_database()) {
          ThrowIncorrect("invalid-query",
                         fmt::format("A database input needs a source variable ($ or $name) in "
                                     ":in, not {}",
                                     PrintEdn(in.binding.form)));
        }
        if (given.is_log()) {
          if (in.binding.kind != Binding::Kind::kScalar || in.binding.variable.is_nil()) {
            ThrowIncorrect("invalid-query", "A log input needs a scalar binding such as ?log");
          }
          logs_[in.binding.variable] = &given.log();
          rels->push_back(BindValue(in.binding, Value::Keyword("strata", "log"), scope));
          break;
        }
        rels->push_back(BindValue(in.binding, given.value(), scope));
        break;
      }
    }
  }
}

// ---- Data patterns ---------------------------------------------------------------

PatternInfo Engine::Resolve(const Clause& c, Scope& scope, const Value& default_source) {
  PatternInfo info;
  const Value& src = c.source.is_nil() ? default_source : c.source;
  info.source = &SourceOf(src, c.form);
  const std::vector<Term>& terms = c.pattern.terms;
  for (size_t i = 0; i < 5; ++i) {
    if (i < terms.size()) info.terms[i] = terms[i];
    if (info.terms[i].is_variable()) info.vars[i] = Var(scope, info.terms[i].value);
  }
  if (!info.source->db) return info;
  const Database& db = *info.source->db;
  Known& k = info.consts;
  if (info.terms[1].is_constant()) {
    const Value& a = info.terms[1].value;
    std::optional<EntityId> id = a.is_keyword() || a.is_integer() ? db.Entid(a) : std::nullopt;
    info.attr = id ? db.state().schema->Find(*id) : nullptr;
    if (info.attr == nullptr) {
      ThrowNotFound("not-an-entity",
                    fmt::format("Unable to resolve entity: {} in data pattern {}: no attribute "
                                "has that name",
                                PrintEdn(a), PrintEdn(c.form)),
                    Value::Map({{Kw("form"), c.form}, {Kw("attribute"), a}}));
    }
    k.has[1] = true;
    k.a = info.attr->id;
  }
  if (info.terms[0].is_constant()) {
    std::optional<EntityId> e = db.Entid(info.terms[0].value);
    if (!e) {
      info.impossible = true;
    } else {
      k.has[0] = true;
      k.e = *e;
    }
  }
  if (info.terms[2].is_constant()) {
    const Value& v = info.terms[2].value;
    if (info.attr != nullptr && info.attr->is_ref() && (v.is_keyword() || v.is_sequential())) {
      std::optional<EntityId> e = db.Entid(v);
      if (!e) info.impossible = true;
      k.v = Value::Long(e.value_or(0));
    } else {
      k.v = v;
    }
    k.has[2] = true;
  }
  if (info.terms[3].is_constant()) {
    const Value& t = info.terms[3].value;
    if (!t.is_integer()) {
      info.impossible = true;
    } else {
      k.has[3] = true;
      k.tx = TxFromT(ToT(t.AsLong()));
    }
  }
  if (info.terms[4].is_constant()) {
    const Value& added = info.terms[4].value;
    if (!added.is_boolean()) {
      info.impossible = true;
    } else {
      k.has[4] = true;
      k.added = added.AsBoolean();
    }
  }
  return info;
}

// The index and prefix length that serve the known components best.
std::pair<Index, int> ChooseIndex(const Known& k, const Attribute* attr) {
  if (k.has[0]) {
    if (!k.has[1]) return {Index::kEavt, 1};
    if (k.has[2] && attr != nullptr && attr->many) return {Index::kEavt, 3};
    // Entity and attribute: AEVT rather than EAVT, where the next entity's
    // value of the attribute is next door, so lookups of entities in order
    // stay within a leaf (DatomCursor::SeekForward).
    return {Index::kAevt, 2};
  }
  if (k.has[1]) {
    if (!k.has[2]) return {Index::kAevt, 1};
    if (attr != nullptr && attr->is_ref()) return {Index::kVaet, 2};
    return {Index::kAvet, 2};
  }
  return {Index::kEavt, 0};
}

DatomKey KeyOf(const Known& k, int n) {
  DatomKey key;
  key.probe.e = k.e;
  key.probe.a = k.a;
  key.probe.v = k.v;
  key.probe.tx = k.tx;
  key.n = n;
  return key;
}

int64_t Engine::CountKnown(const Database& db, const Known& k, const Attribute* attr) const {
  auto [index, n] = ChooseIndex(k, attr);
  return internal::CountKey(db, index, KeyOf(k, n));
}

template <typename Emit>
void Engine::ForEachDatom(const Database& db, const Known& k, const Attribute* attr, Emit&& emit,
                          Lookups* lookups) {
  auto [index, n] = ChooseIndex(k, attr);
  DatomKey key = KeyOf(k, n);
  std::unique_ptr<DatomCursor> opened;
  DatomCursor* cursor = nullptr;
  // Successive lookups in key order move one cursor on.
  if (lookups != nullptr && lookups->cursor != nullptr && lookups->index == index &&
      internal::CompareDatoms(index, key.probe, lookups->key.probe, n) > 0 &&
      lookups->cursor->SeekForward(key)) {
    cursor = lookups->cursor.get();
  } else {
    opened = internal::OpenCursor(db, index, key, true);
    cursor = opened.get();
  }
  if (lookups != nullptr) {
    lookups->key = key;
    lookups->index = index;
    if (opened != nullptr) lookups->cursor = std::move(opened);
  }
  // Components the prefix does not cover are checked per datom.
  bool check_a = k.has[1] && index == Index::kEavt && n < 2;
  bool check_v = k.has[2] && !(index == Index::kEavt && n >= 3) && index != Index::kAvet &&
                 index != Index::kVaet;
  bool check_tx = k.has[3];
  bool check_added = k.has[4];
  bool check_e = k.has[0] && index != Index::kEavt;
  while (const Datom* d = cursor->Next()) {
    if (check_a && d->a != k.a) continue;
    if (check_v && !(d->v == k.v)) continue;
    if (check_e && d->e != k.e) continue;
    if (check_tx && d->tx != k.tx) continue;
    if (check_added && d->added != k.added) continue;
    emit(*d);
  }
}

template <typename Emit>
void Engine::ScanRange(const Database& db, EntityId a, const Range& range, Emit&& emit) {
  DatomKey key;
  key.probe.a = a;
  key.n = 1;
  if (!range.lo.is_nil()) {
    key.probe.v = range.lo;
    key.n = 2;
  }
  std::unique_ptr<DatomCursor> cursor = internal::OpenCursor(db, Index::kAvet, key, false);
  // An exclusive low bound skips the datoms equal to it, which come first.
  bool at_lo = !range.lo.is_nil() && !range.lo_incl;
  while (const Datom* d = cursor->Next()) {
    if (d->a != a) break;
    if (at_lo) {
      if (d->v == range.lo) continue;
      at_lo = false;
    }
    if (!range.hi.is_nil()) {
      int c = Compare(d->v, range.hi);
      if (c > 0 || (c == 0 && !range.hi_incl)) break;
    }
    emit(*d);
  }
}

// Sets component `pos` of *k from a bound slot; false when the value names
// nothing there (no datom can match).
bool Engine::BindKnown(const Database& db, int pos, Slot s, const Attribute* attr, Known* k) {
  switch (pos) {
    case 0:
    case 1: {
      EntityId id;
      if (IsDirect(s)) {
        id = static_cast<EntityId>(s);
      } else {
        const Value& v = values_.Interned(s);
        if (!v.is_keyword() && !v.is_sequential()) return false;
        std::optional<EntityId> e = db.Entid(v);
        if (!e) return false;
        id = *e;
      }
      if (pos == 0) {
        k->e = id;
      } else {
        if (db.state().schema->Find(id) == nullptr) return false;
        k->a = id;
      }
      break;
    }
    case 2:
      if (!IsDirect(s) && attr != nullptr && attr->is_ref()) {
        const Value& v = values_.Interned(s);
        if (v.is_keyword() || v.is_sequential()) {
          std::optional<EntityId> e = db.Entid(v);
          if (!e) return false;
          k->v = Value::Long(*e);
          break;
        }
      }
      k->v = values_.Decode(s);
      break;
    case 3: {
      Value v = values_.Decode(s);
      if (!v.is_integer()) return false;
      k->tx = TxFromT(ToT(v.AsLong()));
      break;
    }
    default: {
      Value v = values_.Decode(s);
      if (!v.is_boolean()) return false;
      k->added = v.AsBoolean();
      break;
    }
  }
  k->has[pos] = true;
  return true;
}

// ---- Planning ---------------------------------------------------------------------

bool IsComparison(std::string_view op) {
  return op == "<" || op == ">" || op == "<=" || op == ">=";
}

// Whether a value may bound an AVET range of an attribute of `type`: the
// index orders values of one type; across types the comparison predicates
// compare numbers by value, which the index's order does not.
bool RangeComparable(const Value& v, ValueType type) {
  ValueType t = v.type() == ValueType::kRef ? ValueType::kLong : v.type();
  if (type == ValueType::kRef) return false;
  return t == type && !v.is_nil();
}

std::optional<Range> Engine::RangeOf(const PatternInfo& info, const Frame& f,
                                     const std::vector<const Item*>& pending) {
  VarId v = info.vars[2];
  if (!info.source->db || info.attr == nullptr || v < 0 || info.consts.has[0] || f.Bound(v)) {
    return std::nullopt;
  }
  for (int i : {0, 1, 3, 4}) {
    if (info.vars[i] == v) return std::nullopt;
  }
  Range range;
  bool any = false;
  for (const Item* p : pending) {
    const Clause& c = *p->clause;
    if (c.kind != Clause::Kind::kPredicate || c.pred.args.size() != 2 || !c.pred.fn.is_symbol()) {
      continue;
    }
    std::string_view op = c.pred.fn.QualifiedName();
    if (op.starts_with("clojure.core/")) op.remove_prefix(13);
    if (!IsComparison(op)) continue;
    // (op ?v x) or (op x ?v), x a constant or a variable bound to one value.
    int var_side = p->arg_vars[0] == v ? 0 : (p->arg_vars[1] == v ? 1 : -1);
    if (var_side < 0) continue;
    const Term& other = c.pred.args[1 - var_side];
    VarId other_var = p->arg_vars[1 - var_side];
    Value x;
    if (other.is_constant()) {
      x = other.value;
    } else if (other_var >= 0) {
      int r = f.RelOf(other_var);
      if (r < 0 || f.rels[r].rows != 1) continue;
      x = values_.Decode(f.rels[r].Row(0)[f.rels[r].Column(other_var)]);
    } else {
      continue;
    }
    if (!RangeComparable(x, info.attr->type)) continue;
    // Normalize to ?v op x.
    if (var_side == 1) {
      op = op == "<" ? ">" : op == ">" ? "<" : op == "<=" ? ">=" : "<=";
    }
    bool incl = op.size() == 2;
    if (op[0] == '>') {
      int order = range.lo.is_nil() ? -1 : Compare(range.lo, x);
      if (order < 0 || (order == 0 && !incl)) {
        range.lo = x;
        range.lo_incl = incl;
      }
    } else {
      int order = range.hi.is_nil() ? 1 : Compare(range.hi, x);
      if (order > 0 || (order == 0 && !incl)) {
        range.hi = x;
        range.hi_incl = incl;
      }
    }
    any = true;
  }
  if (!any) return std::nullopt;
  return range;
}

double Engine::BranchEstimate(const Clauses& clauses, const Value& default_source) {
  double best = 1e9;
  for (const Clause& c : clauses) {
    if (c.kind != Clause::Kind::kPattern) continue;
    const Value& src = c.source.is_nil() ? default_source : c.source;
    auto it = sources_.find(src);
    if (it == sources_.end()) continue;
    if (!it->second.db) {
      best = std::min(best, static_cast<double>(it->second.tuples.size()));
      continue;
    }
    Scope scratch;
    PatternInfo info = Resolve(c, scratch, default_source);
    best = std::min(best, info.impossible ? 0.0
                                          : static_cast<double>(CountKnown(
                                                *info.source->db, info.consts, info.attr)));
  }
  return best;
}

double Engine::Estimate(const Item& item, const Frame& f, const std::vector<const Item*>& pending) {
  // Rows of the relations the item connects to.
  double bound_rows = 0;
  std::vector<int> seen;
  for (VarId v : item.binds) {
    int r = f.RelOf(v);
    if (r < 0 || std::find(seen.begin(), seen.end(), r) != seen.end()) continue;
    seen.push_back(r);
    bound_rows = std::max(1.0, bound_rows) * static_cast<double>(f.rels[r].rows);
  }
  const Clause& c = *item.clause;
  switch (c.kind) {
    case Clause::Kind::kPattern: {
      const PatternInfo& info = *item.pattern;
      if (info.impossible) return 0;
      if (!info.source->db) {
        double n = static_cast<double>(info.source->tuples.size());
        return seen.empty() ? n : std::min(n, bound_rows);
      }
      double base = static_cast<double>(CountKnown(*info.source->db, info.consts, info.attr));
      if (seen.empty()) {
        if (RangeOf(info, f, pending)) base /= 4;
        return base;
      }
      double fanout = base;
      if (info.vars[0] >= 0 && f.Bound(info.vars[0])) {
        fanout = info.attr != nullptr ? (info.attr->many ? 4 : 1) : 16;
        // A constant value keeps the share of the attribute's datoms that
        // have it ([?e :sex :male] halves the rows): such a filter runs
        // before lookups that keep every row.
        if (info.attr != nullptr && info.consts.has[2]) {
          Known attr_only = info.consts;
          attr_only.has[2] = false;
          double all = static_cast<double>(CountKnown(*info.source->db, attr_only, info.attr));
          if (all > 0) fanout *= std::min(1.0, base / all);
        }
      } else if (info.vars[2] >= 0 && f.Bound(info.vars[2]) && info.attr != nullptr) {
        fanout = info.attr->unique != Unique::kNone ? 1 : std::max(1.0, base / 16);
      } else if (info.vars[1] >= 0 && f.Bound(info.vars[1])) {
        fanout = std::max(1.0, base / 16);
      }
      return std::min(base, bound_rows * fanout);
    }
    case Clause::Kind::kOr: {
      if (!seen.empty()) return bound_rows * 2;
      double sum = 0;
      for (const Clauses& branch : c.or_clause->branches) {
        sum += BranchEstimate(branch, c.source.is_nil() ? Value::Symbol("$") : c.source);
      }
      return sum;
    }
    case Clause::Kind::kRule:
      if (!seen.empty()) return bound_rows * 8;
      for (const Term& t : c.rule.args) {
        if (t.is_constant()) return 64;
      }
      return 1e7;
    default:
      return 0;
  }
}

int Engine::Gather(Frame& f, const std::vector<VarId>& vars) {
  int idx = -1;
  for (VarId v : vars) {
    int r = f.RelOf(v);
    if (r < 0 || r == idx) continue;
    if (idx < 0) {
      idx = r;
      continue;
    }
    Relation merged = Product(f.rels[idx], f.rels[r]);
    Check(merged);
    int keep = std::min(idx, r), drop = std::max(idx, r);
    f.rels[keep] = std::move(merged);
    f.rels.erase(f.rels.begin() + drop);
    idx = keep;
  }
  return idx;
}

// A lookup costs about this many datoms of a sequential scan.
constexpr double kLookupFactor = 4;

// :eavt, :aevt, ... for Explain.
Value IndexKeyword(Index index) {
  std::string name(internal::IndexName(index));
  for (char& ch : name) ch = static_cast<char>(ch - 'A' + 'a');
  return Kw(name);
}

// ---- Running data patterns ------------------------------------------------------------

void Engine::RunPattern(const Item& item, Frame& f, const std::vector<const Item*>& pending) {
  const PatternInfo& info = *item.pattern;
  const Clause& c = *item.clause;
  double estimate = explain_ ? Estimate(item, f, pending) : 0;  // for Explain alone
  // Variables new to the frame, once each, at their first position; later
  // positions of the same variable must be equal to the first.
  std::vector<int> new_pos, bound_pos;
  std::vector<VarId> new_vars;
  std::vector<std::pair<int, int>> repeats;
  for (int i = 0; i < 5; ++i) {
    VarId v = info.vars[i];
    if (v < 0) continue;
    if (f.Bound(v)) {
      bound_pos.push_back(i);
      continue;
    }
    auto it = std::find(new_vars.begin(), new_vars.end(), v);
    if (it == new_vars.end()) {
      new_vars.push_back(v);
      new_pos.push_back(i);
    } else {
      repeats.push_back({new_pos[it - new_vars.begin()], i});
    }
  }
  if (info.impossible) {
    f.empty = true;
    Step(c.form, "scan", Value(), estimate, 0);
    return;
  }
  Slot comps[5] = {0, 0, 0, 0, 0};
  auto fill = [&](const Datom& d) {
    for (int p : new_pos) comps[p] = Component(d, p);
    for (auto [a, b] : repeats) {
      if (Component(d, b) != comps[a]) return false;
    }
    return true;
  };

  if (!info.source->db) {
    // A collection of tuples: scan it, then join on the bound variables.
    Relation scanned;
    std::vector<int> out_pos = new_pos;
    std::vector<VarId> bound_vars;
    scanned.vars = new_vars;
    for (int i : bound_pos) {
      if (std::find(bound_vars.begin(), bound_vars.end(), info.vars[i]) != bound_vars.end()) {
        repeats.push_back(
            {out_pos[std::find(scanned.vars.begin(), scanned.vars.end(), info.vars[i]) -
                     scanned.vars.begin()],
             i});
        continue;
      }
      bound_vars.push_back(info.vars[i]);
      scanned.vars.push_back(info.vars[i]);
      out_pos.push_back(i);
    }
    for (const std::vector<Value>& t : info.source->tuples) {
      bool ok = true;
      for (int i = 0; i < 5 && ok; ++i) {
        const Term& term = info.terms[i];
        if (term.kind == Term::Kind::kBlank) continue;
        if (static_cast<size_t>(i) >= t.size()) {
          ok = false;
        } else if (term.is_constant()) {
          ok = t[i] == term.value;
        } else {
          comps[i] = values_.Encode(t[i]);
        }
      }
      for (auto [a, b] : repeats) ok = ok && comps[a] == comps[b];
      if (!ok) continue;
      for (int pos : out_pos) scanned.data.push_back(comps[pos]);
      ++scanned.rows;
    }
    size_t rows = scanned.rows;
    if (bound_vars.empty()) {
      f.Add(std::move(scanned));
    } else {
      int idx = Gather(f, bound_vars);
      f.rels[idx] = Join(f.rels[idx], scanned);
      rows = f.rels[idx].rows;
      if (rows == 0) f.empty = true;
    }
    Step(c.form, bound_vars.empty() ? "scan" : "hash-join", Value(), estimate, rows);
    return;
  }

  const Database& db = *info.source->db;
  // One datom per fact outside history, so rows that keep e, a and v are
  // distinct.
  bool fact_rows = !db.is_history();
  for (int i = 0; i < 3; ++i) fact_rows = fact_rows && info.terms[i].kind != Term::Kind::kBlank;
  if (bound_pos.empty()) {
    Relation out(new_vars);
    out.distinct = fact_rows;
    auto emit = [&](const Datom& d) {
      if (!fill(d)) return;
      for (int p : new_pos) out.data.push_back(comps[p]);
      ++out.rows;
      if ((++ticks_ & 4095) == 0) Check(out);
    };
    std::optional<Range> range = RangeOf(info, f, pending);
    if (range) {
      ScanRange(db, info.consts.a, *range, emit);
      Step(c.form, "range-scan", Kw("avet"), estimate, out.rows);
    } else {
      ForEachDatom(db, info.consts, info.attr, emit);
      Step(c.form, "scan", IndexKeyword(ChooseIndex(info.consts, info.attr).first), estimate,
           out.rows);
    }
    f.Add(std::move(out));
    return;
  }

  // Some variables are bound: look up each bound value in the index, or
  // scan and hash-join, whichever reads less.
  std::vector<VarId> bound_vars;
  for (int i : bound_pos) bound_vars.push_back(info.vars[i]);
  int idx = Gather(f, bound_vars);
  Relation& r = f.rels[idx];
  Known probe = info.consts;
  for (int i : bound_pos) probe.has[i] = true;
  auto [lookup_index, lookup_n] = ChooseIndex(probe, info.attr);
  bool prefix_has_bound = false;
  static constexpr int kPrefixComponents[4][3] = {{0, 1, 2}, {1, 0, 2}, {1, 2, 0}, {2, 1, 0}};
  for (int j = 0; j < lookup_n; ++j) {
    int comp = kPrefixComponents[static_cast<int>(lookup_index)][j];
    for (int i : bound_pos) prefix_has_bound = prefix_has_bound || i == comp;
  }
  double scan_count = static_cast<double>(CountKnown(db, info.consts, info.attr));
  std::vector<int> cols;
  for (int i : bound_pos) cols.push_back(r.Column(info.vars[i]));
  Relation out;
  out.vars = r.vars;
  out.vars.insert(out.vars.end(), new_vars.begin(), new_vars.end());
  out.distinct = r.distinct && fact_rows;
  if (prefix_has_bound && static_cast<double>(r.rows) * kLookupFactor <= scan_count + 16) {
    // Lookups, remembered per value when one variable is bound.
    Lookups lookups;
    // One variable bound: its values in the index's order, so one cursor
    // moves on through them and each leaf is read once, however small the
    // cache (the rows' order means nothing to the relation). Then remember
    // each value's matches unless no value repeats.
    bool use_memo = cols.size() == 1;
    if (use_memo) {
      int col = cols[0];
      // In order (no value before a smaller one), and strictly (no repeat).
      bool ordered = true, strictly = true;
      for (size_t row = 1; row < r.rows && ordered; ++row) {
        int d = CompareSlots(r.Row(row - 1)[col], r.Row(row)[col]);
        ordered = d <= 0;
        strictly = strictly && d < 0;
      }
      if (!ordered) {
        std::vector<uint32_t> order(r.rows);
        for (size_t i = 0; i < r.rows; ++i) order[i] = static_cast<uint32_t>(i);
        std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
          return CompareSlots(r.Row(a)[col], r.Row(b)[col]) < 0;
        });
        std::vector<Slot> sorted;
        sorted.reserve(r.data.size());
        for (uint32_t i : order) AppendSlots(&sorted, r.Row(i), r.width());
        r.data = std::move(sorted);
        for (size_t row = 1; row < r.rows && strictly; ++row) {
          strictly = r.Row(row - 1)[col] != r.Row(row)[col];
        }
      }
      use_memo = !strictly;
    }
    absl::flat_hash_map<Slot, std::pair<uint32_t, uint32_t>> memo;
    std::vector<Slot> memo_data;
    size_t width = new_pos.size();
    for (size_t row = 0; row < r.rows; ++row) {
      const Slot* src = r.Row(row);
      auto emit_row = [&](const Slot* extra) {
        AppendSlots(&out.data, src, r.width());
        AppendSlots(&out.data, extra, width);
        ++out.rows;
        if ((++ticks_ & 4095) == 0) Check(out);
      };
      std::pair<uint32_t, uint32_t>* hit = nullptr;
      if (use_memo) {
        auto [it, inserted] = memo.try_emplace(src[cols[0]], 0, 0);
        if (!inserted) {
          for (uint32_t k = 0; k < it->second.second; ++k) {
            emit_row(memo_data.data() + (it->second.first + k) * width);
          }
          continue;
        }
        hit = &it->second;
        hit->first = static_cast<uint32_t>(memo_data.size() / std::max<size_t>(width, 1));
      }
      Known k = info.consts;
      bool ok = true;
      for (size_t j = 0; j < bound_pos.size() && ok; ++j) {
        ok = BindKnown(db, bound_pos[j], src[cols[j]], info.attr, &k);
      }
      if (!ok) continue;
      uint32_t found = 0;
      ForEachDatom(
          db, k, info.attr,
          [&](const Datom& d) {
            if (!fill(d)) return;
            Slot extra[5];
            for (size_t j = 0; j < width; ++j) extra[j] = comps[new_pos[j]];
            if (hit != nullptr) AppendSlots(&memo_data, extra, width);
            ++found;
            emit_row(extra);
          },
          &lookups);
      if (hit != nullptr) {
        // The memo may have been rehashed: find the entry again.
        memo[src[cols[0]]].second = found;
        if (width == 0) memo[src[cols[0]]].first = 0;
      }
    }
    Step(c.form, "lookup", IndexKeyword(lookup_index), estimate, out.rows);
  } else {
    // Scan with the constants alone, then hash-join on the bound variables.
    Relation scanned;
    scanned.vars = new_vars;
    std::vector<int> out_pos = new_pos;
    std::vector<std::pair<int, int>> all_repeats = repeats;
    for (int i : bound_pos) {
      auto it = std::find(scanned.vars.begin(), scanned.vars.end(), info.vars[i]);
      if (it != scanned.vars.end()) {
        all_repeats.push_back({out_pos[it - scanned.vars.begin()], i});
        continue;
      }
      scanned.vars.push_back(info.vars[i]);
      out_pos.push_back(i);
    }
    scanned.distinct = fact_rows;
    ForEachDatom(db, info.consts, info.attr, [&](const Datom& d) {
      for (int p : out_pos) comps[p] = Component(d, p);
      for (auto [a, b] : all_repeats) {
        if (Component(d, b) != comps[a]) return;
      }
      for (int p : out_pos) scanned.data.push_back(comps[p]);
      ++scanned.rows;
      if ((++ticks_ & 4095) == 0) Check(scanned);
    });
    out = Join(r, scanned);
    Step(c.form, "hash-join", IndexKeyword(ChooseIndex(info.consts, info.attr).first), estimate,
         out.rows);
  }
  Check(out);
  if (out.rows == 0) f.empty = true;
  f.rels[idx] = std::move(out);
}

// ---- Predicates and functions ---------------------------------------------------------

void Engine::Args(const std::vector<Term>& terms, const std::vector<int>& cols, const Slot* row,
                  std::vector<Value>* out) {
  out->clear();
  for (size_t i = 0; i < terms.size(); ++i) {
    if (cols[i] >= 0) {
      out->push_back(values_.Decode(row[cols[i]]));
    } else {
      out->push_back(terms[i].value);
    }
  }
}

[[noreturn]] void ThrowUnknownFunction(const Value& fn, const Value& form) {
  ThrowIncorrect("invalid-query",
                 fmt::format("Unknown function {} in {}: it is neither built in nor registered "
                             "(RegisterQueryFunction)",
                             PrintEdn(fn), PrintEdn(form)),
                 Value::Map({{Kw("form"), form}, {Kw("fn"), fn}}));
}

Value Engine::Call(const Clause& clause, const Value& fn, const std::vector<Term>& terms,
                   const std::vector<Value>& args) {
  Value result;
  if (EngineFunction(fn, terms, args, clause, &result)) return result;
  std::shared_ptr<const QueryFunction> f = FindFunction(fn);
  if (f == nullptr) ThrowUnknownFunction(fn, clause.form);
  for (size_t i = 0; i < terms.size(); ++i) {
    if (terms[i].kind == Term::Kind::kSource) {
      ThrowIncorrect("invalid-query",
                     fmt::format("{} takes values, not the source {}, in {}", PrintEdn(fn),
                                 PrintEdn(terms[i].value), PrintEdn(clause.form)));
    }
  }
  try {
    return (*f)(std::span<const Value>(args.data(), args.size()));
  } catch (const Anomaly&) {
    throw;
  } catch (const std::exception& e) {
    ThrowIncorrect("invalid-query", fmt::format("{} failed in {}: {}", PrintEdn(fn),
                                                PrintEdn(clause.form), e.what()));
  }
}

// Fast comparisons of two slots that hold longs or entity ids.
enum class FastOp { kNone, kLt, kGt, kLe, kGe, kEq, kNe };

FastOp FastOpOf(const Value& fn, size_t arity) {
  if (arity != 2 || !fn.is_symbol()) return FastOp::kNone;
  std::string_view op = fn.QualifiedName();
  if (op.starts_with("clojure.core/")) op.remove_prefix(13);
  if (op == "<") return FastOp::kLt;
  if (op == ">") return FastOp::kGt;
  if (op == "<=") return FastOp::kLe;
  if (op == ">=") return FastOp::kGe;
  if (op == "=") return FastOp::kEq;
  if (op == "!=" || op == "not=") return FastOp::kNe;
  return FastOp::kNone;
}

void Engine::RunPredicate(const Item& item, Frame& f) {
  const Clause& c = *item.clause;
  // A variable bound to one value in a relation of its own (a scalar
  // input) is a constant here: no product with it.
  std::vector<Term> terms = c.pred.args;
  std::vector<VarId> arg_vars = item.arg_vars;
  std::vector<VarId> needs;
  std::vector<int> rels;
  for (VarId v : item.needs) {
    int r = f.RelOf(v);
    if (std::find(rels.begin(), rels.end(), r) == rels.end()) rels.push_back(r);
  }
  for (size_t i = 0; i < terms.size(); ++i) {
    int r = arg_vars[i] >= 0 ? f.RelOf(arg_vars[i]) : -1;
    if (r >= 0 && rels.size() > 1 && f.rels[r].rows == 1) {
      terms[i] = Term{Term::Kind::kConstant,
                      values_.Decode(f.rels[r].Row(0)[f.rels[r].Column(arg_vars[i])])};
      arg_vars[i] = -1;
    } else if (arg_vars[i] >= 0) {
      needs.push_back(arg_vars[i]);
    }
  }
  int idx = Gather(f, needs);
  std::vector<Value> args;
  std::vector<int> cols(terms.size(), -1);
  if (idx < 0) {
    // Constants only: true or false once.
    Args(terms, cols, nullptr, &args);
    if (!Truthy(Call(c, c.pred.fn, terms, args))) f.empty = true;
    Step(c.form, "filter", Value(), 0, f.empty ? 0 : 1);
    return;
  }
  Relation& r = f.rels[idx];
  for (size_t i = 0; i < terms.size(); ++i) {
    if (arg_vars[i] >= 0) cols[i] = r.Column(arg_vars[i]);
  }
  size_t in_rows = r.rows;
  // Comparisons of two longs (direct slots) need no call; anything else,
  // and a registered function of the same name, goes through the function.
  FastOp fast = IsRegisteredFunction(c.pred.fn) ? FastOp::kNone : FastOpOf(c.pred.fn, terms.size());
  Slot consts[2] = {0, 0};
  bool fast_ok = fast != FastOp::kNone;
  for (size_t i = 0; i < 2 && fast_ok; ++i) {
    if (cols[i] < 0) consts[i] = values_.Encode(terms[i].value);
  }
  size_t out = 0;
  size_t w = r.width();
  for (size_t row = 0; row < r.rows; ++row) {
    const Slot* src = r.Row(row);
    bool keep;
    Slot x = fast_ok ? (cols[0] >= 0 ? src[cols[0]] : consts[0]) : 0;
    Slot y = fast_ok ? (cols[1] >= 0 ? src[cols[1]] : consts[1]) : 0;
    if (fast_ok && IsDirect(x) && IsDirect(y)) {
      switch (fast) {
        case FastOp::kEq:
          keep = x == y;
          break;
        case FastOp::kNe:
          keep = x != y;
          break;
        case FastOp::kLt:
          keep = x < y;
          break;
        case FastOp::kGt:
          keep = x > y;
          break;
        case FastOp::kLe:
          keep = x <= y;
          break;
        default:
          keep = x >= y;
          break;
      }
    } else {
      Args(terms, cols, src, &args);
      keep = Truthy(Call(c, c.pred.fn, terms, args));
    }
    if (keep) {
      if (out != row) std::copy(src, src + w, r.data.data() + out * w);
      ++out;
    }
  }
  r.rows = out;
  r.data.resize(out * w);
  if (out == 0) f.empty = true;
  Step(c.form, "filter", Value(), static_cast<double>(in_rows), out);
}

// Appends to *rows the rows of `vars` that binding b makes of v (the
// variables' slots, in the order of vars).
void Destructure(ValueTable& values, const Binding& b, const Value& v,
                 const std::vector<Value>& vars, std::vector<Slot>* row,
                 std::vector<std::vector<Slot>>* rows, const Value& form);

void Engine::RunFunction(const Item& item, Scope& scope, Frame& f) {
  const Clause& c = *item.clause;
  const FunctionExpr& fe = c.function;
  std::vector<VarId> touch = item.needs;
  std::vector<Value> out_syms = fe.output.Variables();
  std::vector<VarId> out_vars;
  for (const Value& s : out_syms) out_vars.push_back(Var(scope, s));
  for (VarId v : out_vars) touch.push_back(v);
  int idx = Gather(f, touch);
  Relation unit = Relation::Unit();
  Relation& r = idx >= 0 ? f.rels[idx] : unit;
  std::vector<int> cols(fe.args.size(), -1);
  for (size_t i = 0; i < fe.args.size(); ++i) {
    if (item.arg_vars[i] >= 0) cols[i] = r.Column(item.arg_vars[i]);
  }
  // Output variables the relation already has must match; the others are
  // added.
  std::vector<int> out_cols;
  Relation out;
  out.vars = r.vars;
  for (VarId v : out_vars) {
    int col = r.Column(v);
    out_cols.push_back(col);
    if (col < 0 && std::find(out.vars.begin(), out.vars.end(), v) == out.vars.end()) {
      out.vars.push_back(v);
    }
  }
  std::vector<Value> args;
  std::vector<std::vector<Slot>> made;
  std::vector<Slot> scratch;
  for (size_t row = 0; row < r.rows; ++row) {
    const Slot* src = r.Row(row);
    Args(fe.args, cols, src, &args);
    Value result = Call(c, fe.fn, fe.args, args);
    made.clear();
    scratch.clear();
    Destructure(values_, fe.output, result, out_syms, &scratch, &made, c.form);
    for (const std::vector<Slot>& m : made) {
      bool ok = true;
      size_t base = out.data.size();
      AppendSlots(&out.data, src, r.width());
      for (size_t j = 0; j < m.size() && ok; ++j) {
        if (out_cols[j] >= 0) {
          ok = src[out_cols[j]] == m[j];
        } else {
          // The first occurrence of the variable among the outputs.
          size_t first =
              std::find(out_vars.begin(), out_vars.end(), out_vars[j]) - out_vars.begin();
          if (first < j) {
            ok = m[first] == m[j];
          } else {
            out.data.push_back(m[j]);
          }
        }
      }
      if (!ok) {
        out.data.resize(base);
        continue;
      }
      ++out.rows;
    }
    if ((++ticks_ & 1023) == 0) Check(out);
  }
  Check(out);
  size_t rows = f.Put(idx, std::move(out));
  Step(c.form, "function", Value(), static_cast<double>(r.rows), rows);
}

void Destructure(ValueTable& values, const Binding& b, const Value& v,
                 const std::vector<Value>& vars, std::vector<Slot>* row,
                 std::vector<std::vector<Slot>>* rows, const Value& form) {
  // Each binding kind fills the slots of its variables; `row` holds the
  // slots bound so far in vars' order (a variable's position is its index
  // among Variables(), so nested bindings append in order).
  switch (b.kind) {
    case Binding::Kind::kScalar:
      if (v.is_nil()) return;  // nil binds nothing
      if (!b.variable.is_nil()) row->push_back(values.Encode(v));
      if (row->size() == vars.size()) rows->push_back(*row);
      if (!b.variable.is_nil()) row->pop_back();
      return;
    case Binding::Kind::kTuple: {
      if (!v.is_sequential() && !v.is_tuple()) {
        if (v.is_nil()) return;
        ThrowIncorrect("invalid-binding",
                       fmt::format("The tuple binding {} in {} needs a vector, not {}",
                                   PrintEdn(b.form), PrintEdn(form), PrintEdn(v)));
      }
      std::span<const Value> items = v.Items();
      if (items.size() < b.elements.size()) return;
      // Bind element by element; each element is a scalar (or `_`).
      size_t before = row->size();
      for (size_t i = 0; i < b.elements.size(); ++i) {
        const Binding& e = b.elements[i];
        if (e.kind != Binding::Kind::kScalar) {
          ThrowIncorrect("invalid-binding", fmt::format("Only variables and _ may appear in the "
                                                        "tuple binding {}",
                                                        PrintEdn(b.form)));
        }
        if (e.variable.is_nil()) continue;
        if (items[i].is_nil()) {
          row->resize(before);
          return;
        }
        row->push_back(values.Encode(items[i]));
      }
      if (row->size() == vars.size()) rows->push_back(*row);
      row->resize(before);
      return;
    }
    case Binding::Kind::kCollection: {
      if (v.is_nil()) return;
      if (!v.is_collection() || v.is_map()) {
        ThrowIncorrect("invalid-binding",
                       fmt::format("The collection binding {} in {} needs a collection, not {}",
                                   PrintEdn(b.form), PrintEdn(form), PrintEdn(v)));
      }
      for (const Value& item : v.Items()) {
        Destructure(values, b.elements[0], item, vars, row, rows, form);
      }
      return;
    }
    case Binding::Kind::kRelation: {
      if (v.is_nil()) return;
      if (!v.is_collection() || v.is_map()) {
        ThrowIncorrect("invalid-binding",
                       fmt::format("The relation binding {} in {} needs a collection of tuples, "
                                   "not {}",
                                   PrintEdn(b.form), PrintEdn(form), PrintEdn(v)));
      }
      Binding tuple;
      tuple.kind = Binding::Kind::kTuple;
      tuple.elements = b.elements;
      tuple.form = b.form;
      for (const Value& item : v.Items()) {
        Destructure(values, tuple, item, vars, row, rows, form);
      }
      return;
    }
  }
}

// ---- Engine functions ------------------------------------------------------------------

bool Engine::EngineFunction(const Value& fn, const std::vector<Term>& terms,
                            const std::vector<Value>& args, const Clause& clause, Value* result) {
  if (!fn.is_symbol() || !fn.Namespace().empty()) return false;
  std::string_view name = fn.Name();
  auto arity = [&](size_t lo, size_t hi) {
    if (args.size() < lo || args.size() > hi) {
      ThrowIncorrect("invalid-query", fmt::format("Wrong number of arguments to {} in {}: {} given",
                                                  name, PrintEdn(clause.form), args.size()));
    }
  };
  auto db_arg = [&](size_t i) -> const Database& {
    if (terms[i].kind != Term::Kind::kSource) {
      ThrowIncorrect("invalid-query", fmt::format("{} takes a source ($) as its argument {}, in {}",
                                                  name, i + 1, PrintEdn(clause.form)));
    }
    const Source& src = SourceOf(terms[i].value, clause.form);
    if (!src.db) {
      ThrowIncorrect("invalid-query",
                     fmt::format("{} needs a database, and {} is a collection, in {}", name,
                                 PrintEdn(terms[i].value), PrintEdn(clause.form)));
    }
    return *src.db;
  };
  auto attr_arg = [&](const Database& db, const Value& a) -> const Attribute* {
    std::optional<EntityId> id = a.is_keyword() || a.is_integer() ? db.Entid(a) : std::nullopt;
    const Attribute* attr = id ? db.state().schema->Find(*id) : nullptr;
    if (attr == nullptr) {
      ThrowNotFound("not-an-entity",
                    fmt::format("Unable to resolve entity: {} in {}: no attribute has that name",
                                PrintEdn(a), PrintEdn(clause.form)));
    }
    return attr;
  };
  auto first_value = [&](const Database& db, const Value& e, const Attribute* attr,
                         Value* out) -> bool {
    std::optional<EntityId> eid = db.Entid(e);
    if (!eid) return false;
    Known k;
    k.has[0] = k.has[1] = true;
    k.e = *eid;
    k.a = attr->id;
    bool found = false;
    ForEachDatom(db, k, attr, [&](const Datom& d) {
      if (!found) *out = d.v;
      found = true;
    });
    return found;
  };
  if (name == "ground") {
    arity(1, 1);
    *result = args[0];
    return true;
  }
  if (name == "get-else") {
    arity(4, 4);
    const Database& db = db_arg(0);
    const Attribute* attr = attr_arg(db, args[2]);
    if (attr->many) {
      ThrowIncorrect("invalid-query",
                     fmt::format("get-else takes a cardinality-one attribute; {} is "
                                 "cardinality many, in {}",
                                 PrintEdn(args[2]), PrintEdn(clause.form)));
    }
    if (args[3].is_nil()) {
      ThrowIncorrect("invalid-query", fmt::format("get-else's default must not be nil, in {}",
                                                  PrintEdn(clause.form)));
    }
    Value v;
    *result = first_value(db, args[1], attr, &v) ? v : args[3];
    return true;
  }
  if (name == "get-some") {
    if (args.size() < 3) arity(3, 3);
    const Database& db = db_arg(0);
    for (size_t i = 2; i < args.size(); ++i) {
      const Attribute* attr = attr_arg(db, args[i]);
      Value v;
      if (first_value(db, args[1], attr, &v)) {
        *result = Value::Vector({Value::Long(attr->id), v});
        return true;
      }
    }
    *result = Value();
    return true;
  }
  if (name == "missing?") {
    arity(3, 3);
    const Database& db = db_arg(0);
    const Attribute* attr = attr_arg(db, args[2]);
    Value v;
    *result = Value::Boolean(!first_value(db, args[1], attr, &v));
    return true;
  }
  if (name == "fulltext") {
    ThrowUnsupported(fmt::format("fulltext is not supported yet, in {}", PrintEdn(clause.form)));
  }
  if (name == "tx-ids" || name == "tx-data") {
    arity(name == "tx-ids" ? 3 : 2, name == "tx-ids" ? 3 : 2);
    auto it = terms[0].is_variable() ? logs_.find(terms[0].value) : logs_.end();
    if (it == logs_.end()) {
      ThrowIncorrect("invalid-query", fmt::format("{} takes a log (an input such as ?log bound to "
                                                  "Connection::log()) as its first argument, in {}",
                                                  name, PrintEdn(clause.form)));
    }
    auto time = [&](const Value& v) -> std::optional<int64_t> {
      if (v.is_nil()) return std::nullopt;
      if (v.is_integer()) return ToT(v.AsLong());
      ThrowIncorrect("invalid-query", fmt::format("{} takes t or transaction ids, not {}, in {}",
                                                  name, PrintEdn(v), PrintEdn(clause.form)));
    };
    std::vector<Value> out;
    if (name == "tx-ids") {
      for (const LogEntry& e : it->second->TxRange(time(args[1]), time(args[2]))) {
        out.push_back(Value::Long(TxFromT(e.t)));
      }
    } else {
      std::optional<int64_t> t = time(args[1]);
      if (t) {
        for (const LogEntry& e : it->second->TxRange(*t, *t + 1)) {
          for (const Datom& d : e.data) {
            out.push_back(Value::Vector({Value::Long(d.e), Value::Long(d.a), d.v, Value::Long(d.tx),
                                         Value::Boolean(d.added)}));
          }
        }
      }
    }
    *result = Value::Vector(std::move(out));
    return true;
  }
  if (name == "q") {
    if (args.empty()) arity(1, 1);
    std::vector<QueryInput> inputs;
    for (size_t i = 1; i < args.size(); ++i) {
      if (terms[i].kind == Term::Kind::kSource) {
        const Source& src = SourceOf(terms[i].value, clause.form);
        if (src.db) {
          inputs.emplace_back(*src.db);
        } else {
          std::vector<Value> tuples;
          for (const auto& t : src.tuples) tuples.push_back(Value::Vector(t));
          inputs.emplace_back(Value::Vector(std::move(tuples)));
        }
      } else {
        inputs.emplace_back(args[i]);
      }
    }
    QueryOptions options = options_;
    *result =
        args[0].is_string() ? Q(args[0].AsString(), inputs, options) : Q(args[0], inputs, options);
    return true;
  }
  return false;
}

// ---- not, or ---------------------------------------------------------------------------

void Engine::RunNot(const Item& item, Scope& scope, Frame& f, const Value& default_source) {
  const Clause& c = *item.clause;
  const Value& src = c.source.is_nil() ? default_source : c.source;
  int idx = Gather(f, item.joins);
  std::vector<Relation> inputs;
  if (idx >= 0) inputs.push_back(Project(f.rels[idx], item.joins, true));
  ++depth_;
  Relation body =
      Conjunction(c.not_clause->body, scope, inputs, src, item.joins, nullptr, nullptr, false);
  --depth_;
  if (idx < 0) {
    if (body.rows > 0) f.empty = true;
    Step(c.form, "not", Value(), 0, f.empty ? 0 : 1);
    return;
  }
  Relation& r = f.rels[idx];
  RowSet excluded(item.joins.size());
  for (size_t i = 0; i < body.rows; ++i) excluded.Insert(body.Row(i));
  std::vector<int> cols;
  for (VarId v : item.joins) cols.push_back(r.Column(v));
  std::vector<Slot> key(cols.size());
  size_t out = 0, w = r.width(), in_rows = r.rows;
  for (size_t row = 0; row < r.rows; ++row) {
    const Slot* s = r.Row(row);
    for (size_t j = 0; j < cols.size(); ++j) key[j] = s[cols[j]];
    if (excluded.Contains(key.data())) continue;
    if (out != row) std::copy(s, s + w, r.data.data() + out * w);
    ++out;
  }
  r.rows = out;
  r.data.resize(out * w);
  if (out == 0) f.empty = true;
  Step(c.form, "not", Value(), static_cast<double>(in_rows), out);
}

void Engine::RunOr(const Item& item, Scope& scope, Frame& f, const Value& default_source,
                   RuleRun* run) {
  const Clause& c = *item.clause;
  const Value& src = c.source.is_nil() ? default_source : c.source;
  std::vector<VarId> bound;
  for (VarId v : item.joins) {
    if (f.Bound(v)) bound.push_back(v);
  }
  int idx = Gather(f, bound);
  std::vector<Relation> inputs;
  if (idx >= 0) inputs.push_back(Project(f.rels[idx], bound, true));
  Relation all(item.joins);
  all.distinct = true;
  RowSet seen(item.joins.size());
  ++depth_;
  for (const Clauses& branch : c.or_clause->branches) {
    Relation r = Conjunction(branch, scope, inputs, src, item.joins, run, nullptr, false);
    for (size_t i = 0; i < r.rows; ++i) {
      if (seen.Insert(r.Row(i))) all.AddRow(r.Row(i));
    }
    Check(all);
  }
  --depth_;
  size_t rows = f.Put(idx, idx >= 0 ? Join(f.rels[idx], all) : std::move(all));
  Step(c.form, "or", Value(), 0, rows);
}

// ---- Rules -----------------------------------------------------------------------------

// The tables of one bottom-up evaluation: for each rule and pattern of
// bound arguments (the "adornment"), the demanded bindings of those
// arguments and the answers derived for them. Rows of both are kept in the
// order they were added, so each round's new rows (its delta) are a range:
// [0, old) were seen two rounds ago or earlier, [old, cur) are the last
// round's, [cur, size) are being made by this one.
class RuleRun {
 public:
  using KeyIndex = absl::flat_hash_map<uint64_t, std::vector<uint32_t>>;
  struct Table {
    Value name;
    Value source;       // the source $ names in the bodies (nil: $ itself)
    uint32_t mask = 0;  // bit i: argument i is bound
    size_t arity = 0;
    std::unique_ptr<RowSet> demand;   // rows over the bound arguments
    std::unique_ptr<RowSet> answers;  // rows over every argument
    size_t demand_old = 0, demand_cur = 0;
    size_t answers_old = 0, answers_cur = 0;
    // Per pattern of bound arguments of the calls it answers: answers
    // [0, indexed) by the hash of those arguments.
    absl::flat_hash_map<uint32_t, std::pair<KeyIndex, size_t>> indexes;
  };

  explicit RuleRun(Engine& engine) : engine_(engine) {}

  // The table that answers calls of `name` with the arguments of `mask`
  // bound: its own, or the table of the rule with no argument bound, which
  // holds every answer (its demand covers any binding), so the closure is
  // not derived twice.
  Table& GetTable(const Value& name, const Value& source, uint32_t mask, size_t arity) {
    for (auto& t : tables_) {
      if (t->name == name && t->source == source && t->mask == mask) return *t;
    }
    for (auto& t : tables_) {
      if (t->name == name && t->source == source && t->mask == 0) return *t;
    }
    auto t = std::make_unique<Table>();
    t->name = name;
    t->source = source;
    t->mask = mask;
    t->arity = arity;
    t->demand = std::make_unique<RowSet>(static_cast<size_t>(std::popcount(mask)));
    t->answers = std::make_unique<RowSet>(arity);
    tables_.push_back(std::move(t));
    return *tables_.back();
  }

  // Runs rounds until no table changes.
  void Fixpoint() {
    while (true) {
      bool changed = false;
      for (auto& t : tables_) {
        t->demand_old = t->demand_cur;
        t->demand_cur = t->demand->size();
        t->answers_old = t->answers_cur;
        t->answers_cur = t->answers->size();
        changed = changed || t->demand_cur > t->demand_old || t->answers_cur > t->answers_old;
      }
      if (!changed) return;
      // The tables count against the query's memory budget, and a
      // recursion that never ends is stopped by the timeout.
      size_t slots = 0;
      for (auto& t : tables_) {
        slots += t->answers->data().size() + t->demand->data().size();
      }
      engine_.CheckRows(slots);
      for (size_t i = 0; i < tables_.size(); ++i) {
        Table* t = tables_[i].get();
        const auto& bodies = engine_.rules().at(t->name);
        for (const RuleBody* body : bodies) Round(*t, *body);
      }
    }
  }

 private:
  static bool HasNestedRuleCall(const Clauses& clauses, bool nested) {
    for (const Clause& c : clauses) {
      if (c.kind == Clause::Kind::kRule && nested) return true;
      if (c.kind == Clause::Kind::kNot && HasNestedRuleCall(c.not_clause->body, true)) return true;
      if (c.kind == Clause::Kind::kOr) {
        for (const Clauses& b : c.or_clause->branches) {
          if (HasNestedRuleCall(b, true)) return true;
        }
      }
    }
    return false;
  }

  void Round(Table& t, const RuleBody& body) {
    Scope& scope = scopes_[&body];
    std::vector<VarId> head;
    for (const Value& v : body.vars) head.push_back(engine_.Var(scope, v));
    std::vector<VarId> keep;
    for (VarId v : head) {
      if (std::find(keep.begin(), keep.end(), v) == keep.end()) keep.push_back(v);
    }
    if (HasNestedRuleCall(body.body, false)) {
      Evaluate(t, body, scope, head, keep, 0, t.demand_cur, nullptr);
      return;
    }
    if (t.demand_cur > t.demand_old) {
      Evaluate(t, body, scope, head, keep, t.demand_old, t.demand_cur, nullptr);
    }
    if (t.demand_old == 0) return;
    for (const Clause& c : body.body) {
      if (c.kind != Clause::Kind::kRule) continue;
      Evaluate(t, body, scope, head, keep, 0, t.demand_old, &c);
    }
  }

  // Evaluates `body` for the demand rows [lo, hi) of t, with `delta` (a
  // rule call of the body) reading only its table's last-round answers.
  void Evaluate(Table& t, const RuleBody& body, Scope& scope, const std::vector<VarId>& head,
                const std::vector<VarId>& keep, size_t lo, size_t hi, const Clause* delta) {
    if (lo >= hi) return;
    // The demand rows as a relation over the bound head variables.
    std::vector<int> bound_pos;
    for (size_t i = 0; i < head.size(); ++i) {
      if (t.mask & (1u << i)) bound_pos.push_back(static_cast<int>(i));
    }
    Relation input;
    std::vector<int> first_col;  // per bound position, its column in input
    for (int p : bound_pos) {
      int col = input.Column(head[p]);
      if (col < 0) {
        input.vars.push_back(head[p]);
        col = static_cast<int>(input.vars.size()) - 1;
      }
      first_col.push_back(col);
    }
    std::vector<Slot> row(input.width());
    for (size_t i = lo; i < hi; ++i) {
      const Slot* d = t.demand->Row(i);
      bool ok = true;
      std::fill(row.begin(), row.end(), ~Slot{0});
      for (size_t j = 0; j < bound_pos.size() && ok; ++j) {
        Slot& s = row[first_col[j]];
        if (s != ~Slot{0} && s != d[j]) ok = false;
        s = d[j];
      }
      if (ok) input.AddRow(row.data());
    }
    if (input.rows == 0) return;
    std::vector<Relation> inputs;
    if (input.width() > 0) {
      inputs.push_back(std::move(input));
    }
    // $ names the table's source while its bodies run.
    struct SourceScope {
      SourceScope(Value* slot, const Value& source) : slot_(slot), outer_(*slot) {
        *slot_ = source;
      }
      ~SourceScope() { *slot_ = outer_; }
      Value* slot_;
      Value outer_;
    } source_scope(&engine_.rule_source_, t.source);
    Relation result = engine_.Conjunction(body.body, scope, std::move(inputs), Value::Symbol("$"),
                                          keep, this, delta, /*distinct=*/false);
    std::vector<int> cols;
    for (VarId v : head) cols.push_back(result.Column(v));
    std::vector<Slot> answer(head.size());
    for (size_t i = 0; i < result.rows; ++i) {
      const Slot* r = result.Row(i);
      for (size_t j = 0; j < head.size(); ++j) answer[j] = r[cols[j]];
      t.answers->Insert(answer.data());
    }
    engine_.Check(result);
  }

  Engine& engine_;
  std::vector<std::unique_ptr<Table>> tables_;
  absl::flat_hash_map<const RuleBody*, Scope> scopes_;
};

void Engine::RunRule(const Item& item, Frame& f, RuleRun* run, const Clause* delta_clause) {
  const Clause& c = *item.clause;
  const RuleExpr& call = c.rule;
  size_t arity = call.args.size();
  if (arity > 30) {
    ThrowIncorrect("invalid-query",
                   fmt::format("Rule calls take at most 30 arguments, in {}", PrintEdn(c.form)));
  }
  // Bound arguments: constants and bound variables.
  uint32_t mask = 0;
  std::vector<VarId> bound_vars;
  for (size_t i = 0; i < arity; ++i) {
    const Term& a = call.args[i];
    VarId v = item.arg_vars[i];
    if (a.is_constant() || (v >= 0 && f.Bound(v))) mask |= 1u << i;
    if (v >= 0 && f.Bound(v)) bound_vars.push_back(v);
  }
  int idx = Gather(f, bound_vars);
  Relation unit = Relation::Unit();
  const Relation& r = idx >= 0 ? f.rels[idx] : unit;
  std::vector<int> cols(arity, -1);
  std::vector<Slot> consts(arity, 0);
  for (size_t i = 0; i < arity; ++i) {
    if (call.args[i].is_constant()) consts[i] = values_.Encode(call.args[i].value);
    if (item.arg_vars[i] >= 0) cols[i] = r.Column(item.arg_vars[i]);
  }
  auto key_of = [&](const Slot* row, std::vector<Slot>* key) {
    key->clear();
    for (size_t i = 0; i < arity; ++i) {
      if (!(mask & (1u << i))) continue;
      key->push_back(cols[i] >= 0 ? row[cols[i]] : consts[i]);
    }
  };
  // The demand: the distinct bindings of the bound arguments.
  RuleRun local(*this);
  RuleRun& solver = run != nullptr ? *run : local;
  // The source the bodies read as $: the call's, else the one $ names here.
  Value source = c.source.is_nil() || c.source == Value::Symbol("$") ? rule_source_ : c.source;
  SourceOf(source.is_nil() ? Value::Symbol("$") : source, c.form);  // it must exist
  RuleRun::Table& table = solver.GetTable(call.name, source, mask, arity);
  std::vector<Slot> key;
  if (table.mask == 0) {
    table.demand->Insert(nullptr);  // every binding
  } else {
    for (size_t row = 0; row < r.rows; ++row) {
      key_of(r.Row(row), &key);
      table.demand->Insert(key.data());
    }
  }
  size_t lo = 0, hi;
  if (run == nullptr) {
    solver.Fixpoint();
    hi = table.answers->size();
  } else {
    hi = table.answers_cur;
    if (delta_clause == &c) lo = table.answers_old;
  }
  // Join r with the answers on the bound arguments: all answers through
  // the table's own index (grown as answers come, rows in order), a
  // round's new answers through one made for them.
  std::vector<int> bound_idx;
  for (size_t i = 0; i < arity; ++i) {
    if (mask & (1u << i)) bound_idx.push_back(static_cast<int>(i));
  }
  auto answer_key = [&](const Slot* a) {
    uint64_t h = 0;
    for (int i : bound_idx) h = h * 0x9e3779b97f4a7c15ULL + a[i];
    return h;
  };
  RuleRun::KeyIndex delta_index;
  RuleRun::KeyIndex* by_key = &delta_index;
  if (lo == 0) {
    auto& [index, indexed] = table.indexes[mask];
    for (; indexed < hi; ++indexed) {
      index[answer_key(table.answers->Row(indexed))].push_back(static_cast<uint32_t>(indexed));
    }
    by_key = &index;
  } else {
    for (size_t i = lo; i < hi; ++i) {
      delta_index[answer_key(table.answers->Row(i))].push_back(static_cast<uint32_t>(i));
    }
  }
  // New variables: unbound variable arguments, once each.
  std::vector<VarId> new_vars;
  std::vector<int> new_pos;
  std::vector<std::pair<int, int>> repeats;
  for (size_t i = 0; i < arity; ++i) {
    VarId v = item.arg_vars[i];
    if (v < 0 || (mask & (1u << i))) continue;
    auto found = std::find(new_vars.begin(), new_vars.end(), v);
    if (found == new_vars.end()) {
      new_vars.push_back(v);
      new_pos.push_back(static_cast<int>(i));
    } else {
      repeats.push_back({new_pos[found - new_vars.begin()], static_cast<int>(i)});
    }
  }
  Relation out;
  out.vars = r.vars;
  out.vars.insert(out.vars.end(), new_vars.begin(), new_vars.end());
  for (size_t row = 0; row < r.rows; ++row) {
    const Slot* src = r.Row(row);
    key_of(src, &key);
    uint64_t h = 0;
    for (Slot s : key) h = h * 0x9e3779b97f4a7c15ULL + s;
    auto found = by_key->find(h);
    if (found == by_key->end()) continue;
    for (uint32_t i : found->second) {
      if (i >= hi) break;
      const Slot* a = table.answers->Row(i);
      bool ok = true;
      for (size_t j = 0; j < bound_idx.size() && ok; ++j) ok = a[bound_idx[j]] == key[j];
      for (auto [x, y] : repeats) ok = ok && a[x] == a[y];
      if (!ok) continue;
      AppendSlots(&out.data, src, r.width());
      for (int p : new_pos) out.data.push_back(a[p]);
      ++out.rows;
      if ((++ticks_ & 4095) == 0) Check(out);
    }
  }
  Check(out);
  size_t rows = f.Put(idx, std::move(out));
  if (explain_) {
    // How much the rule derived: with bound arguments pushed in, only what
    // the demanded bindings reach.
    Step(c.form, "rule",
         Value::Map({{Kw("demand"), Value::Long(static_cast<int64_t>(table.demand->size()))},
                     {Kw("answers"), Value::Long(static_cast<int64_t>(table.answers->size()))}}),
         0, rows);
  }
}

// ---- Conjunctions -------------------------------------------------------------------------

Relation Engine::Conjunction(const Clauses& clauses, Scope& scope, std::vector<Relation> inputs,
                             const Value& default_source, const std::vector<VarId>& keep,
                             RuleRun* run, const Clause* delta_clause, bool distinct) {
  Frame f;
  for (Relation& r : inputs) f.Add(std::move(r));
  std::vector<Item> items(clauses.size());
  for (size_t i = 0; i < clauses.size(); ++i) {
    const Clause& c = clauses[i];
    Item& it = items[i];
    it.clause = &c;
    auto var_of = [&](const Term& t) { return t.is_variable() ? Var(scope, t.value) : -1; };
    switch (c.kind) {
      case Clause::Kind::kPattern:
        it.pattern = std::make_shared<PatternInfo>(Resolve(c, scope, default_source));
        for (VarId v : it.pattern->vars) {
          if (v >= 0) it.binds.push_back(v);
        }
        break;
      case Clause::Kind::kPredicate:
        for (const Term& t : c.pred.args) {
          it.arg_vars.push_back(var_of(t));
          if (it.arg_vars.back() >= 0) it.needs.push_back(it.arg_vars.back());
        }
        break;
      case Clause::Kind::kFunction:
        for (const Term& t : c.function.args) {
          it.arg_vars.push_back(var_of(t));
          if (it.arg_vars.back() >= 0) it.needs.push_back(it.arg_vars.back());
        }
        for (const Value& v : c.function.output.Variables()) it.binds.push_back(Var(scope, v));
        break;
      case Clause::Kind::kRule: {
        auto found = rules_.find(c.rule.name);
        if (found == rules_.end()) {
          ThrowIncorrect("invalid-query",
                         fmt::format("Unknown rule {} in {}: pass rules defining it for % in "
                                     ":in",
                                     PrintEdn(c.rule.name), PrintEdn(c.form)),
                         Value::Map({{Kw("form"), c.form}}));
        }
        const RuleBody& body = *found->second.front();
        if (body.vars.size() != c.rule.args.size()) {
          ThrowIncorrect(
              "invalid-query",
              fmt::format("The rule {} takes {} arguments; {} has {}", PrintEdn(c.rule.name),
                          body.vars.size(), PrintEdn(c.form), c.rule.args.size()),
              Value::Map({{Kw("form"), c.form}}));
        }
        for (size_t a = 0; a < c.rule.args.size(); ++a) {
          VarId v = var_of(c.rule.args[a]);
          it.arg_vars.push_back(v);
          if (v < 0) continue;
          it.binds.push_back(v);
          if (a < body.required_vars.size()) it.needs.push_back(v);
        }
        break;
      }
      case Clause::Kind::kNot:
        for (const Value& v : c.not_clause->join_vars) it.joins.push_back(Var(scope, v));
        break;
      case Clause::Kind::kOr:
        for (const Value& v : c.or_clause->join_vars) it.joins.push_back(Var(scope, v));
        for (const Value& v : c.or_clause->required_vars) it.needs.push_back(Var(scope, v));
        it.binds = it.joins;
        break;
    }
  }
  // A plain `not` joins on the variables of its body that the rest of the
  // conjunction (or its caller) also has; the others are its own.
  for (size_t i = 0; i < items.size(); ++i) {
    Item& it = items[i];
    if (it.clause->kind != Clause::Kind::kNot || it.clause->not_clause->is_join) continue;
    std::vector<VarId> visible = keep;
    for (const Relation& r : f.rels) visible.insert(visible.end(), r.vars.begin(), r.vars.end());
    for (size_t j = 0; j < items.size(); ++j) {
      if (j == i) continue;
      const Item& o = items[j];
      visible.insert(visible.end(), o.needs.begin(), o.needs.end());
      visible.insert(visible.end(), o.binds.begin(), o.binds.end());
      visible.insert(visible.end(), o.joins.begin(), o.joins.end());
    }
    // Datomic requires every variable of a plain `not` to be bound outside
    // it; not-join names the ones to join on.
    std::vector<Value> own;
    for (VarId v : it.joins) {
      if (std::find(visible.begin(), visible.end(), v) == visible.end()) own.push_back(Name(v));
    }
    if (!own.empty()) {
      ThrowIncorrect("insufficient-binding",
                     fmt::format("Insufficient binding of {} in {}: every variable of not must "
                                 "be bound outside it; to join on some variables only, use "
                                 "(not-join [?var ...] clause ...)",
                                 PrintEdn(Value::Vector(own)), PrintEdn(it.clause->form)),
                     Value::Map({{Kw("form"), it.clause->form}, {Kw("vars"), Value::Vector(own)}}));
    }
  }
  for (Item& it : items) {
    if (it.clause->kind == Clause::Kind::kNot) it.needs = it.joins;
  }

  std::vector<const Item*> pending;
  for (const Item& it : items) pending.push_back(&it);
  auto ready = [&](const Item& it) {
    for (VarId v : it.needs) {
      if (!f.Bound(v)) return false;
    }
    return true;
  };
  while (!pending.empty() && !f.empty) {
    CheckDeadline();
    // Filters and functions first, as soon as their inputs are bound.
    bool ran = false;
    for (size_t i = 0; i < pending.size() && !ran; ++i) {
      const Item& it = *pending[i];
      Clause::Kind kind = it.clause->kind;
      if (kind != Clause::Kind::kPredicate && kind != Clause::Kind::kFunction &&
          kind != Clause::Kind::kNot) {
        continue;
      }
      if (!ready(it)) continue;
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
      if (kind == Clause::Kind::kPredicate) {
        RunPredicate(it, f);
      } else if (kind == Clause::Kind::kFunction) {
        RunFunction(it, scope, f);
      } else {
        RunNot(it, scope, f, default_source);
      }
      ran = true;
    }
    if (ran) continue;
    // Then the cheapest generator; one that connects to what is bound before
    // one that would make a product.
    const Item* best = nullptr;
    double best_score = 0;
    bool any_bound = !f.rels.empty();
    for (const Item* it : pending) {
      Clause::Kind kind = it->clause->kind;
      if (kind != Clause::Kind::kPattern && kind != Clause::Kind::kOr &&
          kind != Clause::Kind::kRule) {
        continue;
      }
      if (!ready(*it)) continue;
      double score = Estimate(*it, f, pending);
      bool connected = false;
      for (VarId v : it->binds) connected = connected || f.Bound(v);
      if (any_bound && !connected && score > 0) score = score * 1e6 + 1e6;
      if (best == nullptr || score < best_score) {
        best = it;
        best_score = score;
      }
    }
    if (best == nullptr) {
      // Nothing can run: some clause needs a variable nothing binds.
      const Item& it = *pending.front();
      std::vector<Value> missing;
      for (VarId v : it.needs) {
        if (!f.Bound(v)) missing.push_back(Name(v));
      }
      ThrowInsufficient(it.clause->form, missing);
    }
    pending.erase(std::find(pending.begin(), pending.end(), best));
    switch (best->clause->kind) {
      case Clause::Kind::kPattern:
        RunPattern(*best, f, pending);
        break;
      case Clause::Kind::kOr:
        RunOr(*best, scope, f, default_source, run);
        break;
      default:
        RunRule(*best, f, run, delta_clause);
        break;
    }
  }
  // The result over `keep`: every relation projected onto the variables of
  // keep it has, then their product.
  Relation result = Relation::Unit();
  if (f.empty) {
    Relation none(keep);
    return none;
  }
  for (VarId v : keep) {
    if (!f.Bound(v)) {
      ThrowInsufficient(clauses.empty() ? Value::Vector({}) : clauses.front().form, {Name(v)});
    }
  }
  for (const Relation& r : f.rels) {
    std::vector<VarId> mine;
    for (VarId v : r.vars) {
      if (std::find(keep.begin(), keep.end(), v) != keep.end()) mine.push_back(v);
    }
    result = Product(result, Project(r, mine, distinct));
    Check(result);
  }
  return Project(result, keep, false);
}

// ---- :find ---------------------------------------------------------------------------

Value Engine::Find(const Query& query, Scope& scope) {
  std::vector<VarId> keep;
  auto add = [&](const Value& sym) {
    VarId v = Var(scope, sym);
    if (std::find(keep.begin(), keep.end(), v) == keep.end()) keep.push_back(v);
    return v;
  };
  const std::vector<FindElement>& elements = query.find.elements;
  std::vector<VarId> element_vars;
  bool aggregate = false;
  for (const FindElement& e : elements) {
    element_vars.push_back(add(e.variable));
    aggregate = aggregate || e.kind == FindElement::Kind::kAggregate;
  }
  for (const Value& w : query.with) add(w);
  std::vector<Relation> inputs = std::move(pending_inputs_);
  Relation r = Conjunction(query.where, scope, std::move(inputs), Value::Symbol("$"), keep, nullptr,
                           nullptr);
  std::vector<int> cols;
  for (VarId v : element_vars) cols.push_back(r.Column(v));

  auto element_value = [&](size_t i, Slot s) -> Value {
    const FindElement& e = elements[i];
    Value v = values_.Decode(s);
    if (e.kind != FindElement::Kind::kPull) return v;
    const Source& src = SourceOf(e.source.is_nil() ? Value::Symbol("$") : e.source, e.form);
    if (!src.db) {
      ThrowIncorrect("invalid-query",
                     fmt::format("pull needs a database source, in {}", PrintEdn(e.form)));
    }
    Value pattern = e.pull_pattern;
    if (pattern.is_symbol()) {
      auto it = patterns_.find(pattern);
      if (it == patterns_.end()) {
        ThrowIncorrect("invalid-query", fmt::format("{} names no pattern input, in {}",
                                                    PrintEdn(pattern), PrintEdn(e.form)));
      }
      pattern = it->second;
    }
    std::optional<EntityId> eid = src.db->Entid(v);
    if (!eid) return Value();
    return PullForFind(*src.db, pattern, *eid);
  };

  // The common shapes, built straight from the slots: rows sorted in the
  // result's order (by slot where both are longs), duplicates dropped as
  // neighbours, and the set made without sorting Values again.
  bool plain =
      !aggregate && query.with.empty() && query.return_map.kind == ReturnMap::Kind::kNone &&
      query.find.shape != FindSpec::Shape::kTuple && query.find.shape != FindSpec::Shape::kScalar;
  for (const FindElement& e : elements) plain = plain && e.kind == FindElement::Kind::kVariable;
  if (plain) return SortedResult(r, cols, query.find.shape == FindSpec::Shape::kCollection);

  std::vector<std::vector<Value>> tuples;
  bool bag = false;
  if (!aggregate) {
    bag = !query.with.empty();
    RowSet seen(cols.size());
    std::vector<Slot> row(cols.size());
    for (size_t i = 0; i < r.rows; ++i) {
      const Slot* s = r.Row(i);
      for (size_t j = 0; j < cols.size(); ++j) row[j] = s[cols[j]];
      if (!bag && !seen.Insert(row.data())) continue;
      std::vector<Value> t;
      t.reserve(cols.size());
      for (size_t j = 0; j < cols.size(); ++j) t.push_back(element_value(j, row[j]));
      tuples.push_back(std::move(t));
    }
  } else {
    // Group by the elements that are not aggregates.
    std::vector<int> group_cols;
    for (size_t j = 0; j < elements.size(); ++j) {
      if (elements[j].kind != FindElement::Kind::kAggregate) group_cols.push_back(cols[j]);
    }
    RowSet groups(group_cols.size());
    std::vector<std::vector<uint32_t>> members;
    std::vector<Slot> key(group_cols.size());
    absl::flat_hash_map<uint64_t, std::vector<uint32_t>> by_hash;
    for (size_t i = 0; i < r.rows; ++i) {
      const Slot* s = r.Row(i);
      for (size_t j = 0; j < group_cols.size(); ++j) key[j] = s[group_cols[j]];
      // Find the group: groups are numbered in order of first appearance.
      uint64_t h = HashSlots(key.data(), key.size());
      std::vector<uint32_t>& candidates = by_hash[h];
      int g = -1;
      for (uint32_t cand : candidates) {
        if (group_cols.empty() || std::equal(key.begin(), key.end(), groups.Row(cand))) {
          g = static_cast<int>(cand);
          break;
        }
      }
      if (g < 0) {
        groups.Insert(key.data());
        g = static_cast<int>(members.size());
        members.emplace_back();
        candidates.push_back(static_cast<uint32_t>(g));
      }
      members[g].push_back(static_cast<uint32_t>(i));
    }
    std::vector<Value> bag_values;
    for (size_t g = 0; g < members.size(); ++g) {
      std::vector<Value> t;
      const Slot* first = r.Row(members[g][0]);
      for (size_t j = 0; j < elements.size(); ++j) {
        const FindElement& e = elements[j];
        if (e.kind != FindElement::Kind::kAggregate) {
          t.push_back(element_value(j, first[cols[j]]));
          continue;
        }
        std::shared_ptr<const AggregateFunction> agg = FindAggregate(e.aggregate);
        if (agg == nullptr) {
          ThrowIncorrect("invalid-query",
                         fmt::format("Unknown aggregate {} in {}: it is neither built in nor "
                                     "registered (RegisterAggregate)",
                                     PrintEdn(e.aggregate), PrintEdn(e.form)));
        }
        bag_values.clear();
        for (uint32_t m : members[g]) bag_values.push_back(values_.Decode(r.Row(m)[cols[j]]));
        t.push_back((*agg)(std::span<const Value>(e.aggregate_args.data(), e.aggregate_args.size()),
                           std::span<const Value>(bag_values.data(), bag_values.size())));
      }
      tuples.push_back(std::move(t));
    }
  }
  // The shape.
  auto as_tuple = [&](std::vector<Value> t) -> Value {
    if (query.return_map.kind == ReturnMap::Kind::kNone) return Value::Vector(std::move(t));
    std::vector<ValuePair> entries;
    for (size_t j = 0; j < t.size(); ++j) entries.push_back({query.return_map.keys[j], t[j]});
    return Value::Map(std::move(entries));
  };
  switch (query.find.shape) {
    case FindSpec::Shape::kScalar:
      return tuples.empty() ? Value() : tuples.front().front();
    case FindSpec::Shape::kTuple:
      return tuples.empty() ? Value() : as_tuple(std::move(tuples.front()));
    case FindSpec::Shape::kCollection: {
      std::vector<Value> out;
      out.reserve(tuples.size());
      for (auto& t : tuples) out.push_back(std::move(t.front()));
      return Value::Vector(std::move(out));
    }
    case FindSpec::Shape::kRelation:
      break;
  }
  std::vector<Value> out;
  out.reserve(tuples.size());
  for (auto& t : tuples) out.push_back(as_tuple(std::move(t)));
  if (bag) return Value::Vector(std::move(out));
  return Value::Set(std::move(out));
}

int Engine::CompareSlots(Slot a, Slot b) const {
  if (a == b) return 0;
  if (IsDirect(a) && IsDirect(b)) return a < b ? -1 : 1;
  if (IsDirect(a)) return Compare(Value::Long(static_cast<int64_t>(a)), values_.Interned(b));
  if (IsDirect(b)) return Compare(values_.Interned(a), Value::Long(static_cast<int64_t>(b)));
  return Compare(values_.Interned(a), values_.Interned(b));
}

// Rows of longs only (entity ids, small numbers: the common case), sorted
// and deduplicated as fixed-width arrays of slots, whose order is the
// values' order.
template <size_t kWidth>
Value SortedLongs(const Relation& r, const std::vector<int>& cols, bool collection) {
  std::vector<std::array<Slot, kWidth>> rows(r.rows);
  for (size_t i = 0; i < r.rows; ++i) {
    const Slot* src = r.Row(i);
    for (size_t j = 0; j < kWidth; ++j) rows[i][j] = src[cols[j]];
  }
  if (!std::is_sorted(rows.begin(), rows.end())) std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  internal::SeqObject* out =
      internal::AllocSeq(collection ? ValueType::kVector : ValueType::kSet, rows.size());
  Value result = internal::WrapSeq(out);  // owns out from here on
  Value* items = out->items();
  internal::SeqArena tuples(
      internal::SeqArena::BytesFor(ValueType::kVector, kWidth, collection ? 0 : rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (collection) {
      items[i] = Value::Long(static_cast<int64_t>(rows[i][0]));
      continue;
    }
    internal::SeqObject* tuple = tuples.Alloc(ValueType::kVector, kWidth, /*immediates=*/true);
    items[i] = internal::WrapSeq(tuple);
    Value* t = tuple->items();
    for (size_t j = 0; j < kWidth; ++j) t[j] = Value::Long(static_cast<int64_t>(rows[i][j]));
  }
  return result;
}

// Sorts keys with an LSD radix sort over their low `bits` bits.
void RadixSort(std::vector<uint64_t>* keys, int bits) {
  constexpr int kDigit = 11;
  std::vector<uint64_t> scratch(keys->size());
  for (int shift = 0; shift < bits; shift += kDigit) {
    size_t counts[(1 << kDigit) + 1] = {};
    for (uint64_t k : *keys) ++counts[((k >> shift) & ((1 << kDigit) - 1)) + 1];
    for (int i = 0; i < (1 << kDigit); ++i) counts[i + 1] += counts[i];
    for (uint64_t k : *keys) scratch[counts[(k >> shift) & ((1 << kDigit) - 1)]++] = k;
    keys->swap(scratch);
  }
}

// Rows of longs whose columns' ranges fit together in 64 bits, packed into
// one key each (the first column highest, so the keys' order is the rows'),
// radix sorted and deduplicated; nullopt when they do not fit.
std::optional<Value> SortedPacked(const Relation& r, const std::vector<int>& cols,
                                  bool collection) {
  size_t w = cols.size();
  std::vector<Slot> lo(w, ~Slot{0}), hi(w, 0);
  for (size_t i = 0; i < r.rows; ++i) {
    const Slot* row = r.Row(i);
    for (size_t j = 0; j < w; ++j) {
      lo[j] = std::min(lo[j], row[cols[j]]);
      hi[j] = std::max(hi[j], row[cols[j]]);
    }
  }
  std::vector<int> bits(w);
  int total = 0;
  for (size_t j = 0; j < w; ++j) {
    bits[j] = r.rows == 0 ? 0 : static_cast<int>(std::bit_width(hi[j] - lo[j]));
    total += bits[j];
  }
  if (total > 64) return std::nullopt;
  std::vector<uint64_t> keys(r.rows);
  for (size_t i = 0; i < r.rows; ++i) {
    const Slot* row = r.Row(i);
    uint64_t k = 0;
    for (size_t j = 0; j < w; ++j) {
      k = bits[j] == 64 ? row[cols[j]] - lo[j] : (k << bits[j]) | (row[cols[j]] - lo[j]);
    }
    keys[i] = k;
  }
  // A radix pass costs its 2,048 buckets whatever the rows: few rows sort
  // faster by comparison.
  if (!std::is_sorted(keys.begin(), keys.end())) {
    if (keys.size() < 1024) {
      std::sort(keys.begin(), keys.end());
    } else {
      RadixSort(&keys, total);
    }
  }
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  internal::SeqObject* out =
      internal::AllocSeq(collection ? ValueType::kVector : ValueType::kSet, keys.size());
  Value result = internal::WrapSeq(out);  // owns out from here on
  Value* items = out->items();
  internal::SeqArena tuples(
      internal::SeqArena::BytesFor(ValueType::kVector, w, collection ? 0 : keys.size()));
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t k = keys[i];
    Value* t = items + i;
    if (!collection) {
      internal::SeqObject* tuple = tuples.Alloc(ValueType::kVector, w, /*immediates=*/true);
      items[i] = internal::WrapSeq(tuple);
      t = tuple->items();
    }
    for (size_t j = w; j-- > 0;) {
      uint64_t mask = bits[j] == 64 ? ~uint64_t{0} : (uint64_t{1} << bits[j]) - 1;
      t[j] = Value::Long(static_cast<int64_t>((k & mask) + lo[j]));
      k = bits[j] == 64 ? 0 : k >> bits[j];
    }
  }
  return result;
}

Value Engine::SortedResult(const Relation& r, const std::vector<int>& cols, bool collection) {
  bool longs = cols.size() <= 4;
  for (size_t i = 0; i < r.rows && longs; ++i) {
    const Slot* row = r.Row(i);
    for (int c : cols) longs = longs && IsDirect(row[c]);
  }
  if (longs) {
    if (std::optional<Value> packed = SortedPacked(r, cols, collection)) return *packed;
    switch (cols.size()) {
      case 1:
        return SortedLongs<1>(r, cols, collection);
      case 2:
        return SortedLongs<2>(r, cols, collection);
      case 3:
        return SortedLongs<3>(r, cols, collection);
      case 4:
        return SortedLongs<4>(r, cols, collection);
      default:
        break;
    }
  }
  std::vector<uint32_t> order(r.rows);
  for (size_t i = 0; i < r.rows; ++i) order[i] = static_cast<uint32_t>(i);
  auto cmp = [&](uint32_t a, uint32_t b) {
    const Slot* x = r.Row(a);
    const Slot* y = r.Row(b);
    for (int c : cols) {
      int d = CompareSlots(x[c], y[c]);
      if (d != 0) return d;
    }
    return 0;
  };
  auto less = [&](uint32_t a, uint32_t b) { return cmp(a, b) < 0; };
  // Rows from an index scan often come in order already.
  if (!std::is_sorted(order.begin(), order.end(), less))
    std::sort(order.begin(), order.end(), less);
  size_t n = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    if (n > 0 && cmp(order[n - 1], order[i]) == 0) continue;
    order[n++] = order[i];
  }
  internal::SeqObject* out =
      internal::AllocSeq(collection ? ValueType::kVector : ValueType::kSet, n);
  Value result = internal::WrapSeq(out);  // owns out from here on
  Value* items = out->items();
  internal::SeqArena tuples(
      internal::SeqArena::BytesFor(ValueType::kVector, cols.size(), collection ? 0 : n));
  for (size_t i = 0; i < n; ++i) {
    const Slot* row = r.Row(order[i]);
    if (collection) {
      items[i] = values_.Decode(row[cols[0]]);
      continue;
    }
    internal::SeqObject* tuple = tuples.Alloc(ValueType::kVector, cols.size());
    items[i] = internal::WrapSeq(tuple);
    Value* t = tuple->items();
    for (size_t j = 0; j < cols.size(); ++j) t[j] = values_.Decode(row[cols[j]]);
  }
  return result;
}

Value Engine::Run(const Query& query, const std::vector<QueryInput>& inputs) {
  Scope scope;
  BindInputs(query, inputs, scope, &pending_inputs_);
  return Find(query, scope);
}

Value Engine::Plan(const Value& result) const {
  return Value::Map({{Kw("steps"), Value::Vector(steps_)},
                     {Kw("result-count"),
                      Value::Long(result.is_collection() ? static_cast<int64_t>(result.Count())
                                                         : (result.is_nil() ? 0 : 1))}});
}

}  // namespace

Value Execute(const Query& query, const std::vector<QueryInput>& inputs,
              const QueryOptions& options, Value* explain) {
  Engine engine(options, explain != nullptr);
  Value result = engine.Run(query, inputs);
  if (explain != nullptr) *explain = engine.Plan(result);
  return result;
}

}  // namespace strata::query
