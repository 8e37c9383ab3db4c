// The query parser (parser.h): a recursive descent over EDN values.
//
// Every function takes the form it parses and the form to quote when that
// part is wrong, and throws the invalid-query anomaly itself. Recursion
// follows the nesting of not / or / and and of collection bindings, and is
// cut at kMaxNesting levels, so a Value built in C++ deeper than anything the
// EDN reader accepts is an error, not a stack overflow.
#include "query/parser.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include <span>
#include <string>
#include <utility>

#include "core/utf8.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::query {
namespace {

// Deepest nesting of not / or / and clauses, and of collection bindings.
constexpr int kMaxNesting = 256;
// A data pattern holds at most e a v tx added.
constexpr size_t kMaxPatternTerms = 5;
// Longest quotation of a form in a message, in bytes.
constexpr size_t kMaxQuoted = 300;
// Forms nested deeper than this are described, not printed.
constexpr int kMaxPrintDepth = 200;

using Items = std::span<const Value>;

// The symbols the grammar gives a meaning, interned once.
struct Symbols {
  Value source = Value::Symbol("$");
  Value rules = Value::Symbol("%");
  Value blank = Value::Symbol("_");
  Value dot = Value::Symbol(".");
  Value ellipsis = Value::Symbol("...");
  Value pull = Value::Symbol("pull");
  Value not_sym = Value::Symbol("not");
  Value not_join = Value::Symbol("not-join");
  Value or_sym = Value::Symbol("or");
  Value or_join = Value::Symbol("or-join");
  Value and_sym = Value::Symbol("and");
};

const Symbols& Sym() {
  static const Symbols* const kSymbols = new Symbols();
  return *kSymbols;
}

bool IsVectorLike(const Value& v) { return v.is_vector() || v.is_tuple(); }

bool StartsWith(const Value& symbol, char c) {
  return symbol.is_symbol() && symbol.Namespace().empty() && !symbol.Name().empty() &&
         symbol.Name().front() == c;
}

// A name the grammar leaves free: rule names, pattern names, functions,
// aggregates, :keys. Not a variable, source, rules var, `_`, `.` or `...`.
bool IsPlainSymbol(const Value& v) {
  if (!v.is_symbol()) return false;
  return !IsVariable(v) && !IsSourceVar(v) && !StartsWith(v, '%') && !IsBlank(v) &&
         v != Sym().dot && v != Sym().ellipsis;
}

bool IsClauseKeyword(const Value& v) {
  const Symbols& s = Sym();
  return v == s.not_sym || v == s.not_join || v == s.or_sym || v == s.or_join || v == s.and_sym;
}

// Whether `v` nests no deeper than `budget` levels.
bool NestsWithin(const Value& v, int budget) {
  if (budget <= 0) return false;
  if (v.type() == ValueType::kTagged) return NestsWithin(v.TaggedValue(), budget - 1);
  if (!v.is_collection()) return true;
  for (const Value& item : v.Items()) {
    if (!NestsWithin(item, budget - 1)) return false;
  }
  return true;
}

// `form` as EDN for a message: cut short when long, described when too deep
// to print.
std::string Quote(const Value& form) {
  if (!NestsWithin(form, kMaxPrintDepth)) return "(a form nested too deeply to print)";
  std::string text = PrintEdn(form);
  if (text.size() > kMaxQuoted) {
    size_t cut = kMaxQuoted;
    while (cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += " ...";
  }
  return text;
}

[[noreturn]] void Fail(const Value& form, std::string message) {
  ThrowIncorrect("invalid-query", std::move(message), Value::Map({{Value::Keyword("form"), form}}));
}

// Reads query or rules text; a reader error becomes an invalid-query
// anomaly with the reader's position and, as :form, the text.
Value ReadText(std::string_view text, std::string_view what) {
  try {
    return ReadEdn(text);
  } catch (const Anomaly& e) {
    std::vector<ValuePair> data;
    if (e.data().is_map()) {
      for (size_t i = 0; i < e.data().Count(); ++i) {
        data.emplace_back(e.data().MapKey(i), e.data().MapVal(i));
      }
    }
    Value form_key = Value::Keyword("form");
    if (e.data().Get(form_key) == nullptr) {
      data.emplace_back(form_key, IsUtf8(text) ? Value::String(text) : Value());
    }
    ThrowIncorrect("invalid-query", fmt::format("The {} is not valid EDN: {}", what, e.message()),
                   Value::Map(std::move(data)));
  }
}

// Symbols from `items`, each a variable, none twice; `what` names the list
// in messages ("the join variables of not-join").
std::vector<Value> ParseVariableList(Items items, const Value& form, std::string_view what) {
  std::vector<Value> vars;
  vars.reserve(items.size());
  absl::flat_hash_set<Value, ValueHash> seen;
  for (const Value& v : items) {
    if (!IsVariable(v)) {
      Fail(form, fmt::format("{} must be variables (symbols starting with ?), but {} is not one, "
                             "in {}",
                             what, Quote(v), Quote(form)));
    }
    if (!seen.insert(v).second) {
      Fail(form, fmt::format("{} name {} twice, in {}; name each variable once", what, Quote(v),
                             Quote(form)));
    }
    vars.push_back(v);
  }
  return vars;
}

// ---------------------------------------------------------------------------
// Terms and bindings

enum class TermPlace { kPattern, kFunctionArg, kRuleArg };

Term ParseTerm(const Value& v, TermPlace place, const Value& clause, bool first) {
  if (IsVariable(v)) return Term{Term::Kind::kVariable, v};
  if (!v.is_symbol()) return Term{Term::Kind::kConstant, v};
  if (IsBlank(v)) {
    if (place == TermPlace::kFunctionArg) {
      Fail(clause, fmt::format("_ cannot be an argument of the function call in {}: pass a "
                               "variable or a constant",
                               Quote(clause)));
    }
    return Term{Term::Kind::kBlank, Value()};
  }
  if (IsSourceVar(v)) {
    if (place == TermPlace::kFunctionArg) return Term{Term::Kind::kSource, v};
    Fail(clause,
         fmt::format("The source {} can only come first in {}: write [{} ?e :attr ?v] for a data "
                     "pattern, ({} rule-name ...) for a rule",
                     Quote(v), Quote(clause), Quote(v), Quote(v)));
  }
  switch (place) {
    case TermPlace::kPattern:
      if (first && IsClauseKeyword(v)) {
        Fail(clause, fmt::format("{} is written as a list, not a vector: ({} ...) instead of {}",
                                 Quote(v), Quote(v), Quote(clause)));
      }
      Fail(
          clause,
          fmt::format("Data pattern {} holds the symbol {}, which is neither a variable (those "
                      "start with ?) nor _; match idents with keywords (:my/ident){}",
                      Quote(clause), Quote(v),
                      first ? fmt::format(", and call a rule as a list: ({} ...)", Quote(v)) : ""));
    case TermPlace::kFunctionArg:
      Fail(clause, fmt::format("The function call in {} has the argument {}, which is not a "
                               "variable (those start with ?), a source ($name) or a constant",
                               Quote(clause), Quote(v)));
    case TermPlace::kRuleArg:
      break;
  }
  Fail(clause, fmt::format("The rule call {} has the argument {}, which is not a variable "
                           "(those start with ?), _ or a constant",
                           Quote(clause), Quote(v)));
}

const char kBindingForms[] = "?x, [?a ?b], [?x ...] or [[?a ?b]]";

// A variable or `_`, as one position of a tuple or relation binding.
Binding ParseScalarBinding(const Value& v, const Value& form, std::string_view what) {
  if (IsVariable(v)) return Binding{Binding::Kind::kScalar, v, {}, v};
  if (IsBlank(v)) return Binding{Binding::Kind::kScalar, Value(), {}, v};
  if (v == Sym().ellipsis) {
    Fail(form, fmt::format("... only ends a collection binding of one element, [?x ...]; it is "
                           "misplaced in {}",
                           Quote(form)));
  }
  Fail(form, fmt::format("A {} binding holds variables or _, but {} holds {}; bindings are {}",
                         what, Quote(form), Quote(v), kBindingForms));
}

Binding ParseBinding(const Value& form, int depth) {
  if (form.is_symbol()) {
    if (IsVariable(form) || IsBlank(form)) return ParseScalarBinding(form, form, "scalar");
    Fail(form, fmt::format("{} cannot be bound: a binding is {}, with variables starting with ?",
                           Quote(form), kBindingForms));
  }
  if (!IsVectorLike(form) && !form.is_list()) {
    Fail(form, fmt::format("{} is not a binding: a binding is {}", Quote(form), kBindingForms));
  }
  if (depth > kMaxNesting) {
    Fail(form,
         fmt::format("Bindings nest more than {} levels deep in {}", kMaxNesting, Quote(form)));
  }
  Items items = form.Items();
  if (items.empty()) {
    Fail(form, fmt::format("The binding {} is empty; a binding is {}", Quote(form), kBindingForms));
  }
  Binding binding;
  binding.form = form;
  if (items.size() == 2 && items[1] == Sym().ellipsis) {
    binding.kind = Binding::Kind::kCollection;
    binding.elements.push_back(ParseBinding(items[0], depth + 1));
    return binding;
  }
  if (items.size() == 1 && (IsVectorLike(items[0]) || items[0].is_list())) {
    binding.kind = Binding::Kind::kRelation;
    Items parts = items[0].Items();
    if (parts.empty()) {
      Fail(form,
           fmt::format("The relation binding {} has no variables: write [[?a ?b]]", Quote(form)));
    }
    binding.elements.reserve(parts.size());
    for (const Value& part : parts) {
      binding.elements.push_back(ParseScalarBinding(part, form, "relation"));
    }
    return binding;
  }
  binding.kind = Binding::Kind::kTuple;
  binding.elements.reserve(items.size());
  for (const Value& item : items) {
    binding.elements.push_back(ParseScalarBinding(item, form, "tuple"));
  }
  return binding;
}

// Every variable a binding names, repeats included, for the distinctness
// check of :in.
void BindingSymbols(const Binding& binding, std::vector<Value>* out) {
  if (binding.kind == Binding::Kind::kScalar) {
    if (!binding.variable.is_nil()) out->push_back(binding.variable);
    return;
  }
  for (const Binding& element : binding.elements) BindingSymbols(element, out);
}

// ---------------------------------------------------------------------------
// Clauses

Clause ParseClause(const Value& form, const Value& source, int depth);

Clauses ParseClauses(Items forms, const Value& source, int depth) {
  Clauses clauses;
  clauses.reserve(forms.size());
  for (const Value& form : forms) clauses.push_back(ParseClause(form, source, depth));
  return clauses;
}

// The variables of clauses, in order of first appearance.
std::vector<Value> VariablesOf(const Clauses& clauses) {
  std::vector<Value> vars;
  absl::flat_hash_set<Value, ValueHash> seen;
  for (const Clause& clause : clauses) {
    for (Value& v : clause.Variables()) {
      if (seen.insert(v).second) vars.push_back(std::move(v));
    }
  }
  return vars;
}

std::string QuoteList(const std::vector<Value>& vars) { return Quote(Value::Vector(vars)); }

Clause ParseDataPattern(const Value& form, Items items, const Value& source) {
  Clause clause;
  clause.kind = Clause::Kind::kPattern;
  clause.form = form;
  clause.source = source;
  size_t start = 0;
  if (IsSourceVar(items[0])) {
    clause.source = items[0];
    start = 1;
  }
  size_t count = items.size() - start;
  if (count == 0) {
    Fail(form, fmt::format("The data pattern {} has no terms: write [{} ?e :attr ?v]", Quote(form),
                           Quote(clause.source)));
  }
  if (count > kMaxPatternTerms) {
    Fail(form, fmt::format("The data pattern {} has {} terms; a pattern has at most 5, "
                           "[?e :attr ?v ?tx ?added]",
                           Quote(form), count));
  }
  clause.pattern.terms.reserve(count);
  for (size_t i = start; i < items.size(); ++i) {
    clause.pattern.terms.push_back(ParseTerm(items[i], TermPlace::kPattern, form, i == start));
  }
  return clause;
}

// [(f arg ...)] and [(f arg ...) binding].
Clause ParseExpression(const Value& form, Items items, const Value& source, int depth) {
  if (items.size() > 2) {
    Fail(form, fmt::format("The expression clause {} has {} elements; write [(pred ?a ...)] for "
                           "a predicate or [(f ?a ...) ?out] for a function, with one binding",
                           Quote(form), items.size()));
  }
  Items call = items[0].Items();
  if (call.empty()) {
    Fail(form, fmt::format("The expression clause {} calls nothing: write [(pred ?a ...)] or "
                           "[(f ?a ...) ?out]",
                           Quote(form)));
  }
  const Value& fn = call[0];
  if (!IsPlainSymbol(fn)) {
    Fail(form, fmt::format("The function of {} is {}, which is not a function name: name it "
                           "with a symbol such as < or my.ns/f",
                           Quote(form), Quote(fn)));
  }
  std::vector<Term> args;
  args.reserve(call.size() - 1);
  for (size_t i = 1; i < call.size(); ++i) {
    args.push_back(ParseTerm(call[i], TermPlace::kFunctionArg, form, false));
  }
  Clause clause;
  clause.form = form;
  clause.source = source;
  if (items.size() == 1) {
    clause.kind = Clause::Kind::kPredicate;
    clause.pred.fn = fn;
    clause.pred.args = std::move(args);
  } else {
    clause.kind = Clause::Kind::kFunction;
    clause.function.fn = fn;
    clause.function.args = std::move(args);
    clause.function.output = ParseBinding(items[1], depth + 1);
  }
  return clause;
}

// (not clause ...) and (not-join [?v ...] clause ...); `rest` follows the
// head symbol.
Clause ParseNot(const Value& form, Items rest, bool is_join, const Value& source, int depth) {
  auto node = std::make_shared<NotClause>();
  node->is_join = is_join;
  std::string_view name = is_join ? "not-join" : "not";
  Items body = rest;
  if (is_join) {
    if (rest.empty() || !IsVectorLike(rest[0]) || rest[0].Count() == 0) {
      Fail(form, fmt::format("not-join starts with a vector of join variables: (not-join [?e] "
                             "clause ...), not {}",
                             Quote(form)));
    }
    node->join_vars = ParseVariableList(rest[0].Items(), form, "The join variables of not-join");
    body = rest.subspan(1);
  }
  if (body.empty()) {
    Fail(form, fmt::format("{} has no clauses, in {}: write ({} {}[?e :attr ?v])", name,
                           Quote(form), name, is_join ? "[?e] " : ""));
  }
  node->body = ParseClauses(body, source, depth + 1);
  std::vector<Value> body_vars = VariablesOf(node->body);
  if (is_join) {
    absl::flat_hash_set<Value, ValueHash> mentioned(body_vars.begin(), body_vars.end());
    for (const Value& v : node->join_vars) {
      if (!mentioned.contains(v)) {
        Fail(form, fmt::format("The join variable {} of not-join appears in none of its "
                               "clauses, in {}; join only on variables the body uses",
                               Quote(v), Quote(form)));
      }
    }
  } else {
    node->join_vars = std::move(body_vars);
  }
  Clause clause;
  clause.kind = Clause::Kind::kNot;
  clause.source = source;
  clause.form = form;
  clause.not_clause = std::move(node);
  return clause;
}

// or-join's rule-vars: [?a ?b] or [[?a] ?b].
void ParseOrJoinVars(const Value& vars, const Value& form, OrClause* node) {
  Items items = vars.Items();
  size_t start = 0;
  if (!items.empty() && (IsVectorLike(items[0]) || items[0].is_list())) {
    if (items[0].Count() == 0) {
      Fail(form, fmt::format("The required variables of or-join are empty, in {}: write "
                             "(or-join [[?a] ?b] ...) or leave the inner vector out",
                             Quote(form)));
    }
    node->required_vars =
        ParseVariableList(items[0].Items(), form, "The required variables of or-join");
    start = 1;
  }
  node->join_vars = node->required_vars;
  std::vector<Value> free =
      ParseVariableList(items.subspan(start), form, "The join variables of or-join");
  absl::flat_hash_set<Value, ValueHash> seen(node->join_vars.begin(), node->join_vars.end());
  for (Value& v : free) {
    if (!seen.insert(v).second) {
      Fail(form, fmt::format("The join variables of or-join name {} twice, in {}; name each "
                             "variable once",
                             Quote(v), Quote(form)));
    }
    node->join_vars.push_back(std::move(v));
  }
}

// (or branch ...) and (or-join [vars] branch ...), a branch being a clause
// or (and clause ...); `rest` follows the head symbol.
Clause ParseOr(const Value& form, Items rest, bool is_join, const Value& source, int depth) {
  auto node = std::make_shared<OrClause>();
  node->is_join = is_join;
  std::string_view name = is_join ? "or-join" : "or";
  Items branches = rest;
  if (is_join) {
    if (rest.empty() || !IsVectorLike(rest[0]) || rest[0].Count() == 0) {
      Fail(form, fmt::format("or-join starts with a vector of join variables: (or-join [?e] "
                             "branch ...) or (or-join [[?required] ?e] ...), not {}",
                             Quote(form)));
    }
    ParseOrJoinVars(rest[0], form, node.get());
    branches = rest.subspan(1);
  }
  if (branches.empty()) {
    Fail(form, fmt::format("{} has no branches, in {}: write ({} {}[?e :a 1] [?e :b 2])", name,
                           Quote(form), name, is_join ? "[?e] " : ""));
  }
  node->branches.reserve(branches.size());
  std::vector<std::vector<Value>> branch_vars;
  branch_vars.reserve(branches.size());
  for (const Value& branch : branches) {
    if (branch.is_list() && branch.Count() > 0 && branch.Items()[0] == Sym().and_sym) {
      Items body = branch.Items().subspan(1);
      if (body.empty()) {
        Fail(branch, fmt::format("(and) has no clauses, in {}: write (and [?e :a 1] [?e :b 2])",
                                 Quote(form)));
      }
      node->branches.push_back(ParseClauses(body, source, depth + 1));
    } else {
      node->branches.push_back(Clauses{ParseClause(branch, source, depth + 1)});
    }
    branch_vars.push_back(VariablesOf(node->branches.back()));
  }
  if (!is_join) {
    // Every branch must bind the same variables, those of the first.
    absl::flat_hash_set<Value, ValueHash> first(branch_vars[0].begin(), branch_vars[0].end());
    for (size_t i = 1; i < branch_vars.size(); ++i) {
      bool same = branch_vars[i].size() == first.size();
      for (size_t j = 0; same && j < branch_vars[i].size(); ++j) {
        same = first.contains(branch_vars[i][j]);
      }
      if (!same) {
        Fail(form, fmt::format("All branches of or must use the same variables, but {} uses {} "
                               "and {} uses {}, in {}; to join on some of them only, use "
                               "(or-join [?v ...] branch ...)",
                               Quote(branches[0]), QuoteList(branch_vars[0]), Quote(branches[i]),
                               QuoteList(branch_vars[i]), Quote(form)));
      }
    }
    node->join_vars = std::move(branch_vars[0]);
  } else {
    // Lenient as Datomic: a branch need not use every join variable (one
    // bound outside passes through), but some branch must.
    absl::flat_hash_set<Value, ValueHash> mentioned;
    for (const std::vector<Value>& vars : branch_vars) mentioned.insert(vars.begin(), vars.end());
    for (const Value& v : node->join_vars) {
      if (!mentioned.contains(v)) {
        Fail(form, fmt::format("The join variable {} of or-join appears in none of its "
                               "branches, in {}; join only on variables the branches use",
                               Quote(v), Quote(form)));
      }
    }
  }
  Clause clause;
  clause.kind = Clause::Kind::kOr;
  clause.source = source;
  clause.form = form;
  clause.or_clause = std::move(node);
  return clause;
}

// ($src? rule-name arg ...); `rest` follows the rule name.
Clause ParseRuleExpr(const Value& form, const Value& name, Items rest, const Value& source) {
  if (!IsPlainSymbol(name)) {
    Fail(form, fmt::format("{} is not a clause: a list clause is a rule call (rule-name ?a ...), "
                           "(not ...), (not-join [?a] ...), (or ...) or (or-join [?a] ...), and "
                           "{} is not a rule name",
                           Quote(form), Quote(name)));
  }
  if (rest.empty()) {
    Fail(form, fmt::format("The rule call {} has no arguments: write ({} ?a ...)", Quote(form),
                           Quote(name)));
  }
  Clause clause;
  clause.kind = Clause::Kind::kRule;
  clause.source = source;
  clause.form = form;
  clause.rule.name = name;
  clause.rule.args.reserve(rest.size());
  for (const Value& arg : rest) {
    clause.rule.args.push_back(ParseTerm(arg, TermPlace::kRuleArg, form, false));
  }
  return clause;
}

Clause ParseClause(const Value& form, const Value& source, int depth) {
  if (depth > kMaxNesting) {
    Fail(form, fmt::format("Clauses nest more than {} levels deep at {}; flatten the query or "
                           "use rules",
                           kMaxNesting, Quote(form)));
  }
  if (IsVectorLike(form)) {
    Items items = form.Items();
    if (items.empty()) {
      Fail(form,
           "The where clause [] is empty: write a data pattern [?e :attr ?v] or an "
           "expression [(pred ?a)]");
    }
    if (items[0].is_list()) return ParseExpression(form, items, source, depth);
    return ParseDataPattern(form, items, source);
  }
  if (form.is_list()) {
    Items items = form.Items();
    if (items.empty()) {
      Fail(form,
           "The where clause () is empty: write a rule call (rule-name ?a), (not ...) "
           "or (or ...)");
    }
    Value clause_source = source;
    size_t head = 0;
    if (IsSourceVar(items[0])) {
      clause_source = items[0];
      head = 1;
      if (items.size() == 1) {
        Fail(form, fmt::format("{} names a source and nothing else: write ({} rule-name ?a), "
                               "({} not ...) or ({} or ...)",
                               Quote(form), Quote(items[0]), Quote(items[0]), Quote(items[0])));
      }
    }
    const Value& name = items[head];
    Items rest = items.subspan(head + 1);
    const Symbols& s = Sym();
    if (name == s.not_sym) return ParseNot(form, rest, false, clause_source, depth);
    if (name == s.not_join) return ParseNot(form, rest, true, clause_source, depth);
    if (name == s.or_sym) return ParseOr(form, rest, false, clause_source, depth);
    if (name == s.or_join) return ParseOr(form, rest, true, clause_source, depth);
    if (name == s.and_sym) {
      Fail(form, fmt::format("{}: (and ...) is only a branch of or / or-join, as in (or (and "
                             "[?e :a 1] [?e :b 2]) [?e :c 3]); elsewhere clauses are already "
                             "joined, so drop the and",
                             Quote(form)));
    }
    return ParseRuleExpr(form, name, rest, clause_source);
  }
  Fail(form, fmt::format("{} is not a where clause: write a data pattern [?e :attr ?v], an "
                         "expression [(pred ?a)] or [(f ?a) ?out], a rule call (rule-name ?a), "
                         "or (not ...) / (or ...)",
                         Quote(form)));
}

// ---------------------------------------------------------------------------
// :find

FindElement ParsePull(const Value& form, Items args) {
  FindElement element;
  element.kind = FindElement::Kind::kPull;
  element.form = form;
  element.source = Sym().source;
  size_t i = 0;
  if (args.size() == 3 && IsSourceVar(args[0])) {
    element.source = args[0];
    i = 1;
  }
  if (args.size() - i != 2) {
    Fail(form, fmt::format("The pull expression {} takes an entity variable and a pattern: "
                           "(pull ?e [*]), (pull $db ?e [*]) or (pull ?e pattern-name)",
                           Quote(form)));
  }
  if (!IsVariable(args[i])) {
    Fail(form, fmt::format("The pull expression {} pulls {}, which is not a variable: write "
                           "(pull ?e [*])",
                           Quote(form), Quote(args[i])));
  }
  element.variable = args[i];
  const Value& pattern = args[i + 1];
  if (!IsVectorLike(pattern) && !IsPlainSymbol(pattern)) {
    Fail(form, fmt::format("The pattern of {} is {}: a pull pattern is a vector such as "
                           "[:my/attr {{:my/ref [*]}}], or the name of a pattern given in :in",
                           Quote(form), Quote(pattern)));
  }
  element.pull_pattern = pattern;
  return element;
}

FindElement ParseAggregate(const Value& form, const Value& fn, Items args) {
  if (!IsPlainSymbol(fn)) {
    Fail(form, fmt::format("The find element {} is neither a pull expression nor an aggregate: "
                           "name the aggregate with a symbol, as in (count ?x) or "
                           "(my.ns/agg ?x)",
                           Quote(form)));
  }
  if (args.empty() || !IsVariable(args.back())) {
    Fail(form, fmt::format("The aggregate {} must end with the variable it aggregates, as in "
                           "(count ?x) or (max 3 ?x)",
                           Quote(form)));
  }
  FindElement element;
  element.kind = FindElement::Kind::kAggregate;
  element.form = form;
  element.aggregate = fn;
  element.variable = args.back();
  element.aggregate_args.reserve(args.size() - 1);
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i].is_symbol()) {
      Fail(form, fmt::format("The aggregate {} has the argument {} before its variable; those "
                             "arguments must be constants, as 3 in (max 3 ?x)",
                             Quote(form), Quote(args[i])));
    }
    element.aggregate_args.push_back(args[i]);
  }
  return element;
}

