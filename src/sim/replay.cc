#include "sim/replay.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <thread>
#include <vector>

#include "common/json_text.h"
#include "ingest/jsonl.h"

namespace finbrain::sim {
namespace {

namespace json = boost::json;

struct Event {
  TimeMicros at;
  std::string type;
  json::object body;
};

bool ForTheBot(const Event& e) {
  if (e.type != "service_message") return false;
  const json::value* direction = e.body.if_contains("direction");
  return direction == nullptr || *direction == "inbound";
}

std::string RouteFor(const Event& e) {
  if (e.type == "credit_application") return "/v1/decisions/credit";
  if (e.type == "login" || e.type == "payment") return "/v1/decisions/transaction";
  if (ForTheBot(e)) return "/v1/service/messages";
  return "/v1/events";
}

// A customer's message as the FAQ bot takes it.
json::object BotMessage(const json::object& event) {
  json::object message;
  for (const char* field : {"conversation_id", "user_id", "channel", "text", "message_id"}) {
    if (const json::value* v = event.if_contains(field)) message[field] = *v;
  }
  if (!message.contains("conversation_id")) message["conversation_id"] = event.at("message_id");
  return message;
}

// The events of `path` at or after `since`, oldest first.
StatusOr<std::vector<Event>> LoadEvents(const std::string& path, std::optional<TimeMicros> since) {
  FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(path));
  std::vector<Event> events;
  FB_RETURN_IF_ERROR(
      ingest::ForEachJsonObject(files, [&](const json::object& o, std::string_view) -> Status {
        const json::value* at = o.if_contains("occurred_at");
        const json::value* type = o.if_contains("event_type");
        StatusOr<TimeMicros> when = at && at->is_string() ? ParseRfc3339(at->get_string())
                                                          : StatusOr<TimeMicros>(TimeMicros{0});
        if (!type || !type->is_string() || !at || !when.ok()) {
          return InvalidArgumentError(
              "not an event (JSON object with event_type and an RFC 3339 occurred_at)", "path");
        }
        if (!since || *when >= *since) {
          events.push_back({*when, std::string(type->get_string()), o});
        }
        return OkStatus();
      }));
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  return events;
}

// Pass 2 and later send the same events under new ids ("<id>-r2"), so they are decided again
// rather than answered from the idempotency records; with a `run` tag every pass does
// ("<id>-<run>-1").
std::string BodyForPass(const Event& e, int pass, const std::string& run, bool for_bot) {
  json::object body = for_bot ? BotMessage(e.body) : e.body;
  if (pass == 1 && run.empty()) return ToJsonText(body);
  std::string suffix = "-";
  if (run.empty()) {
    suffix += 'r';
  } else {
    suffix += run;
    suffix += '-';
  }
  suffix += std::to_string(pass);
  for (const char* field : {"event_id", "application_id", "message_id"}) {
    if (json::value* id = body.if_contains(field); id && id->is_string()) {
      std::string renamed(id->get_string());
      renamed += suffix;
      *id = renamed;
    }
  }
  return ToJsonText(body);
}

}  // namespace

Status Replay(const std::string& path, const SendEvent& send, const ReplayOptions& o) {
  FB_ASSIGN_OR_RETURN(std::vector<Event> events, LoadEvents(path, o.since));
  if (events.empty()) return NotFoundError("no events to replay in " + path, "path");
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
      FB_ASSIGN_OR_RETURN(ReplayAnswer r,
                          send(RouteFor(e), BodyForPass(e, pass, run, ForTheBot(e))));
      if (ForTheBot(e) && r.status == 404) {
        // The tenant has no knowledge base: the message is stored as the event it is.
        FB_ASSIGN_OR_RETURN(r, send("/v1/events", BodyForPass(e, pass, run, false)));
      }
      ++sent;
      boost::system::error_code ec;
      const json::value answer = json::parse(r.body, ec);
      if (r.status >= 200 && r.status < 300) {
        const json::object* fields = ec ? nullptr : answer.if_object();
        const json::value* decision = fields ? fields->if_contains("decision") : nullptr;
        if (decision && decision->is_string()) ++outcomes[std::string(decision->get_string())];
        // The bot's reply type: answer, clarify, out_of_scope or handoff.
        const json::value* reply = fields ? fields->if_contains("type") : nullptr;
        if (reply && reply->is_string()) ++outcomes["bot " + std::string(reply->get_string())];
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

}  // namespace finbrain::sim
