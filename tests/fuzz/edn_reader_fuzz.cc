// Fuzz target for the EDN reader (ReadAllEdn and the streaming EdnReader).
//
// Any input must either read or raise an Anomaly of category incorrect with a
// position; nothing else may escape, and nothing may crash. What reads must
// print, and the printed text must read back to an equal value that prints
// the same text (the printer's round-trip contract).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  strata::ReadOptions options;
  options.keep_unknown_tags = true;  // reach the printer with tagged values too
  options.max_depth = 200;
  std::vector<strata::Value> values;
  try {
    strata::EdnReader reader(text, options);
    strata::Value v;
    while (reader.Next(&v)) values.push_back(std::move(v));
  } catch (const strata::Anomaly& e) {
    FUZZ_CHECK(e.category() == strata::Category::kIncorrect, "reader error is not 'incorrect'",
               text);
    FUZZ_CHECK(e.data().is_map() && e.data().Get(strata::Value::Keyword("line")) != nullptr,
               "reader error has no :line", text);
    return 0;
  }
  for (const strata::Value& v : values) {
    std::string printed = strata::PrintEdn(v);
    strata::Value again;
    try {
      again = strata::ReadEdn(printed, options);
    } catch (const strata::Anomaly& e) {
      fprintf(stderr, "printed: %s\nerror: %s\n", printed.c_str(), e.what());
      FUZZ_CHECK(false, "printed text does not read back", text);
    }
    if (!(again == v) || strata::Compare(again, v) != 0 || again.Hash() != v.Hash()) {
      fprintf(stderr, "printed: %s\n", printed.c_str());
      FUZZ_CHECK(false, "round trip changed the value", text);
    }
    FUZZ_CHECK(strata::PrintEdn(again) == printed, "reprint differs", text);
  }
  return 0;
}