FindElement ParseFindElement(const Value& form) {
  if (IsVariable(form)) {
    FindElement element;
    element.variable = form;
    element.form = form;
    return element;
  }
  if (form == Sym().dot || form == Sym().ellipsis) {
    Fail(form, fmt::format("{} is misplaced in :find: write :find ?x . for a single value, or "
                           ":find [?x ...] for a collection",
                           Quote(form)));
  }
  if (form.is_list() && form.Count() > 0) {
    Items items = form.Items();
    if (items[0] == Sym().pull) return ParsePull(form, items.subspan(1));
    return ParseAggregate(form, items[0], items.subspan(1));
  }
  if (IsVectorLike(form)) {
    Fail(form, fmt::format("The find element {} is a vector; a vector is the whole find spec, "
                           "alone: :find [?a ?b] for one tuple or :find [?a ...] for a "
                           "collection",
                           Quote(form)));
  }
  Fail(form, fmt::format("The find element {} is not a variable (?x), an aggregate ((count ?x)) "
                         "or a pull expression ((pull ?e [*]))",
                         Quote(form)));
}

FindSpec ParseFind(Items items, const Value& query) {
  if (items.empty()) {
    Fail(query, fmt::format("The :find of {} is empty: name what the query returns, as in "
                            ":find ?e ?name",
                            Quote(query)));
  }
  FindSpec find;
  if (items.size() == 1 && IsVectorLike(items[0])) {
    const Value& spec = items[0];
    Items inner = spec.Items();
    if (inner.empty()) {
      Fail(spec,
           "The find spec [] is empty: write :find [?a ?b] for one tuple or :find [?a ...] "
           "for a collection");
    }
    if (inner.size() == 2 && inner[1] == Sym().ellipsis) {
      find.shape = FindSpec::Shape::kCollection;
      find.elements.push_back(ParseFindElement(inner[0]));
      return find;
    }
    find.shape = FindSpec::Shape::kTuple;
    find.elements.reserve(inner.size());
    for (const Value& v : inner) {
      if (v == Sym().ellipsis || v == Sym().dot) {
        Fail(spec, fmt::format("{} is misplaced in the find spec {}: a collection is [?x ...], "
                               "with one element; a tuple [?a ?b] has no dots",
                               Quote(v), Quote(spec)));
      }
      find.elements.push_back(ParseFindElement(v));
    }
    return find;
  }
  if (items.size() == 2 && items[1] == Sym().dot) {
    find.shape = FindSpec::Shape::kScalar;
    find.elements.push_back(ParseFindElement(items[0]));
    return find;
  }
  find.elements.reserve(items.size());
  for (const Value& v : items) find.elements.push_back(ParseFindElement(v));
  return find;
}

