#include "service/matcher.h"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "common/files.h"
#include "common/json_text.h"
#include "ingest/jsonl.h"
#include "models/dataset.h"
#include "models/gbdt.h"
#include "models/metrics.h"

namespace finbrain::service {
namespace {

namespace json = boost::json;

constexpr std::string_view kFormat = "finbrain-question-matcher/1";

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

constexpr size_t kVectorFeatureCount = 5;

// How a token is weighted: IdfTable::Word for words, IdfTable::Char for bigrams.
using Weight = double (IdfTable::*)(const std::string&) const;

// Mean over `from`'s tokens with a vector of the best cosine to any of `to`'s (idf-weighted).

float SoftCoverage(const std::vector<std::string>& from, const std::vector<std::string>& to,
                   const WordVectors& vectors, const IdfTable& idf, Weight weight_of) {
  // `to`'s vectors looked up once, not once per word of `from`.
  std::vector<const float*> to_vectors(to.size());
  for (size_t i = 0; i < to.size(); ++i) to_vectors[i] = vectors.Find(to[i]);
  double sum = 0, weight = 0;
  for (const std::string& w : from) {
    const float* v = vectors.Find(w);
    if (v == nullptr) continue;
    float best = -1;
    for (size_t i = 0; i < to.size(); ++i) {
      if (to[i] == w) {
        best = 1;
        break;
      }
      if (const float* u = to_vectors[i]) {
        float dot = 0;
        for (size_t d = 0; d < vectors.dims(); ++d) dot += v[d] * u[d];
        best = std::max(best, dot);
      }
    }
    const double wt = (idf.*weight_of)(w);
    sum += wt * static_cast<double>(best);
    weight += wt;
  }
  return weight == 0 ? kMissing : static_cast<float>(sum / weight);
}

std::vector<float> Centroid(const std::vector<std::string>& words, const WordVectors& vectors,
                            const IdfTable& idf, Weight weight_of) {
  std::vector<float> c(vectors.dims(), 0.f);
  for (const std::string& w : words) {
    if (const float* v = vectors.Find(w)) {
      const auto wt = static_cast<float>((idf.*weight_of)(w));
      for (size_t d = 0; d < c.size(); ++d) c[d] += wt * v[d];
    }
  }
  return c;
}

float Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  float dot = 0, na = 0, nb = 0;
  for (size_t d = 0; d < a.size(); ++d) {
    dot += a[d] * b[d];
    na += a[d] * a[d];
    nb += b[d] * b[d];
  }
  return na == 0 || nb == 0 ? kMissing : dot / std::sqrt(na * nb);
}

// Soft overlaps through the word vectors: whole questions, and the words only one side has.
void AppendVectorFeatures(const std::vector<std::string>& a, const std::vector<std::string>& b,
                          const WordVectors& vectors, const IdfTable& idf, Weight weight,
                          std::vector<float>& row) {
  row.push_back(Cosine(Centroid(a, vectors, idf, weight), Centroid(b, vectors, idf, weight)));
  const float ab = SoftCoverage(a, b, vectors, idf, weight);
  const float ba = SoftCoverage(b, a, vectors, idf, weight);
  row.push_back(std::isnan(ab) || std::isnan(ba) ? kMissing : std::min(ab, ba));
  row.push_back(std::isnan(ab) || std::isnan(ba) ? kMissing : std::max(ab, ba));
  std::vector<std::string> only_a, only_b;
  for (const std::string& w : a) {
    if (std::find(b.begin(), b.end(), w) == b.end()) only_a.push_back(w);
  }
  for (const std::string& w : b) {
    if (std::find(a.begin(), a.end(), w) == a.end()) only_b.push_back(w);
  }
  const float oa = SoftCoverage(only_a, only_b, vectors, idf, weight);
  const float ob = SoftCoverage(only_b, only_a, vectors, idf, weight);
  row.push_back(std::isnan(oa) || std::isnan(ob) ? kMissing : std::min(oa, ob));
  row.push_back(
      Cosine(Centroid(only_a, vectors, idf, weight), Centroid(only_b, vectors, idf, weight)));
}

}  // namespace

size_t MatcherLexicon::features() const {
  return kPairFeatureCount + 2 * kVectorFeatureCount + vocabulary.size();
}

