// The shipped account strategy end to end on a simulated world, through the CLI only: drawdowns
// open accounts, repayments review them as they are imported, a batch review at the end of the
// world, a person unfreezes one, and the early warnings are checked against the ground truth.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "common/temp_dir.h"
#include "ingest/jsonl.h"
#include "sim/truth.h"
#include "tests/cli_runner.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using testing::RunFinbrain;

std::string Shipped(const std::string& file) { return testing::SourceFile("strategies/" + file); }

// Account (loan) id -> whether the simulated world's truth says it defaulted.
std::map<std::string, bool> DefaultedByAccount(const std::string& world) {
  std::map<std::string, bool> out;
  const std::vector<sim::ApplicationTruth> applications = sim::ReadApplications(world).value();
  for (const sim::ApplicationTruth& a : applications) {
    out["loan-" + a.user_id] = a.defaulted;
  }
  return out;
}

// The objects of one JSONL file.
std::vector<json::object> Objects(const std::string& path) {
  auto objects = ingest::ReadJsonObjects(path);
  EXPECT_TRUE(objects.ok()) << objects.status().ToString();
  return objects.ok() ? std::move(*objects) : std::vector<json::object>{};
}

TEST(AccountLifecycle, ShippedStrategyReviewsTheSimulatedBookOnEventsAndInBatch) {
  TempDir dir;
  const std::string d = dir.path();
  testing::Cli cli(d);
  cli.Run({"simulate", "--users", "4000", "--days", "180", "--seed", "3", "--out", d + "/world"});
  const std::string data = d + "/data";
  cli.Run({"tenant", "create", "demo", "--data-dir", data});
  cli.SetTarget({"--data-dir", data, "--tenant", "demo"});
  cli.OnTenant({"features", "set", Shipped("credit_features.yaml")});
  cli.OnTenant({"strategy", "put", Shipped("accounts.yaml"), "--name", "accounts", "--activate"});
  cli.OnTenant({"import", d + "/world/events"});

  const std::map<std::string, bool> defaulted = DefaultedByAccount(d + "/world");
  const size_t drawdowns = Objects(d + "/world/events/loan_drawdown.jsonl").size();
  const auto all_accounts = [&] {
    std::vector<json::object> accounts;
    std::string after;
    do {
      std::vector<std::string> args = {"accounts", "list", "--limit", "500"};
      if (!after.empty()) args.insert(args.end(), {"--after", after});
      const json::value page = json::parse(cli.OnTenant(args).out);
      for (const json::value& a : page.at("accounts").as_array()) accounts.push_back(a.as_object());
      after = page.at("next").is_null() ? "" : std::string(page.at("next").as_string());
    } while (!after.empty());
    return accounts;
  };

  const std::vector<json::object> accounts = all_accounts();
  ASSERT_EQ(accounts.size(), drawdowns);
  size_t bad = 0, frozen = 0, frozen_bad = 0, warned_bad = 0, raised = 0, raised_bad = 0;
  std::string a_frozen;
  for (const json::object& a : accounts) {
    const std::string id(a.at("account_id").as_string());
    const bool is_bad = defaulted.at(id);
    const bool is_frozen = a.at("status") == "frozen";
    bad += is_bad;
    frozen += is_frozen;
    frozen_bad += is_frozen && is_bad;
    warned_bad += is_bad && (is_frozen || !a.at("flags").as_array().empty());
    const bool up = a.at("limit").to_number<double>() > a.at("initial_limit").to_number<double>();
    raised += up;
    raised_bad += up && is_bad;
    if (is_frozen && a_frozen.empty()) a_frozen = id;
  }
  const double base_rate = double(bad) / double(accounts.size());
  ASSERT_GT(frozen, 20u);
  // Freezes hit defaulters; early warnings find most of those who have started to miss; raised
  // lines go to good payers.
  EXPECT_GE(double(frozen_bad) / double(frozen), 0.95);
  EXPECT_GE(double(warned_bad) / double(bad), 0.6);
  ASSERT_GT(raised, 100u);
  EXPECT_LT(double(raised_bad) / double(raised), base_rate / 3);

  // The batch review at the end of the world, then again: a second run changes nothing.
  const json::value first =
      json::parse(cli.OnTenant({"review-accounts", "--at", "2026-06-30T00:00:00Z"}).out);
  EXPECT_EQ(first.at("reviewed").to_number<size_t>(), accounts.size() - frozen);
  const json::value second =
      json::parse(cli.OnTenant({"review-accounts", "--at", "2026-06-30T00:00:00Z"}).out);
  EXPECT_EQ(second.at("changed").to_number<int>(), 0);

  // A frozen account explains itself, and a person unfreezes it.
  const json::value shown = json::parse(cli.OnTenant({"accounts", "show", a_frozen}).out);
  bool explained = false;
  for (const json::value& h : shown.at("history").as_array()) {
    const json::object& entry = h.as_object();
    if (!entry.contains("outcome") || entry.at("outcome").at("decision") != "decline") continue;
    for (const json::value& r : entry.at("outcome").at("reasons").as_array())
      explained |= r.at("code") == "X02" || r.at("code") == "X01";
  }
  EXPECT_TRUE(explained) << json::serialize(shown);
  const json::value unfrozen =
      json::parse(cli.OnTenant({"accounts", "resolve", a_frozen, "--action", "unfreeze", "--note",
                                "hardship plan"})
                      .out);
  EXPECT_EQ(unfrozen.at("status"), "active");
  auto again = RunFinbrain({"accounts", "resolve", a_frozen, "--action", "unfreeze", "--data-dir",
                            data, "--tenant", "demo"},
                           d);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("is not frozen"), std::string::npos) << again.err;
  cli.Run({"audit", "verify", "--data-dir", data});
}

