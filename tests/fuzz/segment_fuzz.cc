// Fuzz target for the leaf segment decoder (and through it LZ4 and the value
// codec).
//
// The first input byte chooses the mode: even, the rest is decoded as it is
// (checksum and all); odd, the rest is taken as a leaf's body (everything
// after "SSEG" and the version byte) and sealed with a valid checksum first,
// so the fuzzer reaches the column, LZ4, value and order parsers. Either way
// the only outcomes are a leaf or a fault anomaly. A leaf must be in its
// index's order, and must encode to bytes that decode to the same datoms
// (down to each value's encoding) and encode to the same bytes again.
#include <xxhash.h>

#include <cstring>
#include <string>

#include "core/value_codec.h"
#include "index/datom_order.h"
#include "index/segment.h"
#include "strata/anomaly.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool SameDatoms(const std::vector<strata::Datom>& x, const std::vector<strata::Datom>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] == y[i])) return false;
    std::string a;
    std::string b;
    strata::EncodeValue(x[i].v, &a);
    strata::EncodeValue(y[i].v, &b);
    if (a != b) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using strata::internal::DecodeLeaf;
  using strata::internal::EncodeLeaf;
  using strata::internal::Leaf;
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    std::string body = "SSEG\x01" + bytes;
    uint64_t sum = XXH64(body.data(), body.size(), 0);
    char buf[8];
    std::memcpy(buf, &sum, 8);
    bytes = body + std::string(buf, 8);
  }
  Leaf leaf;
  try {
    leaf = DecodeLeaf(bytes, "fuzz segment");
  } catch (const strata::Anomaly& e) {
    FUZZ_CHECK(e.category() == strata::Category::kFault, "a decode error that is not a fault",
               bytes);
    FUZZ_CHECK(e.message().find("fuzz segment") != std::string::npos,
               "a fault that does not name the segment", bytes);
    return 0;
  }
  for (size_t i = 1; i < leaf.datoms.size(); ++i) {
    FUZZ_CHECK(strata::internal::CompareDatoms(leaf.index, leaf.datoms[i - 1], leaf.datoms[i]) < 0,
               "a leaf out of order", bytes);
  }
  std::string encoded = EncodeLeaf(leaf.index, leaf.datoms);
  Leaf again = DecodeLeaf(encoded, "re-encoded");
  FUZZ_CHECK(again.index == leaf.index && SameDatoms(again.datoms, leaf.datoms),
             "re-encoding changed the leaf", bytes);
  FUZZ_CHECK(EncodeLeaf(again.index, again.datoms) == encoded, "encoding is not deterministic",
             bytes);
  return 0;
}
