// (pull ?e pattern) in :find, through the pull layer.
#include "strata/anomaly.h"
#include "strata/database.h"
#include "strata/edn.h"

namespace strata::query {

Value PullForFind(const Database& db, const Value& pattern, EntityId eid) {
  (void)db;
  (void)eid;
  ThrowUnsupported("pull in :find needs the pull API, which is not built yet: " +
                   PrintEdn(pattern));
}

}  // namespace strata::query
