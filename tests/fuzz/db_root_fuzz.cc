// Fuzz target for the database root decoder (src/log/log_store.h): a root
// is read from storage, which may hold anything. The only outcomes are a
// root or a fault or unsupported anomaly; a root encodes back to text that
// decodes to the same root.
#include <string>

#include "log/log_store.h"
#include "strata/anomaly.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  strata::internal::DbRoot root;
  try {
    root = strata::internal::DecodeRoot(text, "fuzz root");
  } catch (const strata::Anomaly& e) {
    FUZZ_CHECK(
        e.category() == strata::Category::kFault || e.category() == strata::Category::kUnsupported,
        "a root error that is neither fault nor unsupported", text);
    return 0;
  }
  strata::internal::DbRoot again =
      strata::internal::DecodeRoot(strata::internal::EncodeRoot(root), "re-encoded root");
  FUZZ_CHECK(again.format == root.format && again.uuid == root.uuid && again.epoch == root.epoch &&
                 again.t == root.t && again.tail == root.tail && again.index == root.index &&
                 again.log_index == root.log_index,
             "re-encoding changed the root", text);
  return 0;
}
