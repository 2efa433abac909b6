// The Api driven in-process, without sockets (the HTTP path is covered in tests/).
#include "server/api.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <boost/json.hpp>
#include <future>
#include <set>

#include "common/temp_dir.h"
#include "runtime/runtime.h"
#include "server/internal/api_test_fixture.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

TEST_F(ApiTest, OpenApiDocumentDescribesExactlyTheRoutes) {
  json::value doc = json::parse(OpenApiDocument());
  std::set<std::string> documented;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + std::string(path));
    }
  }
  std::set<std::string> served;
  for (const auto& route : api_.router().routes())
    served.insert(route.method + " " + route.pattern);
  EXPECT_EQ(documented, served);
  EXPECT_EQ(Call("GET", "/v1/openapi.json").status, 200);
}

TEST_F(ApiTest, ErrorsAreJsonWithCodeMessageAndField) {
  const std::string key = NewTenant("acme");
  HttpResponse r = Call("PUT", "/v1/lists/blacklist/ip/1.2.3.4", R"({"reason": 5})", key);
  EXPECT_EQ(r.status, 400);
  json::value body = json::parse(r.body);
  EXPECT_EQ(body.at("error").at("code"), "invalid_argument");
  EXPECT_EQ(body.at("error").at("field"), "reason");
  EXPECT_EQ(Call("PUT", "/v1/lists/blacklist/ip/1.2.3.4", "{not json", key).status, 400);
  EXPECT_EQ(json::parse(Call("PUT", "/v1/lists/redlist/ip/1", R"({"reason":"x"})", key).body)
                .at("error")
                .at("field"),
            "list");
  EXPECT_EQ(json::parse(Call("PUT", "/v1/lists/blacklist/planet/1", R"({"reason":"x"})", key).body)
                .at("error")
                .at("field"),
            "entity_type");
  EXPECT_EQ(
      json::parse(Call("PUT", "/v1/lists/blacklist/ip/1", R"({"reason":"x","colour":1})", key).body)
          .at("error")
          .at("field"),
      "colour");
  EXPECT_EQ(Call("GET", "/nowhere").status, 404);
  HttpResponse wrong_method = Call("POST", "/v1/lists/blacklist/ip/1", "", key);
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(json::parse(wrong_method.body).at("error").at("code"), "method_not_allowed");
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip?limit=abc", "", key).status, 400);
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip?colour=red", "", key).status, 400);
}

// Seconds-long routes run on the background worker, everything else on the calling (I/O)
// thread: an unauthenticated request is answered by whichever thread dispatched it.
TEST_F(ApiTest, SlowRoutesRunOffTheIoThread) {
  const auto answering_thread = [&](std::string method, std::string path) {
    HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    std::promise<std::string> name;
    api_.Handle(std::move(request), [&](HttpResponse r) {
      EXPECT_EQ(r.status, 401);
      char buffer[16] = {};
      pthread_getname_np(pthread_self(), buffer, sizeof buffer);
      name.set_value(buffer);
    });
    return name.get_future().get();
  };
  char caller[16] = {};
  pthread_getname_np(pthread_self(), caller, sizeof caller);
  EXPECT_EQ(answering_thread("POST", "/v1/graph/analyze"), "fb-slow-api");
  EXPECT_EQ(answering_thread("POST", "/v1/accounts/review"), "fb-slow-api");
  EXPECT_EQ(answering_thread("GET", "/v1/graph/rings"), caller);
  EXPECT_EQ(answering_thread("POST", "/v1/decisions/credit"), caller);
}

TEST_F(ApiTest, AuthenticationAndAdminToken) {
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip").status, 401);
  EXPECT_EQ(Call("GET", "/v1/lists/blacklist/ip", "", "Bearer fbk_0000000000000000_x").status, 401);
  EXPECT_EQ(Call("POST", "/admin/v1/tenants", R"({"name":"x"})", "Bearer wrong").status, 401);
  EXPECT_EQ(Call("GET", "/admin/v1/tenants", "", "Bearer admin-token-0123456789").status, 200);
}

TEST_F(ApiTest, RejectedChangesAreAuditedToo) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(
      Call("PUT", "/v1/lists/blacklist/phone/13800138000", R"({"reason":"fraud"})", key).status,
      201);
  ASSERT_EQ(Call("PUT", "/v1/lists/blacklist/phone/13800138000", R"({})", key).status, 400);
  std::vector<tenancy::AuditEntry> entries;
  ASSERT_TRUE(runtime_->audit
                  ->Scan(0, "acme",
                         [&](const tenancy::AuditEntry& e) {
                           entries.push_back(e);
                           return true;
                         })
                  .ok());
  ASSERT_EQ(entries.size(), 3u);  // tenant creation, the put, the rejected put
  EXPECT_EQ(entries[1].result, "ok");
  EXPECT_EQ(entries[2].result, "invalid_argument");
  EXPECT_TRUE(entries[1].entity.starts_with("blacklist/phone/tok_phone_")) << entries[1].entity;
  for (const auto& e : entries) EXPECT_EQ(e.entity.find("13800138000"), std::string::npos);
}

