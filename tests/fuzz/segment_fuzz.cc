// Fuzz target for the segment decoders, leaves and directories (and through
// them LZ4 and the value codec).
//
// The first input byte chooses the mode: even, the rest is decoded as it is
// (checksum and all); odd, the rest is taken as a segment's body (everything
// after "SSEG" and the version byte) and sealed with a valid checksum first,
// so the fuzzer reaches the column, LZ4, value and order parsers. Either way
// the only outcomes are a segment or a fault anomaly naming it, and
// DecodeLeaf / DecodeDirectory agree with DecodeSegment. A leaf must be in
// its index's order, a directory's first datoms too, with counts of at
// least 1 adding up to its count; either must encode to bytes that decode to
// the same segment (down to each value's encoding) and encode to the same
// bytes again.
#include <xxhash.h>

#include <cstring>
#include <optional>
#include <string>
#include <variant>

#include "core/value_codec.h"
#include "index/datom_order.h"
#include "index/segment.h"
#include "strata/anomaly.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using strata::internal::ChildRef;
using strata::internal::Directory;
using strata::internal::Leaf;
using strata::internal::Segment;

bool SameDatom(const strata::Datom& x, const strata::Datom& y) {
  if (!(x == y)) return false;
  std::string a;
  std::string b;
  strata::EncodeValue(x.v, &a);
  strata::EncodeValue(y.v, &b);
  return a == b;
}

bool SameDatoms(const std::vector<strata::Datom>& x, const std::vector<strata::Datom>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!SameDatom(x[i], y[i])) return false;
  }
  return true;
}

bool SameChildren(const std::vector<ChildRef>& x, const std::vector<ChildRef>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!SameDatom(x[i].first, y[i].first) || !(x[i].id == y[i].id) || x[i].kind != y[i].kind ||
        x[i].count != y[i].count) {
      return false;
    }
  }
  return true;
}

// Decodes with `decode`; nullopt after checking that a throw is a fault
// naming the segment.
template <typename T, typename F>
std::optional<T> Decode(const std::string& bytes, F decode) {
  try {
    return decode(bytes, "fuzz segment");
  } catch (const strata::Anomaly& e) {
    FUZZ_CHECK(e.category() == strata::Category::kFault, "a decode error that is not a fault",
               bytes);
    FUZZ_CHECK(e.message().find("fuzz segment") != std::string::npos,
               "a fault that does not name the segment", bytes);
    return std::nullopt;
  }
}

void CheckLeaf(const Leaf& leaf, const std::string& bytes) {
  using strata::internal::DecodeLeaf;
  using strata::internal::EncodeLeaf;
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
}

void CheckDirectory(const Directory& dir, const std::string& bytes) {
  using strata::internal::DecodeDirectory;
  using strata::internal::EncodeDirectory;
  FUZZ_CHECK(!dir.children.empty(), "a directory with no children", bytes);
  int64_t total = 0;
  for (size_t i = 0; i < dir.children.size(); ++i) {
    const ChildRef& c = dir.children[i];
    FUZZ_CHECK(c.count >= 1, "a child with no datoms", bytes);
    FUZZ_CHECK(c.kind == strata::internal::SegmentKind::kLeaf ||
                   c.kind == strata::internal::SegmentKind::kDirectory,
               "a child of an unknown kind", bytes);
    total += c.count;
    FUZZ_CHECK(i == 0 || strata::internal::CompareDatoms(dir.index, dir.children[i - 1].first,
                                                         c.first) < 0,
               "a directory out of order", bytes);
  }
  FUZZ_CHECK(total == dir.count, "a directory's count is not its children's", bytes);
  std::string encoded = EncodeDirectory(dir.index, dir.children);
  Directory again = DecodeDirectory(encoded, "re-encoded");
  FUZZ_CHECK(again.index == dir.index && SameChildren(again.children, dir.children),
             "re-encoding changed the directory", bytes);
  FUZZ_CHECK(EncodeDirectory(again.index, again.children) == encoded,
             "encoding is not deterministic", bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    std::string body = "SSEG\x01" + bytes;
    uint64_t sum = XXH64(body.data(), body.size(), 0);
    char buf[8];
    std::memcpy(buf, &sum, 8);
    bytes = body + std::string(buf, 8);
  }
  std::optional<Segment> segment = Decode<Segment>(bytes, strata::internal::DecodeSegment);
  std::optional<Leaf> leaf = Decode<Leaf>(bytes, strata::internal::DecodeLeaf);
  std::optional<Directory> dir = Decode<Directory>(bytes, strata::internal::DecodeDirectory);
  FUZZ_CHECK(!(leaf && dir), "both a leaf and a directory", bytes);
  if (!segment) {
    FUZZ_CHECK(!leaf && !dir, "DecodeSegment refused what another decoder took", bytes);
    return 0;
  }
  if (const Leaf* l = std::get_if<Leaf>(&*segment)) {
    FUZZ_CHECK(leaf && SameDatoms(leaf->datoms, l->datoms), "DecodeLeaf disagrees", bytes);
    CheckLeaf(*l, bytes);
  } else {
    const Directory& d = std::get<Directory>(*segment);
    FUZZ_CHECK(dir && SameChildren(dir->children, d.children), "DecodeDirectory disagrees", bytes);
    CheckDirectory(d, bytes);
  }
  return 0;
}
