// The credit decision path on its own: validation, features, lists, the strategy and its
// challenger, the durable record, idempotency and dry runs.
#include "decision/credit_decisions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "decision/testing/runtime_fixture.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr std::string_view kFeatures = R"(features:
  - {name: apps_per_phone_7d, entity: phone, event: credit_application, aggregate: count, window: 7d}
)";

constexpr std::string_view kStrategy = R"yaml(description: test credit
rules:
  - name: fraud
    hit_policy: all
    rules:
      - {id: F01, when: lists.blacklisted, action: decline, reason: {code: F01, text: "Blacklisted"}}
      - {id: F02, when: "features.apps_per_phone_7d >= 2", action: review, reason: {code: F02, text: "Phone velocity"}}
  - name: credit
    rules:
      - {id: C01, when: "app.requested_amount > 50000", action: decline, reason: {code: C01, text: "Too large"}}
outcome: {limit: "min(app.requested_amount, app.declared_income * 3)", apr: 0.18}
)yaml";

std::string Application(const std::string& id, double amount, const std::string& phone) {
  return R"({"event_id":"evt-)" + id +
         R"(","event_type":"credit_application","occurred_at":"2026-02-24T10:00:00Z",)"
         R"("application_id":")" +
         id + R"(","user_id":"u-)" + id + R"(","product":"cash_loan","requested_amount":)" +
         std::to_string(amount) + R"(,"term_months":12,"declared_income":8000,"phone":")" + phone +
         R"(","device_id":"d-)" + id + R"("})";
}

class CreditDecisionsTest : public testing::RuntimeTest {
 protected:
  CreditDecisionsTest() {
    EXPECT_TRUE(runtime_->features
                    ->SetFeatureSet("acme", features::FeatureSet::Parse(kFeatures).value(), actor_)
                    .ok());
    version_ = Activate("credit", kStrategy);
  }
  json::object Decide(const std::string& application) {
    auto record = DecideAndWait(*runtime_->decisions, "acme", application, "credit");
    EXPECT_TRUE(record.ok()) << record.status().ToString();
    return record.ok() ? json::parse(*record).as_object() : json::object();
  }
  int version_ = 0;
};