// The pair features, the word and bigram vector features, then one per vocabulary word,
// appended to `row`.
void MatcherLexicon::IndexVocabulary() {
  vocabulary_index.clear();
  for (size_t i = 0; i < vocabulary.size(); ++i)
    vocabulary_index.emplace(vocabulary[i], static_cast<std::uint32_t>(i));
}

void MatcherLexicon::AppendRow(const Analysis& a, const Analysis& b,
                               std::vector<float>& row) const {
  const PairFeatureRow base = PairFeatures(a, b, idf);
  row.insert(row.end(), base.begin(), base.end());
  AppendVectorFeatures(a.words, b.words, word_vectors, idf, &IdfTable::Word, row);
  AppendVectorFeatures(a.bigrams, b.bigrams, bigram_vectors, idf, &IdfTable::Char, row);
  // Per vocabulary word: in neither (missing), in both (0) or in one (1). Only the pair's own
  // words are looked up: a message has a handful of words, the vocabulary hundreds.
  const size_t start = row.size();
  row.resize(start + vocabulary.size(), kMissing);
  thread_local std::vector<std::uint8_t> seen;  // bit 1: in a, bit 2: in b
  thread_local std::vector<std::uint32_t> touched;
  seen.resize(vocabulary.size());
  const auto mark = [&](const std::vector<std::string>& words, std::uint8_t bit) {
    for (const std::string& w : words) {
      const auto it = vocabulary_index.find(w);
      if (it == vocabulary_index.end()) continue;
      if (seen[it->second] == 0) touched.push_back(it->second);
      seen[it->second] |= bit;
    }
  };
  mark(a.words, 1);
  mark(b.words, 2);
  for (const std::uint32_t i : touched) {
    row[start + i] = seen[i] == 3 ? 0.f : 1.f;
    seen[i] = 0;
  }
  touched.clear();
}

std::vector<std::string> MostFrequentWords(const std::vector<Analysis>& corpus, size_t n) {
  std::map<std::string, size_t> counts;
  for (const Analysis& a : corpus) {
    for (const std::string& w : std::set<std::string>(a.words.begin(), a.words.end())) ++counts[w];
  }
  std::vector<std::pair<size_t, std::string>> ranked;
  for (auto& [w, c] : counts) ranked.emplace_back(c, w);
  std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<std::string> words;
  for (size_t i = 0; i < std::min(n, ranked.size()); ++i) words.push_back(ranked[i].second);
  return words;
}

namespace {

models::GbdtData Rows(const std::vector<QuestionPair>& pairs, const std::vector<size_t>& picked,
                      const std::vector<Analysis>& corpus, const MatcherLexicon& lexicon) {
  models::GbdtData d{.columns = lexicon.features()};
  d.x.reserve(picked.size() * d.columns);
  for (size_t i : picked) {
    lexicon.AppendRow(corpus[2 * i], corpus[2 * i + 1], d.x);
    d.y.push_back(static_cast<float>(pairs[i].label));
  }
  return d;
}

}  // namespace

StatusOr<QuestionMatcher> QuestionMatcher::FromJson(std::string_view text) {
  boost::system::error_code ec;
  const json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return InvalidArgumentError("matcher file is not a JSON object");
  const json::object& o = root.as_object();
  const json::value* format = o.if_contains("format");
  if (format == nullptr || !format->is_string() || format->as_string() != kFormat) {
    return InvalidArgumentError("matcher file format is not " + std::string(kFormat), "format");
  }
  MatcherLexicon lexicon;
  if (const json::value* v = o.if_contains("vocabulary"); v != nullptr && v->is_array()) {
    for (const json::value& w : v->as_array()) {
      if (!w.is_string()) return InvalidArgumentError("must hold strings", "vocabulary");
      lexicon.vocabulary.emplace_back(w.as_string());
    }
  }
  lexicon.IndexVocabulary();
  const json::value* features = o.if_contains("features");
  if (features == nullptr || !features->is_array() ||
      features->as_array().size() != kPairFeatureCount) {
    return InvalidArgumentError("matcher file was trained on other pair features", "features");
  }
  for (size_t i = 0; i < kPairFeatureCount; ++i) {
    const json::value& name = features->as_array()[i];
    if (!name.is_string() || name.as_string() != PairFeatureNames()[i]) {
      return InvalidArgumentError("matcher file was trained on other pair features", "features");
    }
  }
  const json::value* idf = o.if_contains("idf");
  const json::value* model = o.if_contains("model");
  if (idf == nullptr || model == nullptr) {
    return InvalidArgumentError("matcher file has no idf or model", "model");
  }
  FB_ASSIGN_OR_RETURN(lexicon.idf, IdfTable::FromJson(*idf));
  for (auto [key, target] : {std::pair{"word_vectors", &lexicon.word_vectors},
                             std::pair{"bigram_vectors", &lexicon.bigram_vectors}}) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return InvalidArgumentError("matcher file has no " + std::string(key), key);
    FB_ASSIGN_OR_RETURN(*target, WordVectors::FromJson(*v));
  }
  FB_ASSIGN_OR_RETURN(models::TreeEnsemble trees,
                      models::TreeEnsemble::FromXgboostJson(json::serialize(*model)));
  if (trees.num_features() != lexicon.features()) {
    return InvalidArgumentError(
        "matcher model expects " + std::to_string(trees.num_features()) + " features", "model");
  }
  return QuestionMatcher(std::move(lexicon), std::move(trees));
}

