// Datom printing.
#include "strata/datom.h"

#include <fmt/format.h>

#include "strata/edn.h"

namespace strata {

std::string ToString(const Datom& d) {
  return fmt::format("[{} {} {} {} {}]", d.e, d.a, PrintEdn(d.v), d.tx, d.added ? "true" : "false");
}

}  // namespace strata
