// Evaluation of a trained model on labelled data: metrics.json and a self-contained HTML
// report with plots (ROC, KS, calibration, score distributions by class, gains, fairness by
// group, stability).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "models/dataset.h"
#include "models/model.h"

namespace finbrain::models {

struct EvaluationOptions {
  // Declined when PD >= cutoff; below zero means "the training event rate".
  double cutoff = -1;
  // Groups for fairness; empty means the model's protected attributes.
  std::vector<ProtectedAttribute> protected_attributes;
  std::string title;
  // Which data this is (written to metrics.json as "data", so a report says what it measured,
  // and whether that was the model's own training data).
  std::string data_name;
  std::string data_sha256;
};

struct Evaluation {
  std::map<std::string, double> headline;  // auc, ks, gini, logloss, brier, psi, ...
  std::string metrics_json;
  std::string report_html;
};

StatusOr<Evaluation> Evaluate(const Model& model, const Dataset& data,
                              const std::vector<std::uint8_t>& y, const EvaluationOptions& options);

// `finbrain evaluate`: the model folder on a labelled CSV (its categorical features read as
// such), with metrics.json and report.html written into `out_dir`.
StatusOr<Evaluation> EvaluateFiles(const std::string& model_dir, const std::string& data,
                                   const std::string& target, const std::string& positive,
                                   double cutoff, const std::string& out_dir);

// The group label of each row for a protected attribute (cuts for numeric columns; default
// quartiles). Missing values form their own group.
std::vector<std::string> GroupLabels(const Column& column, std::vector<double> cuts);

}  // namespace finbrain::models
