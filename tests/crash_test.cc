// Acknowledged writes survive kill -9, and the audit chain stays intact.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include "common/temp_dir.h"
#include "tests/test_process.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using testing::ServerProcess;

// A new tenant's API key.
std::string CreateTenant(ServerProcess& server) {
  auto created = server.Connect()->Send(
      "POST", "/admin/v1/tenants", R"({"name":"acme"})",
      {{"Authorization", std::string("Bearer ") + ServerProcess::kAdminToken}});
  if (!created.ok() || created->status != 201) return "";
  return std::string(json::parse(created->body).at("api_key").as_string());
}

// Runs `writers` clients, each sending request i = 0, 1, ... through `write` (which returns what
// the server acknowledged, or nullopt), until `enough` are acknowledged; then kills the server
// with SIGKILL. Returns everything acknowledged (less than `enough` when the server stalled).
using Write =
    std::function<std::optional<std::string>(server::HttpClient&, int writer, int i, bool& killed)>;
// `ready`, when given, must hold too before the kill.
std::vector<std::string> WriteUntilKilled(ServerProcess& server, int writers, int enough,
                                          const Write& write,
                                          const std::function<bool()>& ready = nullptr) {
  std::vector<std::vector<std::string>> acked(writers);
  std::atomic<int> total{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      auto client = server::HttpClient::Connect("127.0.0.1", server.port());
      if (!client.ok()) return;
      bool killed = false;
      for (int i = 0; !killed; ++i) {
        if (std::optional<std::string> id = write(**client, w, i, killed)) {
          acked[w].push_back(std::move(*id));
          ++total;
        }
      }
    });
  }
  testing::WaitUntil([&] { return total >= enough && (!ready || ready()); });
  EXPECT_EQ(server.Kill(), 128 + SIGKILL);
  for (auto& t : threads) t.join();
  std::vector<std::string> all;
  for (auto& ids : acked) all.insert(all.end(), ids.begin(), ids.end());
  return all;
}

TEST(CrashTest, AcknowledgedWritesSurviveKill9) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  auto server = std::make_unique<ServerProcess>(data, dir.path());
  const std::string key = CreateTenant(*server);
  ASSERT_FALSE(key.empty());

  const std::vector<std::string> acked = WriteUntilKilled(
      *server, 8, 300,
      [&](server::HttpClient& client, int w, int i, bool& killed) -> std::optional<std::string> {
        const std::string value = "10." + std::to_string(w) + "." + std::to_string(i / 256) + "." +
                                  std::to_string(i % 256);
        auto r = client.Send("PUT", "/v1/lists/blacklist/ip/" + value, R"({"reason":"crash test"})",
                             {{"Authorization", "Bearer " + key}});
        killed = !r.ok();
        if (killed || r->status != 201) return std::nullopt;
        return value;
      });
  ASSERT_GE(acked.size(), 300u) << "writes were not acknowledged";

  server = std::make_unique<ServerProcess>(data, dir.path());
  auto client = server->Connect();
  int checked = 0;
  for (const auto& value : acked) {
    auto r = client->Send("GET", "/v1/lists/blacklist/ip/" + value, "",
                          {{"Authorization", "Bearer " + key}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << "acknowledged write lost: " << value;
    ++checked;
  }
  EXPECT_GE(checked, 300);
  EXPECT_EQ(server->Stop(), 0);
  // Every acknowledged write has its audit entry, and the chain verifies.
  auto verify = testing::RunFinbrain({"audit", "verify", "--data-dir", data}, dir.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  const int entries = std::stoi(verify.out.substr(verify.out.find(':') + 1));
  EXPECT_GE(entries, checked + 1);
}

// Answered credit decisions survive kill -9 at both durability levels: `process` answers once the
// write-ahead log is in the operating system, which a crash of the server does not lose.
class DecisionCrashTest : public ::testing::TestWithParam<const char*> {};

std::string Application(int writer, int i) {
  const std::string id = std::to_string(writer) + "-" + std::to_string(i);
  return R"({"event_id":"e-)" + id +
         R"(","event_type":"credit_application","occurred_at":"2027-01-15T10:00:00Z",)"
         R"("application_id":"a-)" +
         id + R"(","user_id":"u-)" + id +
         R"(","product":"cash_loan","requested_amount":5000,"term_months":12,)"
         R"("declared_income":)" +
         std::to_string(3000 + 100 * (i % 20)) + R"(,"bureau":{"score":)" +
         std::to_string(560 + 9 * (i % 20)) + "}}";
}

constexpr const char* kRulesOnly = R"yaml(description: crash test
rules:
  - name: credit
    rules:
      - {id: C01, when: "app.bureau.score < 600", action: decline, reason: {code: C01, text: "Low score"}}
outcome: {limit: "app.declared_income * 2", apr: 0.2}
)yaml";

