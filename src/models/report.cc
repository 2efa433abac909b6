#include "models/internal/report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "common/svg_plot.h"

namespace finbrain::models::internal {
namespace {

using Plot = SvgPlot;
constexpr const char* kBlue = kPlotBlue;
constexpr const char* kRed = kPlotRed;
constexpr const char* kGrey = kPlotGrey;
constexpr const char* kGreen = kPlotGreen;

std::string Escape(std::string_view s) { return HtmlEscape(s); }
std::string Num(double v, int digits = 3) { return FixedNumber(v, digits); }

std::vector<std::pair<double, double>> Thin(const std::vector<CurvePoint>& curve) {
  std::vector<std::pair<double, double>> out;
  const size_t step = std::max<size_t>(1, curve.size() / 300);
  for (size_t i = 0; i < curve.size(); i += step) out.emplace_back(curve[i].x, curve[i].y);
  if (!curve.empty()) out.emplace_back(curve.back().x, curve.back().y);
  return out;
}

std::string ScoreHistogram(const ReportData& d) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* v : {&d.scores_good, &d.scores_bad}) {
    for (double s : *v) {
      lo = std::min(lo, s);
      hi = std::max(hi, s);
    }
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi <= lo) hi = lo + 1;
  constexpr int kBins = 30;
  std::vector<double> good(kBins), bad(kBins);
  const auto fill = [&](const std::vector<double>& scores, std::vector<double>& hist) {
    for (double s : scores) {
      hist[std::min(kBins - 1, int((s - lo) / (hi - lo) * kBins))] += 1;
    }
    for (double& h : hist) h /= scores.empty() ? 1 : double(scores.size());
  };
  fill(d.scores_good, good);
  fill(d.scores_bad, bad);
  const double top = std::max(*std::max_element(good.begin(), good.end()),
                              *std::max_element(bad.begin(), bad.end()));
  Plot plot("Score distribution by outcome", "score", "share of class", lo, hi, 0, top * 1.1);
  const double width = (hi - lo) / kBins;
  for (int b = 0; b < kBins; ++b) {
    plot.Bar(lo + b * width, lo + (b + 1) * width, good[b], kBlue, 0.45);
    plot.Bar(lo + b * width, lo + (b + 1) * width, bad[b], kRed, 0.45);
  }
  plot.Legend(kBlue, "good");
  plot.Legend(kRed, "bad");
  return plot.Svg();
}

std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::ostringstream out;
  out << "<table><tr>";
  for (const auto& h : header) out << "<th>" << Escape(h) << "</th>";
  out << "</tr>";
  for (const auto& row : rows) {
    out << "<tr>";
    for (const auto& cell : row) out << "<td>" << cell << "</td>";
    out << "</tr>";
  }
  out << "</table>";
  return out.str();
}

}  // namespace

