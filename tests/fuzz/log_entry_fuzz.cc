// Fuzz target for the log entry decoder (and through it the value codec).
//
// The first input byte chooses the mode: even, the rest is decoded as it is
// (checksum and all); odd, the rest is taken as an entry's body and given a
// valid header checksum first, so the fuzzer reaches the datom and value
// parsers. Either way the only outcomes are an entry or a fault anomaly; an
// entry must encode back to bytes that decode to the same entry.
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "log/log_entry.h"
#include "strata/anomaly.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    std::string body = "SLOG\x01" + bytes;
    uint64_t sum = XXH64(body.data(), body.size(), 0);
    char buf[8];
    std::memcpy(buf, &sum, 8);
    bytes = body + std::string(buf, 8);
  }
  strata::LogEntry entry;
  try {
    entry = strata::internal::DecodeLogEntry(bytes, "fuzz entry");
  } catch (const strata::Anomaly& e) {
    FUZZ_CHECK(e.category() == strata::Category::kFault, "a decode error that is not a fault",
               bytes);
    return 0;
  }
  strata::LogEntry again =
      strata::internal::DecodeLogEntry(strata::internal::EncodeLogEntry(entry), "re-encoded");
  FUZZ_CHECK(again.t == entry.t && again.data == entry.data, "re-encoding changed the entry",
             bytes);
  return 0;
}
