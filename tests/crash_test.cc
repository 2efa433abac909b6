// Acknowledged writes survive kill -9, and the audit chain stays intact.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "common/temp_dir.h"
#include "tests/test_process.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using testing::ServerProcess;

TEST(CrashTest, AcknowledgedWritesSurviveKill9) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  auto server = std::make_unique<ServerProcess>(data, dir.path());
  auto admin = server->Connect();
  auto created =
      admin->Send("POST", "/admin/v1/tenants", R"({"name":"acme"})",
                  {{"Authorization", std::string("Bearer ") + ServerProcess::kAdminToken}});
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201);
  const std::string key(json::parse(created->body).at("api_key").as_string());

  constexpr int kWriters = 8;
  std::vector<std::vector<std::string>> acked(kWriters);
  std::atomic<int> total{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto client = server::HttpClient::Connect("127.0.0.1", server->port());
      if (!client.ok()) return;
      for (int i = 0;; ++i) {
        const std::string value = "10." + std::to_string(w) + "." + std::to_string(i / 256) + "." +
                                  std::to_string(i % 256);
        auto r =
            (*client)->Send("PUT", "/v1/lists/blacklist/ip/" + value, R"({"reason":"crash test"})",
                            {{"Authorization", "Bearer " + key}});
        if (!r.ok()) return;  // killed
        if (r->status == 201) {
          acked[w].push_back(value);
          ++total;
        }
      }
    });
  }
  const bool acknowledged = testing::WaitUntil([&] { return total >= 300; });
  EXPECT_EQ(server->Kill(), 128 + SIGKILL);
  for (auto& t : writers) t.join();
  ASSERT_TRUE(acknowledged) << "writes were not acknowledged";

  server = std::make_unique<ServerProcess>(data, dir.path());
  auto client = server->Connect();
  int checked = 0;
  for (const auto& values : acked) {
    for (const auto& value : values) {
      auto r = client->Send("GET", "/v1/lists/blacklist/ip/" + value, "",
                            {{"Authorization", "Bearer " + key}});
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 200) << "acknowledged write lost: " << value;
      ++checked;
    }
  }
  EXPECT_GE(checked, 300);
  EXPECT_EQ(server->Stop(), 0);
  // Every acknowledged write has its audit entry, and the chain verifies.
  auto verify = testing::RunFinbrain({"audit", "verify", "--data-dir", data}, dir.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  const int entries = std::stoi(verify.out.substr(verify.out.find(':') + 1));
  EXPECT_GE(entries, checked + 1);
}

}  // namespace
}  // namespace finbrain