// ---------------------------------------------------------------------------
// The query's sections

struct Section {
  bool present = false;
  Items items;
  // What to quote when the section is wrong as a whole.
  Value form;
};

struct Sections {
  Section find, keys, strs, syms, with, in, where;

  // The section a keyword names, or null.
  Section* Get(const Value& keyword) {
    if (!keyword.is_keyword() || !keyword.Namespace().empty()) return nullptr;
    std::string_view name = keyword.Name();
    if (name == "find") return &find;
    if (name == "keys") return &keys;
    if (name == "strs") return &strs;
    if (name == "syms") return &syms;
    if (name == "with") return &with;
    if (name == "in") return &in;
    if (name == "where") return &where;
    return nullptr;
  }
};

const char kSectionNames[] = ":find, :keys / :strs / :syms, :with, :in and :where";

// [:find ... :in ... :where ...]: each keyword opens a section that runs to
// the next keyword.
Sections SplitVector(const Value& query) {
  Sections sections;
  Items items = query.Items();
  Section* current = nullptr;
  size_t start = 0;
  auto close = [&](size_t end) {
    if (current != nullptr) current->items = items.subspan(start, end - start);
  };
  for (size_t i = 0; i < items.size(); ++i) {
    const Value& item = items[i];
    if (!item.is_keyword()) {
      if (current == nullptr) {
        Fail(query, fmt::format("The query {} starts with {}; a query starts with :find, as in "
                                "[:find ?e :where [?e :attr ?v]]",
                                Quote(query), Quote(item)));
      }
      continue;
    }
    Section* next = sections.Get(item);
    if (next == nullptr) {
      Fail(item, fmt::format("Unknown query section {} in {}; a query has {}", Quote(item),
                             Quote(query), kSectionNames));
    }
    if (next->present) {
      Fail(item, fmt::format("The query {} has two {} sections; write each section once",
                             Quote(query), Quote(item)));
    }
    close(i);
    next->present = true;
    next->form = query;
    current = next;
    start = i + 1;
  }
  close(items.size());
  return sections;
}

