// `finbrain devices evaluate`: how well device fingerprints recover the simulator's physical
// phones from its device reports, against the naive answer (one device per install id).
//
//   finbrain devices evaluate --world world/ --report fingerprints.html
//
// Accuracy is pairwise: of all pairs of reports put on one fingerprint, the share that truly
// came from one phone (precision), and of all pairs that truly came from one phone, the share
// put on one fingerprint (recall). The JSON goes to stdout; the HTML plots both against the
// match threshold.
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <iostream>
#include <unordered_map>

#include "apps/finbrain/cli.h"
#include "common/progress.h"
#include "common/strings.h"
#include "common/svg_plot.h"
#include "fraud/device_fingerprint.h"
#include "ingest/jsonl.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct Truth {
  std::unordered_map<std::string, std::string> hardware;  // report event id -> phone
  std::vector<std::string> farm_install_ids;              // devices of the planted farms
};

StatusOr<Truth> ReadTruth(const std::string& world) {
  Truth truth;
  const std::string path = world + "/truth/device_reports.jsonl";
  std::ifstream in(path);
  if (!in) {
    return NotFoundError("cannot read " + Quote(path) + " (a world written by finbrain simulate)",
                         "world");
  }
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    boost::system::error_code ec;
    const json::value v = json::parse(line, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    const json::value* id = o ? o->if_contains("event_id") : nullptr;
    const json::value* hw = o ? o->if_contains("hardware_id") : nullptr;
    if (id == nullptr || hw == nullptr || !id->is_string() || !hw->is_string()) {
      return InvalidArgumentError(
          path + ":" + std::to_string(n) + ": needs string event_id and hardware_id", "world");
    }
    truth.hardware.emplace(id->get_string(), hw->get_string());
  }
  std::ifstream rings(world + "/truth/fraud_rings.jsonl");
  while (std::getline(rings, line)) {
    boost::system::error_code ec;
    const json::value v = json::parse(line, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    if (o == nullptr || !o->contains("kind") || o->at("kind") != "device_farm") continue;
    if (const json::value* devices = o->if_contains("devices"); devices && devices->is_array()) {
      for (const json::value& d : devices->get_array()) {
        if (d.is_string()) truth.farm_install_ids.emplace_back(d.get_string());
      }
    }
  }
  return truth;
}

StatusOr<std::vector<fraud::DeviceReport>> ReadReports(const std::string& world) {
  ingest::JsonlReader reader({world + "/events/device_report.jsonl"});
  ingest::JsonlReader::Batch batch;
  std::vector<fraud::DeviceReport> reports;
  Progress progress("reports", reader.total_bytes());
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      StatusOr<fraud::DeviceReport> r = fraud::ParseDeviceReport(batch.lines[i]);
      if (!r.ok()) {
        return InvalidArgumentError(
            batch.positions[i] + ": " + r.status().field() + " " + r.status().message(), "world");
      }
      reports.push_back(std::move(*r));
    }
    progress.Update(reader.bytes_read());
  }
  FB_RETURN_IF_ERROR(reader.status());
  progress.Finish();
  // Replay in event time, as the server sees them.
  std::stable_sort(reports.begin(), reports.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  return reports;
}

struct Accuracy {
  double precision = 0, recall = 0;
  std::uint64_t devices = 0;  // distinct predicted ids
};

// Pairwise precision and recall of `predicted[i]` (a device id per report) against the truth.
Accuracy Score(const std::vector<fraud::DeviceReport>& reports,
               const std::vector<std::string>& predicted, const Truth& truth) {
  std::unordered_map<std::string, std::uint64_t> by_predicted, by_true, by_both;
  for (size_t i = 0; i < reports.size(); ++i) {
    auto hw = truth.hardware.find(reports[i].event_id);
    const std::string& phone = hw == truth.hardware.end() ? reports[i].event_id : hw->second;
    ++by_predicted[predicted[i]];
    ++by_true[phone];
    std::string both = predicted[i];
    both += '\t';
    both += phone;
    ++by_both[both];
  }
  const auto pairs = [](const auto& counts) {
    double sum = 0;
    for (const auto& [key, n] : counts) sum += 0.5 * double(n) * double(n - 1);
    return sum;
  };
  const double together = pairs(by_both);
  Accuracy a;
  a.precision = pairs(by_predicted) > 0 ? together / pairs(by_predicted) : 1;
  a.recall = pairs(by_true) > 0 ? together / pairs(by_true) : 1;
  a.devices = by_predicted.size();
  return a;
}

json::object AccuracyJson(const Accuracy& a) {
  return {{"precision", a.precision}, {"recall", a.recall}, {"devices", a.devices}};
}

