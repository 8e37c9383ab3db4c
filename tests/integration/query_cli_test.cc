// The reading subcommands of `strata` as a user runs them: q, pull,
// pull-many, entity, datoms, stats, schema, verify and gc --older-than;
// their formats, timings, time views, error paths and exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "cli_runner.h"
#include "strata/anomaly.h"
#include "strata/edn.h"
#include "testing/test_util.h"

namespace strata {
namespace {

using cli_testing::CliResult;
using cli_testing::RunCli;
using cli_testing::ShellQuote;

Value Kw(std::string_view name) { return Value::Keyword(name); }

Anomaly AnomalyOf(const CliResult& r) { return Anomaly::FromValue(ReadEdn(r.err)); }

// A database with people, three transactions after the schema: Alice and
// Bob, then Alice's age changed (30 -> 31), then Carol.
class QueryCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = ShellQuote("strata:lmdb://people?dir=" + dir_.path().string());
    ASSERT_EQ(RunCli("create " + uri_).status, 0);
    Tx("[{:db/ident :person/name :db/valueType :db.type/string :db/cardinality "
       ":db.cardinality/one :db/unique :db.unique/identity :db/doc \"A person's name\"}"
       " {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}"
       " {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality "
       ":db.cardinality/many}]");
    t1_ =
        Tx("[{:db/id \"a\" :person/name \"Alice\" :person/age 30}"
           " {:db/id \"b\" :person/name \"Bob\" :person/age 25 :person/friend \"a\"}]");
    t2_ = Tx("[[:db/add [:person/name \"Alice\"] :person/age 31]]");
    Tx("[{:person/name \"Carol\" :person/age 35 :person/friend [[:person/name \"Bob\"]]}]");
  }

  // Transacts; returns the basis t after it.
  int64_t Tx(const std::string& tx_data) {
    CliResult r = RunCli("transact " + uri_, tx_data);
    EXPECT_EQ(r.status, 0) << r.err;
    if (r.status != 0) return -1;
    return ReadEdn(r.out).Get(Kw("t"))->AsLong();
  }

  CliResult Run(const std::string& args) { return RunCli(args); }

  testing::TempDir dir_;
  std::string uri_;
  int64_t t1_ = 0, t2_ = 0;
};

constexpr const char* kNamesAndAges =
    "'[:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]'";

TEST_F(QueryCliTest, QueryPrintsOneEdnValue) {
  CliResult r = Run("q " + uri_ + " " + kNamesAndAges);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "#{[\"Alice\" 31] [\"Bob\" 25] [\"Carol\" 35]}\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(QueryCliTest, InputsBindTheInBindingsAfterTheDatabaseInOrder) {
  // A scalar and a collection.
  CliResult r = Run("q " + uri_ +
                    " '[:find [?n ...] :in $ ?min [?n ...] :where [?e :person/name ?n]"
                    " [?e :person/age ?a] [(>= ?a ?min)]]' 30 '[\"Alice\" \"Bob\" \"Carol\"]'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ReadEdn(r.out), ReadEdn("[\"Alice\" \"Carol\"]")) << r.out;
  // A relation, a collection of tuples as a second source, and rules.
  r = Run("q " + uri_ +
          " '[:find ?n ?s :in $ $2 % :where (named ?e ?n) [$2 ?n :score ?s]]'"
          " '[[\"Alice\" :score 9] [\"Zed\" :score 1]]'"
          " '[[(named ?e ?n) [?e :person/name ?n]]]'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "#{[\"Alice\" 9]}\n");
  // A database that is not the first binding; a negative number.
  r = Run("q " + uri_ + " '[:find ?x :in ?x $ :where [?e :person/age ?a] [(< ?a ?x)]]' -3");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "#{}\n");
  // Too few inputs.
  r = Run("q " + uri_ + " '[:find ?x :in $ ?x :where [?e :person/age ?x]]'");
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(AnomalyOf(r).message().find(":in takes 1 input"), std::string::npos) << r.err;
}

