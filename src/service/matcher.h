// The question matcher: the probability that two customer questions ask the same thing, from
// the pair features (service/pair_features.h) through gradient-boosted trees trained on real
// question pairs (AFQMC, Alipay customer service). The bot re-ranks the KB wordings that
// retrieval found with it.
//
// Besides the symmetric pair features, word and character-bigram vectors fitted on the
// training questions (service/word_vectors.h) give soft overlaps that see synonyms, and each of the
// training data's most frequent words is a feature of its own: missing when neither text has it, 0
// when both do, 1 when only one does. That lets the trees learn which differences change a question
// (花呗 against 借呗) and which do not (请问, 一下).
//
// The model file is JSON: {"format": "finbrain-question-matcher/1", "features": [...],
// "vocabulary": [...], "idf": {...}, "word_vectors": {...}, "bigram_vectors": {...}, "model":
// <XGBoost JSON model>, "training": {...}}.
//
// Example:
//   FB_ASSIGN_OR_RETURN(QuestionMatcher m, QuestionMatcher::Load(path));
//   double p = m.SameQuestion(analyzer.Analyze(a), analyzer.Analyze(b));
//
// Thread-safety: immutable after loading.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "models/tree_ensemble.h"
#include "service/analysis.h"
#include "service/pair_features.h"
#include "service/word_vectors.h"

namespace finbrain::service {

// What the matcher's features need besides the two texts, fitted on the training questions.
struct MatcherLexicon {
  IdfTable idf;
  WordVectors word_vectors, bigram_vectors;
  std::vector<std::string> vocabulary;  // words that are features of their own
  // vocabulary word -> its position; call IndexVocabulary() after setting `vocabulary`.
  std::unordered_map<std::string, std::uint32_t> vocabulary_index;

  void IndexVocabulary();
  size_t features() const;
  void AppendRow(const Analysis& a, const Analysis& b, std::vector<float>& row) const;
};

class QuestionMatcher {
 public:
  static StatusOr<QuestionMatcher> Load(const std::string& path);
  static StatusOr<QuestionMatcher> FromJson(std::string_view text);

  // With `pair`, also the pair features the score was computed from.
  double SameQuestion(const Analysis& a, const Analysis& b, PairFeatureRow* pair = nullptr) const;
  const MatcherLexicon& lexicon() const { return lexicon_; }

 private:
  QuestionMatcher(MatcherLexicon lexicon, models::TreeEnsemble trees)
      : lexicon_(std::move(lexicon)), trees_(std::move(trees)) {}
  MatcherLexicon lexicon_;
  models::TreeEnsemble trees_;
};

// A labelled pair of questions (1: same meaning).
struct QuestionPair {
  std::string a, b;
  int label = 0;
};

// Reads pairs from CSV with a header (`sentence1,sentence2,label`) or JSON lines with those keys
// (the label as a number or a string "0"/"1").
StatusOr<std::vector<QuestionPair>> ReadQuestionPairs(const std::string& path);

struct MatcherTrainingOptions {
  size_t vocabulary = 500;  // most frequent words that become features of their own
  size_t vector_dims = 64;
  int max_rounds = 1000;
  int max_depth = 6;
  double learning_rate = 0.05;
  unsigned seed = 42;
  // Called with what is being done and the share done (0-1): progress for the CLI.
  std::function<void(std::string_view stage, double done)> on_progress;
};

struct MatcherTraining {
  std::string model_file;  // the JSON model file's text
  int rounds = 0;
};

// Trains on `train`; a tenth of it (by a fixed seed) stops the boosting early.
StatusOr<MatcherTraining> TrainQuestionMatcher(const std::vector<QuestionPair>& train,
                                               const TextAnalyzer& analyzer,
                                               const MatcherTrainingOptions& options);

struct MatcherEvaluation {
  size_t pairs = 0, positives = 0;
  double accuracy = 0;  // at probability 0.5
  double auc = 0;
  double positive_f1 = 0;         // F1 of the "same question" class at 0.5
  double majority_accuracy = 0;   // always answering the commoner label
  double bigram_jaccard_auc = 0;  // one lexical feature alone, for reference
};

MatcherEvaluation EvaluateQuestionMatcher(const QuestionMatcher& matcher,
                                          const std::vector<QuestionPair>& pairs,
                                          const TextAnalyzer& analyzer);

}  // namespace finbrain::service
