// The query engine: runs a parsed query against its inputs.
//
// Shape (docs/query.md has the whole story):
//   inputs -> relations of the :in bindings
//   :where -> a conjunction: the planner repeatedly takes the cheapest clause
//             it can run given the variables bound so far (estimates from
//             index counts), runs it as an index scan, an index lookup per
//             bound value, or a scan and a hash join; predicates, functions
//             and `not` run as soon as their inputs are bound
//   rules  -> bottom-up, semi-naive, only for the bindings the calls demand
//   :find  -> projection, grouping and aggregates, the find spec's shape
#ifndef STRATA_QUERY_ENGINE_H_
#define STRATA_QUERY_ENGINE_H_

#include <vector>

#include "query/ast.h"
#include "strata/query.h"
#include "strata/value.h"

namespace strata::query {

// Runs `query`. With `explain` non-null, also sets *explain to the plan the
// run followed (each step's clause, strategy, estimate and actual rows).
Value Execute(const Query& query, const std::vector<QueryInput>& inputs,
              const QueryOptions& options, Value* explain = nullptr);

}  // namespace strata::query

#endif  // STRATA_QUERY_ENGINE_H_
