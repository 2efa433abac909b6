// Credit models end to end: `finbrain train | evaluate | cv` on CSV, registration into a
// running server, scoring over HTTP, and promotion while requests are in flight.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "common/temp_dir.h"
#include "tests/test_process.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using testing::RunFinbrain;
using testing::ServerProcess;

void WriteLoans(const std::string& path, int rows, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::ofstream out(path);
  out << "\"income\",utilisation,city,outcome\n";
  const char* cities[] = {"Beijing", "Shanghai", "Chengdu", "Lhasa"};
  for (int i = 0; i < rows; ++i) {
    const double income = std::round(2000 + 18000 * u(rng)), util = u(rng);
    const int city = int(u(rng) * 4);
    const double margin = -2 + 2.5 * (util - 0.5) - (income - 11000) / 6000 + 0.4 * city - 0.6;
    out << income << ',' << util << ",\"" << cities[city] << "\","
        << (u(rng) < 1 / (1 + std::exp(-margin)) ? "bad" : "good") << "\n";
  }
}

class ModelsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/loans.csv";
    WriteLoans(data_, 3000, 1);
  }
  testing::CommandResult Run(std::vector<std::string> args) {
    return RunFinbrain(std::move(args), dir_.path());
  }
  TempDir dir_;
  std::string data_;
};

