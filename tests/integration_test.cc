// The real server over real HTTP: authentication, list CRUD, errors, limits, rate limiting,
// tenant isolation, metrics and graceful shutdown.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "common/temp_dir.h"
#include "tests/test_process.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using server::HttpClient;
using server::HttpResult;
using testing::ServerProcess;

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path() + "/data", dir_.path());
    client_ = server_->Connect();
  }

  HttpResult Call(std::string_view method, std::string_view target, std::string_view body = {},
                  const std::string& key = {}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
    auto result = client_->Send(method, target, body, headers);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) client_ = server_->Connect();
    return result.ok() ? *result : HttpResult{};
  }

  std::string CreateTenant(const std::string& name, const std::string& extra = "") {
    HttpResult r = Call("POST", "/admin/v1/tenants", R"({"name":")" + name + "\"" + extra + "}",
                        ServerProcess::kAdminToken);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(json::parse(r.body).at("api_key").as_string());
  }

  static std::string ErrorCode(const HttpResult& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("error"))
      return "<not a JSON error: " + r.body + ">";
    return std::string(v.at("error").at("code").as_string());
  }
  static std::string ErrorField(const HttpResult& r) {
    json::value v = json::parse(r.body);
    const json::value* field = v.at("error").as_object().if_contains("field");
    return field ? std::string(field->as_string()) : "";
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(IntegrationTest, HealthReadinessAndOpenApi) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
  HttpResult doc = Call("GET", "/v1/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(json::parse(doc.body).at("openapi"), "3.0.3");
}

TEST_F(IntegrationTest, AuthenticationRules) {
  const std::string key = CreateTenant("acme");
  HttpResult none = Call("GET", "/v1/lists/blacklist/ip");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers["www-authenticate"], "Bearer");
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", "fbk_0123456789abcdef_nope").status, 401);
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", "not-even-a-key").status, 401);
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", key).status, 200);
  // Revoked keys are forbidden, other keys of the tenant keep working.
  HttpResult second = Call("POST", "/admin/v1/tenants/acme/keys", "", ServerProcess::kAdminToken);
  ASSERT_EQ(second.status, 201);
  const std::string second_key(json::parse(second.body).at("api_key").as_string());
  const std::string key_id = key.substr(4, 16);
  EXPECT_EQ(Call("DELETE", "/admin/v1/keys/" + key_id, "", ServerProcess::kAdminToken).status, 200);
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", key).status, 403);
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", second_key).status, 200);
  // Admin routes need the admin token, not a tenant key.
  EXPECT_EQ(Call("GET", "/admin/v1/tenants", "", second_key).status, 401);
  EXPECT_EQ(
      Call("POST", "/admin/v1/tenants", R"({"name":"acme"})", ServerProcess::kAdminToken).status,
      409);
}

TEST_F(IntegrationTest, ListCrudWithEncodedValuesAndPaging) {
  const std::string key = CreateTenant("acme");
  HttpResult put = Call(
      "PUT", "/v1/lists/blacklist/address/Room%20101%2FNo.%205%20Road",
      R"({"reason":"drop address","source":"rule","expires_at":"2099-01-01T00:00:00+08:00"})", key);
  ASSERT_EQ(put.status, 201) << put.body;
  json::value entry = json::parse(put.body);
  EXPECT_EQ(entry.at("value"), "Room 101/No. 5 Road");
  EXPECT_EQ(entry.at("source"), "rule");
  EXPECT_EQ(entry.at("expires_at"), "2098-12-31T16:00:00Z");
  EXPECT_EQ(Call("PUT", "/v1/lists/blacklist/address/Room%20101%2FNo.%205%20Road",
                 R"({"reason":"again"})", key)
                .status,
            200);
  HttpResult got = Call("GET", "/v1/lists/blacklist/address/Room%20101%2FNo.%205%20Road", "", key);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(json::parse(got.body).at("reason"), "again");

  // Phone numbers are tokenized; the raw number still finds the entry.
  HttpResult phone = Call("PUT", "/v1/lists/greylist/phone/%2B86%20138%200013%208000",
                          R"({"reason":"shared by a ring"})", key);
  ASSERT_EQ(phone.status, 201);
  EXPECT_EQ(json::parse(phone.body).at("value").as_string().find("tok_phone_"), 0u);
  EXPECT_EQ(Call("GET", "/v1/lists/greylist/phone/13800138000", "", key).status, 200);

  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(Call("PUT", "/v1/lists/whitelist/device/dev" + std::to_string(i),
                   R"({"reason":"vip"})", key)
                  .status,
              201);
  }
  std::vector<std::string> values;
  std::string cursor;
  do {
    HttpResult page = Call(
        "GET", "/v1/lists/whitelist/device?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor),
        "", key);
    ASSERT_EQ(page.status, 200) << page.body;
    json::value v = json::parse(page.body);
    for (const auto& e : v.at("entries").as_array()) values.emplace_back(e.at("value").as_string());
    cursor = v.at("next_cursor").is_null() ? "" : std::string(v.at("next_cursor").as_string());
  } while (!cursor.empty());
  EXPECT_EQ(values.size(), 7u);

  EXPECT_EQ(Call("DELETE", "/v1/lists/whitelist/device/dev3", "", key).status, 204);
  EXPECT_EQ(Call("GET", "/v1/lists/whitelist/device/dev3", "", key).status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/lists/whitelist/device/dev3", "", key).status, 404);
}

