// Gradient-boosted trees trained and (for reference) scored by the XGBoost library through its
// C API. XGBoost's headers stay inside gbdt.cc.
//
// Example:
//   GbdtData train{.x = xs, .y = ys, .columns = 3};
//   FB_ASSIGN_OR_RETURN(GbdtResult r, TrainGbdt(train, &valid, {.max_depth = 4}));
//   // r.model_json is XGBoost's JSON model; load it with TreeEnsemble for fast scoring.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace finbrain::models {

// Row-major features (NaN = missing) and 0/1 labels.
struct GbdtData {
  std::vector<float> x;
  std::vector<float> y;
  size_t columns = 0;
  size_t rows() const { return columns == 0 ? 0 : x.size() / columns; }
};

struct GbdtParams {
  int max_rounds = 1000;
  int early_stopping_rounds = 50;  // rounds without validation AUC gain before stopping
  int max_depth = 4;
  double learning_rate = 0.05;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double colsample_bynode = 1.0;
  int parallel_trees = 1;            // trees per round (> 1: boosted random forest)
  std::string tree_method = "hist";  // hist | exact | approx
  // gbtree | dart: DART (Rashmi & Gilad-Bachrach 2015) drops a random share of the trees while
  // fitting each new one, against over-specialising on small data.
  std::string booster = "gbtree";
  double rate_drop = 0.1;  // dart: share of trees dropped per round
  double skip_drop = 0.5;  // dart: probability of dropping none in a round
  double min_child_weight = 1;
  double reg_lambda = 1;
  double reg_alpha = 0;
  double scale_pos_weight = 1;  // class weighting: weight of the bad class
  std::vector<int> monotone;    // per column: +1 risk rises with the value, -1 falls, 0 free
  int threads = 0;              // 0 = all cores
  unsigned seed = 0;
  // Called after each boosting round with the round (from 1) and the validation AUC (0 without
  // validation data): progress for long trainings.
  std::function<void(int round, double auc)> on_round;
};

struct GbdtResult {
  std::string model_json;            // XGBoost JSON model of the best iteration
  int rounds = 0;                    // trees kept
  double validation_auc = 0;         // at the best iteration (0 without validation data)
  std::vector<double> auc_by_round;  // validation AUC after each round
};

// Trains binary:logistic trees; with `valid`, stops early on its AUC and keeps the best round.
StatusOr<GbdtResult> TrainGbdt(const GbdtData& train, const GbdtData* valid,
                               const GbdtParams& params);

// The tree count with the best mean validation AUC across folds (train, validation), boosting
// every fold in step and stopping when the mean has not improved for early_stopping_rounds
// (xgb.cv's procedure).
StatusOr<int> CrossValidatedRounds(const std::vector<std::pair<GbdtData, GbdtData>>& folds,
                                   const GbdtParams& params);

// XGBoost's own predictor, for agreement tests and the inference benchmark baseline.
class XgboostPredictor {
 public:
  static StatusOr<std::unique_ptr<XgboostPredictor>> Load(const std::string& model_json);
  ~XgboostPredictor();
  // One row through XGBoosterPredictFromDense (in-place prediction).
  StatusOr<double> PredictOne(const float* row, size_t columns);
  // Many rows through a DMatrix: probabilities, or SHAP contributions (columns + 1 per row).
  StatusOr<std::vector<float>> PredictMany(const std::vector<float>& x, size_t columns,
                                           bool contributions);

 private:
  XgboostPredictor() = default;
  void* booster_ = nullptr;
};

}  // namespace finbrain::models
