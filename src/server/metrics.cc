#include "server/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <tuple>

namespace finbrain::server {

struct HttpMetrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("finbrain_http_requests_total")
          .Help("HTTP requests by route template, method and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("finbrain_http_request_duration_seconds")
          .Help("HTTP request latency by route template and method, from request read to response")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& memory = prometheus::BuildGauge()
                                                      .Name("process_resident_memory_bytes")
                                                      .Help("Resident memory")
                                                      .Register(*registry);
  prometheus::Family<prometheus::Gauge>& virtual_memory = prometheus::BuildGauge()
                                                              .Name("process_virtual_memory_bytes")
                                                              .Help("Virtual memory")
                                                              .Register(*registry);
  prometheus::Family<prometheus::Gauge>& start_time =
      prometheus::BuildGauge()
          .Name("process_start_time_seconds")
          .Help("Start time of the process since the Unix epoch")
          .Register(*registry);

  // prometheus-cpp's Family::Add hashes the label map under a lock; cache the metric pointers.
  std::shared_mutex mu;
  std::map<std::tuple<std::string, std::string, int>, prometheus::Counter*, std::less<>> counters;
  std::map<std::pair<std::string, std::string>, prometheus::Histogram*, std::less<>> histograms;
  std::map<std::string, prometheus::Gauge*, std::less<>> gauges;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*, std::less<>> labelled_gauges;
};

HttpMetrics::HttpMetrics() : impl_(std::make_unique<Impl>()) {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  impl_->start_time.Add({}).Set(now);
}

HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::Observe(std::string_view route, std::string_view method, int status,
                          double seconds) {
  auto counter_key = std::make_tuple(std::string(route), std::string(method), status);
  auto histogram_key = std::make_pair(std::string(route), std::string(method));
  prometheus::Counter* counter = nullptr;
  prometheus::Histogram* histogram = nullptr;
  {
    std::shared_lock lock(impl_->mu);
    if (auto it = impl_->counters.find(counter_key); it != impl_->counters.end())
      counter = it->second;
    if (auto it = impl_->histograms.find(histogram_key); it != impl_->histograms.end()) {
      histogram = it->second;
    }
  }
  if (counter == nullptr || histogram == nullptr) {
    std::unique_lock lock(impl_->mu);
    auto& c = impl_->counters[counter_key];
    if (c == nullptr) {
      c = &impl_->requests.Add({{"route", std::string(route)},
                                {"method", std::string(method)},
                                {"status", std::to_string(status)}});
    }
    auto& h = impl_->histograms[histogram_key];
    if (h == nullptr) {
      h = &impl_->latency.Add(
          {{"route", std::string(route)}, {"method", std::string(method)}},
          prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
    }
    counter = c;
    histogram = h;
  }
  counter->Increment();
  histogram->Observe(seconds);
}

void HttpMetrics::SetGauge(std::string_view name, std::string_view help, double value) {
  std::unique_lock lock(impl_->mu);
  auto& gauge = impl_->gauges[std::string(name)];
  if (gauge == nullptr) {
    gauge = &prometheus::BuildGauge()
                 .Name(std::string(name))
                 .Help(std::string(help))
                 .Register(*impl_->registry)
                 .Add({});
  }
  gauge->Set(value);
}

void HttpMetrics::SetGauge(std::string_view name, std::string_view help,
                           const std::map<std::string, std::string>& labels, double value) {
  std::unique_lock lock(impl_->mu);
  auto& family = impl_->labelled_gauges[std::string(name)];
  if (family == nullptr) {
    family = &prometheus::BuildGauge()
                  .Name(std::string(name))
                  .Help(std::string(help))
                  .Register(*impl_->registry);
  }
  family->Add(labels).Set(value);
}

std::string HttpMetrics::Render() const {
  // /proc/self/statm: sizes in pages (total, resident, ...).
  std::ifstream statm("/proc/self/statm");
  double pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  impl_->memory.Add({}).Set(pages_resident * page);
  impl_->virtual_memory.Add({}).Set(pages_total * page);
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace finbrain::server
