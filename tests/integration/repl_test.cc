// `strata import`, `strata export` and `strata repl` as a user runs them:
// the import/export round trip, import's error reports, a scripted console,
// and the console `make run` starts.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <unordered_set>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/edn.h"
#include "strata/entity.h"
#include "testing/test_util.h"

namespace strata {
namespace {

struct CommandRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Runs `strata ARGS` in `dir` with `input` on stdin (not a terminal).
CommandRun RunIn(const std::filesystem::path& dir, const std::string& args,
                 const std::string& input) {
  auto in = dir / "stdin", out = dir / "stdout", err = dir / "stderr";
  WriteFile(in, input);
  std::string command = "cd '" + dir.string() + "' && " + std::string(STRATA_BINARY_DIR) +
                        "/tools/strata/strata " + args + " <" + in.string() + " >" + out.string() +
                        " 2>" + err.string();
  int raw = std::system(command.c_str());
  CommandRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

constexpr const char* kSchema = R"([
 {:db/ident :t/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
  :db/unique :db.unique/identity :db/doc "names are unique"}
 {:db/ident :t/long :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :t/double :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
 {:db/ident :t/float :db/valueType :db.type/float :db/cardinality :db.cardinality/one}
 {:db/ident :t/bool :db/valueType :db.type/boolean :db/cardinality :db.cardinality/one}
 {:db/ident :t/inst :db/valueType :db.type/instant :db/cardinality :db.cardinality/one}
 {:db/ident :t/uuid :db/valueType :db.type/uuid :db/cardinality :db.cardinality/one}
 {:db/ident :t/kw :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
 {:db/ident :t/sym :db/valueType :db.type/symbol :db/cardinality :db.cardinality/one}
 {:db/ident :t/bigint :db/valueType :db.type/bigint :db/cardinality :db.cardinality/one}
 {:db/ident :t/bigdec :db/valueType :db.type/bigdec :db/cardinality :db.cardinality/one}
 {:db/ident :t/uri :db/valueType :db.type/uri :db/cardinality :db.cardinality/one}
 {:db/ident :t/bytes :db/valueType :db.type/bytes :db/cardinality :db.cardinality/one}
 {:db/ident :t/tags :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
 {:db/ident :t/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
 {:db/ident :t/color :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
 {:db/ident :t/part :db/valueType :db.type/ref :db/cardinality :db.cardinality/many
  :db/isComponent true}
 {:db/ident :t/pair :db/valueType :db.type/tuple :db/tupleTypes [:db.type/string :db.type/long]
  :db/cardinality :db.cardinality/one}
 {:db/ident :t/name+long :db/valueType :db.type/tuple :db/tupleAttrs [:t/name :t/long]
  :db/cardinality :db.cardinality/one}
 {:db/ident :color/red} {:db/ident :color/blue}])";

constexpr const char* kData = R"([
 {:db/id "a" :t/name "a" :t/long 1 :t/double 1.5 :t/float #strata/float 2.5 :t/bool true
  :t/inst #inst "2020-01-01T00:00:00Z" :t/uuid #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
  :t/kw :x/y :t/sym foo/bar :t/bigint 123456789012345678901234N :t/bigdec 1.50M
  :t/uri #strata/uri "https://example.com" :t/bytes #strata/bytes "AQID" :t/tags ["x" "y"]
  :t/friend ["b"] :t/color :color/red :t/part [{:t/name "p1"} {:t/long 7}] :t/pair ["s" 3]}
 {:db/id "b" :t/name "b" :t/friend ["a"] :t/color :color/blue}])";

// Every datom of `db` outside the bootstrap schema and the transaction
// entities, as text, its entity ids (and ref values) passed through `map`.
std::multiset<std::string> UserDatoms(const Database& db,
                                      const std::function<std::string(EntityId)>& map) {
  std::unordered_set<EntityId> bootstrap;
  DatomIterator boot = Connection::CreateInMemory().Db().Datoms(Index::kEavt);
  while (const Datom* d = boot.Next()) bootstrap.insert(d->e);
  std::multiset<std::string> out;
  DatomIterator it = db.Datoms(Index::kEavt);
  while (const Datom* d = it.Next()) {
    if (bootstrap.contains(d->e) || IsTxId(d->e)) continue;
    Value attr = db.Ident(d->a);
    bool ref = Entity(db, d->a).Get("db/valueType") == Value::Keyword("db.type", "ref");
    std::string v = PrintEdn(d->v);
    if (ref) {
      Value ident = db.Ident(d->v.AsLong());
      v = ident.is_nil() ? map(d->v.AsLong()) : PrintEdn(ident);
    }
    out.insert(map(d->e) + " " + PrintEdn(attr) + " " + v);
  }
  return out;
}

TEST(ImportExportTest, RoundTripGivesAnEqualDatabase) {
  testing::TempDir dir;
  std::string a = "'strata:lmdb://a?dir=" + dir.path().string() + "/a'";
  std::string b = "'strata:lmdb://b?dir=" + dir.path().string() + "/b'";
  WriteFile(dir.path() / "schema.edn", kSchema);
  WriteFile(dir.path() / "data.edn", kData);
  // Enough entities for several batches, with refs across them: one
  // tx-data vector, then a sequence of entity maps.
  std::string big = "[\n";
  for (int i = 0; i < 3000; ++i) {
    big += "{:db/id \"p" + std::to_string(i) + "\" :t/name \"n" + std::to_string(i) +
           "\" :t/long " + std::to_string(i) + " :t/tags [\"t" + std::to_string(i % 7) + "\"]";
    if (i > 0) big += " :t/friend [\"p" + std::to_string(i - 1) + "\"]";
    big += "}\n";
  }
  big += "]\n";
  for (int i = 0; i < 50; ++i) {
    big += "{:t/name \"m" + std::to_string(i) + "\" :t/friend [\"p" + std::to_string(i * 11) +
           "\"] :t/color :color/blue}\n";
  }
  WriteFile(dir.path() / "big.edn", big);

  ASSERT_EQ(RunIn(dir.path(), "create " + a, "").status, 0);
  CommandRun r = RunIn(dir.path(), "import " + a + " schema.edn data.edn big.edn --batch 2000", "");
  ASSERT_EQ(r.status, 0) << r.err;
  Value summary = ReadEdn(r.out);
  EXPECT_EQ(*summary.Get(Value::Keyword("files")), Value::Long(3));
  EXPECT_GT(summary.Get(Value::Keyword("transactions"))->AsLong(), 4) << r.out;
  // The cross-batch tempid "p0" named one entity: p1's friend is p0.
  // Retract something, so that the export is of the current state.
  WriteFile(dir.path() / "retract.edn", "[[:db/retract [:t/name \"b\"] :t/color :color/blue]]");
  ASSERT_EQ(RunIn(dir.path(), "transact " + a + " retract.edn", "").status, 0);

  r = RunIn(dir.path(), "export " + a + " a.edn", "");
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(RunIn(dir.path(), "create " + b, "").status, 0);
  r = RunIn(dir.path(), "import " + b + " a.edn --batch 1000 --tempids tempids.edn", "");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GT(ReadEdn(r.out).Get(Value::Keyword("transactions"))->AsLong(), 5) << r.out;

  Value tempids = ReadEdn(ReadFile(dir.path() / "tempids.edn"));
  ASSERT_TRUE(tempids.is_map());
  Database db_a = Connect("strata:lmdb://a?dir=" + dir.path().string() + "/a").Db();
  Database db_b = Connect("strata:lmdb://b?dir=" + dir.path().string() + "/b").Db();
  auto through_tempids = [&](EntityId e) {
    const Value* to = tempids.Get(Value::String(std::to_string(e)));
    return to == nullptr ? "unmapped:" + std::to_string(e) : PrintEdn(*to);
  };
  auto same = [](EntityId e) { return std::to_string(e); };
  std::multiset<std::string> from_a = UserDatoms(db_a, through_tempids);
  std::multiset<std::string> from_b = UserDatoms(db_b, same);
  EXPECT_GT(from_a.size(), 3000u * 4);
  EXPECT_EQ(from_a, from_b);

  // The export of the copy is the export of the original, up to entity ids.
  r = RunIn(dir.path(), "export " + b + " b.edn", "");
  ASSERT_EQ(r.status, 0) << r.err;
  std::string a_text = ReadFile(dir.path() / "a.edn");
  std::string b_text = ReadFile(dir.path() / "b.edn");
  EXPECT_EQ(std::count(a_text.begin(), a_text.end(), '\n'),
            std::count(b_text.begin(), b_text.end(), '\n'));
  EXPECT_TRUE(Contains(b_text, ":t/pair [\"s\" 3]")) << b_text.substr(0, 2000);
  EXPECT_TRUE(Contains(b_text, ":db/isComponent true"));
}

TEST(ImportExportTest, AFailedFormIsReportedAndEarlierBatchesStay) {
  testing::TempDir dir;
  std::string uri = "strata:lmdb://db?dir=" + dir.path().string() + "/db";
  WriteFile(dir.path() / "schema.edn", kSchema);
  WriteFile(dir.path() / "bad.edn",
            "[{:t/name \"ok1\"}\n {:t/name \"ok2\"}]\n{:t/name \"ok3\"}\n"
            "{:t/name \"bad\" :t/long \"not a long\"}\n{:t/name \"never\"}\n");
  ASSERT_EQ(RunIn(dir.path(), "create '" + uri + "'", "").status, 0);
  ASSERT_EQ(RunIn(dir.path(), "import '" + uri + "' schema.edn", "").status, 0);
  CommandRun r = RunIn(dir.path(), "import '" + uri + "' bad.edn --batch 1", "");
  EXPECT_EQ(r.status, 3);
  Anomaly a = Anomaly::FromValue(ReadEdn(r.err));
  EXPECT_EQ(a.category(), Category::kIncorrect);
  EXPECT_EQ(*a.data().Get(Value::Keyword("import/form")), Value::Long(4)) << r.err;
  EXPECT_EQ(*a.data().Get(Value::Keyword("import/line")), Value::Long(4)) << r.err;
  EXPECT_EQ(*a.data().Get(Value::Keyword("import/committed-transactions")), Value::Long(3));
  EXPECT_TRUE(Contains(a.message(), "stay committed")) << a.message();
  Database db = Connect(uri).Db();
  for (const char* name : {"ok1", "ok2", "ok3"}) {
    EXPECT_TRUE(db.Entid(Value::Vector({Value::Keyword("t/name"), Value::String(name)})));
  }
  EXPECT_FALSE(db.Entid(Value::Vector({Value::Keyword("t/name"), Value::String("bad")})));
  EXPECT_FALSE(db.Entid(Value::Vector({Value::Keyword("t/name"), Value::String("never")})));

  // Malformed EDN: the position in the file, and nothing of the open batch.
  WriteFile(dir.path() / "syntax.edn", "[{:t/name \"s1\"}\n {:t/name ]");
  r = RunIn(dir.path(), "import '" + uri + "' syntax.edn", "");
  EXPECT_EQ(r.status, 3);
  a = Anomaly::FromValue(ReadEdn(r.err));
  EXPECT_EQ(a.error(), Value::Keyword("db.error", "invalid-edn"));
  EXPECT_TRUE(Contains(a.message(), "syntax.edn at line 2, column 11")) << a.message();
  EXPECT_FALSE(
      Connect(uri).Db().Entid(Value::Vector({Value::Keyword("t/name"), Value::String("s1")})));
}

TEST(ReplTest, AScriptedConsoleRunsEveryCommandAndGoesOnAfterErrors) {
  testing::TempDir dir;
  std::string script = R"(help
transact [{:db/ident :person/name :db/valueType :db.type/string
           :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
          {:db/ident :person/age :db/valueType :db.type/long
           :db/cardinality :db.cardinality/one}]
transact [{:db/id "ada" :person/name "Ada" :person/age 36}]
transact [[:db/add [:person/name "Ada"] :person/age 37]]
q [:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]
q [:find ?a . :in $ ?n :where [?e :person/name ?n] [?e :person/age ?a]] "Ada"
q [:find ?n :where [?e :no/such ?n]]
pull [:person/age] [:person/name "Ada"]
entity [:person/name "Ada"]
datoms :aevt :person/age
schema
explain [:find ?n :where [?e :person/name ?n]]
as-of 1004
q [:find ?a . :where [?e :person/age ?a]]
as-of now
history datoms :eavt [:person/name "Ada"] :person/age
history on
q [:find ?a ?added :where [?e :person/age ?a ?tx ?added]]
history off
bogus
quit
q [:find ?n :where [?e :person/name ?n]]
)";
  CommandRun r = RunIn(dir.path(), "repl", script);
  EXPECT_EQ(r.status, 1) << "a scripted run with errors ends with status 1";
  const std::string& o = r.out;
  EXPECT_TRUE(Contains(o, "Commands")) << o;
  EXPECT_TRUE(Contains(o, ":tempids {\"ada\" ")) << o;
  EXPECT_TRUE(Contains(o, " ?n  | ?a\n-----+----\n Ada | 37\n(1 row)\n")) << o;
  EXPECT_TRUE(Contains(o, "\n37\n")) << o;
  EXPECT_TRUE(Contains(o, "{:person/age 37}\n")) << o;
  EXPECT_TRUE(Contains(o, ":person/name \"Ada\"}")) << o;
  EXPECT_TRUE(Contains(o, " :person/name | string | one         | identity")) << o;
  EXPECT_TRUE(Contains(o, ":steps")) << o;
  EXPECT_TRUE(Contains(o, "as-of 1004\n36\n")) << o;
  EXPECT_TRUE(Contains(o, "(3 rows)")) << o;  // history datoms: 36, its retraction, 37
  EXPECT_TRUE(Contains(o, " 36 | false")) << o;
  // After quit nothing runs: the last query would print a one-row table.
  EXPECT_EQ(o.find("?n\n"), std::string::npos) << o;
  EXPECT_TRUE(Contains(r.err, "error (not-found)")) << r.err;
  EXPECT_TRUE(Contains(r.err, "unknown command 'bogus'")) << r.err;
}

// What `make run < /dev/null` runs: the sample database in ./data, the
// banner, and the example commands with their results.
TEST(ReplTest, SampleConsoleRunsTheExamplesWhenStdinIsNotATerminal) {
  testing::TempDir dir;
  std::string args = "repl --sample 'strata:lmdb://strata?dir=data'";
  CommandRun r = RunIn(dir.path(), args, "");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(Contains(r.out, "Created the sample database")) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data"));
  size_t examples = 0;
  for (size_t at = 0; (at = r.out.find("\nstrata> ", at)) != std::string::npos; ++at) ++examples;
  EXPECT_EQ(examples, 3u) << r.out;
  EXPECT_TRUE(Contains(r.out, " Grace Hopper    | 85   | Boston")) << r.out;
  EXPECT_TRUE(Contains(r.out, "(12 rows)")) << r.out;
  EXPECT_TRUE(Contains(r.out, "history q")) << r.out;
  EXPECT_TRUE(Contains(r.out, " 37   | ")) << r.out;
  // A second run finds the database and does not create it again.
  r = RunIn(dir.path(), args, "q [:find (count ?p) . :where [?p :person/name]]\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(Contains(r.out, "Created")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\n12\n")) << r.out;
}

// A database made by `strata create` and still empty gets the sample too.
TEST(ReplTest, SampleFillsAnEmptyExistingDatabase) {
  testing::TempDir dir;
  ASSERT_EQ(RunIn(dir.path(), "create 'strata:lmdb://strata?dir=data'", "").status, 0);
  CommandRun r = RunIn(dir.path(), "repl --sample 'strata:lmdb://strata?dir=data'", "");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "Created the sample database")) << r.out;
  EXPECT_TRUE(Contains(r.out, "(12 rows)")) << r.out;
}

}  // namespace
}  // namespace strata
