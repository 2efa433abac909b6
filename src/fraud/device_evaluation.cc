// The device fingerprint evaluation (fraud/evaluation.h).
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "common/json_text.h"
#include "common/progress.h"
#include "common/strings.h"
#include "common/svg_plot.h"
#include "fraud/evaluation.h"
#include "fraud/internal/read_jsonl.h"

namespace finbrain::fraud {
namespace {

namespace json = boost::json;

json::object AccuracyJson(const PairAccuracy& a) {
  return {{"precision", a.precision}, {"recall", a.recall}, {"devices", a.devices}};
}

json::object EvaluationObject(const DeviceEvaluation& e) {
  json::array curve;
  for (const auto& [t, a] : e.by_threshold) {
    json::object point = AccuracyJson(a);
    point["threshold"] = std::round(t * 100) / 100;
    curve.push_back(std::move(point));
  }
  return {{"reports", e.reports},
          {"phones", e.phones},
          {"threshold", e.threshold},
          {"fingerprint", AccuracyJson(e.fingerprint)},
          {"install_id_baseline", AccuracyJson(e.install_id_baseline)},
          {"device_farms",
           {{"planted", e.farms_planted},
            {"found_with_5_or_more_accounts", e.farms_found},
            {"devices_with_5_or_more_accounts", e.devices_with_many_accounts}}},
          {"by_threshold", std::move(curve)}};
}

}  // namespace

PairAccuracy ScorePairs(const std::vector<DeviceReport>& reports,
                        const std::vector<std::string>& predicted,
                        const std::unordered_map<std::string, std::string>& hardware) {
  std::unordered_map<std::string, std::uint64_t> by_predicted, by_true, by_both;
  for (size_t i = 0; i < reports.size(); ++i) {
    auto hw = hardware.find(reports[i].event_id);
    const std::string& phone = hw == hardware.end() ? reports[i].event_id : hw->second;
    ++by_predicted[predicted[i]];
    ++by_true[phone];
    ++by_both[predicted[i] + '\t' + phone];
  }
  const auto pairs = [](const auto& counts) {
    double sum = 0;
    for (const auto& [key, n] : counts) sum += 0.5 * double(n) * double(n - 1);
    return sum;
  };
  const double together = pairs(by_both);
  PairAccuracy a;
  a.precision = pairs(by_predicted) > 0 ? together / pairs(by_predicted) : 1;
  a.recall = pairs(by_true) > 0 ? together / pairs(by_true) : 1;
  a.devices = by_predicted.size();
  return a;
}

StatusOr<std::vector<DeviceReport>> ReadDeviceReports(const std::string& path) {
  FB_ASSIGN_OR_RETURN(std::vector<DeviceReport> reports,
                      internal::ReadJsonl<DeviceReport>(path, "reports", [](std::string_view line) {
                        return ParseDeviceReport(line);
                      }));
  std::stable_sort(reports.begin(), reports.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  return reports;
}

DeviceEvaluation EvaluateFingerprints(const std::vector<DeviceReport>& reports,
                                      const std::unordered_map<std::string, std::string>& hardware,
                                      const std::vector<std::string>& farm_install_ids) {
  DeviceEvaluation e;
  e.reports = reports.size();
  std::unordered_set<std::string> phones;
  for (const DeviceReport& r : reports) {
    auto hw = hardware.find(r.event_id);
    phones.insert(hw == hardware.end() ? r.event_id : hw->second);
  }
  e.phones = phones.size();
  std::vector<std::string> predicted(reports.size());
  for (size_t i = 0; i < reports.size(); ++i) predicted[i] = reports[i].device_id;
  e.install_id_baseline = ScorePairs(reports, predicted, hardware);

  Progress progress("thresholds", 12);
  for (int step = 0; step <= 11; ++step) {
    const double threshold = 0.2 + 0.1 * step;
    DeviceRegistry registry({.match_threshold = threshold});
    for (size_t i = 0; i < reports.size(); ++i) {
      predicted[i] = registry.Observe(reports[i]).fingerprint;
    }
    e.by_threshold.emplace_back(threshold, ScorePairs(reports, predicted, hardware));
    progress.Update(static_cast<std::uint64_t>(step + 1));
  }
  progress.Finish();

  // The default threshold, with the device-farm and multi-account counters.
  const FingerprintOptions defaults;
  e.threshold = defaults.match_threshold;
  DeviceRegistry registry(defaults);
  for (size_t i = 0; i < reports.size(); ++i) {
    predicted[i] = registry.Observe(reports[i]).fingerprint;
  }
  e.fingerprint = ScorePairs(reports, predicted, hardware);
  e.farms_planted = farm_install_ids.size();
  for (const std::string& id : farm_install_ids) {
    std::optional<DeviceInfo> d = registry.Find(id);
    e.farms_found += d && d->users.size() >= 5;
  }
  for (const std::string& fp :
       std::unordered_set<std::string>(predicted.begin(), predicted.end())) {
    e.devices_with_many_accounts += registry.Find(fp)->users.size() >= 5;
  }
  return e;
}

std::string DeviceEvaluationJson(const DeviceEvaluation& e) {
  return ToJsonText(EvaluationObject(e));
}

std::string DeviceEvaluationHtml(const DeviceEvaluation& e) {
  SvgPlot plot("Pairwise accuracy by match threshold", "match threshold", "share", 0.2, 1.3, 0,
               1.02);
  std::vector<std::pair<double, double>> precision, recall;
  for (const auto& [t, a] : e.by_threshold) {
    precision.emplace_back(t, a.precision);
    recall.emplace_back(t, a.recall);
  }
  plot.Line(precision, kPlotBlue, "precision");
  plot.Line(recall, kPlotRed, "recall");
  plot.Line({{0.2, e.install_id_baseline.recall}, {1.3, e.install_id_baseline.recall}}, kPlotGrey,
            "recall, one device per install id", true);
  plot.Dots({{e.threshold, 0.02}}, kPlotGreen, "default threshold");
  return "<!doctype html><meta charset=utf-8><title>Device fingerprint accuracy</title>"
         "<body style='font-family:sans-serif;max-width:900px;margin:auto'>"
         "<h1>Device fingerprint accuracy</h1><p>Simulated world, each device report matched in "
         "event time; pairs of reports judged against the simulator's physical phones.</p>" +
         plot.Svg() + "<pre>" + HtmlEscape(DeviceEvaluationJson(e)) + "</pre></body>";
}

}  // namespace finbrain::fraud
