#include "service/sentiment.h"

#include <linear.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "common/files.h"
#include "common/json_text.h"
#include "models/metrics.h"
#include "service/text.h"

namespace finbrain::service {
namespace {

namespace json = boost::json;

constexpr std::string_view kFormat = "finbrain-sentiment/1";

// Distinct character n-grams (1..max_n) of the normalised text, spaces dropped.
std::vector<std::string> NGrams(std::string_view raw, int max_n) {
  const std::string text = Normalise(raw);
  std::vector<std::string_view> chars = Characters(text);
  std::erase(chars, std::string_view(" "));
  std::set<std::string> grams;
  for (size_t i = 0; i < chars.size(); ++i) {
    std::string gram;
    for (size_t n = 0; n < static_cast<size_t>(max_n) && i + n < chars.size(); ++n) {
      gram += chars[i + n];
      grams.insert(gram);
    }
  }
  return {grams.begin(), grams.end()};
}

// liblinear prints its progress to stdout unless told otherwise.
void Quiet(const char*) {}

}  // namespace

StatusOr<std::vector<LabelledText>> ReadLabelledTexts(const std::string& path) {
  FB_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(path));
  std::istringstream lines(text);
  std::string line;
  std::vector<LabelledText> out;
  size_t number = 0;
  char separator = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1) {  // the header names the separator
      separator = line.find('\t') != std::string::npos ? '\t' : ',';
      continue;
    }
    if (line.empty()) continue;
    const size_t cut = line.find(separator);
    if (cut != 1 || (line[0] != '0' && line[0] != '1')) {
      return InvalidArgumentError(
          path + ":" + std::to_string(number) + ": expected a 0/1 label, then the text", "label");
    }
    std::string body = line.substr(cut + 1);
    if (separator == ',' && body.size() >= 2 && body.front() == '"' && body.back() == '"') {
      body = body.substr(1, body.size() - 2);  // a quoted review (no embedded quotes in these sets)
    }
    if (body.empty()) continue;
    out.push_back({std::move(body), line[0] - '0'});
  }
  return out;
}

StatusOr<SentimentModel> SentimentModel::FromJson(std::string_view text) {
  boost::system::error_code ec;
  const json::value root = json::parse(text, ec);
  const json::object* o = ec ? nullptr : root.if_object();
  if (o == nullptr) return InvalidArgumentError("sentiment model is not a JSON object");
  const json::value* format = o->if_contains("format");
  if (format == nullptr || !format->is_string() || format->as_string() != kFormat) {
    return InvalidArgumentError("sentiment model format is not " + std::string(kFormat), "format");
  }
  const json::value* weights = o->if_contains("weights");
  const json::value* bias = o->if_contains("bias");
  const json::value* max_n = o->if_contains("max_n");
  if (weights == nullptr || !weights->is_object() || bias == nullptr || !bias->is_number() ||
      max_n == nullptr || !max_n->is_int64()) {
    return InvalidArgumentError("sentiment model needs max_n, bias and weights", "weights");
  }
  SentimentModel m;
  m.max_n_ = static_cast<int>(max_n->as_int64());
  m.bias_ = bias->to_number<double>();
  for (const auto& [gram, w] : weights->as_object()) {
    if (!w.is_number()) return InvalidArgumentError("must be numbers", "weights");
    m.weights_.emplace(std::string(gram), static_cast<float>(w.to_number<double>()));
  }
  return m;
}

StatusOr<SentimentModel> SentimentModel::Load(const std::string& path) {
  FB_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(path));
  StatusOr<SentimentModel> m = FromJson(text);
  if (!m.ok()) return InvalidArgumentError(path + ": " + m.status().message(), "sentiment");
  return m;
}

double SentimentModel::Negative(std::string_view text) const {
  double margin = bias_;
  for (const std::string& gram : NGrams(text, max_n_)) {
    if (const auto it = weights_.find(gram); it != weights_.end())
      margin += static_cast<double>(it->second);
  }
  return 1.0 / (1.0 + std::exp(margin));
}

