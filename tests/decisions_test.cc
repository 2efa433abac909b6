// The shipped example strategy end to end on a simulated world, through the CLI only: events to
// a training table, point-in-time features, a PD model, the registry, the strategy, decisions.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/temp_dir.h"
#include "ingest/jsonl.h"
#include "tests/cli_runner.h"

namespace finbrain {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using testing::RunFinbrain;

std::string Shipped(const std::string& file) { return testing::SourceFile("strategies/" + file); }

TEST(ExampleStrategy, TrainsDecidesAndExplainsOnTheSimulatedWorld) {
  TempDir dir;
  const std::string d = dir.path();
  testing::Cli cli(d);
  cli.Run({"simulate", "--users", "4000", "--days", "180", "--seed", "3", "--out", d + "/world"});
  cli.Run({"events",   "to-csv",
           "--events", d + "/world/events/credit_application.jsonl",
           "--join",   d + "/world/truth/applications.jsonl",
           "--on",     "application_id",
           "--take",   "defaulted",
           "--join",   d + "/world/events/user_registration.jsonl",
           "--on",     "user_id",
           "--take",   "gender,birth_year",
           "--list",   "contacts[].phone",
           "--out",    d + "/apps.csv"});
  cli.Run({"features", "backfill", "--features", Shipped("credit_features.yaml"), "--events",
           d + "/world/events", "--data", d + "/apps.csv", "--out", d + "/train.csv"});
  cli.Run({"train", "--data", d + "/train.csv", "--target", "defaulted", "--kind", "gbdt", "--spec",
           Shipped("credit_model.yaml"), "--out", d + "/model"});
  const std::string data = d + "/data";
  cli.Run({"tenant", "create", "demo", "--data-dir", data});
  const std::vector<std::string> target = {"--data-dir", data, "--tenant", "demo"};
  cli.SetTarget(target);
  cli.OnTenant({"features", "set", Shipped("credit_features.yaml")});
  cli.OnTenant({"model", "register", d + "/model", "--name", "credit_pd"});
  cli.OnTenant({"model", "promote", "credit_pd", "1"});
  cli.OnTenant({"strategy", "put", Shipped("credit.yaml"), "--activate"});
  // Everything but the applications, then the applications through the decision engine.
  fs::create_directories(d + "/history");
  for (const auto& entry : fs::directory_iterator(d + "/world/events")) {
    if (entry.path().filename() != "credit_application.jsonl") {
      fs::copy_file(entry.path(), d + "/history/" + entry.path().filename().string());
    }
  }
  cli.OnTenant({"import", d + "/history"});
  auto decided = cli.OnTenant({"decide", d + "/world/events/credit_application.jsonl"});
  const json::value summary = json::parse(decided.out);
  const std::uint64_t total = summary.at("decided").to_number<std::uint64_t>();
  ASSERT_GT(total, 500u);
  const json::object& outcomes = summary.at("decisions").as_object();
  const double approve = outcomes.at("approve").to_number<double>() / double(total);
  EXPECT_GT(approve, 0.5);  // a living book, neither rubber stamp nor closed door
  EXPECT_LT(approve, 0.95);
  EXPECT_GT(outcomes.at("decline").to_number<double>(), 0);
  EXPECT_GT(outcomes.at("review").to_number<double>(), 0);
  EXPECT_GT(summary.at("rule_reasons").at("R01").to_number<double>(), 0);  // the PD cut-off bites
  // Ring applicants name the same contact phones: read for each contact, the window catches it.
  const json::value* shared_contact = summary.at("rule_reasons").as_object().if_contains("F07");
  ASSERT_NE(shared_contact, nullptr) << decided.out;
  EXPECT_GT(shared_contact->to_number<double>(), 0);
  // A strategy with a typo is refused with its position; the active version stays.
  {
    std::ofstream bad(d + "/bad.yaml");
    bad << "rules:\n  - name: r\n    rules:\n      - {id: A, when: \"models.pd.pdd > 1\", "
           "action: decline, reason: {code: A}}\n";
  }
  std::vector<std::string> put = {"strategy", "put", d + "/bad.yaml", "--activate"};
  put.insert(put.end(), target.begin(), target.end());
  auto refused = RunFinbrain(put, d);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("bad.yaml: line 4:24: rules[0].rules[0].when: unknown name "
                             "'models.pd.pdd'"),
            std::string::npos)
      << refused.err;
  std::vector<std::string> list = {"strategy", "list"};
  list.insert(list.end(), target.begin(), target.end());
  const json::value strategies = json::parse(RunFinbrain(list, d).out);
  EXPECT_EQ(strategies.at("strategies").at(0).at("version"), 1);
  EXPECT_EQ(strategies.at("strategies").at(0).at("active"), true);

