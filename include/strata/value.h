// Value: one immutable type for every EDN value and every datom value.
//
// A Value is 16 bytes. Scalars that fit in 8 bytes (nil, booleans, longs,
// refs, floats, doubles, characters, instants) and keywords and symbols
// (pointers to interned names) live inside it with no heap allocation;
// strings of up to 14 bytes are stored inline too. Everything else (longer
// strings, big numbers, uuids, uris, bytes, tuples, lists, vectors, maps,
// sets, tagged values) is an immutable object shared by reference count, so
// copying a Value never copies its contents. Values are safe to share between
// threads: nothing reachable from a Value ever changes.
//
// Equality, hashing and the total order agree:
//  - Across types the order is by type (the order of ValueType below), with
//    two exceptions that make Strata's datom types and plain EDN agree: a ref
//    is the long that is its entity id (Ref(5) == Long(5)) and sorts in the
//    longs' place, and a tuple is the vector of its elements
//    (Tuple{1,2} == Vector{1,2}) and sorts in the vectors' place, after lists. Everything else of
//    different types is unequal: Long(1) != Double(1.0) != BigInt(1).
//  - Within a type: numbers by value; floats and doubles in the JVM's total
//    order (Double.compare: -0.0 < 0.0, NaN after +Inf and equal to itself);
//    a bigdec is an unscaled integer and a scale, ordered by numeric value and
//    then by scale, and 1.0M != 1.00M (as Java's BigDecimal.equals); strings,
//    uris and bytes by their bytes (for UTF-8 strings, code point order);
//    keywords and symbols by namespace (none first) then name; uuids by their
//    16 bytes; instants by milliseconds; sequences (tuple, list, vector)
//    lexicographically; maps and sets by their sorted entries; tagged values by
//    tag then value.
//
// Maps and sets are kept sorted by that order, so equal maps have one
// representation and print identically. Keyword and symbol intern ids exist
// only inside one process and decide nothing that is stored.
#ifndef STRATA_VALUE_H_
#define STRATA_VALUE_H_

#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {

// The type of a Value. The declaration order is the cross-type sort order.
enum class ValueType : uint8_t {
  kNil = 0,
  kBoolean,
  kLong,  // also kRef: see OrderClass
  kRef,
  kBigInt,
  kFloat,
  kDouble,
  kBigDec,
  kChar,
  kString,
  kKeyword,
  kSymbol,
  kInstant,
  kUuid,
  kUri,
  kBytes,
  kTuple,  // also kVector: see OrderClass
  kList,
  kVector,
  kMap,
  kSet,
  kTagged,
};

// The name of a type as Strata prints it in messages ("long", "keyword"...).
std::string_view TypeName(ValueType type);

namespace internal {
struct HeapObject;
struct Interned;
struct ValueAccess;
}  // namespace internal

// A 128-bit UUID, most significant byte first.
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  // Parses the canonical 8-4-4-4-12 hex form; returns false if `text` is not
  // one (case-insensitive).
  static bool Parse(std::string_view text, Uuid* out);
  // The canonical lower-case 36-character form.
  std::string ToString() const;
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

class Value;
using ValuePair = std::pair<Value, Value>;

class Value {
 public:
  // nil. Copies, moves and destruction are inline: only a boxed value's
  // reference count is work.
  Value() noexcept { Clear(); }
  Value(const Value& other) noexcept {
    CopyRaw(other);
    Retain();
  }
  Value(Value&& other) noexcept {
    CopyRaw(other);
    other.Clear();
  }
  Value& operator=(const Value& other) noexcept {
    if (this != &other) {
      other.Retain();
      Release();
      CopyRaw(other);
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      Release();
      CopyRaw(other);
      other.Clear();
    }
    return *this;
  }
  ~Value() {
    if (rep() == kBoxed) ReleaseBoxed();
  }

