// Functions, predicates and aggregates that queries call by name: the
// built-ins and those registered from C++ (strata/query.h).
//
// A function receives its arguments as values and returns a value; a
// predicate is a function whose result is truthy (not nil, not false). An
// error in a function (wrong type, wrong arity, division by zero) is an
// incorrect anomaly naming the function and the arguments.
//
// The engine itself implements the functions that need the query's
// databases or bindings (ground, get-else, get-some, missing?, q, tx-ids,
// tx-data, fulltext); FindFunction does not return those.
#ifndef STRATA_QUERY_FUNCTIONS_H_
#define STRATA_QUERY_FUNCTIONS_H_

#include <memory>
#include <span>

#include "strata/query.h"
#include "strata/value.h"

namespace strata::query {

// Clojure's truth: everything but nil and false.
inline bool Truthy(const Value& v) { return !v.is_nil() && !(v.is_boolean() && !v.AsBoolean()); }

// The function named by `symbol`: a registered one, else a built-in (found
// by its bare name, `<`, or qualified, `clojure.core/<`,
// `clojure.string/starts-with?`). Null when there is none.
std::shared_ptr<const QueryFunction> FindFunction(const Value& symbol);

// The aggregate named by `symbol` (count, sum, ..., or a registered one), or
// null.
std::shared_ptr<const AggregateFunction> FindAggregate(const Value& symbol);

}  // namespace strata::query

#endif  // STRATA_QUERY_FUNCTIONS_H_
