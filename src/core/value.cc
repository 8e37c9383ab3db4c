// Value construction, accessors and reference counting. Comparison and
// hashing are in value_compare.cc.
#include "strata/value.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <new>

#include "core/names.h"
#include "core/value_internal.h"
#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata {

using internal::BigDecObject;
using internal::BigInteger;
using internal::BigIntObject;
using internal::HeapObject;
using internal::Interned;
using internal::SeqObject;
using internal::StringObject;
using internal::TaggedObject;
using internal::UuidObject;

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kNil:
      return "nil";
    case ValueType::kBoolean:
      return "boolean";
    case ValueType::kLong:
      return "long";
    case ValueType::kRef:
      return "ref";
    case ValueType::kBigInt:
      return "bigint";
    case ValueType::kFloat:
      return "float";
    case ValueType::kDouble:
      return "double";
    case ValueType::kBigDec:
      return "bigdec";
    case ValueType::kChar:
      return "char";
    case ValueType::kString:
      return "string";
    case ValueType::kKeyword:
      return "keyword";
    case ValueType::kSymbol:
      return "symbol";
    case ValueType::kInstant:
      return "instant";
    case ValueType::kUuid:
      return "uuid";
    case ValueType::kUri:
      return "uri";
    case ValueType::kBytes:
      return "bytes";
    case ValueType::kTuple:
      return "tuple";
    case ValueType::kList:
      return "list";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMap:
      return "map";
    case ValueType::kSet:
      return "set";
    case ValueType::kTagged:
      return "tagged";
  }
  return "unknown";
}

// ---- Uuid ------------------------------------------------------------------

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Uuid::Parse(std::string_view text, Uuid* out) {
  if (text.size() != 36) return false;
  size_t byte = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    int hi = HexDigit(text[i]);
    int lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->bytes[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return true;
}

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes[i] >> 4]);
    s.push_back(kHex[bytes[i] & 15]);
  }
  return s;
}

// ---- Heap objects ------------------------------------------------------------

