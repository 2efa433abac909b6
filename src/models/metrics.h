// Model quality metrics: discrimination (AUC, KS, Gini), calibration, stability (PSI), and
// fairness across groups. Scores are predicted probabilities of the bad outcome (PD); y is 1
// for bad.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace finbrain::models {

// Area under the ROC curve, ties counted half (the Mann-Whitney statistic). 0.5 when one class
// is absent.
double Auc(const std::vector<double>& pd, const std::vector<std::uint8_t>& y);
// Kolmogorov-Smirnov: the largest gap between the cumulative PD distributions of bads and
// goods.
double Ks(const std::vector<double>& pd, const std::vector<std::uint8_t>& y);
double LogLoss(const std::vector<double>& pd, const std::vector<std::uint8_t>& y);
double Brier(const std::vector<double>& pd, const std::vector<std::uint8_t>& y);

struct CurvePoint {
  double x = 0, y = 0, threshold = 0;
};
// ROC: (false positive rate, true positive rate) as the threshold falls.
std::vector<CurvePoint> RocCurve(const std::vector<double>& pd, const std::vector<std::uint8_t>& y);
// KS curve: (share of population, cumulative share of bads minus cumulative share of goods).
std::vector<CurvePoint> KsCurve(const std::vector<double>& pd, const std::vector<std::uint8_t>& y);

struct GroupStats {
  std::string label;
  std::int64_t count = 0;
  std::int64_t events = 0;
  double mean_pd = 0;
  double event_rate = 0;
  double cumulative_capture = 0;  // gains: share of all bads in this and riskier groups
  double lift = 0;                // event rate / overall event rate
};
// Deciles by PD, riskiest first.
std::vector<GroupStats> Gains(const std::vector<double>& pd, const std::vector<std::uint8_t>& y,
                              int groups = 10);
// Capture: the share of all bads among the riskiest `share` of rows (at least one row), ties in
// PD broken by row order. What a fraud team reviewing that share of applications would catch.
double CaptureAt(const std::vector<double>& pd, const std::vector<std::uint8_t>& y, double share);
// Calibration: groups of equal size by PD, lowest first (mean_pd vs event_rate).
std::vector<GroupStats> Calibration(const std::vector<double>& pd,
                                    const std::vector<std::uint8_t>& y, int groups = 10);

struct Confusion {
  double cutoff = 0;  // declined (predicted bad) when pd >= cutoff
  std::int64_t true_bad = 0, false_bad = 0, true_good = 0, false_good = 0;
  double approval_rate = 0, precision = 0, recall = 0, accuracy = 0;
};
Confusion ConfusionAt(const std::vector<double>& pd, const std::vector<std::uint8_t>& y,
                      double cutoff);

// Population stability index of `actual` against `expected` over the given bin edges
// (ascending inner edges; k edges make k+1 bins). Empty bins are smoothed.
double Psi(const std::vector<double>& expected, const std::vector<double>& actual,
           const std::vector<double>& edges);
// Inner edges at the quantiles of `values` (at most groups-1 distinct edges).
std::vector<double> QuantileEdges(std::vector<double> values, int groups = 10);
// Share of `values` in each bin defined by `edges` (NaN counted in an extra last bin).
std::vector<double> BinShares(const std::vector<double>& values, const std::vector<double>& edges);
double PsiFromShares(const std::vector<double>& expected, const std::vector<double>& actual);

struct FairnessGroup {
  std::string group;
  std::int64_t count = 0;
  double event_rate = 0;
  double approval_rate = 0;
  double approval_ratio = 0;          // approval rate / the highest group's approval rate
  double good_approval_rate = 0;      // true positive rate of approving the good
  double equal_opportunity_diff = 0;  // good_approval_rate minus the highest group's
  double auc = 0;
};
// Per-group fairness at a cutoff; `groups[i]` is row i's group label.
std::vector<FairnessGroup> Fairness(const std::vector<double>& pd,
                                    const std::vector<std::uint8_t>& y,
                                    const std::vector<std::string>& groups, double cutoff);

}  // namespace finbrain::models
