// Scorecard building blocks: L2-regularised logistic regression on WOE features, feature
// selection (IV, correlation, forward stepwise by AIC, coefficient signs) and points scaling.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace finbrain::models {

// Points scaling: `base_score` points at odds (good:bad) of `base_odds`, and every `pdo` points
// double the odds.
struct ScoreScaling {
  double pdo = 20;
  double base_score = 600;
  double base_odds = 50;

  double Factor() const { return pdo / std::log(2.0); }
  double Offset() const { return base_score - Factor() * std::log(base_odds); }
  double ScoreFromPd(double pd) const;
  double PdFromScore(double score) const;
};

struct LogisticFit {
  double intercept = 0;
  std::vector<double> coef;
  double neg_log_likelihood = 0;
  int iterations = 0;
};

// Newton-Raphson on row-major `x` (rows × columns); the intercept is not penalised.
StatusOr<LogisticFit> FitLogistic(const std::vector<double>& x, size_t columns,
                                  const std::vector<std::uint8_t>& y, double l2);

struct SelectionOptions {
  double min_iv = 0.02;
  double max_correlation = 0.7;
  // Off by default: AIC-stepwise on the training rows cost 0.004 AUC in 5-fold CV on both German
  // credit and Taiwan default (docs/models.md); it stays available for shorter scorecards.
  bool stepwise = false;
  size_t max_features = 25;
  double l2 = 1.0;
};

struct Selection {
  std::vector<size_t> kept;                             // column indices, in the order they entered
  std::vector<std::pair<size_t, std::string>> dropped;  // column index and why
};

// Chooses scorecard features among WOE columns (row-major `woe`, rows × ivs.size()). Every
// kept coefficient is negative (higher WOE = lower risk), as a scorecard must be.
StatusOr<Selection> SelectFeatures(const std::vector<double>& woe, const std::vector<double>& ivs,
                                   const std::vector<std::uint8_t>& y,
                                   const SelectionOptions& options);

}  // namespace finbrain::models
