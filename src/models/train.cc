#include "models/train.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "common/clock.h"
#include "common/progress.h"
#include "common/strings.h"
#include "models/baseline.h"
#include "models/gbdt.h"
#include "models/metrics.h"

namespace finbrain::models {
namespace {

// What the first fit decided, reused when refitting on all rows.
struct Plan {
  std::vector<std::string> selected;  // scorecard features
  int rounds = 0;                     // GBDT trees
};

void Log(const TrainOptions& o, const std::string& line) {
  if (o.log) o.log(line);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status CheckSpecColumns(const Dataset& data, const TrainSpec& spec) {
  const auto check = [&](const std::string& name, const std::string& where) -> Status {
    if (data.Find(name) == nullptr) {
      return InvalidArgumentError(
          "spec " + where + " names column " + Quote(name) + ", which is not in the data", where);
    }
    return OkStatus();
  };
  for (const auto& c : spec.ignore) FB_RETURN_IF_ERROR(check(c, "ignore"));
  for (const auto& [c, _] : spec.special_values) FB_RETURN_IF_ERROR(check(c, "special_values"));
  for (const auto& [c, _] : spec.monotone) FB_RETURN_IF_ERROR(check(c, "monotone"));
  for (const auto& p : spec.protected_attributes) FB_RETURN_IF_ERROR(check(p.name, "protected"));
  if (!spec.split.time_column.empty()) {
    FB_RETURN_IF_ERROR(check(spec.split.time_column, "split.time_column"));
  }
  return OkStatus();
}

// Columns that can be features, with the reason for each one left out.
std::vector<size_t> FeatureColumns(const Dataset& data, const TrainOptions& o,
                                   std::vector<std::pair<std::string, std::string>>& excluded) {
  std::vector<size_t> out;
  for (size_t c = 0; c < data.columns.size(); ++c) {
    const Column& col = data.columns[c];
    std::string why;
    if (col.name == o.target) continue;
    size_t present = 0;
    std::set<double> numbers;
    std::set<std::int32_t> codes;
    for (size_t r = 0; r < data.rows; ++r) {
      if (col.IsMissing(r)) continue;
      ++present;
      if (col.kind == ColumnKind::kNumeric) {
        if (numbers.size() <= data.rows) numbers.insert(col.numbers[r]);
      } else {
        codes.insert(col.codes[r]);
      }
    }
    const size_t distinct = col.kind == ColumnKind::kNumeric ? numbers.size() : codes.size();
    const std::string lower = Lower(col.name);
    const bool id_name = lower == "id" || lower.ends_with("_id") || lower.ends_with(".id");
    if (std::find(o.spec.ignore.begin(), o.spec.ignore.end(), col.name) != o.spec.ignore.end()) {
      why = "ignored by the spec";
    } else if (o.spec.IsProtected(col.name) && !o.spec.use_protected_as_features) {
      why = "protected attribute (used for fairness only)";
    } else if (col.name == o.spec.split.time_column) {
      why = "time column of the split";
    } else if (present == 0) {
      why = "all values missing";
    } else if (distinct == 1 && present == data.rows) {
      why = "constant (" + col.Text(0) + ")";
    } else if (id_name && distinct == present && present == data.rows) {
      why = "identifier (unique per row)";
    } else if (col.kind == ColumnKind::kCategorical && distinct > 50 && distinct * 2 > present) {
      why = "identifier-like (" + std::to_string(distinct) + " distinct values)";
    }
    if (why.empty()) {
      out.push_back(c);
    } else {
      excluded.emplace_back(col.name, why);
      Log(o, "excluded column " + Quote(col.name) + ": " + why);
    }
  }
  return out;
}

void Split(const Dataset& data, const std::vector<std::uint8_t>& y, const SplitSpec& split,
           std::vector<size_t>& train, std::vector<size_t>& valid) {
  std::mt19937_64 rng(split.seed);
  const size_t n = y.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  train.clear();
  valid.clear();
  if (split.method == SplitSpec::Method::kTime) {
    const Column* time = data.Find(split.time_column);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (time->kind == ColumnKind::kNumeric) return time->numbers[a] < time->numbers[b];
      return time->Text(a) < time->Text(b);
    });
    const auto cut = static_cast<size_t>(double(n) * (1 - split.validation));
    train.assign(order.begin(), order.begin() + long(cut));
    valid.assign(order.begin() + long(cut), order.end());
  } else if (split.method == SplitSpec::Method::kRandom) {
    std::shuffle(order.begin(), order.end(), rng);
    const auto cut = static_cast<size_t>(double(n) * (1 - split.validation));
    train.assign(order.begin(), order.begin() + long(cut));
    valid.assign(order.begin() + long(cut), order.end());
  } else {
    for (std::uint8_t cls : {std::uint8_t{0}, std::uint8_t{1}}) {
      std::vector<size_t> members;
      for (size_t i = 0; i < n; ++i) {
        if (y[i] == cls) members.push_back(i);
      }
      std::shuffle(members.begin(), members.end(), rng);
      const auto cut = static_cast<size_t>(std::llround(double(members.size()) * split.validation));
      valid.insert(valid.end(), members.begin(), members.begin() + long(cut));
      train.insert(train.end(), members.begin() + long(cut), members.end());
    }
    std::sort(train.begin(), train.end());
    std::sort(valid.begin(), valid.end());
  }
}

std::vector<std::uint8_t> Pick(const std::vector<std::uint8_t>& y,
                               const std::vector<size_t>& rows) {
  std::vector<std::uint8_t> out;
  out.reserve(rows.size());
  for (size_t r : rows) out.push_back(y[r]);
  return out;
}

double StdDev(const Column& c) {
  if (c.kind != ColumnKind::kNumeric) return 1;
  double sum = 0, sq = 0;
  size_t n = 0;
  for (double v : c.numbers) {
    if (std::isnan(v)) continue;
    sum += v;
    sq += v * v;
    ++n;
  }
  if (n < 2) return 1;
  const double mean = sum / double(n);
  return std::sqrt(std::max(0.0, sq / double(n) - mean * mean));
}

ReasonText DefaultReason(const ModelFeature& f, const TrainSpec& spec) {
  if (auto it = spec.reasons.find(f.name); it != spec.reasons.end()) return it->second;
  std::string code = "RC_";
  for (char c : f.name) {
    code += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                : '_';
  }
  const std::string text = f.kind == ColumnKind::kNumeric
                               ? f.name + ": value in a higher-risk range"
                               : f.name + ": category associated with higher risk";
  return {code, text};
}

// Below this many rows the GBDT tree count is chosen by 5-fold CV, not one holdout.
constexpr size_t kCvRoundsBelowRows = 10000;

GbdtData Rows(const GbdtData& d, const std::vector<size_t>& rows) {
  GbdtData out;
  out.columns = d.columns;
  for (size_t r : rows) {
    out.x.insert(out.x.end(), d.x.begin() + long(r * d.columns),
                 d.x.begin() + long((r + 1) * d.columns));
    out.y.push_back(d.y[r]);
  }
  return out;
}

// The tree count chosen by stratified 5-fold cross-validation on `data`.
StatusOr<int> ChooseRoundsByCv(const GbdtData& data, const GbdtParams& params, unsigned seed) {
  constexpr int kFolds = 5;
  std::vector<std::vector<size_t>> folds(kFolds);
  std::mt19937_64 rng(seed);
  for (float cls : {0.f, 1.f}) {
    std::vector<size_t> members;
    for (size_t i = 0; i < data.y.size(); ++i) {
      if (data.y[i] == cls) members.push_back(i);
    }
    std::shuffle(members.begin(), members.end(), rng);
    for (size_t i = 0; i < members.size(); ++i) folds[i % kFolds].push_back(members[i]);
  }
  std::vector<std::pair<GbdtData, GbdtData>> splits;
  for (int f = 0; f < kFolds; ++f) {
    std::vector<size_t> train_rows;
    for (int g = 0; g < kFolds; ++g) {
      if (g != f) train_rows.insert(train_rows.end(), folds[g].begin(), folds[g].end());
    }
    splits.emplace_back(Rows(data, train_rows), Rows(data, folds[f]));
  }
  return CrossValidatedRounds(splits, params);
}

// Fits one model on `data` (already the rows to fit on).
StatusOr<std::unique_ptr<Model>> Fit(const Dataset& data, const std::vector<std::uint8_t>& y,
                                     const Dataset* valid_data,
                                     const std::vector<std::uint8_t>* valid_y,
                                     const std::vector<size_t>& columns, const TrainOptions& o,
                                     Plan& plan) {
  const TrainSpec& spec = o.spec;
  std::vector<ModelFeature> features;
  for (size_t c : columns) {
    const Column& col = data.columns[c];
    if (o.kind == ModelKind::kScorecard && !plan.selected.empty() &&
        std::find(plan.selected.begin(), plan.selected.end(), col.name) == plan.selected.end()) {
      continue;
    }
    BinningOptions bo = spec.binning;
    if (auto it = spec.special_values.find(col.name); it != spec.special_values.end()) {
      bo.special_values = it->second;
    }
    if (auto it = spec.monotone.find(col.name); it != spec.monotone.end()) bo.trend = it->second;
    StatusOr<FeatureBinning> binning = BinFeature(col, y, bo);
    if (!binning.ok()) {
      Log(o, "skipped " + Quote(col.name) + ": " + binning.status().message());
      continue;
    }
    ModelFeature f;
    f.name = col.name;
    f.kind = col.kind;
    f.binning = std::move(*binning);
    f.stddev = StdDev(col);
    f.encoding = o.kind == ModelKind::kScorecard    ? Encoding::kBinIndex
                 : col.kind == ColumnKind::kNumeric ? Encoding::kRaw
                                                    : Encoding::kWoe;
    f.reason = DefaultReason(f, spec);
    features.push_back(std::move(f));
  }
  if (features.empty()) return InvalidArgumentError("no usable feature columns remain");

  ModelInfo info;
  auto model = std::make_unique<Model>(o.kind, features, spec.scaling, info);
  if (o.kind == ModelKind::kScorecard) {
    // WOE matrix over the candidate features.
    const size_t k = features.size();
    std::vector<double> woe(data.rows * k), ivs(k);
    std::vector<const Column*> cols;
    for (const ModelFeature& f : features) cols.push_back(data.Find(f.name));
    for (size_t i = 0; i < k; ++i) ivs[i] = features[i].binning.iv;
    for (size_t r = 0; r < data.rows; ++r) {
      for (size_t i = 0; i < k; ++i) {
        const FeatureBinning& b = features[i].binning;
        const Column& c = *cols[i];
        const size_t bin = b.BinOf(c, r);
        woe[r * k + i] = b.bins[bin].woe;
      }
    }
    std::vector<size_t> kept(k);
    std::iota(kept.begin(), kept.end(), 0);
    if (plan.selected.empty()) {
      FB_ASSIGN_OR_RETURN(Selection selection, SelectFeatures(woe, ivs, y, spec.selection));
      for (const auto& [index, why] : selection.dropped) {
        Log(o, "scorecard leaves out " + Quote(features[index].name) + ": " + why);
      }
      kept = selection.kept;
      std::sort(kept.begin(), kept.end());
      for (size_t i : kept) plan.selected.push_back(features[i].name);
    }
    std::vector<double> x(data.rows * kept.size());
    for (size_t r = 0; r < data.rows; ++r) {
      for (size_t j = 0; j < kept.size(); ++j) x[r * kept.size() + j] = woe[r * k + kept[j]];
    }
    FB_ASSIGN_OR_RETURN(LogisticFit fit, FitLogistic(x, kept.size(), y, spec.selection.l2));
    std::vector<ModelFeature> chosen;
    const double factor = spec.scaling.Factor();
    const double base = (spec.scaling.Offset() - factor * fit.intercept) / double(kept.size());
    for (size_t j = 0; j < kept.size(); ++j) {
      ModelFeature f = features[kept[j]];
      f.coefficient = fit.coef[j];
      for (const Bin& bin : f.binning.bins)
        f.points.push_back(-factor * f.coefficient * bin.woe + base);
      chosen.push_back(std::move(f));
    }
    model = std::make_unique<Model>(o.kind, std::move(chosen), spec.scaling, info);
    model->SetScorecardIntercept(fit.intercept);
    return model;
  }

  // GBDT: numeric features raw, categorical as WOE (monotone by construction: risk falls as WOE
  // rises, so the trees are held to that).
  const auto encode = [&](const Dataset& d, const std::vector<std::uint8_t>& labels) {
    GbdtData g;
    g.columns = features.size();
    g.x.resize(d.rows * g.columns);
    for (size_t i = 0; i < features.size(); ++i) {
      const ModelFeature& f = features[i];
      const Column& c = *d.Find(f.name);
      for (size_t r = 0; r < d.rows; ++r) {
        float v = std::numeric_limits<float>::quiet_NaN();
        if (f.encoding == Encoding::kRaw) {
          v = static_cast<float>(c.numbers[r]);
        } else {
          const size_t bin = f.binning.BinOf(c, r);
          v = static_cast<float>(f.binning.bins[bin].woe);
        }
        g.x[r * g.columns + i] = v;
      }
    }
    for (std::uint8_t label : labels) g.y.push_back(label);
    return g;
  };
  GbdtParams params = spec.gbdt;
  params.monotone.clear();
  bool any_monotone = false;
  for (const ModelFeature& f : features) {
    int m = 0;
    if (f.encoding == Encoding::kWoe) m = -1;
    if (auto it = spec.monotone.find(f.name);
        it != spec.monotone.end() && f.encoding == Encoding::kRaw) {
      m = it->second == Trend::kAscending ? 1 : it->second == Trend::kDescending ? -1 : 0;
    }
    any_monotone |= m != 0;
    params.monotone.push_back(m);
  }
  if (!any_monotone) params.monotone.clear();
  const auto events = std::count(y.begin(), y.end(), std::uint8_t{1});
  if (spec.class_weight == "balanced") {
    params.scale_pos_weight = double(std::int64_t(y.size()) - events) / double(events);
  } else if (spec.class_weight != "none") {
    params.scale_pos_weight = std::stod(spec.class_weight);
  }
  const GbdtData train = encode(data, y);
  // A progress bar for the user (drawn only on a terminal), not for cross-validation folds.
  std::optional<Progress> progress;
  if (o.log) {
    progress.emplace("boosting", static_cast<std::uint64_t>(params.max_rounds));
    params.on_round = [&progress](int round, double auc) {
      progress->Update(static_cast<std::uint64_t>(round),
                       auc > 0 ? "AUC " + std::to_string(auc).substr(0, 6) : std::string());
    };
  }
  if (valid_data != nullptr && plan.rounds == 0 && data.rows < kCvRoundsBelowRows) {
    // A small validation split makes the early-stopping point noisy: choose the tree count by
    // cross-validation on the training rows instead.
    FB_ASSIGN_OR_RETURN(plan.rounds, ChooseRoundsByCv(train, params, spec.split.seed));
    Log(o, "cross-validation on the training rows chose " + std::to_string(plan.rounds) + " trees");
  }
  std::optional<GbdtData> valid;
  if (valid_data != nullptr && plan.rounds == 0) valid = encode(*valid_data, *valid_y);
  if (plan.rounds > 0) params.max_rounds = plan.rounds;
  FB_ASSIGN_OR_RETURN(GbdtResult result, TrainGbdt(train, valid ? &*valid : nullptr, params));
  if (progress) progress->Finish(std::to_string(result.rounds) + " trees");
  if (plan.rounds == 0) {
    plan.rounds = result.rounds;
    if (valid) {
      Log(o, "early stopping kept " + std::to_string(result.rounds) + " trees (validation AUC " +
                 std::to_string(result.validation_auc) + ")");
    }
  }
  FB_RETURN_IF_ERROR(model->SetTrees(std::move(result.model_json)));
  model->mutable_info().rounds = plan.rounds;
  return model;
}

}  // namespace

