// Features of a pair of texts for the question matcher: do two customer questions ask the same
// thing? Lexical overlap at three granularities, edit distances, tf-idf cosines, and the
// mismatches that make near-identical wordings different questions in consumer finance: another
// product (花呗 vs 借呗), another number, a negation, another kind of question (why vs how),
// another action (开通 vs 关闭). Every feature is symmetric in the two texts.
//
// Example:
//   IdfTable idf = IdfTable::Fit(corpus);
//   PairFeatureRow row = PairFeatures(analyzer.Analyze(a), analyzer.Analyze(b), idf);
#pragma once

#include <array>
#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "service/analysis.h"

namespace finbrain::service {

// Inverse document frequencies of words and characters/bigrams over a corpus of questions.
class IdfTable {
 public:
  // Terms seen in fewer than `min_count` texts are left out (they get the unseen value).
  static IdfTable Fit(const std::vector<Analysis>& corpus, size_t min_count = 2);
  static StatusOr<IdfTable> FromJson(const boost::json::value& value);
  boost::json::object ToJson() const;

  double Word(const std::string& word) const;
  double Char(const std::string& char_or_bigram) const;

 private:
  std::unordered_map<std::string, float> words_, chars_;
  double unseen_ = 0;  // idf of a term seen in fewer than min_count texts
};

inline constexpr size_t kPairFeatureCount = 26;
using PairFeatureRow = std::array<float, kPairFeatureCount>;

const std::array<std::string_view, kPairFeatureCount>& PairFeatureNames();

PairFeatureRow PairFeatures(const Analysis& a, const Analysis& b, const IdfTable& idf);

}  // namespace finbrain::service
