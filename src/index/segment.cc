// Leaf and directory segment encoding (see segment.h for the format).
#include "index/segment.h"

#include <fmt/format.h>

#include <array>
#include <cassert>
#include <cstring>
#include <optional>
#include <utility>

#include "core/value_codec.h"
#include "index/datom_order.h"
#include "strata/anomaly.h"

namespace strata::internal {
namespace {

constexpr std::string_view kMagic = "SSEG";

// The index byte is the public enum's value: pinned, since it is on disk.
static_assert(static_cast<int>(Index::kEavt) == 0 && static_cast<int>(Index::kAevt) == 1 &&
              static_cast<int>(Index::kAvet) == 2 && static_cast<int>(Index::kVaet) == 3);

enum Layout : uint8_t { kDeltas = 0, kRuns = 1 };
enum ValueKind : uint8_t {
  kValue = 0,
  kLongKind = 1,
  kRefKind = 2,
  kInstantKind = 3,
  kRepeat = 4,
};

// LZ4 spells a long match as one byte per 255 of length, so no block
// decompresses to more than 255 times its size: the bound that lets a
// decoder reject a length before allocating it.
constexpr uint64_t kMaxLz4Ratio = 255;

// The columns in blob order, with their names for anomalies: the datom
// columns of a leaf (or of a directory's first datoms), then a directory's.
enum ColumnId : uint8_t {
  kE,
  kA,
  kTx,
  kAdded,
  kKinds,
  kNumbers,
  kValues,
  kColumnCount,  // the datom columns
  kChildIds = kColumnCount,
  kChildKinds,
  kChildCounts,
  kAllColumns,
};
constexpr std::array<std::string_view, kAllColumns> kColumnNames = {
    "e",         "a",        "tx",        "added",       "v kinds",
    "v numbers", "v values", "child ids", "child kinds", "child counts"};

constexpr size_t kUuidSize = 16;

// tx shares a word with `added` in a Datom: 63 signed bits, of which we
// accept the non-negative half.
constexpr int64_t kTxLimit = int64_t{1} << 62;

// Differences are taken modulo 2^64 and read back the same way, so every
// pair of numbers has one and no overflow is possible.
uint64_t Delta(uint64_t x, uint64_t previous) { return ZigZag(static_cast<int64_t>(x - previous)); }

// ---- Encoding

// `raw` as a framed column (value_codec.h's PutColumn).
std::string Column(std::string_view raw) {
  std::string out;
  PutColumn(raw, &out);
  return out;
}

// One number per datom (e, a or tx), in whichever layout frames smaller:
// deltas suit numbers that change at every datom, runs those that repeat
// (a in AEVT and AVET, e in EAVT, tx within a transaction's entities).
template <typename Datoms, typename Get>
std::string NumberColumn(const Datoms& datoms, Get get) {
  std::string deltas(1, static_cast<char>(kDeltas));
  std::string runs(1, static_cast<char>(kRuns));
  uint64_t previous = 0;
  for (size_t i = 0; i < datoms.size();) {
    uint64_t x = static_cast<uint64_t>(get(datoms[i]));
    size_t end = i + 1;
    while (end < datoms.size() && static_cast<uint64_t>(get(datoms[end])) == x) ++end;
    PutVarint(Delta(x, previous), &deltas);
    deltas.append(end - i - 1, '\0');  // the zero deltas of the rest of the run
    PutVarint(Delta(x, previous), &runs);
    PutVarint(end - i - 1, &runs);
    previous = x;
    i = end;
  }
  std::string by_deltas = Column(deltas);
  std::string by_runs = Column(runs);
  return by_runs.size() < by_deltas.size() ? by_runs : by_deltas;
}

ValueKind KindOf(const Value& v) {
  switch (v.type()) {
    case ValueType::kLong:
      return kLongKind;
    case ValueType::kRef:
      return kRefKind;
    case ValueType::kInstant:
      return kInstantKind;
    default:
      return kValue;
  }
}

// The v kinds, v numbers and v values columns, appended to *out.
template <typename Datoms>
void PutValueColumns(const Datoms& datoms, std::string* out) {
  std::string kinds;
  std::string numbers;
  std::string values;
  kinds.reserve(datoms.size());
  std::array<uint64_t, kInstantKind + 1> last{};
  // A value repeats the previous one when their kinds and payloads (number,
  // or encoding) are equal: equal encodings mean identical values, down to
  // the types inside a tuple (a ref and a long are equal Values, yet each
  // must come back as itself). Two strings are compared as they are.
  const Value* previous = nullptr;
  ValueKind previous_kind = kValue;
  uint64_t previous_number = 0;
  size_t previous_at = 0;  // a kValue's encoding: values[previous_at, end)
  for (size_t i = 0; i < datoms.size(); ++i) {
    const Value& v = datoms[i].v;
    const ValueKind kind = KindOf(v);
    const bool after_same_kind = previous != nullptr && previous_kind == kind;
    if (kind != kValue) {
      const auto number = static_cast<uint64_t>(kind == kInstantKind ? v.AsInstant() : v.AsLong());
      if (after_same_kind && previous_number == number) {
        kinds.push_back(static_cast<char>(kRepeat));
        continue;
      }
      kinds.push_back(static_cast<char>(kind));
      PutVarint(Delta(number, last[kind]), &numbers);
      last[kind] = number;
      previous = &v;
      previous_kind = kind;
      previous_number = number;
      continue;
    }
    if (after_same_kind && v.is_string() && previous->is_string() &&
        v.AsString() == previous->AsString()) {
      kinds.push_back(static_cast<char>(kRepeat));
      continue;
    }
    const size_t at = values.size();
    EncodeValue(v, &values);
    if (after_same_kind && values.size() - at == at - previous_at &&
        std::memcmp(values.data() + at, values.data() + previous_at, at - previous_at) == 0) {
      values.resize(at);
      kinds.push_back(static_cast<char>(kRepeat));
      continue;
    }
    kinds.push_back(static_cast<char>(kind));
    previous = &v;
    previous_kind = kind;
    previous_at = at;
  }
  out->append(Column(kinds));
  out->append(Column(numbers));
  out->append(Column(values));
}

// The seven datom columns of `datoms`, appended to *out.
template <typename Datoms>
void PutDatomColumns(const Datoms& datoms, std::string* out) {
  out->append(NumberColumn(datoms, [](const Datom& d) -> int64_t { return d.e; }));
  out->append(NumberColumn(datoms, [](const Datom& d) -> int64_t { return d.a; }));
  out->append(NumberColumn(datoms, [](const Datom& d) -> int64_t { return d.tx; }));
  std::string added((datoms.size() + 7) / 8, '\0');
  for (size_t i = 0; i < datoms.size(); ++i) {
    if (datoms[i].added) added[i / 8] = static_cast<char>(added[i / 8] | (1 << (i % 8)));
  }
  out->append(Column(added));
  PutValueColumns(datoms, out);
}

// ---- Decoding

// Reads the varints and bytes of a decoded column with ByteReader's checks,
// but inline: the column loops read one or two for every datom.
class ColumnReader {
 public:
  ColumnReader(std::string_view data, std::string_view what) : data_(data), what_(what) {}

