#include "service/analysis.h"

#include <algorithm>

#include "service/text.h"

namespace finbrain::service {

TextAnalyzer::TextAnalyzer(std::shared_ptr<const Segmenter> segmenter,
                           std::vector<std::string> terms)
    : segmenter_(std::move(segmenter)) {
  for (std::string& term : terms) {
    std::string t = Normalise(term);
    if (CharacterCount(t) >= 2) terms_.push_back(std::move(t));
  }
  std::sort(terms_.begin(), terms_.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  terms_.erase(std::unique(terms_.begin(), terms_.end()), terms_.end());
}

Analysis TextAnalyzer::Analyze(std::string_view raw) const {
  Analysis a;
  a.text = Normalise(raw);
  a.words = segmenter_->Cut(a.text);
  std::erase_if(a.words, [](const std::string& w) { return ContentCharacters(w).empty(); });
  for (const std::string& term : terms_) {
    if (a.text.find(term) != std::string::npos &&
        std::find(a.words.begin(), a.words.end(), term) == a.words.end()) {
      a.words.push_back(term);
    }
  }
  for (std::string_view c : ContentCharacters(a.text)) a.chars.emplace_back(c);
  a.bigrams.reserve(a.chars.empty() ? 0 : a.chars.size() - 1);
  for (size_t i = 1; i < a.chars.size(); ++i) a.bigrams.push_back(a.chars[i - 1] + a.chars[i]);
  a.numbers = Numbers(a.text);
  return a;
}

}  // namespace finbrain::service