StatusOr<QuestionMatcher> QuestionMatcher::Load(const std::string& path) {
  FB_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(path));
  StatusOr<QuestionMatcher> m = FromJson(text);
  if (!m.ok()) return InvalidArgumentError(path + ": " + m.status().message(), "matcher");
  return m;
}

double QuestionMatcher::SameQuestion(const Analysis& a, const Analysis& b,
                                     PairFeatureRow* pair) const {
  thread_local std::vector<float> row;
  row.clear();
  lexicon_.AppendRow(a, b, row);
  if (pair != nullptr) std::copy_n(row.begin(), kPairFeatureCount, pair->begin());
  return trees_.Predict(row.data());
}

StatusOr<std::vector<QuestionPair>> ReadQuestionPairs(const std::string& path) {
  FB_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(path));
  std::vector<QuestionPair> pairs;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    FB_RETURN_IF_ERROR(ingest::ForEachJsonObject(
        {path}, [&](const json::object& o, std::string_view position) -> Status {
          const json::string* a = o.contains("sentence1") ? o.at("sentence1").if_string() : nullptr;
          const json::string* b = o.contains("sentence2") ? o.at("sentence2").if_string() : nullptr;
          const json::value* label = o.if_contains("label");
          int y = -1;
          if (label != nullptr && label->is_string()) {
            y = label->as_string() == "1" ? 1 : (label->as_string() == "0" ? 0 : -1);
          } else if (label != nullptr && label->is_int64()) {
            y = static_cast<int>(label->as_int64());
          }
          if (a == nullptr || b == nullptr || (y != 0 && y != 1)) {
            return InvalidArgumentError(
                std::string(position) + ": needs sentence1, sentence2 and a 0/1 label", "label");
          }
          pairs.push_back({std::string(*a), std::string(*b), y});
          return OkStatus();
        }));
    return pairs;
  }
  FB_ASSIGN_OR_RETURN(models::Dataset data,
                      models::ParseCsv(text, {.categorical = {"sentence1", "sentence2"}}));
  const models::Column* a = data.Find("sentence1");
  const models::Column* b = data.Find("sentence2");
  if (a == nullptr || b == nullptr) {
    return InvalidArgumentError(path + ": needs columns sentence1, sentence2, label", "sentence1");
  }
  FB_ASSIGN_OR_RETURN(std::vector<std::uint8_t> y, models::ExtractTarget(data, "label", {}));
  for (size_t r = 0; r < data.rows; ++r) pairs.push_back({a->Text(r), b->Text(r), y[r]});
  return pairs;
}