  // Backtest: the shipped strategy against a stricter challenger on the same applications.
  {
    std::ifstream in(Shipped("credit.yaml"));
    std::stringstream text;
    text << in.rdbuf();
    std::string stricter = text.str();
    stricter.replace(stricter.find("models.pd.pd >= 0.25"), 20, "models.pd.pd >= 0.05");
    std::ofstream(d + "/stricter.yaml") << stricter;
  }
  auto backtest =
      cli.Run({"backtest", "--strategy", Shipped("credit.yaml"), "--challenger",
               d + "/stricter.yaml", "--data", d + "/world/events/credit_application.jsonl",
               "--outcomes", d + "/world/truth/applications.jsonl", "--features",
               Shipped("credit_features.yaml"), "--events", d + "/world/events", "--model",
               "credit_pd=" + d + "/model", "--out", d + "/backtest"});
  const json::value report = json::parse(backtest.out);
  const json::object& champion = report.at("champion").as_object();
  const json::object& challenger = report.at("challenger").as_object();
  EXPECT_EQ(champion.at("applications").to_number<std::uint64_t>(), total);
  EXPECT_GT(champion.at("decline").to_number<double>(), 0);
  // Stricter: more declines and only swaps out.
  EXPECT_GE(challenger.at("decline").to_number<double>(),
            champion.at("decline").to_number<double>());
  EXPECT_GT(report.at("swap_out").to_number<double>(), 0);
  EXPECT_EQ(report.at("swap_in").to_number<double>(), 0);
  EXPECT_GT(report.at("swap_set").at(2).at("applications").to_number<double>(), 0);
  // The champion's declines are far riskier than its approvals.
  EXPECT_GT(champion.at("declined_bad_rate").to_number<double>(),
            3 * champion.at("realised_bad_rate").to_number<double>());
  EXPECT_NE(testing::ReadFile(d + "/backtest/backtest.html").find("<svg"), std::string::npos);
}

// The demo's traffic: history imported offline up to a cutoff, the rest replayed in time order
// to a running server — applications decided, logins and payments intercepted, the rest
// ingested — so that afterwards the tenant holds the whole world and a decision for each.
TEST(Replay, HistoryBeforeTheCutoffAndTheRestAsLiveTraffic) {
  TempDir dir;
  const std::string d = dir.path();
  testing::Cli cli(d);
  cli.Run({"simulate", "--users", "300", "--days", "90", "--seed", "5", "--out", d + "/world"});
  const std::string cutoff = "2026-03-01T00:00:00Z";
  // What the replay should decide: events after the cutoff, by type.
  std::uint64_t total = 0, decided_later = 0;
  ASSERT_TRUE(ingest::ForEachJsonObject(
                  ingest::ListEventFiles(d + "/world").value(),
                  [&](const json::object& e, std::string_view) {
                    ++total;
                    const std::string type(e.at("event_type").as_string());
                    if (std::string_view(e.at("occurred_at").as_string()) >= cutoff &&
                        (type == "credit_application" || type == "login" || type == "payment")) {
                      ++decided_later;
                    }
                    return OkStatus();
                  })
                  .ok());
  ASSERT_GT(decided_later, 100u);

  const std::string data = d + "/data";
  const std::string key(json::parse(cli.Run({"tenant", "create", "demo", "--data-dir", data}).out)
                            .at("api_key")
                            .as_string());
  cli.SetTarget({"--data-dir", data, "--tenant", "demo"});
  std::ofstream(d + "/strategy.yaml")
      << "rules:\n  - name: fraud\n    rules:\n      - {id: F01, when: lists.blacklisted, "
         "action: decline, reason: {code: F01, text: blacklisted}}\n";
  cli.OnTenant({"strategy", "put", d + "/strategy.yaml", "--name", "credit", "--activate"});
  auto imported = cli.OnTenant({"import", d + "/world", "--before", cutoff});
  EXPECT_NE(imported.err.find("left for later"), std::string::npos) << imported.err;
  // --before needs the offline import; a bad time is named.
  auto refused = testing::RunFinbrain(
      {"import", d + "/world", "--url", "http://127.0.0.1:1", "--api-key", key, "--before", cutoff},
      d);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--before works with --data-dir only"), std::string::npos);

  testing::ServerProcess server(data, d);
  cli.Run({"replay", d + "/world", "--since", cutoff, "--url", server.url(), "--api-key", key,
           "--rate", "20000"});
  auto client = server.Connect();
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + key}};
  auto stats = client->Send("GET", "/v1/stats/events", "", auth);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(json::parse(stats->body).at("total").to_number<std::uint64_t>(), total);
  std::uint64_t listed = 0;
  std::string cursor;
  do {
    auto page = client->Send(
        "GET", "/v1/decisions?limit=500" + (cursor.empty() ? std::string() : "&cursor=" + cursor),
        "", auth);
    ASSERT_TRUE(page.ok());
    const json::object body = json::parse(page->body).as_object();
    listed += body.at("decisions").as_array().size();
    cursor =
        body.at("next_cursor").is_null() ? "" : std::string(body.at("next_cursor").as_string());
  } while (!cursor.empty());
  EXPECT_EQ(listed, decided_later);

  // Again with fresh ids: decided anew, not answered from the idempotency records.
  cli.Run({"replay", d + "/world", "--since", cutoff, "--url", server.url(), "--api-key", key,
           "--rate", "20000", "--fresh-ids", "--seconds", "0.2"});
  auto live = client->Send("GET", "/v1/stats/decisions?minutes=5", "", auth);
  ASSERT_TRUE(live.ok());
  const json::value snapshot = json::parse(live->body);
  const json::object& totals = snapshot.at("totals").as_object();
  std::uint64_t counted = 0;
  for (const auto& [outcome, n] : totals) counted += n.to_number<std::uint64_t>();
  EXPECT_GT(counted, decided_later);
  // A wrong key stops the replay with a clear error.
  auto wrong = testing::RunFinbrain(
      {"replay", d + "/world", "--url", server.url(), "--api-key", "fbk_wrong", "--rate", "1000"},
      d);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("refused the API key"), std::string::npos) << wrong.err;

  // A restart keeps the overview: the minutes are stored at shutdown and read back.
  client.reset();
  ASSERT_EQ(server.Stop(), 0);
  testing::ServerProcess restarted(data, d);
  auto after = restarted.Connect()->Send("GET", "/v1/stats/decisions?minutes=5", "", auth);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(json::parse(after->body).at("totals"), snapshot.at("totals"));
}

}  // namespace
}  // namespace finbrain
