// Datalog queries, as Datomic's `q`.
//
//   Value people = Q("[:find ?name :in $ ?min :where [?e :person/age ?a]"
//                    " [(>= ?a ?min)] [?e :person/name ?name]]",
//                    {db, Value::Long(21)});
//
// The query is EDN: a vector, a map ({:find ... :in ... :where ...}) or a
// string of either. Inputs follow :in, in order (no :in means `:in $`): a
// Database for `$` and `$name` (or a collection of tuples, which then acts
// as a source of [e a v tx added] facts), a value for each binding, the rules
// for `%`, a pull pattern for a pattern name.
//
// The result follows the find spec: a relation (`:find ?a ?b`) is a set of
// vectors (a vector of vectors when :with keeps a bag); a collection
// (`[?a ...]`) a vector; a tuple (`[?a ?b]`) a vector, or nil when nothing
// matches; a scalar (`?a .`) the value or nil; :keys/:strs/:syms make each
// tuple a map. Entity ids come back as longs.
//
// Every error is an Anomaly: a malformed query is incorrect with
// :db.error/invalid-query and quotes the bad part; a variable that nothing
// can bind is :db.error/insufficient-binding; an unknown attribute
// :db.error/not-an-entity; a timeout interrupted (:db.error/query-timeout);
// a query past its memory budget incorrect (:db.error/query-memory-budget).
#ifndef STRATA_QUERY_H_
#define STRATA_QUERY_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "strata/database.h"
#include "strata/value.h"

namespace strata {

class Log;

// One input of a query: a database, a value, or a connection's log (for
// tx-ids and tx-data; it must outlive the query).
class QueryInput {
 public:
  QueryInput(Database db) : input_(std::move(db)) {}     // NOLINT: implicit by design
  QueryInput(Value value) : input_(std::move(value)) {}  // NOLINT
  QueryInput(const Log& log) : input_(&log) {}           // NOLINT
  bool is_database() const { return std::holds_alternative<Database>(input_); }
  bool is_log() const { return std::holds_alternative<const Log*>(input_); }
  const Database& database() const { return std::get<Database>(input_); }
  const Value& value() const { return std::get<Value>(input_); }
  const Log& log() const { return *std::get<const Log*>(input_); }

 private:
  std::variant<Database, Value, const Log*> input_;
};

struct QueryOptions {
  // Cancels the query with an interrupted anomaly after this long; zero for
  // no limit.
  std::chrono::milliseconds timeout{0};
  // The most memory the query's intermediate relations may hold; past it
  // the query fails with an anomaly rather than exhausting the process.
  size_t memory_budget_bytes = size_t{4} << 30;
};

// Runs a query. Parsed queries are cached (by their text or value), so
// running the same query again skips parsing.
Value Q(const Value& query, const std::vector<QueryInput>& inputs,
        const QueryOptions& options = {});
Value Q(std::string_view query, const std::vector<QueryInput>& inputs,
        const QueryOptions& options = {});

// Runs a query and returns its plan: a map with the clauses in the order
// they ran, and for each the strategy chosen (index and lookup, hash join,
// filter, rule evaluation), the estimated rows and the rows it produced.
Value Explain(const Value& query, const std::vector<QueryInput>& inputs,
              const QueryOptions& options = {});

// Functions and predicates for queries, by qualified symbol
// ("my.app/score"). A predicate is a function whose result is truthy (not
// nil or false). Throw an Anomaly to fail the query. Registration is
// process-wide and thread-safe; registering a name again replaces it.
using QueryFunction = std::function<Value(std::span<const Value> args)>;
void RegisterQueryFunction(std::string_view name, QueryFunction fn);

// Custom aggregates: called once per group with the constant arguments
// written before the variable ((my.app/top 3 ?x): args = [3]) and the
// group's values (a bag: every value of the group, duplicates included when
// :with keeps them).
using AggregateFunction =
    std::function<Value(std::span<const Value> args, std::span<const Value> values)>;
void RegisterAggregate(std::string_view name, AggregateFunction fn);

}  // namespace strata

#endif  // STRATA_QUERY_H_
