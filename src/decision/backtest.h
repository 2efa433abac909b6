// Backtest: a strategy (and optionally a challenger) run over past applications with known
// outcomes: approval rates, expected and realised bad rates, loss estimates by segment, and the
// swap set (approved by one, declined by the other). Output: JSON and a self-contained HTML
// report with plots.
//
// Example:
//   std::vector<BacktestCase> cases = ...;  // applications with features and outcomes
//   BacktestReport r = RunBacktest(cases, *champion, challenger.get(), env, {});
//   WriteFile("backtest.json", r.json); WriteFile("backtest.html", r.html);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "decision/strategy.h"

namespace finbrain::decision {

struct BacktestCase {
  std::string application_json;  // a validated credit_application (canonical JSON)
  std::shared_ptr<const features::FeatureSet> features;
  std::vector<std::optional<double>> feature_values;
  std::optional<bool> bad;  // the realised outcome, when known
  std::string segment;      // e.g. the product
  double exposure = 0;      // the amount at risk if approved (requested amount)
};

struct BacktestOptions {
  double lgd = 0.6;  // loss given default, for loss estimates
  std::string segment_name = "product";
};

struct BacktestReport {
  std::string json;
  std::string html;
};

BacktestReport RunBacktest(const std::vector<BacktestCase>& cases, const Strategy& champion,
                           const Strategy* challenger, const StrategyEnvironment& env,
                           const BacktestOptions& options);

}  // namespace finbrain::decision
