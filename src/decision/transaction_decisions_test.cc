// The transaction decision path on its own: the fixed rules over behaviour, device, payment
// history, lists and graph, a tenant's transaction strategy on top, and dry runs.
#include "decision/transaction_decisions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "decision/testing/runtime_fixture.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;
using ::testing::Contains;

// A payment of a user of its own (no history: the fixed rules see nothing unusual).
std::string Payment(const std::string& id, double amount, const std::string& payee,
                    const std::string& device = "d-1") {
  return R"({"event_type":"payment","event_id":")" + id +
         R"(","occurred_at":"2026-02-24T10:00:00Z","payment_id":")" + id + R"(","user_id":"u-)" +
         id + R"(","payee_id":")" + payee + R"(","payee_type":"merchant","amount":)" +
         std::to_string(amount) + R"(,"channel":"app","device_id":")" + device + R"("})";
}

class TransactionDecisionsTest : public testing::RuntimeTest {
 protected:
  json::object Decide(const std::string& event) {
    auto record = DecideAndWait(*runtime_->transactions, "acme", event);
    EXPECT_TRUE(record.ok()) << record.status().ToString();
    return record.ok() ? json::parse(*record).as_object() : json::object();
  }
  static std::vector<std::string> Codes(const json::object& d) {
    std::vector<std::string> codes;
    for (const auto& r : d.at("reasons").as_array()) codes.emplace_back(r.at("code").as_string());
    return codes;
  }
};

TEST_F(TransactionDecisionsTest, FixedRulesAllowChallengeAndBlock) {
  json::object d = Decide(Payment("p1", 100, "m-1"));
  EXPECT_EQ(d.at("decision"), "allow");
  EXPECT_EQ(d.at("kind"), "transaction");
  EXPECT_FALSE(d.contains("strategy"));
  // A device blacklisted: blocked with T01.
  auto put = runtime_->lists->PreparePut("acme", fraud::ListKind::kBlacklist, "device", "d-bad",
                                         {.reason = "stolen"}, "k1");
  ASSERT_TRUE(put.ok());
  ASSERT_TRUE(runtime_->store->Write(put->batch).ok());
  d = Decide(Payment("p2", 100, "m-1", "d-bad"));
  EXPECT_EQ(d.at("decision"), "block");
  EXPECT_THAT(Codes(d), Contains("T01"));
  // Idempotent by event id.
  EXPECT_EQ(Decide(Payment("p2", 100, "m-1", "d-bad")).at("decision_id"), d.at("decision_id"));
  // A payment far above the user's usual, from a device new to the account: challenged.
  for (int i = 0; i < 5; ++i) {
    std::string usual = Payment("h" + std::to_string(i), 100, "m-1");
    usual.replace(usual.find("u-h" + std::to_string(i)), 4, "u-hh");
    Decide(usual);
  }
  std::string unusual = Payment("h9", 100000, "m-9", "d-new");
  unusual.replace(unusual.find("u-h9"), 4, "u-hh");
  d = Decide(unusual);
  EXPECT_NE(d.at("decision"), "allow");
  EXPECT_THAT(Codes(d), Contains("T06"));
  EXPECT_EQ(
      DecideAndWait(*runtime_->transactions, "acme", R"({"event_type":"order"})").status().code(),
      StatusCode::kInvalidArgument);
}

TEST_F(TransactionDecisionsTest, ATransactionStrategyAddsRulesAndDryRuns) {
  Activate("transaction", R"(kind: transaction
rules:
  - name: r
    hit_policy: all
    rules:
      - {id: X01, when: "event.amount >= 1000 and device.known == 0", action: decline, reason: {code: X01, text: "Large from an unknown device"}}
      - {id: X02, when: "lists.merchant == 'greylist'", action: review, reason: {code: X02, text: "Watched merchant"}}
)");
  json::object d = Decide(Payment("s1", 5000, "m-1"));
  EXPECT_EQ(d.at("decision"), "block");
  EXPECT_THAT(Codes(d), Contains("X01"));
  EXPECT_EQ(d.at("strategy").at("decision"), "decline");
  EXPECT_EQ(Decide(Payment("s2", 50, "m-1")).at("decision"), "allow");
  auto grey = runtime_->lists->PreparePut("acme", fraud::ListKind::kGreylist, "merchant", "m-2",
                                          {.reason = "watch"}, "k1");
  ASSERT_TRUE(runtime_->store->Write(grey->batch).ok());
  d = Decide(Payment("s3", 50, "m-2"));
  EXPECT_EQ(d.at("decision"), "challenge");
  EXPECT_THAT(Codes(d), Contains("T09"));  // the fixed rule on a greylisted merchant
  EXPECT_THAT(Codes(d), Contains("X02"));  // and the tenant's

  // Dry runs: any transaction strategy, nothing stored; other kinds refused.
  auto live = runtime_->strategies->Active("acme", "transaction");
  ASSERT_TRUE(live.ok());
  auto dry = runtime_->transactions->DryRun("acme", Payment("s9", 5000, "m-1"), *(*live)->strategy,
                                            "transaction", 1);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(json::parse(*dry).at("decision"), "block");
  EXPECT_FALSE(runtime_->events->Find("acme", "s9").value().has_value());
  auto credit = runtime_->strategies->Compile(
      "acme",
      "rules: [{name: r, rules: [{id: A, when: \"true\", action: flag, reason: {code: "
      "A}}]}]\n");
  EXPECT_EQ(runtime_->transactions->DryRun("acme", Payment("s9", 1, "m"), **credit, "c", 0)
                .status()
                .field(),
            "strategy");
}

}  // namespace
}  // namespace finbrain::decision
