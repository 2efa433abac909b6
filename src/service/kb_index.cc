#include "service/kb_index.h"

#include <xapian.h>

#include <algorithm>
#include <map>
#include <set>

namespace finbrain::service {
namespace {

constexpr std::string_view kWordPrefix = "W";
constexpr std::string_view kBigramPrefix = "B";

std::vector<std::string> Terms(const Analysis& a) {
  std::vector<std::string> terms;
  terms.reserve(a.words.size() + a.bigrams.size());
  for (const std::string& w : a.words) terms.push_back(std::string(kWordPrefix) + w);
  for (const std::string& b : a.bigrams) terms.push_back(std::string(kBigramPrefix) + b);
  return terms;
}

}  // namespace

struct KbIndex::Impl {
  Xapian::WritableDatabase db{std::string(), Xapian::DB_BACKEND_INMEMORY};
};

KbIndex::KbIndex(std::vector<KbEntry> entries, TextAnalyzer analyzer)
    : entries_(std::move(entries)),
      analyzer_(std::move(analyzer)),
      impl_(std::make_unique<Impl>()) {}

KbIndex::~KbIndex() = default;

std::vector<std::string> KbTerms(const std::vector<KbEntry>& entries) {
  std::set<std::string> terms;
  for (const KbEntry& e : entries) {
    if (!e.product.empty()) terms.insert(e.product);
    for (const std::string& tag : e.tags) {
      if (tag != "handoff" && tag != "security" && tag != "account") terms.insert(tag);
    }
  }
  return {terms.begin(), terms.end()};
}

StatusOr<std::unique_ptr<KbIndex>> KbIndex::Build(std::vector<KbEntry> entries,
                                                  std::shared_ptr<const Segmenter> segmenter,
                                                  std::vector<Synonym> synonyms) {
  std::vector<std::string> terms = KbTerms(entries);
  std::unique_ptr<KbIndex> index(
      new KbIndex(std::move(entries),
                  TextAnalyzer(std::move(segmenter), std::move(terms), std::move(synonyms))));
  try {
    index->wordings_.resize(index->entries_.size());
    for (size_t e = 0; e < index->entries_.size(); ++e) {
      const KbEntry& entry = index->entries_[e];
      for (size_t w = 0; w <= entry.alternatives.size(); ++w) {
        Analysis a = index->analyzer_.Analyze(w == 0 ? entry.question : entry.alternatives[w - 1]);
        Xapian::Document doc;
        for (const std::string& term : Terms(a)) doc.add_term(term);
        index->impl_->db.add_document(doc);
        index->documents_.emplace_back(e, w);
        index->wordings_[e].push_back(std::move(a));
      }
    }
    index->impl_->db.commit();
  } catch (const Xapian::Error& e) {
    return InternalError("cannot build the KB index: " + e.get_description());
  }
  return index;
}

std::vector<KbIndex::Hit> KbIndex::Search(const Analysis& query, size_t k) const {
  std::vector<std::string> terms = Terms(query);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  std::vector<Hit> hits;
  if (terms.empty() || k == 0) return hits;
  std::lock_guard lock(search_mu_);
  Xapian::Enquire enquire(impl_->db);
  enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
  enquire.set_weighting_scheme(Xapian::BM25Weight());
  // Several wordings of one entry can fill the top: fetch more and keep each entry's best.
  const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(k * 4 + 8));
  std::set<size_t> seen;
  for (Xapian::MSetIterator it = mset.begin(); it != mset.end() && hits.size() < k; ++it) {
    const auto [entry, wording] = documents_[*it - 1];
    if (!seen.insert(entry).second) continue;
    hits.push_back({entry, wording, it.get_weight()});
  }
  return hits;
}

const Analysis& KbIndex::wording(size_t entry, size_t wording) const {
  return wordings_[entry][wording];
}

}  // namespace finbrain::service
