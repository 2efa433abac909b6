// Anti-fraud evaluations end to end on a simulated world: `finbrain devices evaluate` (phones get
// OS updates, reinstalls, advertising-id resets, factory resets before a resale, and a device
// farm resets its advertising id for every account) and `finbrain behaviour evaluate` (honest
// sessions, scripted farm sessions, account takeovers).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "common/temp_dir.h"
#include "tests/cli_runner.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using testing::ReadFile;
using testing::RunFinbrain;

TEST(DevicesCli, FingerprintsRecoverPhonesBetterThanInstallIds) {
  TempDir dir;
  const std::string world = dir.path() + "/world";
  testing::Cli cli(dir.path());
  cli.Run({"simulate", "--users", "4000", "--days", "365", "--seed", "11", "--out", world,
           "--device-farms", "2"});
  const std::string report = dir.path() + "/fingerprints.html";
  const testing::CommandResult r =
      cli.Run({"devices", "evaluate", "--world", world, "--report", report});
  const json::value result = json::parse(r.out);
  const double precision = result.at("fingerprint").at("precision").to_number<double>();
  const double recall = result.at("fingerprint").at("recall").to_number<double>();
  const double naive_recall = result.at("install_id_baseline").at("recall").to_number<double>();
  EXPECT_GE(precision, 0.99) << r.out;
  EXPECT_GE(recall, 0.98) << r.out;
  EXPECT_GT(recall, naive_recall + 0.03) << r.out;  // reinstalls split the naive devices
  EXPECT_EQ(result.at("device_farms").at("planted"), 2);
  EXPECT_EQ(result.at("device_farms").at("found_with_5_or_more_accounts"), 2);
  // Fewer fingerprints than install ids, and within 3% of the true number of phones.
  const double phones = result.at("phones").to_number<double>();
  const double fingerprints = result.at("fingerprint").at("devices").to_number<double>();
  EXPECT_LT(fingerprints, result.at("install_id_baseline").at("devices").to_number<double>());
  EXPECT_LT(std::abs(fingerprints - phones) / phones, 0.03) << r.out;
  EXPECT_EQ(result.at("by_threshold").as_array().size(), 12u);
  EXPECT_NE(ReadFile(report).find("<svg"), std::string::npos);
}

TEST(BehaviourCli, TakeoversAndScriptedSessionsAreFlaggedAndFewHonestOnes) {
  TempDir dir;
  const std::string world = dir.path() + "/world";
  testing::Cli cli(dir.path());
  cli.Run({"simulate", "--users", "3000", "--days", "365", "--seed", "5", "--out", world,
           "--device-farms", "2", "--account-takeovers", "6"});
  const std::string report = dir.path() + "/behaviour.html";
  const testing::CommandResult r =
      cli.Run({"behaviour", "evaluate", "--world", world, "--report", report});
  const json::value result = json::parse(r.out);
  const auto& takeovers = result.at("account_takeovers");
  EXPECT_EQ(takeovers.at("sessions"), 6) << r.out;
  EXPECT_EQ(takeovers.at("share_by_reason").at("B03").to_number<double>(), 1.0) << r.out;
  EXPECT_LT(result.at("honest").at("flagged_share").to_number<double>(), 0.01) << r.out;
  EXPECT_GT(result.at("honest").at("sessions").to_number<double>(), 30000.0);
  // Farm accounts click at machine speed.
  EXPECT_GT(result.at("fraud_accounts").at("share_by_reason").at("B02").to_number<double>(), 0.1)
      << r.out;
  EXPECT_NE(ReadFile(report).find("<svg"), std::string::npos);
}

// graph.* point in time for a training table: ring members' applications are in rings, and
// an application never sees itself or later events.
TEST(GraphBackfill, RingApplicationsCarryTheirRingAndHonestOnesDoNot) {
  TempDir dir;
  const std::string d = dir.path();
  testing::Cli cli(d);
  cli.Run({"simulate", "--users", "3000", "--days", "365", "--seed", "9", "--out", d + "/world"});
  cli.Run({"events", "to-csv", "--events", d + "/world/events/credit_application.jsonl", "--join",
           d + "/world/truth/applications.jsonl", "--on", "application_id", "--take", "fraud",
           "--out", d + "/apps.csv"});
  cli.Run({"features", "backfill", "--features",
           testing::SourceFile("strategies/credit_features.yaml"), "--events", d + "/world/events",
           "--data", d + "/apps.csv", "--out", d + "/table.csv", "--graph"});
  std::istringstream table(ReadFile(d + "/table.csv"));
  std::string line;
  std::getline(table, line);
  std::vector<std::string> header;
  const auto unquote = [](std::string cell) {
    return cell.size() >= 2 && cell.front() == '"' ? cell.substr(1, cell.size() - 2) : cell;
  };
  for (std::istringstream h(line); std::getline(h, line, ',');) header.push_back(unquote(line));
  const auto column = [&](const std::string& name) {
    return size_t(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const size_t fraud = column("fraud"), is_ring = column("graph_is_ring"),
               size = column("graph_ring_size");
  ASSERT_LT(is_ring, header.size());
  ASSERT_LT(fraud, header.size());
  int fraud_rows = 0, fraud_in_ring = 0, honest_rows = 0, honest_in_ring = 0;
  while (std::getline(table, line)) {
    // Quoted cells (addresses) hold no commas in the simulator's output; graph columns are last.
    std::vector<std::string> cells;
    for (std::istringstream c(line); std::getline(c, line, ',');) cells.push_back(unquote(line));
    if (cells.size() != header.size()) continue;
    ASSERT_FALSE(cells[size].empty());
    const bool ring = cells[is_ring] == "1";
    if (cells[fraud] == "1") {
      ++fraud_rows;
      fraud_in_ring += ring;
    } else {
      ++honest_rows;
      honest_in_ring += ring;
    }
  }
  EXPECT_GT(honest_rows, 500);
  EXPECT_GT(fraud_rows, 10);
  EXPECT_GT(fraud_in_ring, fraud_rows / 2) << fraud_in_ring << " of " << fraud_rows;
  EXPECT_EQ(honest_in_ring, 0);
}

TEST(DevicesCli, AWorldWithoutDeviceTruthIsAClearError) {
  TempDir dir;
  const testing::CommandResult r =
      RunFinbrain({"devices", "evaluate", "--world", dir.path()}, dir.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("device_reports.jsonl"), std::string::npos) << r.err;
  const testing::CommandResult b =
      RunFinbrain({"behaviour", "evaluate", "--world", dir.path()}, dir.path());
  EXPECT_NE(b.exit_code, 0);
  EXPECT_NE(b.err.find("login.jsonl"), std::string::npos) << b.err;
}

}  // namespace
}  // namespace finbrain
