// Health, readiness, Prometheus metrics and the API description: the routes without credentials.
#include "runtime/runtime.h"
#include "server/api.h"
#include "server/internal/errors.h"
#include "server/internal/route.h"

namespace finbrain::server {
namespace {

class SystemRoutes final : public RouteGroup {
 public:
  SystemRoutes(runtime::Runtime& runtime, const std::atomic<bool>& ready)
      : runtime_(runtime), ready_(ready) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "GET",
         .pattern = "/healthz",
         .access = Access::kPublic,
         .handler = [](RequestContext&) -> StatusOr<HttpResponse> {
           return JsonResponse(200, R"({"status":"ok"})");
         }},
        {.method = "GET",
         .pattern = "/readyz",
         .access = Access::kPublic,
         .handler = Bind(this, &SystemRoutes::Readyz)},
        {.method = "GET",
         .pattern = "/metrics",
         .access = Access::kPublic,
         .handler = Bind(this, &SystemRoutes::Metrics)},
        {.method = "GET",
         .pattern = "/v1/openapi.json",
         .access = Access::kPublic,
         .handler = [](RequestContext&) -> StatusOr<HttpResponse> {
           return JsonResponse(200, std::string(OpenApiDocument()));
         }},
    };
  }

 private:
  StatusOr<HttpResponse> Readyz(RequestContext&) {
    if (!ready_.load()) return UnavailableError("shutting down");
    return JsonResponse(200, R"({"status":"ready"})");
  }

  StatusOr<HttpResponse> Metrics(RequestContext&) {
    HttpResponse response = JsonResponse(200, runtime_.metrics->Render());
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  }

  runtime::Runtime& runtime_;
  const std::atomic<bool>& ready_;
};

}  // namespace

std::unique_ptr<RouteGroup> MakeSystemRoutes(const RouteEnv& env) {
  return std::make_unique<SystemRoutes>(env.runtime, env.ready);
}

}  // namespace finbrain::server