// {:find [...] :in [...] :where [...]}
Sections SplitMap(const Value& query) {
  Sections sections;
  for (size_t i = 0; i < query.Count(); ++i) {
    const Value& key = query.MapKey(i);
    const Value& value = query.MapVal(i);
    Section* section = sections.Get(key);
    if (section == nullptr) {
      Fail(key, fmt::format("Unknown key {} in the query map {}; a query map has {}, each "
                            "keyword with a vector",
                            Quote(key), Quote(query), kSectionNames));
    }
    if (!IsVectorLike(value) && !value.is_list()) {
      Fail(value, fmt::format("The value of {} in a query map is a vector, not {}: write {{{} "
                              "[...]}}",
                              Quote(key), Quote(value), Quote(key)));
    }
    section->present = true;
    section->items = value.Items();
    section->form = value;
  }
  return sections;
}

ReturnMap ParseReturnMap(const Sections& sections, const Value& query) {
  ReturnMap map;
  const Section* section = nullptr;
  const std::pair<ReturnMap::Kind, const Section*> kinds[] = {
      {ReturnMap::Kind::kKeys, &sections.keys},
      {ReturnMap::Kind::kStrs, &sections.strs},
      {ReturnMap::Kind::kSyms, &sections.syms}};
  for (auto [kind, s] : kinds) {
    if (!s->present) continue;
    if (section != nullptr) {
      Fail(query, fmt::format("The query {} has more than one of :keys, :strs and :syms; choose "
                              "one",
                              Quote(query)));
    }
    map.kind = kind;
    section = s;
  }
  if (section == nullptr) return map;
  absl::flat_hash_set<Value, ValueHash> seen;
  map.keys.reserve(section->items.size());
  for (const Value& name : section->items) {
    Value key;
    if (IsPlainSymbol(name)) {
      switch (map.kind) {
        case ReturnMap::Kind::kKeys:
          key = Value::Keyword(name.Namespace(), name.Name());
          break;
        case ReturnMap::Kind::kStrs:
          key = Value::String(name.QualifiedName());
          break;
        default:
          key = name;
          break;
      }
    } else if ((map.kind == ReturnMap::Kind::kKeys && name.is_keyword()) ||
               (map.kind == ReturnMap::Kind::kStrs && name.is_string())) {
      key = name;
    } else {
      Fail(name, fmt::format("{} is not a name for :keys / :strs / :syms, in {}: write plain "
                             "symbols, one per find element, as in :keys id name",
                             Quote(name), Quote(section->form)));
    }
    if (!seen.insert(key).second) {
      Fail(name, fmt::format("The return map names {} twice, in {}; give each find element its "
                             "own name",
                             Quote(name), Quote(section->form)));
    }
    map.keys.push_back(std::move(key));
  }
  return map;
}

