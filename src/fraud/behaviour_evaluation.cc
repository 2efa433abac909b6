// The behaviour sequence evaluation (fraud/evaluation.h).
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

void Add(SessionGroupStats& g, const SessionScore& s, bool warm) {
  ++g.sessions;
  bool any = false;
  for (const auto& r : s.reasons) {
    ++g.by_reason[r.code];
    any |= r.code != "B04";  // a new device alone is information, not a flag
  }
  g.flagged += any;
  if (warm) ++g.z_histogram[size_t(std::clamp(int(std::floor(s.z)) + 2, 0, 13))];
}

json::object GroupJson(const SessionGroupStats& g) {
  json::object reasons;
  for (const auto& [code, n] : g.by_reason) {
    reasons[code] = g.sessions ? double(n) / double(g.sessions) : 0.0;
  }
  return {{"sessions", g.sessions},
          {"flagged_share", g.sessions ? double(g.flagged) / double(g.sessions) : 0.0},
          {"share_by_reason", std::move(reasons)}};
}

}  // namespace

StatusOr<std::vector<Session>> ReadSessions(const std::string& path) {
  FB_ASSIGN_OR_RETURN(std::vector<Session> sessions,
                      internal::ReadJsonl<Session>(path, "logins", [](std::string_view line) {
                        return ParseSession(line);
                      }));
  std::stable_sort(sessions.begin(), sessions.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  return sessions;
}

BehaviourEvaluation EvaluateBehaviour(const std::vector<Session>& sessions,
                                      const std::unordered_set<std::string>& fraud_users,
                                      const std::unordered_set<std::string>& takeover_sessions,
                                      const BehaviourOptions& options) {
  BehaviourEvaluation e{.unusual_z = options.unusual_z};
  SequenceModel model(options);
  Progress scoring("sessions", sessions.size());
  for (size_t i = 0; i < sessions.size(); ++i) {
    const bool warm = model.sessions() >= options.warm_up_sessions;
    const SessionScore score = model.Observe(sessions[i]);
    SessionGroupStats& g = takeover_sessions.contains(sessions[i].session_id) ? e.account_takeovers
                           : fraud_users.contains(sessions[i].user_id)        ? e.fraud_accounts
                                                                              : e.honest;
    Add(g, score, warm);
    if (i % 65536 == 0) scoring.Update(i);
  }
  scoring.Finish();
  return e;
}

std::string BehaviourEvaluationJson(const BehaviourEvaluation& e) {
  return ToJsonText(json::object{
      {"sessions", e.honest.sessions + e.fraud_accounts.sessions + e.account_takeovers.sessions},
      {"honest", GroupJson(e.honest)},
      {"fraud_accounts", GroupJson(e.fraud_accounts)},
      {"account_takeovers", GroupJson(e.account_takeovers)}});
}

std::string BehaviourEvaluationHtml(const BehaviourEvaluation& e) {
  SvgPlot plot("Session surprise (z) by who is behind it", "z", "share of sessions", -2, 12, 0, 1);
  const auto line = [&](const SessionGroupStats& g, const char* colour, const std::string& label) {
    std::uint64_t total = 0;
    for (auto n : g.z_histogram) total += n;
    if (total == 0) return;
    std::vector<std::pair<double, double>> points;
    for (size_t b = 0; b < g.z_histogram.size(); ++b) {
      points.emplace_back(double(b) - 1.5, double(g.z_histogram[b]) / double(total));
    }
    plot.Line(points, colour, label);
  };
  line(e.honest, kPlotBlue, "honest users");
  line(e.fraud_accounts, kPlotAmber, "fraud accounts");
  line(e.account_takeovers, kPlotRed, "account takeovers");
  plot.Line({{e.unusual_z, 0}, {e.unusual_z, 1}}, kPlotGrey, "B01 threshold", true);
  return "<!doctype html><meta charset=utf-8><title>Behaviour sequences</title>"
         "<body style='font-family:sans-serif;max-width:900px;margin:auto'>"
         "<h1>Behaviour sequences</h1><p>Every login session of a simulated world, scored "
         "before it is learned (z of its surprise against earlier sessions).</p>" +
         plot.Svg() + "<pre>" + HtmlEscape(BehaviourEvaluationJson(e)) + "</pre></body>";
}

}  // namespace finbrain::fraud
