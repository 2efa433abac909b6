#include "fraud/evaluation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir.h"

namespace finbrain::fraud {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

DeviceReport Report(std::string event_id, std::string install_id, std::string user, TimeMicros at) {
  DeviceReport r;
  r.event_id = std::move(event_id);
  r.device_id = std::move(install_id);
  r.user_id = std::move(user);
  r.brand = "Xiaomi";
  r.model = "Mi 13";
  r.os = "Android";
  r.os_version = "13";
  r.screen = "1080x2400";
  r.fonts_hash = "f1";
  r.ua_hash = "u1";
  r.advertising_id = "oaid-" + r.user_id;
  r.ip = "36.112.4.20";
  r.at = at;
  return r;
}

TEST(DeviceEvaluation, PairwiseAccuracyCountsPairsOfReports) {
  // r1, r2 from phone A; r3, r4 from phone B; r5 has no truth (its own phone).
  std::vector<DeviceReport> reports;
  for (const char* id : {"r1", "r2", "r3", "r4", "r5"}) reports.push_back(Report(id, id, "u", 0));
  const std::unordered_map<std::string, std::string> hardware = {
      {"r1", "A"}, {"r2", "A"}, {"r3", "B"}, {"r4", "B"}};
  // One right pair (r1, r2), one wrong (r4, r5), one missed (r3, r4).
  const PairAccuracy a = ScorePairs(reports, {"x", "x", "y", "z", "z"}, hardware);
  EXPECT_DOUBLE_EQ(a.precision, 0.5);
  EXPECT_DOUBLE_EQ(a.recall, 0.5);
  EXPECT_EQ(a.devices, 3u);
  // Nothing grouped: precision is vacuous, recall zero.
  const PairAccuracy none = ScorePairs(reports, {"1", "2", "3", "4", "5"}, hardware);
  EXPECT_DOUBLE_EQ(none.precision, 1);
  EXPECT_DOUBLE_EQ(none.recall, 0);
}

TEST(DeviceEvaluation, FingerprintsRecoverReinstalledPhonesTheInstallIdBaselineSplits) {
  // Two phones, each reinstalled twice (a new install id each time), and a farm phone used by
  // six accounts.
  std::vector<DeviceReport> reports;
  std::unordered_map<std::string, std::string> hardware;
  TimeMicros at = 0;
  for (const char* phone : {"p1", "p2"}) {
    for (int install = 0; install < 3; ++install) {
      const std::string id = std::string(phone) + "-" + std::to_string(install);
      DeviceReport r = Report("e-" + id, "d-" + id, std::string("user-") + phone, at += 1000);
      r.model = phone == std::string("p1") ? "Mi 13" : "iPhone 14";
      reports.push_back(r);
      hardware[r.event_id] = phone;
    }
  }
  for (int account = 0; account < 6; ++account) {
    DeviceReport r = Report("e-farm-" + std::to_string(account), "d-farm",
                            "farm-" + std::to_string(account), at += 1000);
    r.emulator = true;
    reports.push_back(r);
    hardware[r.event_id] = "farm-phone";
  }
  const DeviceEvaluation e = EvaluateFingerprints(reports, hardware, {"d-farm"});
  EXPECT_EQ(e.reports, 12u);
  EXPECT_EQ(e.phones, 3u);
  EXPECT_GT(e.fingerprint.recall, e.install_id_baseline.recall);
  EXPECT_DOUBLE_EQ(e.fingerprint.precision, 1);
  EXPECT_EQ(e.farms_planted, 1u);
  EXPECT_EQ(e.farms_found, 1u);
  EXPECT_EQ(e.by_threshold.size(), 12u);

  const std::string json = DeviceEvaluationJson(e);
  EXPECT_THAT(json, HasSubstr(R"("precision":1)"));
  EXPECT_THAT(json, Not(HasSubstr("E-")));  // plain decimals, never exponents
  EXPECT_THAT(DeviceEvaluationHtml(e), HasSubstr("<svg"));
}

TEST(DeviceEvaluation, ReadsReportsInEventTimeAndNamesTheBadLine) {
  TempDir dir;
  const std::string path = dir.path() + "/device_report.jsonl";
  std::ofstream(path)
      << R"({"event_type":"device_report","event_id":"e2","occurred_at":"2026-01-02T00:00:00Z","device_id":"d1","model":"m","os":"Android"})"
      << "\n"
      << R"({"event_type":"device_report","event_id":"e1","occurred_at":"2026-01-01T00:00:00Z","device_id":"d1","model":"m","os":"Android"})"
      << "\n";
  auto reports = ReadDeviceReports(path);
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_EQ(reports->size(), 2u);
  EXPECT_EQ((*reports)[0].event_id, "e1");
  std::ofstream(path, std::ios::app) << R"({"event_type":"device_report","event_id":"e3"})"
                                     << "\n";
  EXPECT_THAT(ReadDeviceReports(path).status().message(), HasSubstr("device_report.jsonl:3"));
  EXPECT_EQ(ReadDeviceReports(dir.path() + "/none.jsonl").status().code(), StatusCode::kNotFound);
}

Session Login(std::string user, std::string session_id, std::vector<std::string> actions,
              TimeMicros at, TimeMicros gap) {
  Session s;
  s.user_id = std::move(user);
  s.session_id = std::move(session_id);
  s.at = at;
  TimeMicros t = at;
  for (auto& a : actions) s.actions.push_back({std::move(a), t += gap});
  return s;
}

TEST(BehaviourEvaluation, SessionsAreScoredBeforeLearnedAndGroupedByTruth) {
  constexpr TimeMicros kSecond = 1'000'000;
  std::vector<Session> sessions;
  for (int i = 0; i < 300; ++i) {
    sessions.push_back(Login("u" + std::to_string(i % 40), "s" + std::to_string(i),
                             {"view_home", i % 2 ? "view_bill" : "browse_goods"},
                             i * 3600 * kSecond, (15 + i % 10) * kSecond));
  }
  sessions.push_back(Login("victim", "ato-1", {"password_reset", "change_payee", "transfer"},
                           400 * 3600 * kSecond, 30 * kSecond));
  sessions.back().new_device = true;
  sessions.push_back(
      Login("fraudster", "f-1", {"view_home", "apply_credit"}, 401 * 3600 * kSecond, kSecond));
  const BehaviourEvaluation e = EvaluateBehaviour(sessions, {"fraudster"}, {"ato-1"});
  EXPECT_EQ(e.honest.sessions, 300u);
  EXPECT_EQ(e.fraud_accounts.sessions, 1u);
  EXPECT_EQ(e.account_takeovers.sessions, 1u);
  EXPECT_EQ(e.account_takeovers.flagged, 1u);  // the takeover chain (B03)
  EXPECT_EQ(e.account_takeovers.by_reason.count("B03"), 1u);
  EXPECT_LT(double(e.honest.flagged) / double(e.honest.sessions), 0.1);
  const std::string json = BehaviourEvaluationJson(e);
  EXPECT_THAT(json, HasSubstr(R"("sessions":302)"));
  EXPECT_THAT(json, Not(HasSubstr("E-")));
  EXPECT_THAT(BehaviourEvaluationHtml(e), HasSubstr("account takeovers"));
}

}  // namespace
}  // namespace finbrain::fraud
