#include "service/word_vectors.h"

#include <sodium.h>

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <set>

namespace finbrain::service {
namespace {

namespace json = boost::json;

constexpr float kScale = 127.f;

float Dot(const float* a, const float* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

WordVectors WordVectors::Fit(const std::vector<Analysis>& corpus,
                             const WordVectorOptions& options) {
  // Vocabulary: the most frequent words (by questions containing them) above min_count.
  std::map<std::string, size_t> df;
  const auto tokens = [&](const Analysis& a) {
    const std::vector<std::string>& t = TokensOf(a, options.tokens);
    return std::set<std::string>(t.begin(), t.end());
  };
  for (const Analysis& a : corpus) {
    for (const std::string& w : tokens(a)) ++df[w];
  }
  std::vector<std::pair<size_t, std::string>> ranked;
  for (const auto& [w, n] : df) {
    if (n >= options.min_count) ranked.emplace_back(n, w);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  if (ranked.size() > options.max_words) ranked.resize(options.max_words);
  WordVectors v;
  for (size_t i = 0; i < ranked.size(); ++i) v.index_.emplace(ranked[i].second, i);
  const auto n = static_cast<Eigen::Index>(ranked.size());
  const auto dims = static_cast<Eigen::Index>(std::min<size_t>(options.dims, ranked.size()));
  if (dims == 0) return v;

  // Co-occurrence within a question, then PPMI with context smoothing (alpha 0.75).
  std::map<std::pair<size_t, size_t>, double> pairs;
  std::vector<double> word_total(ranked.size(), 0);
  for (const Analysis& a : corpus) {
    std::vector<size_t> ids;
    for (const std::string& w : tokens(a)) {
      if (const auto it = v.index_.find(w); it != v.index_.end()) ids.push_back(it->second);
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      for (size_t j = 0; j < ids.size(); ++j) {
        if (i != j) pairs[{ids[i], ids[j]}] += 1;
      }
    }
  }
  double total = 0;
  for (const auto& [ij, c] : pairs) {
    word_total[ij.first] += c;
    total += c;
  }
  std::vector<double> context(ranked.size());
  double context_total = 0;
  for (size_t i = 0; i < context.size(); ++i) {
    context[i] = std::pow(word_total[i], 0.75);
    context_total += context[i];
  }
  std::vector<Eigen::Triplet<float>> cells;
  for (const auto& [ij, c] : pairs) {
    const double pmi = std::log(
        (c / total) / ((word_total[ij.first] / total) * (context[ij.second] / context_total)));
    if (pmi > 0) {
      cells.emplace_back(static_cast<int>(ij.first), static_cast<int>(ij.second),
                         static_cast<float>(pmi));
    }
  }
  Eigen::SparseMatrix<float> ppmi(n, n);
  ppmi.setFromTriplets(cells.begin(), cells.end());

  // Randomized truncated SVD (Halko, Martinsson & Tropp 2011): a range found with a Gaussian
  // test matrix and two power iterations, then the SVD of the small projection.
  std::mt19937 rng(options.seed);
  std::normal_distribution<float> gauss;
  const Eigen::Index k = std::min<Eigen::Index>(dims + 10, n);
  Eigen::MatrixXf omega(n, k);
  for (Eigen::Index i = 0; i < omega.size(); ++i) omega.data()[i] = gauss(rng);
  Eigen::MatrixXf y = ppmi * omega;
  for (int iteration = 0; iteration < 2; ++iteration) {
    Eigen::HouseholderQR<Eigen::MatrixXf> qr(y);
    y = qr.householderQ() * Eigen::MatrixXf::Identity(n, k);
    y = ppmi * (ppmi.transpose() * y).eval();
  }
  Eigen::HouseholderQR<Eigen::MatrixXf> qr(y);
  const Eigen::MatrixXf q = qr.householderQ() * Eigen::MatrixXf::Identity(n, k);
  const Eigen::MatrixXf b = q.transpose() * ppmi;
  Eigen::JacobiSVD<Eigen::MatrixXf> svd(b, Eigen::ComputeThinU);
  // Symmetric weighting: U * sqrt(S), rows normalised to unit length.
  const Eigen::MatrixXf u = q * svd.matrixU().leftCols(dims);
  const Eigen::VectorXf s = svd.singularValues().head(dims).cwiseSqrt();
  v.dims_ = static_cast<size_t>(dims);
  v.vectors_.resize(static_cast<size_t>(n * dims));
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::VectorXf row = u.row(i).transpose().cwiseProduct(s);
    const float norm = row.norm();
    if (norm > 0) row /= norm;
    std::copy(row.data(), row.data() + dims, v.vectors_.begin() + i * dims);
  }
  return v;
}

const float* WordVectors::Find(const std::string& word) const {
  const auto it = index_.find(word);
  return it == index_.end() ? nullptr : vectors_.data() + it->second * dims_;
}

float WordVectors::Similarity(const std::string& a, const std::string& b) const {
  const float *va = Find(a), *vb = Find(b);
  return va == nullptr || vb == nullptr ? std::numeric_limits<float>::quiet_NaN()
                                        : Dot(va, vb, dims_);
}

json::object WordVectors::ToJson() const {
  std::vector<std::pair<size_t, std::string>> by_row;
  for (const auto& [w, i] : index_) by_row.emplace_back(i, w);
  std::sort(by_row.begin(), by_row.end());
  json::array words;
  // Unit vectors quantised to int8 (components times 127): cosines stay within ~0.01 and the
  // shipped file stays small.
  std::vector<unsigned char> bytes;
  bytes.reserve(vectors_.size());
  for (const auto& [i, w] : by_row) {
    words.emplace_back(w);
    for (size_t d = 0; d < dims_; ++d) {
      const long q = std::lround(vectors_[i * dims_ + d] * kScale);
      bytes.push_back(
          static_cast<unsigned char>(static_cast<signed char>(std::clamp(q, -127L, 127L))));
    }
  }
  std::string base64(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(base64.data(), base64.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  base64.resize(std::strlen(base64.c_str()));
  return {{"dims", dims_}, {"words", std::move(words)}, {"int8_base64", std::move(base64)}};
}

StatusOr<WordVectors> WordVectors::FromJson(const json::value& value) {
  const json::object* o = value.if_object();
  const json::value* dims = o != nullptr ? o->if_contains("dims") : nullptr;
  const json::value* words = o != nullptr ? o->if_contains("words") : nullptr;
  const json::value* data = o != nullptr ? o->if_contains("int8_base64") : nullptr;
  if (dims == nullptr || !dims->is_number() || words == nullptr || !words->is_array() ||
      data == nullptr || !data->is_string()) {
    return InvalidArgumentError("word vectors need dims, words and int8_base64", "word_vectors");
  }
  WordVectors v;
  v.dims_ = static_cast<size_t>(dims->to_number<double>());
  const size_t n = words->as_array().size();
  std::vector<unsigned char> bytes(n * v.dims_ + 1);
  size_t decoded = 0;
  const json::string& text = data->as_string();
  if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &decoded,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      decoded != n * v.dims_) {
    return InvalidArgumentError("int8_base64 does not hold one vector per word", "word_vectors");
  }
  v.vectors_.resize(decoded);
  for (size_t i = 0; i < decoded; ++i) {
    v.vectors_[i] = static_cast<float>(static_cast<signed char>(bytes[i])) / kScale;
  }
  for (size_t i = 0; i < n; ++i) {
    const json::value& w = words->as_array()[i];
    if (!w.is_string()) return InvalidArgumentError("must hold strings", "word_vectors.words");
    v.index_.emplace(std::string(w.as_string()), i);
  }
  return v;
}

}  // namespace finbrain::service