StatusOr<MatcherTraining> TrainQuestionMatcher(const std::vector<QuestionPair>& train,
                                               const TextAnalyzer& analyzer,
                                               const MatcherTrainingOptions& options) {
  if (train.size() < 100) return InvalidArgumentError("at least 100 pairs are needed", "pairs");
  const auto progress = [&](std::string_view stage, double done) {
    if (options.on_progress) options.on_progress(stage, done);
  };
  progress("analysing questions", 0);
  std::vector<Analysis> corpus;
  corpus.reserve(train.size() * 2);
  for (const QuestionPair& p : train) {
    corpus.push_back(analyzer.Analyze(p.a));
    corpus.push_back(analyzer.Analyze(p.b));
  }
  MatcherLexicon lexicon;
  lexicon.idf = IdfTable::Fit(corpus);
  lexicon.vocabulary = MostFrequentWords(corpus, options.vocabulary);
  lexicon.IndexVocabulary();
  progress("word vectors", 0.1);
  lexicon.word_vectors = WordVectors::Fit(corpus, {.dims = options.vector_dims});
  lexicon.bigram_vectors = WordVectors::Fit(
      corpus, {.tokens = WordVectorOptions::Tokens::kBigrams, .dims = options.vector_dims});
  progress("pair features", 0.2);
  std::vector<size_t> order(train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(options.seed);
  std::shuffle(order.begin(), order.end(), rng);
  const size_t held_out = order.size() / 10;
  const std::vector<size_t> valid_rows(order.begin(),
                                       order.begin() + static_cast<std::ptrdiff_t>(held_out));
  const std::vector<size_t> train_rows(order.begin() + static_cast<std::ptrdiff_t>(held_out),
                                       order.end());
  const models::GbdtData fit = Rows(train, train_rows, corpus, lexicon);
  const models::GbdtData valid = Rows(train, valid_rows, corpus, lexicon);
  models::GbdtParams params{.max_rounds = options.max_rounds,
                            .max_depth = options.max_depth,
                            .learning_rate = options.learning_rate,
                            .seed = options.seed};
  params.on_round = [&](int round, double) {
    progress("boosting", 0.3 + 0.7 * round / std::max(1, options.max_rounds));
  };
  FB_ASSIGN_OR_RETURN(models::GbdtResult gbdt, models::TrainGbdt(fit, &valid, params));
  json::object file;
  file["format"] = kFormat;
  json::array names;
  for (std::string_view name : PairFeatureNames()) names.emplace_back(name);
  file["features"] = std::move(names);
  json::array words(lexicon.vocabulary.begin(), lexicon.vocabulary.end());
  file["vocabulary"] = std::move(words);
  file["training"] = {{"pairs", train.size()},
                      {"rounds", gbdt.rounds},
                      {"held_out_auc", std::round(gbdt.validation_auc * 1e4) / 1e4}};
  file["idf"] = lexicon.idf.ToJson();
  file["word_vectors"] = lexicon.word_vectors.ToJson();
  file["bigram_vectors"] = lexicon.bigram_vectors.ToJson();
  file["model"] = json::parse(gbdt.model_json);
  return MatcherTraining{ToJsonText(file), gbdt.rounds};
}

MatcherEvaluation EvaluateQuestionMatcher(const QuestionMatcher& matcher,
                                          const std::vector<QuestionPair>& pairs,
                                          const TextAnalyzer& analyzer) {
  MatcherEvaluation e;
  e.pairs = pairs.size();
  std::vector<double> p, jaccard;
  std::vector<std::uint8_t> y;
  size_t correct = 0, tp = 0, fp = 0, fn = 0;
  for (const QuestionPair& pair : pairs) {
    const Analysis a = analyzer.Analyze(pair.a), b = analyzer.Analyze(pair.b);
    const double prob = matcher.SameQuestion(a, b);
    const PairFeatureRow row = PairFeatures(a, b, matcher.lexicon().idf);
    p.push_back(prob);
    jaccard.push_back(std::isnan(row[1]) ? 0 : row[1]);
    y.push_back(static_cast<std::uint8_t>(pair.label));
    const bool said = prob >= 0.5;
    correct += said == (pair.label == 1);
    tp += said && pair.label == 1;
    fp += said && pair.label == 0;
    fn += !said && pair.label == 1;
    e.positives += pair.label == 1;
  }
  if (pairs.empty()) return e;
  const double n = static_cast<double>(pairs.size());
  e.accuracy = static_cast<double>(correct) / n;
  e.auc = models::Auc(p, y);
  e.bigram_jaccard_auc = models::Auc(jaccard, y);
  e.positive_f1 =
      tp == 0 ? 0 : 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
  e.majority_accuracy =
      std::max(static_cast<double>(e.positives), n - static_cast<double>(e.positives)) / n;
  return e;
}

}  // namespace finbrain::service
