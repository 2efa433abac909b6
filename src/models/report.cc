#include "models/internal/report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace finbrain::models::internal {
namespace {

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Num(double v, int digits = 3) {
  if (!std::isfinite(v)) return "–";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << v;
  return out.str();
}

constexpr const char* kBlue = "#2563eb";
constexpr const char* kRed = "#dc2626";
constexpr const char* kGrey = "#9ca3af";
constexpr const char* kGreen = "#16a34a";

// A small SVG plot: data coordinates mapped into a 420×300 frame with labelled axes.
class Plot {
 public:
  Plot(std::string title, std::string x_label, std::string y_label, double x0, double x1, double y0,
       double y1)
      : title_(std::move(title)),
        x_label_(std::move(x_label)),
        y_label_(std::move(y_label)),
        x0_(x0),
        x1_(x1 > x0 ? x1 : x0 + 1),
        y0_(y0),
        y1_(y1 > y0 ? y1 : y0 + 1) {}

  void Line(const std::vector<std::pair<double, double>>& points, const char* colour,
            const std::string& label, bool dashed = false) {
    body_ << "<polyline fill='none' stroke='" << colour << "' stroke-width='2'"
          << (dashed ? " stroke-dasharray='5,4'" : "") << " points='";
    for (const auto& [x, y] : points) body_ << X(x) << ',' << Y(y) << ' ';
    body_ << "'/>";
    if (!label.empty()) legend_.emplace_back(colour, label);
  }
  void Dots(const std::vector<std::pair<double, double>>& points, const char* colour,
            const std::string& label) {
    for (const auto& [x, y] : points) {
      body_ << "<circle cx='" << X(x) << "' cy='" << Y(y) << "' r='4' fill='" << colour << "'/>";
    }
    if (!label.empty()) legend_.emplace_back(colour, label);
  }
  // Bars from y0 at x positions [left, right).
  void Bar(double left, double right, double value, const char* colour, double opacity = 0.8) {
    const double top = Y(std::max(value, y0_)), bottom = Y(y0_);
    body_ << "<rect x='" << X(left) << "' y='" << top << "' width='"
          << std::max(0.5, X(right) - X(left) - 1) << "' height='" << std::max(0.0, bottom - top)
          << "' fill='" << colour << "' fill-opacity='" << opacity << "'/>";
  }
  void Legend(const char* colour, const std::string& label) { legend_.emplace_back(colour, label); }
  void Text(double x, double y, const std::string& text) {
    body_ << "<text x='" << X(x) << "' y='" << Y(y) << "' font-size='11'>" << Escape(text)
          << "</text>";
  }
  void CategoryLabels(const std::vector<std::string>& labels) { categories_ = labels; }

  std::string Svg() const {
    std::ostringstream svg;
    svg << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << kWidth << ' ' << kHeight
        << "' width='" << kWidth << "' height='" << kHeight << "' font-family='sans-serif'>";
    svg << "<text x='" << kWidth / 2 << "' y='16' text-anchor='middle' font-size='14' "
        << "font-weight='bold'>" << Escape(title_) << "</text>";
    // Axes and ticks.
    svg << "<line x1='" << kLeft << "' y1='" << kBottom << "' x2='" << kRight << "' y2='" << kBottom
        << "' stroke='#333'/><line x1='" << kLeft << "' y1='" << kTop << "' x2='" << kLeft
        << "' y2='" << kBottom << "' stroke='#333'/>";
    for (int i = 0; i <= 4; ++i) {
      const double yv = y0_ + (y1_ - y0_) * i / 4, y = Y(yv);
      svg << "<line x1='" << kLeft << "' y1='" << y << "' x2='" << kRight << "' y2='" << y
          << "' stroke='#eee'/><text x='" << kLeft - 4 << "' y='" << y + 4
          << "' text-anchor='end' font-size='10'>" << Num(yv, 2) << "</text>";
      if (categories_.empty()) {
        const double xv = x0_ + (x1_ - x0_) * i / 4;
        svg << "<text x='" << X(xv) << "' y='" << kBottom + 14
            << "' text-anchor='middle' font-size='10'>" << Num(xv, std::abs(x1_ - x0_) > 20 ? 0 : 2)
            << "</text>";
      }
    }
    for (size_t i = 0; i < categories_.size(); ++i) {
      svg << "<text x='" << X(double(i) + 0.5) << "' y='" << kBottom + 14
          << "' text-anchor='middle' font-size='10'>" << Escape(categories_[i]) << "</text>";
    }
    svg << "<text x='" << (kLeft + kRight) / 2 << "' y='" << kHeight - 4
        << "' text-anchor='middle' font-size='11'>" << Escape(x_label_) << "</text>";
    svg << "<text transform='translate(12," << (kTop + kBottom) / 2
        << ") rotate(-90)' text-anchor='middle' font-size='11'>" << Escape(y_label_) << "</text>";
    svg << body_.str();
    for (size_t i = 0; i < legend_.size(); ++i) {
      const int y = kTop + 6 + int(i) * 15;
      svg << "<rect x='" << kRight - 130 << "' y='" << y - 9 << "' width='10' height='10' fill='"
          << legend_[i].first << "'/><text x='" << kRight - 116 << "' y='" << y
          << "' font-size='11'>" << Escape(legend_[i].second) << "</text>";
    }
    svg << "</svg>";
    return svg.str();
  }

 private:
  static constexpr int kWidth = 440, kHeight = 310, kLeft = 50, kRight = 425, kTop = 28,
                       kBottom = 270;
  double X(double x) const { return kLeft + (x - x0_) / (x1_ - x0_) * (kRight - kLeft); }
  double Y(double y) const { return kBottom - (y - y0_) / (y1_ - y0_) * (kBottom - kTop); }

  std::string title_, x_label_, y_label_;
  double x0_, x1_, y0_, y1_;
  std::ostringstream body_;
  std::vector<std::pair<const char*, std::string>> legend_;
  std::vector<std::string> categories_;
};

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