namespace internal {

namespace {

StringObject* AllocString(ValueType type, std::string_view s) {
  void* mem = ::operator new(sizeof(StringObject) + s.size());
  auto* obj = new (mem) StringObject(type, s.size());
  if (!s.empty()) std::memcpy(obj->data(), s.data(), s.size());
  return obj;
}

}  // namespace

SeqObject* AllocSeq(ValueType type, uint64_t n) {
  uint64_t items = type == ValueType::kMap ? 2 * n : n;
  void* mem = ::operator new(sizeof(SeqObject) + items * sizeof(Value));
  auto* obj = new (mem) SeqObject(type, n);
  for (uint64_t i = 0; i < items; ++i) new (obj->items() + i) Value();
  return obj;
}

namespace {

// The furthest an object may start from its block's head (65535 units):
// the capacity of HeapObject::block_units.
constexpr uint64_t kMaxBlockOffset = uint64_t{65535} * kBlockUnit;

// A block's count while its arena may still make objects in it: more than
// its references can ever drop by meanwhile.
constexpr uint32_t kBuilding = uint32_t{1} << 30;

uint64_t SeqBytes(ValueType type, uint64_t n) {
  return sizeof(SeqObject) + (type == ValueType::kMap ? 2 * n : n) * sizeof(Value);
}

void DestroyBlock(SeqBlock* block) {
  char* at = reinterpret_cast<char*>(block) + kBlockUnit;
  for (uint32_t i = 0; i < block->objects && block->with_boxed > 0; ++i) {
    auto* seq = reinterpret_cast<SeqObject*>(at);
    at += SeqBytes(seq->type, seq->count);
    DestroyItems(seq);
    seq->~SeqObject();
  }
  block->~SeqBlock();
  ::operator delete (block, std::align_val_t{kBlockUnit});
}

}  // namespace

void ReleaseBlock(SeqBlock* block, uint32_t n) {
  // Holding every reference there is, no other thread can take one.
  if (block->refs.load(std::memory_order_acquire) == n ||
      block->refs.fetch_sub(n, std::memory_order_acq_rel) == n) {
    DestroyBlock(block);
  }
}

void DestroyItems(SeqObject* seq) {
  // Items in the sequence's own block are not counted (see SeqArena).
  const SeqBlock* own = seq->block_units != 0 ? BlockOf(seq) : nullptr;
  Value* items = seq->items();
  uint64_t n = seq->item_count();
  for (uint64_t i = 0; i < n;) {
    const HeapObject* h = items[i].heap();
    if (h == nullptr || h->block_units == 0) {
      items[i++].~Value();
      continue;
    }
    // A run of items from one block (a query result's tuples): one release.
    // An item is in the block when its address is (memory is not shared),
    // so the items after the first are not read.
    SeqBlock* block = BlockOf(h);
    auto lo = reinterpret_cast<uintptr_t>(block);
    uintptr_t hi = lo + block->bytes;
    uint64_t run = 1;
    while (i + run < n) {
      auto next = reinterpret_cast<uintptr_t>(items[i + run].heap());
      if (next < lo || next >= hi) break;  // also nullptr
      ++run;
    }
    i += run;
    if (block != own) ReleaseBlock(block, static_cast<uint32_t>(run));
  }
}

SeqArena::SeqArena(uint64_t expected_bytes)
    : next_block_bytes_(std::min<uint64_t>(expected_bytes + kBlockUnit, kMaxBlockOffset)) {
  static_assert(sizeof(SeqObject) % kBlockUnit == 0 && sizeof(Value) == kBlockUnit);
}

SeqArena::~SeqArena() { FinishBlock(); }

void SeqArena::FinishBlock() {
  if (block_ == nullptr) return;
  // Down from kBuilding to the references handed out and not placed in
  // the block.
  ReleaseBlock(block_, kBuilding - counted_);
  block_ = nullptr;
}

SeqObject* SeqArena::Alloc(ValueType type, uint64_t n, bool immediates) {
  uint64_t bytes = SeqBytes(type, n);
  // One too large for a block's 32-bit size is made alone.
  if (bytes > kMaxBlockOffset) return AllocSeq(type, n);
  if (block_ == nullptr || used_ + bytes > capacity_ || used_ > kMaxBlockOffset) {
    FinishBlock();
    // Blocks grow as an arena fills them, up to about the most one can
    // address.
    uint64_t size = std::max(next_block_bytes_, kBlockUnit + bytes);
    next_block_bytes_ = std::min<uint64_t>(2 * size, kMaxBlockOffset);
    void* mem = ::operator new (size, std::align_val_t{kBlockUnit});
    block_ = new (mem) SeqBlock();
    block_->refs.store(kBuilding, std::memory_order_relaxed);
    block_->bytes = static_cast<uint32_t>(size);
    capacity_ = size;
    used_ = kBlockUnit;
    counted_ = 0;
  }
  auto* obj = new (reinterpret_cast<char*>(block_) + used_) SeqObject(type, n);
  obj->refs.store(0, std::memory_order_relaxed);  // the block's count is the one used
  obj->block_units = static_cast<uint16_t>(used_ / kBlockUnit);
  uint64_t items = obj->item_count();
  for (uint64_t i = 0; i < items; ++i) new (obj->items() + i) Value();
  used_ += bytes;
  ++block_->objects;
  if (!immediates) ++block_->with_boxed;
  ++counted_;
  return obj;
}

void SeqArena::Place(SeqObject* parent, uint64_t i, Value item) {
  const HeapObject* h = item.heap();
  // A parent in an older block than its item would make a cycle of counts.
  assert(h == nullptr || h->block_units == 0 || parent->block_units == 0 || BlockOf(h) != block_ ||
         BlockOf(parent) == block_);
  if (h != nullptr && h->block_units != 0 && parent->block_units != 0 && block_ != nullptr &&
      BlockOf(h) == block_ && BlockOf(parent) == block_) {
    // A reference within the block goes with the block: uncounted.
    --counted_;
  }
  parent->items()[i] = std::move(item);
}

void Destroy(const HeapObject* object) {
  switch (object->type) {
    case ValueType::kString:
    case ValueType::kUri:
    case ValueType::kBytes: {
      auto* s = static_cast<const StringObject*>(object);
      s->~StringObject();
      ::operator delete(const_cast<StringObject*>(s));
      return;
    }
    case ValueType::kTuple:
    case ValueType::kList:
    case ValueType::kVector:
    case ValueType::kMap:
    case ValueType::kSet: {
      // (Sequences in a block go with their block: see ReleaseBoxed.)
      auto* seq = const_cast<SeqObject*>(static_cast<const SeqObject*>(object));
      DestroyItems(seq);
      seq->~SeqObject();
      ::operator delete(seq);
      return;
    }
    case ValueType::kBigInt:
      delete static_cast<const BigIntObject*>(object);
      return;
    case ValueType::kBigDec:
      delete static_cast<const BigDecObject*>(object);
      return;
    case ValueType::kUuid:
      delete static_cast<const UuidObject*>(object);
      return;
    case ValueType::kTagged:
      delete static_cast<const TaggedObject*>(object);
      return;
    default:
      assert(false && "not a heap type");
  }
}

int32_t DecimalDigits(const BigInteger& v) {
  if (v.is_zero()) return 1;
  BigInteger m = abs(v);
  // Estimate from the bit length, then correct by one comparison.
  size_t bits = boost::multiprecision::msb(m) + 1;
  auto digits = static_cast<int32_t>(static_cast<double>(bits - 1) * 0.30102999566398120) + 1;
  BigInteger p = boost::multiprecision::pow(BigInteger(10), static_cast<unsigned>(digits));
  while (m >= p) {
    ++digits;
    p *= 10;
  }
  while (digits > 1) {
    BigInteger lower = p / 10;
    if (m >= lower) break;
    --digits;
    p = lower;
  }
  return digits;
}

Value MakeBigInt(BigInteger value) {
  return ValueAccess::Box(ValueType::kBigInt, new BigIntObject(std::move(value)));
}

Value MakeBigDec(BigInteger unscaled, int32_t scale) {
  int32_t digits = DecimalDigits(unscaled);
  return ValueAccess::Box(ValueType::kBigDec, new BigDecObject(std::move(unscaled), scale, digits));
}

const BigInteger& BigIntOf(const Value& v) {
  assert(v.type() == ValueType::kBigInt);
  return static_cast<const BigIntObject*>(v.heap())->value;
}

const BigDecObject& BigDecOf(const Value& v) {
  assert(v.type() == ValueType::kBigDec);
  return *static_cast<const BigDecObject*>(v.heap());
}

namespace {

// Insertion sort of a map's entries in place (maps are small); swaps whole
// entries.
void SortEntriesSmall(Value* items, uint64_t n) {
  for (uint64_t i = 1; i < n; ++i) {
    for (uint64_t j = i; j > 0 && Compare(items[2 * j], items[2 * j - 2]) < 0; --j) {
      std::swap(items[2 * j], items[2 * j - 2]);
      std::swap(items[2 * j + 1], items[2 * j - 1]);
    }
  }
}

void SortEntries(Value* items, uint64_t n) {
  if (n <= 16) {
    SortEntriesSmall(items, n);
    return;
  }
  std::vector<ValuePair> entries;
  entries.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    entries.emplace_back(std::move(items[2 * i]), std::move(items[2 * i + 1]));
  }
  std::sort(entries.begin(), entries.end(),
            [](const ValuePair& a, const ValuePair& b) { return Compare(a.first, b.first) < 0; });
  for (uint64_t i = 0; i < n; ++i) {
    items[2 * i] = std::move(entries[i].first);
    items[2 * i + 1] = std::move(entries[i].second);
  }
}

}  // namespace

