// Health, readiness, metrics and the API description.
#include "server/api_internal.h"
#include "server/errors.h"

namespace finbrain::server {

StatusOr<HttpResponse> Api::Healthz(Context&) { return JsonResponse(200, R"({"status":"ok"})"); }

StatusOr<HttpResponse> Api::Readyz(Context&) {
  if (!ready_.load()) return UnavailableError("shutting down");
  return JsonResponse(200, R"({"status":"ready"})");
}

StatusOr<HttpResponse> Api::Metrics(Context&) {
  if (deps_.refresh_metrics) deps_.refresh_metrics(deps_.metrics);
  HttpResponse response = JsonResponse(200, deps_.metrics.Render());
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return response;
}

StatusOr<HttpResponse> Api::OpenApi(Context&) {
  return JsonResponse(200, std::string(OpenApiDocument()));
}

}  // namespace finbrain::server
