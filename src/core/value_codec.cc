// The binary encoding of Values (see value_codec.h).
#include "core/value_codec.h"

#include <fmt/format.h>
#include <lz4.h>
#include <xxhash.h>

#include <climits>
#include <cstring>
#include <iterator>
#include <vector>

#include "core/utf8.h"
#include "core/value_internal.h"
#include "strata/anomaly.h"

namespace strata {
namespace {

// Wire tags: fixed forever.
enum Tag : uint8_t {
  kTagNil = 0,
  kTagFalse = 1,
  kTagTrue = 2,
  kTagLong = 3,
  kTagRef = 4,
  kTagBigInt = 5,
  kTagFloat = 6,
  kTagDouble = 7,
  kTagBigDec = 8,
  kTagChar = 9,
  kTagString = 10,
  kTagKeyword = 11,
  kTagSymbol = 12,
  kTagInstant = 13,
  kTagUuid = 14,
  kTagUri = 15,
  kTagBytes = 16,
  kTagTuple = 17,
  kTagList = 18,
  kTagVector = 19,
  kTagMap = 20,
  kTagSet = 21,
  kTagTagged = 22,
};

// Deepest nesting a decoder follows (stored values are datom values:
// shallow tuples; anything deeper is corruption).
constexpr int kMaxDepth = 64;

void PutBytes(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

void PutBigInteger(const internal::BigInteger& n, std::string* out) {
  out->push_back(n.sign() < 0 ? 1 : 0);
  std::vector<uint8_t> magnitude;
  internal::BigInteger m = abs(n);
  boost::multiprecision::export_bits(m, std::back_inserter(magnitude), 8, false);
  PutVarint(magnitude.size(), out);
  out->append(reinterpret_cast<const char*>(magnitude.data()), magnitude.size());
}

template <typename T>
void PutFixed(T x, std::string* out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &x, sizeof(T));  // little-endian hosts only (x86-64, arm64)
  out->append(buf, sizeof(T));
}

}  // namespace

void EncodeValue(const Value& v, std::string* out) {
  switch (v.type()) {
    case ValueType::kNil:
      out->push_back(kTagNil);
      return;
    case ValueType::kBoolean:
      out->push_back(v.AsBoolean() ? kTagTrue : kTagFalse);
      return;
    case ValueType::kLong:
      out->push_back(kTagLong);
      PutVarint(ZigZag(v.AsLong()), out);
      return;
    case ValueType::kRef:
      out->push_back(kTagRef);
      PutVarint(ZigZag(v.AsLong()), out);
      return;
    case ValueType::kBigInt:
      out->push_back(kTagBigInt);
      PutBigInteger(internal::BigIntOf(v), out);
      return;
    case ValueType::kFloat:
      out->push_back(kTagFloat);
      PutFixed(v.AsFloat(), out);
      return;
    case ValueType::kDouble:
      out->push_back(kTagDouble);
      PutFixed(v.AsDouble(), out);
      return;
    case ValueType::kBigDec: {
      const internal::BigDecObject& d = internal::BigDecOf(v);
      out->push_back(kTagBigDec);
      PutVarint(ZigZag(d.scale), out);
      PutBigInteger(d.unscaled, out);
      return;
    }
    case ValueType::kChar:
      out->push_back(kTagChar);
      PutVarint(v.AsChar(), out);
      return;
    case ValueType::kString:
      out->push_back(kTagString);
      PutBytes(v.AsString(), out);
      return;
    case ValueType::kUri:
      out->push_back(kTagUri);
      PutBytes(v.AsString(), out);
      return;
    case ValueType::kBytes: {
      out->push_back(kTagBytes);
      auto b = v.AsBytes();
      PutBytes(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()), out);
      return;
    }
    case ValueType::kKeyword:
      out->push_back(kTagKeyword);
      PutBytes(v.QualifiedName(), out);
      return;
    case ValueType::kSymbol:
      out->push_back(kTagSymbol);
      PutBytes(v.QualifiedName(), out);
      return;
    case ValueType::kInstant:
      out->push_back(kTagInstant);
      PutVarint(ZigZag(v.AsInstant()), out);
      return;
    case ValueType::kUuid:
      out->push_back(kTagUuid);
      out->append(reinterpret_cast<const char*>(v.AsUuid().bytes.data()), 16);
      return;
    case ValueType::kTuple:
    case ValueType::kList:
    case ValueType::kVector:
    case ValueType::kSet:
    case ValueType::kMap: {
      static constexpr uint8_t kTags[] = {kTagTuple, kTagList, kTagVector, kTagMap, kTagSet};
      out->push_back(static_cast<char>(
          kTags[static_cast<int>(v.type()) - static_cast<int>(ValueType::kTuple)]));
      PutVarint(v.Count(), out);
      for (const Value& item : v.Items()) EncodeValue(item, out);
      return;
    }
    case ValueType::kTagged:
      out->push_back(kTagTagged);
      PutBytes(v.Tag().QualifiedName(), out);
      EncodeValue(v.TaggedValue(), out);
      return;
  }
}