  // Construction. Each factory validates its input and throws an Anomaly
  // (category incorrect) when it cannot build the value.
  static Value Nil() { return Value(); }
  static Value Boolean(bool b);
  static Value Long(int64_t n) {
    Value v;
    v.SetBits(ValueType::kLong, kImmediate, static_cast<uint64_t>(n));
    return v;
  }
  // A reference to an entity; equal to Long(eid).
  static Value Ref(int64_t eid) {
    Value v;
    v.SetBits(ValueType::kRef, kImmediate, static_cast<uint64_t>(eid));
    return v;
  }
  // A big integer from decimal text (optional sign, digits).
  static Value BigInt(std::string_view decimal);
  static Value BigInt(int64_t n);
  static Value Float(float f);
  static Value Double(double d);
  // A big decimal: unscaled * 10^-scale. `unscaled` is decimal text.
  static Value BigDec(std::string_view unscaled, int32_t scale);
  // REQUIRES nothing: a code point that is not a Unicode scalar value throws.
  static Value Char(char32_t code_point);
  // REQUIRES: `s` is valid UTF-8 (not checked here; the EDN reader checks).
  static Value String(std::string_view s);
  // ":ns/name" written as Keyword("ns", "name"); an empty ns means none.
  static Value Keyword(std::string_view ns, std::string_view name);
  // From the text after ':' ("ns/name" or "name").
  static Value Keyword(std::string_view qualified);
  static Value Symbol(std::string_view ns, std::string_view name);
  static Value Symbol(std::string_view qualified);
  // Milliseconds since 1970-01-01T00:00:00Z.
  static Value Instant(int64_t epoch_ms);
  static Value MakeUuid(const Uuid& uuid);
  // Throws an Anomaly if `uri` is empty or holds a character RFC 3986 does
  // not allow (spaces, quotes, non-ASCII: percent-encode them).
  static Value Uri(std::string_view uri);
  static Value Bytes(std::span<const uint8_t> bytes);
  static Value Tuple(std::vector<Value> items);
  static Value List(std::vector<Value> items);
  static Value Vector(std::vector<Value> items);
  static Value Tuple(std::initializer_list<Value> items);
  static Value List(std::initializer_list<Value> items);
  static Value Vector(std::initializer_list<Value> items);
  // Throws an Anomaly if two entries have equal keys.
  static Value Map(std::vector<ValuePair> entries);
  static Value Map(std::initializer_list<ValuePair> entries);
  // Throws an Anomaly if two elements are equal.
  static Value Set(std::vector<Value> items);
  static Value Set(std::initializer_list<Value> items);
  // REQUIRES: `tag` is a symbol.
  static Value Tagged(const Value& tag, Value value);

  ValueType type() const { return static_cast<ValueType>(raw_[kTypeByte]); }
  bool is_nil() const { return type() == ValueType::kNil; }
  bool is_boolean() const { return type() == ValueType::kBoolean; }
  bool is_long() const { return type() == ValueType::kLong; }
  bool is_ref() const { return type() == ValueType::kRef; }
  bool is_integer() const { return is_long() || is_ref(); }
  bool is_double() const { return type() == ValueType::kDouble; }
  bool is_float() const { return type() == ValueType::kFloat; }
  bool is_string() const { return type() == ValueType::kString; }
  bool is_keyword() const { return type() == ValueType::kKeyword; }
  bool is_symbol() const { return type() == ValueType::kSymbol; }
  bool is_map() const { return type() == ValueType::kMap; }
  bool is_set() const { return type() == ValueType::kSet; }
  bool is_vector() const { return type() == ValueType::kVector; }
  bool is_list() const { return type() == ValueType::kList; }
  bool is_tuple() const { return type() == ValueType::kTuple; }
  // A tuple, list or vector.
  bool is_sequential() const;
  // A sequential value, a map or a set.
  bool is_collection() const;

  // Accessors. REQUIRES: the value has the accessor's type (checked by
  // assert; callers test the type first).
  bool AsBoolean() const;
  // The long, or a ref's entity id.
  int64_t AsLong() const {
    assert(is_integer());
    return static_cast<int64_t>(bits());
  }
  float AsFloat() const;
  double AsDouble() const;
  char32_t AsChar() const;
  int64_t AsInstant() const {
    assert(type() == ValueType::kInstant);
    return static_cast<int64_t>(bits());
  }
  // String or uri text.
  std::string_view AsString() const {
    assert(is_string() || type() == ValueType::kUri);
    if (rep() & kInlineString) {
      return {reinterpret_cast<const char*>(raw_), static_cast<size_t>(rep() & ~kInlineString)};
    }
    return BoxedString();
  }
  // A keyword or symbol's namespace ("" when none) and name, and the text
  // without the leading ':' ("ns/name").
  std::string_view Namespace() const;
  std::string_view Name() const;
  std::string_view QualifiedName() const;
  const Uuid& AsUuid() const;
  std::span<const uint8_t> AsBytes() const;
  // Big integers and decimals as decimal text; a bigdec's scale.
  std::string BigIntText() const;
  std::string BigDecUnscaledText() const;
  int32_t BigDecScale() const;

