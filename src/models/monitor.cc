#include "models/monitor.h"

#include <algorithm>
#include <cmath>

#include "models/metrics.h"

namespace finbrain::models {

void MonitorCounts::Add(const MonitorCounts& other) {
  scored += other.scored;
  if (score.size() < other.score.size()) score.resize(other.score.size());
  for (size_t i = 0; i < other.score.size(); ++i) score[i] += other.score[i];
  if (bins.size() < other.bins.size()) bins.resize(other.bins.size());
  for (size_t f = 0; f < other.bins.size(); ++f) {
    if (bins[f].size() < other.bins[f].size()) bins[f].resize(other.bins[f].size());
    for (size_t b = 0; b < other.bins[f].size(); ++b) bins[f][b] += other.bins[f][b];
  }
}

MonitorReport CompareWithBaseline(const Model& model, const MonitorCounts& counts) {
  MonitorReport report;
  report.scored = counts.scored;
  if (counts.scored == 0) return report;
  const auto shares = [](const std::vector<std::uint64_t>& c) {
    double total = 0;
    for (std::uint64_t n : c) total += double(n);
    std::vector<double> out;
    for (std::uint64_t n : c) out.push_back(total > 0 ? double(n) / total : 0);
    return out;
  };
  report.score_shares = shares(counts.score);
  report.psi = PsiFromShares(model.info().score_shares, report.score_shares);
  for (size_t i = 0; i < model.features().size(); ++i) {
    const ModelFeature& f = model.features()[i];
    std::vector<double> expected;
    double total = 0;
    for (const Bin& b : f.binning.bins) total += double(b.count);
    for (const Bin& b : f.binning.bins) expected.push_back(total > 0 ? double(b.count) / total : 0);
    std::vector<std::uint64_t> live =
        i < counts.bins.size() ? counts.bins[i] : std::vector<std::uint64_t>{};
    live.resize(expected.size());
    report.csi.emplace_back(f.name, PsiFromShares(expected, shares(live)));
  }
  return report;
}

ModelMonitor::ModelMonitor(const Model& model)
    : model_(model), score_counts_(model.info().score_edges.size() + 2) {
  bin_counts_.reserve(model.features().size());
  for (const ModelFeature& f : model.features()) {
    bin_counts_.emplace_back(f.binning.bins.size());
  }
}

void ModelMonitor::Record(double pd, const std::vector<size_t>& feature_bins) {
  const auto& edges = model_.info().score_edges;
  const size_t bin = std::isnan(pd)
                         ? edges.size() + 1
                         : size_t(std::upper_bound(edges.begin(), edges.end(), pd) - edges.begin());
  score_counts_[bin].fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < feature_bins.size() && i < bin_counts_.size(); ++i) {
    if (feature_bins[i] < bin_counts_[i].size()) {
      bin_counts_[i][feature_bins[i]].fetch_add(1, std::memory_order_relaxed);
    }
  }
  scored_.fetch_add(1, std::memory_order_relaxed);
}

MonitorCounts ModelMonitor::Collect(bool take) const {
  const auto read = [take](std::atomic<std::uint64_t>& c) {
    return take ? c.exchange(0, std::memory_order_relaxed) : c.load(std::memory_order_relaxed);
  };
  MonitorCounts out;
  out.scored = read(scored_);
  for (auto& c : score_counts_) out.score.push_back(read(c));
  out.bins.resize(bin_counts_.size());
  for (size_t f = 0; f < bin_counts_.size(); ++f) {
    for (auto& c : bin_counts_[f]) out.bins[f].push_back(read(c));
  }
  return out;
}

MonitorCounts ModelMonitor::Pending() const { return Collect(false); }

MonitorCounts ModelMonitor::TakePending() { return Collect(true); }

void ModelMonitor::Restore(const MonitorCounts& counts) {
  scored_.fetch_add(counts.scored, std::memory_order_relaxed);
  for (size_t i = 0; i < counts.score.size() && i < score_counts_.size(); ++i) {
    score_counts_[i].fetch_add(counts.score[i], std::memory_order_relaxed);
  }
  for (size_t f = 0; f < counts.bins.size() && f < bin_counts_.size(); ++f) {
    for (size_t b = 0; b < counts.bins[f].size() && b < bin_counts_[f].size(); ++b) {
      bin_counts_[f][b].fetch_add(counts.bins[f][b], std::memory_order_relaxed);
    }
  }
}

}  // namespace finbrain::models
