// The query parser (parser.h): queries and rules. The clause grammar,
// bindings and the shared helpers are in clause_parser.cc.
#include "query/parser.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include <string>
#include <utility>

#include "core/utf8.h"
#include "query/parser_internal.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::query {
namespace {

using internal::BindingSymbols;
using internal::Fail;
using internal::IsClauseKeyword;
using internal::IsPlainSymbol;
using internal::IsVectorLike;
using internal::Items;
using internal::kBindingForms;
using internal::ParseBinding;
using internal::ParseClauses;
using internal::ParseVariableList;
using internal::Quote;
using internal::Sym;
using internal::Symbols;

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

Query ParseQuery(const Value& form) {
  if (form.is_string()) return ParseQuery(form.AsString());
  if (internal::IsQuoted(form)) return ParseQuery(form.Items()[1]);
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
