#include "service/analysis.h"

#include <algorithm>
#include <sstream>

#include "service/text.h"

namespace finbrain::service {

std::vector<Synonym> ParseSynonyms(std::string_view text) {
  std::vector<Synonym> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    const std::string canonical = Normalise(line.substr(0, colon));
    std::istringstream variants(line.substr(colon + 1));
    for (std::string v; variants >> v;) out.push_back({Normalise(v), canonical});
  }
  return out;
}

TextAnalyzer::TextAnalyzer(std::shared_ptr<const Segmenter> segmenter,
                           std::vector<std::string> terms, std::vector<Synonym> synonyms)
    : segmenter_(std::move(segmenter)) {
  for (Synonym& s : synonyms) {
    s.variant = Normalise(s.variant);
    s.canonical = Normalise(s.canonical);
    if (!s.variant.empty() && !s.canonical.empty()) synonyms_.push_back(std::move(s));
  }
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
  for (const Synonym& s : synonyms_) {
    if (a.text.find(s.variant) != std::string::npos &&
        std::find(a.words.begin(), a.words.end(), s.canonical) == a.words.end()) {
      a.words.push_back(s.canonical);
    }
  }
  for (std::string_view c : ContentCharacters(a.text)) a.chars.emplace_back(c);
  a.bigrams.reserve(a.chars.empty() ? 0 : a.chars.size() - 1);
  for (size_t i = 1; i < a.chars.size(); ++i) a.bigrams.push_back(a.chars[i - 1] + a.chars[i]);
  a.numbers = Numbers(a.text);
  return a;
}

}  // namespace finbrain::service