TEST_P(DecisionCrashTest, AnsweredDecisionsSurviveKill9) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::vector<std::string> env = {std::string("FINBRAIN_DURABILITY=") + GetParam()};
  auto server = std::make_unique<ServerProcess>(data, dir.path(), env);
  auto admin = server->Connect();
  const std::string key = CreateTenant(*server);
  ASSERT_FALSE(key.empty());
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + key}};
  auto put = admin->Send("PUT", "/v1/strategies/credit", kRulesOnly, auth);
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(put->status, 201) << put->body;
  ASSERT_EQ(admin->Send("POST", "/v1/strategies/credit/versions/1/activate", "", auth)->status,
            200);

  const std::vector<std::string> answered = WriteUntilKilled(
      *server, 6, 200,
      [&](server::HttpClient& client, int w, int i, bool& killed) -> std::optional<std::string> {
        auto r = client.Send("POST", "/v1/decisions/credit", Application(w, i), auth);
        killed = !r.ok();
        if (killed || (r->status != 200 && r->status != 201)) return std::nullopt;
        return std::string(json::parse(r->body).at("decision_id").as_string());
      });
  ASSERT_GE(answered.size(), 200u) << "no decisions were answered";

  server = std::make_unique<ServerProcess>(data, dir.path(), env);
  auto client = server->Connect();
  int checked = 0;
  for (const auto& id : answered) {
    auto r = client->Send("GET", "/v1/decisions/" + id, "", auth);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << "answered decision lost: " << id;
    ++checked;
  }
  EXPECT_GE(checked, 200);
  EXPECT_EQ(server->Stop(), 0);
  auto verify = testing::RunFinbrain({"audit", "verify", "--data-dir", data}, dir.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

INSTANTIATE_TEST_SUITE_P(Durability, DecisionCrashTest, ::testing::Values("sync", "process"));

// A login, a device report and a payment of one user, sharing devices and payees with others so
// that the graph forms groups.
std::string EventBatch(int writer, int i) {
  const std::string id = std::to_string(writer) + "-" + std::to_string(i);
  const std::string user = "u" + std::to_string((writer * 7919 + i) % 150);
  const std::string device = "d" + std::to_string(i % 40);
  const std::string at = "2027-01-15T10:" + std::to_string(10 + i % 50) + ":00Z";
  return R"([{"event_type":"login","event_id":"l-)" + id + R"(","occurred_at":")" + at +
         R"(","user_id":")" + user + R"(","session_id":"s-)" + id + R"(","device_id":")" + device +
         R"(","ip":"10.1.)" + std::to_string(i % 7) +
         R"(.9","success":true,"actions":[{"action":"view_bill","at":")" + at + R"("}]},)" +
         R"({"event_type":"device_report","event_id":"r-)" + id + R"(","occurred_at":")" + at +
         R"(","device_id":")" + device + R"(","user_id":")" + user +
         R"(","model":"Mi 13","os":"Android","os_version":"14"},)" +
         R"({"event_type":"payment","event_id":"p-)" + id + R"(","occurred_at":")" + at +
         R"(","payment_id":"p-)" + id + R"(","user_id":")" + user + R"(","payee_id":"m-)" +
         std::to_string(i % 9) + R"(","payee_type":"merchant","amount":)" +
         std::to_string(10 + i % 300) + "}]";
}

// The graph, devices and behaviour write snapshots while events arrive (every 100 here); after a
// kill -9 a start from the last snapshots and the log after them equals a full replay.
TEST(CrashTest, StateRestoredFromSnapshotsAfterKill9EqualsAFullReplay) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::vector<std::string> env = {"FINBRAIN_SNAPSHOT_EVERY_EVENTS=100",
                                        "FINBRAIN_DURABILITY=process"};
  auto server = std::make_unique<ServerProcess>(data, dir.path(), env);
  const std::string key = CreateTenant(*server);
  ASSERT_FALSE(key.empty());
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + key}};
  const auto snapshotted = [&] {
    for (const char* name : {"graph", "devices", "behaviour"}) {
      if (!std::filesystem::exists(data + "/snapshots/" + name + ".snap")) return false;
    }
    return true;
  };
  const std::vector<std::string> acked = WriteUntilKilled(
      *server, 4, 300,
      [&](server::HttpClient& client, int w, int i, bool& killed) -> std::optional<std::string> {
        auto r = client.Send("POST", "/v1/events", EventBatch(w, i), auth);
        killed = !r.ok();
        if (killed || r->status != 200) return std::nullopt;
        return std::to_string(w) + "-" + std::to_string(i);
      },
      snapshotted);
  ASSERT_GE(acked.size(), 300u) << "no events were acknowledged";
  ASSERT_TRUE(snapshotted()) << "no snapshots were written before the kill";

  auto verify = testing::RunFinbrain({"snapshots", "verify", "--data-dir", data}, dir.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  for (const char* name : {"graph", "devices", "behaviour"}) {
    EXPECT_NE(verify.out.find(std::string(name) + ": snapshot at event "), std::string::npos)
        << verify.out;
  }
  EXPECT_EQ(verify.out.find("DIFFERS"), std::string::npos) << verify.out;
}

}  // namespace
}  // namespace finbrain
