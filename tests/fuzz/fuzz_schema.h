// The schema the database-backed fuzz targets (tx-data, pull patterns) run
// against: every kind of attribute an input can name, a component, a
// cardinality-many ref and an enum.
#ifndef STRATA_TESTS_FUZZ_FUZZ_SCHEMA_H_
#define STRATA_TESTS_FUZZ_FUZZ_SCHEMA_H_

#include <string_view>

inline constexpr std::string_view kFuzzSchema = R"([
  {:db/ident :f/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :f/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :f/refs :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :f/part :db/valueType :db.type/ref :db/cardinality :db.cardinality/one
   :db/isComponent true}
  {:db/ident :f/kw :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
  {:db/ident :f/a :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :f/b :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :e/red}])";

#endif  // STRATA_TESTS_FUZZ_FUZZ_SCHEMA_H_
