// Canonical form of conformance results, as tests/conformance/README.md
// ("Canonical output") defines it and the DataScript oracle prints it.
//
// A case's expected answer (NAME.expected.edn) and an implementation's answer
// are compared by their canonical text: both go through Canonicalize (with
// the case, whose query or pull decides the shape) and CanonicalString.
// Numbers compare by value (31.0 == 31), relations and collections without
// order, pull results without :db/id, so the text is equal exactly when the
// answers are.
#ifndef STRATA_TESTING_CANONICAL_H_
#define STRATA_TESTING_CANONICAL_H_

#include <string>

#include "strata/value.h"

namespace strata::conformance {

// The order of canonical output: nil < booleans < numbers < strings <
// keywords < symbols < uuids < insts < vectors (tuples, lists) < maps < sets,
// then anything else by its printed form. Numbers by value whatever their
// type; keywords by their text without ':'; maps by their sorted entries;
// sets by their sorted elements.
int CanonicalCompare(const Value& a, const Value& b);

// Numbers as the oracle's JavaScript numbers: refs, longs, big integers
// and floats and doubles with an integral value (within the long range) all
// become longs; floats become doubles. Applied all through collections (a
// set whose elements become equal keeps one of them).
Value NormalizeNumbers(const Value& v);

// The canonical result for a case (the case's EDN map): dispatches on
// :query, :pull (with :eid or :eids) or :entity. `:error` and keywords of
// the namespace `error` stay as they are.
Value Canonicalize(const Value& test_case, const Value& result);

// Canonical text: one line, sets and map keys in CanonicalCompare order,
// lists printed as vectors, map entries separated by ", ", doubles in
// JavaScript's shortest form.
std::string CanonicalString(const Value& v);

// The shape of a query's :find: what Canonicalize needs to know.
struct FindSpec {
  enum Kind { kRelation, kCollection, kTuple, kScalar, kMaps };
  Kind kind = kRelation;
  // The find elements: variables, (pull ...) and aggregate lists.
  std::vector<Value> elements;
  // The names given by :keys, :strs or :syms (symbols), for kMaps.
  std::vector<Value> keys;
};
// `query` is a query in vector or map form.
FindSpec ParseFindSpec(const Value& query);
// The query as a map from keyword (:find, :in, :where, ...) to the vector
// of what follows it; a map form query is returned as it is.
Value QueryToMap(const Value& query);

// A case's :schema map (attr -> spec) as Datomic schema tx-data:
// [{:db/ident attr ...spec} ...].
Value SchemaTxData(const Value& schema);

// One entry of a case's :tx: tx-data as it is, or a map
// {:tx-data [...] :expect-error true} for a transaction that must fail.
struct TxStep {
  Value tx_data;
  bool expect_error = false;
};
TxStep ParseTxStep(const Value& tx);

}  // namespace strata::conformance

#endif  // STRATA_TESTING_CANONICAL_H_
