#include "models/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace finbrain::models {
namespace {

// Row indices ordered by PD, highest first.
std::vector<size_t> ByPdDescending(const std::vector<double>& pd) {
  std::vector<size_t> order(pd.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pd[a] > pd[b]; });
  return order;
}

std::int64_t CountEvents(const std::vector<std::uint8_t>& y) {
  return std::count(y.begin(), y.end(), std::uint8_t{1});
}

// Groups of (nearly) equal size over `order`; ties may straddle groups.
std::vector<GroupStats> Groups(const std::vector<double>& pd, const std::vector<std::uint8_t>& y,
                               const std::vector<size_t>& order, int groups) {
  std::vector<GroupStats> out;
  const size_t n = order.size();
  const double overall = n ? double(CountEvents(y)) / double(n) : 0;
  const std::int64_t total_events = CountEvents(y);
  std::int64_t cumulative = 0;
  for (int g = 0; g < groups; ++g) {
    const size_t begin = n * size_t(g) / size_t(groups), end = n * size_t(g + 1) / size_t(groups);
    if (begin == end) continue;
    GroupStats s;
    s.label = std::to_string(g + 1);
    double sum = 0;
    for (size_t i = begin; i < end; ++i) {
      ++s.count;
      s.events += y[order[i]];
      sum += pd[order[i]];
    }
    cumulative += s.events;
    s.mean_pd = sum / double(s.count);
    s.event_rate = double(s.events) / double(s.count);
    s.cumulative_capture = total_events ? double(cumulative) / double(total_events) : 0;
    s.lift = overall > 0 ? s.event_rate / overall : 0;
    out.push_back(s);
  }
  return out;
}

}  // namespace

double Auc(const std::vector<double>& pd, const std::vector<std::uint8_t>& y) {
  std::vector<size_t> order(pd.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pd[a] < pd[b]; });
  double rank_sum = 0;  // sum of (1-based, tie-averaged) ranks of the bads
  std::int64_t bads = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && pd[order[j]] == pd[order[i]]) ++j;
    const double rank = (double(i + 1) + double(j)) / 2;
    for (size_t k = i; k < j; ++k) {
      if (y[order[k]]) {
        rank_sum += rank;
        ++bads;
      }
    }
    i = j;
  }
  const auto goods = std::int64_t(pd.size()) - bads;
  if (bads == 0 || goods == 0) return 0.5;
  return (rank_sum - double(bads) * double(bads + 1) / 2) / (double(bads) * double(goods));
}

namespace {

// Walks the distinct PD thresholds from the highest down, calling `visit(rows_so_far,
// bads_so_far, goods_so_far, threshold)` after each group of tied rows.
template <typename Visit>
void SweepThresholds(const std::vector<double>& pd, const std::vector<std::uint8_t>& y,
                     Visit visit) {
  const std::vector<size_t> order = ByPdDescending(pd);
  std::int64_t bads = 0, goods = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && pd[order[j]] == pd[order[i]]) {
      y[order[j]] ? ++bads : ++goods;
      ++j;
    }
    visit(j, bads, goods, pd[order[i]]);
    i = j;
  }
}

}  // namespace

std::vector<CurvePoint> RocCurve(const std::vector<double>& pd,
                                 const std::vector<std::uint8_t>& y) {
  const std::int64_t bads = CountEvents(y), goods = std::int64_t(y.size()) - bads;
  std::vector<CurvePoint> curve = {{0, 0, 1}};
  SweepThresholds(pd, y, [&](size_t, std::int64_t tp, std::int64_t fp, double threshold) {
    curve.push_back(
        {goods ? double(fp) / double(goods) : 0, bads ? double(tp) / double(bads) : 0, threshold});
  });
  return curve;
}

std::vector<CurvePoint> KsCurve(const std::vector<double>& pd, const std::vector<std::uint8_t>& y) {
  const std::int64_t bads = CountEvents(y), goods = std::int64_t(y.size()) - bads;
  std::vector<CurvePoint> curve = {{0, 0, 1}};
  SweepThresholds(pd, y, [&](size_t rows, std::int64_t tp, std::int64_t fp, double threshold) {
    const double bad_share = bads ? double(tp) / double(bads) : 0;
    const double good_share = goods ? double(fp) / double(goods) : 0;
    curve.push_back({double(rows) / double(pd.size()), bad_share - good_share, threshold});
  });
  return curve;
}

double Ks(const std::vector<double>& pd, const std::vector<std::uint8_t>& y) {
  double best = 0;
  for (const CurvePoint& p : KsCurve(pd, y)) best = std::max(best, std::abs(p.y));
  return best;
}

double LogLoss(const std::vector<double>& pd, const std::vector<std::uint8_t>& y) {
  if (pd.empty()) return 0;
  double sum = 0;
  for (size_t i = 0; i < pd.size(); ++i) {
    const double p = std::clamp(pd[i], 1e-15, 1 - 1e-15);
    sum -= y[i] ? std::log(p) : std::log(1 - p);
  }
  return sum / double(pd.size());
}

double Brier(const std::vector<double>& pd, const std::vector<std::uint8_t>& y) {
  if (pd.empty()) return 0;
  double sum = 0;
  for (size_t i = 0; i < pd.size(); ++i) sum += (pd[i] - y[i]) * (pd[i] - y[i]);
  return sum / double(pd.size());
}