std::vector<Input> ParseInputs(Items items, const Value& query) {
  std::vector<Input> inputs;
  inputs.reserve(items.size());
  absl::flat_hash_set<Value, ValueHash> seen;
  auto claim = [&](const Value& symbol, const Value& form) {
    if (!seen.insert(symbol).second) {
      Fail(form, fmt::format(":in names {} twice, in {}; each input binds its own names",
                             Quote(symbol), Quote(query)));
    }
  };
  for (const Value& form : items) {
    Input input;
    if (form.is_symbol() && !IsVariable(form) && !IsBlank(form)) {
      if (IsSourceVar(form)) {
        input.kind = Input::Kind::kSource;
      } else if (IsRulesVar(form)) {
        input.kind = Input::Kind::kRules;
      } else if (IsPlainSymbol(form)) {
        input.kind = Input::Kind::kPattern;
      } else {
        Fail(form, fmt::format("{} is not an input: :in takes sources ($, $name), the rules (%), "
                               "pattern names and bindings ({})",
                               Quote(form), kBindingForms));
      }
      input.symbol = form;
      claim(form, form);
    } else {
      input.kind = Input::Kind::kBinding;
      input.binding = ParseBinding(form, 0);
      std::vector<Value> vars;
      BindingSymbols(input.binding, &vars);
      for (const Value& v : vars) claim(v, form);
    }
    inputs.push_back(std::move(input));
  }
  return inputs;
}

