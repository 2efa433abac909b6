#include "server/metrics.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

namespace finbrain::server {
namespace {

void CollectProcessMetrics(telemetry::Scrape& scrape, double start_time) {
  // /proc/self/statm: sizes in pages (total, resident, ...).
  std::ifstream statm("/proc/self/statm");
  double pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  scrape.Gauge("process_resident_memory_bytes", "Resident memory", {{{}, pages_resident * page}});
  scrape.Gauge("process_virtual_memory_bytes", "Virtual memory", {{{}, pages_total * page}});
  scrape.Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch",
               {{{}, start_time}});
}

}  // namespace

HttpMetrics::HttpMetrics(telemetry::Metrics& metrics) : metrics_(metrics) {
  const double start_time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  metrics_.AddCollector(
      [start_time](telemetry::Scrape& scrape) { CollectProcessMetrics(scrape, start_time); });
}

void HttpMetrics::Observe(std::string_view route, std::string_view method, int status,
                          double seconds) {
  const std::string status_text = std::to_string(status);
  metrics_
      .Counter("finbrain_http_requests_total", "HTTP requests by route template, method and status",
               {{"route", route}, {"method", method}, {"status", status_text}})
      .Increment();
  metrics_
      .Histogram("finbrain_http_request_duration_seconds",
                 "HTTP request latency by route template and method, from request read to "
                 "response",
                 {{"route", route}, {"method", method}})
      .Observe(seconds);
}

void HttpMetrics::CountRateLimited(std::string_view tenant) {
  metrics_
      .Counter("finbrain_http_rate_limited_total",
               "Requests answered 429 because the tenant's key exceeded its rate limit",
               {{"tenant", tenant}})
      .Increment();
}

}  // namespace finbrain::server
