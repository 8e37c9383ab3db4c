// The binary encoding of Values, for everything Strata writes to storage
// (log entries now, index segments later).
//
// Every value is a type byte followed by its payload:
//
//   nil, true, false    | tag |                      (the tag says it all)
//   long, ref, instant  | tag | zigzag varint |
//   char                | tag | varint |
//   float, double       | tag | 4 or 8 bytes, little-endian IEEE 754 |
//   bigint              | tag | sign u8 (0 +, 1 -) | varint n | n magnitude bytes, little-endian |
//   bigdec              | tag | zigzag varint scale | bigint payload of the unscaled value |
//   string, uri, bytes  | tag | varint n | n bytes |
//   keyword, symbol     | tag | varint n | n bytes of "ns/name" |
//   uuid                | tag | 16 bytes |
//   tuple, list, vector, set | tag | varint n | n values |
//   map                 | tag | varint n | n keys and values, alternating |
//   tagged              | tag | symbol payload | value |
//
// Tags are fixed numbers written here (never the in-memory ValueType order,
// which may change). Decoding checks every length against the input and
// every name and collection through the Value factories; anything malformed
// is an Anomaly of category fault naming `what` (the blob being decoded).
#ifndef STRATA_CORE_VALUE_CODEC_H_
#define STRATA_CORE_VALUE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/value.h"

namespace strata {

// Appends `v`'s encoding to *out.
void EncodeValue(const Value& v, std::string* out);

// Appends an unsigned LEB128 varint.
inline void PutVarint(uint64_t n, std::string* out) {
  char bytes[10];
  size_t size = 0;
  for (; n >= 0x80; n >>= 7) bytes[size++] = static_cast<char>((n & 0x7f) | 0x80);
  bytes[size++] = static_cast<char>(n);
  out->append(bytes, size);
}
inline uint64_t ZigZag(int64_t n) {
  return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
}
inline int64_t UnZigZag(uint64_t n) {
  return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1);
}

// Reads encoded data from a byte range; every read checks bounds and throws
// a fault anomaly naming `what` at the first malformed byte.
class ByteReader {
 public:
  ByteReader(std::string_view data, std::string_view what) : data_(data), what_(what) {}

  uint8_t Byte();
  uint64_t Varint();
  std::string_view Bytes(size_t n);
  Value ReadValue() { return ReadValue(0); }
  bool done() const { return pos_ == data_.size(); }
  size_t position() const { return pos_; }
  // Throws the fault anomaly for this input.
  [[noreturn]] void Fail(std::string_view problem) const;

 private:
  Value ReadValue(int depth);
  Value ReadBigInt(bool as_bigdec, int32_t scale);

  std::string_view data_;
  std::string_view what_;
  size_t pos_ = 0;
};

// Framed blobs: | magic | version u8 | body ... | xxh64 of all before, 8 B LE |.
// Starts a frame in *out.
void BeginFrame(std::string_view magic, uint8_t version, std::string* out);
// Appends the checksum of everything in *out.
void EndFrame(std::string* out);
// Checks a frame's magic, version and checksum (a fault naming `what`, with
// `kind` saying what was expected); returns a reader over the body, after
// the version byte.
ByteReader OpenFrame(std::string_view bytes, std::string_view magic, uint8_t version,
                     std::string_view kind, std::string_view what);

// Columns: a byte string framed with its codec, as index and log segments
// store theirs:
//
//   | codec u8 (0 raw, 1 LZ4) | raw size varint | LZ4: block size varint | bytes |
//
// Appends `raw` framed: as one LZ4 block when that is smaller, else as is.
void PutColumn(std::string_view raw, std::string* out);
// Reads the next column from `r`: a view of the input, or its bytes
// decompressed into *owned. With expected_size >= 0 the raw size must be
// exactly that. Failures (through r.Fail) name "the `name` column"; no LZ4
// block may claim more than 255 times its size (LZ4's own limit).
std::string_view ReadColumn(ByteReader& r, std::string_view name, int64_t expected_size,
                            std::string* owned);

}  // namespace strata

#endif  // STRATA_CORE_VALUE_CODEC_H_