std::string RenderReport(const ReportData& d) {
  std::ostringstream html;
  html << "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>" << Escape(d.title)
       << "</title><style>"
       << "body{font-family:system-ui,sans-serif;margin:24px;color:#111;max-width:1400px}"
       << ".cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ddd;"
       << "border-radius:8px;padding:10px 16px;min-width:110px}.card b{display:block;"
       << "font-size:22px}.grid{display:flex;flex-wrap:wrap;gap:16px}.grid>div{border:1px solid "
       << "#eee;border-radius:8px;padding:6px}table{border-collapse:collapse;margin:8px 0}"
       << "td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f5f5f5}"
       << ".warn{color:#b45309}.bad{color:#dc2626}.ok{color:#16a34a}</style></head><body>";
  html << "<h1>" << Escape(d.title) << "</h1><p>";
  for (const auto& [k, v] : d.facts)
    html << "<b>" << Escape(k) << ":</b> " << Escape(v) << " &nbsp; ";
  html << "</p><div class='cards'>";
  for (const char* key : {"auc", "ks", "gini", "logloss", "brier", "psi", "rows", "event_rate"}) {
    auto it = d.headline.find(key);
    if (it == d.headline.end()) continue;
    const bool integer = std::string_view(key) == "rows";
    html << "<div class='card'>" << key << "<b>" << Num(it->second, integer ? 0 : 3)
         << "</b></div>";
  }
  html << "</div>";
  for (const std::string& note : d.notes) html << "<p class='warn'>" << Escape(note) << "</p>";

  html << "<h2>Discrimination and calibration</h2><div class='grid'>";
  {
    Plot roc("ROC (AUC " + Num(d.headline.at("auc")) + ")", "false positive rate",
             "true positive rate", 0, 1, 0, 1);
    roc.Line({{0, 0}, {1, 1}}, kGrey, "chance", true);
    roc.Line(Thin(d.roc), kBlue, "model");
    html << "<div>" << roc.Svg() << "</div>";
  }
  {
    std::vector<CurvePoint> bad_cum, good_cum;
    double best = 0, at = 0;
    for (const CurvePoint& p : d.ks) {
      if (std::abs(p.y) > best) best = std::abs(p.y), at = p.x;
    }
    // The ROC shares the KS curve's thresholds: its axes are the two cumulative shares.
    for (size_t i = 0; i < d.roc.size() && i < d.ks.size(); ++i) {
      bad_cum.push_back({d.ks[i].x, d.roc[i].y, 0});
      good_cum.push_back({d.ks[i].x, d.roc[i].x, 0});
    }
    Plot ks("KS curve (KS " + Num(best) + ")", "share of population, riskiest first",
            "cumulative share", 0, 1, 0, 1);
    ks.Line(Thin(bad_cum), kRed, "bads");
    ks.Line(Thin(good_cum), kBlue, "goods");
    ks.Line({{at, 0}, {at, 1}}, kGrey, "max gap", true);
    html << "<div>" << ks.Svg() << "</div>";
  }
  {
    double top = 0;
    std::vector<std::pair<double, double>> points;
    for (const GroupStats& g : d.calibration) {
      points.emplace_back(g.mean_pd, g.event_rate);
      top = std::max({top, g.mean_pd, g.event_rate});
    }
    Plot cal("Calibration by decile", "mean predicted PD", "observed default rate", 0, top * 1.05,
             0, top * 1.05);
    cal.Line({{0, 0}, {top, top}}, kGrey, "perfect", true);
    cal.Line(points, kBlue, "");
    cal.Dots(points, kBlue, "deciles");
    html << "<div>" << cal.Svg() << "</div>";
  }
  html << "<div>" << ScoreHistogram(d) << "</div></div>";

  html << "<h2>Gains by decile (riskiest first)</h2>";
  {
    std::vector<std::vector<std::string>> rows;
    Plot lift("Lift by decile", "decile (riskiest first)", "lift", 0, double(d.gains.size()), 0,
              std::max(1.0, d.gains.empty() ? 1.0 : d.gains.front().lift) * 1.1);
    std::vector<std::string> labels;
    for (size_t i = 0; i < d.gains.size(); ++i) {
      const GroupStats& g = d.gains[i];
      rows.push_back({g.label, std::to_string(g.count), std::to_string(g.events), Num(g.mean_pd),
                      Num(g.event_rate), Num(g.cumulative_capture), Num(g.lift, 2)});
      lift.Bar(double(i), double(i + 1), g.lift, kBlue);
      labels.push_back(g.label);
    }
    lift.CategoryLabels(labels);
    html << "<div class='grid'><div>"
         << Table({"decile", "rows", "bads", "mean PD", "bad rate", "cum. capture", "lift"}, rows)
         << "</div><div>" << lift.Svg() << "</div></div>";
  }
  {
    const Confusion& c = d.confusion;
    html << "<h2>At the cutoff PD ≥ " << Num(c.cutoff, 4) << " → decline</h2>"
         << Table({"", "declined", "approved"},
                  {{"bad", std::to_string(c.true_bad), std::to_string(c.false_good)},
                   {"good", std::to_string(c.false_bad), std::to_string(c.true_good)}})
         << "<p>approval rate " << Num(c.approval_rate) << ", precision " << Num(c.precision)
         << ", recall " << Num(c.recall) << ", accuracy " << Num(c.accuracy) << "</p>";
  }
  if (!d.fairness.empty()) {
    html << "<h2>Fairness by group</h2><p>Approval-rate ratio below 0.8 (the four-fifths rule) "
            "is marked.</p><div class='grid'>";
    for (const auto& [attribute, groups] : d.fairness) {
      std::vector<std::vector<std::string>> rows;
      Plot plot("Approval rate by " + attribute, attribute, "approval rate", 0,
                double(groups.size()), 0, 1);
      std::vector<std::string> labels;
      for (size_t i = 0; i < groups.size(); ++i) {
        const FairnessGroup& g = groups[i];
        const std::string ratio_class = g.approval_ratio < 0.8 ? "bad" : "ok";
        rows.push_back({Escape(g.group), std::to_string(g.count), Num(g.event_rate),
                        Num(g.approval_rate),
                        "<span class='" + ratio_class + "'>" + Num(g.approval_ratio) + "</span>",
                        Num(g.equal_opportunity_diff), Num(g.auc)});
        plot.Bar(double(i), double(i + 1), g.approval_rate, g.approval_ratio < 0.8 ? kRed : kGreen);
        labels.push_back(g.group);
      }
      plot.CategoryLabels(labels);
      html << "<div><h3>" << Escape(attribute) << "</h3>"
           << Table({"group", "rows", "bad rate", "approval", "approval ratio",
                     "equal opportunity diff", "AUC"},
                    rows)
           << plot.Svg() << "</div>";
    }
    html << "</div>";
  }
  if (!d.csi.empty()) {
    html << "<h2>Stability against training</h2><p>PSI of the score: "
         << Num(d.headline.count("psi") ? d.headline.at("psi")
                                        : std::numeric_limits<double>::quiet_NaN())
         << " (below 0.1 stable, 0.1–0.25 watch, above 0.25 shifted). CSI per feature:</p>";
    std::vector<std::vector<std::string>> rows;
    for (const auto& [feature, csi] : d.csi) {
      const std::string cls = csi > 0.25 ? "bad" : csi > 0.1 ? "warn" : "ok";
      rows.push_back({Escape(feature), "<span class='" + cls + "'>" + Num(csi) + "</span>"});
    }
    html << Table({"feature", "CSI"}, rows);
  }
  html << "</body></html>\n";
  return html.str();
}

}  // namespace finbrain::models::internal
