// HttpMetrics: the HTTP API's Prometheus metrics, kept in the runtime's registry
// (telemetry/metrics.h) beside what the other modules record:
//
//   finbrain_http_requests_total{route,method,status}     counter
//   finbrain_http_request_duration_seconds{route,method}  histogram
//   finbrain_http_rate_limited_total{tenant}              counter
//   process_resident_memory_bytes, process_virtual_memory_bytes, process_start_time_seconds
//
// `route` is the route template ("/v1/lists/{list}/{entity_type}/{value}"), never the raw path,
// so label cardinality stays bounded and no PII reaches the metrics.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <string_view>

#include "telemetry/metrics.h"

namespace finbrain::server {

class HttpMetrics {
 public:
  // REQUIRES: `metrics` outlives this object. Registers the process metrics in it once.
  explicit HttpMetrics(telemetry::Metrics& metrics);

  void Observe(std::string_view route, std::string_view method, int status, double seconds);
  void CountRateLimited(std::string_view tenant);

 private:
  telemetry::Metrics& metrics_;
};

}  // namespace finbrain::server
