// The conformance cases of tests/conformance, run through the `strata`
// command: for each query (q-) and pull (p-) case, a database in a
// temporary LMDB directory gets the case's schema and transactions by
// `strata transact`, then `strata q` (with the case's :args as INPUTs),
// `strata pull` or `strata pull-many` answers, and the printed EDN is
// compared with NAME.expected.edn through canonical.h. A non-zero exit is
// the answer :error. Cases with the same schema and transactions share one
// database, so the run spawns few processes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.h"
#include "strata/anomaly.h"
#include "strata/edn.h"
#include "testing/canonical.h"
#include "testing/test_util.h"

namespace strata {
namespace {

using cli_testing::CliResult;
using cli_testing::RunCli;
using cli_testing::ShellQuote;

const std::filesystem::path kCaseDir = STRATA_CONFORMANCE_DIR;

Value Kw(std::string_view name) { return Value::Keyword(name); }
const Value* Get(const Value& m, std::string_view key) { return m.Get(Kw(key)); }

struct Case {
  std::string name;
  Value test_case;
  Value expected;
};

// A database built for the cases that share its schema and transactions:
// its URI (shell-quoted), or the answer every case of the group gets when
// building it failed (:error) or a rejected transaction went through.
struct Group {
  std::string uri;
  std::optional<Value> answer;
  std::vector<const Case*> cases;
};

Group BuildDatabase(const testing::TempDir& dir, const std::string& name, const Value& test_case) {
  Group g;
  g.uri = ShellQuote("strata:lmdb://" + name + "?dir=" + dir.path().string());
  CliResult r = RunCli("create " + g.uri);
  EXPECT_EQ(r.status, 0) << r.err;
  if (const Value* schema = Get(test_case, "schema"); schema != nullptr && schema->Count() > 0) {
    if (RunCli("transact " + g.uri, PrintEdn(conformance::SchemaTxData(*schema))).status != 0) {
      g.answer = Kw("error");
      return g;
    }
  }
  if (const Value* txs = Get(test_case, "tx"); txs != nullptr && txs->is_sequential()) {
    for (const Value& tx : txs->Items()) {
      auto [tx_data, expect_error] = conformance::ParseTxStep(tx);
      r = RunCli("transact " + g.uri, PrintEdn(tx_data));
      if (r.status != 0) {
        // The anomaly is on stderr, as EDN.
        EXPECT_NO_THROW(Anomaly::FromValue(ReadEdn(r.err))) << r.err;
        if (expect_error) continue;
        g.answer = Kw("error");
        return g;
      }
      if (expect_error) {
        g.answer = Kw("error/unexpected-tx-success");
        return g;
      }
    }
  }
  return g;
}

// The command line that answers a case on the database at `uri`.
std::string CommandFor(const std::string& uri, const Value& test_case) {
  if (const Value* query = Get(test_case, "query")) {
    std::string args = "q " + uri + " " + ShellQuote(PrintEdn(*query));
    if (const Value* inputs = Get(test_case, "args");
        inputs != nullptr && inputs->is_sequential()) {
      for (const Value& input : inputs->Items()) args += " " + ShellQuote(PrintEdn(input));
    }
    return args;
  }
  const Value& pattern = *Get(test_case, "pull");
  if (const Value* eid = Get(test_case, "eid")) {
    return "pull " + uri + " " + ShellQuote(PrintEdn(pattern)) + " " + ShellQuote(PrintEdn(*eid));
  }
  std::string args = "pull-many " + uri + " " + ShellQuote(PrintEdn(pattern));
  for (const Value& eid : Get(test_case, "eids")->Items()) args += " " + ShellQuote(PrintEdn(eid));
  return args;
}

TEST(ConformanceCliTest, QueryAndPullCasesMatchThroughTheCommand) {
  std::vector<Case> cases;
  for (const auto& entry : std::filesystem::directory_iterator(kCaseDir)) {
    std::string file = entry.path().filename().string();
    if (!file.ends_with(".edn") || file.ends_with(".expected.edn")) continue;
    if (!file.starts_with("q-") && !file.starts_with("p-")) continue;
    std::string name = file.substr(0, file.size() - 4);
    cases.push_back({name, ReadEdn(cli_testing::SlurpFile(entry.path())),
                     ReadEdn(cli_testing::SlurpFile(kCaseDir / (name + ".expected.edn")))});
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& x, const Case& y) { return x.name < y.name; });
  ASSERT_GT(cases.size(), 150u);

  // One database per distinct schema and transactions.
  testing::TempDir dir;
  std::map<std::string, Group> groups;
  for (const Case& c : cases) {
    const Value* schema = Get(c.test_case, "schema");
    const Value* tx = Get(c.test_case, "tx");
    std::string key = (schema ? PrintEdn(*schema) : "") + "|" + (tx ? PrintEdn(*tx) : "");
    auto it = groups.find(key);
    if (it == groups.end()) {
      std::string db_name = "db" + std::to_string(groups.size());
      it = groups.emplace(key, BuildDatabase(dir, db_name, c.test_case)).first;
    }
    it->second.cases.push_back(&c);
  }

  // The cases, on two threads (each runs its own processes).
  std::vector<std::pair<const Case*, const Group*>> work;
  for (const auto& [key, group] : groups) {
    for (const Case* c : group.cases) work.emplace_back(c, &group);
  }
  std::vector<std::string> got(work.size()), raw(work.size());
  auto run = [&](size_t first) {
    for (size_t i = first; i < work.size(); i += 2) {
      const auto& [c, group] = work[i];
      Value answer;
      if (group->answer) {
        answer = *group->answer;
      } else {
        CliResult r = RunCli(CommandFor(group->uri, c->test_case));
        raw[i] = "exit " + std::to_string(r.status) + "\n  stdout: " + r.out + "  stderr: " + r.err;
        try {
          answer = r.status == 0 ? ReadEdn(r.out) : Kw("error");
        } catch (const Anomaly& a) {
          answer = Value::String("unreadable output: " + a.message());
        }
      }
      got[i] = conformance::CanonicalString(conformance::Canonicalize(c->test_case, answer));
    }
  };
  std::thread other(run, 1);
  run(0);
  other.join();

  int failures = 0;
  for (size_t i = 0; i < work.size(); ++i) {
    const Case& c = *work[i].first;
    std::string want =
        conformance::CanonicalString(conformance::Canonicalize(c.test_case, c.expected));
    if (want != got[i]) {
      ++failures;
      ADD_FAILURE() << "conformance case " << c.name << " through the CLI\n  expected: " << want
                    << "\n  got:      " << got[i] << "\n  " << raw[i];
    }
  }
  std::cout << work.size() << " cases, " << groups.size() << " databases, " << failures
            << " failed\n";
}

}  // namespace
}  // namespace strata
