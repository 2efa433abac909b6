#include "lifecycle/account_lifecycle.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "common/temp_dir.h"
#include "ingest/event_schema.h"
#include "runtime/runtime.h"

namespace finbrain::lifecycle {
namespace {

namespace json = boost::json;

constexpr TimeMicros kDay = 86'400'000'000;
constexpr TimeMicros kStart = 1'767'225'600'000'000;  // 2026-01-01

constexpr std::string_view kFeatures = R"yaml(
features:
  - {name: missed_90d, entity: user, event: repayment, filter: "status in ['missed', 'partial']", aggregate: count, window: 90d}
  - {name: paid_180d, entity: user, event: repayment, filter: "status == 'paid'", aggregate: count, window: 90d}
)yaml";

// Three clean instalments raise the line by 20% (capped at twice the first limit); one missed
// instalment halves it, prices it up and raises an early warning; two freeze the account; a line
// of 50,000 or more is only changed by a person.
constexpr std::string_view kStrategy = R"yaml(
kind: account
description: test account reviews
rules:
  - name: early_warning
    hit_policy: all
    rules:
      - {id: EW01, when: "event.status == 'missed'", action: flag, reason: {code: EW01, text: "A missed instalment"}}
      - {id: EW02, when: "features.missed_90d >= 2", action: decline, reason: {code: EW02, text: "Repeated missed instalments"}}
      - {id: EW03, when: lists.blacklisted, action: decline, reason: {code: EW03, text: "The customer is blacklisted"}}
  - name: limits
    hit_policy: first
    rules:
      - {id: L01, when: "account.limit >= 50000", action: review, reason: {code: L01, text: "Large lines are changed by a person"}}
tables:
  - name: line
    hit_policy: first
    inputs: [features.missed_90d, features.paid_180d]
    default: {limit: account.limit, apr: account.apr}
    rows:
      - {when: ["= 1", "-"], then: {limit: "account.limit * 0.5", apr: "account.apr + 0.02"}}
      - {when: ["= 0", ">= 3"], then: {limit: "min(account.initial_limit * 2, account.limit * 1.2)", apr: account.apr}}
outcome: {limit: "round(tables.line.limit, -2)", apr: tables.line.apr}
)yaml";

class AccountLifecycleTest : public ::testing::Test {
 protected:
  AccountLifecycleTest() { Open(); }
  ~AccountLifecycleTest() override { Close(); }

  // The wiring a server uses (runtime/runtime.h), on a manual clock.
  void Open() {
    runtime_ =
        std::move(runtime::Runtime::Open({.data_dir = dir_.path(), .clock = &clock_})).value();
    store_ = runtime_->store.get();
    tokenizer_ = runtime_->tokenizer.get();
    audit_ = runtime_->audit.get();
    lists_ = runtime_->lists.get();
    events_ = runtime_->events.get();
    features_ = runtime_->features.get();
    strategies_ = runtime_->strategies.get();
    accounts_ = runtime_->accounts.get();
  }

  // In the order a server shuts down: queued writes land, then consumers persist.
  void Close() { runtime_.reset(); }

  void Declare() {
    ASSERT_TRUE(
        features_
            ->SetFeatureSet("acme", features::FeatureSet::Parse(kFeatures).value(), {"cli", "test"})
            .ok());
    auto v = strategies_->Put("acme", "accounts", kStrategy, {"cli", "test"});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_TRUE(strategies_->Activate("acme", "accounts", v->version, {"cli", "test"}).ok());
  }

  void Ingest(const std::string& json_text) {
    auto e = ingest::EventSchema::Get().ValidateJson(json_text, *tokenizer_);
    ASSERT_TRUE(e.ok()) << e.status().ToString() << "\n" << json_text;
    std::vector<ingest::ValidatedEvent> batch;
    batch.push_back(std::move(*e));
    auto s = events_->IngestAndWait("acme", std::move(batch),
                                    {.tenant = "acme", .actor = "test", .action = "test"});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }

