// The query parser: EDN to the syntax tree of ast.h.
//
// It checks everything that can be checked without a database: the shape of
// every clause, find spec and binding; variables and constants in the right
// places; `or` branches with the same variables; rule heads and arities.
// Whether a variable can be bound and whether an attribute exists are the
// planner's to check (they depend on clause order and the database).
//
// Errors are incorrect anomalies with :db/error :db.error/invalid-query, a
// message that says what is wrong and how to write it instead, and data
// {:form <the offending part>}.
#ifndef STRATA_QUERY_PARSER_H_
#define STRATA_QUERY_PARSER_H_

#include <string_view>

#include "query/ast.h"
#include "strata/value.h"

namespace strata::query {

// A query as a vector, a map, or a string holding either.
Query ParseQuery(const Value& form);
Query ParseQuery(std::string_view text);

// Rules as passed for `%`: a vector of rules, each [(name ?a ...) clause ...].
// A string is read as EDN first.
RuleSet ParseRules(const Value& form);

// Whether a symbol is a variable (?x), a source ($, $name), the rules
// variable (%), or the blank (_).
bool IsVariable(const Value& v);
bool IsSourceVar(const Value& v);
bool IsRulesVar(const Value& v);
bool IsBlank(const Value& v);

}  // namespace strata::query

#endif  // STRATA_QUERY_PARSER_H_