std::vector<GroupStats> Gains(const std::vector<double>& pd, const std::vector<std::uint8_t>& y,
                              int groups) {
  return Groups(pd, y, ByPdDescending(pd), groups);
}

double CaptureAt(const std::vector<double>& pd, const std::vector<std::uint8_t>& y, double share) {
  const std::int64_t bads = CountEvents(y);
  if (pd.empty() || bads == 0) return 0;
  const std::vector<size_t> order = ByPdDescending(pd);
  const auto reviewed =
      std::clamp<size_t>(static_cast<size_t>(std::ceil(share * double(pd.size()))), 1, pd.size());
  std::int64_t caught = 0;
  for (size_t i = 0; i < reviewed; ++i) caught += y[order[i]];
  return double(caught) / double(bads);
}

std::vector<GroupStats> Calibration(const std::vector<double>& pd,
                                    const std::vector<std::uint8_t>& y, int groups) {
  std::vector<size_t> order = ByPdDescending(pd);
  std::reverse(order.begin(), order.end());
  return Groups(pd, y, order, groups);
}

Confusion ConfusionAt(const std::vector<double>& pd, const std::vector<std::uint8_t>& y,
                      double cutoff) {
  Confusion c;
  c.cutoff = cutoff;
  for (size_t i = 0; i < pd.size(); ++i) {
    const bool declined = pd[i] >= cutoff;
    if (declined) {
      y[i] ? ++c.true_bad : ++c.false_bad;
    } else {
      y[i] ? ++c.false_good : ++c.true_good;
    }
  }
  const auto n = double(pd.size());
  if (n == 0) return c;
  c.approval_rate = double(c.true_good + c.false_good) / n;
  const std::int64_t declined = c.true_bad + c.false_bad, bads = c.true_bad + c.false_good;
  c.precision = declined ? double(c.true_bad) / double(declined) : 0;
  c.recall = bads ? double(c.true_bad) / double(bads) : 0;
  c.accuracy = double(c.true_bad + c.true_good) / n;
  return c;
}

std::vector<double> QuantileEdges(std::vector<double> values, int groups) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  std::sort(values.begin(), values.end());
  std::vector<double> edges;
  if (values.empty()) return edges;
  for (int g = 1; g < groups; ++g) {
    const double edge = values[values.size() * size_t(g) / size_t(groups)];
    if ((edges.empty() || edge > edges.back()) && edge > values.front()) edges.push_back(edge);
  }
  return edges;
}

std::vector<double> BinShares(const std::vector<double>& values, const std::vector<double>& edges) {
  std::vector<double> shares(edges.size() + 2, 0);
  for (double v : values) {
    const size_t bin =
        std::isnan(v) ? edges.size() + 1
                      : size_t(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
    shares[bin] += 1;
  }
  for (double& s : shares) s /= values.empty() ? 1 : double(values.size());
  return shares;
}

double PsiFromShares(const std::vector<double>& expected, const std::vector<double>& actual) {
  constexpr double kFloor = 1e-4;  // keeps an empty bin from making the index infinite
  double psi = 0;
  for (size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
    if (expected[i] == 0 && actual[i] == 0) continue;
    const double e = std::max(expected[i], kFloor), a = std::max(actual[i], kFloor);
    psi += (a - e) * std::log(a / e);
  }
  return psi;
}

double Psi(const std::vector<double>& expected, const std::vector<double>& actual,
           const std::vector<double>& edges) {
  return PsiFromShares(BinShares(expected, edges), BinShares(actual, edges));
}

std::vector<FairnessGroup> Fairness(const std::vector<double>& pd,
                                    const std::vector<std::uint8_t>& y,
                                    const std::vector<std::string>& groups, double cutoff) {
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t i = 0; i < groups.size(); ++i) rows[groups[i]].push_back(i);
  std::vector<FairnessGroup> out;
  double best_approval = 0, best_good_approval = 0;
  for (const auto& [label, members] : rows) {
    FairnessGroup g;
    g.group = label;
    g.count = std::int64_t(members.size());
    std::vector<double> group_pd;
    std::vector<std::uint8_t> group_y;
    std::int64_t approved = 0, goods = 0, goods_approved = 0, events = 0;
    for (size_t i : members) {
      group_pd.push_back(pd[i]);
      group_y.push_back(y[i]);
      const bool approve = pd[i] < cutoff;
      approved += approve;
      events += y[i];
      if (!y[i]) {
        ++goods;
        goods_approved += approve;
      }
    }
    g.event_rate = double(events) / double(g.count);
    g.approval_rate = double(approved) / double(g.count);
    g.good_approval_rate = goods ? double(goods_approved) / double(goods) : 0;
    g.auc = Auc(group_pd, group_y);
    best_approval = std::max(best_approval, g.approval_rate);
    best_good_approval = std::max(best_good_approval, g.good_approval_rate);
    out.push_back(g);
  }
  for (FairnessGroup& g : out) {
    g.approval_ratio = best_approval > 0 ? g.approval_rate / best_approval : 0;
    g.equal_opportunity_diff = g.good_approval_rate - best_good_approval;
  }
  return out;
}

}  // namespace finbrain::models
