#include "service/segmenter.h"

#include <cppjieba/MixSegment.hpp>
#include <filesystem>
#include <fstream>

#include "service/text.h"

namespace finbrain::service {

struct Segmenter::Impl {
  Impl(const std::string& dict, const std::string& hmm) : trie(dict), model(hmm) {}
  cppjieba::DictTrie trie;
  cppjieba::HMMModel model;
  std::unique_ptr<cppjieba::MixSegment> mix;
};

Segmenter::~Segmenter() = default;

StatusOr<std::shared_ptr<const Segmenter>> Segmenter::Load(const SegmenterOptions& options) {
  namespace fs = std::filesystem;
  const std::string dict = (fs::path(options.dict_dir) / "jieba.dict.utf8").string();
  const std::string hmm = (fs::path(options.dict_dir) / "hmm_model.utf8").string();
  // cppjieba aborts the process on a missing file: check first.
  for (const std::string& path : {dict, hmm}) {
    if (!fs::is_regular_file(path)) {
      return NotFoundError("segmentation dictionary " + path + " not found", "dict_dir");
    }
  }
  std::vector<std::string> words;
  for (const std::string& path : options.lexicons) {
    std::ifstream in(path);
    if (!in) return NotFoundError("lexicon " + path + " cannot be read", "lexicons");
    std::string line;
    while (std::getline(in, line)) {
      const size_t end = line.find_first_of(" \t\r");
      std::string word = Normalise(line.substr(0, end));
      if (word.empty() || word[0] == '#' || word.find(' ') != std::string::npos) continue;
      words.push_back(std::move(word));
    }
  }
  std::shared_ptr<Segmenter> segmenter(new Segmenter());
  segmenter->impl_ = std::make_unique<Impl>(dict, hmm);
  for (const std::string& word : words) {
    segmenter->lexicon_words_ += segmenter->impl_->trie.InsertUserWord(word) ? 1 : 0;
  }
  segmenter->impl_->mix =
      std::make_unique<cppjieba::MixSegment>(&segmenter->impl_->trie, &segmenter->impl_->model);
  return std::shared_ptr<const Segmenter>(std::move(segmenter));
}

std::vector<std::string> Segmenter::Cut(std::string_view text) const {
  std::vector<std::string> words;
  impl_->mix->Cut(std::string(text), words, true);
  std::erase_if(
      words, [](const std::string& w) { return w.find_first_not_of(" \t") == std::string::npos; });
  return words;
}

}  // namespace finbrain::service
