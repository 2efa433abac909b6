#include "models/scorecard.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace finbrain::models {
namespace {

TEST(Scaling, PointsFollowPdoAndBaseOdds) {
  const ScoreScaling s{.pdo = 20, .base_score = 600, .base_odds = 50};
  EXPECT_NEAR(s.ScoreFromPd(1.0 / 51), 600, 1e-9);   // odds 50:1
  EXPECT_NEAR(s.ScoreFromPd(1.0 / 101), 620, 1e-9);  // odds doubled: +pdo
  EXPECT_NEAR(s.ScoreFromPd(1.0 / 26), 580, 1e-9);   // odds halved: -pdo
  EXPECT_NEAR(s.PdFromScore(s.ScoreFromPd(0.137)), 0.137, 1e-12);
  EXPECT_NEAR(s.Factor(), 28.8539, 1e-4);
  EXPECT_NEAR(s.Offset(), 487.1229, 1e-4);
}

TEST(Logistic, RecoversTheGeneratingCoefficients) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  for (int i = 0; i < 50000; ++i) {
    const double a = normal(rng), b = normal(rng);
    x.push_back(a);
    x.push_back(b);
    y.push_back(u(rng) < 1 / (1 + std::exp(-(-1.0 + 2.0 * a - 0.5 * b))) ? 1 : 0);
  }
  const auto fit = FitLogistic(x, 2, y, 0.0);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->intercept, -1.0, 0.05);
  EXPECT_NEAR(fit->coef[0], 2.0, 0.06);
  EXPECT_NEAR(fit->coef[1], -0.5, 0.04);
  EXPECT_FALSE(FitLogistic(x, 3, y, 0.0).ok());
}

TEST(Selection, DropsWeakAndDuplicatedFeaturesAndKeepsSignsRight) {
  // WOE-like columns: 0 strong, 1 a copy of 0, 2 pure noise, 3 moderately predictive.
  std::mt19937_64 rng(8);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> woe;
  std::vector<std::uint8_t> y;
  for (int i = 0; i < 20000; ++i) {
    const double strong = normal(rng), moderate = normal(rng), noise = normal(rng);
    woe.insert(woe.end(), {strong, strong + 0.01 * normal(rng), noise, moderate});
    y.push_back(u(rng) < 1 / (1 + std::exp(2.0 + 1.2 * strong + 0.5 * moderate)) ? 1 : 0);
  }
  const std::vector<double> ivs = {0.9, 0.89, 0.001, 0.2};
  const auto s = SelectFeatures(woe, ivs, y, {});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kept, (std::vector<size_t>{0, 3}));
  ASSERT_EQ(s->dropped.size(), 2u);
  std::vector<double> kept;
  for (size_t r = 0; r < y.size(); ++r) {
    kept.push_back(woe[r * 4]);
    kept.push_back(woe[r * 4 + 3]);
  }
  const auto fit = FitLogistic(kept, 2, y, 1.0);
  EXPECT_LT(fit->coef[0], 0);
  EXPECT_LT(fit->coef[1], 0);
}

}  // namespace
}  // namespace finbrain::models
