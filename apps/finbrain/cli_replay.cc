// `finbrain replay PATH --url URL --api-key KEY`: plays simulated events to a running server in
// time order at a steady rate, as live traffic would arrive: credit applications are decided
// (POST /v1/decisions/credit), logins and payments go through real-time interception
// (POST /v1/decisions/transaction), everything else is ingested (POST /v1/events). The demo
// runs it in the background so the console's dashboards move.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "apps/finbrain/cli.h"
#include "common/clock.h"
#include "common/json_text.h"
#include "ingest/jsonl.h"
#include "server/http_client.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct ReplayOptions {
  std::string path, url, api_key, since;
  double rate = 20;        // events per second
  double seconds = 0;      // stop after this long; 0: when done (or never, with --loop)
  bool loop = false;       // start again at the end, with fresh ids
  bool fresh_ids = false;  // new ids from the first pass on (a re-run of the demo decides again)
  size_t max_errors_shown = 10;
};

struct Event {
  TimeMicros at;
  std::string type;
  json::object body;
};

std::string RouteFor(std::string_view type) {
  if (type == "credit_application") return "/v1/decisions/credit";
  if (type == "login" || type == "payment") return "/v1/decisions/transaction";
  return "/v1/events";
}

// The events of `path` at or after `since`, oldest first.
StatusOr<std::vector<Event>> LoadEvents(const std::string& path, std::optional<TimeMicros> since) {
  FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(path));
  std::vector<Event> events;
  for (const std::string& file : files) {
    std::ifstream in(file);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.empty()) continue;
      boost::system::error_code ec;
      json::value v = json::parse(line, ec);
      const json::object* o = ec ? nullptr : v.if_object();
      const json::value* at = o ? o->if_contains("occurred_at") : nullptr;
      const json::value* type = o ? o->if_contains("event_type") : nullptr;
      StatusOr<TimeMicros> when = at && at->is_string() ? ParseRfc3339(at->get_string())
                                                        : StatusOr<TimeMicros>(TimeMicros{0});
      if (!o || !type || !type->is_string() || !at || !when.ok()) {
        return InvalidArgumentError(file + ":" + std::to_string(n) +
                                        ": not an event (JSON object with event_type and an "
                                        "RFC 3339 occurred_at)",
                                    "path");
      }
      if (since && *when < *since) continue;
      events.push_back({*when, std::string(type->get_string()), std::move(v.as_object())});
    }
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  return events;
}

// Pass 2 and later send the same events under new ids ("<id>-r2"), so they are decided again
// rather than answered from the idempotency records; with a `run` tag every pass does
// ("<id>-<run>-1").
std::string BodyForPass(const Event& e, int pass, const std::string& run) {
  if (pass == 1 && run.empty()) return ToJsonText(e.body);
  json::object body = e.body;
  std::string suffix = "-";
  if (run.empty()) {
    suffix += 'r';
  } else {
    suffix += run;
    suffix += '-';
  }
  suffix += std::to_string(pass);
  for (const char* field : {"event_id", "application_id"}) {
    if (json::value* id = body.if_contains(field); id && id->is_string()) {
      std::string renamed(id->get_string());
      renamed += suffix;
      *id = renamed;
    }
  }
  return ToJsonText(body);
}

Status Replay(const ReplayOptions& o) {
  std::optional<TimeMicros> since;
  if (!o.since.empty()) {
    StatusOr<TimeMicros> parsed = ParseRfc3339(o.since);
    if (!parsed.ok()) return InvalidArgumentError("--since: " + parsed.status().message(), "since");
    since = *parsed;
  }
  FB_ASSIGN_OR_RETURN(std::vector<Event> events, LoadEvents(o.path, since));
  if (events.empty()) return NotFoundError("no events to replay in " + o.path, "path");
  std::string host;
  std::uint16_t port = 0;
  FB_RETURN_IF_ERROR(server::ParseHttpUrl(o.url, host, port));
  FB_ASSIGN_OR_RETURN(auto client, server::HttpClient::Connect(host, port));
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer " + o.api_key}, {"Content-Type", "application/json"}};
  std::cerr << "replay: " << events.size() << " events at " << o.rate << "/s"
            << (o.loop ? ", looping" : "") << "\n";

  using Clock = std::chrono::steady_clock;
  const std::string run = o.fresh_ids ? std::to_string(SystemClock().NowMicros() / 1'000'000) : "";
  const auto start = Clock::now();
  auto last_report = start;
  const auto interval = std::chrono::duration<double>(1.0 / o.rate);
  std::map<std::string, std::uint64_t> outcomes;
  std::uint64_t sent = 0, rejected = 0;
  size_t shown = 0;
  const auto report = [&] {
    std::cerr << "replay: " << sent << " sent";
    for (const auto& [decision, n] : outcomes) std::cerr << ", " << decision << " " << n;
    if (rejected > 0) std::cerr << ", " << rejected << " rejected";
    std::cerr << "\n";
  };
  for (int pass = 1;; ++pass) {
    for (const Event& e : events) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                interval * static_cast<double>(sent)));
      const auto now = Clock::now();
      if (o.seconds > 0 && now - start >= std::chrono::duration<double>(o.seconds)) {
        report();
        return OkStatus();
      }
      FB_ASSIGN_OR_RETURN(server::HttpResult r, client->Send("POST", RouteFor(e.type),
                                                             BodyForPass(e, pass, run), headers));
      ++sent;
      boost::system::error_code ec;
      const json::value answer = json::parse(r.body, ec);
      if (r.status >= 200 && r.status < 300) {
        const json::object* fields = ec ? nullptr : answer.if_object();
        const json::value* decision = fields ? fields->if_contains("decision") : nullptr;
        if (decision && decision->is_string()) ++outcomes[std::string(decision->get_string())];
      } else if (r.status == 401 || r.status == 403) {
        return UnauthenticatedError("the server refused the API key (" + r.body + ")");
      } else {
        ++rejected;
        if (shown++ < o.max_errors_shown) {
          std::cerr << "replay: " << e.type << " " << r.status << ": " << r.body << "\n";
        }
      }
      if (now - last_report >= std::chrono::seconds(10)) {
        report();
        last_report = now;
      }
    }
    if (!o.loop) break;
  }
  report();
  return OkStatus();
}

}  // namespace

void AddReplayCommand(CLI::App& app, GlobalOptions&, Action& run) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Play events to a running server in time order, as live traffic (the demo)");
  cmd->add_option("path", o->path, "A .jsonl file, or a directory (its events/ subfolder)")
      ->required();
  cmd->add_option("--url", o->url, "Server URL, e.g. http://127.0.0.1:8080")->required();
  cmd->add_option("--api-key", o->api_key, "Tenant API key")
      ->envname("FINBRAIN_API_KEY")
      ->required();
  cmd->add_option("--since", o->since, "Only events at or after this time (RFC 3339)");
  cmd->add_option("--rate", o->rate, "Events per second")->check(CLI::Range(0.1, 100000.0));
  cmd->add_option("--seconds", o->seconds, "Stop after this many seconds (0: at the end)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--loop", o->loop, "Start again at the end, under new event and application ids");
  cmd->add_flag("--fresh-ids", o->fresh_ids,
                "New event and application ids from the first pass on (the events are decided "
                "again even if an earlier replay sent them)");
  cmd->footer(
      "credit_application -> POST /v1/decisions/credit; login, payment -> POST "
      "/v1/decisions/transaction; other events -> POST /v1/events. Progress every 10 s on "
      "stderr.");
  cmd->callback([&run, o] { run = [o] { return Replay(*o); }; });
}

}  // namespace finbrain::cli