void ByteReader::Fail(std::string_view problem) const {
  ThrowFault(fmt::format("{} is corrupt at byte {}: {}", what_, pos_, problem),
             Value::Map({{Value::Keyword("blob"), Value::String(what_)},
                         {Value::Keyword("offset"), Value::Long(static_cast<int64_t>(pos_))}}));
}

uint8_t ByteReader::Byte() {
  if (pos_ >= data_.size()) Fail("unexpected end");
  return static_cast<uint8_t>(data_[pos_++]);
}

uint64_t ByteReader::Varint() {
  uint64_t n = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b = Byte();
    n |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return n;
  }
  Fail("a varint longer than 10 bytes");
}

std::string_view ByteReader::Bytes(size_t n) {
  if (n > data_.size() - pos_) Fail("a length past the end");
  std::string_view s = data_.substr(pos_, n);
  pos_ += n;
  return s;
}

Value ByteReader::ReadBigInt(bool as_bigdec, int32_t scale) {
  uint8_t sign = Byte();
  if (sign > 1) Fail("a bad sign byte");
  std::string_view magnitude = Bytes(Varint());
  if (magnitude.size() > internal::kMaxNumberDigits / 2) Fail("a big number too long");
  internal::BigInteger n;
  if (!magnitude.empty()) {
    // Unsigned bytes: import_bits takes the iterator's value type as the chunk.
    const auto* first = reinterpret_cast<const uint8_t*>(magnitude.data());
    boost::multiprecision::import_bits(n, first, first + magnitude.size(), 8, false);
  }
  if (sign == 1) n = -n;
  return as_bigdec ? internal::MakeBigDec(std::move(n), scale) : internal::MakeBigInt(std::move(n));
}

Value ByteReader::ReadValue(int depth) {
  if (depth > kMaxDepth) Fail("values nested too deep");
  uint8_t tag = Byte();
  // Factories validate names, characters and uniqueness; their anomalies
  // become this input's fault.
  try {
    switch (tag) {
      case kTagNil:
        return Value();
      case kTagFalse:
        return Value::Boolean(false);
      case kTagTrue:
        return Value::Boolean(true);
      case kTagLong:
        return Value::Long(UnZigZag(Varint()));
      case kTagRef:
        return Value::Ref(UnZigZag(Varint()));
      case kTagInstant:
        return Value::Instant(UnZigZag(Varint()));
      case kTagBigInt:
        return ReadBigInt(false, 0);
      case kTagBigDec: {
        int64_t scale = UnZigZag(Varint());
        if (scale < INT32_MIN || scale > INT32_MAX) Fail("a bigdec scale out of range");
        return ReadBigInt(true, static_cast<int32_t>(scale));
      }
      case kTagFloat: {
        std::string_view b = Bytes(4);
        float f;
        std::memcpy(&f, b.data(), 4);
        return Value::Float(f);
      }
      case kTagDouble: {
        std::string_view b = Bytes(8);
        double d;
        std::memcpy(&d, b.data(), 8);
        return Value::Double(d);
      }
      case kTagChar: {
        uint64_t c = Varint();
        if (c > 0x10FFFF) Fail("a character out of range");
        return Value::Char(static_cast<char32_t>(c));
      }
      case kTagString:
      case kTagUri: {
        std::string_view s = Bytes(Varint());
        if (!IsUtf8(s)) Fail("a string that is not UTF-8");
        return tag == kTagString ? Value::String(s) : Value::Uri(s);
      }
      case kTagBytes: {
        std::string_view s = Bytes(Varint());
        return Value::Bytes(
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
      }
      case kTagKeyword:
        return Value::Keyword(Bytes(Varint()));
      case kTagSymbol:
        return Value::Symbol(Bytes(Varint()));
      case kTagUuid: {
        std::string_view b = Bytes(16);
        Uuid u;
        std::memcpy(u.bytes.data(), b.data(), 16);
        return Value::MakeUuid(u);
      }
      case kTagTuple:
      case kTagList:
      case kTagVector:
      case kTagSet:
      case kTagMap: {
        uint64_t n = Varint();
        uint64_t items = tag == kTagMap ? 2 * n : n;
        // Every value takes at least one byte.
        if (n > data_.size() - pos_ || items > data_.size() - pos_) Fail("a count past the end");
        std::vector<Value> values;
        values.reserve(items);
        for (uint64_t i = 0; i < items; ++i) values.push_back(ReadValue(depth + 1));
        switch (tag) {
          case kTagTuple:
            return Value::Tuple(std::move(values));
          case kTagList:
            return Value::List(std::move(values));
          case kTagVector:
            return Value::Vector(std::move(values));
          case kTagSet:
            return Value::Set(std::move(values));
          default: {
            std::vector<ValuePair> entries;
            entries.reserve(n);
            for (uint64_t i = 0; i < n; ++i) {
              entries.emplace_back(std::move(values[2 * i]), std::move(values[2 * i + 1]));
            }
            return Value::Map(std::move(entries));
          }
        }
      }
      case kTagTagged: {
        Value tag_symbol = Value::Symbol(Bytes(Varint()));
        return Value::Tagged(tag_symbol, ReadValue(depth + 1));
      }
      default:
        Fail(fmt::format("unknown value tag {}", tag));
    }
  } catch (const Anomaly& e) {
    if (e.category() == Category::kFault) throw;
    Fail(e.message());
  }
}

void BeginFrame(std::string_view magic, uint8_t version, std::string* out) {
  out->append(magic);
  out->push_back(static_cast<char>(version));
}

void EndFrame(std::string* out) {
  uint64_t sum = XXH64(out->data(), out->size(), 0);
  PutFixed(sum, out);
}

ByteReader OpenFrame(std::string_view bytes, std::string_view magic, uint8_t version,
                     std::string_view kind, std::string_view what) {
  if (bytes.size() < magic.size() + 1 + 8) {
    ByteReader(bytes, what).Fail(fmt::format("too short for a {}", kind));
  }
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + body.size(), 8);
  ByteReader r(body, what);
  if (r.Bytes(magic.size()) != magic) r.Fail(fmt::format("not a {} (bad magic)", kind));
  if (r.Byte() != version) r.Fail(fmt::format("an unknown {} version", kind));
  if (XXH64(body.data(), body.size(), 0) != stored) r.Fail("checksum mismatch");
  return r;
}

