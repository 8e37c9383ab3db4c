// The query parser's clause grammar: where clauses (data patterns,
// expressions, rule calls, not / or / and), bindings, and the helpers every
// part of the parser shares (parser_internal.h).
//
// Every function takes the form it parses and the form to quote when that
// part is wrong, and throws the invalid-query anomaly itself. Recursion
// follows the nesting of not / or / and and of collection bindings, and is
// cut at kMaxNesting levels, so a Value built in C++ deeper than anything the
// EDN reader accepts is an error, not a stack overflow.
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include <string>
#include <utility>

#include "query/parser.h"
#include "query/parser_internal.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::query {
namespace internal {
namespace {

// A data pattern holds at most e a v tx added.
constexpr size_t kMaxPatternTerms = 5;
// Longest quotation of a form in a message, in bytes.
constexpr size_t kMaxQuoted = 300;
// Forms nested deeper than this are described, not printed.
constexpr int kMaxPrintDepth = 200;

bool StartsWith(const Value& symbol, char c) {
  return symbol.is_symbol() && symbol.Namespace().empty() && !symbol.Name().empty() &&
         symbol.Name().front() == c;
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

}  // namespace

const Symbols& Sym() {
  static const Symbols* const kSymbols = new Symbols();
  return *kSymbols;
}

bool IsQuoted(const Value& v) {
  if (!v.is_list() || v.Count() != 2) return false;
  const Value& head = v.Items()[0];
  return head.is_symbol() && head.Namespace().empty() && head.Name() == "quote";
}

bool IsPlainSymbol(const Value& v) {
  if (!v.is_symbol()) return false;
  return !IsVariable(v) && !IsSourceVar(v) && !StartsWith(v, '%') && !IsBlank(v) &&
         v != Sym().dot && v != Sym().ellipsis;
}

bool IsClauseKeyword(const Value& v) {
  const Symbols& s = Sym();
  return v == s.not_sym || v == s.not_join || v == s.or_sym || v == s.or_join || v == s.and_sym;
}

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

namespace {

enum class TermPlace { kPattern, kFunctionArg, kRuleArg };

Term ParseTerm(const Value& v, TermPlace place, const Value& clause, bool first) {
  if (IsVariable(v)) return Term{Term::Kind::kVariable, v};
  if (IsQuoted(v)) return Term{Term::Kind::kConstant, v.Items()[1]};
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

}  // namespace

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

void BindingSymbols(const Binding& binding, std::vector<Value>* out) {
  if (binding.kind == Binding::Kind::kScalar) {
    if (!binding.variable.is_nil()) out->push_back(binding.variable);
    return;
  }
  for (const Binding& element : binding.elements) BindingSymbols(element, out);
}

namespace {

Clause ParseClause(const Value& form, const Value& source, int depth);

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

}  // namespace

Clauses ParseClauses(Items forms, const Value& source, int depth) {
  Clauses clauses;
  clauses.reserve(forms.size());
  for (const Value& form : forms) clauses.push_back(ParseClause(form, source, depth));
  return clauses;
}

}  // namespace internal

bool IsVariable(const Value& v) { return internal::StartsWith(v, '?'); }
bool IsSourceVar(const Value& v) { return internal::StartsWith(v, '$'); }
bool IsRulesVar(const Value& v) { return v == internal::Sym().rules; }
bool IsBlank(const Value& v) { return v == internal::Sym().blank; }

}  // namespace strata::query
