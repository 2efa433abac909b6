// `finbrain import` end to end: into a server and into a data directory, bad rows reported by
// file:line, idempotent re-import, and exactly-once after kill -9 in the middle of an import.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "common/temp_dir.h"
#include "tests/test_process.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using testing::RunFinbrain;
using testing::ServerProcess;

// Writes `count` valid events (logins and orders with phone numbers) to `path`.
void WriteEvents(const std::string& path, int count, int first = 0) {
  std::ofstream out(path);
  for (int i = first; i < first + count; ++i) {
    if (i % 2 == 0) {
      out << R"({"event_id":"login-)" << i
          << R"(","event_type":"login","occurred_at":"2026-01-01T00:00:00Z",)"
          << R"("user_id":"u)" << i % 97 << R"(","session_id":"s)" << i << R"(","device_id":"d)"
          << i % 13 << R"(","ip":"10.0.0.)" << i % 250 << R"(","success":true})"
          << "\n";
    } else {
      out << R"({"event_id":"order-)" << i
          << R"(","event_type":"order","occurred_at":"2026-01-01T00:00:00Z",)"
          << R"("order_id":"o)" << i << R"(","user_id":"u)" << i % 97
          << R"(","items":[{"sku":"s","category":"books","price":10,"quantity":1}],"amount":10,)"
          << R"("consignee_address":"addr )" << i % 7 << R"(","consignee_phone":"1380013)"
          << 1000 + i % 9000 << R"(","payment_method":"wallet"})"
          << "\n";
    }
  }
}

struct Tenant {
  std::string key;
};

std::string CreateTenant(ServerProcess& server, const std::string& name) {
  auto client = server.Connect();
  auto r = client->Send("POST", "/admin/v1/tenants", R"({"name":")" + name + R"("})",
                        {{"Authorization", std::string("Bearer ") + ServerProcess::kAdminToken}});
  if (!r.ok() || r->status != 201) throw std::runtime_error("tenant creation failed");
  return std::string(json::parse(r->body).at("api_key").as_string());
}

json::value Stats(ServerProcess& server, const std::string& key) {
  auto r =
      server.Connect()->Send("GET", "/v1/stats/events", "", {{"Authorization", "Bearer " + key}});
  return json::parse(r.value().body);
}

TEST(Import, IntoServerReportsBadRowsByFileAndLineAndIsIdempotent) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data", dir.path());
  const std::string key = CreateTenant(server, "acme");
  const std::string file = dir.path() + "/events.jsonl";
  WriteEvents(file, 500);
  {
    std::ofstream out(file, std::ios::app);
    out << "{not json\n";
    out << R"({"event_id":"x","event_type":"login","occurred_at":"2026-01-01T00:00:00Z"})"
        << "\n";
  }
  auto first = RunFinbrain(
      {"import", file, "--url", server.url(), "--api-key", key, "--batch", "64"}, dir.path());
  EXPECT_EQ(first.exit_code, 3) << first.err;
  EXPECT_NE(first.err.find("events.jsonl:501: not valid JSON"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("events.jsonl:502: user_id is required"), std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find("500 accepted, 0 duplicates, 2 rejected"), std::string::npos)
      << first.err;
  EXPECT_EQ(Stats(server, key).at("total"), 500);
  EXPECT_EQ(Stats(server, key).at("counts").at("order"), 250);

  auto again = RunFinbrain({"import", file, "--url", server.url(), "--api-key", key}, dir.path());
  EXPECT_NE(again.err.find("0 accepted, 500 duplicates"), std::string::npos) << again.err;
  EXPECT_EQ(Stats(server, key).at("total"), 500);

  // Phone numbers were tokenized on the way in.
  auto order =
      server.Connect()->Send("GET", "/v1/events/order-1", "", {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(order->status, 200);
  EXPECT_TRUE(std::string(json::parse(order->body).at("consignee_phone").as_string())
                  .starts_with("tok_phone_"));
}

TEST(Import, IntoDataDirectoryThenServed) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  auto created = RunFinbrain({"tenant", "create", "acme", "--data-dir", data}, dir.path());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string key(json::parse(created.out).at("api_key").as_string());
  std::filesystem::create_directories(dir.path() + "/world/events");
  WriteEvents(dir.path() + "/world/events/a.jsonl", 300);
  WriteEvents(dir.path() + "/world/events/b.jsonl", 200, 300);
  auto imported = RunFinbrain(
      {"import", dir.path() + "/world", "--data-dir", data, "--tenant", "acme"}, dir.path());
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.err.find("2 file(s): 500 events, 500 accepted"), std::string::npos)
      << imported.err;
  auto missing = RunFinbrain(
      {"import", dir.path() + "/world", "--data-dir", data, "--tenant", "nobody"}, dir.path());
  EXPECT_NE(missing.exit_code, 0);
  ServerProcess server(data, dir.path());
  EXPECT_EQ(Stats(server, key).at("total"), 500);
  EXPECT_EQ(Stats(server, key).at("counts").at("login"), 250);
}

TEST(Import, ExactlyOnceAfterKill9MidImport) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  auto server = std::make_unique<ServerProcess>(data, dir.path());
  const std::string key = CreateTenant(*server, "acme");
  const std::string file = dir.path() + "/events.jsonl";
  constexpr int kEvents = 60'000;
  WriteEvents(file, kEvents);

  testing::Process import({testing::FinbrainBinary(), "import", file, "--url", server->url(),
                           "--api-key", key, "--batch", "200"},
                          dir.path() + "/import");
  // Kill the server once part of the file is in.
  for (int i = 0; i < 2000; ++i) {
    auto stats = server->Connect()->Send("GET", "/v1/stats/events", "",
                                         {{"Authorization", "Bearer " + key}});
    if (stats.ok() && json::parse(stats->body).at("total").to_number<int>() > 5000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server->Kill();
  EXPECT_NE(import.Wait(), 0);  // the import saw the server die
  const int before = Stats(*(server = std::make_unique<ServerProcess>(data, dir.path())), key)
                         .at("total")
                         .to_number<int>();
  EXPECT_GT(before, 0);
  EXPECT_LT(before, kEvents);

  auto again = RunFinbrain({"import", file, "--url", server->url(), "--api-key", key}, dir.path());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find(std::to_string(kEvents - before) + " accepted, " +
                           std::to_string(before) + " duplicates"),
            std::string::npos)
      << again.err << " before=" << before;
  json::value stats = Stats(*server, key);
  EXPECT_EQ(stats.at("total"), kEvents);
  EXPECT_EQ(stats.at("counts").at("login"), kEvents / 2);
  EXPECT_EQ(server->Stop(), 0);
  auto verify = RunFinbrain({"audit", "verify", "--data-dir", data}, dir.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

}  // namespace
}  // namespace finbrain
