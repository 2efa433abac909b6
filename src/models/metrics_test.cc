#include "models/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace finbrain::models {
namespace {

const std::vector<double> kPd = {0.1, 0.4, 0.35, 0.8};
const std::vector<std::uint8_t> kY = {0, 0, 1, 1};

TEST(Metrics, AucAndKsMatchHandComputedValues) {
  // Bad 0.35 beats good 0.1 but not 0.4; bad 0.8 beats both: 3 of 4 pairs.
  EXPECT_DOUBLE_EQ(Auc(kPd, kY), 0.75);
  // Riskiest first: cum bad .5 .5 1 1, cum good 0 .5 .5 1: largest gap 0.5.
  EXPECT_DOUBLE_EQ(Ks(kPd, kY), 0.5);
  EXPECT_DOUBLE_EQ(Auc({0.5, 0.5}, {0, 1}), 0.5);  // ties count half
  EXPECT_DOUBLE_EQ(Auc({0.1, 0.9}, {0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(Auc({0.9, 0.1}, {0, 1}), 0.0);
  EXPECT_DOUBLE_EQ(Auc({0.2, 0.3}, {1, 1}), 0.5);  // one class: undefined, reported as chance
}

TEST(Metrics, LogLossAndBrier) {
  EXPECT_NEAR(LogLoss({0.8, 0.3}, {1, 0}), -(std::log(0.8) + std::log(0.7)) / 2, 1e-12);
  EXPECT_NEAR(Brier({0.8, 0.3}, {1, 0}), (0.04 + 0.09) / 2, 1e-12);
}

TEST(Metrics, RocCurveRunsFromOriginToOne) {
  const auto roc = RocCurve(kPd, kY);
  EXPECT_EQ(roc.front().x, 0);
  EXPECT_EQ(roc.back().x, 1);
  EXPECT_EQ(roc.back().y, 1);
  double area = 0;
  for (size_t i = 1; i < roc.size(); ++i) {
    area += (roc[i].x - roc[i - 1].x) * (roc[i].y + roc[i - 1].y) / 2;
  }
  EXPECT_NEAR(area, Auc(kPd, kY), 1e-12);
}

TEST(Metrics, PsiMatchesHandComputedValue) {
  // Shares 0.5/0.5 against 0.25/0.75.
  const double expected = 0.25 * std::log(2.0) + 0.25 * std::log(1.5);
  EXPECT_NEAR(PsiFromShares({0.5, 0.5}, {0.25, 0.75}), expected, 1e-12);
  EXPECT_NEAR(Psi({1, 1, 3, 3}, {1, 3, 3, 3}, {2}), expected, 1e-12);
  EXPECT_EQ(Psi({1, 2, 3, 4}, {1, 2, 3, 4}, QuantileEdges({1, 2, 3, 4}, 4)), 0);
}

TEST(Metrics, GainsCalibrationAndConfusion) {
  std::vector<double> pd;
  std::vector<std::uint8_t> y;
  for (int i = 0; i < 100; ++i) {
    pd.push_back(i / 100.0);
    y.push_back(i >= 90 ? 1 : 0);
  }
  const auto gains = Gains(pd, y, 10);
  ASSERT_EQ(gains.size(), 10u);
  EXPECT_EQ(gains[0].events, 10);  // the riskiest decile holds every bad
  EXPECT_DOUBLE_EQ(gains[0].cumulative_capture, 1.0);
  EXPECT_DOUBLE_EQ(gains[0].lift, 10.0);
  const auto calibration = Calibration(pd, y, 10);
  EXPECT_NEAR(calibration[0].mean_pd, 0.045, 1e-12);
  const Confusion c = ConfusionAt(pd, y, 0.9);
  EXPECT_EQ(c.true_bad, 10);
  EXPECT_EQ(c.false_bad, 0);
  EXPECT_EQ(c.true_good, 90);
  EXPECT_DOUBLE_EQ(c.approval_rate, 0.9);
}

TEST(Metrics, CaptureCountsBadsAmongTheRiskiestShare) {
  // Ten rows, three bads ranked 1st, 4th and 9th by PD.
  const std::vector<double> pd = {0.9, 0.1, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.05};
  const std::vector<std::uint8_t> y = {1, 1, 0, 0, 1, 0, 0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(CaptureAt(pd, y, 0.1), 1.0 / 3);   // the top row
  EXPECT_DOUBLE_EQ(CaptureAt(pd, y, 0.3), 1.0 / 3);   // 0.9, 0.8, 0.7
  EXPECT_DOUBLE_EQ(CaptureAt(pd, y, 0.4), 2.0 / 3);   // ... and 0.6
  EXPECT_DOUBLE_EQ(CaptureAt(pd, y, 0.01), 1.0 / 3);  // at least one row
  EXPECT_DOUBLE_EQ(CaptureAt(pd, y, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(CaptureAt(pd, std::vector<std::uint8_t>(10, 0), 0.5), 0.0);
}

TEST(Metrics, FairnessComparesGroupsAgainstTheBestTreated) {
  const std::vector<double> pd = {0.1, 0.1, 0.9, 0.1, 0.9, 0.9};
  const std::vector<std::uint8_t> y = {0, 0, 1, 0, 0, 1};
  const std::vector<std::string> group = {"a", "a", "a", "b", "b", "b"};
  const auto groups = Fairness(pd, y, group, 0.5);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_NEAR(groups[0].approval_rate, 2.0 / 3, 1e-12);
  EXPECT_NEAR(groups[1].approval_rate, 1.0 / 3, 1e-12);
  EXPECT_NEAR(groups[1].approval_ratio, 0.5, 1e-12);
  EXPECT_NEAR(groups[0].good_approval_rate, 1.0, 1e-12);
  EXPECT_NEAR(groups[1].good_approval_rate, 0.5, 1e-12);
  EXPECT_NEAR(groups[1].equal_opportunity_diff, -0.5, 1e-12);
}

}  // namespace
}  // namespace finbrain::models