TEST_F(CreditDecisionsTest, DecidesExplainsAndStoresTheRecord) {
  json::object r = Decide(Application("a1", 10000, "13800138001"));
  EXPECT_EQ(r.at("decision"), "approve");
  EXPECT_EQ(r.at("limit").to_number<double>(), 10000);
  EXPECT_EQ(r.at("apr").to_number<double>(), 0.18);
  EXPECT_EQ(r.at("strategy").at("version"), version_);
  EXPECT_TRUE(r.at("graph").is_object());
  EXPECT_TRUE(r.at("device").is_object());
  const std::string id(r.at("decision_id").as_string());
  auto stored = runtime_->decisions->Get("acme", id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(json::parse(**stored).at("decision"), "approve");
  EXPECT_EQ(
      json::parse(*runtime_->decisions->FindByApplication("acme", "a1").value()).at("decision_id"),
      json::value(id));
  // Another tenant sees nothing.
  EXPECT_FALSE(runtime_->decisions->Get("other", id).value().has_value());

  r = Decide(Application("a2", 90000, "13800138002"));
  EXPECT_EQ(r.at("decision"), "decline");
  EXPECT_TRUE(r.at("limit").is_null());  // a decline carries no terms
  EXPECT_EQ(r.at("reasons").as_array()[0].at("code"), "C01");
}

TEST_F(CreditDecisionsTest, ReadsFeatureWindowsAndListsOfTheLinkedEntities) {
  Decide(Application("p1", 1000, "13900139000"));
  const json::object second = Decide(Application("p2", 1000, "13900139000"));
  // The answer carries the values by position; the stored record names them.
  EXPECT_EQ(second.at("feature_values").as_array()[0].to_number<double>(), 1);
  const std::string stored =
      runtime_->decisions->Get("acme", std::string(second.at("decision_id").as_string()))
          .value()
          .value();
  EXPECT_EQ(json::parse(stored).at("features").at("apps_per_phone_7d").to_number<double>(), 1);
  const json::object third = Decide(Application("p3", 1000, "13900139000"));
  EXPECT_EQ(third.at("decision"), "review");  // two earlier applications on the phone
  EXPECT_THAT(json::serialize(third.at("reasons")), HasSubstr("F02"));

  auto put = runtime_->lists->PreparePut("acme", fraud::ListKind::kBlacklist, "phone",
                                         "+86 137 0013 7000", {.reason = "fraud"}, "k1");
  ASSERT_TRUE(put.ok());
  ASSERT_TRUE(runtime_->store->Write(put->batch).ok());
  const json::object listed = Decide(Application("p4", 1000, "13700137000"));
  EXPECT_EQ(listed.at("decision"), "decline");
  EXPECT_EQ(listed.at("lists").at("phone"), "blacklist");
}

// Concurrent retries: each gets the one decision, or is told it is being made right now; a
// retry afterwards answers the stored decision.
TEST_F(CreditDecisionsTest, AnApplicationIsDecidedOnceEvenWhenRetriedConcurrently) {
  const std::string app = Application("r1", 1000, "13600136000");
  std::vector<StatusOr<std::string>> answers(4, UnavailableError("not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back(
        [&, i] { answers[i] = DecideAndWait(*runtime_->decisions, "acme", app, "credit"); });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& answer : answers) {
    if (answer.ok()) {
      ids.insert(std::string(json::parse(*answer).at("decision_id").as_string()));
    } else {
      EXPECT_EQ(answer.status().code(), StatusCode::kAlreadyExists) << answer.status().ToString();
    }
  }
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(Decide(app).at("decision_id"), json::value(*ids.begin()));
}

TEST_F(CreditDecisionsTest, BadInputAndUnusableStrategiesAreRefusedWithNothingStored) {
  auto bad = DecideAndWait(*runtime_->decisions, "acme",
                           R"({"event_type":"credit_application","event_id":"x"})", "credit");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(bad.status().field().empty());
  auto login = DecideAndWait(
      *runtime_->decisions, "acme",
      R"({"event_type":"login","event_id":"l","occurred_at":"2026-02-24T10:00:00Z","user_id":"u","session_id":"s","device_id":"d","ip":"1.2.3.4","method":"password","success":true})",
      "credit");
  EXPECT_EQ(login.status().field(), "event_type");
  EXPECT_EQ(
      DecideAndWait(*runtime_->decisions, "acme", Application("n1", 1, "13500135000"), "missing")
          .status()
          .code(),
      StatusCode::kNotFound);
  // A strategy of another kind is not a credit strategy.
  Activate("accounts",
           "kind: account\nrules: [{name: r, rules: [{id: A, when: \"true\", "
           "action: flag, reason: {code: A}}]}]\n");
  auto wrong_kind =
      DecideAndWait(*runtime_->decisions, "acme", Application("n2", 1, "13500135000"), "accounts");
  EXPECT_THAT(wrong_kind.status().message(), HasSubstr("of kind account"));
  EXPECT_FALSE(runtime_->decisions->FindByApplication("acme", "n2").value().has_value());
}

TEST_F(CreditDecisionsTest, DryRunsDecideWithAnyVersionAndStoreNothing) {
  auto draft = runtime_->strategies->Compile(
      "acme",
      "rules: [{name: r, rules: [{id: D, when: \"app.requested_amount > 10\", action: "
      "decline, reason: {code: D}}]}]\n");
  ASSERT_TRUE(draft.ok());
  auto record =
      runtime_->decisions->DryRun("acme", Application("d1", 100, "13300133000"), **draft, "x", 0);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(json::parse(*record).at("decision"), "decline");
  EXPECT_TRUE(json::parse(*record).at("dry_run").as_bool());
  EXPECT_FALSE(runtime_->decisions->FindByApplication("acme", "d1").value().has_value());
  // The kind's registered dry run takes the API's body.
  const StrategyKind* credit = runtime_->kinds->Find("credit");
  ASSERT_NE(credit, nullptr);
  auto via_kind = credit->dry_run(
      "acme", R"({"application":)" + Application("d2", 100, "13300133000") + "}", **draft, "x", 0);
  ASSERT_TRUE(via_kind.ok()) << via_kind.status().ToString();
  EXPECT_EQ(credit->dry_run("acme", "{}", **draft, "x", 0).status().field(), "application");
}

}  // namespace
}  // namespace finbrain::decision