  // Elements of a tuple, list, vector or set (sets in sorted order), or the
  // keys and values of a map interleaved (k0 v0 k1 v1 ...).
  std::span<const Value> Items() const;
  // Number of elements; entries for a map.
  size_t Count() const;
  // A map's entries, in key order: key i is Items()[2*i].
  const Value& MapKey(size_t i) const { return Items()[2 * i]; }
  const Value& MapVal(size_t i) const { return Items()[2 * i + 1]; }
  // The value under `key` in a map, or nullptr (also when not a map).
  const Value* Get(const Value& key) const;
  // Whether a set has `item`.
  bool Contains(const Value& item) const;
  // A tagged value's tag symbol and value.
  const Value& Tag() const;
  const Value& TaggedValue() const;

  // Keywords and symbols compare by identity: the same name is the same
  // interned object in this process.
  const void* InternedId() const;

  size_t Hash() const;
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }
  friend bool operator<(const Value& a, const Value& b) { return Compare(a, b) < 0; }
  // Negative, zero or positive as a sorts before, with or after b.
  friend int Compare(const Value& a, const Value& b);

  // Internal: the heap object of a boxed value, or nullptr.
  const internal::HeapObject* heap() const {
    if (rep() != kBoxed) return nullptr;
    return reinterpret_cast<const internal::HeapObject*>(static_cast<uintptr_t>(bits()));
  }

 private:
  friend struct internal::ValueAccess;
  static constexpr int kRepByte = 14;
  static constexpr int kTypeByte = 15;
  // Representation byte: immediate payload, pointer to a shared heap object,
  // or kInlineString + length of an inline string.
  static constexpr uint8_t kImmediate = 0;
  static constexpr uint8_t kBoxed = 1;
  static constexpr uint8_t kInlineString = 0x80;
  static constexpr size_t kMaxInline = 14;

  void Clear() { std::memset(raw_, 0, sizeof(raw_)); }
  // Word by word: see SetBits.
  void CopyRaw(const Value& other) {
    uint64_t low, high;
    std::memcpy(&low, other.raw_, 8);
    std::memcpy(&high, other.raw_ + 8, 8);
    std::memcpy(raw_, &low, 8);
    std::memcpy(raw_ + 8, &high, 8);
  }
  uint8_t rep() const { return raw_[kRepByte]; }
  uint64_t bits() const {
    uint64_t b;
    std::memcpy(&b, raw_, sizeof(b));
    return b;
  }
  // Two whole words, so that a Value made and then copied or moved goes
  // through registers (byte stores followed by a 16-byte load would stall
  // store forwarding).
  void SetBits(ValueType type, uint8_t rep, uint64_t b) {
    static_assert(std::endian::native == std::endian::little && kRepByte == 14 && kTypeByte == 15);
    uint64_t high = uint64_t{static_cast<uint8_t>(type)} << 56 | uint64_t{rep} << 48;
    std::memcpy(raw_, &b, sizeof(b));
    std::memcpy(raw_ + 8, &high, sizeof(high));
  }
  const internal::Interned* interned() const;
  // Takes over the caller's reference to `object`.
  static Value Boxed(ValueType type, internal::HeapObject* object) {
    Value v;
    v.SetBits(type, kBoxed, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(object)));
    return v;
  }
  void Retain() const {
    if (rep() == kBoxed) RetainBoxed();
  }
  void Release() {
    if (rep() == kBoxed) {
      ReleaseBoxed();
      Clear();
    }
  }
  // The reference count of a boxed value: up, and down (destroying the
  // object with the last reference).
  void RetainBoxed() const;
  void ReleaseBoxed() const;
  // A boxed string or uri's text.
  std::string_view BoxedString() const;

  alignas(8) unsigned char raw_[16];
};

static_assert(sizeof(Value) == 16, "Value is two words");

// The total order (see the file comment); also found by ADL.
int Compare(const Value& a, const Value& b);

// Hash functor for containers (absl, std).
struct ValueHash {
  size_t operator()(const Value& v) const { return v.Hash(); }
};

}  // namespace strata

template <>
struct std::hash<strata::Value> {
  size_t operator()(const strata::Value& v) const { return v.Hash(); }
};

#endif  // STRATA_VALUE_H_