TEST_F(QueryCliTest, QueryAndInputsFromFiles) {
  std::filesystem::path query = dir_.path() / "query.edn", input = dir_.path() / "names.edn";
  std::ofstream(query) << ";; people older than\n[:find [?n ...] :in $ [?n ...]\n"
                          " :where [?e :person/name ?n]]\n";
  std::ofstream(input) << "[\"Bob\" \"Nobody\"]";
  CliResult r = Run("q " + uri_ + " @" + query.string() + " @" + input.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[\"Bob\"]\n");
  r = Run("q " + uri_ + " @/nonexistent/query.edn");
  EXPECT_EQ(r.status, 4);
  EXPECT_EQ(AnomalyOf(r).error(), Value::Keyword("db.error", "file-not-found"));
}

TEST_F(QueryCliTest, JsonFollowsTheDocumentedMapping) {
  CliResult r = Run("q " + uri_ + " " + kNamesAndAges + " --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[[\"Alice\",31],[\"Bob\",25],[\"Carol\",35]]\n");
  r = Run("q " + uri_ +
          " '[:find ?k ?s ?set ?m ?d ?nil :in $ ?k ?s ?set ?m ?d ?nil]'"
          " :a/b 'x' '#{2 1}' '{:k 1 \"s\" 2}' 1.5 nil --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[[\":a/b\",\"x\",[1,2],{\":k\":1,\"s\":2},1.5,null]]\n");
  r = Run("pull " + uri_ + " '[:person/name {:person/friend [:person/name]}]'" +
          " '[:person/name \"Bob\"]' --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\":person/friend\":[{\":person/name\":\"Alice\"}],\":person/name\":\"Bob\"}\n");
}

TEST_F(QueryCliTest, TablesHaveTheFindVariablesAsHeader) {
  CliResult r = Run("q " + uri_ + " " + kNamesAndAges + " --format table");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "?n    | ?a\n"
            "------+---\n"
            "Alice | 31\n"
            "Bob   | 25\n"
            "Carol | 35\n"
            "(3 rows)\n");
  r = Run("q " + uri_ + " '[:find (count ?e) . :where [?e :person/name]]' --format table");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "(count ?e)\n----------\n3\n(1 row)\n");
  r = Run("q " + uri_ + " '[:find ?n :where [?e :person/name ?n] [?e :person/age 99]]'" +
          " --format table");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "?n\n--\n(0 rows)\n");
}

TEST_F(QueryCliTest, TimeAndRepeatReportOnStderr) {
  CliResult r = Run("q " + uri_ + " " + kNamesAndAges + " --time");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "#{[\"Alice\" 31] [\"Bob\" 25] [\"Carol\" 35]}\n");
  EXPECT_TRUE(std::regex_match(r.err, std::regex("Time: [0-9]+\\.[0-9]{3} ms\n"))) << r.err;
  r = Run("q " + uri_ + " " + kNamesAndAges + " --time --repeat 5");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_TRUE(std::regex_match(
      r.err, std::regex("Time: min [0-9]+\\.[0-9]{3} ms, median [0-9]+\\.[0-9]{3} ms, 5 runs\n")))
      << r.err;
  r = Run("pull " + uri_ + " '[*]' '[:person/name \"Bob\"]' --repeat 3");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(", 3 runs"), std::string::npos) << r.err;
  EXPECT_EQ(Run("q " + uri_ + " " + kNamesAndAges + " --repeat 0").status, 2);
}

TEST_F(QueryCliTest, AsOfSinceAndHistory) {
  const char* ages = " '[:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]'";
  CliResult r = Run("q " + uri_ + ages + " --as-of " + std::to_string(t1_));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "#{[\"Alice\" 30] [\"Bob\" 25]}\n");
  // A transaction id names the same point.
  r = Run("q " + uri_ + ages + " --as-of " + std::to_string(TxFromT(t1_)));
  EXPECT_EQ(r.out, "#{[\"Alice\" 30] [\"Bob\" 25]}\n") << r.err;
  // An instant: now is after everything.
  r = Run("q " + uri_ + ages + " --as-of '#inst \"2999-01-01T00:00:00Z\"'");
  EXPECT_EQ(r.out, "#{[\"Alice\" 31] [\"Bob\" 25] [\"Carol\" 35]}\n") << r.err;
  r = Run("q " + uri_ + " '[:find ?a :where [?e :person/age ?a]]' --since " + std::to_string(t1_));
  EXPECT_EQ(r.out, "#{[31] [35]}\n") << r.err;
  r = Run("q " + uri_ + " '[:find ?a ?added :where [?e :person/age ?a ?tx ?added]" +
          " [?e :person/name \"Alice\"]]' --history");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "#{[30 false] [30 true] [31 true]}\n");
  r = Run("pull " + uri_ + " '[:person/age]' '[:person/name \"Alice\"]' --as-of " +
          std::to_string(t1_));
  EXPECT_EQ(r.out, "{:person/age 30}\n") << r.err;
  r = Run("entity " + uri_ + " '[:person/name \"Alice\"]' --as-of " + std::to_string(t1_));
  EXPECT_EQ(*ReadEdn(r.out).Get(Kw("person/age")), Value::Long(30)) << r.err;
  r = Run("datoms " + uri_ + " eavt '[:person/name \"Alice\"]' :person/age --history");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
  r = Run("q " + uri_ + ages + " --as-of 'not-a-time'");
  EXPECT_EQ(r.status, 3) << r.err;
}

