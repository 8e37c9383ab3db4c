// Private to src/core: the heap objects behind boxed Values and the interned
// names behind keywords and symbols.
//
// A boxed Value points to a HeapObject, whose first field is an atomic
// reference count. Objects are immutable after construction, so sharing one
// between threads needs no lock; the count uses acquire/release ordering on
// the last release so the destroying thread sees the object whole.
//
// Variable-size objects (strings, bytes, sequences, maps) keep their payload
// right after the header in the same allocation:
//
//   StringObject: | refs | type | size |  bytes ...              |
//   SeqObject:    | refs | type | count | Value[0] Value[1] ...   |
//   (a map's SeqObject holds 2*count Values: k0 v0 k1 v1 ... sorted by key)
#ifndef STRATA_CORE_VALUE_INTERNAL_H_
#define STRATA_CORE_VALUE_INTERNAL_H_

#include <atomic>
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "strata/value.h"

namespace strata::internal {

using BigInteger = boost::multiprecision::cpp_int;

// The most decimal digits a big integer or big decimal may have: beyond it,
// the arithmetic of reading and comparing could take unbounded time.
inline constexpr size_t kMaxNumberDigits = 100000;

struct HeapObject {
  explicit HeapObject(ValueType t) : type(t) {}
  mutable std::atomic<uint32_t> refs{1};
  ValueType type;
  // For a sequence made by a SeqArena: its distance from the head
  // of its block, in units of kBlockUnit bytes; `refs` is then unused, the
  // block's count standing for it. 0 for an object allocated on its own.
  uint16_t block_units = 0;
};
static_assert(sizeof(HeapObject) == 8);

// Strings, uris and bytes.
struct StringObject : HeapObject {
  StringObject(ValueType t, uint64_t n) : HeapObject(t), size(n) {}
  uint64_t size;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view view() const { return {data(), size}; }
};

// Tuples, lists, vectors, sets (count values) and maps (2 * count values).
struct SeqObject : HeapObject {
  SeqObject(ValueType t, uint64_t n) : HeapObject(t), count(n) {}
  uint64_t count;
  Value* items() { return reinterpret_cast<Value*>(this + 1); }
  const Value* items() const { return reinterpret_cast<const Value*>(this + 1); }
  uint64_t item_count() const { return type == ValueType::kMap ? 2 * count : count; }
};
static_assert(sizeof(SeqObject) % alignof(Value) == 0);

struct BigIntObject : HeapObject {
  explicit BigIntObject(BigInteger v) : HeapObject(ValueType::kBigInt), value(std::move(v)) {}
  BigInteger value;
};

// unscaled * 10^-scale. `digits` is the number of decimal digits of
// |unscaled| (1 for zero), kept so that comparing two bigdecs never has to
// build a power of ten larger than their own digits.
struct BigDecObject : HeapObject {
  BigDecObject(BigInteger u, int32_t s, int32_t d)
      : HeapObject(ValueType::kBigDec), unscaled(std::move(u)), scale(s), digits(d) {}
  BigInteger unscaled;
  int32_t scale;
  int32_t digits;
};

struct UuidObject : HeapObject {
  explicit UuidObject(const Uuid& u) : HeapObject(ValueType::kUuid), uuid(u) {}
  Uuid uuid;
};

struct TaggedObject : HeapObject {
  TaggedObject(Value t, Value v)
      : HeapObject(ValueType::kTagged), tag(std::move(t)), value(std::move(v)) {}
  Value tag;
  Value value;
};

// An interned keyword or symbol name. Never freed: interned names live as
// long as the process.
struct Interned {
  std::string qualified;  // "ns/name" or "name"
  uint32_t ns_size;       // 0 when there is no namespace
  bool is_symbol;
  size_t hash;  // from the text, stable across processes
  // The first 8 bytes of namespace and name, big-endian, zero-padded: most
  // comparisons are decided by these without touching the text.
  uint64_t ns_prefix;
  uint64_t name_prefix;
  std::string_view ns() const { return std::string_view(qualified).substr(0, ns_size); }
  std::string_view name() const {
    return ns_size == 0 ? std::string_view(qualified)
                        : std::string_view(qualified).substr(ns_size + 1);
  }
};

// Returns the one Interned for this name. REQUIRES: `ns` is empty or `name`
// is non-empty. Thread-safe.
const Interned* Intern(bool is_symbol, std::string_view ns, std::string_view name);

// Access to Value's representation for the rest of src/core.
struct ValueAccess {
  // Takes over the caller's reference to `object`.
  static Value Box(ValueType type, HeapObject* object) { return Value::Boxed(type, object); }
  static const Interned* InternedOf(const Value& v) { return v.interned(); }
  // Moves n values from `from` to `to` by copying their bytes (a Value is
  // trivially relocatable), leaving nil behind and no count touched.
  // REQUIRES: `to` holds nils.
  static void Relocate(Value* from, size_t n, Value* to) {
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(to[i].raw_, from[i].raw_, sizeof(Value::raw_));
      from[i].Clear();
    }
  }
};

