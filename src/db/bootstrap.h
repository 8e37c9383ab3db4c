// The bootstrap transaction: t = 0, written by code. It defines the :db/*
// attributes, the value types, the cardinality and uniqueness enums and the
// partitions, as datoms, so that schema is queryable like any data.
#ifndef STRATA_DB_BOOTSTRAP_H_
#define STRATA_DB_BOOTSTRAP_H_

#include <vector>

#include "strata/datom.h"

namespace strata {

// Every datom of the bootstrap transaction (all added, tx = TxFromT(0)),
// including the transaction's own :db/txInstant (the epoch).
std::vector<Datom> BootstrapDatoms();

}  // namespace strata

#endif  // STRATA_DB_BOOTSTRAP_H_