  void Drawdown(const std::string& user, double amount, TimeMicros at) {
    Ingest(json::serialize(json::object{{"event_id", "draw-" + user},
                                        {"event_type", "loan_drawdown"},
                                        {"occurred_at", FormatRfc3339(at)},
                                        {"loan_id", "loan-" + user},
                                        {"user_id", user},
                                        {"amount", amount},
                                        {"term_months", 12},
                                        {"apr", 0.2}}));
  }

  void Repayment(const std::string& user, int k, std::string_view status, TimeMicros drawn) {
    const TimeMicros due = drawn + k * 30 * kDay;
    const bool missed = status == "missed";
    Ingest(json::serialize(json::object{{"event_id", "rep-" + user + "-" + std::to_string(k)},
                                        {"event_type", "repayment"},
                                        {"occurred_at", FormatRfc3339(due + (missed ? kDay : 0))},
                                        {"loan_id", "loan-" + user},
                                        {"user_id", user},
                                        {"installment", k},
                                        {"due_at", FormatRfc3339(due)},
                                        {"amount_due", 1000},
                                        {"amount_paid", missed ? 0 : 1000},
                                        {"status", status},
                                        {"days_past_due", missed ? 1 : 0}}));
  }

  // One instalment's report: what has been paid on it in all, at `at`.
  void Report(const std::string& user, int k, std::string_view status, double paid, TimeMicros at,
              std::string_view event_id = "") {
    const TimeMicros due = kStart + k * 30 * kDay;
    Ingest(json::serialize(json::object{
        {"event_id", event_id.empty()
                         ? "rep-" + user + "-" + std::to_string(k) + "-" + std::string(status)
                         : std::string(event_id)},
        {"event_type", "repayment"},
        {"occurred_at", FormatRfc3339(at)},
        {"loan_id", "loan-" + user},
        {"user_id", user},
        {"installment", k},
        {"due_at", FormatRfc3339(due)},
        {"amount_due", 1000},
        {"amount_paid", paid},
        {"status", status}}));
  }

  json::object Account(const std::string& id) {
    auto text = accounts_->Get("acme", id);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? json::parse(*text).as_object() : json::object();
  }

