// /v1/graph over events posted through the API, and the graph's rebuild after a restart.
#include <gmock/gmock.h>

#include <set>

#include "ingest/event_schema.h"
#include "server/internal/api_test_fixture.h"
#include "server/internal/graph_analysis_job.h"

namespace finbrain::server {
namespace {

using ::testing::HasSubstr;

std::string Login(int n, const std::string& user, const std::string& device,
                  const std::string& ip) {
  return R"({"event_type":"login","event_id":"l)" + std::to_string(n) +
         R"(","occurred_at":"2026-03-01T10:00:0)" + std::to_string(n % 10) + R"(Z","user_id":")" +
         user + R"(","session_id":"s)" + std::to_string(n) + R"(","device_id":")" + device +
         R"(","ip":")" + ip + R"(","success":true})";
}

std::string Logins() {
  std::string batch = "[";
  // Six accounts on one phone (a device farm), and a second-hand phone shared by two.
  for (int i = 0; i < 6; ++i) {
    batch += Login(i, "u" + std::to_string(i), "farm-1", "10.1.2." + std::to_string(i)) + ",";
  }
  batch += Login(6, "a", "d-ab", "8.8.8.8") + "," + Login(7, "b", "d-ab", "8.8.4.4") + "]";
  return batch;
}

TEST_F(ApiTest, GraphListsRingsAndExplainsLinks) {
  const std::string key = NewTenant("acme");
  HttpResponse r = Call("POST", "/v1/events", Logins(), key);
  ASSERT_EQ(r.status, 200) << r.body;

  r = Call("GET", "/v1/graph/rings", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array rings = json::parse(r.body).at("rings").as_array();
  ASSERT_EQ(rings.size(), 1u) << r.body;  // the pair is a group, not a ring
  EXPECT_EQ(rings[0].at("kind"), "device_farm");
  EXPECT_EQ(rings[0].at("size"), 6);
  EXPECT_EQ(rings[0].at("max_device_accounts"), 6);

  r = Call("GET", "/v1/graph/entities/device/farm-1", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value device = json::parse(r.body);
  EXPECT_EQ(device.at("users"), 6);
  EXPECT_EQ(device.at("group").at("ring_id"), "ring-u0");

  r = Call("GET", "/v1/graph/entities/user/a", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("group").at("kind"), "group");

  r = Call("GET", "/v1/graph/entities/user/u0/neighborhood?hops=2", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value around = json::parse(r.body);
  // u0, its device and IP, the IP's /24, and the five other accounts on the device.
  EXPECT_EQ(around.at("nodes").as_array().size(), 9u) << r.body;
  EXPECT_FALSE(around.at("truncated").as_bool());

  r = Call("GET", "/v1/graph/entities/ip/10.1.2.0%2F24/neighborhood?hops=1", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("nodes").as_array().size(), 7u);  // the block and 6 IPs

  r = Call("GET", "/v1/graph/path?from=user:u0&to=user:u5", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value path = json::parse(r.body);
  EXPECT_TRUE(path.at("connected").as_bool());
  EXPECT_EQ(path.at("hops"), 2);
  EXPECT_EQ(path.at("links").at(0).at("to").at("id"), "farm-1");
  EXPECT_EQ(path.at("links").at(0).at("relations").at(0), "uses_device");

  r = Call("GET", "/v1/graph/path?from=user:u0&to=user:a&hops=3", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(json::parse(r.body).at("connected").as_bool());
}

TEST_F(ApiTest, GraphBadInputNamesTheField) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("POST", "/v1/events", Logins(), key).status, 200);
  const auto field = [&](const std::string& target) {
    HttpResponse r = Call("GET", target, "", key);
    EXPECT_EQ(r.status, 400) << target << " " << r.body;
    return std::string(json::parse(r.body).at("error").at("field").as_string());
  };
  EXPECT_EQ(field("/v1/graph/entities/planet/x"), "type");
  EXPECT_EQ(field("/v1/graph/entities/user/u0/neighborhood?hops=9"), "hops");
  EXPECT_EQ(field("/v1/graph/entities/user/u0/neighborhood?hops=two"), "hops");
  EXPECT_EQ(field("/v1/graph/entities/user/u0/neighborhood?depth=2"), "depth");
  EXPECT_EQ(field("/v1/graph/path?to=user:u1"), "from");
  EXPECT_EQ(field("/v1/graph/path?from=u0&to=user:u1"), "from");
  EXPECT_EQ(field("/v1/graph/path?from=user:u0&to=galaxy:1"), "to");
  EXPECT_EQ(field("/v1/graph/rings?limit=0"), "limit");
  HttpResponse r = Call("GET", "/v1/graph/entities/user/nobody", "", key);
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("nobody"));
  EXPECT_EQ(Call("GET", "/v1/graph/path?from=user:u0&to=user:ghost", "", key).status, 404);
  // Another tenant sees none of it.
  const std::string other = NewTenant("globex");
  EXPECT_EQ(Call("GET", "/v1/graph/entities/device/farm-1", "", other).status, 404);
}

constexpr const char* kGraphStrategy = R"yaml(description: graph screens
rules:
  - name: fraud
    hit_policy: all
    rules:
      - {id: G01, when: "graph.is_ring == 1", action: decline, reason: {code: G01, text: "Member of a fraud ring"}}
      - {id: G02, when: "graph.device_accounts >= 2", action: review, reason: {code: G02, text: "Shared device"}}
outcome: {limit: 1000, apr: 0.2}
)yaml";

TEST_F(ApiTest, DecisionsReadGraphFeatures) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("POST", "/v1/events", Logins(), key).status, 200);
  ASSERT_EQ(Call("PUT", "/v1/strategies/credit?activate=true", kGraphStrategy, key).status, 201);
  Call("POST", "/v1/strategies/credit/versions/1/activate", "", key);

  HttpResponse r = Call("POST", "/v1/decisions/credit", CreditApplication("u3", "farm-1"), key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "decline");
  EXPECT_EQ(d.at("graph").at("ring_size").to_number<double>(), 6.0);
  EXPECT_EQ(d.at("graph").at("device_accounts").to_number<double>(), 6.0);
  EXPECT_EQ(d.at("graph").at("ring_device_accounts").to_number<double>(), 6.0);
  EXPECT_THAT(r.body, HasSubstr("G01"));

  r = Call("POST", "/v1/decisions/credit", CreditApplication("a", "d-ab"), key);
  ASSERT_EQ(r.status, 200) << r.body;
  d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "review");  // two accounts on the phone: not a ring
  EXPECT_EQ(d.at("graph").at("is_ring").to_number<double>(), 0.0);
  EXPECT_EQ(d.at("graph").at("ring_size").to_number<double>(), 2.0);

  r = Call("POST", "/v1/decisions/credit", CreditApplication("newcomer", "fresh"), key);
  ASSERT_EQ(r.status, 200) << r.body;
  d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "approve");
  EXPECT_EQ(d.at("graph").at("ring_size").to_number<double>(), 1.0);
  EXPECT_EQ(d.at("graph").at("device_accounts").to_number<double>(), 1.0);  // its own application

  // The contacts an application lists count at once: the fifth applicant this week naming one
  // phone meets the ring of the four before it.
  for (int i = 0; i < 5; ++i) {
    std::string application =
        CreditApplication("named" + std::to_string(i), "own" + std::to_string(i));
    application.insert(application.size() - 1,
                       R"(,"contacts":[{"phone":"13900000001","relation":"friend"}])");
    r = Call("POST", "/v1/decisions/credit", application, key);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  d = json::parse(r.body);
  EXPECT_EQ(d.at("graph").at("ring_size").to_number<double>(), 5.0);
  EXPECT_EQ(d.at("graph").at("is_ring").to_number<double>(), 1.0);
}