std::string Html(const json::object& result, const std::vector<std::pair<double, Accuracy>>& sweep,
                 const Accuracy& baseline, double threshold) {
  SvgPlot plot("Pairwise accuracy by match threshold", "match threshold", "share", 0.2, 1.3, 0,
               1.02);
  std::vector<std::pair<double, double>> precision, recall;
  for (const auto& [t, a] : sweep) {
    precision.emplace_back(t, a.precision);
    recall.emplace_back(t, a.recall);
  }
  plot.Line(precision, kPlotBlue, "precision");
  plot.Line(recall, kPlotRed, "recall");
  plot.Line({{0.2, baseline.recall}, {1.3, baseline.recall}}, kPlotGrey,
            "recall, one device per install id", true);
  plot.Dots({{threshold, 0.02}}, kPlotGreen, "default threshold");
  std::string html =
      "<!doctype html><meta charset=utf-8><title>Device fingerprint accuracy</title>"
      "<body style='font-family:sans-serif;max-width:900px;margin:auto'>"
      "<h1>Device fingerprint accuracy</h1><p>Simulated world, each device report matched in "
      "event time; pairs of reports judged against the simulator's physical phones.</p>";
  html += plot.Svg();
  html += "<pre>" + HtmlEscape(json::serialize(result)) + "</pre></body>";
  return html;
}

Status Evaluate(const std::string& world, const std::string& report_path) {
  FB_ASSIGN_OR_RETURN(const Truth truth, ReadTruth(world));
  FB_ASSIGN_OR_RETURN(const std::vector<fraud::DeviceReport> reports, ReadReports(world));
  if (reports.empty()) return InvalidArgumentError("the world has no device reports", "world");

  std::vector<std::string> predicted(reports.size());
  for (size_t i = 0; i < reports.size(); ++i) predicted[i] = reports[i].device_id;
  const Accuracy baseline = Score(reports, predicted, truth);

  const fraud::FingerprintOptions defaults;
  std::vector<std::pair<double, Accuracy>> sweep;
  json::object result;
  Progress progress("thresholds", 12);
  for (int step = 0; step <= 11; ++step) {
    const double threshold = 0.2 + 0.1 * step;
    fraud::DeviceRegistry registry({.match_threshold = threshold});
    for (size_t i = 0; i < reports.size(); ++i) {
      predicted[i] = registry.Observe(reports[i]).fingerprint;
    }
    sweep.emplace_back(threshold, Score(reports, predicted, truth));
    progress.Update(static_cast<std::uint64_t>(step + 1));
  }
  progress.Finish();

  // The default threshold, with the device-farm and multi-account counters.
  fraud::DeviceRegistry registry(defaults);
  for (size_t i = 0; i < reports.size(); ++i)
    predicted[i] = registry.Observe(reports[i]).fingerprint;
  const Accuracy chosen = Score(reports, predicted, truth);
  std::uint64_t farms_found = 0;
  for (const std::string& id : truth.farm_install_ids) {
    std::optional<fraud::DeviceInfo> d = registry.Find(id);
    farms_found += d && d->users.size() >= 5;
  }
  std::uint64_t many_accounts = 0;
  std::unordered_map<std::string, bool> seen;
  for (const std::string& fp : predicted) {
    if (!seen.emplace(fp, true).second) continue;
    many_accounts += registry.Find(fp)->users.size() >= 5;
  }

  std::unordered_map<std::string, bool> phones;
  for (const auto& r : reports) {
    auto hw = truth.hardware.find(r.event_id);
    phones.emplace(hw == truth.hardware.end() ? r.event_id : hw->second, true);
  }
  result["reports"] = reports.size();
  result["phones"] = phones.size();
  result["threshold"] = defaults.match_threshold;
  result["fingerprint"] = AccuracyJson(chosen);
  result["install_id_baseline"] = AccuracyJson(baseline);
  result["device_farms"] = {{"planted", truth.farm_install_ids.size()},
                            {"found_with_5_or_more_accounts", farms_found},
                            {"devices_with_5_or_more_accounts", many_accounts}};
  json::array curve;
  for (const auto& [t, a] : sweep) {
    json::object point = AccuracyJson(a);
    point["threshold"] = std::round(t * 100) / 100;
    curve.push_back(std::move(point));
  }
  result["by_threshold"] = std::move(curve);
  std::cout << json::serialize(result) << "\n";
  if (!report_path.empty()) {
    std::ofstream out(report_path);
    if (!out) return UnavailableError("cannot write " + Quote(report_path));
    out << Html(result, sweep, baseline, defaults.match_threshold);
  }
  return OkStatus();
}

}  // namespace

void AddDeviceCommands(CLI::App& app, GlobalOptions&, Action& run) {
  CLI::App* devices = app.add_subcommand("devices", "Device fingerprints");
  devices->require_subcommand(1);
  auto world = std::make_shared<std::string>();
  auto report = std::make_shared<std::string>();
  CLI::App* evaluate = devices->add_subcommand(
      "evaluate", "Measure fingerprint precision and recall on a simulated world's device truth");
  evaluate->add_option("--world", *world, "Directory written by finbrain simulate")->required();
  evaluate->add_option("--report", *report, "Also write an HTML report with the plot here");
  evaluate->callback(
      [&run, world, report] { run = [world, report] { return Evaluate(*world, *report); }; });
}

}  // namespace finbrain::cli