TEST_F(IntegrationTest, BadInputGetsClearJsonErrors) {
  const std::string key = CreateTenant("acme");
  struct Case {
    std::string method, target, body;
    int status;
    std::string code, field;
  };
  const std::vector<Case> cases = {
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4", "{\"reason\":", 400, "invalid_argument", "body"},
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4", "[1,2]", 400, "invalid_argument", "body"},
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4", "", 400, "invalid_argument", "body"},
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4", R"({"reason":["x"]})", 400, "invalid_argument",
       "reason"},
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4", R"({"source":"manual"})", 400, "invalid_argument",
       "reason"},
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4", R"({"reason":"x","source":"oracle"})", 400,
       "invalid_argument", "source"},
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4", R"({"reason":"x","expires_at":"tomorrow"})", 400,
       "invalid_argument", "expires_at"},
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4",
       R"({"reason":"x","expires_at":"2001-01-01T00:00:00Z"})", 400, "invalid_argument",
       "expires_at"},
      {"PUT", "/v1/lists/blacklist/ip/1.2.3.4", R"({"reason":"x","extra":true})", 400,
       "invalid_argument", "extra"},
      {"PUT", "/v1/lists/purplelist/ip/1.2.3.4", R"({"reason":"x"})", 400, "invalid_argument",
       "list"},
      {"PUT", "/v1/lists/blacklist/galaxy/1.2.3.4", R"({"reason":"x"})", 400, "invalid_argument",
       "entity_type"},
      {"PUT", "/v1/lists/blacklist/card/12", R"({"reason":"x"})", 400, "invalid_argument", "value"},
      {"PUT", "/v1/lists/blacklist/ip/%ZZ", R"({"reason":"x"})", 400, "invalid_argument", "value"},
      {"GET", "/v1/lists/blacklist/ip?limit=0", "", 400, "invalid_argument", "limit"},
      {"GET", "/v1/lists/blacklist/ip?cursor=%%%", "", 400, "invalid_argument", "cursor"},
      {"GET", "/v1/nothing/here", "", 404, "not_found", ""},
      {"PATCH", "/v1/lists/blacklist/ip/1.2.3.4", "{}", 405, "method_not_allowed", ""},
  };
  for (const Case& c : cases) {
    HttpResult r = Call(c.method, c.target, c.body, key);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << " " << c.body << " -> "
                                  << r.body;
    EXPECT_EQ(ErrorCode(r), c.code) << c.target << " " << c.body;
    if (!c.field.empty()) {
      EXPECT_EQ(ErrorField(r), c.field) << c.target << " " << c.body;
    }
  }
  // Oversized body and headers are refused by the transport, as JSON too.
  HttpResult big = Call("PUT", "/v1/lists/blacklist/ip/1.2.3.4", std::string(2 << 20, 'x'), key);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(ErrorCode(big), "payload_too_large");
  client_ = server_->Connect();
  auto huge_header =
      client_->Send("GET", "/healthz", "", {{"X-Padding", std::string(40 << 10, 'a')}});
  ASSERT_TRUE(huge_header.ok());
  EXPECT_EQ(huge_header->status, 431);
  client_ = server_->Connect();
  auto garbage = client_->SendRaw("THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(garbage.ok());
  EXPECT_EQ(garbage->status, 400);
  // And the server is still fine.
  client_ = server_->Connect();
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(IntegrationTest, RateLimitAnswers429WithRetryAfter) {
  const std::string key =
      CreateTenant("slow", R"(,"rate_limit":{"requests_per_second":0.5,"burst":3})");
  const std::string other = CreateTenant("fast");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", key).status, 200);
  HttpResult limited = Call("GET", "/v1/lists/blacklist/ip", "", key);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(ErrorCode(limited), "resource_exhausted");
  EXPECT_EQ(limited.headers["retry-after"], "2");
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", other).status, 200);  // per tenant
}

TEST_F(IntegrationTest, TenantsCannotSeeOrTouchEachOthersEntries) {
  const std::string a = CreateTenant("bank-a");
  const std::string b = CreateTenant("bank-b");
  ASSERT_EQ(
      Call("PUT", "/v1/lists/blacklist/phone/13900139000", R"({"reason":"a's case"})", a).status,
      201);
  ASSERT_EQ(Call("PUT", "/v1/lists/blacklist/ip/10.0.0.1", R"({"reason":"a's case"})", a).status,
            201);

  // Reads: absent for B, exactly as if the entry did not exist.
  HttpResult b_get = Call("GET", "/v1/lists/blacklist/phone/13900139000", "", b);
  HttpResult b_missing = Call("GET", "/v1/lists/blacklist/phone/13900139999", "", b);
  EXPECT_EQ(b_get.status, 404);
  EXPECT_EQ(b_get.body, b_missing.body);
  EXPECT_TRUE(json::parse(Call("GET", "/v1/lists/blacklist/phone", "", b).body)
                  .at("entries")
                  .as_array()
                  .empty());
  EXPECT_TRUE(json::parse(Call("GET", "/v1/lists/blacklist/ip", "", b).body)
                  .at("entries")
                  .as_array()
                  .empty());
  // Writes: B's delete finds nothing; B's put creates B's own entry and leaves A's alone.
  EXPECT_EQ(Call("DELETE", "/v1/lists/blacklist/ip/10.0.0.1", "", b).status, 404);
  EXPECT_EQ(Call("PUT", "/v1/lists/blacklist/ip/10.0.0.1", R"({"reason":"b's case"})", b).status,
            201);
  EXPECT_EQ(json::parse(Call("GET", "/v1/lists/blacklist/ip/10.0.0.1", "", a).body).at("reason"),
            "a's case");
  EXPECT_EQ(json::parse(Call("GET", "/v1/lists/blacklist/ip/10.0.0.1", "", b).body).at("reason"),
            "b's case");
  EXPECT_EQ(Call("DELETE", "/v1/lists/blacklist/ip/10.0.0.1", "", b).status, 204);
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip/10.0.0.1", "", a).status, 200);
  // A tenant cannot list another tenant's keys with its own key.
  EXPECT_EQ(Call("GET", "/admin/v1/tenants/bank-a/keys", "", b).status, 401);
}

TEST_F(IntegrationTest, MetricsCountRequestsByRouteAndStatus) {
  const std::string key = CreateTenant("acme");
  for (int i = 0; i < 3; ++i) Call("GET", "/v1/lists/blacklist/ip/9.9.9.9", "", key);
  HttpResult metrics = Call("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find(
          R"(finbrain_http_requests_total{method="GET",route="/v1/lists/{list}/{entity_type}/{value}",status="404"} 3)"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("finbrain_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("process_resident_memory_bytes"), std::string::npos);
  EXPECT_EQ(metrics.body.find("9.9.9.9"), std::string::npos);  // raw paths never become labels
}

// promtool (Debian's `prometheus` package): the path, or empty when it is not installed.
std::string Promtool() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
    const std::string path = std::string(dir) + "/promtool";
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

// The value of the sample line that starts with `series` ("name{labels}"), or -1.
double Sample(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST_F(IntegrationTest, MetricsOfDecisionsEventsAndStoragePassPromtool) {
  const std::string promtool = Promtool();
  if (promtool.empty()) GTEST_SKIP() << "promtool not found (./scripts/setup installs prometheus)";
  const std::string key = CreateTenant("acme");
  const std::string slow =
      CreateTenant("slow", R"(,"rate_limit":{"requests_per_second":0.5,"burst":1})");
  ASSERT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", slow).status, 200);
  ASSERT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", slow).status, 429);

  ASSERT_EQ(Call("PUT", "/v1/strategies/credit",
                 "rules:\n  - name: r\n    rules:\n      - {id: A, when: \"app.requested_amount > "
                 "20000\", action: decline, reason: {code: A, text: \"Too much\"}}\n"
                 "outcome: {limit: 1000, apr: 0.2}\n",
                 key)
                .status,
            201);
  ASSERT_EQ(Call("POST", "/v1/strategies/credit/versions/1/activate", "", key).status, 200);
  const auto application = [](int n, int amount) {
    return R"({"event_id":"app-evt-)" + std::to_string(n) +
           R"(","event_type":"credit_application","occurred_at":"2026-03-02T10:00:00Z",)"
           R"("application_id":"app-)" +
           std::to_string(n) + R"(","user_id":"u)" + std::to_string(n) +
           R"(","product":"cash_loan","requested_amount":)" + std::to_string(amount) +
           R"(,"term_months":12,"declared_income":8000,"device_id":"d1"})";
  };
  ASSERT_EQ(Call("POST", "/v1/decisions/credit", application(1, 5000), key).status, 200);
  ASSERT_EQ(Call("POST", "/v1/decisions/credit", application(2, 30000), key).status, 200);

  const auto login = [](const std::string& id, const std::string& ip) {
    return R"({"event_type":"login","event_id":")" + id +
           R"(","occurred_at":"2026-03-01T10:00:00Z","user_id":"u1","session_id":"s1",)"
           R"("device_id":"d1","ip":")" +
           ip + R"(","success":true})";
  };
  HttpResult r = Call(
      "POST", "/v1/events",
      "[" + login("l1", "10.0.0.1") + "," + login("l2", "10.0.0.2") + R"(,{"event_type":"login"}])",
      key);
  ASSERT_EQ(r.status, 200) << r.body;
  // l1 again as it was (a duplicate) and with another ip (a conflict).
  r = Call("POST", "/v1/events",
           "[" + login("l1", "10.0.0.1") + "," + login("l2", "10.0.0.9") + "]", key);
  ASSERT_EQ(r.status, 200) << r.body;

  HttpResult metrics = Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string file = dir_.path() + "/metrics.txt";
  {
    std::ofstream out(file);
    out << metrics.body;
  }
  const std::string report = dir_.path() + "/promtool.txt";
  const int rc =
      std::system((promtool + " check metrics < " + file + " > " + report + " 2>&1").c_str());
  std::ifstream report_in(report);
  const std::string problems((std::istreambuf_iterator<char>(report_in)),
                             std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << problems;
  EXPECT_EQ(problems, "") << metrics.body;

  const std::string& m = metrics.body;
  EXPECT_EQ(Sample(m, R"(finbrain_decisions_total{kind="credit",outcome="approve",tenant="acme"})"),
            1);
  EXPECT_EQ(Sample(m, R"(finbrain_decisions_total{kind="credit",outcome="decline",tenant="acme"})"),
            1);
  EXPECT_EQ(Sample(m, R"(finbrain_decision_seconds_count{kind="credit",outcome="decline"})"), 1);
  for (const char* stage : {"validate", "features", "rules", "commit"}) {
    EXPECT_EQ(
        Sample(m, std::string(R"(finbrain_decision_stage_seconds_count{kind="credit",stage=")") +
                      stage + "\"}"),
        2)
        << stage;
  }
  // Two applications (stored by the decisions) and two logins.
  EXPECT_EQ(Sample(m, R"(finbrain_events_ingested_total{tenant="acme",type="credit_application"})"),
            2);
  EXPECT_EQ(Sample(m, R"(finbrain_events_ingested_total{tenant="acme",type="login"})"), 2);
  EXPECT_EQ(Sample(m, R"(finbrain_events_rejected_total{reason="invalid",tenant="acme"})"), 1);
  EXPECT_EQ(Sample(m, R"(finbrain_events_rejected_total{reason="conflict",tenant="acme"})"), 1);
  EXPECT_EQ(Sample(m, R"(finbrain_events_duplicates_total{tenant="acme"})"), 1);
  EXPECT_EQ(Sample(m, R"(finbrain_http_rate_limited_total{tenant="slow"})"), 1);
  EXPECT_EQ(Sample(m, R"(finbrain_storage_durability{level="sync"})"), 1);
  EXPECT_NE(m.find("# TYPE finbrain_storage_wal_syncs_total counter"), std::string::npos);
  EXPECT_GT(Sample(m, "finbrain_storage_wal_syncs_total"), 0);
  EXPECT_GT(Sample(m, R"(finbrain_storage_group_write_seconds_count{synced="true"})"), 0);
  EXPECT_EQ(Sample(m, R"(finbrain_events_consumer_lag{consumer="graph"})"), 0);
  EXPECT_GT(Sample(m, R"(finbrain_graph_nodes{tenant="acme"})"), 0);
  EXPECT_GT(Sample(m, "finbrain_rocksdb_memtable_bytes"), 0);
  EXPECT_EQ(Sample(m, "finbrain_rocksdb_writes_stopped"), 0);
  EXPECT_GT(Sample(m, "finbrain_rocksdb_wal_bytes_total"), 0);
}

