// `strata verify`: checks a database's four indexes against its log.
#ifndef STRATA_TOOLS_STRATA_VERIFY_H_
#define STRATA_TOOLS_STRATA_VERIFY_H_

#include "strata/connection.h"
#include "strata/database.h"
#include "strata/value.h"

namespace strata::cli {

// Replays the transactions of `log` up to db's basis t into the set of
// current facts, builds each index's datoms from it (EAVT, AEVT and AVET
// hold every fact, VAET the facts of ref attributes), and compares them,
// datom by datom and in order, with what db.Datoms gives for that index.
// Returns {:ok true :basis-t T :transactions N :datoms {:eavt N ...}}.
// Throws a fault Anomaly (:db.error/index-mismatch) naming the index, the
// position and both datoms at the first difference.
// REQUIRES: `db` is a current database (no as-of, since, history or filter).
Value VerifyIndexes(const Database& db, const Log& log);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_STRATA_VERIFY_H_
