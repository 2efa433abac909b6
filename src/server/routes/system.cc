// Health, readiness, Prometheus metrics and the API description: the routes without credentials.
#include <spdlog/spdlog.h>

#include "models/registry.h"
#include "runtime/runtime.h"
#include "server/api.h"
#include "server/internal/errors.h"
#include "server/internal/route.h"
#include "server/metrics.h"

namespace finbrain::server {
namespace {

// Per-model gauges (PSI, scores served) for every model loaded for serving.
void ExportModelMetrics(models::ModelRegistry& registry, HttpMetrics& metrics) {
  for (const auto& [key, serving] : registry.Loaded()) {
    const std::string tenant = key.substr(0, key.find('/'));
    StatusOr<models::MonitoringWindow> window =
        registry.Monitoring(tenant, serving->name, models::ModelRegistry::kDefaultMonitoringDays);
    if (!window.ok()) {
      spdlog::warn("monitoring of model {} of tenant {}: {}", serving->name, tenant,
                   window.status().ToString());
      continue;
    }
    const std::map<std::string, std::string> labels = {
        {"tenant", tenant},
        {"model", serving->name},
        {"version", std::to_string(window->serving->version)}};
    metrics.SetGauge("finbrain_model_psi",
                     "PSI of live scores against the training baseline, last 7 days", labels,
                     window->total.psi);
    metrics.SetGauge("finbrain_model_scored",
                     "Scores served by the active model version, last 7 days", labels,
                     static_cast<double>(window->total.scored));
  }
}

class SystemRoutes final : public RouteGroup {
 public:
  SystemRoutes(runtime::Runtime& runtime, HttpMetrics& metrics, const std::atomic<bool>& ready)
      : runtime_(runtime), metrics_(metrics), ready_(ready) {}

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
    metrics_.SetGauge("finbrain_storage_wal_syncs_total", "Synced WAL writes",
                      static_cast<double>(runtime_.store->SyncCount()));
    metrics_.SetGauge("finbrain_storage_commit_groups_total", "Group commits",
                      static_cast<double>(runtime_.commits->GroupsCommitted()));
    metrics_.SetGauge("finbrain_storage_commit_bytes_total",
                      "Bytes of committed batches (divided by the syncs: bytes per sync)",
                      static_cast<double>(runtime_.commits->BytesWritten()));
    metrics_.SetGauge("finbrain_storage_sync_failures_total",
                      "Background WAL syncs that failed (process durability; retried)",
                      static_cast<double>(runtime_.commits->SyncFailures()));
    metrics_.SetGauge("finbrain_storage_durability",
                      "When events and decisions count as stored: 1 for the configured level",
                      {{"level", std::string(storage::DurabilityName(runtime_.durability))}}, 1);
    ExportModelMetrics(*runtime_.models, metrics_);
    HttpResponse response = JsonResponse(200, metrics_.Render());
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  }

  runtime::Runtime& runtime_;
  HttpMetrics& metrics_;
  const std::atomic<bool>& ready_;
};

}  // namespace

std::unique_ptr<RouteGroup> MakeSystemRoutes(const RouteEnv& env) {
  return std::make_unique<SystemRoutes>(env.runtime, env.metrics, env.ready);
}

}  // namespace finbrain::server
