// Optimal binning and weight of evidence (WOE), the first step of both model kinds.
//
// Numeric features are pre-binned at quantiles, then adjacent pre-bins are merged into at most
// `max_bins` bins, each holding at least `min_bin_share` of the rows, whose event rates follow
// the requested trend, choosing the partition with the largest information value (IV). The
// search is an exact dynamic programme over pre-bin boundaries. Categorical features are ordered
// by event rate and merged the same way. Missing values and each special value get a bin of
// their own.
//
// WOE follows the credit-scoring convention: WOE = ln(share of non-events / share of events),
// so a riskier bin has a lower WOE.
//
// Example:
//   FB_ASSIGN_OR_RETURN(FeatureBinning b, BinFeature(column, y, {.max_bins = 5}));
//   double woe = b.bins[b.BinOfNumber(42.0)].woe;
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "models/dataset.h"

namespace finbrain::models {

// How the event rate may move across a numeric feature's bins (or a categorical feature's
// groups, which are ordered by event rate and so always ascend).
enum class Trend { kAuto, kAscending, kDescending, kPeak, kValley, kNone };

StatusOr<Trend> ParseTrend(std::string_view text);
std::string_view TrendName(Trend trend);

struct BinningOptions {
  int max_bins = 6;
  double min_bin_share = 0.05;
  Trend trend = Trend::kAuto;
  int prebins = 20;
  std::vector<double> special_values;  // numeric codes with a meaning of their own (-1, 9999)
};

struct Bin {
  enum class Type { kRange, kCategories, kSpecial, kMissing };
  Type type = Type::kRange;
  double lower = -std::numeric_limits<double>::infinity();  // kRange: lower <= x < upper
  double upper = std::numeric_limits<double>::infinity();
  double special = 0;                   // kSpecial
  std::vector<std::string> categories;  // kCategories
  std::int64_t count = 0;
  std::int64_t events = 0;
  double woe = 0;
  double iv = 0;

  std::string Label() const;
  double EventRate() const { return count == 0 ? 0 : double(events) / double(count); }
};

struct FeatureBinning {
  std::string feature;
  ColumnKind kind = ColumnKind::kNumeric;
  Trend trend = Trend::kNone;  // the trend the bins follow (auto resolved)
  std::vector<Bin> bins;       // ranges or category groups, then specials, then missing
  double iv = 0;

  // Index of the bin a value falls in. Unseen categories fall in the missing bin (WOE 0 when
  // training had no missing values: no evidence either way).
  size_t BinOfNumber(double x) const;
  size_t BinOfCategory(std::string_view category) const;
  size_t MissingBin() const;
  // The bin of a dataset cell (a numeric column's values as text for a categorical binning).
  size_t BinOf(const Column& column, size_t row) const;

  // The binning table as CSV: bin, count, count share, non-events, events, event rate, WOE, IV.
  std::string TableCsv() const;
};

// Bins `column` against the 0/1 outcomes `y` (1 = event, i.e. bad).
StatusOr<FeatureBinning> BinFeature(const Column& column, const std::vector<std::uint8_t>& y,
                                    const BinningOptions& options);

}  // namespace finbrain::models