TEST_F(IntegrationTest, GracefulShutdownAnswersInFlightRequestsAndExitsCleanly) {
  const std::string key = CreateTenant("acme");
  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  std::vector<std::vector<std::string>> acked(4);
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto client = HttpClient::Connect("127.0.0.1", server_->port());
      if (!client.ok()) return;
      for (int i = 0; !stop; ++i) {
        const std::string value = "w" + std::to_string(w) + "-" + std::to_string(i);
        auto r = (*client)->Send("PUT", "/v1/lists/blacklist/device/" + value, R"({"reason":"r"})",
                                 {{"Authorization", "Bearer " + key}});
        if (!r.ok()) return;  // the server closed the connection: no answer, nothing promised
        if (r->status == 201) {
          acked[w].push_back(value);
          ++acknowledged;
        }
      }
    });
  }
  const bool enough = testing::WaitUntil([&] { return acknowledged >= 40; });
  EXPECT_EQ(server_->Stop(), 0);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_TRUE(enough) << "writes were not acknowledged";

  server_ = std::make_unique<ServerProcess>(dir_.path() + "/data", dir_.path());
  client_ = server_->Connect();
  for (const auto& values : acked) {
    for (const auto& value : values) {
      EXPECT_EQ(Call("GET", "/v1/lists/blacklist/device/" + value, "", key).status, 200) << value;
    }
  }
}

TEST(Limits, SlowRequestsAreDroppedAfterTheRequestTimeout) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data", dir.path(), {"FINBRAIN_REQUEST_TIMEOUT_MS=300"});
  auto slow = server.Connect();
  // Half a request, then silence: the server must give up on it, not hold the connection.
  const auto start = std::chrono::steady_clock::now();
  auto r = slow->SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  EXPECT_FALSE(r.ok());
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::seconds(5));
  // Other clients are served meanwhile and afterwards.
  auto client = server.Connect();
  auto ok = client->Send("GET", "/healthz");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
}

TEST(AdminApi, OffWithoutAdminToken) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data", dir.path(), {}, /*admin=*/false);
  auto client = server.Connect();
  auto r = client->Send("POST", "/admin/v1/tenants", R"({"name":"x"})",
                        {{"Authorization", std::string("Bearer ") + ServerProcess::kAdminToken}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("FINBRAIN_ADMIN_TOKEN"), std::string::npos);
}

}  // namespace
}  // namespace finbrain
