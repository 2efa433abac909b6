// /v1/devices and the device.* decision features over device reports posted through the API.
#include <gmock/gmock.h>

#include "server/internal/api_test_fixture.h"

namespace finbrain::server {
namespace {

using ::testing::HasSubstr;

std::string Report(int n, const std::string& install_id, const std::string& user,
                   const std::string& advertising_id, const std::string& extra = "") {
  return R"({"event_type":"device_report","event_id":"dr)" + std::to_string(n) +
         R"(","occurred_at":"2026-03-0)" + std::to_string(1 + n % 9) +
         R"(T09:00:00Z","device_id":")" + install_id + R"(","user_id":")" + user +
         R"(","brand":"Xiaomi","model":"Mi 13","os":"Android","os_version":"14",)"
         R"("screen":"1080x2400","advertising_id":")" +
         advertising_id + R"(","ip":"36.112.4.20")" + extra + "}";
}

std::string Reports() {
  std::string batch = "[";
  // One phone reinstalled by its owner, and a rooted emulator running five accounts.
  batch += Report(0, "d-1", "alice", "ad-1") + ",";
  batch += Report(1, "d-2", "alice", "ad-2") + ",";
  for (int i = 0; i < 5; ++i) {
    batch += Report(2 + i, "farm", "f" + std::to_string(i), "ad-f" + std::to_string(i),
                    R"(,"is_emulator":true,"is_rooted":true)") +
             ",";
  }
  batch += Report(8, "d-9", "bob", "ad-9") + "]";  // same model, another person
  return batch;
}

TEST_F(ApiTest, DevicesKeepOneFingerprintAcrossReinstallsAndCountAccounts) {
  const std::string key = NewTenant("acme");
  HttpResponse r = Call("POST", "/v1/events", Reports(), key);
  ASSERT_EQ(r.status, 200) << r.body;

  r = Call("GET", "/v1/devices/d-2", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value phone = json::parse(r.body);
  EXPECT_EQ(phone.at("install_ids"), json::parse(R"(["d-1","d-2"])"));
  EXPECT_EQ(phone.at("accounts"), 1);
  const std::string fingerprint(phone.at("fingerprint").as_string());
  r = Call("GET", "/v1/devices/" + fingerprint, "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("reports"), 2);

  r = Call("GET", "/v1/devices/farm", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value farm = json::parse(r.body);
  EXPECT_EQ(farm.at("accounts"), 5);
  EXPECT_EQ(farm.at("flags"), json::parse(R"(["emulator","rooted"])"));

  r = Call("GET", "/v1/devices?user_id=bob", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array bobs = json::parse(r.body).at("devices").as_array();
  ASSERT_EQ(bobs.size(), 1u);
  EXPECT_NE(bobs[0].at("fingerprint").as_string(), fingerprint);

  // Bad input and another tenant.
  r = Call("GET", "/v1/devices/nope", "", key);
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("nope"));
  r = Call("GET", "/v1/devices", "", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "user_id");
  EXPECT_EQ(Call("GET", "/v1/devices?user=bob", "", key).status, 400);
  EXPECT_EQ(Call("GET", "/v1/devices/farm", "", NewTenant("other")).status, 404);
}

constexpr const char* kDeviceStrategy = R"yaml(description: device screens
rules:
  - name: device
    hit_policy: all
    rules:
      - {id: D01, when: "device.emulator == 1", action: decline, reason: {code: D01, text: "Emulator"}}
      - {id: D02, when: "device.known == 0", action: review, reason: {code: D02, text: "Unknown device"}}
outcome: {limit: 1000, apr: 0.2}
)yaml";

TEST_F(ApiTest, DecisionsReadDeviceFeatures) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("POST", "/v1/events", Reports(), key).status, 200);
  ASSERT_EQ(Call("PUT", "/v1/strategies/credit", kDeviceStrategy, key).status, 201);
  ASSERT_EQ(Call("POST", "/v1/strategies/credit/versions/1/activate", "", key).status, 200);

  HttpResponse r = Call("POST", "/v1/decisions/credit",
                        CreditApplication("f2", "farm", "2026-03-20T10:00:00Z"), key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "decline") << r.body;
  EXPECT_EQ(d.at("device").at("accounts").to_number<double>(), 5.0);
  EXPECT_EQ(d.at("device").at("rooted").to_number<double>(), 1.0);
  EXPECT_GT(d.at("latency_us").at("device").to_number<double>(), 0.0);

  r = Call("POST", "/v1/decisions/credit",
           CreditApplication("alice", "d-1", "2026-03-20T10:00:00Z"), key);
  ASSERT_EQ(r.status, 200) << r.body;
  d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "approve") << r.body;
  EXPECT_EQ(d.at("device").at("install_ids").to_number<double>(), 2.0);
  EXPECT_EQ(d.at("device").at("user_devices").to_number<double>(), 1.0);
  EXPECT_NEAR(d.at("device").at("age_days").to_number<double>(), 19.04, 0.01);

  r = Call("POST", "/v1/decisions/credit",
           CreditApplication("carol", "never-seen", "2026-03-20T10:00:00Z"), key);
  ASSERT_EQ(r.status, 200) << r.body;
  d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "review");
  EXPECT_TRUE(d.at("device").at("accounts").is_null());
}

}  // namespace
}  // namespace finbrain::server
