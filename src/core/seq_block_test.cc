// Sequences made in shared blocks (SeqArena): each is a Value of
// its own whatever happens to the others or to the collection holding them,
// and a block's memory goes back with its last reference (ASan's leak check
// and use-after-free detection run these too; make tsan the threaded one).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/value_internal.h"
#include "strata/edn.h"
#include "strata/value.h"

namespace strata::internal {
namespace {

// A set of `count` vectors [i, "a string of more than fourteen bytes i"],
// its tuples made in blocks.
Value MakeResult(uint64_t count) {
  SeqObject* set = AllocSeq(ValueType::kSet, count);
  Value result = WrapSeq(set);
  SeqArena tuples(SeqArena::BytesFor(ValueType::kVector, 2, count));
  for (uint64_t i = 0; i < count; ++i) {
    SeqObject* t = tuples.Alloc(ValueType::kVector, 2);
    t->items()[0] = Value::Long(static_cast<int64_t>(i));
    t->items()[1] = Value::String("a string of more than fourteen bytes " + std::to_string(i));
    set->items()[i] = WrapSeq(t);
  }
  return result;
}

void ExpectTuple(const Value& t, int64_t i) {
  ASSERT_TRUE(t.is_vector());
  ASSERT_EQ(t.Count(), 2u);
  EXPECT_EQ(t.Items()[0], Value::Long(i));
  EXPECT_EQ(t.Items()[1].AsString(), "a string of more than fourteen bytes " + std::to_string(i));
}

TEST(SeqBlockTest, TuplesAreOrdinaryValues) {
  Value result = MakeResult(3);
  EXPECT_EQ(PrintEdn(result),
            "#{[0 \"a string of more than fourteen bytes 0\"] "
            "[1 \"a string of more than fourteen bytes 1\"] "
            "[2 \"a string of more than fourteen bytes 2\"]}");
  EXPECT_EQ(
      result.Items()[1],
      Value::Vector({Value::Long(1), Value::String("a string of more than fourteen bytes 1")}));
  EXPECT_EQ(result.Items()[1].Hash(),
            Value::Vector({Value::Long(1), Value::String("a string of more than fourteen bytes 1")})
                .Hash());
}

TEST(SeqBlockTest, KeptTuplesOutliveTheirCollection) {
  // 100,000 tuples of 48 bytes span several blocks (each starts its last
  // object within 1 MiB of its head).
  constexpr uint64_t kCount = 100000;
  std::vector<Value> kept;
  {
    Value result = MakeResult(kCount);
    for (uint64_t i = 0; i < kCount; i += 9999) kept.push_back(result.Items()[i]);
    kept.push_back(result.Items()[kCount - 1]);
  }
  for (size_t j = 0; j + 1 < kept.size(); ++j) ExpectTuple(kept[j], static_cast<int64_t>(j * 9999));
  ExpectTuple(kept.back(), kCount - 1);
  // Dropping them one by one frees each block with its last tuple.
  while (!kept.empty()) {
    ExpectTuple(kept.back(), kept.back().Items()[0].AsLong());
    kept.pop_back();
  }
}

TEST(SeqBlockTest, TuplesOfImmediatesAreFreedWithoutReadingThem) {
  constexpr uint64_t kCount = 50000;
  Value kept;
  {
    SeqObject* set = AllocSeq(ValueType::kSet, kCount);
    Value result = WrapSeq(set);
    SeqArena tuples(SeqArena::BytesFor(ValueType::kVector, 2, kCount));
    for (uint64_t i = 0; i < kCount; ++i) {
      SeqObject* t = tuples.Alloc(ValueType::kVector, 2, /*immediates=*/true);
      t->items()[0] = Value::Long(static_cast<int64_t>(i));
      t->items()[1] = Value::Long(-static_cast<int64_t>(i));
      set->items()[i] = WrapSeq(t);
    }
    kept = result.Items()[kCount - 7];
  }
  EXPECT_EQ(PrintEdn(kept), "[49993 -49993]");
}

TEST(SeqBlockTest, CopiesAndMovesCountOnTheBlock) {
  Value one;
  {
    Value result = MakeResult(10);
    Value copy = result.Items()[4];
    Value second = copy;
    one = std::move(second);
    Value other = result.Items()[5];
  }
  ExpectTuple(one, 4);
  Value again = one;
  one = Value();
  ExpectTuple(again, 4);
}

TEST(SeqBlockTest, FewerSequencesThanExpected) {
  SeqObject* set = AllocSeq(ValueType::kVector, 3);
  Value result = WrapSeq(set);
  {
    SeqArena tuples(SeqArena::BytesFor(ValueType::kTuple, 1, 1000));
    for (int i = 0; i < 3; ++i) {
      SeqObject* t = tuples.Alloc(ValueType::kTuple, 1);
      t->items()[0] = Value::Long(i);
      set->items()[i] = WrapSeq(t);
    }
  }
  EXPECT_EQ(PrintEdn(result), "[[0] [1] [2]]");
  { SeqArena unused(SeqArena::BytesFor(ValueType::kVector, 4, 50)); }
}

TEST(SeqBlockTest, BlockTuplesInsideBlockTuples) {
  Value inner = MakeResult(4);
  SeqObject* outer_set = AllocSeq(ValueType::kVector, 4);
  Value outer = WrapSeq(outer_set);
  {
    SeqArena tuples(SeqArena::BytesFor(ValueType::kVector, 1, 4));
    for (size_t i = 0; i < 4; ++i) {
      SeqObject* t = tuples.Alloc(ValueType::kVector, 1);
      t->items()[0] = inner.Items()[i];
      outer_set->items()[i] = WrapSeq(t);
    }
  }
  inner = Value();
  Value kept = outer.Items()[2].Items()[0];
  outer = Value();
  ExpectTuple(kept, 2);
}

// A tree of maps and vectors as a pull builds it: children first, then
// their parent, which they are placed in. {:n i :z [{:n ...} ...]}
Value MakeTree(SeqArena* arena, int depth, int* next) {
  SeqObject* map = nullptr;
  Value kids;
  if (depth > 0) {
    std::vector<Value> made;
    for (int i = 0; i < 3; ++i) made.push_back(MakeTree(arena, depth - 1, next));
    SeqObject* vec = arena->Alloc(ValueType::kVector, 3);
    for (uint64_t i = 0; i < 3; ++i) arena->Place(vec, i, std::move(made[i]));
    kids = WrapSeq(vec);
  }
  map = arena->Alloc(ValueType::kMap, depth > 0 ? 2 : 1);
  map->items()[0] = Value::Keyword("n");
  map->items()[1] = Value::Long((*next)++);
  if (depth > 0) {
    map->items()[2] = Value::Keyword("z");
    arena->Place(map, 3, std::move(kids));
  }
  return WrapSeq(map);
}

int64_t SumOfTree(const Value& m) {
  int64_t sum = m.Get(Value::Keyword("n"))->AsLong();
  if (const Value* kids = m.Get(Value::Keyword("z"))) {
    for (const Value& k : kids->Items()) sum += SumOfTree(k);
  }
  return sum;
}

TEST(SeqBlockTest, NestedSequencesOfOneArena) {
  // 3^6 leaves: 1,093 maps and 364 vectors. A small first block makes the
  // tree span blocks, so references within a block and across blocks both
  // occur.
  for (uint64_t first_block : {uint64_t{256}, uint64_t{1} << 20}) {
    int next = 0;
    Value tree;
    {
      SeqArena arena(first_block);
      tree = MakeTree(&arena, 6, &next);
    }
    const int64_t n = next;
    EXPECT_EQ(SumOfTree(tree), n * (n - 1) / 2);
    // A subtree kept outlives the tree; dropping it frees the rest (the
    // leak check of ASan runs would say otherwise).
    Value subtree = tree.Get(Value::Keyword("z"))->Items()[1];
    Value leaf_vector = *subtree.Get(Value::Keyword("z"));
    int64_t sum = SumOfTree(subtree);
    tree = Value();
    EXPECT_EQ(SumOfTree(subtree), sum);
    subtree = Value();
    EXPECT_EQ(leaf_vector.Count(), 3u);
  }
}

TEST(SeqBlockTest, TuplesOfOneBlockSharedBetweenThreads) {
  constexpr int kThreads = 4;
  Value result = MakeResult(64);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    // Each thread keeps its own copies and drops them in its own order.
    std::vector<Value> mine(result.Items().begin(), result.Items().end());
    threads.emplace_back([t, mine = std::move(mine), &mismatches]() mutable {
      for (int round = 0; round < 200; ++round) {
        for (size_t i = 0; i < mine.size(); ++i) {
          Value copy = mine[(i * 7 + t) % mine.size()];
          if (copy.Count() != 2) ++mismatches[t];
        }
      }
      while (!mine.empty()) mine.pop_back();
    });
  }
  result = Value();
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0);
}

}  // namespace
}  // namespace strata::internal
