// Word vectors learned from the questions themselves: the positive pointwise mutual information
// of words that occur in the same question, reduced to a few dozen dimensions by a truncated SVD
// (Levy & Goldberg 2014 show this matches word2vec's skip-gram on similarity tasks). Words that
// customers use interchangeably (还款/还钱, 额度/限额) end up close, which the lexical pair
// features cannot see. Fitted without labels, so the pair model trained beside it does not see
// its own targets through it.
//
// Example:
//   WordVectors v = WordVectors::Fit(corpus, {.dims = 64});
//   float cos = v.Similarity("还款", "还钱");
//
// Thread-safety: immutable after fitting or loading.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "service/analysis.h"

namespace finbrain::service {

struct WordVectorOptions {
  enum class Tokens { kWords, kBigrams };
  Tokens tokens = Tokens::kWords;  // which pieces of each Analysis get vectors
  size_t dims = 64;
  size_t min_count = 5;     // words in fewer questions get no vector
  size_t max_words = 6000;  // the most frequent words only
  unsigned seed = 42;
};

class WordVectors {
 public:
  static WordVectors Fit(const std::vector<Analysis>& corpus, const WordVectorOptions& options);
  static const std::vector<std::string>& TokensOf(const Analysis& a, WordVectorOptions::Tokens t) {
    return t == WordVectorOptions::Tokens::kWords ? a.words : a.bigrams;
  }
  static StatusOr<WordVectors> FromJson(const boost::json::value& value);
  boost::json::object ToJson() const;

  // The unit vector of `word`, or null when it has none.
  const float* Find(const std::string& word) const;
  size_t dims() const { return dims_; }
  size_t size() const { return index_.size(); }
  // Cosine of two words' vectors; NaN when either has none.
  float Similarity(const std::string& a, const std::string& b) const;

 private:
  size_t dims_ = 0;
  std::unordered_map<std::string, size_t> index_;
  std::vector<float> vectors_;  // row-major, one unit row per word
};

}  // namespace finbrain::service