CsvOptions CsvOptionsFor(const TrainSpec& spec) {
  return {.categorical = spec.categorical, .numeric = spec.numeric};
}

std::map<std::string, double> SummaryMetrics(const std::vector<double>& pd,
                                             const std::vector<std::uint8_t>& y) {
  const double auc = Auc(pd, y);
  return {
      {"auc", auc},
      {"gini", 2 * auc - 1},
      {"ks", Ks(pd, y)},
      {"logloss", LogLoss(pd, y)},
      {"brier", Brier(pd, y)},
      {"rows", double(y.size())},
      {"event_rate",
       y.empty() ? 0 : double(std::count(y.begin(), y.end(), std::uint8_t{1})) / double(y.size())}};
}

StatusOr<std::unique_ptr<Model>> Train(const Dataset& data, const TrainOptions& o) {
  FB_ASSIGN_OR_RETURN(std::vector<std::uint8_t> y, ExtractTarget(data, o.target, o.positive));
  FB_RETURN_IF_ERROR(CheckSpecColumns(data, o.spec));
  std::vector<std::pair<std::string, std::string>> excluded;
  const std::vector<size_t> columns = FeatureColumns(data, o, excluded);
  if (columns.empty()) {
    return InvalidArgumentError(
        "no usable feature columns: every column is the target, "
        "excluded, constant or empty");
  }
  std::vector<size_t> train_rows, valid_rows;
  Split(data, y, o.spec.split, train_rows, valid_rows);
  const std::vector<std::uint8_t> y_train = Pick(y, train_rows), y_valid = Pick(y, valid_rows);
  if (std::count(y_train.begin(), y_train.end(), 1) == 0 ||
      std::count(y_train.begin(), y_train.end(), 0) == 0 ||
      std::count(y_valid.begin(), y_valid.end(), 1) == 0 ||
      std::count(y_valid.begin(), y_valid.end(), 0) == 0) {
    return InvalidArgumentError(
        "the validation split leaves a class empty; use more rows or a "
        "stratified split");
  }
  const Dataset train_data = data.Subset(train_rows), valid_data = data.Subset(valid_rows);
  Log(o, "training " + std::string(ModelKindName(o.kind)) + " on " +
             std::to_string(train_rows.size()) + " rows, validating on " +
             std::to_string(valid_rows.size()));
  Plan plan;
  plan.rounds = o.spec.fixed_rounds;
  FB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
                      Fit(train_data, y_train, &valid_data, &y_valid, columns, o, plan));
  FB_ASSIGN_OR_RETURN(std::vector<double> valid_pd, model->ScoreDataset(valid_data));
  const auto validation_metrics = SummaryMetrics(valid_pd, y_valid);
  if (o.spec.refit) {
    FB_ASSIGN_OR_RETURN(model, Fit(data, y, nullptr, nullptr, columns, o, plan));
  }
  FB_ASSIGN_OR_RETURN(std::vector<double> train_pd, model->ScoreDataset(data));
  ModelInfo& info = model->mutable_info();
  info.target = o.target;
  info.positive_label = o.positive.value_or("1");
  info.created_at = FormatRfc3339(SystemClock().NowMicros());
  info.author = o.author;
  info.data_sha256 = o.data_sha256;
  info.rows = data.rows;
  info.event_rate = double(std::count(y.begin(), y.end(), 1)) / double(y.size());
  info.excluded = excluded;
  info.train_metrics = SummaryMetrics(train_pd, y);
  info.validation_metrics = validation_metrics;
  info.score_edges = QuantileEdges(train_pd, 10);
  info.score_shares = BinShares(train_pd, info.score_edges);
  info.protected_attributes = o.spec.protected_attributes;
  info.spec_yaml = o.spec_yaml;
  return model;
}