  uint64_t Varint() {
    if (pos_ < data_.size() && static_cast<uint8_t>(data_[pos_]) < 0x80) {
      return static_cast<uint8_t>(data_[pos_++]);
    }
    return LongVarint();
  }
  uint8_t Byte() {
    if (pos_ >= data_.size()) Fail("unexpected end");
    return static_cast<uint8_t>(data_[pos_++]);
  }
  bool done() const { return pos_ == data_.size(); }
  // Throws the fault anomaly for this column, at the current byte.
  [[noreturn]] void Fail(std::string_view problem) const {
    ByteReader r(data_, what_);
    r.Bytes(pos_);
    r.Fail(problem);
  }

 private:
  uint64_t LongVarint() {
    uint64_t n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = Byte();
      n |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return n;
    }
    Fail("a varint longer than 10 bytes");
  }

  std::string_view data_;
  std::string_view what_;
  size_t pos_ = 0;
};

// A column's raw bytes: a view of the input, or decompressed into `owned`.
struct ColumnBytes {
  std::string owned;
  std::string_view input;
  bool compressed = false;

  std::string_view data() const { return compressed ? std::string_view(owned) : input; }
};

// Reads the next column's frame from `r` into *column. Unless `expected_size`
// is negative, the raw column must be exactly that long.
void ReadColumn(ByteReader& r, ColumnId id, int64_t expected_size, ColumnBytes* column) {
  std::string_view raw = ::strata::ReadColumn(r, kColumnNames[id], expected_size, &column->owned);
  column->compressed = !column->owned.empty() && raw.data() == column->owned.data();
  column->input = raw;
}

// Decodes a number column of n datoms, handing each number to `set(i, x)`,
// which returns false if x is out of range (`range_problem`).
template <typename Set>
void DecodeNumbers(std::string_view raw, size_t n, std::string_view what,
                   std::string_view range_problem, Set set) {
  ColumnReader r(raw, what);
  uint8_t layout = r.Byte();
  uint64_t x = 0;
  if (layout == kDeltas) {
    for (size_t i = 0; i < n; ++i) {
      x += static_cast<uint64_t>(UnZigZag(r.Varint()));
      if (!set(i, static_cast<int64_t>(x))) r.Fail(range_problem);
    }
  } else if (layout == kRuns) {
    for (size_t i = 0; i < n;) {
      x += static_cast<uint64_t>(UnZigZag(r.Varint()));
      uint64_t rest = r.Varint();
      if (rest >= n - i) r.Fail("a run past the last datom");
      for (size_t end = i + rest + 1; i < end; ++i) {
        if (!set(i, static_cast<int64_t>(x))) r.Fail(range_problem);
      }
    }
  } else {
    r.Fail(fmt::format("an unknown layout {}", layout));
  }
  if (!r.done()) r.Fail("bytes after the last datom");
}

void DecodeValues(const std::array<ColumnBytes, kAllColumns>& columns,
                  const std::array<std::string, kAllColumns>& whats, std::vector<Datom>* datoms) {
  ColumnReader kinds(columns[kKinds].data(), whats[kKinds]);
  ColumnReader numbers(columns[kNumbers].data(), whats[kNumbers]);
  ByteReader values(columns[kValues].data(), whats[kValues]);
  std::array<uint64_t, kInstantKind + 1> last{};
  Datom* d = datoms->data();
  for (size_t i = 0; i < datoms->size(); ++i) {
    uint8_t kind = kinds.Byte();
    switch (kind) {
      case kValue:
        d[i].v = values.ReadValue();
        break;
      case kLongKind:
      case kRefKind:
      case kInstantKind: {
        last[kind] += static_cast<uint64_t>(UnZigZag(numbers.Varint()));
        int64_t x = static_cast<int64_t>(last[kind]);
        d[i].v = kind == kLongKind  ? Value::Long(x)
                 : kind == kRefKind ? Value::Ref(x)
                                    : Value::Instant(x);
        break;
      }
      case kRepeat:
        if (i == 0) kinds.Fail("the first value repeats a previous one");
        d[i].v = d[i - 1].v;
        break;
      default:
        kinds.Fail(fmt::format("an unknown value kind {}", kind));
    }
  }
  if (!numbers.done()) numbers.Fail("bytes after the last number");
  if (!values.done()) values.Fail("bytes after the last value");
}

void DecodeAdded(std::string_view bits, std::string_view what, std::vector<Datom>* datoms) {
  size_t n = datoms->size();
  for (size_t i = 0; i < n; ++i) {
    (*datoms)[i].added = ((static_cast<uint8_t>(bits[i / 8]) >> (i % 8)) & 1) != 0;
  }
  if (n % 8 != 0 && (static_cast<uint8_t>(bits.back()) >> (n % 8)) != 0) {
    ByteReader(bits, what).Fail("flags set past the last datom");
  }
}

// Throws unless the datoms are strictly ascending in kIndex's order: the
// check that makes a leaf trustworthy for seeks whatever its bytes said.
template <Index kIndex>
void CheckOrder(const std::vector<Datom>& datoms, std::string_view what) {
  for (size_t i = 1; i < datoms.size(); ++i) {
    if (CompareIn<kIndex>(datoms[i - 1], datoms[i]) >= 0) {
      ThrowFault(fmt::format("{} is corrupt: datom {} does not follow datom {} in {} order", what,
                             i, i - 1, IndexName(kIndex)),
                 Value::Map({{Value::Keyword("blob"), Value::String(what)},
                             {Value::Keyword("datom"), Value::Long(static_cast<int64_t>(i))}}));
    }
  }
}

void CheckOrder(Index index, const std::vector<Datom>& datoms, std::string_view what) {
  switch (index) {
    case Index::kEavt:
      return CheckOrder<Index::kEavt>(datoms, what);
    case Index::kAevt:
      return CheckOrder<Index::kAevt>(datoms, what);
    case Index::kAvet:
      return CheckOrder<Index::kAvet>(datoms, what);
    case Index::kVaet:
      return CheckOrder<Index::kVaet>(datoms, what);
  }
}

// A segment's frame and columns, read and sized but not yet decoded.
struct SegmentColumns {
  SegmentKind kind = SegmentKind::kLeaf;
  Index index = Index::kEavt;
  uint64_t n = 0;
  std::array<std::string, kAllColumns> whats;
  std::array<ColumnBytes, kAllColumns> columns;
};

// Opens the frame of a segment of `kind` (either kind if nullopt) and reads
// every column's frame, checking sizes against n and the input.
void ReadSegmentColumns(std::string_view bytes, std::string_view what,
                        std::optional<SegmentKind> expected, SegmentColumns* out) {
  ByteReader r = OpenFrame(bytes, kMagic, kSegmentVersion, "segment", what);
  uint8_t kind = r.Byte();
  bool is_leaf = kind == static_cast<uint8_t>(SegmentKind::kLeaf);
  bool is_directory = kind == static_cast<uint8_t>(SegmentKind::kDirectory);
  if (expected == SegmentKind::kLeaf && !is_leaf) {
    r.Fail(fmt::format("not a leaf segment (kind {})", kind));
  }
  if (expected == SegmentKind::kDirectory && !is_directory) {
    r.Fail(fmt::format("not a directory segment (kind {})", kind));
  }
  if (!is_leaf && !is_directory) r.Fail(fmt::format("an unknown segment kind {}", kind));
  out->kind = static_cast<SegmentKind>(kind);
  uint8_t index = r.Byte();
  if (index > static_cast<uint8_t>(Index::kVaet)) r.Fail(fmt::format("an unknown index {}", index));
  out->index = static_cast<Index>(index);
  uint64_t n = r.Varint();
  // Each datom has a byte in the v kinds column, which LZ4 shrinks at most
  // 255-fold: a bigger count cannot be true of this input.
  if (n > kMaxLz4Ratio * bytes.size()) r.Fail(fmt::format("a count of {} datoms", n));
  if (is_directory && n == 0) r.Fail("a directory with no children");
  out->n = n;
  uint8_t columns = is_leaf ? kColumnCount : kAllColumns;
  for (uint8_t id = 0; id < columns; ++id) {
    out->whats[id] = fmt::format("{} ({} column)", what, kColumnNames[id]);
    int64_t expected_size = id == kKinds || id == kChildKinds ? static_cast<int64_t>(n)
                            : id == kAdded                    ? static_cast<int64_t>((n + 7) / 8)
                            : id == kChildIds                 ? static_cast<int64_t>(n * kUuidSize)
                                                              : -1;
    ReadColumn(r, static_cast<ColumnId>(id), expected_size, &out->columns[id]);
  }
  if (!r.done()) r.Fail("bytes after the last column");
}

// Decodes the datom columns of `c` (every column already read and sized to
// n, so the datoms are justified) and checks their order.
std::vector<Datom> DecodeDatomColumns(const SegmentColumns& c, std::string_view what) {
  std::vector<Datom> datoms(c.n);
  Datom* d = datoms.data();
  const auto& whats = c.whats;
  const auto& columns = c.columns;
  DecodeNumbers(columns[kE].data(), c.n, whats[kE], "a negative entity id",
                [d](size_t i, int64_t x) {
                  d[i].e = x;
                  return x >= 0;
                });
  DecodeNumbers(columns[kA].data(), c.n, whats[kA], "a negative attribute id",
                [d](size_t i, int64_t x) {
                  d[i].a = x;
                  return x >= 0;
                });
  DecodeNumbers(columns[kTx].data(), c.n, whats[kTx], "a tx out of range",
                [d](size_t i, int64_t x) {
                  if (x < 0 || x >= kTxLimit) return false;
                  d[i].tx = x;
                  return true;
                });
  DecodeAdded(columns[kAdded].data(), whats[kAdded], &datoms);
  DecodeValues(columns, whats, &datoms);
  CheckOrder(c.index, datoms, what);
  return datoms;
}

Leaf DecodeLeafColumns(const SegmentColumns& c, std::string_view what) {
  Leaf leaf;
  leaf.index = c.index;
  leaf.datoms = DecodeDatomColumns(c, what);
  return leaf;
}

Directory DecodeDirectoryColumns(const SegmentColumns& c, std::string_view what) {
  // The child columns first: they are cheap, and checking them before the
  // values means less work on damaged input.
  std::string_view kinds = c.columns[kChildKinds].data();
  for (size_t i = 0; i < c.n; ++i) {
    auto kind = static_cast<uint8_t>(kinds[i]);
    if (kind != static_cast<uint8_t>(SegmentKind::kLeaf) &&
        kind != static_cast<uint8_t>(SegmentKind::kDirectory)) {
      ByteReader r(kinds, c.whats[kChildKinds]);
      r.Bytes(i);
      r.Fail(fmt::format("an unknown child kind {}", kind));
    }
  }
  std::vector<int64_t> counts(c.n);
  ColumnReader counts_reader(c.columns[kChildCounts].data(), c.whats[kChildCounts]);
  uint64_t total = 0;
  for (size_t i = 0; i < c.n; ++i) {
    uint64_t count = counts_reader.Varint();
    if (count == 0) counts_reader.Fail("a child with no datoms");
    if (count >= static_cast<uint64_t>(kTxLimit) - total) {
      counts_reader.Fail("child counts that add up past 2^62");
    }
    total += count;
    counts[i] = static_cast<int64_t>(count);
  }
  if (!counts_reader.done()) counts_reader.Fail("bytes after the last count");

  std::vector<Datom> firsts = DecodeDatomColumns(c, what);
  Directory dir;
  dir.index = c.index;
  dir.count = static_cast<int64_t>(total);
  dir.children.resize(c.n);
  std::string_view ids = c.columns[kChildIds].data();
  for (size_t i = 0; i < c.n; ++i) {
    ChildRef& child = dir.children[i];
    child.first = std::move(firsts[i]);
    std::memcpy(child.id.bytes.data(), ids.data() + i * kUuidSize, kUuidSize);
    child.kind = static_cast<SegmentKind>(kinds[i]);
    child.count = counts[i];
  }
  return dir;
}

}  // namespace

