// Model: a trained credit model as `finbrain train` writes it and the server loads it.
//
// A model folder holds model.json (FinBrain's manifest: features, binning, scorecard points,
// scaling, reason texts, training metadata, monitoring baselines), xgboost.json for a GBDT (in
// XGBoost's own JSON format), and human-readable tables (scorecard.csv, binning/*.csv).
//
// Scoring turns one row of inputs into a PD, a score on the scorecard scale, and reason codes:
// for a scorecard the features whose points fall furthest below their maximum, for a GBDT the
// features with the largest risk-increasing SHAP contributions.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto model, Model::Load("models/pd-v3"));  // or an XGBoost .json file
//   InputRow row = {{"income", FeatureValue::Number(5200)}, {"city", FeatureValue::Text("SH")}};
//   FB_ASSIGN_OR_RETURN(ScoreResult r, model->Score(row));
//
// Thread-safety: immutable once loaded; score from any number of threads.
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "models/binning.h"
#include "models/dataset.h"
#include "models/scorecard.h"
#include "models/spec.h"
#include "models/tree_ensemble.h"

namespace finbrain::models {

enum class ModelKind { kScorecard, kGbdt };
std::string_view ModelKindName(ModelKind kind);
StatusOr<ModelKind> ParseModelKind(std::string_view text);

// One input value: a number, a text (category), or missing.
struct FeatureValue {
  double number = std::numeric_limits<double>::quiet_NaN();
  std::string text;
  bool is_text = false;

  static FeatureValue Number(double v) { return {.number = v}; }
  static FeatureValue Text(std::string t) { return {.text = std::move(t), .is_text = true}; }
  static FeatureValue Missing() { return {}; }
  bool missing() const { return !is_text && std::isnan(number); }
  std::string ToString() const;
};
using InputRow = std::map<std::string, FeatureValue, std::less<>>;

struct Reason {
  std::string feature;
  std::string code;
  std::string text;
  std::string value;  // the input value, as text ("" when missing)
  double impact = 0;  // SHAP log-odds (GBDT) or points below the maximum (scorecard)
};

struct ScoreResult {
  double pd = 0;
  double score = 0;
  double margin = 0;  // log-odds of the bad outcome
  std::vector<Reason> reasons;
};

struct Counterfactual {
  bool found = false;
  std::string feature;
  std::string from;
  std::string to;
  double pd = 0;
  double score = 0;
};

enum class Encoding { kRaw, kWoe, kBinIndex };

struct ModelFeature {
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
  Encoding encoding = Encoding::kRaw;
  FeatureBinning binning;
  double coefficient = 0;      // scorecard: logistic coefficient on WOE
  std::vector<double> points;  // scorecard: points per bin
  double stddev = 1;           // numeric: training spread, the unit of counterfactual distance
  ReasonText reason;
};

struct ModelInfo {
  std::string target;
  std::string positive_label;
  std::string created_at;
  std::string author;
  std::string data_sha256;
  std::size_t rows = 0;
  double event_rate = 0;
  int rounds = 0;                                             // GBDT trees
  std::vector<std::pair<std::string, std::string>> excluded;  // column, why
  std::map<std::string, double> train_metrics;
  std::map<std::string, double> validation_metrics;
  std::vector<double> score_edges;   // PSI baseline: inner edges over PD
  std::vector<double> score_shares;  // training share of each PD bin
  std::vector<ProtectedAttribute> protected_attributes;
  std::string spec_yaml;
};

class Model {
 public:
  Model(ModelKind kind, std::vector<ModelFeature> features, ScoreScaling scaling, ModelInfo info);

  static StatusOr<std::unique_ptr<Model>> Load(const std::string& dir);
  // The manifest text (model.json) and, for a GBDT, XGBoost's JSON model.
  static StatusOr<std::unique_ptr<Model>> FromJson(std::string_view manifest,
                                                   std::string_view xgboost_json);
  // A model trained elsewhere with XGBoost (binary:logistic): numeric inputs named by the
  // model's feature_names (or f0, f1, ...), default score scaling, no training baseline.
  static StatusOr<std::unique_ptr<Model>> FromXgboost(std::string_view xgboost_json);
  // Writes the folder (creating it); existing model files in it are replaced.
  Status Save(const std::string& dir) const;
  std::string ManifestJson() const;

  void SetScorecardIntercept(double intercept) { intercept_ = intercept; }
  Status SetTrees(std::string xgboost_json);

  ModelKind kind() const { return kind_; }
  const std::vector<ModelFeature>& features() const { return features_; }
  const ScoreScaling& scaling() const { return scaling_; }
  const ModelInfo& info() const { return info_; }
  ModelInfo& mutable_info() { return info_; }
  const TreeEnsemble* trees() const { return trees_ ? &*trees_ : nullptr; }
  const std::string& xgboost_json() const { return xgboost_json_; }
  double intercept() const { return intercept_; }

  // Model inputs for one row. Unknown fields, and text given for a numeric feature, are errors
  // naming the field; absent fields are missing values.
  StatusOr<std::vector<float>> Encode(const InputRow& row) const;
  StatusOr<ScoreResult> Score(const InputRow& row, size_t top_reasons = 4) const;
  // The same with the inputs given in the order of features() (the decision hot path: no
  // names to look up). REQUIRES: values.size() == features().size().
  // `path_reasons`: GBDT reasons from path attributions (TreeEnsemble::ApproxContributions)
  // instead of TreeSHAP, two orders of magnitude cheaper.
  StatusOr<ScoreResult> ScoreValues(const std::vector<FeatureValue>& values, size_t top_reasons = 4,
                                    bool path_reasons = false) const;
  // The reasons alone, as ScoreValues gives them: explaining a decline after the score was
  // taken, without walking the trees for the margin again.
  StatusOr<std::vector<Reason>> ReasonsForValues(const std::vector<FeatureValue>& values,
                                                 size_t top, bool path_reasons = false) const;
  // PD of every row of a dataset that has (at least) the model's feature columns.
  StatusOr<std::vector<double>> ScoreDataset(const Dataset& data) const;
  // The smallest single-feature change that moves the PD across `cutoff` (either way).
  StatusOr<Counterfactual> FindCounterfactual(const InputRow& row, double cutoff) const;

  // The bin of each feature for a row (monitoring); assumes Encode accepted the row.
  std::vector<size_t> FeatureBins(const InputRow& row) const;
  std::vector<size_t> FeatureBins(const std::vector<FeatureValue>& values) const;

  // Log-odds of the bad outcome for encoded inputs.
  double Margin(const float* x) const;

 private:
  float EncodeValue(const ModelFeature& f, const FeatureValue& v) const;
  StatusOr<std::vector<float>> EncodeValues(const std::vector<FeatureValue>& values) const;
  // `value_of(i)`: feature i's input value as text, for the reason.
  std::vector<Reason> Reasons(const float* x, const std::function<std::string(size_t)>& value_of,
                              size_t top, bool path_reasons = false) const;
  StatusOr<float> EncodeChecked(const ModelFeature& f, const FeatureValue& v) const;
  size_t BinOf(const ModelFeature& f, const FeatureValue& v) const;

  ModelKind kind_;
  std::vector<ModelFeature> features_;
  ScoreScaling scaling_;
  ModelInfo info_;
  double intercept_ = 0;  // scorecard
  std::optional<TreeEnsemble> trees_;
  std::string xgboost_json_;
};

}  // namespace finbrain::models