StatusOr<CvResult> CrossValidate(const Dataset& data, const TrainOptions& o, int folds,
                                 unsigned seed, const std::optional<Costs>& costs) {
  if (folds < 2) return InvalidArgumentError("--folds must be at least 2", "folds");
  FB_ASSIGN_OR_RETURN(std::vector<std::uint8_t> y, ExtractTarget(data, o.target, o.positive));
  // Stratified folds: each class shuffled and dealt round-robin.
  std::vector<int> fold_of(y.size());
  std::mt19937_64 rng(seed);
  for (std::uint8_t cls : {std::uint8_t{0}, std::uint8_t{1}}) {
    std::vector<size_t> members;
    for (size_t i = 0; i < y.size(); ++i) {
      if (y[i] == cls) members.push_back(i);
    }
    if (members.size() < size_t(folds)) {
      return InvalidArgumentError("a class has fewer rows than folds", "folds");
    }
    std::shuffle(members.begin(), members.end(), rng);
    for (size_t i = 0; i < members.size(); ++i) fold_of[members[i]] = int(i % size_t(folds));
  }
  std::vector<std::pair<std::string, std::string>> excluded;
  const std::vector<size_t> baseline_columns = FeatureColumns(data, o, excluded);
  CvResult result;
  for (int f = 0; f < folds; ++f) {
    std::vector<size_t> train_rows, test_rows;
    for (size_t i = 0; i < y.size(); ++i) (fold_of[i] == f ? test_rows : train_rows).push_back(i);
    TrainOptions fold_options = o;
    fold_options.log = nullptr;  // one line per fold instead
    fold_options.spec.split.seed = seed + unsigned(f);
    FB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, Train(data.Subset(train_rows), fold_options));
    const Dataset test = data.Subset(test_rows);
    FB_ASSIGN_OR_RETURN(std::vector<double> pd, model->ScoreDataset(test));
    const std::vector<std::uint8_t> y_test = Pick(y, test_rows);
    FB_ASSIGN_OR_RETURN(
        std::vector<double> baseline,
        PlainLogisticPd(data.Subset(train_rows), Pick(y, train_rows), test, baseline_columns));
    CvFold fold{.auc = Auc(pd, y_test),
                .ks = Ks(pd, y_test),
                .logloss = LogLoss(pd, y_test),
                .capture_1pct = CaptureAt(pd, y_test, 0.01),
                .capture_5pct = CaptureAt(pd, y_test, 0.05),
                .rows = test_rows.size(),
                .baseline_auc = Auc(baseline, y_test),
                .baseline_ks = Ks(baseline, y_test)};
    fold.gini = 2 * fold.auc - 1;
    if (costs) {
      const Confusion c = ConfusionAt(pd, y_test, costs->Cutoff());
      fold.cost = (costs->approved_bad * double(c.false_good) +
                   costs->declined_good * double(c.false_bad)) /
                  double(y_test.size());
    }
    Log(o, "fold " + std::to_string(f + 1) + "/" + std::to_string(folds) + ": AUC " +
               std::to_string(fold.auc) + ", KS " + std::to_string(fold.ks));
    result.folds.push_back(fold);
  }
  for (const CvFold& f : result.folds) {
    result.mean.auc += f.auc / folds;
    result.mean.ks += f.ks / folds;
    result.mean.gini += f.gini / folds;
    result.mean.logloss += f.logloss / folds;
    result.mean.capture_1pct += f.capture_1pct / folds;
    result.mean.capture_5pct += f.capture_5pct / folds;
    result.mean.cost += f.cost / folds;
    result.mean.rows += f.rows;
    result.mean.baseline_auc += f.baseline_auc / folds;
    result.mean.baseline_ks += f.baseline_ks / folds;
  }
  for (const CvFold& f : result.folds) {
    result.auc_stddev += (f.auc - result.mean.auc) * (f.auc - result.mean.auc) / folds;
  }
  result.auc_stddev = std::sqrt(result.auc_stddev);
  return result;
}

}  // namespace finbrain::models