TEST_F(ModelsCli, TrainEvaluateAndCrossValidate) {
  for (const char* kind : {"gbdt", "scorecard"}) {
    const std::string out = dir_.path() + "/" + kind;
    auto train = Run({"train", "--data", data_, "--target", "outcome", "--positive", "bad",
                      "--kind", kind, "--out", out});
    ASSERT_EQ(train.exit_code, 0) << train.err;
    EXPECT_THAT(train.out, HasSubstr("validation AUC"));
    EXPECT_TRUE(std::filesystem::exists(out + "/model.json"));
    auto eval = Run({"evaluate", "--model", out, "--data", data_, "--target", "outcome",
                     "--positive", "bad", "--out", out + "/eval"});
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    std::ifstream metrics_file(out + "/eval/metrics.json");
    std::stringstream text;
    text << metrics_file.rdbuf();
    const json::value metrics = json::parse(text.str());
    for (const char* key : {"auc", "ks", "gini", "logloss", "brier", "psi"}) {
      EXPECT_TRUE(metrics.as_object().contains(key)) << key;
    }
    EXPECT_GT(metrics.at("auc").to_number<double>(), 0.7);
    std::ifstream report(out + "/eval/report.html");
    std::stringstream html;
    html << report.rdbuf();
    EXPECT_THAT(html.str(), HasSubstr("<svg"));
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/scorecard/scorecard.csv"));

  auto cv = Run({"cv", "--data", data_, "--target", "outcome", "--positive", "bad", "--kind",
                 "scorecard", "--folds", "3", "--seed", "7"});
  ASSERT_EQ(cv.exit_code, 0) << cv.err;
  const json::value result = json::parse(cv.out);  // stdout is exactly one JSON object
  EXPECT_EQ(result.at("folds").as_array().size(), 3u);
  EXPECT_GT(result.at("mean").at("auc").to_number<double>(), 0.7);
  EXPECT_GT(result.at("mean").at("ks").to_number<double>(), 0.2);
}

// The simulated world's applications: rare defaults (about 7%) and strongly correlated bureau
// fields. Plain Newton steps ran away on this data and left every scorecard at AUC 0.5. Without
// camouflaged rings, whose defaults nothing in an application foretells (measured with them:
// scorecard 0.788, GBDT 0.803, plain regression 0.764).
TEST_F(ModelsCli, BothKindsLearnTheSimulatedWorldAndBeatPlainLogisticRegression) {
  const std::string world = dir_.path() + "/world", apps = dir_.path() + "/apps.csv";
  ASSERT_EQ(Run({"simulate", "--users", "5000", "--days", "365", "--seed", "7",
                 "--camouflaged-ring-share", "0", "--out", world})
                .exit_code,
            0);
  auto csv = Run({"events", "to-csv", "--events", world + "/events/credit_application.jsonl",
                  "--join", world + "/truth/applications.jsonl", "--on", "application_id", "--take",
                  "defaulted", "--out", apps});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  for (const char* kind : {"scorecard", "gbdt"}) {
    auto cv = Run({"cv", "--data", apps, "--target", "defaulted", "--kind", kind, "--folds", "5"});
    ASSERT_EQ(cv.exit_code, 0) << cv.err;
    const json::value mean = json::parse(cv.out).at("mean");
    const double auc = mean.at("auc").to_number<double>();
    const double baseline = mean.at("baseline").at("auc").to_number<double>();
    // Measured: scorecard 0.843, GBDT 0.846, plain logistic regression 0.781.
    EXPECT_GT(auc, 0.8) << kind;
    EXPECT_GT(auc, baseline + 0.02) << kind;
  }
}

TEST_F(ModelsCli, BadInputGivesClearErrorsAndNonZeroExit) {
  const auto expect_error = [&](std::vector<std::string> args, const std::string& needle) {
    auto r = Run(args);
    EXPECT_NE(r.exit_code, 0) << needle;
    EXPECT_THAT(r.err, HasSubstr(needle));
  };
  const std::string out = dir_.path() + "/m";
  expect_error({"train", "--data", data_, "--target", "default", "--out", out},
               "target column 'default' is not in the data");
  expect_error({"train", "--data", data_, "--target", "outcome", "--out", out}, "--positive");
  expect_error({"train", "--data", data_, "--target", "city", "--positive", "Lhasa", "--out", out},
               "more than two values");
  {
    std::ofstream single(dir_.path() + "/single.csv");
    single << "x,y\n1,0\n2,0\n3,0\n";
  }
  expect_error({"train", "--data", dir_.path() + "/single.csv", "--target", "y", "--out", out},
               "single class");
  {
    std::ofstream text(dir_.path() + "/text.csv");
    text << "x,y\n";
    for (int i = 0; i < 50; ++i) text << i << "," << i % 2 << "\n";
    text << "n/a?,1\n";
  }
  expect_error({"train", "--data", dir_.path() + "/text.csv", "--target", "y", "--out", out},
               "row 51, column 'x'");
  expect_error({"evaluate", "--model", dir_.path() + "/nothing", "--data", data_, "--target",
                "outcome", "--positive", "bad", "--out", out},
               "does not exist");
  std::filesystem::create_directories(dir_.path() + "/corrupt");
  std::ofstream(dir_.path() + "/corrupt/model.json") << "{not json";
  expect_error({"evaluate", "--model", dir_.path() + "/corrupt", "--data", data_, "--target",
                "outcome", "--positive", "bad", "--out", out},
               "model.json");
}

std::string CreateTenant(ServerProcess& server) {
  auto r = server.Connect()->Send(
      "POST", "/admin/v1/tenants",
      R"({"name":"bank","rate_limit":{"requests_per_second":1000000,"burst":1000000}})",
      {{"Authorization", std::string("Bearer ") + ServerProcess::kAdminToken}});
  return std::string(json::parse(r.value().body).at("api_key").as_string());
}

TEST_F(ModelsCli, RegisterPromoteAndScoreWhileSwappingVersionsUnderLoad) {
  for (const char* kind : {"gbdt", "scorecard"}) {
    auto train = Run({"train", "--data", data_, "--target", "outcome", "--positive", "bad",
                      "--kind", kind, "--out", dir_.path() + "/" + kind});
    ASSERT_EQ(train.exit_code, 0) << train.err;
  }
  ServerProcess server(dir_.path() + "/data", dir_.path());
  const std::string key = CreateTenant(server);
  for (const char* kind : {"gbdt", "scorecard"}) {
    auto reg = Run({"model", "register", dir_.path() + "/" + kind, "--name", "pd", "--url",
                    server.url(), "--api-key", key});
    ASSERT_EQ(reg.exit_code, 0) << reg.err;
  }
  auto promote = Run({"model", "promote", "pd", "1", "--url", server.url(), "--api-key", key});
  ASSERT_EQ(promote.exit_code, 0) << promote.err;
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + key}};

  const std::string features = R"({"income":3000,"utilisation":0.95,"city":"Lhasa"})";
  const std::string applicant = R"({"features":)" + features + "}";
  auto scored = server.Connect()->Send("POST", "/v1/models/pd/score", applicant, auth).value();
  ASSERT_EQ(scored.status, 200) << scored.body;
  const json::value answer = json::parse(scored.body);
  EXPECT_EQ(answer.at("version").as_int64(), 1);
  const double pd = answer.at("pd").to_number<double>();
  EXPECT_FALSE(answer.at("reasons").as_array().empty());
  // Declined at a cutoff just below its PD: one change would get it approved.
  auto with_cutoff =
      server.Connect()
          ->Send("POST", "/v1/models/pd/score",
                 R"({"features":)" + features + R"(,"cutoff":)" + std::to_string(pd * 0.9) + "}",
                 auth)
          .value();
  const json::value declined = json::parse(with_cutoff.body);
  EXPECT_EQ(declined.at("decision_at_cutoff").as_string(), "decline");
  ASSERT_TRUE(declined.at("counterfactual").is_object()) << with_cutoff.body;
  EXPECT_LT(declined.at("counterfactual").at("pd").to_number<double>(), pd * 0.9);

  auto unknown = server.Connect()
                     ->Send("POST", "/v1/models/pd/score", R"({"features":{"salary":1}})", auth)
                     .value();
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("features.salary"));
  EXPECT_EQ(server.Connect()->Send("POST", "/v1/models/nope/score", applicant, auth)->status, 404);

  // Two clients score continuously while versions are promoted and rolled back.
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, requests{0};
  std::mutex seen_mu;
  std::map<std::int64_t, int> seen;  // version -> answers
  std::vector<std::thread> clients;
  for (int t = 0; t < 2; ++t) {
    clients.emplace_back([&] {
      auto client = server.Connect();
      while (!stop) {
        auto r = client->Send("POST", "/v1/models/pd/score", applicant, auth);
        ++requests;
        if (!r.ok() || r->status != 200) {
          ++failures;
          continue;
        }
        std::lock_guard lock(seen_mu);
        ++seen[json::parse(r->body).at("version").as_int64()];
      }
    });
  }
  // Each version serves some traffic before the next swap.
  const auto some_traffic = [&] {
    const int before = requests.load();
    return testing::WaitUntil([&] { return requests.load() >= before + 20; });
  };
  int swaps_failed = 0;
  for (int round = 0; round < 3 && some_traffic(); ++round) {
    swaps_failed +=
        Run({"model", "promote", "pd", "2", "--url", server.url(), "--api-key", key}).exit_code;
    if (!some_traffic()) break;
    swaps_failed +=
        Run({"model", "rollback", "pd", "--url", server.url(), "--api-key", key}).exit_code;
  }
  stop = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(swaps_failed, 0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(requests.load(), 100);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.begin()->first, 1);

  auto monitoring = server.Connect()->Send("GET", "/v1/models/pd/monitoring", "", auth).value();
  ASSERT_EQ(monitoring.status, 200);
  const json::value live = json::parse(monitoring.body);
  EXPECT_GT(live.at("scored").to_number<double>(), 0);
  EXPECT_EQ(live.at("version").as_int64(), 1);
  EXPECT_EQ(live.at("days").as_int64(), 7);
  ASSERT_EQ(live.at("daily").as_array().size(), 1u);
  EXPECT_EQ(live.at("daily").at(0).at("day"), live.at("to"));
  auto bad_days =
      server.Connect()->Send("GET", "/v1/models/pd/monitoring?days=0", "", auth).value();
  EXPECT_EQ(bad_days.status, 400);
  EXPECT_THAT(bad_days.body, HasSubstr("\"days\""));
  auto metrics = server.Connect()->Send("GET", "/metrics", "").value();
  EXPECT_THAT(metrics.body, HasSubstr("finbrain_model_psi{"));
  auto listed = Run({"model", "list", "--name", "pd", "--url", server.url(), "--api-key", key});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_EQ(json::parse(listed.out).at("versions").as_array().size(), 2u);

  // After a restart the monitoring still counts every score version 1 gave: the two single
  // requests above and the clients' answers, including those of versions replaced meanwhile.
  ASSERT_EQ(server.Stop(), 0);
  ServerProcess restarted(dir_.path() + "/data", dir_.path());
  auto after = restarted.Connect()->Send("GET", "/v1/models/pd/monitoring", "", auth).value();
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(json::parse(after.body).at("scored").to_number<double>(), seen[1] + 2);
}

