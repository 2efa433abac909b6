// Chinese word segmentation for the FAQ bot: cppjieba's mixed segmenter (maximum-probability
// paths over jieba's dictionary, an HMM for words the dictionary lacks) with finance lexicons
// added as user words, so that 白条, 提前还款, 手续费 or 征信 stay one word.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto seg, Segmenter::Load({.dict_dir = dir, .lexicons = {terms}}));
//   seg->Cut("白条怎么提前还款") == {"白条", "怎么", "提前还款"}
//
// Thread-safety: immutable after Load; Cut may run on any number of threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace finbrain::service {

struct SegmenterOptions {
  // Folder with jieba.dict.utf8 and hmm_model.utf8 (cppjieba's dictionaries).
  std::string dict_dir;
  // Word lists, one word per line, optionally followed by white space and a number (ignored):
  // the product's finance terms, THUOCL's finance lexicon, a tenant's own terms. Lines starting
  // with '#' are comments.
  std::vector<std::string> lexicons;
};

class Segmenter {
 public:
  // Loads the dictionaries (~0.5 s, ~60 MB); share one instance per process.
  static StatusOr<std::shared_ptr<const Segmenter>> Load(const SegmenterOptions& options);
  ~Segmenter();

  // Words of normalised text (service/text.h), white space dropped.
  std::vector<std::string> Cut(std::string_view text) const;
  // Words added from the lexicons.
  size_t lexicon_words() const { return lexicon_words_; }

 private:
  struct Impl;
  Segmenter() = default;
  std::unique_ptr<Impl> impl_;
  size_t lexicon_words_ = 0;
};

}  // namespace finbrain::service
