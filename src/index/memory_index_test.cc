// Searches that start from where the last one ended (MemoryIndex::ScanEavt
// from a finger, a cursor's SeekForward) give what a search from the root
// gives (property tests).
#include "index/memory_index.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "db/db_state.h"
#include "strata/connection.h"
#include "strata/edn.h"

namespace strata::internal {
namespace {

// 600 entities with some of four attributes (two of cardinality many):
// each attribute's datoms span several leaves.
Connection People() {
  Connection conn = Connection::CreateInMemory();
  conn.Transact(
      "[{:db/ident :p/a :db/valueType :db.type/long :db/cardinality :db.cardinality/one}"
      " {:db/ident :p/b :db/valueType :db.type/string :db/cardinality :db.cardinality/many}"
      " {:db/ident :p/c :db/valueType :db.type/long :db/cardinality :db.cardinality/many}"
      " {:db/ident :p/d :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}]");
  std::string tx = "[";
  for (int i = 0; i < 600; ++i) {
    tx += "{:db/id \"e" + std::to_string(i) + "\"";
    if (i % 2 == 0) tx += " :p/a " + std::to_string(i);
    if (i % 3 != 0) tx += " :p/b [\"x\" \"y" + std::to_string(i) + "\"]";
    if (i % 5 != 1) tx += " :p/c [1 2 3 " + std::to_string(i) + "]";
    tx += " :p/d :k" + std::to_string(i % 4) + "}";
  }
  conn.Transact(tx + "]");
  return conn;
}

Database PeopleDb() {
  static Connection conn = People();
  return conn.Db();
}

// The people's entity ids, in order.
std::vector<EntityId> Entities(const Database& db) {
  std::vector<EntityId> people;
  DatomIterator it = db.Datoms(Index::kAevt, {Value::Keyword("p/d")});
  while (const Datom* d = it.Next()) people.push_back(d->e);
  return people;
}

RC_GTEST_PROP(MemoryIndexTest, ScanFromAFingerEqualsAScanFromTheRoot, ()) {
  const Database db = PeopleDb();
  const MemoryIndex& index = db.state().index;
  const std::vector<EntityId> people = Entities(db);
  std::vector<EntityId> attrs;
  for (const char* name : {"p/a", "p/b", "p/c", "p/d"}) {
    attrs.push_back(*db.Entid(Value::Keyword(name)));
  }
  std::sort(attrs.begin(), attrs.end());

  MemoryIndex::EavtFinger finger;
  int scans = *rc::gen::inRange(1, 40);
  for (int s = 0; s < scans; ++s) {
    DatomKey key;
    // Mostly the next entities, as a pull reads them; sometimes back, the
    // same again, or one before the first.
    key.probe.e = *rc::gen::weightedOneOf<EntityId>(
        {{6, rc::gen::elementOf(people)}, {1, rc::gen::just(people.front() - 1)}});
    key.n = 1;
    if (*rc::gen::inRange(0, 4) == 0) {
      key.probe.a = *rc::gen::elementOf(attrs);
      key.n = 2;
    }
    std::vector<EntityId> only;
    if (key.n == 1 && *rc::gen::arbitrary<bool>()) {
      for (EntityId a : attrs) {
        if (*rc::gen::arbitrary<bool>()) only.push_back(a);
      }
    }
    std::vector<const Datom*> expected, got;
    index.Scan(Index::kEavt, Part::kCurrent, key, &expected);
    if (!only.empty()) {
      std::erase_if(expected, [&](const Datom* d) {
        return !std::binary_search(only.begin(), only.end(), d->a);
      });
    }
    index.ScanEavt(key, only, &finger, &got);
    RC_ASSERT(got == expected);
  }
}

RC_GTEST_PROP(MemoryIndexTest, SeekForwardEqualsAFreshSeek, ()) {
  const Database db = PeopleDb();
  const MemoryIndex& index = db.state().index;
  const std::vector<EntityId> people = Entities(db);
  EntityId attr = *db.Entid(Value::Keyword(*rc::gen::element("p/a", "p/b", "p/c", "p/d")));
  // Entities in ascending order, near and far apart, as sorted lookups go.
  std::vector<EntityId> wanted = *rc::gen::container<std::vector<EntityId>>(
      *rc::gen::inRange(1, 200), rc::gen::elementOf(people));
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::unique_ptr<DatomCursor> cursor;
  for (EntityId e : wanted) {
    DatomKey key;
    key.probe.a = attr;
    key.probe.e = e;
    key.n = 2;
    std::vector<const Datom*> expected, got;
    std::unique_ptr<DatomCursor> fresh = index.Seek(Index::kAevt, Part::kCurrent, key, true);
    while (const Datom* d = fresh->Next()) expected.push_back(d);
    if (cursor == nullptr) {
      cursor = index.Seek(Index::kAevt, Part::kCurrent, key, true);
    } else {
      RC_ASSERT(cursor->SeekForward(key));
    }
    while (const Datom* d = cursor->Next()) got.push_back(d);
    RC_ASSERT(got == expected);
  }
}

}  // namespace
}  // namespace strata::internal
