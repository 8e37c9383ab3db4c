// The `strata` command as a user runs it: exit status, stdout, and the
// anomaly map on stderr.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "strata/anomaly.h"
#include "strata/edn.h"

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

// Runs `strata ARGS` with `input` on stdin.
Result RunStrata(const std::string& args, const std::string& input) {
  auto dir =
      std::filesystem::temp_directory_path() / ("strata_cli_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto in = dir / "in", out = dir / "out", err = dir / "err";
  std::ofstream(in, std::ios::binary) << input;
  std::string command = std::string(STRATA_BINARY_DIR) + "/tools/strata/strata " + args + " <" +
                        in.string() + " >" + out.string() + " 2>" + err.string();
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
  EXPECT_EQ(r.status, 1);
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
  EXPECT_EQ(r.status, 1);
  Anomaly a = Anomaly::FromValue(ReadEdn(r.err));
  EXPECT_EQ(a.category(), Category::kNotFound);
}

TEST(CliTest, UnknownSubcommandIsAUsageError) {
  Result r = RunStrata("no-such-command", "");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no-such-command"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace strata
