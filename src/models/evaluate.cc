#include "models/evaluate.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <sstream>

#include "common/json_text.h"
#include "models/internal/report.h"
#include "models/metrics.h"
#include "models/train.h"

namespace finbrain::models {
namespace {

namespace json = boost::json;

json::value Finite(double v) { return std::isfinite(v) ? json::value(v) : json::value(nullptr); }

std::string Cut(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

json::array Curve(const std::vector<CurvePoint>& curve) {
  json::array out;
  const size_t step = std::max<size_t>(1, curve.size() / 100);
  for (size_t i = 0; i < curve.size(); i += step) {
    out.push_back(json::array{Finite(curve[i].x), Finite(curve[i].y)});
  }
  if (!curve.empty()) out.push_back(json::array{Finite(curve.back().x), Finite(curve.back().y)});
  return out;
}

json::array GroupsJson(const std::vector<GroupStats>& groups) {
  json::array out;
  for (const GroupStats& g : groups) {
    out.push_back({{"group", g.label},
                   {"rows", g.count},
                   {"bads", g.events},
                   {"mean_pd", Finite(g.mean_pd)},
                   {"bad_rate", Finite(g.event_rate)},
                   {"cumulative_capture", Finite(g.cumulative_capture)},
                   {"lift", Finite(g.lift)}});
  }
  return out;
}

// Characteristic stability of one feature: its bin shares now against training.
double Csi(const ModelFeature& f, const Column& column) {
  const FeatureBinning& b = f.binning;
  std::vector<double> expected(b.bins.size()), actual(b.bins.size());
  double total = 0;
  for (const Bin& bin : b.bins) total += double(bin.count);
  for (size_t i = 0; i < b.bins.size(); ++i) expected[i] = double(b.bins[i].count) / total;
  const size_t rows =
      column.kind == ColumnKind::kNumeric ? column.numbers.size() : column.codes.size();
  for (size_t r = 0; r < rows; ++r) actual[b.BinOf(column, r)] += 1.0 / double(rows);
  return PsiFromShares(expected, actual);
}

}  // namespace

std::vector<std::string> GroupLabels(const Column& column, std::vector<double> cuts) {
  const size_t rows =
      column.kind == ColumnKind::kNumeric ? column.numbers.size() : column.codes.size();
  std::vector<std::string> labels(rows);
  if (column.kind == ColumnKind::kCategorical) {
    for (size_t r = 0; r < rows; ++r)
      labels[r] = column.IsMissing(r) ? "(missing)" : column.Text(r);
    return labels;
  }
  if (cuts.empty()) cuts = QuantileEdges(column.numbers, 4);
  std::sort(cuts.begin(), cuts.end());
  for (size_t r = 0; r < rows; ++r) {
    const double v = column.numbers[r];
    if (std::isnan(v)) {
      labels[r] = "(missing)";
      continue;
    }
    const size_t g = size_t(std::upper_bound(cuts.begin(), cuts.end(), v) - cuts.begin());
    // Zero-padded group index keeps the groups in order when sorted by label.
    const std::string prefix = std::to_string(g + 1) + ". ";
    labels[r] = g == 0             ? prefix + "< " + Cut(cuts[0])
                : g == cuts.size() ? prefix + "≥ " + Cut(cuts.back())
                                   : prefix + Cut(cuts[g - 1]) + "–" + Cut(cuts[g]);
  }
  return labels;
}

StatusOr<Evaluation> Evaluate(const Model& model, const Dataset& data,
                              const std::vector<std::uint8_t>& y,
                              const EvaluationOptions& options) {
  FB_ASSIGN_OR_RETURN(std::vector<double> pd, model.ScoreDataset(data));
  const ModelInfo& info = model.info();
  const double cutoff = options.cutoff >= 0 ? options.cutoff : info.event_rate;
  Evaluation out;
  out.headline = SummaryMetrics(pd, y);
  double psi = std::numeric_limits<double>::quiet_NaN();
  if (!info.score_edges.empty() || !info.score_shares.empty()) {
    psi = PsiFromShares(info.score_shares, BinShares(pd, info.score_edges));
    out.headline["psi"] = psi;
  }

  internal::ReportData report;
  report.title = options.title.empty() ? "FinBrain model evaluation" : options.title;
  report.facts = {{"kind", std::string(ModelKindName(model.kind()))},
                  {"target", info.target},
                  {"trained", info.created_at},
                  {"features", std::to_string(model.features().size())}};
  if (model.kind() == ModelKind::kGbdt)
    report.facts.push_back({"trees", std::to_string(info.rounds)});
  if (auto it = info.validation_metrics.find("auc"); it != info.validation_metrics.end()) {
    std::ostringstream auc;
    auc.precision(3);
    auc << std::fixed << it->second;
    report.facts.push_back({"validation AUC at training", auc.str()});
  }
  report.headline = out.headline;
  report.roc = RocCurve(pd, y);
  report.ks = KsCurve(pd, y);
  report.gains = Gains(pd, y, 10);
  report.calibration = Calibration(pd, y, 10);
  report.confusion = ConfusionAt(pd, y, cutoff);
  for (size_t r = 0; r < pd.size(); ++r) {
    (y[r] ? report.scores_bad : report.scores_good).push_back(model.scaling().ScoreFromPd(pd[r]));
  }

  json::object fairness_json;
  const auto& attributes = options.protected_attributes.empty() ? info.protected_attributes
                                                                : options.protected_attributes;
  for (const ProtectedAttribute& attribute : attributes) {
    const Column* column = data.Find(attribute.name);
    if (column == nullptr) {
      report.notes.push_back("protected attribute '" + attribute.name +
                             "' is not in the data: no fairness figures for it");
      continue;
    }
    const auto groups = Fairness(pd, y, GroupLabels(*column, attribute.cuts), cutoff);
    json::array rows;
    for (const FairnessGroup& g : groups) {
      rows.push_back({{"group", g.group},
                      {"rows", g.count},
                      {"bad_rate", Finite(g.event_rate)},
                      {"approval_rate", Finite(g.approval_rate)},
                      {"approval_rate_ratio", Finite(g.approval_ratio)},
                      {"good_approval_rate", Finite(g.good_approval_rate)},
                      {"equal_opportunity_difference", Finite(g.equal_opportunity_diff)},
                      {"auc", Finite(g.auc)}});
    }
    fairness_json[attribute.name] = std::move(rows);
    report.fairness.emplace_back(attribute.name, groups);
  }

  json::object csi_json;
  for (const ModelFeature& f : model.features()) {
    if (const Column* column = data.Find(f.name)) {
      const double csi = Csi(f, *column);
      csi_json[f.name] = Finite(csi);
      report.csi.emplace_back(f.name, csi);
    }
  }
  std::sort(report.csi.begin(), report.csi.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });

  json::object metrics;
  for (const auto& [k, v] : out.headline) metrics[k] = Finite(v);
  metrics["psi"] = Finite(psi);
  metrics["data"] = {{"name", options.data_name},
                     {"sha256", options.data_sha256},
                     {"rows", y.size()},
                     {"is_training_data",
                      !options.data_sha256.empty() && options.data_sha256 == info.data_sha256}};
  metrics["model"] = {{"kind", ModelKindName(model.kind())},
                      {"target", info.target},
                      {"created_at", info.created_at},
                      {"features", model.features().size()}};
  const Confusion& c = report.confusion;
  metrics["cutoff"] = cutoff;
  metrics["confusion"] = {{"declined_bad", c.true_bad},
                          {"declined_good", c.false_bad},
                          {"approved_good", c.true_good},
                          {"approved_bad", c.false_good},
                          {"approval_rate", c.approval_rate},
                          {"precision", c.precision},
                          {"recall", c.recall},
                          {"accuracy", c.accuracy}};
  metrics["gains"] = GroupsJson(report.gains);
  metrics["calibration"] = GroupsJson(report.calibration);
  metrics["roc"] = Curve(report.roc);
  metrics["ks_curve"] = Curve(report.ks);
  metrics["csi"] = std::move(csi_json);
  metrics["fairness"] = std::move(fairness_json);
  out.metrics_json = ToJsonText(metrics);
  out.report_html = internal::RenderReport(report);
  return out;
}

}  // namespace finbrain::models
