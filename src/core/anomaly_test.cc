// Tests for strata::Anomaly: categories, retry meaning, the EDN map form
// Datomic users see, and the Throw* shorthands.
#include "strata/anomaly.h"

#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "strata/edn.h"
#include "strata/value.h"
#include "testing/test_util.h"

namespace strata::testing {
namespace {

const std::vector<std::pair<Category, std::string_view>>& AllCategories() {
  static const auto* all = new std::vector<std::pair<Category, std::string_view>>{
      {Category::kIncorrect, "incorrect"}, {Category::kNotFound, "not-found"},
      {Category::kConflict, "conflict"},   {Category::kUnavailable, "unavailable"},
      {Category::kBusy, "busy"},           {Category::kInterrupted, "interrupted"},
      {Category::kForbidden, "forbidden"}, {Category::kUnsupported, "unsupported"},
      {Category::kFault, "fault"},
  };
  return *all;
}

TEST(AnomalyTest, CategoryNamesAreCognitectNames) {
  for (const auto& [category, name] : AllCategories()) {
    EXPECT_EQ(CategoryName(category), name);
  }
}

TEST(AnomalyTest, ParseCategoryRoundTrips) {
  for (const auto& [category, name] : AllCategories()) {
    std::optional<Category> plain = ParseCategory(name);
    ASSERT_TRUE(plain.has_value()) << name;
    EXPECT_EQ(*plain, category) << name;
    std::string qualified = "cognitect.anomalies/" + std::string(name);
    std::optional<Category> full = ParseCategory(qualified);
    ASSERT_TRUE(full.has_value()) << qualified;
    EXPECT_EQ(*full, category) << qualified;
    EXPECT_EQ(ParseCategory(CategoryName(category)), category);
  }
}

TEST(AnomalyTest, ParseCategoryRejectsOtherNames) {
  for (std::string_view bad :
       {"", "bogus", "Incorrect", "INCORRECT", "notfound", "not_found", "cognitect.anomalies/",
        "cognitect.anomalies/bogus", "other.ns/incorrect", "incorrect ", " incorrect"}) {
    EXPECT_FALSE(ParseCategory(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(AnomalyTest, OnlyTransientCategoriesAreRetryable) {
  for (const auto& [category, name] : AllCategories()) {
    bool expected = category == Category::kUnavailable || category == Category::kBusy ||
                    category == Category::kInterrupted;
    EXPECT_EQ(IsRetryable(category), expected) << name;
  }
}

TEST(AnomalyTest, Accessors) {
  Value error = K("db.error", "not-a-keyword");
  Value data = Value::Map({{Value::Keyword("attr"), K("person", "name")}});
  Anomaly anomaly(Category::kIncorrect, "Expected a keyword", error, data);
  EXPECT_EQ(anomaly.category(), Category::kIncorrect);
  EXPECT_EQ(anomaly.message(), "Expected a keyword");
  EXPECT_EQ(anomaly.error(), error);
  EXPECT_EQ(anomaly.data(), data);
  EXPECT_STREQ(anomaly.what(), "Expected a keyword");

  Anomaly bare(Category::kFault, "boom");
  EXPECT_TRUE(bare.error().is_nil());
  EXPECT_TRUE(bare.data().is_nil());
  EXPECT_STREQ(bare.what(), "boom");
}

TEST(AnomalyTest, IsAStdException) {
  try {
    throw Anomaly(Category::kBusy, "try again later");
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "try again later");
    const auto* anomaly = dynamic_cast<const Anomaly*>(&e);
    ASSERT_NE(anomaly, nullptr);
    EXPECT_EQ(anomaly->category(), Category::kBusy);
    return;
  }
  FAIL() << "not caught as std::exception";
}

TEST(AnomalyTest, CopiesKeepEverything) {
  Value data = Value::Map({{Value::Keyword("n"), Value::Long(1)}});
  Anomaly original(Category::kConflict, std::string(100, 'c'), K("db.error", "cas-failed"), data);
  Anomaly copy = original;
  EXPECT_EQ(copy.category(), Category::kConflict);
  EXPECT_EQ(copy.message(), std::string(100, 'c'));
  EXPECT_STREQ(copy.what(), std::string(100, 'c').c_str());
  EXPECT_EQ(copy.error(), K("db.error", "cas-failed"));
  EXPECT_EQ(copy.data(), data);
}

TEST(AnomalyTest, ToValueIsTheDatomicMap) {
  Anomaly anomaly(Category::kIncorrect, "Bad attribute", K("db.error", "x"),
                  Value::Map({{Value::Keyword("line"), Value::Long(3)},
                              {Value::Keyword("near"), Value::String("foo")}}));
  Value expected = Value::Map({
      {K("cognitect.anomalies", "category"), K("cognitect.anomalies", "incorrect")},
      {K("cognitect.anomalies", "message"), Value::String("Bad attribute")},
      {K("db", "error"), K("db.error", "x")},
      {Value::Keyword("line"), Value::Long(3)},
      {Value::Keyword("near"), Value::String("foo")},
  });
  EXPECT_EQ(anomaly.ToValue(), expected);
}

TEST(AnomalyTest, ToValueWithoutErrorOrData) {
  Anomaly anomaly(Category::kNotFound, "No such database");
  Value expected = Value::Map({
      {K("cognitect.anomalies", "category"), K("cognitect.anomalies", "not-found")},
      {K("cognitect.anomalies", "message"), Value::String("No such database")},
  });
  EXPECT_EQ(anomaly.ToValue(), expected);
  // An empty data map adds nothing either.
  Anomaly empty_data(Category::kNotFound, "No such database", Value(), Value::Map({}));
  EXPECT_EQ(empty_data.ToValue(), expected);
}

TEST(AnomalyTest, ToValueNamesEveryCategory) {
  for (const auto& [category, name] : AllCategories()) {
    Value map = Anomaly(category, "m").ToValue();
    const Value* got = map.Get(K("cognitect.anomalies", "category"));
    ASSERT_NE(got, nullptr) << name;
    EXPECT_EQ(*got, K("cognitect.anomalies", name));
  }
}

TEST(AnomalyTest, FromValueRoundTrips) {
  std::vector<Anomaly> anomalies = {
      Anomaly(Category::kIncorrect, "Bad attribute", K("db.error", "x"),
              Value::Map({{Value::Keyword("line"), Value::Long(3)},
                          {K("db", "ident"), Value::Vector({Value::Long(1)})}})),
      Anomaly(Category::kConflict, "CAS failed", K("db.error", "cas-failed")),
      Anomaly(Category::kFault, ""),
      Anomaly(Category::kBusy, "Slow down", Value(),
              Value::Map({{Value::String("k"), Value::Nil()}})),
  };
  for (const auto& [category, name] : AllCategories()) {
    anomalies.emplace_back(category, "message for " + std::string(name));
  }
  for (const Anomaly& original : anomalies) {
    Value map = original.ToValue();
    Anomaly back = Anomaly::FromValue(map);
    EXPECT_EQ(back.category(), original.category()) << original.message();
    EXPECT_EQ(back.message(), original.message());
    EXPECT_STREQ(back.what(), original.message().c_str());
    EXPECT_EQ(back.error(), original.error()) << original.message();
    EXPECT_EQ(back.ToValue(), map) << original.message();
    if (!original.data().is_nil() && original.data().Count() > 0) {
      EXPECT_EQ(back.data(), original.data()) << original.message();
    } else {
      EXPECT_TRUE(back.data().is_nil() || (back.data().is_map() && back.data().Count() == 0));
    }
  }
}

TEST(AnomalyTest, FromValueSurvivesEdnText) {
  // What a client receives over the wire.
  Anomaly original(Category::kUnavailable, "Storage is down", K("db.error", "storage"),
                   Value::Map({{Value::Keyword("uri"), Value::String("strata:mem://x")}}));
  Anomaly back = Anomaly::FromValue(ReadEdn(PrintEdn(original.ToValue())));
  EXPECT_EQ(back.category(), Category::kUnavailable);
  EXPECT_EQ(back.message(), "Storage is down");
  EXPECT_EQ(back.error(), K("db.error", "storage"));
  EXPECT_EQ(back.data(), original.data());
}

TEST(AnomalyTest, FromValueRejectsWhatIsNotAnAnomaly) {
  std::vector<Value> bad = {
      Value(),
      Value::Long(1),
      Value::String("incorrect"),
      Value::Vector({K("cognitect.anomalies", "category"), K("cognitect.anomalies", "incorrect")}),
      Value::Map({}),
      Value::Map({{Value::Keyword("a"), Value::Long(1)}}),
      // No category.
      Value::Map({{K("cognitect.anomalies", "message"), Value::String("m")}}),
      // A category that is not one.
      Value::Map({{K("cognitect.anomalies", "category"), K("cognitect.anomalies", "bogus")},
                  {K("cognitect.anomalies", "message"), Value::String("m")}}),
      // A category that is not a keyword.
      Value::Map({{K("cognitect.anomalies", "category"), Value::Long(1)},
                  {K("cognitect.anomalies", "message"), Value::String("m")}}),
  };
  for (const Value& v : bad) {
    auto anomaly = CatchAnomaly([&] { Anomaly::FromValue(v); });
    ASSERT_TRUE(anomaly.has_value()) << PrintEdn(v);
    EXPECT_EQ(anomaly->category(), Category::kIncorrect) << PrintEdn(v);
  }
}

TEST(AnomalyTest, ThrowIncorrect) {
  Value data = Value::Map({{Value::Keyword("value"), Value::Long(42)}});
  auto anomaly =
      CatchAnomaly([&] { ThrowIncorrect("not-a-keyword", "42 is not a keyword", data); });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kIncorrect);
  EXPECT_EQ(anomaly->error(), K("db.error", "not-a-keyword"));
  EXPECT_EQ(anomaly->message(), "42 is not a keyword");
  EXPECT_STREQ(anomaly->what(), "42 is not a keyword");
  EXPECT_EQ(anomaly->data(), data);

  auto x = CatchAnomaly([] { ThrowIncorrect("x", "m"); });
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->error(), K("db.error", "x"));
  EXPECT_TRUE(x->data().is_nil());

  auto none = CatchAnomaly([] { ThrowIncorrect("", "no keyword"); });
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->category(), Category::kIncorrect);
  EXPECT_TRUE(none->error().is_nil());
  EXPECT_EQ(none->ToValue().Get(K("db", "error")), nullptr);
}

TEST(AnomalyTest, ThrowNotFound) {
  auto anomaly = CatchAnomaly([] { ThrowNotFound("db-not-found", "No database named x"); });
  ASSERT_TRUE(anomaly.has_value());
  EXPECT_EQ(anomaly->category(), Category::kNotFound);
  EXPECT_EQ(anomaly->error(), K("db.error", "db-not-found"));
  EXPECT_EQ(anomaly->message(), "No database named x");
  auto none = CatchAnomaly([] { ThrowNotFound("", "gone"); });
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->category(), Category::kNotFound);
  EXPECT_TRUE(none->error().is_nil());
}

TEST(AnomalyTest, ThrowFaultAndUnsupported) {
  Value data = Value::Map({{Value::Keyword("segment"), Value::String("abc")}});
  auto fault = CatchAnomaly([&] { ThrowFault("checksum mismatch", data); });
  ASSERT_TRUE(fault.has_value());
  EXPECT_EQ(fault->category(), Category::kFault);
  EXPECT_TRUE(fault->error().is_nil());
  EXPECT_EQ(fault->message(), "checksum mismatch");
  EXPECT_EQ(fault->data(), data);

  auto unsupported = CatchAnomaly([] { ThrowUnsupported("not yet"); });
  ASSERT_TRUE(unsupported.has_value());
  EXPECT_EQ(unsupported->category(), Category::kUnsupported);
  EXPECT_TRUE(unsupported->error().is_nil());
  EXPECT_EQ(unsupported->message(), "not yet");
  EXPECT_FALSE(IsRetryable(unsupported->category()));
}

}  // namespace
}  // namespace strata::testing
