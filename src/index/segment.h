// Segments: the immutable blobs a durable index tree is made of (root ->
// directory segments -> leaf segments), stored under UUIDs. A leaf holds a
// run of datoms of one index, in that index's order, encoded column by
// column so that sorted neighbours cost little and LZ4 squeezes out the
// rest. A directory lists its children (leaves or directories): each one's
// first datom, UUID, kind and datom count, the first datoms encoded as a
// leaf's columns. durable_tree.h builds trees of them.
//
//   +--------+---------+--------+--------+----------+-----------------+----------+
//   | "SSEG" | version | kind   | index  | n        | columns         | xxh64    |
//   | 4 B    | u8 = 1  | u8 1-2 | u8 0-3 | varint   | (see below)     | 8 B LE   |
//   +--------+---------+--------+--------+----------+-----------------+----------+
//   kind: 1 leaf, 2 directory. index: 0 EAVT, 1 AEVT, 2 AVET, 3 VAET.
//   n: the number of datoms (leaf) or children (directory, at least 1).
//   The checksum covers every byte before it.
//
// A leaf's columns, in this order whatever the index (the datom columns):
//
//   | e | a | tx | added | v kinds | v numbers | v values |
//
// A directory's: the datom columns of its children's first datoms (one
// datom per child, strictly ascending), then three more:
//
//   | e | a | tx | added | v kinds | v numbers | v values | child ids | child kinds | child counts
//   |
//
// Each column is framed the same way, stored raw or as one LZ4 block,
// whichever is smaller:
//
//   +-----------+--------------+----------------+-------------------------+
//   | codec u8  | raw length   | stored length  | stored bytes            |
//   |           | varint       | varint         |                         |
//   +-----------+--------------+----------------+-------------------------+
//   codec 0: raw; no stored length, the stored bytes are the raw bytes.
//   codec 1: LZ4; the stored bytes are an LZ4 block that decompresses to
//            exactly `raw length` bytes.
//
// What each column holds once decompressed:
//
//   e, a, tx    | layout u8 | ... |, whichever layout is smaller:
//               layout 0, deltas: n zigzag varints, each datom's number
//                 minus the previous datom's (the first minus 0);
//               layout 1, runs: | zigzag delta varint | length - 1 varint |
//                 per run of equal numbers, the runs covering n datoms.
//   added       ceil(n / 8) bytes: datom i's flag is bit i % 8 of byte i / 8;
//               the bits past n are 0.
//   v kinds     n bytes, how to read each datom's value:
//                 0 value:   the next value in v values (value_codec.h);
//                 1 long, 2 ref, 3 instant: the next zigzag varint in
//                   v numbers, added to the previous number of that kind
//                   (of this leaf; the first from 0);
//                 4 repeat:  the previous datom's value, exactly.
//   v numbers   zigzag varints, as v kinds consumes them.
//   v values    value encodings, as v kinds consumes them.
//   child ids   16 n bytes: each child's UUID, most significant byte first.
//   child kinds n bytes: each child's segment kind (1 leaf, 2 directory).
//   child counts n varints: the datoms under each child, each at least 1,
//               their sum below 2^62.
//
// Deltas are taken modulo 2^64, so any numbers round-trip. Decoding checks
// the frame, every byte, count and length against the input before
// allocating, every LZ4 block's size, and that the datoms (of a leaf, or
// the first datoms of a directory's children) are in the index's order:
// damage is an Anomaly of category fault naming the segment, never a crash
// and never a wrong answer. docs/segments.md has the reasons and sizes.
#ifndef STRATA_INDEX_SEGMENT_H_
#define STRATA_INDEX_SEGMENT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "strata/database.h"
#include "strata/datom.h"

namespace strata::internal {

inline constexpr uint8_t kSegmentVersion = 1;

// The segment kinds (the kind byte).
enum class SegmentKind : uint8_t { kLeaf = 1, kDirectory = 2 };

// A decoded leaf segment: its index and its datoms, in that index's order.
struct Leaf {
  Index index = Index::kEavt;
  std::vector<Datom> datoms;
};

// The leaf segment holding `datoms`.
// REQUIRES: `datoms` strictly ascending in `index`'s order (CompareDatoms),
// every e, a and tx non-negative. Checked by assertions in debug builds; the
// decoder rejects a leaf that breaks them.
std::string EncodeLeaf(Index index, std::span<const Datom> datoms);
// The same leaf segment, from pointers to the datoms.
std::string EncodeLeaf(Index index, std::span<const Datom* const> datoms);

// Decodes a leaf segment; `what` names it in anomalies ("segment 5f3e...").
// Throws an Anomaly of category fault if `bytes` are not a whole, undamaged
// leaf segment.
Leaf DecodeLeaf(std::string_view bytes, std::string_view what);

// A directory's entry for one child segment.
struct ChildRef {
  Datom first;  // the first datom under the child
  Uuid id;      // the child's blob key
  SegmentKind kind = SegmentKind::kLeaf;
  int64_t count = 0;  // the datoms under the child
};

// A decoded directory segment: its index and its children, in order.
struct Directory {
  Index index = Index::kEavt;
  std::vector<ChildRef> children;
  // The sum of the children's counts (computed by DecodeDirectory).
  int64_t count = 0;
};

// The directory segment listing `children`.
// REQUIRES: at least one child; the first datoms strictly ascending in
// `index`'s order with non-negative e, a and tx; every count at least 1 and
// their sum below 2^62. Checked by assertions in debug builds; the decoder
// rejects a directory that breaks them.
std::string EncodeDirectory(Index index, std::span<const ChildRef> children);

// Decodes a directory segment, as DecodeLeaf a leaf.
Directory DecodeDirectory(std::string_view bytes, std::string_view what);

// Either kind of segment, decoded.
using Segment = std::variant<Leaf, Directory>;

// Decodes a segment of either kind, as DecodeLeaf and DecodeDirectory do.
Segment DecodeSegment(std::string_view bytes, std::string_view what);

}  // namespace strata::internal

#endif  // STRATA_INDEX_SEGMENT_H_
