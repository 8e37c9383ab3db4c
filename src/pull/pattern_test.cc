// The pull pattern parser: every grammar element parses, and every kind of
// malformed pattern is an invalid-pull anomaly that names the bad part.
#include "pull/pattern.h"

#include <gtest/gtest.h>

#include <string>

#include "strata/pull.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

using internal::PullAttrSpec;

std::shared_ptr<const internal::PullPatternImpl> Parse(std::string_view text) {
  return internal::ParsePattern(ReadEdn(text));
}

// The anomaly parsing `text` throws, checked to be invalid-pull.
Anomaly ParseError(std::string_view text) {
  std::optional<Anomaly> a = CatchAnomaly([&] { Parse(text); });
  EXPECT_TRUE(IsAnomaly(a, Category::kIncorrect, "db.error/invalid-pull")) << text;
  return a.value_or(Anomaly(Category::kFault, "none"));
}

// The :form of the anomaly's data: the part of the pattern named as bad.
Value BadForm(std::string_view text) {
  Anomaly a = ParseError(text);
  const Value* form = a.data().Get(K("form"));
  EXPECT_NE(form, nullptr) << text;
  const Value* pattern = a.data().Get(K("pattern"));
  EXPECT_TRUE(pattern != nullptr && *pattern == ReadEdn(text)) << text;
  return form ? *form : Value();
}

TEST(PullPatternTest, AttributeNamesWildcardAndDbId) {
  auto p = Parse("[:a/b * :db/id \"*\"]");
  EXPECT_TRUE(p->root.wildcard);
  ASSERT_EQ(p->root.specs.size(), 2u);
  EXPECT_EQ(p->root.specs[0].name, K("a/b"));
  EXPECT_EQ(p->root.specs[0].key, K("a/b"));
  EXPECT_EQ(p->root.specs[0].limit, internal::kDefaultPullLimit);
  EXPECT_TRUE(p->root.specs[0].reverse_of.is_nil());
  EXPECT_EQ(p->root.specs[1].kind, PullAttrSpec::Kind::kDbId);
  EXPECT_TRUE(Parse("(:a)")->root.specs.size() == 1);
}

TEST(PullPatternTest, ReverseNames) {
  auto p = Parse("[:person/_friend :_x :a/_ :a/_#b]");
  EXPECT_EQ(p->root.specs[0].reverse_of, K("person/friend"));
  EXPECT_EQ(p->root.specs[1].reverse_of, K("x"));
  EXPECT_TRUE(p->root.specs[2].reverse_of.is_nil());
  // Found by the fuzzer: the rest of the name is no keyword's name.
  EXPECT_TRUE(p->root.specs[3].reverse_of.is_nil());
}

TEST(PullPatternTest, AttributeExpressions) {
  auto p = Parse(
      "[[:a :as :x :limit 5 :default 0 :xform str] [:b :limit nil] (:c :as \"C\")"
      " (limit :d 3) (default :e 7) [limit :f nil] (\"default\" :g :none)]");
  const auto& s = p->root.specs;
  ASSERT_EQ(s.size(), 7u);
  EXPECT_EQ(s[0].key, K("x"));
  EXPECT_EQ(s[0].limit, 5);
  EXPECT_TRUE(s[0].has_default);
  EXPECT_EQ(s[0].default_value, L(0));
  EXPECT_NE(s[0].xform, nullptr);
  EXPECT_EQ(s[1].limit, -1);
  EXPECT_EQ(s[2].key, S("C"));
  EXPECT_EQ(s[3].name, K("d"));
  EXPECT_EQ(s[3].limit, 3);
  EXPECT_EQ(s[4].default_value, L(7));
  EXPECT_EQ(s[5].limit, -1);
  EXPECT_EQ(s[6].default_value, K("none"));
  // A nil default is no default.
  EXPECT_FALSE(Parse("[[:a :default nil]]")->root.specs[0].has_default);
}

TEST(PullPatternTest, MapSpecs) {
  auto p = Parse("[{:a [:b {:c [:d]}] [:e :limit 2] ... :f 3 (limit :g 1) [*]}]");
  const auto& s = p->root.specs;
  ASSERT_EQ(s.size(), 4u);
  for (const PullAttrSpec& spec : s) {
    if (spec.name == K("a")) {
      ASSERT_NE(spec.sub, nullptr);
      EXPECT_EQ(spec.sub->specs.size(), 2u);
      EXPECT_NE(spec.sub->specs[1].sub, nullptr);
    } else if (spec.name == K("e")) {
      EXPECT_EQ(spec.limit, 2);
      EXPECT_EQ(spec.recursion, PullAttrSpec::Recursion::kUnbounded);
    } else if (spec.name == K("f")) {
      EXPECT_EQ(spec.recursion, PullAttrSpec::Recursion::kDepth);
      EXPECT_EQ(spec.depth, 3);
    } else {
      EXPECT_EQ(spec.name, K("g"));
      ASSERT_NE(spec.sub, nullptr);
      EXPECT_TRUE(spec.sub->wildcard);
    }
  }
}

TEST(PullPatternTest, PublicParseTakesValuesAndText) {
  EXPECT_EQ(ParsePullPattern("[:a {:b [:c]}]").form(), ReadEdn("[:a {:b [:c]}]"));
  EXPECT_EQ(ParsePullPattern(ReadEdn("[*]")).form(), ReadEdn("[*]"));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { ParsePullPattern("[:a"); }), Category::kIncorrect,
                        "db.error/invalid-edn"));
}

