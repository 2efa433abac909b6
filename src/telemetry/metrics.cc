#include "telemetry/metrics.h"

#include <prometheus/family.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace finbrain::telemetry {
namespace {

// Family and label values in one string: the cache key of a child.
std::string ChildKey(std::string_view name, LabelList labels) {
  std::string key(name);
  for (const auto& [label, value] : labels) {
    key += '\x1f';
    key += label;
    key += '=';
    key += value;
  }
  return key;
}

prometheus::Labels ToLabels(LabelList labels) {
  prometheus::Labels out;
  for (const auto& [label, value] : labels) out.emplace(label, value);
  return out;
}

}  // namespace

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> buckets = {
      0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005,
      0.01,     0.025,   0.05,     0.1,     0.25,   0.5,     1,      2.5,   10};
  return buckets;
}

void Scrape::Counter(std::string_view name, std::string_view help, std::vector<Sample> samples) {
  Add(name, help, /*counter=*/true, std::move(samples));
}

void Scrape::Gauge(std::string_view name, std::string_view help, std::vector<Sample> samples) {
  Add(name, help, /*counter=*/false, std::move(samples));
}

void Scrape::Add(std::string_view name, std::string_view help, bool counter,
                 std::vector<Sample> samples) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
  for (Sample& sample : samples) {
    prometheus::ClientMetric metric;
    for (auto& [label, value] : sample.labels) {
      metric.label.push_back({std::move(label), std::move(value)});
    }
    if (counter) {
      metric.counter.value = sample.value;
    } else {
      metric.gauge.value = sample.value;
    }
    family.metric.push_back(std::move(metric));
  }
  families_.push_back(std::move(family));
}

struct Metrics::Impl {
  prometheus::Registry registry;
  std::shared_mutex mu;
  std::unordered_map<std::string, void*> children;  // ChildKey -> prometheus::Counter* etc.
  std::unordered_map<std::string, void*> families;  // name -> prometheus::Family<T>*
  std::vector<std::function<void(Scrape&)>> collectors;

  template <typename T, typename Build, typename... Args>
  T& Child(std::string_view name, LabelList labels, Build build, Args&&... args) {
    std::string key = ChildKey(name, labels);
    {
      std::shared_lock lock(mu);
      if (auto it = children.find(key); it != children.end()) return *static_cast<T*>(it->second);
    }
    std::unique_lock lock(mu);
    void*& child = children[std::move(key)];
    if (child == nullptr) {
      void*& family = families[std::string(name)];
      if (family == nullptr) family = &build().Name(std::string(name)).Register(registry);
      child = &static_cast<prometheus::Family<T>*>(family)->Add(ToLabels(labels),
                                                                std::forward<Args>(args)...);
    }
    return *static_cast<T*>(child);
  }
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

prometheus::Counter& Metrics::Counter(std::string_view name, std::string_view help,
                                      LabelList labels) {
  return impl_->Child<prometheus::Counter>(
      name, labels, [&] { return prometheus::BuildCounter().Help(std::string(help)); });
}

prometheus::Gauge& Metrics::Gauge(std::string_view name, std::string_view help, LabelList labels) {
  return impl_->Child<prometheus::Gauge>(
      name, labels, [&] { return prometheus::BuildGauge().Help(std::string(help)); });
}

prometheus::Histogram& Metrics::Histogram(std::string_view name, std::string_view help,
                                          LabelList labels, const std::vector<double>& buckets) {
  return impl_->Child<prometheus::Histogram>(
      name, labels, [&] { return prometheus::BuildHistogram().Help(std::string(help)); },
      prometheus::Histogram::BucketBoundaries(buckets));
}

void Metrics::AddCollector(std::function<void(Scrape&)> collect) {
  std::unique_lock lock(impl_->mu);
  impl_->collectors.push_back(std::move(collect));
}

std::string Metrics::Render() const {
  std::vector<std::function<void(Scrape&)>> collectors;
  {
    std::shared_lock lock(impl_->mu);
    collectors = impl_->collectors;
  }
  Scrape scrape;
  for (const auto& collect : collectors) collect(scrape);
  std::vector<prometheus::MetricFamily> families = impl_->registry.Collect();
  for (prometheus::MetricFamily& family : scrape.families()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace finbrain::telemetry
