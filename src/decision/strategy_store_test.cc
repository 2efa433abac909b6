// The strategy store: compile before storing, versions, activation that swaps atomically and
// refuses what no longer compiles, one kind per name.
#include "decision/strategy_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "decision/testing/runtime_fixture.h"

namespace finbrain::decision {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kV1 = R"(description: v1
rules: [{name: r, rules: [{id: A, when: "app.requested_amount > 100", action: decline, reason: {code: A}}]}]
)";
constexpr std::string_view kV2 = R"(description: v2
rules: [{name: r, rules: [{id: B, when: "features.apps_7d > 1", action: review, reason: {code: B}}]}]
)";

class StrategyStoreTest : public testing::RuntimeTest {
 protected:
  StrategyStore& store() { return *runtime_->strategies; }
};

TEST_F(StrategyStoreTest, StoresCompiledVersionsAndActivatesThem) {
  auto broken = store().Put("acme", "credit", "rules: [{name: r}]", actor_);
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().Versions("acme", "credit").status().code(), StatusCode::kNotFound);

  auto v1 = store().Put("acme", "credit", kV1, actor_);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->kind, "credit");
  EXPECT_EQ(v1->description, "v1");
  EXPECT_EQ(store().Active("acme", "credit").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store().Activate("acme", "credit", 1, actor_).ok());
  auto live = store().Active("acme", "credit");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ((*live)->version, 1);

  // v2 reads a feature that is not declared: it is refused until it is.
  EXPECT_THAT(store().Put("acme", "credit", kV2, actor_).status().message(),
              HasSubstr("unknown name 'features.apps_7d'"));
  ASSERT_TRUE(runtime_->features
                  ->SetFeatureSet("acme",
                                  features::FeatureSet::Parse(
                                      "features: [{name: apps_7d, entity: phone, event: "
                                      "credit_application, aggregate: count, window: 7d}]\n")
                                      .value(),
                                  actor_)
                  .ok());
  ASSERT_TRUE(store().Put("acme", "credit", kV2, actor_).ok());
  ASSERT_TRUE(store().Activate("acme", "credit", 2, actor_).ok());
  // The version served before the swap is still whole for whoever holds it.
  EXPECT_EQ((*live)->strategy->description(), "v1");
  EXPECT_EQ((*store().Active("acme", "credit"))->version, 2);

  auto versions = store().Versions("acme", "credit");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_FALSE((*versions)[0].active);
  EXPECT_TRUE((*versions)[1].active);
  auto listed = store().List("acme");
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].version, 2);
  EXPECT_TRUE((*listed)[0].yaml.empty());
  EXPECT_EQ(store().Get("acme", "credit", 1)->yaml, kV1);
  EXPECT_EQ(store().Get("acme", "credit", 3).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().Activate("acme", "credit", 3, actor_).status().code(), StatusCode::kNotFound);

  // Removing the feature: v2 no longer compiles, and cannot be activated again.
  ASSERT_TRUE(runtime_->features
                  ->SetFeatureSet("acme",
                                  features::FeatureSet::Parse(
                                      "features: [{name: other, entity: phone, event: "
                                      "credit_application, aggregate: count, window: 7d}]\n")
                                      .value(),
                                  actor_)
                  .ok());
  auto stale = store().Activate("acme", "credit", 2, actor_);
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(), HasSubstr("does not compile any more"));
}

TEST_F(StrategyStoreTest, ANameKeepsItsKindAndNamesAreChecked) {
  ASSERT_TRUE(store().Put("acme", "credit", kV1, actor_).ok());
  auto other_kind = store().Put(
      "acme", "credit",
      "kind: transaction\nrules: [{name: r, rules: [{id: A, when: \"true\", action: flag, "
      "reason: {code: A}}]}]\n",
      actor_);
  EXPECT_EQ(other_kind.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(other_kind.status().field(), "kind");
  EXPECT_EQ(store().Put("acme", "Bad Name", kV1, actor_).status().code(),
            StatusCode::kInvalidArgument);
  // Tenants do not see each other's strategies.
  EXPECT_EQ(store().Versions("other", "credit").status().code(), StatusCode::kNotFound);
}

TEST_F(StrategyStoreTest, ChallengersAreCompiledWithTheirChampion) {
  ASSERT_TRUE(store().Put("acme", "credit", kV1, actor_).ok());
  const std::string with_challenger =
      std::string(kV1) + "challenger: {version: 1, share: 0.2, key: app.user_id}\n";
  ASSERT_TRUE(store().Put("acme", "credit", with_challenger, actor_).ok());
  ASSERT_TRUE(store().Activate("acme", "credit", 2, actor_).ok());
  auto live = store().Active("acme", "credit");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ((*live)->challenger_version, 1);
  ASSERT_NE((*live)->challenger, nullptr);
  // A version cannot challenge itself.
  ASSERT_TRUE(
      store()
          .Put("acme", "credit",
               std::string(kV1) + "challenger: {version: 3, share: 0.2, key: app.user_id}\n",
               actor_)
          .ok());
  EXPECT_THAT(store().Activate("acme", "credit", 3, actor_).status().message(),
              HasSubstr("its own challenger"));
}

}  // namespace
}  // namespace finbrain::decision
