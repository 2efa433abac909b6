#include "decision/backtest.h"

#include <boost/json.hpp>
#include <map>

#include "common/json_text.h"
#include "common/svg_plot.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;

constexpr const char* kDecisions[] = {"approve", "review", "decline"};

int DecisionIndex(const std::string& d) { return d == "approve" ? 0 : d == "review" ? 1 : 2; }

// Outcome tallies of one strategy over a group of applications.
struct Tally {
  std::uint64_t n = 0;
  std::uint64_t by_decision[3] = {0, 0, 0};
  std::uint64_t approved_labelled = 0, approved_bad = 0;
  double approved_pd_sum = 0;
  std::uint64_t approved_with_pd = 0;
  double expected_loss = 0, realised_loss = 0, approved_exposure = 0;
  std::uint64_t declined_labelled = 0, declined_bad = 0;

  void Add(const DecisionOutcome& o, const BacktestCase& c, double lgd) {
    ++n;
    const int d = DecisionIndex(o.decision);
    ++by_decision[d];
    const double exposure = o.limit ? std::min(*o.limit, c.exposure) : c.exposure;
    if (d == 0) {
      approved_exposure += exposure;
      if (o.pd) {
        approved_pd_sum += *o.pd;
        ++approved_with_pd;
        expected_loss += *o.pd * exposure * lgd;
      }
      if (c.bad) {
        ++approved_labelled;
        approved_bad += *c.bad;
        realised_loss += (*c.bad ? 1.0 : 0.0) * exposure * lgd;
      }
    } else if (d == 2 && c.bad) {
      ++declined_labelled;
      declined_bad += *c.bad;
    }
  }

  json::object Json() const {
    const auto rate = [](double a, double b) {
      return b > 0 ? json::value(a / b) : json::value(nullptr);
    };
    return {{"applications", n},
            {"approve", by_decision[0]},
            {"review", by_decision[1]},
            {"decline", by_decision[2]},
            {"approval_rate", rate(double(by_decision[0]), double(n))},
            {"review_rate", rate(double(by_decision[1]), double(n))},
            {"decline_rate", rate(double(by_decision[2]), double(n))},
            {"expected_bad_rate", rate(approved_pd_sum, double(approved_with_pd))},
            {"realised_bad_rate", rate(double(approved_bad), double(approved_labelled))},
            {"declined_bad_rate", rate(double(declined_bad), double(declined_labelled))},
            {"approved_exposure", approved_exposure},
            {"expected_loss", expected_loss},
            {"realised_loss", realised_loss}};
  }
};

struct StrategyRun {
  Tally total;
  std::map<std::string, Tally> by_segment;
  std::map<std::string, std::uint64_t> reasons;  // rule reason codes
  std::vector<int> decisions;                    // per case
};

StrategyRun Run(const Strategy& strategy, const std::vector<BacktestCase>& cases,
                const StrategyEnvironment& env, double lgd) {
  StrategyRun run;
  for (const BacktestCase& c : cases) {
    const DecisionInput input{.subject_json = c.application_json,
                              .features = c.features,
                              .feature_values = c.feature_values};
    const DecisionOutcome o = strategy.Decide(input, env);
    run.total.Add(o, c, lgd);
    run.by_segment[c.segment].Add(o, c, lgd);
    for (const DecisionReason& r : o.reasons) {
      if (r.source.starts_with("rule:")) ++run.reasons[r.code];
    }
    run.decisions.push_back(DecisionIndex(o.decision));
  }
  return run;
}

json::object RunJson(const StrategyRun& run) {
  json::object segments, reasons;
  for (const auto& [segment, tally] : run.by_segment) segments[segment] = tally.Json();
  for (const auto& [code, n] : run.reasons) reasons[code] = n;
  json::object out = run.total.Json();
  out["by_segment"] = std::move(segments);
  out["rule_reasons"] = std::move(reasons);
  return out;
}

double Get(const json::object& o, const char* key) {
  const json::value& v = o.at(key);
  return v.is_null() ? 0 : v.to_number<double>();
}

