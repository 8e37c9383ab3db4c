// The object cache's bound from STRATA_OBJECT_CACHE_MAX: every accepted
// form, every malformed one an invalid-config anomaly naming the variable,
// and the default when the variable is unset.
#include "peer/object_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "testing/test_util.h"
#include "transactor/durable_transactor.h"

namespace strata::testing {
namespace {

using internal::ObjectCacheMaxFromEnvironment;
using internal::ParseByteSize;

constexpr const char* kVariable = "STRATA_OBJECT_CACHE_MAX";

size_t Parse(std::string_view text) { return ParseByteSize(text, kVariable); }

TEST(ObjectCacheTest, SizesAreBytesOrKibMibGib) {
  EXPECT_EQ(Parse("0"), 0u);
  EXPECT_EQ(Parse("1"), 1u);
  EXPECT_EQ(Parse("268435456"), size_t{268435456});
  EXPECT_EQ(Parse("512k"), size_t{512} << 10);
  EXPECT_EQ(Parse("512K"), size_t{512} << 10);
  EXPECT_EQ(Parse("64m"), size_t{64} << 20);
  EXPECT_EQ(Parse("64M"), size_t{64} << 20);
  EXPECT_EQ(Parse("2g"), size_t{2} << 30);
  EXPECT_EQ(Parse("2G"), size_t{2} << 30);
  EXPECT_EQ(Parse("0064m"), size_t{64} << 20);
  EXPECT_EQ(Parse("18446744073709551615"), ~size_t{0});
  EXPECT_EQ(Parse("17179869183g"), size_t{17179869183} << 30);
}

TEST(ObjectCacheTest, AnythingElseIsAnInvalidConfig) {
  for (std::string_view bad :
       {"", "m", "k", "-1", "+5", " 64m", "64m ", "64 m", "1.5g", "64mb", "64MiB", "2t", "0x10",
        "1e9", "g2", "18446744073709551616", "17179869184g", "99999999999999999999k"}) {
    std::optional<Anomaly> a = CatchAnomaly([&] { Parse(bad); });
    ASSERT_TRUE(IsAnomaly(a, Category::kIncorrect, "db.error/invalid-config")) << "'" << bad << "'";
    // The message names the variable and the forms it takes.
    EXPECT_NE(a->message().find(kVariable), std::string::npos) << a->message();
    EXPECT_NE(a->message().find("64m"), std::string::npos) << a->message();
    ASSERT_TRUE(a->data().is_map());
    EXPECT_EQ(*a->data().Get(K("variable")), S(kVariable));
    EXPECT_EQ(*a->data().Get(K("value")), S(bad));
  }
}

// Sets the variable for one scope, and restores it after.
class ScopedVariable {
 public:
  explicit ScopedVariable(const char* value) {
    if (const char* old = getenv(kVariable)) old_ = old;
    if (value == nullptr) {
      unsetenv(kVariable);
    } else {
      setenv(kVariable, value, 1);
    }
  }
  ~ScopedVariable() {
    if (old_) {
      setenv(kVariable, old_->c_str(), 1);
    } else {
      unsetenv(kVariable);
    }
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  std::optional<std::string> old_;
};

TEST(ObjectCacheTest, TheEnvironmentSetsTheBound) {
  {
    ScopedVariable unset(nullptr);
    EXPECT_EQ(ObjectCacheMaxFromEnvironment(), internal::DurableOptions::DefaultCacheBytes());
  }
  {
    ScopedVariable set("3m");
    EXPECT_EQ(ObjectCacheMaxFromEnvironment(), size_t{3} << 20);
  }
  {
    ScopedVariable set("lots");
    EXPECT_TRUE(IsAnomaly(CatchAnomaly([] { ObjectCacheMaxFromEnvironment(); }),
                          Category::kIncorrect, "db.error/invalid-config"));
  }
}

}  // namespace
}  // namespace strata::testing
