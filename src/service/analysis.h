// What the matcher knows of one text: its normal form, words, characters, character bigrams and
// numbers. Built once per KB wording when an index is built and once per customer message.
//
// Example:
//   TextAnalyzer analyzer(segmenter, {"白条", "金条"});
//   Analysis a = analyzer.Analyze("白條怎麼還款");  // a.words == {"白条", "怎么", "还款"}
//
// Thread-safety: TextAnalyzer is immutable; Analyze may run on any number of threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "service/segmenter.h"

namespace finbrain::service {

struct Analysis {
  std::string text;                  // normalised (service/text.h)
  std::vector<std::string> words;    // segmenter words, then the extra terms found in the text
  std::vector<std::string> chars;    // content characters (ideographs, letters, digits)
  std::vector<std::string> bigrams;  // adjacent content characters
  std::vector<std::string> numbers;
};

// A colloquial wording and the word the KB would use for it ("想不起来" -> "忘记").
struct Synonym {
  std::string variant, canonical;
};
// Lines "canonical: variant variant ..."; '#' starts a comment line.
std::vector<Synonym> ParseSynonyms(std::string_view text);

class TextAnalyzer {
 public:
  // `terms`: words to find in every text besides the segmenter's (a KB's products and own
  // vocabulary), so that a term the dictionary splits still counts as one word. `synonyms`: a
  // text containing a variant also has its canonical word (the variant's words stay).
  TextAnalyzer(std::shared_ptr<const Segmenter> segmenter, std::vector<std::string> terms = {},
               std::vector<Synonym> synonyms = {});

  Analysis Analyze(std::string_view text) const;
  const Segmenter& segmenter() const { return *segmenter_; }

 private:
  std::shared_ptr<const Segmenter> segmenter_;
  std::vector<std::string> terms_;  // normalised, longest first
  std::vector<Synonym> synonyms_;   // normalised
};

}  // namespace finbrain::service