StatusOr<SentimentTraining> TrainSentiment(const std::vector<LabelledText>& train,
                                           const std::vector<LabelledText>& validation,
                                           const SentimentTrainingOptions& options) {
  if (train.size() < 20) return InvalidArgumentError("at least 20 texts are needed", "train");
  const auto progress = [&](std::string_view stage, double done) {
    if (options.on_progress) options.on_progress(stage, done);
  };
  set_print_string_function(Quiet);
  progress("n-grams", 0);
  std::vector<std::vector<std::string>> grams;
  std::map<std::string, size_t> count;
  for (const LabelledText& t : train) {
    grams.push_back(NGrams(t.text, options.max_n));
    for (const std::string& g : grams.back()) ++count[g];
  }
  std::unordered_map<std::string, int> index;  // 1-based, as liblinear wants
  std::vector<std::string> names;
  for (const auto& [g, c] : count) {
    if (c < options.min_count) continue;
    names.push_back(g);
    index.emplace(g, static_cast<int>(names.size()));
  }
  // Naive-Bayes log-count ratios with add-one smoothing.
  std::vector<double> pos(names.size() + 1, 1.0), neg(names.size() + 1, 1.0);
  for (size_t i = 0; i < train.size(); ++i) {
    for (const std::string& g : grams[i]) {
      if (const auto it = index.find(g); it != index.end()) {
        (train[i].label == 1 ? pos : neg)[static_cast<size_t>(it->second)] += 1;
      }
    }
  }
  double pos_sum = 0, neg_sum = 0;
  for (size_t f = 1; f <= names.size(); ++f) {
    pos_sum += pos[f];
    neg_sum += neg[f];
  }
  std::vector<double> ratio(names.size() + 1, 0);
  for (size_t f = 1; f <= names.size(); ++f) {
    ratio[f] = std::log((pos[f] / pos_sum) / (neg[f] / neg_sum));
  }
  // The scaled problem: each present n-gram's value is its ratio.
  std::vector<std::vector<feature_node>> rows(train.size());
  std::vector<feature_node*> x(train.size());
  std::vector<double> y(train.size());
  for (size_t i = 0; i < train.size(); ++i) {
    for (const std::string& g : grams[i]) {
      if (const auto it = index.find(g); it != index.end()) {
        rows[i].push_back({it->second, ratio[static_cast<size_t>(it->second)]});
      }
    }
    std::sort(rows[i].begin(), rows[i].end(),
              [](const feature_node& a, const feature_node& b) { return a.index < b.index; });
    rows[i].push_back({static_cast<int>(names.size()) + 1, 1.0});  // bias feature
    rows[i].push_back({-1, 0});
    x[i] = rows[i].data();
    y[i] = train[i].label == 1 ? 1 : -1;
  }
  problem prob{.l = static_cast<int>(train.size()),
               .n = static_cast<int>(names.size()) + 1,
               .y = y.data(),
               .x = x.data(),
               .bias = -1};
  SentimentTraining best;
  std::vector<double> best_weights;
  for (size_t k = 0; k < options.costs.size(); ++k) {
    progress("liblinear",
             0.2 + 0.8 * static_cast<double>(k) / static_cast<double>(options.costs.size()));
    parameter param{.solver_type = L2R_LR,
                    .eps = 0.01,
                    .C = options.costs[k],
                    .nr_weight = 0,
                    .weight_label = nullptr,
                    .weight = nullptr,
                    .p = 0.1,
                    .init_sol = nullptr};
    if (const char* why = check_parameter(&prob, &param)) return InternalError(why);
    model* m = ::train(&prob, &param);
    // Weights toward the positive class, folded with the ratios.
    const double sign = m->label[0] == 1 ? 1 : -1;
    std::vector<double> folded(names.size() + 2, 0);
    for (size_t f = 1; f <= names.size() + 1; ++f) {
      const double w = sign * m->w[f - 1];
      folded[f] = f <= names.size() ? w * ratio[f] : w;
    }
    free_and_destroy_model(&m);
    size_t correct = 0;
    for (const LabelledText& t : validation) {
      double margin = folded[names.size() + 1];
      for (const std::string& g : NGrams(t.text, options.max_n)) {
        if (const auto it = index.find(g); it != index.end()) {
          margin += folded[static_cast<size_t>(it->second)];
        }
      }
      correct += (margin > 0) == (t.label == 1);
    }
    const double accuracy =
        validation.empty() ? 0
                           : static_cast<double>(correct) / static_cast<double>(validation.size());
    if (best_weights.empty() || accuracy > best.validation_accuracy) {
      best.validation_accuracy = accuracy;
      best.cost = options.costs[k];
      best_weights = std::move(folded);
    }
  }
  json::object weights;
  for (size_t f = 0; f < names.size(); ++f) {
    const double w = best_weights[f + 1];
    if (std::abs(w) >= options.min_weight) weights[names[f]] = std::round(w * 1e4) / 1e4;
  }
  json::object file{{"format", kFormat},
                    {"max_n", options.max_n},
                    {"bias", std::round(best_weights[names.size() + 1] * 1e4) / 1e4},
                    {"training",
                     {{"texts", train.size()},
                      {"cost", best.cost},
                      {"validation_accuracy", std::round(best.validation_accuracy * 1e4) / 1e4}}},
                    {"weights", std::move(weights)}};
  best.model_file = ToJsonText(file);
  return best;
}

SentimentEvaluation EvaluateSentiment(const SentimentModel& model,
                                      const std::vector<LabelledText>& texts) {
  SentimentEvaluation e;
  e.texts = texts.size();
  std::vector<double> p;
  std::vector<std::uint8_t> y;
  size_t correct = 0;
  for (const LabelledText& t : texts) {
    const double negative = model.Negative(t.text);
    p.push_back(negative);
    y.push_back(t.label == 0);
    correct += (negative >= 0.5) == (t.label == 0);
    e.negatives += t.label == 0;
  }
  if (texts.empty()) return e;
  const double n = static_cast<double>(texts.size());
  e.accuracy = static_cast<double>(correct) / n;
  e.auc = models::Auc(p, y);
  e.majority_accuracy =
      std::max(static_cast<double>(e.negatives), n - static_cast<double>(e.negatives)) / n;
  return e;
}

}  // namespace finbrain::service