std::string Html(const json::object& report, const StrategyRun& champion,
                 const StrategyRun* challenger, const BacktestOptions& options) {
  std::string html =
      "<!doctype html><html><head><meta charset='utf-8'><title>FinBrain backtest</title><style>"
      "body{font-family:sans-serif;margin:24px;max-width:1000px}table{border-collapse:collapse;"
      "margin:8px 0}td,th{border:1px solid #ddd;padding:4px 10px;text-align:right}"
      "th{background:#f3f4f6}.plots{display:flex;flex-wrap:wrap;gap:12px}</style></head><body>";
  html += "<h1>Backtest</h1><p>" + std::to_string(champion.total.n) +
          " applications; loss = PD (expected) or outcome (realised) × exposure × LGD " +
          FixedNumber(options.lgd, 2) + ".</p><div class='plots'>";
  // Decision mix per strategy.
  std::vector<const StrategyRun*> runs = {&champion};
  if (challenger) runs.push_back(challenger);
  const char* colours[] = {kPlotBlue, kPlotAmber};
  const char* names[] = {"champion", "challenger"};
  SvgPlot mix("Decisions", "", "share of applications", 0, 3, 0, 1);
  mix.CategoryLabels({"approve", "review", "decline"});
  for (size_t s = 0; s < runs.size(); ++s) {
    for (int d = 0; d < 3; ++d) {
      const double share = double(runs[s]->total.by_decision[d]) /
                           double(std::max<std::uint64_t>(1, runs[s]->total.n));
      const double left = d + 0.1 + 0.4 * double(s);
      mix.Bar(left, left + 0.4, share, colours[s]);
    }
    mix.Legend(colours[s], names[s]);
  }
  html += mix.Svg();
  // Realised bad rate of approvals per segment.
  std::vector<std::string> segments;
  for (const auto& [segment, tally] : champion.by_segment) segments.push_back(segment);
  double top = 0.01;
  for (const StrategyRun* r : runs) {
    for (const auto& [segment, tally] : r->by_segment) {
      if (tally.approved_labelled > 0)
        top = std::max(top, double(tally.approved_bad) / double(tally.approved_labelled));
    }
  }
  SvgPlot bad("Bad rate of approvals by " + options.segment_name, "", "realised bad rate", 0,
              double(std::max<size_t>(1, segments.size())), 0, top * 1.2);
  bad.CategoryLabels(segments);
  for (size_t s = 0; s < runs.size(); ++s) {
    for (size_t i = 0; i < segments.size(); ++i) {
      auto it = runs[s]->by_segment.find(segments[i]);
      if (it == runs[s]->by_segment.end() || it->second.approved_labelled == 0) continue;
      const double left = double(i) + 0.1 + 0.4 * double(s);
      bad.Bar(left, left + 0.4,
              double(it->second.approved_bad) / double(it->second.approved_labelled), colours[s]);
    }
    bad.Legend(colours[s], names[s]);
  }
  html += bad.Svg() + "</div>";
  // Summary table.
  html +=
      "<h2>Summary</h2><table><tr><th></th><th>approval</th><th>review</th><th>decline</th>"
      "<th>expected bad rate</th><th>realised bad rate</th><th>bad rate of declines</th>"
      "<th>expected loss</th><th>realised loss</th></tr>";
  for (size_t s = 0; s < runs.size(); ++s) {
    const json::object& o = report.at(names[s]).as_object();
    html += std::string("<tr><th>") + names[s] + "</th><td>" +
            FixedNumber(Get(o, "approval_rate")) + "</td><td>" +
            FixedNumber(Get(o, "review_rate")) + "</td><td>" + FixedNumber(Get(o, "decline_rate")) +
            "</td><td>" + FixedNumber(Get(o, "expected_bad_rate"), 4) + "</td><td>" +
            FixedNumber(Get(o, "realised_bad_rate"), 4) + "</td><td>" +
            FixedNumber(Get(o, "declined_bad_rate"), 4) + "</td><td>" +
            FixedNumber(Get(o, "expected_loss"), 0) + "</td><td>" +
            FixedNumber(Get(o, "realised_loss"), 0) + "</td></tr>";
  }
  html += "</table>";
  if (challenger) {
    html +=
        "<h2>Swap set</h2><p>Rows: champion; columns: challenger. Cells: applications "
        "(realised bad rate).</p><table><tr><th></th>";
    for (const char* d : kDecisions) html += std::string("<th>") + d + "</th>";
    html += "</tr>";
    const json::array& swap = report.at("swap_set").as_array();
    for (int a = 0; a < 3; ++a) {
      html += std::string("<tr><th>") + kDecisions[a] + "</th>";
      for (int b = 0; b < 3; ++b) {
        const json::object& cell = swap[size_t(a * 3 + b)].as_object();
        const bool swapped = (a == 0) != (b == 0);
        html += std::string("<td") + (swapped ? " style='background:#fef3c7'" : "") + ">" +
                std::to_string(cell.at("applications").to_number<std::uint64_t>()) + " (" +
                (cell.at("bad_rate").is_null() ? "–" : FixedNumber(Get(cell, "bad_rate"))) +
                ")</td>";
      }
      html += "</tr>";
    }
    html += "</table>";
  }
  html += "</body></html>";
  return html;
}

}  // namespace

BacktestReport RunBacktest(const std::vector<BacktestCase>& cases, const Strategy& champion,
                           const Strategy* challenger, const StrategyEnvironment& env,
                           const BacktestOptions& options) {
  const StrategyRun a = Run(champion, cases, env, options.lgd);
  json::object report{{"applications", cases.size()},
                      {"segment", options.segment_name},
                      {"lgd", options.lgd},
                      {"champion", RunJson(a)}};
  std::optional<StrategyRun> b;
  if (challenger) {
    b = Run(*challenger, cases, env, options.lgd);
    report["challenger"] = RunJson(*b);
    // Champion decision x challenger decision, with the realised bad rate of each cell.
    std::uint64_t count[9] = {}, labelled[9] = {}, bads[9] = {};
    for (size_t i = 0; i < cases.size(); ++i) {
      const int cell = a.decisions[i] * 3 + b->decisions[i];
      ++count[cell];
      if (cases[i].bad) {
        ++labelled[cell];
        bads[cell] += *cases[i].bad;
      }
    }
    json::array swap;
    for (int cell = 0; cell < 9; ++cell) {
      swap.push_back({{"champion", kDecisions[cell / 3]},
                      {"challenger", kDecisions[cell % 3]},
                      {"applications", count[cell]},
                      {"bad_rate", labelled[cell] > 0
                                       ? json::value(double(bads[cell]) / double(labelled[cell]))
                                       : json::value(nullptr)}});
    }
    report["swap_set"] = std::move(swap);
    // Cells are champion * 3 + challenger, approve being 0.
    report["swap_out"] = count[1] + count[2];  // approved by the champion only
    report["swap_in"] = count[3] + count[6];   // approved by the challenger only
  }
  BacktestReport out;
  out.html = Html(report, a, b ? &*b : nullptr, options);
  out.json = ToJsonText(report);
  return out;
}

}  // namespace finbrain::decision
