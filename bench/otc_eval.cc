// Risk propagation (graph/graph_analytics.h) on a real fraud graph: the Bitcoin-OTC trust
// network with REV2's 316 labelled users (../shared/data/bitcoin_otc_fraud). 10-fold
// cross-validation: the fraudsters and benign users of nine folds are the seeds; the tenth is
// scored. Prints AUC and average precision of
//   - random scoring (AUC 0.5, AP = prevalence),
//   - the mean rating a user received (lower = more suspicious), the floor to beat,
//   - propagation: personalised PageRank from known fraudsters over distrust (negative) ratings
//     minus PageRank from known benign users over trust (positive) ratings,
//   - the two combined (mean of their ranks).
// Usage: otc_eval [DATA_DIR]   (default ../shared/data/bitcoin_otc_fraud)
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "graph/graph_analytics.h"
#include "models/metrics.h"

namespace {

using finbrain::graph::AnalysisOptions;
using finbrain::graph::Analyze;
using finbrain::graph::GraphSnapshot;

struct Rating {
  int from, to, value;
};

double AveragePrecision(const std::vector<double>& score, const std::vector<std::uint8_t>& y) {
  std::vector<size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  double hits = 0, sum = 0;
  const double positives = double(std::count(y.begin(), y.end(), 1));
  for (size_t i = 0; i < order.size(); ++i) {
    if (y[order[i]]) sum += ++hits / double(i + 1);
  }
  return positives > 0 ? sum / positives : 0;
}

std::vector<double> Ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size(); ++i) r[order[i]] = double(i) / double(order.size());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "../shared/data/bitcoin_otc_fraud";
  std::ifstream net(dir + "/soc-sign-bitcoinotc.csv"), gt(dir + "/otc_gt.csv");
  if (!net || !gt) {
    std::fprintf(stderr, "otc_eval: cannot read %s/{soc-sign-bitcoinotc,otc_gt}.csv\n",
                 dir.c_str());
    return 2;
  }
  std::vector<Rating> ratings;
  std::map<int, std::uint32_t> index;
  std::string line;
  while (std::getline(net, line)) {
    Rating r{};
    if (std::sscanf(line.c_str(), "%d,%d,%d", &r.from, &r.to, &r.value) != 3) continue;
    ratings.push_back(r);
    index.emplace(r.from, std::uint32_t(index.size()));
    index.emplace(r.to, std::uint32_t(index.size()));
  }
  std::vector<int> labelled;
  std::vector<std::uint8_t> fraud;
  while (std::getline(gt, line)) {
    int node = 0, label = 0;
    if (std::sscanf(line.c_str(), "%d,%d", &node, &label) == 2 && index.contains(node)) {
      labelled.push_back(node);
      fraud.push_back(label < 0);
    }
  }
  // One snapshot per sign: users as nodes, a rating as an undirected link.
  const auto snapshot = [&](bool negative) {
    GraphSnapshot s;
    s.nodes.resize(index.size());
    for (const auto& [node, i] : index) s.nodes[i] = {"user", std::to_string(node)};
    s.hub.assign(index.size(), false);
    s.group.resize(index.size());
    std::iota(s.group.begin(), s.group.end(), 0u);
    for (const Rating& r : ratings) {
      if ((r.value < 0) == negative) s.edges.push_back({index[r.from], index[r.to], false});
    }
    return s;
  };
  const GraphSnapshot distrust = snapshot(true), trust = snapshot(false);

  // Mean rating received (no ratings: neutral 0).
  std::map<int, std::pair<double, int>> received;
  for (const Rating& r : ratings) {
    received[r.to].first += r.value;
    ++received[r.to].second;
  }

  std::vector<size_t> order(labelled.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  std::vector<double> propagation(labelled.size()), mean_rating(labelled.size());
  const int kFolds = 10;
  for (int fold = 0; fold < kFolds; ++fold) {
    AnalysisOptions bad, good;
    for (size_t k = 0; k < order.size(); ++k) {
      if (int(k % kFolds) == fold) continue;
      const finbrain::graph::EntityRef seed{"user", std::to_string(labelled[order[k]])};
      (fraud[order[k]] ? bad : good).seeds.push_back(seed);
    }
    const auto from_fraud = Analyze(distrust, bad);
    const auto from_benign = Analyze(trust, good);
    if (!from_fraud.ok() || !from_benign.ok()) {
      std::fprintf(stderr, "otc_eval: analysis failed\n");
      return 1;
    }
    for (size_t k = fold; k < order.size(); k += kFolds) {
      const finbrain::graph::EntityRef e{"user", std::to_string(labelled[order[k]])};
      propagation[order[k]] = from_fraud->RiskOf(e) - from_benign->RiskOf(e);
    }
  }
  for (size_t i = 0; i < labelled.size(); ++i) {
    auto it = received.find(labelled[i]);
    mean_rating[i] = it == received.end() ? 0 : -it->second.first / it->second.second;
  }
  std::vector<double> combined(labelled.size());
  const auto rp = Ranks(propagation), rm = Ranks(mean_rating);
  for (size_t i = 0; i < labelled.size(); ++i) combined[i] = rp[i] + rm[i];

  const double prevalence =
      double(std::count(fraud.begin(), fraud.end(), 1)) / double(fraud.size());
  std::printf("{\"labelled\": %zu, \"fraud_share\": %.4f, \"nodes\": %zu, \"ratings\": %zu,\n",
              labelled.size(), prevalence, index.size(), ratings.size());
  std::printf(" \"random\": {\"auc\": 0.5, \"ap\": %.4f},\n", prevalence);
  const auto report = [&](const char* name, const std::vector<double>& s, bool last) {
    std::printf(" \"%s\": {\"auc\": %.4f, \"ap\": %.4f}%s\n", name, finbrain::models::Auc(s, fraud),
                AveragePrecision(s, fraud), last ? "}" : ",");
  };
  report("mean_rating_received", mean_rating, false);
  report("propagation_10fold", propagation, false);
  report("propagation_plus_mean_rating", combined, true);
  return 0;
}
