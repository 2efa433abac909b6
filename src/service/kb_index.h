// Retrieval over a knowledge base: every question and alternative wording of every entry is a
// document in an in-memory Xapian database, indexed by its words and character bigrams, and a
// message retrieves the entries whose wordings score best under BM25 (Xapian's default
// weighting). The character bigrams keep recall when segmentation differs between a paraphrase
// and the KB's wording; the words give precision.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto index, KbIndex::Build(entries, segmenter));
//   for (const KbIndex::Hit& hit : index->Search(index->analyzer().Analyze(text), 5)) ...
//
// Thread-safety: Search may be called from any number of threads (Xapian's database is not
// thread-safe: searches are serialised inside).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "service/analysis.h"
#include "service/knowledge_base.h"

namespace finbrain::service {

class KbIndex {
 public:
  static StatusOr<std::unique_ptr<KbIndex>> Build(std::vector<KbEntry> entries,
                                                  std::shared_ptr<const Segmenter> segmenter,
                                                  std::vector<Synonym> synonyms = {});
  ~KbIndex();

  struct Hit {
    size_t entry = 0;    // index into entries()
    size_t wording = 0;  // 0: the question; i > 0: alternatives[i - 1]
    double bm25 = 0;     // of that wording
  };
  // The best `k` entries, each with its best-scoring wording, best first.
  std::vector<Hit> Search(const Analysis& query, size_t k) const;

  const std::vector<KbEntry>& entries() const { return entries_; }
  // The analysis of one wording (for the pair features).
  const Analysis& wording(size_t entry, size_t wording) const;
  const TextAnalyzer& analyzer() const { return analyzer_; }
  size_t documents() const { return documents_.size(); }

 private:
  struct Impl;
  KbIndex(std::vector<KbEntry> entries, TextAnalyzer analyzer);
  std::vector<KbEntry> entries_;
  TextAnalyzer analyzer_;
  std::vector<std::vector<Analysis>> wordings_;       // per entry: question, then alternatives
  std::vector<std::pair<size_t, size_t>> documents_;  // Xapian docid - 1 -> (entry, wording)
  std::unique_ptr<Impl> impl_;
  mutable std::mutex search_mu_;
};

// The product and vocabulary terms of a KB, for its TextAnalyzer: each entry's `product` and
// every tag that is not one of the bot's own tags.
std::vector<std::string> KbTerms(const std::vector<KbEntry>& entries);

}  // namespace finbrain::service
