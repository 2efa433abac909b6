#include "decision/backtest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "common/temp_dir.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::string Application(const std::string& id, double amount, const std::string& product) {
  return R"({"event_id":"e-)" + id + R"(","event_type":"credit_application",)" +
         R"("occurred_at":"2026-03-01T10:00:00Z","application_id":")" + id + R"(","user_id":"u-)" +
         id + R"(","product":")" + product + R"(","requested_amount":)" + std::to_string(amount) +
         R"(,"term_months":12,"declared_income":8000})";
}

// Two products; the champion declines above 20,000, the challenger above 8,000 (so it swaps
// out the 10,000 and 15,000 applications, one of which went bad).
class BacktestTest : public ::testing::Test {
 protected:
  BacktestTest() {
    std::ofstream(champion_) << R"(rules:
  - name: r
    rules:
      - {id: LIMIT, when: "app.requested_amount > 20000", action: decline, reason: {code: LIMIT}}
outcome: {limit: app.requested_amount, apr: 0.2}
)";
    std::ofstream(challenger_) << R"(rules:
  - name: r
    rules:
      - {id: LIMIT, when: "app.requested_amount > 8000", action: decline, reason: {code: LIMIT}}
outcome: {limit: app.requested_amount, apr: 0.2}
)";
    std::ofstream apps(applications_);
    std::ofstream outcomes(outcomes_);
    const std::tuple<const char*, double, const char*, bool> rows[] = {
        {"a1", 5000, "cash_loan", false},
        {"a2", 10000, "cash_loan", true},
        {"a3", 15000, "installment", false},
        {"a4", 30000, "installment", true},
        {"a5", 2000, "installment", false}};
    for (const auto& [id, amount, product, bad] : rows) {
      apps << Application(id, amount, product) << "\n";
      outcomes << R"({"application_id":")" << id << R"(","defaulted":)" << (bad ? "true" : "false")
               << "}\n";
    }
  }

  TempDir dir_;
  const std::string champion_ = dir_.path() + "/champion.yaml";
  const std::string challenger_ = dir_.path() + "/challenger.yaml";
  const std::string applications_ = dir_.path() + "/apps.jsonl";
  const std::string outcomes_ = dir_.path() + "/outcomes.jsonl";
};

TEST_F(BacktestTest, ComparesChampionAndChallengerOnOutcomes) {
  auto report = RunBacktestFiles({.strategy = champion_,
                                  .challenger = challenger_,
                                  .applications = applications_,
                                  .outcomes = outcomes_,
                                  .lgd = 0.5});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const json::value r = json::parse(report->json);
  EXPECT_EQ(r.at("applications"), 5);
  const json::value& champion = r.at("champion");
  EXPECT_EQ(champion.at("approve"), 4);
  EXPECT_EQ(champion.at("decline"), 1);
  EXPECT_DOUBLE_EQ(champion.at("realised_bad_rate").to_number<double>(), 0.25);  // a2 of four
  EXPECT_DOUBLE_EQ(champion.at("declined_bad_rate").to_number<double>(), 1.0);   // a4
  // Realised loss: the bad approval's exposure times LGD.
  EXPECT_DOUBLE_EQ(champion.at("realised_loss").to_number<double>(), 10000 * 0.5);
  EXPECT_EQ(champion.at("by_segment").at("installment").at("applications"), 3);
  EXPECT_EQ(champion.at("rule_reasons").at("LIMIT"), 1);
  const json::value& challenger = r.at("challenger");
  EXPECT_EQ(challenger.at("approve"), 2);
  EXPECT_DOUBLE_EQ(challenger.at("realised_bad_rate").to_number<double>(), 0.0);
  EXPECT_EQ(r.at("swap_out"), 2);  // a2 and a3
  EXPECT_EQ(r.at("swap_in"), 0);
  for (const json::value& cell : r.at("swap_set").as_array()) {
    if (cell.at("champion") == "approve" && cell.at("challenger") == "decline") {
      EXPECT_EQ(cell.at("applications"), 2);
      EXPECT_DOUBLE_EQ(cell.at("bad_rate").to_number<double>(), 0.5);
    }
  }
  EXPECT_THAT(report->html, HasSubstr("<svg"));
}

TEST_F(BacktestTest, ErrorsNameTheOptionAndTheLine) {
  BacktestFiles files{.strategy = champion_, .applications = applications_, .outcomes = outcomes_};
  std::ofstream(outcomes_, std::ios::app) << R"({"application_id":"a9"})"
                                          << "\n";
  auto bad_outcome = RunBacktestFiles(files);
  EXPECT_EQ(bad_outcome.status().field(), "outcomes");
  EXPECT_THAT(bad_outcome.status().message(), HasSubstr("outcomes.jsonl:6"));

  std::ofstream(outcomes_) << R"({"application_id":"a1","defaulted":0})"
                           << "\n";
  std::ofstream(applications_, std::ios::app)
      << R"({"event_type":"login","event_id":"l1","occurred_at":"2026-03-01T10:00:00Z","user_id":"u","session_id":"s","device_id":"d","method":"password","success":true})"
      << "\n";
  auto not_application = RunBacktestFiles(files);
  EXPECT_EQ(not_application.status().field(), "data");
  EXPECT_THAT(not_application.status().message(), HasSubstr("apps.jsonl:6"));

  std::ofstream(champion_) << "rules: [{name: r, rules: [{id: A, when: \"app.nope > 1\", "
                              "action: decline, reason: {code: A}}]}]\n";
  auto bad_strategy = RunBacktestFiles(files);
  EXPECT_EQ(bad_strategy.status().field(), "strategy");
  EXPECT_THAT(bad_strategy.status().message(), HasSubstr("champion.yaml: line 1:"));
  files.models = {{"pd", dir_.path() + "/no-model"}};
  EXPECT_FALSE(RunBacktestFiles(files).ok());
}

}  // namespace
}  // namespace finbrain::decision
