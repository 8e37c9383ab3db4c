// (pull ?e pattern) in :find, through the pull layer.
#include "strata/database.h"
#include "strata/pull.h"

namespace strata::query {

Value PullForFind(const Database& db, const Value& pattern, EntityId eid) {
  return Pull(db, pattern, eid);
}

}  // namespace strata::query