void SortAndCheckUnique(SeqObject* object) {
  bool is_map = object->type == ValueType::kMap;
  uint64_t n = object->count;
  if (n < 2) return;
  if (is_map) {
    Value* items = object->items();
    SortEntries(items, n);
    for (uint64_t i = 1; i < n; ++i) {
      if (items[2 * i - 2] == items[2 * i]) {
        ThrowIncorrect("duplicate-key",
                       fmt::format("Duplicate key {} in a map: each key may "
                                   "appear once",
                                   PrintEdn(items[2 * i])),
                       Value::Map({{Value::Keyword("key"), items[2 * i]}}));
      }
    }
  } else {
    Value* items = object->items();
    std::sort(items, items + n, [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
    for (uint64_t i = 1; i < n; ++i) {
      if (items[i - 1] == items[i]) {
        ThrowIncorrect("duplicate-element",
                       fmt::format("Duplicate element {} in a set: each "
                                   "element may appear once",
                                   PrintEdn(items[i])),
                       Value::Map({{Value::Keyword("element"), items[i]}}));
      }
    }
  }
}

}  // namespace internal

// ---- Reference counting -----------------------------------------------------

void Value::RetainBoxed() const {
  const HeapObject* h = heap();
  if (h->block_units != 0) {
    internal::BlockOf(h)->refs.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  h->refs.fetch_add(1, std::memory_order_relaxed);
}

void Value::ReleaseBoxed() const {
  const HeapObject* h = heap();
  if (h->block_units != 0) {
    internal::ReleaseBlock(internal::BlockOf(h), 1);
    return;
  }
  // A count of one is this Value's own reference: no other can take a new
  // one meanwhile, so the object is this thread's to destroy, with no
  // read-modify-write.
  if (h->refs.load(std::memory_order_acquire) == 1 ||
      h->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    internal::Destroy(h);
  }
}

const internal::Interned* Value::interned() const {
  return reinterpret_cast<const Interned*>(static_cast<uintptr_t>(bits()));
}

// ---- Factories ---------------------------------------------------------------

Value Value::Boolean(bool b) {
  Value v;
  v.SetBits(ValueType::kBoolean, kImmediate, b ? 1 : 0);
  return v;
}

Value Value::BigInt(std::string_view decimal) {
  std::string_view digits = decimal;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    ThrowIncorrect("not-a-number", fmt::format("\"{}\" is not a big integer: write an optional "
                                               "sign and decimal digits",
                                               decimal));
  }
  if (digits.size() > internal::kMaxNumberDigits) {
    ThrowIncorrect("number-too-long",
                   fmt::format("A big number may have at most {} digits; this one has {}",
                               internal::kMaxNumberDigits, digits.size()));
  }
  BigInteger n(digits);
  if (decimal[0] == '-') n = -n;
  return internal::MakeBigInt(std::move(n));
}

Value Value::BigInt(int64_t n) { return internal::MakeBigInt(BigInteger(n)); }

Value Value::Float(float f) {
  if (std::isnan(f)) f = std::numeric_limits<float>::quiet_NaN();
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  Value v;
  v.SetBits(ValueType::kFloat, kImmediate, b);
  return v;
}

Value Value::Double(double d) {
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  uint64_t b;
  std::memcpy(&b, &d, sizeof(b));
  Value v;
  v.SetBits(ValueType::kDouble, kImmediate, b);
  return v;
}

Value Value::BigDec(std::string_view unscaled, int32_t scale) {
  Value n = BigInt(unscaled);
  return internal::MakeBigDec(internal::BigIntOf(n), scale);
}

Value Value::Char(char32_t code_point) {
  if (code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    ThrowIncorrect("invalid-char", fmt::format("U+{:X} is not a Unicode scalar value: a "
                                               "character must be at most U+10FFFF and not a "
                                               "surrogate",
                                               static_cast<uint32_t>(code_point)));
  }
  Value v;
  v.SetBits(ValueType::kChar, kImmediate, code_point);
  return v;
}

Value Value::String(std::string_view s) {
  if (s.size() <= kMaxInline) {
    Value v;
    std::memcpy(v.raw_, s.data(), s.size());
    v.raw_[kRepByte] = static_cast<uint8_t>(kInlineString | s.size());
    v.raw_[kTypeByte] = static_cast<uint8_t>(ValueType::kString);
    return v;
  }
  return Boxed(ValueType::kString, internal::AllocString(ValueType::kString, s));
}

namespace {

void CheckName(bool is_symbol, std::string_view ns, std::string_view name) {
  std::string why = InvalidNameReason(!is_symbol, ns, name);
  if (!why.empty()) {
    ThrowIncorrect("invalid-name",
                   fmt::format("\"{}{}{}\" is not a valid {}: {}", ns, ns.empty() ? "" : "/", name,
                               is_symbol ? "symbol" : "keyword", why));
  }
}

}  // namespace

Value Value::Keyword(std::string_view ns, std::string_view name) {
  CheckName(false, ns, name);
  Value v;
  v.SetBits(ValueType::kKeyword, kImmediate,
            static_cast<uint64_t>(reinterpret_cast<uintptr_t>(internal::Intern(false, ns, name))));
  return v;
}

Value Value::Keyword(std::string_view qualified) {
  std::string_view ns, name;
  SplitQualifiedName(qualified, &ns, &name);
  return Keyword(ns, name);
}

Value Value::Symbol(std::string_view ns, std::string_view name) {
  CheckName(true, ns, name);
  Value v;
  v.SetBits(ValueType::kSymbol, kImmediate,
            static_cast<uint64_t>(reinterpret_cast<uintptr_t>(internal::Intern(true, ns, name))));
  return v;
}

Value Value::Symbol(std::string_view qualified) {
  std::string_view ns, name;
  SplitQualifiedName(qualified, &ns, &name);
  return Symbol(ns, name);
}

Value Value::Instant(int64_t epoch_ms) {
  Value v;
  v.SetBits(ValueType::kInstant, kImmediate, static_cast<uint64_t>(epoch_ms));
  return v;
}

Value Value::MakeUuid(const Uuid& uuid) { return Boxed(ValueType::kUuid, new UuidObject(uuid)); }

Value Value::Uri(std::string_view uri) {
  // RFC 3986's characters; anything else must be percent-encoded.
  constexpr std::string_view kPunct = "-._~:/?#[]@!$&'()*+,;=%";
  if (uri.empty()) ThrowIncorrect("invalid-uri", "A URI cannot be empty");
  for (char c : uri) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              kPunct.find(c) != std::string_view::npos;
    if (!ok) {
      ThrowIncorrect("invalid-uri",
                     fmt::format("A URI may not contain the byte 0x{:02x} ('{}'): "
                                 "percent-encode it, as %{:02X}",
                                 static_cast<uint8_t>(c),
                                 static_cast<uint8_t>(c) >= 0x20 && static_cast<uint8_t>(c) < 0x7f
                                     ? std::string(1, c)
                                     : std::string("?"),
                                 static_cast<uint8_t>(c)),
                     Value::Map({{Value::Keyword("uri"), Value::String(uri)}}));
    }
  }
  return Boxed(ValueType::kUri, internal::AllocString(ValueType::kUri, uri));
}

