// Sentiment of a customer's message without a neural network: NB-SVM (Wang & Manning 2012,
// "Baselines and bigrams") over character 1-3-grams — naive-Bayes log-count ratios scale each
// n-gram, then liblinear fits an L2-regularised logistic regression on the scaled features.
// Both fold into one weight per n-gram, so scoring is a sum of a few dozen lookups.
//
// The model file is JSON: {"format": "finbrain-sentiment/1", "max_n": 3, "bias": b,
// "weights": {"n-gram": w, ...}, "training": {...}}.
//
// Example:
//   FB_ASSIGN_OR_RETURN(SentimentModel m, SentimentModel::Load(ServiceFile("sentiment.json")));
//   double p = m.Negative("你们这服务太差了, 我要投诉");  // ~0.97
//
// Thread-safety: immutable after loading.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace finbrain::service {

// A labelled text: 1 positive, 0 negative.
struct LabelledText {
  std::string text;
  int label = 0;
};

// Reads `label<TAB>text` (with a header, ChnSentiCorp's TSV) or CSV `label,review` (with a
// header), the label 0 or 1.
StatusOr<std::vector<LabelledText>> ReadLabelledTexts(const std::string& path);

class SentimentModel {
 public:
  static StatusOr<SentimentModel> Load(const std::string& path);
  static StatusOr<SentimentModel> FromJson(std::string_view text);

  // The probability that `text` is negative (0-1).
  double Negative(std::string_view text) const;
  size_t size() const { return weights_.size(); }

 private:
  SentimentModel() = default;
  int max_n_ = 3;
  double bias_ = 0;
  std::unordered_map<std::string, float> weights_;  // toward positive
};

struct SentimentTrainingOptions {
  int max_n = 3;
  std::vector<double> costs = {0.1, 0.3, 1, 3};  // liblinear's C, chosen on the validation texts
  size_t min_count = 2;                          // n-grams in fewer texts are dropped
  double min_weight =
      0.02;  // smaller folded weights are dropped (test accuracy unchanged, 1/3 the file)
  std::function<void(std::string_view stage, double done)> on_progress;
};

struct SentimentTraining {
  std::string model_file;
  double cost = 0;
  double validation_accuracy = 0;
};

// Trains on `train`; `validation` picks the cost.
StatusOr<SentimentTraining> TrainSentiment(const std::vector<LabelledText>& train,
                                           const std::vector<LabelledText>& validation,
                                           const SentimentTrainingOptions& options);

struct SentimentEvaluation {
  size_t texts = 0, negatives = 0;
  double accuracy = 0, auc = 0, majority_accuracy = 0;
};

SentimentEvaluation EvaluateSentiment(const SentimentModel& model,
                                      const std::vector<LabelledText>& texts);

}  // namespace finbrain::service
