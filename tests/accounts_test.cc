// The shipped account strategy end to end on a simulated world, through the CLI only: drawdowns
// open accounts, repayments review them as they are imported, a batch review at the end of the
// world, a person unfreezes one, and the early warnings are checked against the ground truth.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>

#include "common/temp_dir.h"
#include "tests/cli_runner.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using testing::RunFinbrain;

std::string Shipped(const std::string& file) { return testing::SourceFile("strategies/" + file); }

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

  std::map<std::string, bool> defaulted;  // account (loan) id -> the truth
  {
    std::ifstream truth(d + "/world/truth/applications.jsonl");
    for (std::string line; std::getline(truth, line);) {
      const json::object t = json::parse(line).as_object();
      defaulted["loan-" + std::string(t.at("user_id").as_string())] = t.at("defaulted").as_bool();
    }
  }
  size_t drawdowns = 0;
  {
    std::ifstream in(d + "/world/events/loan_drawdown.jsonl");
    for (std::string line; std::getline(in, line);) drawdowns += !line.empty();
  }
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

}  // namespace
}  // namespace finbrain
