// TrainSpec: the optional YAML that tells `finbrain train` about column types, special values,
// protected attributes, monotone constraints, the validation split and model settings.
//
//   columns: {purpose: categorical, age: numeric}
//   ignore: [customer_id]
//   special_values: {months_since_delinquency: [-1, 999]}
//   protected: [sex, {name: age, cuts: [25, 40]}]
//   monotone: {income: descending, utilisation: ascending}   # event rate as the value grows
//   split: {method: stratified, validation: 0.2, seed: 42}   # random | stratified | time
//   binning: {max_bins: 6, min_bin_share: 0.05, prebins: 20}
//   scorecard: {pdo: 20, base_score: 600, base_odds: 50, l2: 1, min_iv: 0.02,
//               max_correlation: 0.7, stepwise: false, max_features: 25}
//   gbdt: {max_rounds: 1000, early_stopping_rounds: 50, max_depth: 4, learning_rate: 0.05,
//          subsample: 0.8, colsample_bytree: 0.8, min_child_weight: 1, reg_lambda: 1,
//          booster: gbtree, rate_drop: 0.1, skip_drop: 0.5,   # booster: gbtree | dart
//          class_weight: none, refit: true,   # class_weight: none | balanced | <number>
//          rounds: 300}                       # a fixed tree count: no early stopping
//   reasons: {income: {code: R01, text: "Income too low for the amount requested"}}
//
// Unknown keys are errors (a typo must not silently fall back to a default).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "models/binning.h"
#include "models/gbdt.h"
#include "models/scorecard.h"

namespace finbrain::models {

struct ProtectedAttribute {
  std::string name;
  std::vector<double> cuts;  // numeric attributes: group boundaries (default: quartiles)
};

struct SplitSpec {
  enum class Method { kRandom, kStratified, kTime };
  Method method = Method::kStratified;
  double validation = 0.2;
  std::string time_column;  // kTime: the latest rows validate
  unsigned seed = 42;
};

struct ReasonText {
  std::string code;
  std::string text;
};

struct TrainSpec {
  std::vector<std::string> categorical;
  std::vector<std::string> numeric;
  std::vector<std::string> ignore;
  std::map<std::string, std::vector<double>> special_values;
  std::vector<ProtectedAttribute> protected_attributes;
  bool use_protected_as_features = false;
  std::map<std::string, Trend> monotone;
  SplitSpec split;
  BinningOptions binning;
  SelectionOptions selection;
  ScoreScaling scaling;
  GbdtParams gbdt;
  std::string class_weight = "none";  // none | balanced | a number (weight of the bad class)
  bool refit = true;     // GBDT: after early stopping, refit on all rows with the best round count
  int fixed_rounds = 0;  // GBDT: exactly this many trees, no early stopping (0: chosen by data)
  std::map<std::string, ReasonText> reasons;

  bool IsProtected(std::string_view column) const;
};

// Errors give the YAML line:column and the key path.
StatusOr<TrainSpec> ParseTrainSpec(std::string_view yaml);
StatusOr<TrainSpec> LoadTrainSpec(const std::string& path);

}  // namespace finbrain::models