Query ParseQueryValue(const Value& form) {
  Sections sections;
  if (form.is_map()) {
    sections = SplitMap(form);
  } else if (IsVectorLike(form) || form.is_list()) {
    sections = SplitVector(form);
  } else {
    Fail(form, fmt::format("{} is not a query: write a vector [:find ?e :where [?e :attr ?v]], a "
                           "map {{:find [?e] :where [[?e :attr ?v]]}} or a string of either",
                           Quote(form)));
  }
  if (!sections.find.present) {
    Fail(form, fmt::format("The query {} has no :find; name what it returns, as in [:find ?e "
                           ":where [?e :attr ?v]]",
                           Quote(form)));
  }
  Query query;
  query.form = form;
  query.find = ParseFind(sections.find.items, form);
  query.return_map = ParseReturnMap(sections, form);
  if (query.return_map.kind != ReturnMap::Kind::kNone &&
      query.return_map.keys.size() != query.find.elements.size()) {
    Fail(form, fmt::format("The query {} has {} find elements but {} return map names; give one "
                           "name per find element",
                           Quote(form), query.find.elements.size(), query.return_map.keys.size()));
  }
  for (const Value& v : sections.with.items) {
    if (!IsVariable(v)) {
      Fail(v, fmt::format(":with takes variables (symbols starting with ?), not {}, in {}",
                          Quote(v), Quote(form)));
    }
  }
  query.with.assign(sections.with.items.begin(), sections.with.items.end());
  if (sections.in.present) {
    query.inputs = ParseInputs(sections.in.items, form);
  } else {
    Input db;
    db.kind = Input::Kind::kSource;
    db.symbol = Sym().source;
    query.inputs.push_back(std::move(db));
  }
  query.where = ParseClauses(sections.where.items, Sym().source, 0);
  // A pull pattern given by name must be an input.
  for (const FindElement& element : query.find.elements) {
    if (element.kind != FindElement::Kind::kPull || !element.pull_pattern.is_symbol()) continue;
    bool declared = false;
    for (const Input& input : query.inputs) {
      declared =
          declared || (input.kind == Input::Kind::kPattern && input.symbol == element.pull_pattern);
    }
    if (!declared) {
      Fail(element.form, fmt::format("The pull expression {} names the pattern {}, which :in "
                                     "does not declare: add it to :in, as in :in $ {}",
                                     Quote(element.form), Quote(element.pull_pattern),
                                     Quote(element.pull_pattern)));
    }
  }
  return query;
}

