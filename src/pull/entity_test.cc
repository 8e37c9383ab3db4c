// The entity API: values by cardinality, refs and idents, reverse names,
// Keys, Touch, time views and the history database's error.
#include "strata/entity.h"

#include <gtest/gtest.h>

#include <vector>

#include "testing/test_util.h"

namespace strata::testing {
namespace {

class EntityTest : public PersonDbTest {
 protected:
  void SetUp() override {
    PersonDbTest::SetUp();
    TxReport r = Tx(R"([
      {:db/id "ann" :person/name "Ann" :person/age 30 :person/nick ["a" "b"] :person/color :color/red
       :person/address {:address/street "1 Main" :address/city "paris"}
       :person/phones [{:phone/number "111"} {:phone/number "222"}]}
      {:db/id "paris" :city/name "Paris"}
      {:db/id "bob" :person/name "Bob" :person/friend ["ann"] :person/spouse "ann"}])");
    ann_ = *r.Tempid("ann");
    bob_ = *r.Tempid("bob");
    paris_ = *r.Tempid("paris");
  }
  Entity Ann() const { return Entity(Db(), ann_); }

  EntityId paris_ = 0;
};

TEST_F(EntityTest, ValuesByCardinality) {
  Entity ann = Ann();
  EXPECT_EQ(ann.id(), ann_);
  EXPECT_EQ(ann.Get("person/name"), S("Ann"));
  EXPECT_EQ(ann.Get(":person/age"), L(30));
  EXPECT_EQ(ann.Get(K("person/nick")), ReadEdn("#{\"a\" \"b\"}"));
  EXPECT_EQ(ann.Get("db/id"), L(ann_));
  EXPECT_EQ(ann.Get("person/email"), Value());
  EXPECT_EQ(ann.Get("no/such"), Value());
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { ann.Get(S("person/name")); }), Category::kIncorrect,
                        "db.error/not-a-keyword"));
}

TEST_F(EntityTest, RefsGiveIdsOrIdentsAndNavigate) {
  Entity ann = Ann();
  EXPECT_EQ(ann.Get("person/color"), K("color/red"));
  Entity bob(Db(), bob_);
  EXPECT_EQ(bob.Get("person/spouse"), Value::Ref(ann_));
  EXPECT_EQ(bob.Get("person/friend"), Value::Set({Value::Ref(ann_)}));
  std::optional<Entity> spouse = bob.GetEntity("person/spouse");
  ASSERT_TRUE(spouse.has_value());
  EXPECT_EQ(spouse->Get("person/name"), S("Ann"));
  EXPECT_EQ(*spouse, ann);
  std::optional<Entity> address = ann.GetEntity("person/address");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->GetEntity("address/city")->Get("city/name"), S("Paris"));
  std::vector<Entity> phones = ann.GetEntities("person/phones");
  ASSERT_EQ(phones.size(), 2u);
  EXPECT_EQ(phones[0].Get("phone/number"), S("111"));
  EXPECT_FALSE(bob.GetEntity("person/address").has_value());
  EXPECT_TRUE(bob.GetEntities("person/phones").empty());
  // GetEntity is for one entity; GetEntities for refs only.
  EXPECT_TRUE(CatchAnomaly([&] { ann.GetEntity("person/phones"); }).has_value());
  EXPECT_TRUE(CatchAnomaly([&] { ann.GetEntity("person/_friend"); }).has_value());
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { ann.GetEntities("person/name"); }), Category::kIncorrect,
                        "db.error/not-a-ref-attribute"));
}

TEST_F(EntityTest, ReverseNames) {
  Entity ann = Ann();
  EXPECT_EQ(ann.Get("person/_friend"), Value::Set({Value::Ref(bob_)}));
  EXPECT_EQ(ann.GetEntities("person/_spouse").at(0).Get("person/name"), S("Bob"));
  EXPECT_EQ(Entity(Db(), bob_).Get("person/_friend"), Value());
  // A reverse component name gives the one owner.
  Entity phone = ann.GetEntities("person/phones").at(0);
  EXPECT_EQ(phone.Get("person/_phones"), Value::Ref(ann_));
  EXPECT_EQ(phone.GetEntity("person/_phones")->Get("person/name"), S("Ann"));
  EXPECT_EQ(Entity(Db(), paris_).Get("address/_city"),
            Value::Set({Value::Ref(ann.GetEntity("person/address")->id())}));
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { ann.Get("person/_age"); }), Category::kIncorrect,
                        "db.error/not-a-ref-attribute"));
}

TEST_F(EntityTest, Keys) {
  EXPECT_EQ(Ann().Keys(),
            (std::vector<Value>{K("person/address"), K("person/age"), K("person/color"),
                                K("person/name"), K("person/nick"), K("person/phones")}));
  EXPECT_TRUE(Entity(Db(), 987654321).Keys().empty());
}

TEST_F(EntityTest, TouchRecursesIntoComponents) {
  Value touched = Ann().Touch();
  EXPECT_EQ(*touched.Get(K("db/id")), L(ann_));
  EXPECT_EQ(*touched.Get(K("person/color")), K("color/red"));
  const Value& address = *touched.Get(K("person/address"));
  EXPECT_EQ(*address.Get(K("address/street")), S("1 Main"));
  EXPECT_EQ(*address.Get(K("address/city")), Value::Map({{K("db/id"), L(paris_)}}));
  EXPECT_EQ(touched.Get(K("person/phones"))->Count(), 2u);
  EXPECT_TRUE(touched.Get(K("person/phones"))->Items()[0].is_map());
  EXPECT_EQ(*touched.Get(K("person/nick")), ReadEdn("#{\"a\" \"b\"}"));
  EXPECT_EQ(Entity(Db(), bob_).Touch().Get(K("person/spouse"))->Get(K("db/id"))->AsLong(), ann_);
}

TEST_F(EntityTest, FindByIdentifier) {
  EXPECT_EQ(Entity::Find(Db(), ReadEdn("[:person/name \"Bob\"]"))->id(), bob_);
  EXPECT_FALSE(Entity::Find(Db(), ReadEdn("[:person/name \"Nobody\"]")).has_value());
  EXPECT_EQ(Entity::Find(Db(), K("color/red"))->Get("db/ident"), K("color/red"));
  EXPECT_FALSE(Entity::Find(Db(), K("no/such")).has_value());
}

TEST_F(EntityTest, TimeViews) {
  Database before = Db();
  Tx(R"([{:person/name "Ann" :person/age 31} [:db/retract [:person/name "Ann"] :person/nick "a"]])");
  Entity now = Ann();
  EXPECT_EQ(now.Get("person/age"), L(31));
  EXPECT_EQ(now.Get("person/nick"), ReadEdn("#{\"b\"}"));
  Entity then(Db().AsOf(L(before.basis_t())), ann_);
  EXPECT_EQ(then.Get("person/age"), L(30));
  EXPECT_EQ(then.Get("person/nick"), ReadEdn("#{\"a\" \"b\"}"));
  Entity since(Db().Since(L(before.basis_t())), ann_);
  EXPECT_EQ(since.Get("person/age"), L(31));
  EXPECT_EQ(since.Get("person/name"), Value());
  EXPECT_TRUE(IsAnomaly(CatchAnomaly([&] { Entity(Db().History(), ann_); }), Category::kIncorrect,
                        "db.error/history-db"));
  EXPECT_TRUE(CatchAnomaly([&] { Entity::Find(Db().History(), L(ann_)); }).has_value());
}

}  // namespace
}  // namespace strata::testing