TEST_F(ApiTest, EventBatchesLoadGoodRowsAndNameBadOnes) {
  const std::string key = NewTenant("acme");
  const std::string good =
      R"({"event_type":"logistics_update","event_id":"e1",)"
      R"("occurred_at":"2026-01-01T00:00:00Z","order_id":"o1","status":"delivered"})";
  const std::string bad =
      R"({"event_type":"logistics_update","event_id":"e2",)"
      R"("occurred_at":"2026-01-01T00:00:00Z","order_id":"o1","status":"beamed"})";
  HttpResponse r = Call("POST", "/v1/events", "[" + good + "," + bad + ", 7]", key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value summary = json::parse(r.body);
  EXPECT_EQ(summary.at("accepted"), 1);
  EXPECT_EQ(summary.at("rejected_count"), 2);
  EXPECT_EQ(summary.at("rejected").at(0).at("index"), 1);
  EXPECT_EQ(summary.at("rejected").at(0).at("field"), "status");
  // Retrying the batch stores nothing twice.
  r = Call("POST", "/v1/events", R"({"events":[)" + good + "]}", key);
  EXPECT_EQ(json::parse(r.body).at("duplicates"), 1);
  // The same id with other content is a rejected conflict, not a duplicate.
  std::string changed = good;
  changed.replace(changed.find("delivered"), 9, "returned");
  r = Call("POST", "/v1/events", "[" + bad + "," + changed + "]", key);
  ASSERT_EQ(r.status, 200) << r.body;
  summary = json::parse(r.body);
  EXPECT_EQ(summary.at("duplicates"), 0);
  EXPECT_EQ(summary.at("conflicts"), 1);
  EXPECT_EQ(summary.at("rejected").at(1).at("index"), 1);
  EXPECT_EQ(summary.at("rejected").at(1).at("field"), "status");
  EXPECT_EQ(summary.at("rejected").at(1).at("conflict"), true);
  r = Call("POST", "/v1/events", changed, key);  // alone: 409
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "idempotency_conflict");
  // A single bad event is a plain 400 naming the field.
  r = Call("POST", "/v1/events", bad, key);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "status");
  EXPECT_EQ(Call("GET", "/v1/events/e1", "", key).status, 200);
  EXPECT_EQ(Call("GET", "/v1/events/e2", "", key).status, 404);
  EXPECT_EQ(json::parse(Call("GET", "/v1/stats/events", "", key).body)
                .at("counts")
                .at("logistics_update"),
            1);
  // Another tenant sees none of it.
  const std::string other = NewTenant("other");
  EXPECT_EQ(Call("GET", "/v1/events/e1", "", other).status, 404);
  EXPECT_EQ(json::parse(Call("GET", "/v1/stats/events", "", other).body).at("total"), 0);
}

TEST_F(ApiTest, FeatureWindowsAreDeclaredFedByEventsAndServed) {
  const std::string key = NewTenant("acme");
  EXPECT_EQ(Call("GET", "/v1/features", "", key).status, 404);
  HttpResponse r = Call("PUT", "/v1/features", "features:\n  - name: x\n    entity: user\n", key);
  ASSERT_EQ(r.status, 400);
  EXPECT_NE(json::parse(r.body).at("error").at("message").as_string().find("missing 'event'"),
            json::string::npos);
  const std::string yaml =
      "features:\n"
      "  - {name: apps_per_phone_1d, entity: phone, event: credit_application, aggregate: count, "
      "window: 1d}\n"
      "  - {name: amount_per_user_1d, entity: user, event: credit_application, aggregate: sum, "
      "field: requested_amount, window: 1d}\n"
      "  - {name: contact_apps_1d, entity: phone, read_for: 'contacts[].phone', combine: sum, "
      "event: credit_application, aggregate: count, window: 1d}\n";
  r = Call("PUT", "/v1/features", yaml, key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("features").at(1).at("window"), "1d");
  EXPECT_EQ(json::parse(r.body).at("features").at(2).at("read_for"), "contacts[].phone");
  EXPECT_EQ(json::parse(r.body).at("features").at(2).at("combine"), "sum");
  std::string events = "[";
  for (int i = 0; i < 3; ++i) {
    if (i > 0) events += ",";
    events += R"({"event_type":"credit_application","event_id":"a)" + std::to_string(i) +
              R"(","occurred_at":"2027-01-15T0)" + std::to_string(i) +
              R"(:00:00Z","application_id":"app)" + std::to_string(i) + R"(","user_id":"u)" +
              std::to_string(i % 2) +
              R"(","product":"cash_loan","requested_amount":1000,"term_months":12,)"
              R"("phone":"+86 138-0013-8000"})";
  }
  ASSERT_EQ(Call("POST", "/v1/events", events + "]", key).status, 200);
  // Raw phone numbers are tokenized before the lookup, like the events were.
  r = Call("GET", "/v1/features/values?phone=13800138000&user=u0&at=2027-01-15T12:00:00Z", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value values = json::parse(r.body).at("values");
  EXPECT_EQ(values.at("apps_per_phone_1d").to_number<double>(), 3);
  EXPECT_EQ(values.at("amount_per_user_1d").to_number<double>(), 2000);
  r = Call("GET", "/v1/features/values?user=u1&at=2027-01-15T12:00:00Z", "", key);
  EXPECT_TRUE(json::parse(r.body).at("values").at("apps_per_phone_1d").is_null());
  EXPECT_TRUE(values.at("contact_apps_1d").is_null());  // no contacts named
  // read_for features take the listed ids, comma-separated, tokenized like the entity's own.
  r = Call("GET",
           "/v1/features/values?user=u0&contacts%5B%5D.phone=13800138000,13900139000"
           "&at=2027-01-15T12:00:00Z",
           "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("values").at("contact_apps_1d").to_number<double>(), 3);
  r = Call("GET", "/v1/features/values?contacts%5B%5D.phone=12,13800138000", "", key);
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "contacts[].phone");
  EXPECT_EQ(Call("GET", "/v1/features/values?planet=1", "", key).status, 400);
  EXPECT_EQ(Call("GET", "/v1/features/values?user=u1&at=yesterday", "", key).status, 400);
  EXPECT_EQ(Call("GET", "/v1/features/values", "", key).status, 400);
  // Another tenant has no features.
  EXPECT_EQ(Call("GET", "/v1/features", "", NewTenant("other")).status, 404);
}

}  // namespace
}  // namespace finbrain::server