// ---------------------------------------------------------------------------
// Rules

RuleBody ParseRule(const Value& form) {
  if ((!IsVectorLike(form) && !form.is_list()) || form.Count() < 2) {
    Fail(form, fmt::format("{} is not a rule: a rule is a vector of a head and clauses, "
                           "[(rule-name ?a ?b) [?a :attr ?b] ...]",
                           Quote(form)));
  }
  Items items = form.Items();
  const Value& head = items[0];
  if ((!IsVectorLike(head) && !head.is_list()) || head.Count() == 0) {
    Fail(form,
         fmt::format("The rule {} does not start with a head (rule-name ?a ...)", Quote(form)));
  }
  Items parts = head.Items();
  RuleBody rule;
  rule.form = form;
  rule.name = parts[0];
  if (!IsPlainSymbol(rule.name) || IsClauseKeyword(rule.name)) {
    Fail(form, fmt::format("The rule head {} does not start with a rule name: name it with a "
                           "plain symbol (no ?, $ or %, and not a clause word such as not or "
                           "or), as in (ancestor ?a ?b)",
                           Quote(head)));
  }
  Items vars = parts.subspan(1);
  if (!vars.empty() && (IsVectorLike(vars[0]) || vars[0].is_list())) {
    if (vars[0].Count() == 0) {
      Fail(form, fmt::format("The required variables of the rule head {} are empty: write "
                             "(rule-name [?a] ?b), or leave the inner vector out",
                             Quote(head)));
    }
    rule.required_vars =
        ParseVariableList(vars[0].Items(), form, "The required variables of a rule head");
    vars = vars.subspan(1);
  }
  std::vector<Value> free = ParseVariableList(vars, form, "The variables of a rule head");
  rule.vars = rule.required_vars;
  absl::flat_hash_set<Value, ValueHash> seen(rule.vars.begin(), rule.vars.end());
  for (Value& v : free) {
    if (!seen.insert(v).second) {
      Fail(form, fmt::format("The rule head {} names {} twice; name each variable once",
                             Quote(head), Quote(v)));
    }
    rule.vars.push_back(std::move(v));
  }
  if (rule.vars.empty()) {
    Fail(form, fmt::format("The rule head {} has no variables: write ({} ?a ...)", Quote(head),
                           Quote(rule.name)));
  }
  rule.body = ParseClauses(items.subspan(1), Sym().source, 0);
  return rule;
}

}  // namespace