namespace {

// Datoms through pointers, indexed as a span of datoms is.
struct DatomPointers {
  std::span<const Datom* const> pointers;
  size_t size() const { return pointers.size(); }
  const Datom& operator[](size_t i) const { return *pointers[i]; }
};

template <typename Datoms>
std::string EncodeLeafOf(Index index, const Datoms& datoms) {
#ifndef NDEBUG
  for (size_t i = 0; i < datoms.size(); ++i) {
    assert(datoms[i].e >= 0 && datoms[i].a >= 0 && datoms[i].tx >= 0);
    assert((i == 0 || CompareDatoms(index, datoms[i - 1], datoms[i]) < 0) &&
           "REQUIRES: datoms strictly ascending in the index's order");
  }
#endif
  std::string out;
  BeginFrame(kMagic, kSegmentVersion, &out);
  out.push_back(static_cast<char>(SegmentKind::kLeaf));
  out.push_back(static_cast<char>(index));
  PutVarint(datoms.size(), &out);
  PutDatomColumns(datoms, &out);
  EndFrame(&out);
  return out;
}

}  // namespace

std::string EncodeLeaf(Index index, std::span<const Datom> datoms) {
  return EncodeLeafOf(index, datoms);
}

std::string EncodeLeaf(Index index, std::span<const Datom* const> datoms) {
  return EncodeLeafOf(index, DatomPointers{datoms});
}

