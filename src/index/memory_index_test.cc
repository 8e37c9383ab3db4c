// MemoryIndex::ScanEavt: a scan from a finger gives what a scan from the
// root gives, whatever order the keys come in (property test).
#include "index/memory_index.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "db/db_state.h"
#include "strata/connection.h"
#include "strata/edn.h"

namespace strata::internal {
namespace {

// 60 entities with some of four attributes (two of cardinality many).
Connection People() {
  Connection conn = Connection::CreateInMemory();
  conn.Transact(
      "[{:db/ident :p/a :db/valueType :db.type/long :db/cardinality :db.cardinality/one}"
      " {:db/ident :p/b :db/valueType :db.type/string :db/cardinality :db.cardinality/many}"
      " {:db/ident :p/c :db/valueType :db.type/long :db/cardinality :db.cardinality/many}"
      " {:db/ident :p/d :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}]");
  std::string tx = "[";
  for (int i = 0; i < 60; ++i) {
    tx += "{:db/id \"e" + std::to_string(i) + "\"";
    if (i % 2 == 0) tx += " :p/a " + std::to_string(i);
    if (i % 3 != 0) tx += " :p/b [\"x\" \"y" + std::to_string(i) + "\"]";
    if (i % 5 != 1) tx += " :p/c [1 2 3 " + std::to_string(i) + "]";
    tx += " :p/d :k" + std::to_string(i % 4) + "}";
  }
  conn.Transact(tx + "]");
  return conn;
}

RC_GTEST_PROP(MemoryIndexTest, ScanFromAFingerEqualsAScanFromTheRoot, ()) {
  static Connection conn = People();
  Database db = conn.Db();
  const MemoryIndex& index = db.state().index;
  std::vector<EntityId> people;
  DatomIterator it = db.Datoms(Index::kAevt, {Value::Keyword("p/d")});
  while (const Datom* d = it.Next()) people.push_back(d->e);
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

}  // namespace
}  // namespace strata::internal