bool IsVariable(const Value& v) { return StartsWith(v, '?'); }
bool IsSourceVar(const Value& v) { return StartsWith(v, '$'); }
bool IsRulesVar(const Value& v) { return v == Sym().rules; }
bool IsBlank(const Value& v) { return v == Sym().blank; }

Query ParseQuery(const Value& form) {
  if (form.is_string()) return ParseQuery(form.AsString());
  return ParseQueryValue(form);
}

Query ParseQuery(std::string_view text) {
  Value form = ReadText(text, "query");
  if (form.is_string()) {
    Fail(form,
         "The query text holds a string; it should hold the query itself, a vector or "
         "a map");
  }
  return ParseQueryValue(form);
}

RuleSet ParseRules(const Value& form) {
  Value rules = form.is_string() ? ReadText(form.AsString(), "rules text") : form;
  if (!IsVectorLike(rules) && !rules.is_list()) {
    Fail(rules, fmt::format("The rules {} are not a vector of rules: write [[(rule-name ?a) "
                            "[?a :attr ?v]] ...]",
                            Quote(rules)));
  }
  RuleSet set;
  set.rules.reserve(rules.Count());
  absl::flat_hash_map<Value, size_t, ValueHash> arity;  // rule name -> index of first body
  for (const Value& rule_form : rules.Items()) {
    RuleBody rule = ParseRule(rule_form);
    auto [it, fresh] = arity.emplace(rule.name, set.rules.size());
    if (!fresh) {
      const RuleBody& first = set.rules[it->second];
      if (first.vars.size() != rule.vars.size()) {
        Fail(rule_form,
             fmt::format("The rule {} has {} variables in {} but {} in {}; every body of a rule "
                         "has the same number of head variables",
                         Quote(rule.name), first.vars.size(), Quote(first.form.Items()[0]),
                         rule.vars.size(), Quote(rule_form.Items()[0])));
      }
    }
    set.rules.push_back(std::move(rule));
  }
  return set;
}

}  // namespace strata::query
