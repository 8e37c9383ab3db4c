// Tests of the conformance canonicaliser: its rules one by one, and that it
// reproduces the oracle's canonical text for every expected answer in the
// suite (so that comparing canonical text with this code means what the
// oracle means).
#include "testing/canonical.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "strata/anomaly.h"
#include "strata/edn.h"

namespace strata::conformance {
namespace {

std::string Canon(std::string_view test_case, std::string_view result) {
  return CanonicalString(Canonicalize(ReadEdn(test_case), ReadEdn(result)));
}

TEST(CanonicalTest, RelationIsASetOfTuplesInOrder) {
  EXPECT_EQ(Canon("{:query [:find ?a ?b :where [?e :x ?a]]}", "#{[\"b\" 2] [\"a\" 1] [\"a\" 0.5]}"),
            "#{[\"a\" 0.5] [\"a\" 1] [\"b\" 2]}");
  // A list or vector of tuples is a relation too.
  EXPECT_EQ(Canon("[:find ?a :where [?e :x ?a]]", "#{}"), "#{}");
  EXPECT_EQ(Canon("{:query [:find ?a :where [?e :x ?a]]}", "([2] [1])"), "#{[1] [2]}");
}

TEST(CanonicalTest, BagWithDuplicatesIsASortedVector) {
  EXPECT_EQ(Canon("{:query [:find ?a :with ?e :where [?e :x ?a]]}", "[[25] [19] [25]]"),
            "[[19] [25] [25]]");
}

TEST(CanonicalTest, NumbersByValue) {
  EXPECT_EQ(Canon("{:query [:find ?a . :where [?e :x ?a]]}", "31.0"), "31");
  EXPECT_EQ(Canon("{:query [:find ?a . :where [?e :x ?a]]}", "17.571428571428573"),
            "17.571428571428573");
  EXPECT_EQ(Canon("{:query [:find ?a . :where [?e :x ?a]]}", "0.5"), "0.5");
  EXPECT_EQ(Canon("{:query [:find ?a . :where [?e :x ?a]]}", "-2.5e-7"), "-2.5e-7");
  EXPECT_EQ(Canon("{:query [:find ?a . :where [?e :x ?a]]}", "1.5e22"), "1.5e+22");
  EXPECT_EQ(Canon("{:query [:find ?a . :where [?e :x ?a]]}", "123456.75"), "123456.75");
  // 1 and 1.0 are one element of a set; numbers sort by value across types.
  EXPECT_EQ(Canon("{:query [:find [?a ...] :where [?e :x ?a]]}", "[2 1.5 1 1.0]"), "[1 1 1.5 2]");
  EXPECT_EQ(CanonicalString(NormalizeNumbers(ReadEdn("#{1 1.0 2N}"))), "#{1 2}");
}

TEST(CanonicalTest, CrossTypeOrder) {
  EXPECT_EQ(Canon("{:query [:find [?a ...] :where [?e :x ?a]]}",
                  "[#{1} {:a 1} [1] #inst \"2020-01-01T00:00:00Z\" "
                  "#uuid \"00000000-0000-0000-0000-000000000001\" sym :kw \"s\" 3 true nil]"),
            "[nil true 3 \"s\" :kw sym #uuid \"00000000-0000-0000-0000-000000000001\" "
            "#inst \"2020-01-01T00:00:00.000-00:00\" [1] {:a 1} #{1}]");
  // Keywords by their text: no namespace sorts by the name's text.
  EXPECT_EQ(Canon("{:query [:find [?a ...] :where [?e :x ?a]]}", "[:b/a :a :c]"), "[:a :b/a :c]");
}

TEST(CanonicalTest, FindShapes) {
  EXPECT_EQ(Canon("{:query [:find [?a ?b] :where [?e :x ?a]]}", "(1 \"x\")"), "[1 \"x\"]");
  EXPECT_EQ(Canon("{:query [:find [?a ?b] :where [?e :x ?a]]}", "nil"), "nil");
  EXPECT_EQ(Canon("{:query [:find ?a . :where [?e :x ?a]]}", "nil"), "nil");
  EXPECT_EQ(Canon("{:query {:find [?a ?b] :keys [x y] :where [[?e :x ?a]]}}",
                  "[{:y 2, :x 1} {:x 0 :y 5}]"),
            "#{{:x 0, :y 5} {:x 1, :y 2}}");
  EXPECT_EQ(Canon("{:query [:find ?a :strs x :where [?e :x ?a]]}", "#{{\"x\" 1}}"), "#{{\"x\" 1}}");
}

TEST(CanonicalTest, AggregatesReturningCollections) {
  EXPECT_EQ(Canon("{:query [:find ?k (distinct ?v) :where [?e :x ?v]]}", "#{[:a [3 1 3]]}"),
            "#{[:a #{1 3}]}");
  EXPECT_EQ(Canon("{:query [:find (max 2 ?v) . :where [?e :x ?v]]}", "[100 9]"), "[9 100]");
  EXPECT_EQ(Canon("{:query [:find (sample 5 ?v) :where [?e :x ?v]]}", "#{[[\"b\" \"a\"]]}"),
            "#{[[\"a\" \"b\"]]}");
}

TEST(CanonicalTest, PullDropsIdsAndSortsCollections) {
  std::string test_case =
      "{:schema {:p/friend {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}"
      "          :p/pos {:db/valueType :db.type/tuple :db/cardinality :db.cardinality/one}}"
      " :pull [*] :eid [:p/name \"a\"]}";
  EXPECT_EQ(
      Canon(test_case,
            "{:db/id 5 :p/name \"a\" :p/pos [2 1] :p/friend [{:db/id 9 :p/name \"z\"} "
            "{:db/id 7 :p/name \"b\"}] :p/boss {:db/id 3}}"),
      "{:p/boss {}, :p/friend [{:p/name \"b\"} {:p/name \"z\"}], :p/name \"a\", :p/pos [2 1]}");
  EXPECT_EQ(Canon("{:pull [:p/name] :eids [[:p/name \"b\"] [:p/name \"a\"]]}",
                  "[{:db/id 2 :p/name \"b\"} {:db/id 1 :p/name \"a\"}]"),
            "[{:p/name \"b\"} {:p/name \"a\"}]");
  EXPECT_EQ(Canon("{:query [:find (pull ?e [:p/name]) ?x :where [?e :p/name ?x]]}",
                  "[[{:db/id 1 :p/name \"a\"} \"a\"]]"),
            "#{[{:p/name \"a\"} \"a\"]}");
}

TEST(CanonicalTest, EntityManyPathsAreSets) {
  std::string test_case =
      "{:schema {:p/friend {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}"
      "          :p/name {:db/valueType :db.type/string :db/cardinality :db.cardinality/one}}"
      " :entity [:p/name \"a\"] :get [:p/name [:p/friend :p/name] [:p/_friend :p/name]]}";
  EXPECT_EQ(Canon(test_case,
                  "{:p/name \"a\" [:p/friend :p/name] [\"c\" \"b\"] [:p/_friend :p/name] nil}"),
            "{:p/name \"a\", [:p/_friend :p/name] #{}, [:p/friend :p/name] #{\"b\" \"c\"}}");
  EXPECT_EQ(Canon(test_case, "nil"), "nil");
}

TEST(CanonicalTest, ErrorsStayErrors) {
  EXPECT_EQ(Canon("{:query [:find ?a :where [?e :x ?a]]}", ":error"), ":error");
  EXPECT_EQ(Canon("{:query [:find ?a :where [?e :x ?a]]}", ":error/unexpected-tx-success"),
            ":error/unexpected-tx-success");
}

TEST(CanonicalTest, StringsAreQuoted) {
  EXPECT_EQ(CanonicalString(ReadEdn(R"(["a\"b\\c\nd"])")), R"(["a\"b\\c\nd"])");
}

TEST(CanonicalTest, FindSpecOfMapAndVectorForms) {
  FindSpec rel = ParseFindSpec(ReadEdn("[:find ?a (count ?b) :with ?c :where [?a :x ?b]]"));
  EXPECT_EQ(rel.kind, FindSpec::kRelation);
  EXPECT_EQ(rel.elements.size(), 2u);
  EXPECT_EQ(ParseFindSpec(ReadEdn("{:find [[?a ...]] :where [[?a :x]]}")).kind,
            FindSpec::kCollection);
  EXPECT_EQ(ParseFindSpec(ReadEdn("[:find [?a ?b] :where [?a :x ?b]]")).kind, FindSpec::kTuple);
  EXPECT_EQ(ParseFindSpec(ReadEdn("[:find ?a . :where [?a :x]]")).kind, FindSpec::kScalar);
  EXPECT_EQ(ParseFindSpec(ReadEdn("[:find ?a :syms a :where [?a :x]]")).kind, FindSpec::kMaps);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Every expected answer of the suite is already canonical: the canonicaliser
// must give back exactly the oracle's text.
TEST(CanonicalTest, ReproducesEveryExpectedAnswer) {
  std::filesystem::path dir(STRATA_CONFORMANCE_DIR);
  std::vector<std::filesystem::path> cases;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".edn") && !name.ends_with(".expected.edn")) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  ASSERT_GE(cases.size(), 170u);
  for (const auto& path : cases) {
    SCOPED_TRACE(path.filename().string());
    std::filesystem::path expected_path = path;
    expected_path.replace_extension(".expected.edn");
    std::string expected_text = ReadFile(expected_path);
    while (!expected_text.empty() &&
           (expected_text.back() == '\n' || expected_text.back() == ' ')) {
      expected_text.pop_back();
    }
    try {
      Value test_case = ReadEdn(ReadFile(path));
      ASSERT_TRUE(test_case.is_map());
      EXPECT_EQ(CanonicalString(Canonicalize(test_case, ReadEdn(expected_text))), expected_text);
    } catch (const Anomaly& a) {
      ADD_FAILURE() << "cannot read: " << a.what();
    }
  }
}

}  // namespace
}  // namespace strata::conformance