// The periodic flush: after kill -9 the counts flushed before the crash are still there.
TEST_F(ModelsCli, MonitoringCountsFlushedBeforeACrashSurviveIt) {
  auto train = Run({"train", "--data", data_, "--target", "outcome", "--positive", "bad", "--kind",
                    "scorecard", "--out", dir_.path() + "/model"});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const std::string data_dir = dir_.path() + "/data";
  auto server = std::make_unique<ServerProcess>(
      data_dir, dir_.path(), std::vector<std::string>{"FINBRAIN_STATS_FLUSH_MS=100"});
  const std::string key = CreateTenant(*server);
  for (std::vector<std::string> args :
       {std::vector<std::string>{"model", "register", dir_.path() + "/model", "--name", "pd"},
        std::vector<std::string>{"model", "promote", "pd", "1"}}) {
    args.insert(args.end(), {"--url", server->url(), "--api-key", key});
    auto r = Run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + key}};
  auto client = server->Connect();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(client->Send("POST", "/v1/models/pd/score", R"({"features":{"income":5000}})", auth)
                  ->status,
              200);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // several flush intervals
  server->Kill();
  server = std::make_unique<ServerProcess>(data_dir, dir_.path());
  auto after = server->Connect()->Send("GET", "/v1/models/pd/monitoring?days=1", "", auth).value();
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(json::parse(after.body).at("scored").to_number<double>(), 5);
}

}  // namespace
}  // namespace finbrain
