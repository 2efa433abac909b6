// Api: FinBrain's HTTP API, independent of the transport.
//
// It routes each request, authenticates it (tenant API keys on /v1, the operator token on
// /admin/v1), applies the tenant's rate limit, runs the handler and answers JSON. The routes
// come from one route group per domain (server/internal/route.h), wired over a Runtime. Every
// state-changing request by an authenticated caller leaves an audit entry: successful changes
// are written together with their entry in one durable batch (group-committed), rejected ones
// get an entry with the error code. Requests without valid credentials or over the rate limit
// are counted in metrics, not audited, so that they cannot be used to flood the audit log.
//
// Example:
//   Api api(*runtime, rate_limiter, {.admin_token = token});
//   auto server = HttpServer::Start(options, [&api](HttpRequest r, Responder done) {
//     api.Handle(std::move(r), std::move(done));
//   });
//
// Thread-safety: Handle may be called concurrently from any number of threads.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/router.h"
#include "tenancy/rate_limiter.h"

namespace finbrain::runtime {
struct Runtime;
}

namespace finbrain::server {

class BackgroundWorker;
class RouteGroup;
class StaticFiles;
struct Route;
struct RequestContext;

struct ApiOptions {
  std::string admin_token;  // empty: the admin API is off
  // The console, served for GET requests outside /v1, /admin and the probes; null: API only.
  const StaticFiles* console = nullptr;
  const Clock* clock = &SystemClock();
};

// The OpenAPI 3 description served at /v1/openapi.json.
std::string_view OpenApiDocument();

class Api {
 public:
  // REQUIRES: runtime and rate_limiter outlive the Api. Its metrics go to runtime.metrics.
  Api(runtime::Runtime& runtime, tenancy::RateLimiter& rate_limiter, ApiOptions options);
  ~Api();

  void Handle(HttpRequest request, Responder respond);

  // A caller inside the deployment (the CLI on a data directory): no credentials and no rate
  // limit; tenant routes act on `tenant` (which must exist), and changes are audited as
  // `actor`. The routes, validation, answers and audit entries are the API's own.
  struct TrustedCaller {
    std::string tenant;
    std::string actor = "cli";
  };
  void HandleTrusted(HttpRequest request, TrustedCaller caller, Responder respond);

  // Readiness (GET /readyz): false once shutdown has begun.
  void SetReady(bool ready) { ready_.store(ready); }

  // The routes served, for checking the OpenAPI document against them.
  const Router& router() const { return router_; }

 private:
  void Accept(HttpRequest request, std::optional<TrustedCaller> trusted, Responder respond);
  void AuthorizeAndDispatch(const Route& route, const HttpRequest& request,
                            std::vector<std::string> params,
                            const std::optional<TrustedCaller>& trusted, Responder respond);
  void Dispatch(const Route& route, RequestContext& context, Responder respond);

  runtime::Runtime& runtime_;
  tenancy::RateLimiter& rate_limiter_;
  HttpMetrics metrics_;
  ApiOptions options_;
  std::atomic<bool> ready_{true};
  std::vector<std::unique_ptr<RouteGroup>> groups_;
  std::vector<Route> routes_;
  Router router_;
  // Last, so that it finishes its queued requests while everything above still exists.
  std::unique_ptr<BackgroundWorker> slow_work_;
};

}  // namespace finbrain::server