TEST_F(QueryCliTest, ExplainPrintsThePlan) {
  CliResult r = Run("q " + uri_ + " " + kNamesAndAges + " --explain");
  ASSERT_EQ(r.status, 0) << r.err;
  Value plan = ReadEdn(r.out);
  ASSERT_TRUE(plan.is_map()) << r.out;
  const Value* steps = plan.Get(Kw("steps"));
  ASSERT_NE(steps, nullptr) << r.out;
  EXPECT_EQ(steps->Count(), 2u) << r.out;
  EXPECT_EQ(Run("q " + uri_ + " " + kNamesAndAges + " --timeout 60000").status, 0);
}

TEST_F(QueryCliTest, ErrorsAreAnomaliesWithTheirExitCodes) {
  // Malformed EDN: the line and column are in the message and the data.
  CliResult r = Run("q " + uri_ + " '[:find ?x\n :where [?e :person/age ?x}'");
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.out, "");
  Anomaly a = AnomalyOf(r);
  EXPECT_EQ(a.error(), Value::Keyword("db.error", "invalid-edn"));
  EXPECT_NE(a.message().find("line 2, column 27"), std::string::npos) << a.message();
  EXPECT_EQ(*a.data().Get(Kw("line")), Value::Long(2));
  EXPECT_EQ(*a.data().Get(Kw("column")), Value::Long(27));
  r = Run("pull " + uri_ + " '[:person/name' 1");
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(AnomalyOf(r).message().find("line 1, column"), std::string::npos) << r.err;
  // An unknown attribute.
  r = Run("q " + uri_ + " '[:find ?x :where [?e :person/nope ?x]]'");
  EXPECT_EQ(r.status, 4);
  EXPECT_EQ(AnomalyOf(r).error(), Value::Keyword("db.error", "not-an-entity"));
  r = Run("datoms " + uri_ + " aevt :person/nope");
  EXPECT_NE(r.status, 0);
  EXPECT_NO_THROW(AnomalyOf(r)) << r.err;
  // A bad URI, a missing database.
  r = Run("q strata:bogus://x " + std::string(kNamesAndAges));
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(AnomalyOf(r).error(), Value::Keyword("db.error", "unsupported-protocol"));
  std::string missing = ShellQuote("strata:lmdb://nobody?dir=" + dir_.path().string());
  for (const std::string& args :
       {"q " + missing + " " + kNamesAndAges, "pull " + missing + " '[*]' 1",
        "entity " + missing + " 1", "datoms " + missing + " eavt", "stats " + missing,
        "schema " + missing, "verify " + missing}) {
    r = Run(args);
    EXPECT_EQ(r.status, 4) << args;
    EXPECT_EQ(AnomalyOf(r).error(), Value::Keyword("db.error", "db-not-found")) << args;
  }
  // Usage errors.
  EXPECT_EQ(Run("q " + uri_).status, 2);
  EXPECT_EQ(Run("q " + uri_ + " " + kNamesAndAges + " --bogus").status, 2);
  EXPECT_EQ(Run("q " + uri_ + " " + kNamesAndAges + " --format xml").status, 2);
  EXPECT_EQ(Run("datoms " + uri_ + " xyz").status, 2);
}