TEST_F(ApiTest, GraphAnalysisFindsCommunitiesAndGreylistsByPropagatedRisk) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("POST", "/v1/events", Logins(), key).status, 200);
  // Background: people with their own phones and networks, so modularity has a scale.
  std::string others = "[";
  for (int i = 0; i < 40; ++i) {
    others += (i ? "," : "") + Login(100 + i, "h" + std::to_string(i), "hd" + std::to_string(i),
                                     "58." + std::to_string(i) + ".0.1");
  }
  ASSERT_EQ(Call("POST", "/v1/events", others + "]", key).status, 200);
  EXPECT_EQ(Call("GET", "/v1/graph/communities", "", key).status, 404);  // none run yet
  ASSERT_EQ(
      Call("PUT", "/v1/lists/blacklist/user/u0", R"({"reason":"confirmed fraud"})", key).status,
      201);
  HttpResponse r = Call("POST", "/v1/graph/analyze",
                        R"({"greylist_threshold":0.05,"greylist_types":["user"]})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value a = json::parse(r.body);
  EXPECT_EQ(a.at("seeds"), 1);
  EXPECT_EQ(a.at("users_outside_their_streaming_group"), 0);
  std::set<std::string> greylisted;
  for (const auto& g : a.at("greylisted").as_array()) {
    EXPECT_EQ(g.at("type"), "user");
    greylisted.insert(std::string(g.at("id").as_string()));
  }
  EXPECT_EQ(greylisted, (std::set<std::string>{"u1", "u2", "u3", "u4", "u5"})) << r.body;
  r = Call("GET", "/v1/lists/greylist/user/u4", "", key);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("source"), "model");
  EXPECT_THAT(r.body, HasSubstr("propagated risk"));
  r = Call("GET", "/v1/graph/entities/user/u2", "", key);
  EXPECT_GT(json::parse(r.body).at("propagated_risk").to_number<double>(), 0.05);
  // The neighbourhood's nodes carry it too (the console colours them by it).
  r = Call("GET", "/v1/graph/entities/user/u2/neighborhood?hops=2", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  bool risky_neighbour = false;
  const json::value neighbourhood = json::parse(r.body);
  for (const auto& node : neighbourhood.at("nodes").as_array()) {
    ASSERT_TRUE(node.as_object().contains("propagated_risk")) << node;
    risky_neighbour |=
        node.at("id") == "u1" && node.at("propagated_risk").to_number<double>() > 0.05;
  }
  EXPECT_TRUE(risky_neighbour) << r.body;
  r = Call("GET", "/v1/graph/entities/user/a", "", key);
  EXPECT_EQ(json::parse(r.body).at("propagated_risk").to_number<double>(), 0.0);

  r = Call("GET", "/v1/graph/communities?limit=5", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value top = json::parse(r.body).at("communities").at(0);
  EXPECT_EQ(top.at("seeds"), 1);
  EXPECT_EQ(top.at("size"), 6);

  // A second run lists nobody twice; bad options name the field.
  r = Call("POST", "/v1/graph/analyze", R"({"greylist_threshold":0.05})", key);
  EXPECT_EQ(json::parse(r.body).at("greylisted").as_array().size(), 1u) << r.body;  // farm-1
  const auto field = [&](const std::string& body) {
    HttpResponse bad = Call("POST", "/v1/graph/analyze", body, key);
    EXPECT_EQ(bad.status, 400) << body;
    return std::string(json::parse(bad.body).at("error").at("field").as_string());
  };
  EXPECT_EQ(field(R"({"greylist_threshold":2})"), "greylist_threshold");
  EXPECT_EQ(field(R"({"greylist_types":["planet"]})"), "greylist_types");
  EXPECT_EQ(field(R"({"seeds":["u1"]})"), "seeds");
  EXPECT_EQ(field(R"({"colour":1})"), "colour");
  EXPECT_EQ(Call("GET", "/v1/graph/communities?limit=0", "", key).status, 400);
}

// The scheduled run (off the request path): every tenant analysed, greylisting audited as the
// scheduler, and the result served as if requested.
TEST_F(ApiTest, ScheduledGraphAnalysisGreylistsEveryTenantAndIsAudited) {
  const std::string key = NewTenant("acme");
  NewTenant("quiet");  // no events: analysed, nothing listed
  ASSERT_EQ(Call("POST", "/v1/events", Logins(), key).status, 200);
  ASSERT_EQ(
      Call("PUT", "/v1/lists/blacklist/user/u0", R"({"reason":"confirmed fraud"})", key).status,
      201);
  GraphAnalysisScheduler scheduler(
      {.lists = *runtime_->lists, .graph = *runtime_->graph, .clock = clock_}, *runtime_->directory,
      *runtime_->audit, {.interval = std::chrono::hours(24), .greylist_threshold = 0.05});
  EXPECT_EQ(Call("GET", "/v1/graph/communities", "", key).status, 404);
  scheduler.RunOnce();
  EXPECT_EQ(scheduler.runs(), 1u);
  EXPECT_EQ(Call("GET", "/v1/graph/communities", "", key).status, 200);
  HttpResponse r = Call("GET", "/v1/lists/greylist/user/u4", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("source"), "model");
  bool audited = false;
  ASSERT_TRUE(runtime_->audit
                  ->Scan(0, "acme",
                         [&](const tenancy::AuditEntry& e) {
                           audited |= e.actor == "scheduler" &&
                                      e.entity.find("greylisted=") != std::string::npos;
                           return true;
                         })
                  .ok());
  EXPECT_TRUE(audited);
  const auto greylisted_users = [&] {
    HttpResponse list = Call("GET", "/v1/lists/greylist/user?limit=100", "", key);
    EXPECT_EQ(list.status, 200) << list.body;
    return json::parse(list.body).at("entries").as_array().size();
  };
  const size_t after_first = greylisted_users();
  EXPECT_GE(after_first, 5u);  // u1..u5, the ring u0 led
  scheduler.RunOnce();         // nothing is listed twice
  EXPECT_EQ(greylisted_users(), after_first);
  EXPECT_EQ(scheduler.runs(), 2u);
}

TEST_F(ApiTest, BlacklistingCanExtendToTheRing) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("POST", "/v1/events", Logins(), key).status, 200);
  HttpResponse r = Call("PUT", "/v1/lists/blacklist/device/farm-1?extend_to_ring=true",
                        R"({"reason":"device farm"})", key);
  ASSERT_EQ(r.status, 201) << r.body;
  json::value entry = json::parse(r.body);
  EXPECT_EQ(entry.at("ring_id"), "ring-u0");
  EXPECT_EQ(entry.at("extended_to").as_array().size(), 6u);
  r = Call("GET", "/v1/lists/blacklist/user/u3", "", key);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("source"), "rule");
  EXPECT_THAT(r.body, HasSubstr("ring ring-u0 of device farm-1: device farm"));

  // A pair sharing a second-hand phone is a group, not a ring: nothing more is listed.
  r = Call("PUT", "/v1/lists/blacklist/user/a?extend_to_ring=true", R"({"reason":"x"})", key);
  ASSERT_EQ(r.status, 201) << r.body;
  entry = json::parse(r.body);
  EXPECT_TRUE(entry.at("ring_id").is_null());
  EXPECT_TRUE(entry.at("extended_to").as_array().empty());
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/user/b", "", key).status, 404);
  r = Call("PUT", "/v1/lists/blacklist/user/b?extend_to_ring=maybe", R"({"reason":"x"})", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "extend_to_ring");
}

}  // namespace
}  // namespace finbrain::server
