// The `strata` command as a user runs it: exit status, stdout, and the
// anomaly map on stderr.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "strata/anomaly.h"
#include "strata/edn.h"
#include "testing/test_util.h"

namespace strata {
namespace {

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `strata ARGS` with `input` on stdin, and `env` (VAR=VALUE ..., for
// the shell) added to its environment.
Result RunStrata(const std::string& args, const std::string& input, const std::string& env = "") {
  auto dir =
      std::filesystem::temp_directory_path() / ("strata_cli_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto in = dir / "in", out = dir / "out", err = dir / "err";
  std::ofstream(in, std::ios::binary) << input;
  std::string command = env + " " + std::string(STRATA_BINARY_DIR) + "/tools/strata/strata " +
                        args + " <" + in.string() + " >" + out.string() + " 2>" + err.string();
  int raw = std::system(command.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::filesystem::remove_all(dir);
  return r;
}

TEST(CliTest, HelpListsTheSubcommands) {
  Result r = RunStrata("--help", "");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("edn"), std::string::npos) << r.out;
}

TEST(CliTest, NoArgumentsPrintsHelp) {
  Result r = RunStrata("", "");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
}

TEST(CliTest, EdnPrintsEachValueCanonically) {
  Result r = RunStrata("edn", "{:b 2 :a 1} ; comment\n#{3 1 2} #_ skipped 1.50M\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "{:a 1, :b 2}\n#{1 2 3}\n1.50M\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliTest, EdnErrorIsAnAnomalyMapOnStderr) {
  Result r = RunStrata("edn", "[1 2]\n{:a 1\n :b ]");
  EXPECT_EQ(r.status, 3);       // incorrect
  EXPECT_EQ(r.out, "[1 2]\n");  // what was read before the error
  Value anomaly = ReadEdn(r.err);
  Anomaly a = Anomaly::FromValue(anomaly);
  EXPECT_EQ(a.category(), Category::kIncorrect);
  EXPECT_EQ(a.error(), Value::Keyword("db.error", "invalid-edn"));
  ASSERT_TRUE(a.data().is_map());
  EXPECT_EQ(*a.data().Get(Value::Keyword("line")), Value::Long(3));
  EXPECT_EQ(*a.data().Get(Value::Keyword("column")), Value::Long(5));
}

TEST(CliTest, MissingFileIsNotFound) {
  Result r = RunStrata("edn /nonexistent/strata/file.edn", "");
  EXPECT_EQ(r.status, 4);  // not-found
  Anomaly a = Anomaly::FromValue(ReadEdn(r.err));
  EXPECT_EQ(a.category(), Category::kNotFound);
}

TEST(CliTest, UnknownSubcommandIsAUsageError) {
  Result r = RunStrata("no-such-command", "");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no-such-command"), std::string::npos) << r.err;
}

// The shell-quoted URI of database `name` in directory `dir`.
std::string LmdbUri(const testing::TempDir& dir, const std::string& name) {
  return "'strata:lmdb://" + name + "?dir=" + dir.path().string() + "'";
}

constexpr const char* kSchema =
    "[{:db/ident :item/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one "
    ":db/unique :db.unique/identity}]";

TEST(CliTest, ADatabaseOutlivesTheProcessesThatWriteIt) {
  testing::TempDir dir;
  std::string uri = LmdbUri(dir, "shop");
  Result r = RunStrata("create " + uri, "");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("created ", 0), 0u) << r.out;
  EXPECT_EQ(RunStrata("create " + uri, "").out.rfind("exists ", 0), 0u);
  ASSERT_EQ(RunStrata("transact " + uri, kSchema).status, 0);
  r = RunStrata("transact " + uri, "[{:db/id \"x\" :item/n 7}]");
  ASSERT_EQ(r.status, 0) << r.err;
  Value report = ReadEdn(r.out);
  const Value* tempids = report.Get(Value::Keyword("tempids"));
  ASSERT_NE(tempids, nullptr);
  EXPECT_TRUE(tempids->Get(Value::String("x")) != nullptr) << r.out;
  // {:t T :tempids {...} :datoms N}: the datom and the transaction's instant.
  ASSERT_NE(report.Get(Value::Keyword("t")), nullptr) << r.out;
  EXPECT_GT(report.Get(Value::Keyword("t"))->AsLong(), 1000) << r.out;
  EXPECT_EQ(PrintEdn(*report.Get(Value::Keyword("datoms"))), "2") << r.out;
  // A third process reads both transactions from the log.
  r = RunStrata("log " + uri + " --start 1", "");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
  EXPECT_NE(r.out.find(":item/n 7"), std::string::npos) << r.out;
  // --from and --to bound the range, the second transaction alone here.
  std::string second_t = r.out.substr(r.out.rfind(":t ") + 3);
  second_t = second_t.substr(0, second_t.find_first_of(" ,}"));
  Result last = RunStrata(
      "log " + uri + " --from " + second_t + " --to " + std::to_string(std::stoll(second_t) + 1),
      "");
  ASSERT_EQ(last.status, 0) << last.err;
  EXPECT_EQ(std::count(last.out.begin(), last.out.end(), '\n'), 1) << last.out;
  EXPECT_NE(last.out.find(":item/n 7"), std::string::npos) << last.out;
  EXPECT_EQ(RunStrata("list " + LmdbUri(dir, "*"), "").out, "shop\n");
  // A rejected transaction changes nothing and says why.
  r = RunStrata("transact " + uri, "[[:db/add \"y\" :item/nope 1]]");
  EXPECT_EQ(r.status, 3);  // incorrect
  EXPECT_EQ(Anomaly::FromValue(ReadEdn(r.err)).error(),
            Value::Keyword("db.error", "not-an-attribute"));
  r = RunStrata("info " + uri, "");
  ASSERT_EQ(r.status, 0) << r.err;
  int64_t basis = ReadEdn(r.out).Get(Value::Keyword("basis-t"))->AsLong();
  EXPECT_GT(basis, 0);
  EXPECT_EQ(RunStrata("delete " + uri, "").out.rfind("deleted ", 0), 0u);
  r = RunStrata("info " + uri, "");
  EXPECT_EQ(r.status, 4);  // not-found
  EXPECT_EQ(Anomaly::FromValue(ReadEdn(r.err)).error(), Value::Keyword("db.error", "db-not-found"));
}

// `strata info` shows the object cache, bounded as STRATA_OBJECT_CACHE_MAX
// says; a malformed bound is an anomaly naming the variable.
TEST(CliTest, TheObjectCacheIsBoundedByTheEnvironment) {
  testing::TempDir dir;
  std::string uri = LmdbUri(dir, "cached");
  ASSERT_EQ(RunStrata("create " + uri, "").status, 0);
  ASSERT_EQ(RunStrata("transact " + uri, kSchema).status, 0);
  Result r = RunStrata("info " + uri, "", "STRATA_OBJECT_CACHE_MAX=3m");
  ASSERT_EQ(r.status, 0) << r.err;
  Value info = ReadEdn(r.out);
  const Value* cache = info.Get(Value::Keyword("cache"));
  ASSERT_NE(cache, nullptr) << r.out;
  EXPECT_EQ(*cache->Get(Value::Keyword("capacity-bytes")), Value::Long(3 << 20));
  for (const char* key : {"hits", "misses", "evictions", "entries", "bytes", "loaded-bytes"}) {
    const Value* v = cache->Get(Value::Keyword(key));
    ASSERT_NE(v, nullptr) << key;
    EXPECT_GE(v->AsLong(), 0) << key;
  }
  r = RunStrata("info " + uri, "", "STRATA_OBJECT_CACHE_MAX=2gb");
  EXPECT_EQ(r.status, 3);  // incorrect
  Anomaly a = Anomaly::FromValue(ReadEdn(r.err));
  EXPECT_EQ(a.category(), Category::kIncorrect);
  EXPECT_EQ(a.error(), Value::Keyword("db.error", "invalid-config"));
  EXPECT_NE(a.message().find("STRATA_OBJECT_CACHE_MAX"), std::string::npos) << a.message();
}

// Several processes write one embedded database at once: their commits
// serialize, each catching up with the others first; nothing is lost.
TEST(CliTest, ConcurrentProcessesSerializeTheirCommits) {
  testing::TempDir dir;
  std::string uri = LmdbUri(dir, "shared");
  ASSERT_EQ(RunStrata("create " + uri, "").status, 0);
  ASSERT_EQ(RunStrata("transact " + uri, kSchema).status, 0);
  constexpr int kProcesses = 4, kEach = 15;
  std::string strata = std::string(STRATA_BINARY_DIR) + "/tools/strata/strata";
  std::string script;
  for (int p = 0; p < kProcesses; ++p) {
    script += "(for i in $(seq 1 " + std::to_string(kEach) + "); do echo \"[{:item/n " +
              std::to_string(p + 1) + "00$i}]\" | " + strata + " transact " + uri +
              " >/dev/null || exit 1; done) & ";
  }
  script += "fail=0; for j in $(jobs -p); do wait $j || fail=1; done; exit $fail\n";
  std::filesystem::path file = dir.path() / "writers.sh";
  std::ofstream(file) << script;
  int raw = std::system(("bash " + file.string()).c_str());
  ASSERT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0);
  Result r = RunStrata("log " + uri + " --start 1", "");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1 + kProcesses * kEach);
  r = RunStrata("info " + uri, "");
  Value info = ReadEdn(r.out);
  const Value* attrs = info.Get(Value::Keyword("attrs"));
  ASSERT_NE(attrs, nullptr);
  const Value* items = attrs->Get(Value::Keyword("item", "n"));
  ASSERT_NE(items, nullptr) << r.out;
  EXPECT_EQ(*items->Get(Value::Keyword("count")), Value::Long(kProcesses * kEach));
}

// `strata gc` deletes what no database reaches once it is old enough, and
// prints what it found as EDN.
TEST(CliTest, GcDeletesWhatNoDatabaseReaches) {
  testing::TempDir dir;
  std::string shop = LmdbUri(dir, "shop"), scratch = LmdbUri(dir, "scratch");
  for (const std::string& uri : {shop, scratch}) {
    ASSERT_EQ(RunStrata("create " + uri, "").status, 0);
    ASSERT_EQ(RunStrata("transact " + uri, kSchema).status, 0);
    ASSERT_EQ(RunStrata("transact " + uri, "[{:item/n 7}]").status, 0);
  }
  ASSERT_EQ(RunStrata("delete " + scratch, "").status, 0);
  auto count = [](const Result& r, const char* key) {
    Value m = ReadEdn(r.out);
    const Value* v = m.Get(Value::Keyword(key));
    return v == nullptr ? -1 : v->AsLong();
  };
  // Everything was made within the default hour: nothing goes.
  Result r = RunStrata("gc " + LmdbUri(dir, "*"), "");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count(r, "databases"), 1) << r.out;
  EXPECT_EQ(count(r, "deleted"), 0) << r.out;
  EXPECT_GT(count(r, "too-young"), 0) << r.out;
  // With no margin, the deleted database's log goes.
  r = RunStrata("gc " + shop + " --older-than-minutes 0", "");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GT(count(r, "deleted"), 0) << r.out;
  EXPECT_EQ(count(r, "too-young"), 0) << r.out;
  EXPECT_EQ(count(r, "blobs"), count(r, "reachable") + count(r, "deleted")) << r.out;
  r = RunStrata("log " + shop + " --start 1", "");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(":item/n 7"), std::string::npos) << r.out;
  EXPECT_EQ(RunStrata("gc " + shop + " --older-than-minutes -1", "").status, 2);
}

}  // namespace
}  // namespace strata