TEST_F(QueryCliTest, PullAndPullMany) {
  CliResult r = Run("pull " + uri_ + " '[:person/name {:person/friend [:person/name]}]'" +
                    " '[:person/name \"Carol\"]'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "{:person/friend [{:person/name \"Bob\"}], :person/name \"Carol\"}\n");
  r = Run("pull " + uri_ + " '[:person/name]' '[:person/name \"Nobody\"]'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "nil\n");
  r = Run("pull-many " + uri_ + " '[:person/name :person/age]' '[:person/name \"Bob\"]'" +
          " '[:person/name \"Alice\"]'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "[{:person/age 25, :person/name \"Bob\"} {:person/age 31, :person/name \"Alice\"}]\n");
  r = Run("pull-many " + uri_ + " '[:person/name :person/age]' '[:person/name \"Bob\"]'" +
          " '[:person/name \"Alice\"]' --format table");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            ":person/age | :person/name\n"
            "------------+-------------\n"
            "25          | Bob\n"
            "31          | Alice\n"
            "(2 rows)\n");
  r = Run("pull-many " + uri_ + " '[*]'");
  EXPECT_EQ(r.out, "[]\n") << r.err;
  r = Run("pull " + uri_ + " '[:person/name {:person/age [:x]}]' '[:person/name \"Bob\"]'");
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(AnomalyOf(r).error(), Value::Keyword("db.error", "invalid-pull"));
}

TEST_F(QueryCliTest, EntityPrintsTheTouchedEntity) {
  CliResult r = Run("entity " + uri_ + " '[:person/name \"Bob\"]'");
  ASSERT_EQ(r.status, 0) << r.err;
  Value e = ReadEdn(r.out);
  EXPECT_EQ(*e.Get(Kw("person/name")), Value::String("Bob"));
  EXPECT_EQ(*e.Get(Kw("person/age")), Value::Long(25));
  ASSERT_NE(e.Get(Kw("person/friend")), nullptr) << r.out;
  EXPECT_TRUE(e.Get(Kw("person/friend"))->is_set()) << r.out;
  EXPECT_NE(e.Get(Kw("db/id")), nullptr);
  // By entity id, as JSON and as a table.
  std::string id = std::to_string(e.Get(Kw("db/id"))->AsLong());
  r = Run("entity " + uri_ + " " + id + " --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\":person/name\":\"Bob\""), std::string::npos) << r.out;
  r = Run("entity " + uri_ + " " + id + " --format table");
  EXPECT_NE(r.out.find(":person/name   | Bob\n"), std::string::npos) << r.out;
  EXPECT_EQ(Run("entity " + uri_ + " '[:person/name \"Nobody\"]'").out, "nil\n");
}

TEST_F(QueryCliTest, DatomsOneALineWithTheAttributeByIdent) {
  CliResult r = Run("datoms " + uri_ + " avet :person/age");
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<Value> lines = ReadAllEdn(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(lines[i].Count(), 5u);
    EXPECT_EQ(lines[i].Items()[1], Kw("person/age"));
    EXPECT_EQ(lines[i].Items()[4], Value::Boolean(true));
  }
  EXPECT_EQ(lines[0].Items()[2], Value::Long(25));  // AVET: by value
  EXPECT_EQ(lines[2].Items()[2], Value::Long(35));
  r = Run("datoms " + uri_ + " avet :person/age 31");
  EXPECT_EQ(ReadAllEdn(r.out).size(), 1u) << r.out;
  r = Run("datoms " + uri_ + " :eavt --limit 2");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
  r = Run("datoms " + uri_ + " vaet '[:person/name \"Alice\"]' --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("\\[[0-9]+,\":person/friend\",[0-9]+,[0-9]+,"
                                                 "true\\]\n")))
      << r.out;
  r = Run("datoms " + uri_ + " avet :person/age 25 --format table");
  EXPECT_TRUE(std::regex_match(r.out, std::regex("e +\\| a +\\| v +\\| tx +\\| added\n"
                                                 "-+-\\+-+-\\+-+-\\+-+-\\+-+\n"
                                                 "[0-9]+ +\\| :person/age \\| 25 \\| [0-9]+ "
                                                 "\\| true\n\\(1 row\\)\n")))
      << r.out;
}

TEST_F(QueryCliTest, StatsAndSchema) {
  CliResult r = Run("stats " + uri_);
  ASSERT_EQ(r.status, 0) << r.err;
  Value stats = ReadEdn(r.out);
  EXPECT_GT(stats.Get(Kw("basis-t"))->AsLong(), 0);
  EXPECT_GT(stats.Get(Kw("datoms"))->AsLong(), 0);
  EXPECT_EQ(*stats.Get(Kw("attrs"))->Get(Kw("person/age"))->Get(Kw("count")), Value::Long(3));
  r = Run("stats " + uri_ + " --format json");
  EXPECT_NE(r.out.find("\":person/age\":{\":count\":3}"), std::string::npos) << r.out;
  r = Run("stats " + uri_ + " --format table");
  EXPECT_NE(r.out.find(":person/age "), std::string::npos) << r.out;

  r = Run("schema " + uri_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ReadEdn(r.out),
            ReadEdn("[{:db/ident :person/age :db/valueType :db.type/long"
                    "  :db/cardinality :db.cardinality/one}"
                    " {:db/ident :person/friend :db/valueType :db.type/ref"
                    "  :db/cardinality :db.cardinality/many}"
                    " {:db/ident :person/name :db/valueType :db.type/string"
                    "  :db/cardinality :db.cardinality/one :db/unique :db.unique/identity"
                    "  :db/doc \"A person's name\"}]"))
      << r.out;
  // The schema is tx-data: it installs the same attributes elsewhere.
  std::string copy = ShellQuote("strata:lmdb://copy?dir=" + dir_.path().string());
  ASSERT_EQ(Run("create " + copy).status, 0);
  ASSERT_EQ(RunCli("transact " + copy, r.out).status, 0);
  EXPECT_EQ(ReadEdn(Run("schema " + copy).out), ReadEdn(r.out));
  r = Run("schema " + uri_ + " --format table");
  EXPECT_NE(r.out.find("(3 rows)"), std::string::npos) << r.out;
  r = Run("schema " + uri_ + " --format json");
  EXPECT_NE(r.out.find("\":db/ident\":\":person/age\""), std::string::npos) << r.out;
}

TEST_F(QueryCliTest, VerifyComparesTheIndexesWithTheLog) {
  Tx("[[:db/retract [:person/name \"Bob\"] :person/friend [:person/name \"Alice\"]]]");
  CliResult r = Run("verify " + uri_);
  ASSERT_EQ(r.status, 0) << r.err;
  Value report = ReadEdn(r.out);
  EXPECT_EQ(*report.Get(Kw("ok")), Value::Boolean(true));
  EXPECT_EQ(report.Get(Kw("transactions"))->AsLong(), 6);  // the bootstrap and five
  const Value* counts = report.Get(Kw("datoms"));
  ASSERT_NE(counts, nullptr);
  int64_t eavt = counts->Get(Kw("eavt"))->AsLong();
  EXPECT_EQ(counts->Get(Kw("aevt"))->AsLong(), eavt);
  EXPECT_EQ(counts->Get(Kw("avet"))->AsLong(), eavt);
  EXPECT_LT(counts->Get(Kw("vaet"))->AsLong(), eavt);
  // The same count as a full EAVT walk.
  r = Run("datoms " + uri_ + " eavt");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), eavt);
}

TEST_F(QueryCliTest, GcTakesADuration) {
  std::string storage = ShellQuote("strata:lmdb://*?dir=" + dir_.path().string());
  CliResult r = Run("gc " + storage + " --older-than 2h");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ReadEdn(r.out).Get(Kw("deleted"))->AsLong(), 0);
  r = Run("gc " + storage + " --older-than 0s");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ReadEdn(r.out).Get(Kw("too-young"))->AsLong(), 0) << r.out;
  for (const char* d : {"1h30m", "7d", "1w", "90s", "30"}) {
    EXPECT_EQ(Run("gc " + storage + " --older-than " + d).status, 0) << d;
  }
  r = Run("gc " + storage + " --older-than 2x");
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(AnomalyOf(r).error(), Value::Keyword("db.error", "invalid-duration"));
  EXPECT_EQ(Run("gc " + storage + " --older-than 1h --older-than-minutes 5").status, 2);
  EXPECT_EQ(Run("gc " + storage + " --older-than-minutes 5").status, 0);
  // The database is still whole.
  EXPECT_EQ(Run("verify " + uri_).status, 0);
}

TEST(QueryCliHelpTest, EverySubcommandShowsAnExample) {
  CliResult r = RunCli("--help");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos) << r.out;
  for (const char* command :
       {"q", "pull", "pull-many", "entity", "datoms", "stats", "schema", "verify", "gc"}) {
    EXPECT_NE(r.out.find(std::string("  ") + command + " "), std::string::npos) << command;
    CliResult help = RunCli(std::string(command) + " --help");
    EXPECT_EQ(help.status, 0) << command;
    EXPECT_NE(help.out.find("Example"), std::string::npos) << command << help.out;
    EXPECT_NE(help.out.find(std::string("strata ") + command + " "), std::string::npos)
        << command << help.out;
  }
}

}  // namespace
}  // namespace strata
