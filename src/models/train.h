// Training and cross-validation of credit models (both kinds) from a Dataset.
//
// Train: choose feature columns (dropping identifiers, constants, all-missing and protected
// columns, each with a logged reason), split off a validation set (random, stratified or by
// time), bin every feature, then
//   scorecard: WOE, feature selection (IV, correlation, stepwise, signs), L2 logistic
//              regression, points per bin;
//   gbdt:      XGBoost with early stopping on the validation AUC, monotone constraints and
//              class weighting; categorical features enter as their WOE.
// With `refit` (the default) the chosen structure (features, tree count) is refitted on all
// rows; the reported validation metrics come from the model fitted without them.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "models/dataset.h"
#include "models/model.h"
#include "models/spec.h"

namespace finbrain::models {

struct TrainOptions {
  ModelKind kind = ModelKind::kGbdt;
  std::string target;
  std::optional<std::string> positive;
  TrainSpec spec;
  std::string spec_yaml;
  std::string data_sha256;
  std::string author;
  std::function<void(std::string_view)> log;  // notes for the user (stderr in the CLI)
};

// CSV reading options implied by a spec (forced column kinds).
CsvOptions CsvOptionsFor(const TrainSpec& spec);

StatusOr<std::unique_ptr<Model>> Train(const Dataset& data, const TrainOptions& options);

struct CvFold {
  double cost = 0;  // average cost per case at the cost-optimal cutoff (when costs are given)
  double auc = 0;
  double ks = 0;
  double gini = 0;
  double logloss = 0;
  double capture_1pct = 0;  // share of bads among the riskiest 1% / 5% of the fold
  double capture_5pct = 0;
  size_t rows = 0;
  // The plain logistic-regression baseline (models/baseline.h) on the same fold.
  double baseline_auc = 0;
  double baseline_ks = 0;
};
struct CvResult {
  std::vector<CvFold> folds;
  CvFold mean;
  double auc_stddev = 0;
};

// Misclassification costs: approving a bad case, declining a good one. The cost-optimal
// decision declines when PD >= declined_good / (approved_bad + declined_good).
struct Costs {
  double approved_bad = 0;
  double declined_good = 0;
  double Cutoff() const { return declined_good / (approved_bad + declined_good); }
};

// Stratified k-fold cross-validation; each fold's model is trained exactly as Train does.
StatusOr<CvResult> CrossValidate(const Dataset& data, const TrainOptions& options, int folds,
                                 unsigned seed, const std::optional<Costs>& costs = std::nullopt);
// {"folds": [...], "mean": {...}, "cost_cutoff", "auc_stddev", "kind", "seed"}.
std::string CvResultJson(const CvResult& cv, const TrainOptions& options, unsigned seed,
                         const std::optional<Costs>& costs);

// A training from files (`finbrain train`, `finbrain cv`): the CSV read with the spec's column
// kinds (rows × columns logged), its SHA-256 kept in the model's metadata, the spec's YAML kept
// with it. `spec_path` may be empty.
struct TrainingFiles {
  std::string data;      // CSV with a header row
  std::string target;    // the outcome column
  std::string positive;  // the bad label, when the target has two labels
  ModelKind kind = ModelKind::kGbdt;
  std::string spec_path;
  std::string author;
  std::function<void(std::string_view)> log;
};
struct TrainingData {
  TrainOptions options;
  Dataset data;
};
StatusOr<TrainingData> LoadTrainingData(const TrainingFiles& files);

// Discrimination and calibration metrics of PDs against outcomes: auc, ks, gini, logloss,
// brier, event_rate, rows.
std::map<std::string, double> SummaryMetrics(const std::vector<double>& pd,
                                             const std::vector<std::uint8_t>& y);

}  // namespace finbrain::models
