// The syntax tree of a Datalog query, as the parser (parser.h) makes it from
// EDN and the planner (planner.h) reads it.
//
// The tree is syntactic: names stay as the symbols and keywords the user
// wrote, constants stay as written (an ident or a lookup ref is resolved
// against a database only when the query runs). Every clause keeps the form
// it was read from, so that an error can quote it.
//
// The grammar is Datomic's (https://docs.datomic.com/query/query-data-reference.html):
//
//   query        = [:find find-spec return-map? with-clause? inputs? where-clauses?]
//                | {:find [...] :keys [...] :with [...] :in [...] :where [...]}
//                | the same as a string
//   find-spec    = find-rel | find-coll | find-tuple | find-scalar
//   find-elem    = variable | pull-expr | aggregate
//   inputs       = :in (src-var | binding | pattern-name | rules-var)+
//   binding      = bind-scalar | bind-tuple | bind-coll | bind-rel
//   clause       = data-pattern | pred-expr | fn-expr | rule-expr
//                | not-clause | not-join-clause | or-clause | or-join-clause
//   (and-clause only as a branch of or / or-join)
#ifndef STRATA_QUERY_AST_H_
#define STRATA_QUERY_AST_H_

#include <memory>
#include <optional>
#include <vector>

#include "strata/value.h"

namespace strata::query {

// One position of a clause: a variable (?x), the blank `_`, a source
// variable ($, $name), or a constant (any other value; in a data pattern a
// keyword may be an ident and a two-element vector a lookup ref).
struct Term {
  enum class Kind : uint8_t { kVariable, kBlank, kSource, kConstant };
  Kind kind = Kind::kBlank;
  // The symbol of a variable or source; the constant itself; nil for `_`.
  Value value;

  bool is_variable() const { return kind == Kind::kVariable; }
  bool is_constant() const { return kind == Kind::kConstant; }
};

// How values are bound to variables: by :in, and by a function expression's
// output.
//   ?x          scalar      (variable: the symbol; `_` is a blank scalar)
//   [?a ?b]     tuple       (elements: scalar bindings; `_` skips)
//   [?x ...]    collection  (elements[0]: the binding of each element)
//   [[?a ?b]]   relation    (elements: scalar bindings of each tuple's parts)
struct Binding {
  enum class Kind : uint8_t { kScalar, kTuple, kCollection, kRelation };
  Kind kind = Kind::kScalar;
  // kScalar: the variable's symbol, or nil for `_`.
  Value variable;
  std::vector<Binding> elements;
  Value form;

  // Every variable the binding binds, in order of first appearance.
  std::vector<Value> Variables() const;
};

// One element of :in.
struct Input {
  enum class Kind : uint8_t {
    kSource,   // $ or $name: a database, or a collection of tuples
    kRules,    // %
    kPattern,  // a plain symbol (no ? or $): a pull pattern, for (pull ?e name)
    kBinding,  // values bound to variables
  };
  Kind kind = Kind::kBinding;
  Value symbol;     // kSource, kRules, kPattern
  Binding binding;  // kBinding
};

struct Clause;
using Clauses = std::vector<Clause>;

// [$src? e a v tx added]: up to five terms after the optional source
// (omitted trailing positions are blanks).
struct DataPattern {
  std::vector<Term> terms;  // 1 to 5
};

// [(pred arg ...)]
struct PredicateExpr {
  Value fn;  // symbol
  std::vector<Term> args;
};

// [(fn arg ...) binding]
struct FunctionExpr {
  Value fn;  // symbol
  std::vector<Term> args;
  Binding output;
};

// ($src? rule-name arg ...)
struct RuleExpr {
  Value name;              // symbol
  std::vector<Term> args;  // variables, constants or `_`
};

// (not clause ...) and (not-join [?v ...] clause ...). For `not`, the join
// variables are the variables of the body (the parser fills them in).
struct NotClause {
  bool is_join = false;
  std::vector<Value> join_vars;
  Clauses body;
};

// (or branch ...) and (or-join [?v ...] branch ...), a branch being one
// clause or (and clause ...). For `or`, the join variables are the variables
// of the first branch, and every branch must have the same ones (the parser
// checks). or-join's rule-vars may name required variables: [[?a] ?b].
struct OrClause {
  bool is_join = false;
  std::vector<Value> required_vars;  // or-join [[?a ?b] ...]
  std::vector<Value> join_vars;      // every join variable, required ones first
  std::vector<Clauses> branches;
};

struct Clause {
  enum class Kind : uint8_t { kPattern, kPredicate, kFunction, kRule, kNot, kOr };
  Kind kind = Kind::kPattern;
  // The source variable: the one written before the clause, else that of
  // the enclosing not/or, else $ (rule expressions included). For not/or:
  // the source their body defaults to (the parser has already given it to
  // every body clause that names none).
  Value source;
  DataPattern pattern;    // kPattern
  PredicateExpr pred;     // kPredicate
  FunctionExpr function;  // kFunction
  RuleExpr rule;          // kRule
  // kNot, kOr: behind a pointer, as the structure is recursive.
  std::shared_ptr<const NotClause> not_clause;
  std::shared_ptr<const OrClause> or_clause;
  // The clause as written, for error messages.
  Value form;

  // Every variable the clause mentions (for not/or: its join variables),
  // in order of first appearance.
  std::vector<Value> Variables() const;
};

// One element of :find.
struct FindElement {
  enum class Kind : uint8_t { kVariable, kAggregate, kPull };
  Kind kind = Kind::kVariable;
  // kVariable: the variable. kAggregate: the aggregated variable (the last
  // argument). kPull: the entity variable.
  Value variable;
  // kAggregate: the aggregate's symbol (count, sum, my.ns/agg, ...) and the
  // constant arguments before the variable ((max 3 ?x): [3]).
  Value aggregate;
  std::vector<Value> aggregate_args;
  // kPull: the pattern (a vector), or the symbol of a :in pattern name.
  Value pull_pattern;
  // kPull: the source ((pull $db ?e [...])); $ when none.
  Value source;
  Value form;
};

struct FindSpec {
  enum class Shape : uint8_t {
    kRelation,    // :find ?a ?b
    kCollection,  // :find [?a ...]
    kTuple,       // :find [?a ?b]
    kScalar,      // :find ?a .
  };
  Shape shape = Shape::kRelation;
  std::vector<FindElement> elements;
};

// :keys / :strs / :syms: each result tuple as a map.
struct ReturnMap {
  enum class Kind : uint8_t { kNone, kKeys, kStrs, kSyms };
  Kind kind = Kind::kNone;
  // The map keys (keywords, strings or symbols), one per find element.
  std::vector<Value> keys;
};

// (name ?a ?b) or (name [?required] ?b) heading a rule body.
struct RuleBody {
  Value name;                        // symbol
  std::vector<Value> required_vars;  // [?a ...] at the front of the head
  std::vector<Value> vars;           // every head variable, required first
  Clauses body;
  Value form;
};

// Rules by name, in the order written; a name may have several bodies,
// which must have the same arity.
struct RuleSet {
  std::vector<RuleBody> rules;
};

struct Query {
  FindSpec find;
  ReturnMap return_map;
  std::vector<Value> with;  // variables
  // :in as written; [$] when the query has no :in.
  std::vector<Input> inputs;
  Clauses where;
  Value form;  // the query as a value (a string query: as read)
};

}  // namespace strata::query

#endif  // STRATA_QUERY_AST_H_