namespace {

enum ColumnCodec : uint8_t { kRawColumn = 0, kLz4Column = 1 };
// Shorter columns are never worth a block.
constexpr size_t kMinCompressible = 16;
// No LZ4 block decompresses to more than 255 times its size.
constexpr uint64_t kMaxLz4Ratio = 255;

size_t VarintLength(uint64_t n) {
  size_t size = 1;
  for (; n >= 0x80; n >>= 7) ++size;
  return size;
}

}  // namespace

void PutColumn(std::string_view raw, std::string* out) {
  if (raw.size() >= kMinCompressible && raw.size() <= LZ4_MAX_INPUT_SIZE) {
    int raw_size = static_cast<int>(raw.size());
    std::string block(static_cast<size_t>(LZ4_compressBound(raw_size)), '\0');
    int n =
        LZ4_compress_default(raw.data(), block.data(), raw_size, static_cast<int>(block.size()));
    if (n > 0 && VarintLength(static_cast<uint64_t>(n)) + static_cast<size_t>(n) < raw.size()) {
      out->push_back(static_cast<char>(kLz4Column));
      PutVarint(raw.size(), out);
      PutVarint(static_cast<uint64_t>(n), out);
      out->append(block.data(), static_cast<size_t>(n));
      return;
    }
  }
  out->push_back(static_cast<char>(kRawColumn));
  PutVarint(raw.size(), out);
  out->append(raw);
}

std::string_view ReadColumn(ByteReader& r, std::string_view name, int64_t expected_size,
                            std::string* owned) {
  uint8_t codec = r.Byte();
  uint64_t raw_size = r.Varint();
  if (expected_size >= 0 && raw_size != static_cast<uint64_t>(expected_size)) {
    r.Fail(fmt::format("the {} column has {} bytes where the datom count needs {}", name, raw_size,
                       expected_size));
  }
  if (codec == kRawColumn) return r.Bytes(raw_size);
  if (codec != kLz4Column) {
    r.Fail(fmt::format("an unknown codec {} for the {} column", codec, name));
  }
  std::string_view block = r.Bytes(r.Varint());
  if (block.size() > INT_MAX || raw_size > LZ4_MAX_INPUT_SIZE ||
      raw_size > kMaxLz4Ratio * block.size()) {
    r.Fail(fmt::format("the {} column claims {} bytes from an LZ4 block of {}", name, raw_size,
                       block.size()));
  }
  owned->resize(raw_size);
  int n = LZ4_decompress_safe(block.data(), owned->data(), static_cast<int>(block.size()),
                              static_cast<int>(raw_size));
  if (n < 0 || static_cast<uint64_t>(n) != raw_size) {
    r.Fail(fmt::format("the {} column's LZ4 block does not decompress to its {} bytes", name,
                       raw_size));
  }
  return *owned;
}

}  // namespace strata
