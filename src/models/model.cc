#include "models/model.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/strings.h"

namespace finbrain::models {
namespace {

constexpr float kNanF = std::numeric_limits<float>::quiet_NaN();

double Sigmoid(double margin) { return 1.0 / (1.0 + std::exp(-margin)); }

// As an ostream with precision 10 would print it, without the stream's locale and allocations
// (reason texts are formatted on the decision path).
std::string FormatValue(double v) {
  char buffer[32];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 10);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

}  // namespace

std::string_view ModelKindName(ModelKind kind) {
  return kind == ModelKind::kGbdt ? "gbdt" : "scorecard";
}

StatusOr<ModelKind> ParseModelKind(std::string_view text) {
  if (text == "gbdt") return ModelKind::kGbdt;
  if (text == "scorecard") return ModelKind::kScorecard;
  return InvalidArgumentError(Quote(text) + " is not a model kind (gbdt or scorecard)", "kind");
}

std::string FeatureValue::ToString() const {
  if (is_text) return text;
  return std::isnan(number) ? "" : FormatValue(number);
}

Model::Model(ModelKind kind, std::vector<ModelFeature> features, ScoreScaling scaling,
             ModelInfo info)
    : kind_(kind), features_(std::move(features)), scaling_(scaling), info_(std::move(info)) {}

Status Model::SetTrees(std::string xgboost_json) {
  FB_ASSIGN_OR_RETURN(TreeEnsemble trees, TreeEnsemble::FromXgboostJson(xgboost_json));
  if (trees.num_features() != features_.size()) {
    return InvalidArgumentError("the tree model has " + std::to_string(trees.num_features()) +
                                " features but the manifest lists " +
                                std::to_string(features_.size()));
  }
  trees_ = std::move(trees);
  xgboost_json_ = std::move(xgboost_json);
  return OkStatus();
}

float Model::EncodeValue(const ModelFeature& f, const FeatureValue& v) const {
  const FeatureBinning& b = f.binning;
  size_t bin = b.MissingBin();
  if (!v.missing()) {
    if (f.kind == ColumnKind::kNumeric) {
      if (f.encoding == Encoding::kRaw) return static_cast<float>(v.number);
      bin = b.BinOfNumber(v.number);
    } else {
      bin = b.BinOfCategory(v.is_text ? v.text : FormatValue(v.number));
    }
  } else if (f.encoding == Encoding::kRaw) {
    return kNanF;
  }
  return f.encoding == Encoding::kWoe ? static_cast<float>(b.bins[bin].woe)
                                      : static_cast<float>(bin);
}

StatusOr<float> Model::EncodeChecked(const ModelFeature& f, const FeatureValue& value) const {
  if (f.kind == ColumnKind::kNumeric && value.is_text) {
    return InvalidArgumentError(Quote(f.name) + " must be a number, not " + Quote(value.text),
                                f.name);
  }
  if (!value.is_text && std::isinf(value.number)) {
    return InvalidArgumentError(Quote(f.name) + " must be finite", f.name);
  }
  return EncodeValue(f, value);
}

StatusOr<std::vector<float>> Model::Encode(const InputRow& row) const {
  for (const auto& entry : row) {
    const std::string& name = entry.first;
    const bool known = std::any_of(features_.begin(), features_.end(),
                                   [&](const ModelFeature& f) { return f.name == name; });
    if (!known) {
      std::vector<std::string> names;
      for (const ModelFeature& f : features_) names.push_back(f.name);
      return InvalidArgumentError(
          "unknown feature " + Quote(name) + "; the model uses: " + Join(names, ", "), name);
    }
  }
  std::vector<float> x(features_.size());
  for (size_t i = 0; i < features_.size(); ++i) {
    const ModelFeature& f = features_[i];
    auto it = row.find(f.name);
    FB_ASSIGN_OR_RETURN(x[i],
                        EncodeChecked(f, it == row.end() ? FeatureValue::Missing() : it->second));
  }
  return x;
}

size_t Model::BinOf(const ModelFeature& f, const FeatureValue& v) const {
  const FeatureBinning& b = f.binning;
  if (v.missing()) return b.MissingBin();
  if (f.kind == ColumnKind::kNumeric) return v.is_text ? b.MissingBin() : b.BinOfNumber(v.number);
  return b.BinOfCategory(v.ToString());
}

std::vector<size_t> Model::FeatureBins(const InputRow& row) const {
  std::vector<size_t> bins(features_.size());
  for (size_t i = 0; i < features_.size(); ++i) {
    auto it = row.find(features_[i].name);
    bins[i] = BinOf(features_[i], it == row.end() ? FeatureValue::Missing() : it->second);
  }
  return bins;
}

std::vector<size_t> Model::FeatureBins(const std::vector<FeatureValue>& values) const {
  std::vector<size_t> bins(features_.size());
  for (size_t i = 0; i < features_.size() && i < values.size(); ++i) {
    bins[i] = BinOf(features_[i], values[i]);
  }
  return bins;
}

double Model::Margin(const float* x) const {
  if (kind_ == ModelKind::kGbdt) return trees_->PredictMargin(x);
  double margin = intercept_;
  for (size_t i = 0; i < features_.size(); ++i) {
    const ModelFeature& f = features_[i];
    margin += f.coefficient * f.binning.bins[static_cast<size_t>(x[i])].woe;
  }
  return margin;
}

std::vector<Reason> Model::Reasons(const float* x,
                                   const std::function<std::string(size_t)>& value_of, size_t top,
                                   bool path_reasons) const {
  if (top == 0) return {};
  std::vector<std::pair<double, size_t>> impacts;
  if (kind_ == ModelKind::kGbdt) {
    std::vector<double> phi;
    if (path_reasons) {
      trees_->ApproxContributions(x, phi);
    } else {
      trees_->Contributions(x, phi);
    }
    for (size_t i = 0; i < features_.size(); ++i) {
      if (phi[i] > 0) impacts.emplace_back(phi[i], i);
    }
  } else {
    for (size_t i = 0; i < features_.size(); ++i) {
      const ModelFeature& f = features_[i];
      const double best = *std::max_element(f.points.begin(), f.points.end());
      const double shortfall = best - f.points[static_cast<size_t>(x[i])];
      if (shortfall > 1e-9) impacts.emplace_back(shortfall, i);
    }
  }
  // The `top` largest, ties in feature order.
  const size_t shown = std::min(top, impacts.size());
  std::partial_sort(impacts.begin(), impacts.begin() + static_cast<std::ptrdiff_t>(shown),
                    impacts.end(), [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  std::vector<Reason> reasons;
  for (size_t k = 0; k < shown; ++k) {
    const ModelFeature& f = features_[impacts[k].second];
    Reason r;
    r.feature = f.name;
    r.code = f.reason.code;
    r.text = f.reason.text;
    r.impact = impacts[k].first;
    r.value = value_of(impacts[k].second);
    reasons.push_back(std::move(r));
  }
  return reasons;
}

StatusOr<ScoreResult> Model::Score(const InputRow& row, size_t top_reasons) const {
  FB_ASSIGN_OR_RETURN(std::vector<float> x, Encode(row));
  ScoreResult result;
  result.margin = Margin(x.data());
  result.pd = Sigmoid(result.margin);
  result.score = scaling_.ScoreFromPd(result.pd);
  result.reasons = Reasons(
      x.data(),
      [&](size_t i) {
        auto it = row.find(features_[i].name);
        return it == row.end() ? std::string() : it->second.ToString();
      },
      top_reasons);
  return result;
}

StatusOr<std::vector<float>> Model::EncodeValues(const std::vector<FeatureValue>& values) const {
  if (values.size() != features_.size()) {
    return InvalidArgumentError("the model takes " + std::to_string(features_.size()) +
                                " inputs, got " + std::to_string(values.size()));
  }
  std::vector<float> x(features_.size());
  for (size_t i = 0; i < features_.size(); ++i) {
    FB_ASSIGN_OR_RETURN(x[i], EncodeChecked(features_[i], values[i]));
  }
  return x;
}

StatusOr<std::vector<Reason>> Model::ReasonsForValues(const std::vector<FeatureValue>& values,
                                                      size_t top, bool path_reasons) const {
  FB_ASSIGN_OR_RETURN(std::vector<float> x, EncodeValues(values));
  return Reasons(
      x.data(), [&](size_t i) { return values[i].ToString(); }, top, path_reasons);
}

StatusOr<ScoreResult> Model::ScoreValues(const std::vector<FeatureValue>& values,
                                         size_t top_reasons, bool path_reasons) const {
  FB_ASSIGN_OR_RETURN(std::vector<float> x, EncodeValues(values));
  ScoreResult result;
  result.margin = Margin(x.data());
  result.pd = Sigmoid(result.margin);
  result.score = scaling_.ScoreFromPd(result.pd);
  result.reasons = Reasons(
      x.data(), [&](size_t i) { return values[i].ToString(); }, top_reasons, path_reasons);
  return result;
}

StatusOr<std::vector<double>> Model::ScoreDataset(const Dataset& data) const {
  const size_t n = data.rows, k = features_.size();
  std::vector<float> x(n * k);
  for (size_t i = 0; i < k; ++i) {
    const ModelFeature& f = features_[i];
    const Column* column = data.Find(f.name);
    if (column == nullptr) {
      return InvalidArgumentError(
          "the data has no column " + Quote(f.name) + ", which the model needs", f.name);
    }
    if (f.kind == ColumnKind::kNumeric && column->kind == ColumnKind::kCategorical) {
      return InvalidArgumentError(
          "column " + Quote(f.name) + " holds text but the model expects numbers", f.name);
    }
    for (size_t r = 0; r < n; ++r) {
      FeatureValue v;
      if (!column->IsMissing(r)) {
        v = column->kind == ColumnKind::kNumeric ? FeatureValue::Number(column->numbers[r])
                                                 : FeatureValue::Text(column->Text(r));
      }
      x[r * k + i] = EncodeValue(f, v);
    }
  }
  std::vector<double> pd(n);
  for (size_t r = 0; r < n; ++r) pd[r] = Sigmoid(Margin(&x[r * k]));
  return pd;
}

StatusOr<Counterfactual> Model::FindCounterfactual(const InputRow& row, double cutoff) const {
  FB_ASSIGN_OR_RETURN(std::vector<float> x, Encode(row));
  const bool declined = Sigmoid(Margin(x.data())) >= cutoff;
  Counterfactual best;
  double best_cost = std::numeric_limits<double>::infinity();
  // Each candidate goes through the same text -> value -> encoding path a caller would use.
  const auto consider = [&](size_t i, const FeatureValue& value, double cost) {
    if (cost >= best_cost) return;
    std::vector<float> trial = x;
    trial[i] = EncodeValue(features_[i], value);
    const double pd = Sigmoid(Margin(trial.data()));
    if ((pd >= cutoff) == declined) return;
    best_cost = cost;
    auto it = row.find(features_[i].name);
    best = {.found = true,
            .feature = features_[i].name,
            .from = it == row.end() ? "" : it->second.ToString(),
            .to = value.ToString(),
            .pd = pd,
            .score = scaling_.ScoreFromPd(pd)};
  };
  // A value safely below `v` once printed and read back as a float.
  const auto just_below = [](double v) { return v - std::max(1e-6, std::abs(v) * 1e-6); };
  for (size_t i = 0; i < features_.size(); ++i) {
    const ModelFeature& f = features_[i];
    auto it = row.find(f.name);
    const double current = it == row.end() || it->second.is_text ? std::nan("") : it->second.number;
    const double scale = f.stddev > 0 ? f.stddev : 1;
    const auto distance = [&](double to) {
      return std::isnan(current) ? 1.0 : std::abs(to - current) / scale;
    };
    if (f.kind == ColumnKind::kNumeric && f.encoding == Encoding::kRaw) {
      for (float t : trees_->Thresholds(i)) {
        for (double candidate : {just_below(double(t)), double(t)}) {
          const double rounded = std::stod(FormatValue(candidate));
          consider(i, FeatureValue::Number(rounded), distance(rounded));
        }
      }
      continue;
    }
    // Binned features: move into another bin (numeric: its nearest value to the current one).
    for (const Bin& bin : f.binning.bins) {
      if (bin.count == 0 || bin.type == Bin::Type::kMissing) continue;
      if (bin.type == Bin::Type::kCategories && !bin.categories.empty()) {
        consider(i, FeatureValue::Text(bin.categories.front()), 1.0);
      } else if (bin.type == Bin::Type::kSpecial) {
        consider(i, FeatureValue::Number(bin.special), 1.0);
      } else if (bin.type == Bin::Type::kRange) {
        double to =
            std::isnan(current) ? (std::isfinite(bin.lower) ? bin.lower : bin.upper - 1) : current;
        if (!std::isnan(current) && current < bin.lower) to = bin.lower;
        if (!std::isnan(current) && current >= bin.upper) to = just_below(bin.upper);
        to = std::stod(FormatValue(to));
        consider(i, FeatureValue::Number(to), distance(to));
      }
    }
  }
  return best;
}

}  // namespace finbrain::models