// A behaviour model (B-card) from the account table: review points of every drawn account with
// the outcome in the next 90 days, the user's windows as of each point, a GBDT trained on the
// earlier points and evaluated on the later ones, then served by an account strategy that finds
// its inputs as account.* and features.* and flags the accounts it scores as risky.
TEST(AccountLifecycle, BehaviourModelTrainedOnTheAccountTableFlagsRiskyAccounts) {
  TempDir dir;
  const std::string d = dir.path();
  testing::Cli cli(d);
  cli.Run({"simulate", "--users", "4000", "--days", "365", "--seed", "5", "--out", d + "/world"});
  cli.Run({"accounts", "table", "--events", d + "/world/events", "--out", d + "/table.csv"});
  cli.Run({"features", "backfill", "--features", Shipped("credit_features.yaml"), "--events",
           d + "/world/events", "--data", d + "/table.csv", "--out", d + "/points.csv"});
  const auto refused = RunFinbrain({"accounts", "table", "--events", d + "/world/events", "--out",
                                    d + "/x.csv", "--every", "0d"},
                                   d);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--every must be a duration like 30d, not '0d'"), std::string::npos)
      << refused.err;
  // The earlier 70% of the review points train, the later 30% evaluate (no future in training).
  // Cells hold no commas here (ids, times, numbers), so a plain split reads them.
  const auto cells = [](const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    for (std::string cell; std::getline(in, cell, ',');) {
      if (cell.size() >= 2 && cell.front() == '"') cell = cell.substr(1, cell.size() - 2);
      out.push_back(cell);
    }
    return out;
  };
  std::vector<std::pair<std::string, std::string>> rows;  // (occurred_at, line)
  std::string header;
  size_t bad = 0;
  {
    std::ifstream in(d + "/points.csv");
    std::getline(in, header);
    const std::vector<std::string> names = cells(header);
    const std::vector<std::string> expected = {"account_id",     "user_id", "occurred_at",
                                               "months_on_book", "amount",  "initial_apr",
                                               "term_months",    "bad"};
    ASSERT_GT(names.size(), expected.size());
    ASSERT_TRUE(std::equal(expected.begin(), expected.end(), names.begin())) << header;
    for (std::string line; std::getline(in, line);) {
      const std::vector<std::string> row = cells(line);
      bad += row.at(7) == "1";
      EXPECT_GE(std::stod(row.at(3)), 1) << line;  // the first point is a month after opening
      rows.emplace_back(row.at(2), line);
    }
  }
  ASSERT_GT(rows.size(), 1500u);
  EXPECT_GT(bad, 30u);
  // The earlier 70% of the review points train, the later 30% evaluate (no future in training).
  std::sort(rows.begin(), rows.end());
  const size_t cut = rows.size() * 7 / 10;
  {
    std::ofstream train(d + "/train.csv"), holdout(d + "/holdout.csv");
    train << header << "\n";
    holdout << header << "\n";
    for (size_t i = 0; i < rows.size(); ++i) (i < cut ? train : holdout) << rows[i].second << "\n";
  }
  std::ofstream(d + "/spec.yaml") << "ignore: [account_id, user_id, occurred_at]\n";
  cli.Run({"train", "--data", d + "/train.csv", "--target", "bad", "--kind", "gbdt", "--spec",
           d + "/spec.yaml", "--out", d + "/bcard"});
  cli.Run({"evaluate", "--model", d + "/bcard", "--data", d + "/holdout.csv", "--target", "bad",
           "--out", d + "/evaluation"});
  const json::value metrics = json::parse(testing::ReadFile(d + "/evaluation/metrics.json"));
  EXPECT_GT(metrics.at("auc").to_number<double>(), 0.72) << json::serialize(metrics);

  // Served: the model's inputs are found as account.* and features.* by name.
  const std::string data = d + "/data";
  cli.Run({"tenant", "create", "demo", "--data-dir", data});
  cli.SetTarget({"--data-dir", data, "--tenant", "demo"});
  cli.OnTenant({"features", "set", Shipped("credit_features.yaml")});
  cli.OnTenant({"model", "register", d + "/bcard", "--name", "behaviour_pd"});
  cli.OnTenant({"model", "promote", "behaviour_pd", "1"});
  std::ofstream(d + "/bcard.yaml")
      << "kind: account\n"
         "models: [{name: behaviour, model: behaviour_pd}]\n"
         "rules:\n"
         "  - name: warnings\n"
         "    hit_policy: all\n"
         "    rules:\n"
         "      - {id: M01, when: \"models.behaviour.pd >= 0.15\", action: flag,\n"
         "         reason: {code: M01, text: \"The behaviour model sees arrears coming\"}}\n";
  cli.OnTenant({"strategy", "put", d + "/bcard.yaml", "--name", "accounts", "--activate"});
  cli.OnTenant({"import", d + "/world/events"});
  const std::map<std::string, bool> defaulted = DefaultedByAccount(d + "/world");
  const json::value flagged =
      json::parse(cli.OnTenant({"accounts", "list", "--flag", "M01", "--limit", "1000"}).out);
  const json::array& accounts = flagged.at("accounts").as_array();
  ASSERT_GT(accounts.size(), 5u);
  size_t flagged_bad = 0;
  for (const json::value& a : accounts) {
    flagged_bad += defaulted.at(std::string(a.at("account_id").as_string()));
  }
  size_t book = 0, book_bad = 0;  // every drawn account
  for (const json::object& drawdown : Objects(d + "/world/events/loan_drawdown.jsonl")) {
    ++book;
    book_bad += defaulted.at(std::string(drawdown.at("loan_id").as_string()));
  }
  // The flagged accounts default far more often than the book.
  EXPECT_GT(double(flagged_bad) / double(accounts.size()), 3 * double(book_bad) / double(book));
}

}  // namespace
}  // namespace finbrain