Leaf DecodeLeaf(std::string_view bytes, std::string_view what) {
  SegmentColumns c;
  ReadSegmentColumns(bytes, what, SegmentKind::kLeaf, &c);
  return DecodeLeafColumns(c, what);
}

std::string EncodeDirectory(Index index, std::span<const ChildRef> children) {
  std::vector<Datom> firsts;
  firsts.reserve(children.size());
  std::string ids;
  ids.reserve(children.size() * kUuidSize);
  std::string kinds;
  std::string counts;
  [[maybe_unused]] int64_t total = 0;
  for (const ChildRef& child : children) {
    assert(child.count >= 1 && child.count < kTxLimit - total && "REQUIRES: counts in range");
    total += child.count;
    firsts.push_back(child.first);
    ids.append(reinterpret_cast<const char*>(child.id.bytes.data()), kUuidSize);
    kinds.push_back(static_cast<char>(child.kind));
    PutVarint(static_cast<uint64_t>(child.count), &counts);
  }
#ifndef NDEBUG
  assert(!children.empty() && "REQUIRES: at least one child");
  for (size_t i = 0; i < firsts.size(); ++i) {
    assert(firsts[i].e >= 0 && firsts[i].a >= 0 && firsts[i].tx >= 0);
    assert((i == 0 || CompareDatoms(index, firsts[i - 1], firsts[i]) < 0) &&
           "REQUIRES: first datoms strictly ascending in the index's order");
  }
#endif
  std::string out;
  BeginFrame(kMagic, kSegmentVersion, &out);
  out.push_back(static_cast<char>(SegmentKind::kDirectory));
  out.push_back(static_cast<char>(index));
  PutVarint(children.size(), &out);
  PutDatomColumns(firsts, &out);
  out.append(Column(ids));
  out.append(Column(kinds));
  out.append(Column(counts));
  EndFrame(&out);
  return out;
}

Directory DecodeDirectory(std::string_view bytes, std::string_view what) {
  SegmentColumns c;
  ReadSegmentColumns(bytes, what, SegmentKind::kDirectory, &c);
  return DecodeDirectoryColumns(c, what);
}

Segment DecodeSegment(std::string_view bytes, std::string_view what) {
  SegmentColumns c;
  ReadSegmentColumns(bytes, what, std::nullopt, &c);
  if (c.kind == SegmentKind::kLeaf) return DecodeLeafColumns(c, what);
  return DecodeDirectoryColumns(c, what);
}

}  // namespace strata::internal
