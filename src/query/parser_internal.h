// Internals of the query parser shared by parser.cc (queries and rules)
// and clause_parser.cc (where clauses, bindings, and the helpers below).
#ifndef STRATA_QUERY_PARSER_INTERNAL_H_
#define STRATA_QUERY_PARSER_INTERNAL_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "strata/value.h"

namespace strata::query::internal {

// Deepest nesting of not / or / and clauses, and of collection bindings.
constexpr int kMaxNesting = 256;

// The binding forms, for messages.
inline constexpr char kBindingForms[] = "?x, [?a ?b], [?x ...] or [[?a ?b]]";

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

const Symbols& Sym();

inline bool IsVectorLike(const Value& v) { return v.is_vector() || v.is_tuple(); }

// A name the grammar leaves free: rule names, pattern names, functions,
// aggregates, :keys. Not a variable, source, rules var, `_`, `.` or `...`.
bool IsPlainSymbol(const Value& v);
// (quote x), what a Clojure reader makes of 'x: the constant x.
bool IsQuoted(const Value& v);
// not, not-join, or, or-join, and.
bool IsClauseKeyword(const Value& v);

// `form` as EDN for a message: cut short when long, described when too deep
// to print.
std::string Quote(const Value& form);

// Throws the invalid-query anomaly, with data {:form form}.
[[noreturn]] void Fail(const Value& form, std::string message);

// Symbols from `items`, each a variable, none twice; `what` names the list
// in messages ("The join variables of not-join").
std::vector<Value> ParseVariableList(Items items, const Value& form, std::string_view what);

// A binding of :in or of a function's output; `depth` counts the nesting
// around it.
Binding ParseBinding(const Value& form, int depth);

// Every variable a binding names, repeats included.
void BindingSymbols(const Binding& binding, std::vector<Value>* out);

// Where clauses; those that name no source get `source`.
Clauses ParseClauses(Items forms, const Value& source, int depth);

}  // namespace strata::query::internal

#endif  // STRATA_QUERY_PARSER_INTERNAL_H_