Value Value::Bytes(std::span<const uint8_t> bytes) {
  return Boxed(ValueType::kBytes,
               internal::AllocString(
                   ValueType::kBytes,
                   std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
}

namespace {

Value MakeSeq(ValueType type, std::vector<Value>&& items) {
  SeqObject* seq = internal::AllocSeq(type, items.size());
  std::move(items.begin(), items.end(), seq->items());
  return internal::WrapSeq(seq);
}

Value MakeSeq(ValueType type, std::initializer_list<Value> items) {
  SeqObject* seq = internal::AllocSeq(type, items.size());
  std::copy(items.begin(), items.end(), seq->items());
  return internal::WrapSeq(seq);
}

// Sorts and checks a set or map; frees it if it has a duplicate.
Value FinishSorted(SeqObject* seq) {
  Value v = internal::WrapSeq(seq);  // owns seq from here on
  internal::SortAndCheckUnique(seq);
  return v;
}

}  // namespace

Value Value::Tuple(std::vector<Value> items) {
  return MakeSeq(ValueType::kTuple, std::move(items));
}
Value Value::List(std::vector<Value> items) { return MakeSeq(ValueType::kList, std::move(items)); }
Value Value::Vector(std::vector<Value> items) {
  return MakeSeq(ValueType::kVector, std::move(items));
}
Value Value::Tuple(std::initializer_list<Value> items) { return MakeSeq(ValueType::kTuple, items); }
Value Value::List(std::initializer_list<Value> items) { return MakeSeq(ValueType::kList, items); }
Value Value::Vector(std::initializer_list<Value> items) {
  return MakeSeq(ValueType::kVector, items);
}

Value Value::Map(std::vector<ValuePair> entries) {
  SeqObject* seq = internal::AllocSeq(ValueType::kMap, entries.size());
  Value* out = seq->items();
  for (auto& [k, v] : entries) {
    *out++ = std::move(k);
    *out++ = std::move(v);
  }
  return FinishSorted(seq);
}

Value Value::Map(std::initializer_list<ValuePair> entries) {
  SeqObject* seq = internal::AllocSeq(ValueType::kMap, entries.size());
  Value* out = seq->items();
  for (const auto& [k, v] : entries) {
    *out++ = k;
    *out++ = v;
  }
  return FinishSorted(seq);
}

Value Value::Set(std::vector<Value> items) {
  SeqObject* seq = internal::AllocSeq(ValueType::kSet, items.size());
  std::move(items.begin(), items.end(), seq->items());
  return FinishSorted(seq);
}

Value Value::Set(std::initializer_list<Value> items) {
  SeqObject* seq = internal::AllocSeq(ValueType::kSet, items.size());
  std::copy(items.begin(), items.end(), seq->items());
  return FinishSorted(seq);
}

Value Value::Tagged(const Value& tag, Value value) {
  // Only tags the reader would keep as tagged values: a symbol starting with
  // a letter, and none of the tags the reader turns into other types.
  std::string_view name = tag.is_symbol() ? tag.QualifiedName() : std::string_view();
  bool letter =
      !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'));
  if (!letter || name == "inst" || name == "uuid" || name == "strata/float" ||
      name == "strata/uri" || name == "strata/bytes") {
    ThrowIncorrect("invalid-tag",
                   fmt::format("{} cannot tag a value: a tag is a symbol starting with a letter, "
                               "other than the built-in #inst, #uuid and #strata/...",
                               PrintEdn(tag)));
  }
  return Boxed(ValueType::kTagged, new TaggedObject(tag, std::move(value)));
}

// ---- Accessors ---------------------------------------------------------------

bool Value::is_sequential() const {
  ValueType t = type();
  return t == ValueType::kTuple || t == ValueType::kList || t == ValueType::kVector;
}

bool Value::is_collection() const {
  ValueType t = type();
  return is_sequential() || t == ValueType::kMap || t == ValueType::kSet;
}

bool Value::AsBoolean() const {
  assert(is_boolean());
  return bits() != 0;
}

float Value::AsFloat() const {
  assert(is_float());
  auto b = static_cast<uint32_t>(bits());
  float f;
  std::memcpy(&f, &b, sizeof(f));
  return f;
}

double Value::AsDouble() const {
  assert(is_double());
  uint64_t b = bits();
  double d;
  std::memcpy(&d, &b, sizeof(d));
  return d;
}

char32_t Value::AsChar() const {
  assert(type() == ValueType::kChar);
  return static_cast<char32_t>(bits());
}

std::string_view Value::BoxedString() const {
  return static_cast<const StringObject*>(heap())->view();
}

std::string_view Value::Namespace() const {
  assert(is_keyword() || is_symbol());
  return interned()->ns();
}

std::string_view Value::Name() const {
  assert(is_keyword() || is_symbol());
  return interned()->name();
}

std::string_view Value::QualifiedName() const {
  assert(is_keyword() || is_symbol());
  return interned()->qualified;
}

const Uuid& Value::AsUuid() const {
  assert(type() == ValueType::kUuid);
  return static_cast<const UuidObject*>(heap())->uuid;
}

std::span<const uint8_t> Value::AsBytes() const {
  assert(type() == ValueType::kBytes);
  auto* s = static_cast<const StringObject*>(heap());
  return {reinterpret_cast<const uint8_t*>(s->data()), s->size};
}

std::string Value::BigIntText() const { return internal::BigIntOf(*this).str(); }

std::string Value::BigDecUnscaledText() const { return internal::BigDecOf(*this).unscaled.str(); }

int32_t Value::BigDecScale() const { return internal::BigDecOf(*this).scale; }

std::span<const Value> Value::Items() const {
  if (!is_collection()) return {};
  auto* seq = static_cast<const SeqObject*>(heap());
  return {seq->items(), seq->item_count()};
}

size_t Value::Count() const {
  if (!is_collection()) return 0;
  return static_cast<const SeqObject*>(heap())->count;
}

const Value* Value::Get(const Value& key) const {
  if (!is_map()) return nullptr;
  auto* seq = static_cast<const SeqObject*>(heap());
  const Value* items = seq->items();
  // Entity maps are small: a scan for an equal key beats a search there.
  constexpr size_t kScan = 8;
  if (seq->count <= kScan) {
    for (size_t i = 0; i < seq->count; ++i) {
      if (items[2 * i] == key) return &items[2 * i + 1];
    }
    return nullptr;
  }
  size_t lo = 0, hi = seq->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = Compare(items[2 * mid], key);
    if (c == 0) return &items[2 * mid + 1];
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return nullptr;
}

bool Value::Contains(const Value& item) const {
  if (!is_set()) return false;
  std::span<const Value> items = Items();
  return std::binary_search(items.begin(), items.end(), item,
                            [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
}

const Value& Value::Tag() const {
  assert(type() == ValueType::kTagged);
  return static_cast<const TaggedObject*>(heap())->tag;
}

const Value& Value::TaggedValue() const {
  assert(type() == ValueType::kTagged);
  return static_cast<const TaggedObject*>(heap())->value;
}

const void* Value::InternedId() const {
  assert(is_keyword() || is_symbol());
  return interned();
}

}  // namespace strata