TEST(PullPatternTest, PatternShapeErrors) {
  EXPECT_EQ(BadForm(":a"), K("a"));
  EXPECT_EQ(BadForm("{:a [:b]}"), ReadEdn("{:a [:b]}"));
  EXPECT_EQ(BadForm("[]"), ReadEdn("[]"));
  EXPECT_EQ(BadForm("nil"), Value());
  EXPECT_EQ(BadForm("[:a 1]"), L(1));
  EXPECT_EQ(BadForm("[:a \"b\"]"), S("b"));
  EXPECT_EQ(BadForm("[:a foo]"), Sym("foo"));
  EXPECT_EQ(BadForm("[:a #{:b}]"), ReadEdn("#{:b}"));
  EXPECT_EQ(BadForm("[{:a [:b []]}]"), ReadEdn("[]"));
}

TEST(PullPatternTest, AttributeExpressionErrors) {
  EXPECT_EQ(BadForm("[[]]"), ReadEdn("[]"));
  EXPECT_EQ(BadForm("[[:a]]"), ReadEdn("[:a]"));
  EXPECT_EQ(BadForm("[[:a :as]]"), ReadEdn("[:a :as]"));
  EXPECT_EQ(BadForm("[[:a :as :x :limit]]"), ReadEdn("[:a :as :x :limit]"));
  EXPECT_EQ(BadForm("[[:a :bogus 1]]"), ReadEdn("[:a :bogus 1]"));
  EXPECT_EQ(BadForm("[[:a :x/as 1]]"), ReadEdn("[:a :x/as 1]"));
  EXPECT_EQ(BadForm("[[:a :as :x :as :y]]"), ReadEdn("[:a :as :x :as :y]"));
  EXPECT_EQ(BadForm("[[:a :limit 0]]"), ReadEdn("[:a :limit 0]"));
  EXPECT_EQ(BadForm("[[:a :limit -2]]"), ReadEdn("[:a :limit -2]"));
  EXPECT_EQ(BadForm("[[:a :limit 1.5]]"), ReadEdn("[:a :limit 1.5]"));
  EXPECT_EQ(BadForm("[[:a :limit \"2\"]]"), ReadEdn("[:a :limit \"2\"]"));
  EXPECT_EQ(BadForm("[[:a :xform :str]]"), ReadEdn("[:a :xform :str]"));
  EXPECT_EQ(BadForm("[[:a :xform no.such/fn]]"), ReadEdn("[:a :xform no.such/fn]"));
  EXPECT_EQ(BadForm("[[1 :as :x]]"), ReadEdn("[1 :as :x]"));
  EXPECT_EQ(BadForm("[(limit :a)]"), ReadEdn("(limit :a)"));
  EXPECT_EQ(BadForm("[(limit :a 1 2)]"), ReadEdn("(limit :a 1 2)"));
  EXPECT_EQ(BadForm("[(limit \"a\" 1)]"), ReadEdn("(limit \"a\" 1)"));
  EXPECT_EQ(BadForm("[(limit :a 0)]"), ReadEdn("(limit :a 0)"));
  EXPECT_EQ(BadForm("[(default :a)]"), ReadEdn("(default :a)"));
  EXPECT_EQ(BadForm("[(other :a 1)]"), ReadEdn("(other :a 1)"));
}

TEST(PullPatternTest, MapSpecErrors) {
  EXPECT_EQ(BadForm("[{}]"), ReadEdn("{}"));
  EXPECT_EQ(BadForm("[{1 [:a]}]"), ReadEdn("{1 [:a]}"));
  EXPECT_EQ(BadForm("[{:db/id [:a]}]"), ReadEdn("{:db/id [:a]}"));
  EXPECT_EQ(BadForm("[{:a 0}]"), ReadEdn("{:a 0}"));
  EXPECT_EQ(BadForm("[{:a -1}]"), ReadEdn("{:a -1}"));
  EXPECT_EQ(BadForm("[{:a :b}]"), ReadEdn("{:a :b}"));
  EXPECT_EQ(BadForm("[{:a ..}]"), ReadEdn("{:a ..}"));
  EXPECT_EQ(BadForm("[{:a \"...\"}]"), ReadEdn("{:a \"...\"}"));
  EXPECT_EQ(BadForm("[{[:a :limit 0] [:b]}]"), ReadEdn("[:a :limit 0]"));
}

TEST(PullPatternTest, MessagesSayWhatToWrite) {
  EXPECT_NE(ParseError("[[:a :bogus 1]]").message().find(":as, :limit, :default or :xform"),
            std::string::npos);
  EXPECT_NE(ParseError("[[:a :xform nope]]").message().find("RegisterPullXform"),
            std::string::npos);
  EXPECT_NE(ParseError("[{:a 0}]").message().find("recursion limit"), std::string::npos);
}

TEST(PullPatternTest, DeepNestingIsAnErrorNotACrash) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "[{:a ";
  text += "[:b]";
  for (int i = 0; i < 300; ++i) text += "}]";
  ParseError(text);
  std::string ok;
  for (int i = 0; i < 100; ++i) ok += "[{:a ";
  ok += "[:b]";
  for (int i = 0; i < 100; ++i) ok += "}]";
  EXPECT_NO_THROW(Parse(ok));
}

TEST(PullPatternTest, RegisteredXformsAreFoundByName) {
  EXPECT_NE(internal::FindPullXform(Sym("str")), nullptr);
  EXPECT_NE(internal::FindPullXform(Sym("clojure.core/name")), nullptr);
  EXPECT_EQ(internal::FindPullXform(Sym("pattern.test/id")), nullptr);
  RegisterPullXform("pattern.test/id", [](const Value& v) { return v; });
  EXPECT_NE(internal::FindPullXform(Sym("pattern.test/id")), nullptr);
  EXPECT_NO_THROW(Parse("[[:a :xform pattern.test/id]]"));
}

}  // namespace
}  // namespace strata::testing
