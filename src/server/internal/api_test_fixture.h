// The Api test fixture: a runtime in a temporary directory and in-process calls.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>

#include "common/temp_dir.h"
#include "runtime/runtime.h"
#include "server/api.h"

namespace finbrain::server {

namespace json = boost::json;

class ApiTest : public ::testing::Test {
 protected:
  ApiTest()
      : runtime_(
            std::move(runtime::Runtime::Open({.data_dir = dir_.path(), .clock = &clock_})).value()),
        limiter_({.requests_per_second = 0}),
        api_(*runtime_, limiter_, {.admin_token = "admin-token-0123456789", .clock = &clock_}) {}

  HttpResponse Call(std::string method, std::string target, std::string body = "",
                    std::string auth = "") {
    HttpRequest request;
    request.method = std::move(method);
    const size_t q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = target.substr(q + 1);
    request.body = std::move(body);
    request.authorization = std::move(auth);
    std::promise<HttpResponse> promise;
    api_.Handle(std::move(request), [&](HttpResponse r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }

  std::string NewTenant(const std::string& name) {
    HttpResponse r = Call("POST", "/admin/v1/tenants", R"({"name":")" + name + R"("})",
                          "Bearer admin-token-0123456789");
    EXPECT_EQ(r.status, 201) << r.body;
    return "Bearer " + std::string(json::parse(r.body).at("api_key").as_string());
  }

  TempDir dir_;
  ManualClock clock_{1'800'000'000'000'000};
  std::unique_ptr<runtime::Runtime> runtime_;
  tenancy::RateLimiter limiter_;
  Api api_;
};

// A credit_application event of `user` on `device` (a minimal valid one).
inline std::string CreditApplication(const std::string& user, const std::string& device,
                                     const std::string& occurred_at = "2026-03-02T10:00:00Z") {
  return R"({"event_id":"evt-)" + user + R"(","event_type":"credit_application","occurred_at":")" +
         occurred_at + R"(","application_id":"app-)" + user + R"(","user_id":")" + user +
         R"(","product":"cash_loan","requested_amount":5000,"term_months":12,)"
         R"("declared_income":8000,"device_id":")" +
         device + R"("})";
}

}  // namespace finbrain::server