// Frees a heap object whose count reached zero.
void Destroy(const HeapObject* object);

// Big number access for the EDN reader and printer.
Value MakeBigInt(BigInteger value);
Value MakeBigDec(BigInteger unscaled, int32_t scale);
const BigInteger& BigIntOf(const Value& v);
const BigDecObject& BigDecOf(const Value& v);
// Number of decimal digits of |v| (1 for zero).
int32_t DecimalDigits(const BigInteger& v);

// Allocates a sequence object of `type` with room for `n` items (2n for a
// map), items default-constructed (nil); the caller fills them, then wraps the
// object with WrapSeq. Lets the EDN reader build collections in place.
SeqObject* AllocSeq(ValueType type, uint64_t n);
inline Value WrapSeq(SeqObject* object) { return ValueAccess::Box(object->type, object); }
// Sorts a map's or set's items in place and throws an Anomaly naming the
// first duplicate key or element.
void SortAndCheckUnique(SeqObject* object);

// The unit of HeapObject::block_units, and the alignment of blocks.
inline constexpr size_t kBlockUnit = 16;

// The head of a SeqArena's block. Its sequences share one reference count,
// the block's: a reference to any of them is a reference to the block, and
// the last one destroys them all and frees the block.
struct SeqBlock {
  std::atomic<uint32_t> refs{0};
  uint32_t objects = 0;  // sequences made in the block so far
  uint32_t bytes = 0;    // the block's size, its head included
  // Sequences made in it that may hold boxed items (to release when the
  // block goes); with none, the block is freed without reading them.
  uint32_t with_boxed = 0;
};
static_assert(sizeof(SeqBlock) == kBlockUnit);

inline SeqBlock* BlockOf(const HeapObject* h) {
  const char* head = reinterpret_cast<const char*>(h) - h->block_units * kBlockUnit;
  return reinterpret_cast<SeqBlock*>(const_cast<char*>(head));
}

// Drops n references to a block, destroying it with the last.
void ReleaseBlock(SeqBlock* block, uint32_t n);
// Destroys a sequence's items, releasing a run of items from one block (a
// query result's tuples) with one count update.
void DestroyItems(SeqObject* seq);

// Makes many sequences in shared blocks: one allocation for thousands of a
// query's result tuples or of a pull's maps rather than one each, and no
// atomic count update per sequence, made or destroyed with the whole.
//
// Each sequence is still a Value of its own: a block's memory goes back
// when the last reference to any of its sequences goes, whichever Value
// held it and whenever (so one sequence kept keeps its block, up to about
// 1 MiB). A reference from a sequence of a block to another of the same
// block is not counted (the block destroys both together): Place makes
// one. Not thread-safe (one builder); what it makes is as shareable as any
// Value.
class SeqArena {
 public:
  // `expected_bytes`: the first block's size, e.g. what the whole will take
  // (0: just the first sequence's, so a lone small result takes no more
  // than on its own); each next block is twice the one before.
  explicit SeqArena(uint64_t expected_bytes);
  SeqArena(const SeqArena&) = delete;
  SeqArena& operator=(const SeqArena&) = delete;
  ~SeqArena();

  // The bytes of `count` sequences of `type` with n items each.
  static uint64_t BytesFor(ValueType type, uint64_t n, uint64_t count) {
    return count * (sizeof(SeqObject) + (type == ValueType::kMap ? 2 * n : n) * sizeof(Value));
  }

  // A sequence of `type` with room for `n` items (2n for a map), items nil,
  // to fill (plain assignment, or Place) and wrap as AllocSeq's; the
  // wrapping Value owns one reference.
  // `immediates`: the caller puts only unboxed values in it (longs, ...),
  // so destroying it has nothing to release.
  SeqObject* Alloc(ValueType type, uint64_t n, bool immediates = false);
  // Item i of `parent`, a sequence this arena made and has not wrapped
  // into anything yet, becomes `item`; when both are in the arena's current
  // block, the reference goes uncounted. REQUIRES: `item` is not a sequence
  // of this arena made after `parent` (make children first, then their
  // parent): a block counted by an older one that counts it back would
  // never be freed.
  void Place(SeqObject* parent, uint64_t i, Value item);

 private:
  // Gives up the current block's references not handed out.
  void FinishBlock();

  uint64_t next_block_bytes_;
  SeqBlock* block_ = nullptr;
  uint64_t capacity_ = 0;  // the current block's size in bytes
  uint64_t used_ = 0;      // bytes of it used, header included
  // References to the current block's sequences handed out and counted.
  uint32_t counted_ = 0;
};

}  // namespace strata::internal

#endif  // STRATA_CORE_VALUE_INTERNAL_H_
