// Fuzz target for the database root decoder (src/log/log_store.h) and the
// garbage record decoder (src/log/gc.h): both are read from storage, which
// may hold anything. The only outcomes are a root (a record) or a fault or
// unsupported anomaly (a fault); either encodes back to text that decodes
// to the same.
#include <string>

#include "log/gc.h"
#include "log/log_store.h"
#include "strata/anomaly.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void CheckGarbageRecord(const std::string& text) {
  strata::internal::GarbageRecord record;
  try {
    record = strata::internal::DecodeGarbageRecord(text, "fuzz record");
  } catch (const strata::Anomaly& e) {
    FUZZ_CHECK(e.category() == strata::Category::kFault, "a record error that is not a fault",
               text);
    return;
  }
  strata::internal::GarbageRecord again = strata::internal::DecodeGarbageRecord(
      strata::internal::EncodeGarbageRecord(record), "re-encoded record");
  FUZZ_CHECK(again.prev == record.prev && again.retired == record.retired,
             "re-encoding changed the record", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  CheckGarbageRecord(text);
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
                 again.log_index == root.log_index && again.garbage == root.garbage,
             "re-encoding changed the root", text);
  return 0;
}
