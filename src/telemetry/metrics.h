// Metrics: the process's Prometheus registry (prometheus-cpp), shared by every library with
// something to count and rendered by the server at GET /metrics (text exposition format).
//
// Two ways in:
//  - instruments updated where things happen (decisions, events, syncs, HTTP requests):
//    Counter/Histogram/Gauge find or create the child of a family for its label values. The
//    lookup is one hash of the values under a shared lock; callers on a hot path keep the
//    returned reference (it lives as long as the Metrics).
//  - collectors, called at each scrape for values kept elsewhere (RocksDB properties, counts a
//    store keeps anyway, graph size), each typed for what it is: a count that only grows is a
//    counter, a level is a gauge.
//
// Labels come from bounded sets only (tenant, kind, outcome, stage, event type, route template),
// never from ids or personal data. docs/operations.md lists every metric.
//
// Example:
//   metrics.Counter("finbrain_decisions_total", "Decisions", {{"tenant", t}, {"kind", "credit"}})
//       .Increment();
//   metrics.AddCollector([&](Scrape& s) { s.Gauge("finbrain_graph_nodes", "Nodes", {{{}, n}}); });
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prometheus {
struct MetricFamily;
}

namespace finbrain::telemetry {

using Label = std::pair<std::string_view, std::string_view>;
using LabelList = std::initializer_list<Label>;

// Upper bounds in seconds for latencies from 5 µs to 10 s (roughly 1-2.5-5 per decade).
const std::vector<double>& LatencyBuckets();

// What a collector reports at one scrape.
class Scrape {
 public:
  struct Sample {
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
  };
  void Counter(std::string_view name, std::string_view help, std::vector<Sample> samples);
  void Gauge(std::string_view name, std::string_view help, std::vector<Sample> samples);

  std::vector<prometheus::MetricFamily>& families() { return families_; }

 private:
  void Add(std::string_view name, std::string_view help, bool counter, std::vector<Sample> samples);
  std::vector<prometheus::MetricFamily> families_;
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The child of family `name` with these labels; the family is created on first use with
  // `help` (and `buckets` for a histogram). A name is one kind of metric with the same label
  // names in every call.
  prometheus::Counter& Counter(std::string_view name, std::string_view help, LabelList labels = {});
  prometheus::Gauge& Gauge(std::string_view name, std::string_view help, LabelList labels = {});
  prometheus::Histogram& Histogram(std::string_view name, std::string_view help,
                                   LabelList labels = {},
                                   const std::vector<double>& buckets = LatencyBuckets());

  // `collect` runs at every Render; it must not call back into this Metrics.
  void AddCollector(std::function<void(Scrape&)> collect);

  // Every family, instruments and collected, in the text exposition format.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace finbrain::telemetry
