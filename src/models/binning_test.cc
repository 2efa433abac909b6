#include "models/binning.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace finbrain::models {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// x uniform on [0, 100); risk follows `risk(x)`; some rows missing or special.
struct Synthetic {
  Column column;
  std::vector<std::uint8_t> y;
};

template <typename Risk>
Synthetic Make(Risk risk, size_t n, unsigned seed, double missing_share = 0.0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Synthetic s;
  s.column.name = "x";
  for (size_t i = 0; i < n; ++i) {
    const double x = std::floor(u(rng) * 100);
    const bool missing = u(rng) < missing_share;
    s.column.numbers.push_back(missing ? kNan : x);
    s.y.push_back(u(rng) < (missing ? 0.5 : risk(x)) ? 1 : 0);
  }
  return s;
}

std::vector<double> RangeRates(const FeatureBinning& b) {
  std::vector<double> rates;
  for (const Bin& bin : b.bins) {
    if (bin.type == Bin::Type::kRange) rates.push_back(bin.EventRate());
  }
  return rates;
}

TEST(Binning, AutoTrendFindsAMonotoneDescendingBinning) {
  const auto s = Make([](double x) { return 0.30 - 0.002 * x + 0.03 * std::sin(x); }, 20000, 1);
  const auto b = BinFeature(s.column, s.y, {.max_bins = 6, .min_bin_share = 0.05});
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->trend, Trend::kDescending);
  const auto rates = RangeRates(*b);
  ASSERT_GE(rates.size(), 3u);
  EXPECT_LE(rates.size(), 6u);
  for (size_t i = 1; i < rates.size(); ++i) EXPECT_LE(rates[i], rates[i - 1]);
  for (const Bin& bin : b->bins) {
    if (bin.type == Bin::Type::kRange) {
      EXPECT_GE(bin.count, 1000);  // 5% of 20,000
    }
  }
  EXPECT_GT(b->iv, 0.05);
}

TEST(Binning, ForcedTrendsHoldEvenAgainstTheData) {
  // Risk is U-shaped: ascending cannot fit well, but the bins must still ascend.
  const auto s = Make([](double x) { return 0.05 + 0.0001 * (x - 50) * (x - 50); }, 20000, 2);
  const auto up = BinFeature(s.column, s.y, {.max_bins = 5, .trend = Trend::kAscending});
  const auto rates = RangeRates(*up);
  for (size_t i = 1; i < rates.size(); ++i) EXPECT_GE(rates[i], rates[i - 1]);
  const auto valley = BinFeature(s.column, s.y, {.max_bins = 6, .trend = Trend::kValley});
  const auto v = RangeRates(*valley);
  size_t lowest = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] < v[lowest]) lowest = i;
  }
  for (size_t i = 1; i <= lowest; ++i) EXPECT_LE(v[i], v[i - 1]);
  for (size_t i = lowest + 1; i < v.size(); ++i) EXPECT_GE(v[i], v[i - 1]);
  EXPECT_GT(valley->iv, up->iv);  // the right shape explains more
}

TEST(Binning, MissingAndSpecialValuesGetTheirOwnBins) {
  auto s = Make([](double x) { return x < 50 ? 0.3 : 0.1; }, 5000, 3, 0.1);
  for (size_t i = 0; i < 300; ++i) {
    s.column.numbers[i] = -1;
    s.y[i] = 1;
  }
  const auto b = BinFeature(s.column, s.y, {.special_values = {-1}});
  ASSERT_TRUE(b.ok());
  const Bin& special = b->bins[b->BinOfNumber(-1)];
  EXPECT_EQ(special.type, Bin::Type::kSpecial);
  EXPECT_EQ(special.count, 300);
  EXPECT_LT(special.woe, 0);  // all bad
  const Bin& missing = b->bins[b->BinOfNumber(kNan)];
  EXPECT_EQ(missing.type, Bin::Type::kMissing);
  EXPECT_GT(missing.count, 300);
  EXPECT_EQ(b->bins[b->BinOfNumber(10)].type, Bin::Type::kRange);
  EXPECT_GT(b->bins[b->BinOfNumber(90)].woe, b->bins[b->BinOfNumber(10)].woe);
  // Ranges tile the line.
  EXPECT_EQ(b->BinOfNumber(-1e300), 0u);
  EXPECT_EQ(b->bins[b->BinOfNumber(1e300)].type, Bin::Type::kRange);
}

TEST(Binning, WoeAndIvMatchHandComputedValues) {
  // Two clean groups: x=0 has 1 bad of 4, x=1 has 3 bads of 4.
  Column c{.name = "x", .numbers = {0, 0, 0, 0, 1, 1, 1, 1}};
  const std::vector<std::uint8_t> y = {1, 0, 0, 0, 1, 1, 1, 0};
  const auto b = BinFeature(c, y, {.max_bins = 2, .min_bin_share = 0.1, .prebins = 2});
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->bins.size(), 3u);  // two ranges and the (empty) missing bin
  const double woe0 = std::log((3.5 / 4) / (1.5 / 4));
  const double woe1 = std::log((1.5 / 4) / (3.5 / 4));
  EXPECT_NEAR(b->bins[0].woe, woe0, 1e-12);
  EXPECT_NEAR(b->bins[1].woe, woe1, 1e-12);
  EXPECT_NEAR(b->iv, (0.75 - 0.25) * woe0 + (0.25 - 0.75) * woe1, 1e-12);
  EXPECT_EQ(b->bins[0].upper, 0.5);  // the cut sits between the values
  EXPECT_EQ(b->bins[2].woe, 0);
}

TEST(Binning, CategoriesAreGroupedByRiskAndUnseenOnesAreNeutral) {
  Column c{.name = "city", .kind = ColumnKind::kCategorical, .levels = {"a", "b", "c", "d"}};
  std::vector<std::uint8_t> y;
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(0, 1);
  const double risk[] = {0.05, 0.30, 0.06, 0.31};
  for (int i = 0; i < 8000; ++i) {
    c.codes.push_back(i % 4);
    y.push_back(u(rng) < risk[i % 4] ? 1 : 0);
  }
  const auto b = BinFeature(c, y, {.max_bins = 2});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->BinOfCategory("a"), b->BinOfCategory("c"));
  EXPECT_EQ(b->BinOfCategory("b"), b->BinOfCategory("d"));
  EXPECT_NE(b->BinOfCategory("a"), b->BinOfCategory("b"));
  EXPECT_EQ(b->bins[b->BinOfCategory("zzz")].woe, 0);
  EXPECT_NE(b->TableCsv().find("\"{"), std::string::npos);
}

TEST(Binning, RejectsUnusableInput) {
  Column empty{.name = "x", .numbers = {kNan, kNan}};
  EXPECT_FALSE(BinFeature(empty, {0, 1}, {}).ok());
  Column c{.name = "x", .numbers = {1, 2}};
  EXPECT_FALSE(BinFeature(c, {1, 1}, {}).ok());
  EXPECT_FALSE(BinFeature(c, {0, 1}, {.max_bins = 0}).ok());
  EXPECT_FALSE(ParseTrend("sideways").ok());
  EXPECT_EQ(ParseTrend("peak").value(), Trend::kPeak);
}

}  // namespace
}  // namespace finbrain::models
