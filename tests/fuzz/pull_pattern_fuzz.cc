// Fuzz target for the pull pattern parser: any input read as EDN is parsed
// as a pull pattern, and a pattern that parses is pulled from every entity
// of a small database (refs in a cycle, components, cardinality many,
// idents).
//
// The only outcomes allowed are a pattern or an incorrect Anomaly naming
// :db.error/invalid-pull (from the parser and from resolution against the
// schema). Pulling may fail only with an incorrect Anomaly (an xform that
// cannot take a value, recursion too deep). A pull gives a map or nil, the
// same from the pattern's value, its printed text and the parsed pattern,
// and PullMany gives the pulls in order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/edn.h"
#include "strata/pull.h"
#include "strata/value.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_schema.h"

namespace {

using strata::Database;
using strata::EntityId;
using strata::Value;

constexpr std::string_view kData = R"([
  {:db/id "x" :f/name "x" :f/n 1 :f/kw [:k/a :k/b] :f/refs ["z" "y"]
   :f/part {:f/n 10 :f/kw :k/c :f/refs ["x"]}}
  {:db/id "y" :f/name "y" :f/n 2 :f/refs ["x" "y"]}
  {:db/id "z" :f/name "z" :f/refs ["x" "y" :e/red] :f/part {:f/name "zp" :f/part {:f/n 3}}}])";

struct Fixture {
  Database db;
  std::vector<EntityId> entities;
};

const Fixture& TheFixture() {
  static const Fixture* fixture = [] {
    strata::Connection conn = strata::Connection::CreateInMemory();
    conn.Transact(kFuzzSchema);
    strata::TxReport report = conn.Transact(kData);
    auto* f = new Fixture{conn.Db(), {}};
    for (const auto& [tempid, e] : report.tempids) f->entities.push_back(e);
    f->entities.push_back(f->db.EntidOrThrow(Value::Keyword("e/red")));
    f->entities.push_back(int64_t{987654321});
    return f;
  }();
  return *fixture;
}

bool IsInvalidPull(const strata::Anomaly& a) {
  return a.category() == strata::Category::kIncorrect && a.error().is_keyword() &&
         a.error().QualifiedName() == "db.error/invalid-pull";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  strata::ReadOptions options;
  options.max_depth = 64;
  Value form;
  try {
    form = strata::ReadEdn(text, options);
  } catch (const strata::Anomaly&) {
    return 0;
  }
  const Fixture& fixture = TheFixture();
  std::vector<Value> pulls;
  try {
    strata::PullPattern pattern = strata::ParsePullPattern(form);
    FUZZ_CHECK(pattern.form() == form, "the pattern's form is not its input", text);
    pulls = strata::PullMany(fixture.db, pattern, fixture.entities);
  } catch (const strata::Anomaly& a) {
    FUZZ_CHECK(a.category() == strata::Category::kIncorrect,
               "a pull failed with a category other "
               "than incorrect",
               text);
    if (!a.error().is_keyword() || a.error().QualifiedName() != "db.error/pull-too-deep") {
      FUZZ_CHECK(IsInvalidPull(a) || a.error().is_nil(),
                 "a pull failed with an error other than invalid-pull", text);
    }
    return 0;
  }
  FUZZ_CHECK(pulls.size() == fixture.entities.size(), "PullMany lost entities", text);
  std::string printed = strata::PrintEdn(form);
  for (size_t i = 0; i < pulls.size(); ++i) {
    FUZZ_CHECK(pulls[i].is_map(), "a pull did not give a map", text);
    Value one = strata::Pull(fixture.db, form, fixture.entities[i]);
    FUZZ_CHECK(one == pulls[i], "Pull and PullMany disagree", text);
    Value again =
        strata::Pull(fixture.db, std::string_view(printed), Value::Long(fixture.entities[i]));
    FUZZ_CHECK(again == pulls[i], "the printed pattern pulls something else", text);
    FUZZ_CHECK(strata::ReadEdn(strata::PrintEdn(pulls[i])) == pulls[i],
               "a pull result does not round-trip through EDN", text);
  }
  return 0;
}
