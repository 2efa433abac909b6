// `finbrain behaviour evaluate`: the session model (fraud/behaviour.h) replayed over a simulated
// world's logins in event time, each session scored before it is learned, as the server does;
// flag rates by reason for honest users' sessions, fraud accounts' sessions and the planted
// account takeovers.
//
//   finbrain behaviour evaluate --world world/ --report behaviour.html
#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "apps/finbrain/cli.h"
#include "common/progress.h"
#include "common/strings.h"
#include "common/svg_plot.h"
#include "fraud/behaviour.h"
#include "ingest/jsonl.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

// The JSON objects of a JSONL file (none when it is missing).
std::vector<json::object> ReadObjects(const std::string& path) {
  std::vector<json::object> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (!ec && v.is_object()) out.push_back(std::move(v.get_object()));
  }
  return out;
}

struct Group {
  std::uint64_t sessions = 0, flagged = 0;
  std::map<std::string, std::uint64_t> by_reason;
  std::vector<std::uint64_t> z_histogram = std::vector<std::uint64_t>(14);  // z in [-2, 12)

  void Add(const fraud::SessionScore& s, bool warm) {
    ++sessions;
    bool any = false;
    for (const auto& r : s.reasons) {
      ++by_reason[r.code];
      any |= r.code != "B04";  // a new device alone is information, not a flag
    }
    flagged += any;
    if (warm) {
      ++z_histogram[size_t(std::clamp(int(std::floor(s.z)) + 2, 0, 13))];
    }
  }
  json::object Json() const {
    json::object reasons;
    for (const auto& [code, n] : by_reason) {
      reasons[code] = sessions ? double(n) / double(sessions) : 0.0;
    }
    return {{"sessions", sessions},
            {"flagged_share", sessions ? double(flagged) / double(sessions) : 0.0},
            {"share_by_reason", std::move(reasons)}};
  }
};

Status Evaluate(const std::string& world, const std::string& report_path) {
  const std::string logins = world + "/events/login.jsonl";
  if (!std::ifstream(logins)) {
    return NotFoundError("cannot read " + Quote(logins) + " (a world written by finbrain simulate)",
                         "world");
  }
  std::unordered_set<std::string> takeovers, fraud_users;
  for (const auto& t : ReadObjects(world + "/truth/account_takeovers.jsonl")) {
    if (const auto* s = t.if_contains("session_id"); s && s->is_string()) {
      takeovers.emplace(s->get_string());
    }
  }
  for (const auto& u : ReadObjects(world + "/truth/users.jsonl")) {
    const auto* fraud = u.if_contains("fraud");
    if (fraud && fraud->is_bool() && fraud->get_bool()) {
      fraud_users.emplace(u.at("user_id").as_string());
    }
  }

  ingest::JsonlReader reader({logins});
  ingest::JsonlReader::Batch batch;
  std::vector<fraud::Session> sessions;
  Progress reading("logins", reader.total_bytes());
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      StatusOr<fraud::Session> s = fraud::ParseSession(batch.lines[i]);
      if (!s.ok()) {
        return InvalidArgumentError(
            batch.positions[i] + ": " + s.status().field() + " " + s.status().message(), "world");
      }
      sessions.push_back(std::move(*s));
    }
    reading.Update(reader.bytes_read());
  }
  FB_RETURN_IF_ERROR(reader.status());
  reading.Finish();
  std::stable_sort(sessions.begin(), sessions.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });

  const fraud::BehaviourOptions options;
  fraud::SequenceModel model(options);
  Group honest, fraud_accounts, takeover;
  Progress scoring("sessions", sessions.size());
  for (size_t i = 0; i < sessions.size(); ++i) {
    const bool warm = model.sessions() >= options.warm_up_sessions;
    const fraud::SessionScore score = model.Observe(sessions[i]);
    Group& g = takeovers.contains(sessions[i].session_id)  ? takeover
               : fraud_users.contains(sessions[i].user_id) ? fraud_accounts
                                                           : honest;
    g.Add(score, warm);
    if (i % 65536 == 0) scoring.Update(i);
  }
  scoring.Finish();

  const json::object result{{"sessions", sessions.size()},
                            {"honest", honest.Json()},
                            {"fraud_accounts", fraud_accounts.Json()},
                            {"account_takeovers", takeover.Json()}};
  std::cout << json::serialize(result) << "\n";
  if (report_path.empty()) return OkStatus();

  SvgPlot plot("Session surprise (z) by who is behind it", "z", "share of sessions", -2, 12, 0, 1);
  const auto line = [&](const Group& g, const char* colour, const std::string& label) {
    std::uint64_t total = 0;
    for (auto n : g.z_histogram) total += n;
    if (total == 0) return;
    std::vector<std::pair<double, double>> points;
    for (size_t b = 0; b < g.z_histogram.size(); ++b) {
      points.emplace_back(double(b) - 1.5, double(g.z_histogram[b]) / double(total));
    }
    plot.Line(points, colour, label);
  };
  line(honest, kPlotBlue, "honest users");
  line(fraud_accounts, kPlotAmber, "fraud accounts");
  line(takeover, kPlotRed, "account takeovers");
  plot.Line({{options.unusual_z, 0}, {options.unusual_z, 1}}, kPlotGrey, "B01 threshold", true);
  std::ofstream out(report_path);
  if (!out) return UnavailableError("cannot write " + Quote(report_path));
  out << "<!doctype html><meta charset=utf-8><title>Behaviour sequences</title>"
         "<body style='font-family:sans-serif;max-width:900px;margin:auto'>"
         "<h1>Behaviour sequences</h1><p>Every login session of a simulated world, scored "
         "before it is learned (z of its surprise against earlier sessions).</p>"
      << plot.Svg() << "<pre>" << HtmlEscape(json::serialize(result)) << "</pre></body>";
  return OkStatus();
}

}  // namespace

void AddBehaviourCommands(CLI::App& app, GlobalOptions&, Action& run) {
  CLI::App* behaviour = app.add_subcommand("behaviour", "Behaviour sequences of sessions");
  behaviour->require_subcommand(1);
  auto world = std::make_shared<std::string>();
  auto report = std::make_shared<std::string>();
  CLI::App* evaluate = behaviour->add_subcommand(
      "evaluate", "Flag rates of the session model on a simulated world's logins, by truth");
  evaluate->add_option("--world", *world, "Directory written by finbrain simulate")->required();
  evaluate->add_option("--report", *report, "Also write an HTML report with the plot here");
  evaluate->callback(
      [&run, world, report] { run = [world, report] { return Evaluate(*world, *report); }; });
}

}  // namespace finbrain::cli
