// HttpMetrics: Prometheus metrics for the HTTP API (prometheus-cpp), rendered in the text
// exposition format at GET /metrics.
//
//   finbrain_http_requests_total{route,method,status}     counter
//   finbrain_http_request_duration_seconds{route,method}  histogram
//   finbrain_model_psi{tenant,model,version}, finbrain_model_scored{...}  gauges (served models)
//   process_resident_memory_bytes, process_virtual_memory_bytes, process_start_time_seconds
//
// `route` is the route template ("/v1/lists/{list}/{entity_type}/{value}"), never the raw path,
// so label cardinality stays bounded and no PII reaches the metrics.
//
// Thread-safety: Observe and Render may be called concurrently.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace finbrain::server {

class HttpMetrics {
 public:
  HttpMetrics();
  ~HttpMetrics();

  void Observe(std::string_view route, std::string_view method, int status, double seconds);

  // A gauge other modules may set (e.g. "finbrain_commit_groups_total"); created on first use.
  void SetGauge(std::string_view name, std::string_view help, double value);
  // The same with labels (bounded sets only: tenant, model name).
  void SetGauge(std::string_view name, std::string_view help,
                const std::map<std::string, std::string>& labels, double value);

  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace finbrain::server