  size_t AuditEntries(std::string_view about) {
    size_t n = 0;
    EXPECT_TRUE(audit_
                    ->Scan(0, "acme",
                           [&](const tenancy::AuditEntry& e) {
                             n += e.entity.find(about) != std::string::npos;
                             return true;
                           })
                    .ok());
    return n;
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  std::unique_ptr<runtime::Runtime> runtime_;
  storage::KvStore* store_ = nullptr;
  tenancy::PiiTokenizer* tokenizer_ = nullptr;
  tenancy::AuditLog* audit_ = nullptr;
  fraud::ListStore* lists_ = nullptr;
  ingest::EventStore* events_ = nullptr;
  features::FeatureStore* features_ = nullptr;
  decision::StrategyStore* strategies_ = nullptr;
  AccountLifecycle* accounts_ = nullptr;
};

TEST_F(AccountLifecycleTest, RepaymentsRaiseTheLineAndMissedOnesFlagCutAndFreeze) {
  Declare();
  Drawdown("u1", 10000, kStart);
  json::object a = Account("loan-u1");
  EXPECT_EQ(a["account"].at("limit").to_number<double>(), 10000);
  EXPECT_EQ(a["account"].at("status").as_string(), "active");
  ASSERT_EQ(a["history"].as_array().size(), 1u);
  EXPECT_EQ(a["history"].as_array()[0].at("action").as_string(), "open");

  for (int k = 1; k <= 2; ++k) Repayment("u1", k, "paid", kStart);
  EXPECT_EQ(Account("loan-u1")["account"].at("limit").to_number<double>(), 10000);
  Repayment("u1", 3, "paid", kStart);  // the third clean instalment
  a = Account("loan-u1");
  EXPECT_EQ(a["account"].at("limit").to_number<double>(), 12000);
  EXPECT_EQ(a["account"].at("reviews").to_number<int>(), 4);
  const json::object& raised = a["history"].as_array()[0].as_object();
  EXPECT_EQ(raised.at("trigger").at("event_id").as_string(), "rep-u1-3");
  EXPECT_EQ(raised.at("strategy").at("name").as_string(), "accounts");
  EXPECT_EQ(raised.at("features").at("paid_180d").to_number<double>(), 3);
  EXPECT_EQ(json::serialize(raised.at("changes")),
            R"([{"field":"limit","from":10000,"to":12000}])");

  Repayment("u1", 4, "missed", kStart);
  a = Account("loan-u1");
  EXPECT_EQ(a["account"].at("limit").to_number<double>(), 6000);
  EXPECT_NEAR(a["account"].at("apr").to_number<double>(), 0.22, 1e-12);
  EXPECT_EQ(json::serialize(a["account"].at("flags")), R"(["EW01"])");
  const json::object& cut = a["history"].as_array()[0].as_object();
  EXPECT_EQ(cut.at("outcome").at("rule_hits").as_array()[0].at("code").as_string(), "EW01");

  Repayment("u1", 5, "missed", kStart);
  a = Account("loan-u1");
  EXPECT_EQ(a["account"].at("status").as_string(), "frozen");
  std::vector<std::string> reasons;
  for (const json::value& r : a["history"].as_array()[0].at("outcome").at("reasons").as_array())
    reasons.push_back(json::value_to<std::string>(r.at("code")));
  EXPECT_EQ(reasons, (std::vector<std::string>{"EW01", "EW02"}));
  EXPECT_EQ(a["account"].at("changes").to_number<int>(), 4);  // open, raise, cut, freeze
  EXPECT_EQ(AuditEntries("account/loan-u1"), 4u);

  // A frozen account takes no automatic change; a person unfreezes it.
  Repayment("u1", 6, "paid", kStart);
  EXPECT_EQ(Account("loan-u1")["account"].at("status").as_string(), "frozen");
  auto bad = accounts_->Resolve("acme", "loan-u1", "apply", "", {"k1", "test"});
  EXPECT_EQ(bad.status().code(), StatusCode::kFailedPrecondition);
  auto unfrozen = accounts_->Resolve("acme", "loan-u1", "unfreeze", "called the customer",
                                     {"k1", "POST /v1/accounts/{id}/resolve"});
  ASSERT_TRUE(unfrozen.ok()) << unfrozen.status().ToString();
  a = Account("loan-u1");
  EXPECT_EQ(a["account"].at("status").as_string(), "active");
  EXPECT_EQ(a["history"].as_array()[0].at("note").as_string(), "called the customer");
  EXPECT_EQ(accounts_->Resolve("acme", "loan-u1", "close", "", {"k1", "t"}).status().field(),
            "action");
}

TEST_F(AccountLifecycleTest, LargeLinesAreHeldForAPersonAndUnknownLoansIgnored) {
  Declare();
  Drawdown("u2", 60000, kStart);
  for (int k = 1; k <= 3; ++k) Repayment("u2", k, "paid", kStart);
  json::object a = Account("loan-u2");
  EXPECT_EQ(a["account"].at("limit").to_number<double>(), 60000);
  ASSERT_TRUE(a["account"].at("pending").is_object());
  EXPECT_EQ(a["account"].at("pending").at("limit").to_number<double>(), 72000);
  auto applied = accounts_->Resolve("acme", "loan-u2", "apply", "", {"k1", "test"});
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  a = Account("loan-u2");
  EXPECT_EQ(a["account"].at("limit").to_number<double>(), 72000);
  EXPECT_TRUE(a["account"].at("pending").is_null());

  Repayment("ghost", 1, "missed", kStart);  // a loan FinBrain never saw drawn
  EXPECT_EQ(accounts_->Get("acme", "loan-ghost").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->accounts(), 1u);
}

TEST_F(AccountLifecycleTest, AccountsSurviveARestartWithoutReviewingTwice) {
  Declare();
  Drawdown("u3", 10000, kStart);
  for (int k = 1; k <= 4; ++k) Repayment("u3", k, k == 4 ? "missed" : "paid", kStart);
  const std::string before = json::serialize(Account("loan-u3"));
  const size_t audited = AuditEntries("account/loan-u3");
  Close();
  Open();
  EXPECT_EQ(json::serialize(Account("loan-u3")), before);
  EXPECT_EQ(AuditEntries("account/loan-u3"), audited);
  // And it keeps going where it stopped.
  Repayment("u3", 5, "missed", kStart);
  EXPECT_EQ(Account("loan-u3")["account"].at("status").as_string(), "frozen");
}

// Without any account strategy the account still knows what is owed: instalments paid, missed,
// partly paid and paid late, replays that change nothing, and a restart in between.
TEST_F(AccountLifecycleTest, RepaymentsKeepBalanceNextDueAndDaysPastDue) {
  Drawdown("u9", 10000, kStart);
  lifecycle::Account a = accounts_->ForUser("acme", "u9").at(0);
  EXPECT_EQ(a.next_due_at, kStart + 30 * kDay);
  EXPECT_FALSE(Outstanding(a).has_value());  // the drawdown named no instalment amount

  Report("u9", 1, "paid", 1000, kStart + 30 * kDay);
  Report("u9", 2, "missed", 0, kStart + 61 * kDay);
  Report("u9", 3, "partial", 400, kStart + 90 * kDay);
  clock_.SetMicros(kStart + 95 * kDay);
  json::object j = Account("loan-u9")["account"].as_object();
  EXPECT_EQ(j.at("repaid").to_number<double>(), 1400);
  EXPECT_EQ(j.at("overdue_amount").to_number<double>(), 1600);  // 1000 + 600
  EXPECT_EQ(j.at("outstanding").to_number<double>(), 1600 + 9 * 1000);
  EXPECT_EQ(j.at("days_past_due").to_number<int>(), 35);  // since instalment 2 fell due
  EXPECT_EQ(j.at("next_due_at").as_string(), FormatRfc3339(kStart + 120 * kDay));
  EXPECT_EQ(j.at("arrears").as_array().size(), 2u);

  Close();
  Open();
  // The late payment of instalment 2 clears the oldest arrear; days past due now count from 3.
  Report("u9", 2, "late", 1000, kStart + 96 * kDay);
  Report("u9", 2, "late", 1000, kStart + 96 * kDay, "rep-u9-2-again");  // the same news again
  Report("u9", 1, "paid", 1000, kStart + 30 * kDay, "rep-u9-1-again");
  j = Account("loan-u9")["account"].as_object();
  EXPECT_EQ(j.at("repaid").to_number<double>(), 2400);
  EXPECT_EQ(j.at("overdue_amount").to_number<double>(), 600);
  EXPECT_EQ(j.at("days_past_due").to_number<int>(), 5);
  a = accounts_->ForUser("acme", "u9").at(0);
  EXPECT_EQ(DaysPastDue(a, kStart + 90 * kDay), 0);
  EXPECT_EQ(accounts_->ForUser("acme", "nobody").size(), 0u);
  EXPECT_EQ(accounts_->ForUser("other", "u9").size(), 0u);

  // The last instalment settled leaves nothing due.
  Report("u9", 3, "paid", 1000, kStart + 97 * kDay);
  for (int k = 4; k <= 12; ++k) Report("u9", k, "paid", 1000, kStart + k * 30 * kDay);
  a = accounts_->ForUser("acme", "u9").at(0);
  EXPECT_EQ(a.next_due_at, 0);
  EXPECT_EQ(Outstanding(a).value(), 0);
  EXPECT_EQ(a.repaid, 12000);
}

TEST_F(AccountLifecycleTest, BatchReviewDryRunListsAndBadInput) {
  Declare();
  Drawdown("u4", 10000, kStart);
  Drawdown("u5", 20000, kStart);
  for (int k = 1; k <= 2; ++k) {
    Repayment("u4", k, "paid", kStart);
    Repayment("u5", k, "paid", kStart);
  }
  // u4 blacklisted after the fact: the batch review freezes it, u5 is unchanged.
  auto put = lists_->PreparePut("acme", fraud::ListKind::kBlacklist, "user", "u4",
                                {.reason = "confirmed fraud"}, "k1");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  ASSERT_TRUE(store_->Write(put->batch).ok());

  auto strategy = strategies_->Active("acme", "accounts").value();
  auto dry =
      accounts_->DryRun("acme", "loan-u4", *strategy->strategy, "accounts", 1, kStart + 70 * kDay);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(json::parse(*dry).at("outcome").at("decision").as_string(), "decline");
  EXPECT_EQ(Account("loan-u4")["account"].at("status").as_string(), "active");  // not stored

  size_t progress_calls = 0;
  auto summary = accounts_->ReviewAll("acme", "accounts", kStart + 70 * kDay, {"k1", "batch"},
                                      [&](size_t, size_t) { ++progress_calls; });
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->reviewed, 2u);
  EXPECT_EQ(summary->changed, 1u);
  EXPECT_EQ(summary->frozen, 1u);
  EXPECT_GE(progress_calls, 1u);
  EXPECT_EQ(Account("loan-u4")["account"].at("status").as_string(), "frozen");
  EXPECT_EQ(Account("loan-u4")["history"].as_array()[0].at("trigger").at("type").as_string(),
            "batch");

