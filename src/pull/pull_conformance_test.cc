// The pull and entity cases of tests/conformance (p-*.edn, e-*.edn) as
// golden tests: each case's schema and transactions are run on a fresh
// in-memory database, then its :pull (:eid or :eids) or :entity (:get), and
// the answer is compared with NAME.expected.edn by the cases' canonical
// rules (tests/conformance/README.md): :db/id entries dropped, collections
// compared sorted, tuples kept in order. Cases with a :query are the query
// engine's to run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "db/db_state.h"
#include "db/schema.h"
#include "strata/entity.h"
#include "strata/pull.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Value* Field(const Value& map, std::string_view name) { return map.Get(K(name)); }

// The canonical form of a pull or entity answer (see the file comment).
Value Canonical(const Value& v) {
  if (v.is_map()) {
    std::vector<ValuePair> entries;
    for (size_t i = 0; i < v.Count(); ++i) {
      if (v.MapKey(i) == K("db/id")) continue;
      entries.emplace_back(v.MapKey(i), Canonical(v.MapVal(i)));
    }
    return Value::Map(std::move(entries));
  }
  if (v.is_vector() || v.is_list() || v.is_set()) {
    std::vector<Value> items;
    for (const Value& item : v.Items()) items.push_back(Canonical(item));
    std::sort(items.begin(), items.end());
    return Value::Vector(std::move(items));
  }
  return v;
}

// Installs the case's schema map as Datomic schema entities.
void InstallSchema(Connection& conn, const Value& schema) {
  std::vector<Value> tx;
  for (size_t i = 0; i < schema.Count(); ++i) {
    std::vector<ValuePair> entries = {{K("db/ident"), schema.MapKey(i)}};
    const Value& spec = schema.MapVal(i);
    for (size_t j = 0; j < spec.Count(); ++j) entries.emplace_back(spec.MapKey(j), spec.MapVal(j));
    tx.push_back(Value::Map(std::move(entries)));
  }
  conn.Transact(Value::Vector(std::move(tx)));
}

// Follows an entity path (see README.md): the values reached, and whether
// any step may give several.
void Follow(const Entity& e, std::span<const Value> path, bool* many, std::vector<Value>* out) {
  const Schema& schema = *e.db().state().schema;
  const Value& step = path[0];
  std::string_view local = step.Name();
  std::optional<EntityId> id = schema.Entid(step);
  const Attribute* attr = id ? schema.Find(*id) : nullptr;
  bool reverse = false;
  if (attr == nullptr && local.size() > 1 && local[0] == '_') {
    id = schema.Entid(Value::Keyword(step.Namespace(), local.substr(1)));
    attr = id ? schema.Find(*id) : nullptr;
    reverse = true;
  }
  ASSERT_NE(attr, nullptr) << PrintEdn(step);
  if (reverse ? !attr->is_component : attr->many) *many = true;
  if (path.size() == 1) {
    Value v = e.Get(step);
    if (v.is_set()) {
      for (const Value& item : v.Items()) out->push_back(item);
    } else if (!v.is_nil()) {
      out->push_back(v);
    }
    return;
  }
  for (const Entity& next : e.GetEntities(step)) Follow(next, path.subspan(1), many, out);
}

Value RunEntity(const Database& db, const Value& lookup, const Value& gets) {
  std::optional<Entity> e = Entity::Find(db, lookup);
  if (!e) return Value();
  std::vector<ValuePair> entries;
  for (const Value& get : gets.Items()) {
    std::vector<Value> path = get.is_keyword()
                                  ? std::vector<Value>{get}
                                  : std::vector<Value>(get.Items().begin(), get.Items().end());
    bool many = false;
    std::vector<Value> reached;
    Follow(*e, path, &many, &reached);
    std::sort(reached.begin(), reached.end());
    reached.erase(std::unique(reached.begin(), reached.end()), reached.end());
    Value v = many ? Value::Set(reached) : reached.empty() ? Value() : reached[0];
    entries.emplace_back(get, v);
  }
  return Value::Map(std::move(entries));
}

// Runs one case; returns its answer.
Value RunCase(const Value& c) {
  Connection conn = Connection::CreateInMemory();
  if (const Value* schema = Field(c, "schema")) InstallSchema(conn, *schema);
  if (const Value* txs = Field(c, "tx")) {
    for (const Value& tx : txs->Items()) {
      if (tx.is_map()) {
        bool rejected = CatchAnomaly([&] { conn.Transact(*Field(tx, "tx-data")); }).has_value();
        if (!rejected) return K("error/unexpected-tx-success");
      } else {
        conn.Transact(tx);
      }
    }
  }
  Database db = conn.Db();
  if (const Value* pattern = Field(c, "pull")) {
    if (const Value* eid = Field(c, "eid")) return Pull(db, *pattern, *eid);
    return PullMany(db, *pattern, *Field(c, "eids"));
  }
  return RunEntity(db, *Field(c, "entity"), *Field(c, "get"));
}

std::vector<fs::path> Cases() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(STRATA_CONFORMANCE_DIR)) {
    std::string name = entry.path().filename().string();
    if (name.find(".expected.") != std::string::npos || entry.path().extension() != ".edn") {
      continue;
    }
    if (name.starts_with("p-") || name.starts_with("e-")) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(PullConformanceTest, PullAndEntityCasesMatchTheirExpectedAnswers) {
  std::vector<fs::path> cases = Cases();
  ASSERT_FALSE(cases.empty()) << STRATA_CONFORMANCE_DIR;
  int ran = 0;
  for (const fs::path& path : cases) {
    SCOPED_TRACE(path.filename().string());
    Value c = ReadEdn(ReadFile(path));
    if (Field(c, "query") != nullptr) continue;
    fs::path expected_path = path;
    expected_path.replace_extension(".expected.edn");
    Value expected = ReadEdn(ReadFile(expected_path));
    Value got;
    std::optional<Anomaly> anomaly = CatchAnomaly([&] { got = RunCase(c); });
    if (anomaly) got = K("error");
    EXPECT_EQ(Canonical(got), Canonical(expected))
        << "got " << PrintEdn(got) << (anomaly ? " " + anomaly->message() : std::string());
    ++ran;
  }
  EXPECT_GE(ran, 5);
}

}  // namespace
}  // namespace strata::testing
