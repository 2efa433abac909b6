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

#include <map>
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

// A backtest from files (`finbrain backtest`): strategies as YAML, the applications as JSONL
// credit_application events, their outcomes as JSONL, and what the strategies read: a feature
// set computed point in time from an event history, model folders by name.
struct BacktestFiles {
  std::string strategy;    // YAML
  std::string challenger;  // YAML; empty: none
  std::string applications;
  std::string outcomes;
  std::string on = "application_id";          // the field naming an application in both
  std::string outcome = "defaulted";          // the outcome's bad flag (true/1 = bad)
  std::string features;                       // feature set YAML; empty: none
  std::string events;                         // with `features`: a JSONL file or directory
  std::map<std::string, std::string> models;  // name -> folder
  std::string segment = "product";
  double lgd = 0.6;
};
// Errors name the option ("strategy", "data", "outcomes", "events", "model") and file:line.
StatusOr<BacktestReport> RunBacktestFiles(const BacktestFiles& files);

}  // namespace finbrain::decision