  const json::object frozen =
      json::parse(accounts_->List("acme", {.status = "frozen"})).as_object();
  ASSERT_EQ(frozen.at("accounts").as_array().size(), 1u);
  EXPECT_EQ(frozen.at("accounts").as_array()[0].at("account_id").as_string(), "loan-u4");
  const json::object page = json::parse(accounts_->List("acme", {.limit = 1})).as_object();
  EXPECT_EQ(page.at("next").as_string(), "loan-u4");
  const json::object rest =
      json::parse(accounts_->List("acme", {.limit = 1, .after = "loan-u4"})).as_object();
  EXPECT_EQ(rest.at("accounts").as_array()[0].at("account_id").as_string(), "loan-u5");
  EXPECT_TRUE(rest.at("next").is_null());

  // A credit strategy cannot review accounts, and an unknown one is named.
  EXPECT_EQ(accounts_->ReviewAll("acme", "nope", kStart, {"k1", "t"}).status().code(),
            StatusCode::kNotFound);
  constexpr std::string_view kCredit =
      "rules: [{name: r, rules: [{id: A, when: 'app.requested_amount > 1', action: review, "
      "reason: {code: A, text: a}}]}]";
  auto credit = strategies_->Put("acme", "credit", kCredit, {"cli", "t"});
  ASSERT_TRUE(credit.ok()) << credit.status().ToString();
  ASSERT_TRUE(strategies_->Activate("acme", "credit", credit->version, {"cli", "t"}).ok());
  EXPECT_EQ(accounts_->ReviewAll("acme", "credit", kStart, {"k1", "t"}).status().field(),
            "strategy");
  // Nor can a version of another kind be put under an account strategy's name.
  auto mixed = strategies_->Put("acme", "accounts", kCredit, {"cli", "t"});
  EXPECT_EQ(mixed.status().code(), StatusCode::kFailedPrecondition);
}

// Repayments reviewed (the fan-out looks the `accounts` strategy up) while strategies are put
// and activated (which wait for their own commits): neither waits for the other.
TEST_F(AccountLifecycleTest, ReviewsAndStrategyChangesDoNotWaitForEachOther) {
  ASSERT_TRUE(
      features_
          ->SetFeatureSet("acme", features::FeatureSet::Parse(kFeatures).value(), {"cli", "test"})
          .ok());
  Drawdown("u6", 10000, kStart);
  std::thread puts([this] {
    for (int i = 0; i < 20; ++i) {
      auto v = strategies_->Put("acme", "accounts", kStrategy, {"cli", "test"});
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      if (i == 10) {
        ASSERT_TRUE(strategies_->Activate("acme", "accounts", v->version, {"cli", "t"}).ok());
      }
    }
  });
  for (int k = 1; k <= 20; ++k) Repayment("u6", k, "paid", kStart);
  puts.join();
  EXPECT_GE(Account("loan-u6")["account"].at("reviews").to_number<int>(), 1);
}

}  // namespace
}  // namespace finbrain::lifecycle
