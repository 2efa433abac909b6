// /v1/events: event ingestion (one event or a batch), lookup, and per-type counts.
#include "common/json_text.h"
#include "common/strings.h"
#include "ingest/event_store.h"
#include "ingest/type_counts.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"
#include "tenancy/pii.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;
constexpr size_t kMaxBatch = 10'000;

class EventRoutes final : public RouteGroup {
 public:
  EventRoutes(ingest::EventStore& events, const ingest::TypeCounts& type_counts,
              const tenancy::PiiTokenizer& tokenizer)
      : events_(events), type_counts_(type_counts), tokenizer_(tokenizer) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "POST",
         .pattern = "/v1/events",
         .async_handler = Bind(this, &EventRoutes::PostEvents)},
        {.method = "GET",
         .pattern = "/v1/events/{event_id}",
         .handler = Bind(this, &EventRoutes::GetEvent)},
        {.method = "GET",
         .pattern = "/v1/stats/events",
         .handler = Bind(this, &EventRoutes::EventStats)},
    };
  }

 private:
  Status PostEvents(RequestContext& c, Responder respond);
  StatusOr<HttpResponse> GetEvent(RequestContext& c);
  StatusOr<HttpResponse> EventStats(RequestContext& c);

  ingest::EventStore& events_;
  const ingest::TypeCounts& type_counts_;
  const tenancy::PiiTokenizer& tokenizer_;
};

Status EventRoutes::PostEvents(RequestContext& c, Responder respond) {
  if (c.request.body.empty()) return InvalidArgumentError("request body is required", "body");
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 20;
  json::value body = json::parse(c.request.body, ec, {}, options);
  if (ec) return InvalidArgumentError("request body is not valid JSON: " + ec.message(), "body");

  // One event object, {"events": [...]}, or a bare array of events.
  const json::array* batch = body.if_array();
  bool single = false;
  if (const json::object* o = body.if_object()) {
    if (o->contains("events") && !o->contains("event_type")) {
      FB_RETURN_IF_ERROR(RejectUnknownFields(*o, {"events"}));
      batch = o->at("events").if_array();
      if (batch == nullptr) return InvalidArgumentError("events must be an array", "events");
    } else {
      single = true;
    }
  } else if (batch == nullptr) {
    return InvalidArgumentError("request body must be an event object or an array of events",
                                "body");
  }
  const size_t count = single ? 1 : batch->size();
  if (count == 0) return InvalidArgumentError("the batch is empty", "events");
  if (count > kMaxBatch) {
    return InvalidArgumentError("a batch holds at most 10000 events; split it", "events");
  }

  std::vector<ingest::ValidatedEvent> valid;
  valid.reserve(count);
  auto positions = std::make_shared<std::vector<size_t>>();  // batch index of each valid event
  auto rejected = std::make_shared<json::array>();
  const ingest::EventSchema& schema = ingest::EventSchema::Get();
  for (size_t i = 0; i < count; ++i) {
    const json::value& item = single ? body : (*batch)[i];
    StatusOr<ingest::ValidatedEvent> event =
        item.is_object() ? schema.Validate(item.get_object(), tokenizer_)
                         : StatusOr<ingest::ValidatedEvent>(
                               InvalidArgumentError("an event must be a JSON object"));
    if (event.ok()) {
      valid.push_back(std::move(*event));
      positions->push_back(i);
      continue;
    }
    if (single) {  // one bad event: a plain 400 naming the field
      events_.CountInvalid(c.tenant, 1);
      return event.status();
    }
    rejected->push_back(
        {{"index", i}, {"field", event.status().field()}, {"message", event.status().message()}});
  }

  events_.CountInvalid(c.tenant, rejected->size());
  events_.Ingest(
      c.tenant, std::move(valid),
      tenancy::AuditEntry{.tenant = c.tenant, .actor = c.actor, .action = c.action, .result = "ok"},
      [respond, rejected, positions, single](const Status& written,
                                             const ingest::IngestSummary& summary) {
        if (!written.ok()) {
          return respond(
              ErrorResponse(UnavailableError("the events could not be stored; none were applied")));
        }
        // An id stored before with other content is rejected, not a duplicate.
        if (single && !summary.conflicts.empty()) {
          return respond(ErrorResponse(
              IdempotencyConflictError(summary.conflicts[0].message, summary.conflicts[0].field)));
        }
        for (const ingest::RowError& conflict : summary.conflicts) {
          rejected->push_back({{"index", (*positions)[conflict.index]},
                               {"field", conflict.field},
                               {"message", conflict.message},
                               {"conflict", true}});
        }
        json::object out{{"accepted", summary.accepted},
                         {"duplicates", summary.duplicates},
                         {"conflicts", summary.conflicts.size()},
                         {"rejected_count", rejected->size()},
                         {"rejected", std::move(*rejected)}};
        respond(JsonResponse(200, ToJsonText(out)));
      });
  return OkStatus();
}

StatusOr<HttpResponse> EventRoutes::GetEvent(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> event, events_.Find(c.tenant, c.params[0]));
  if (!event) return NotFoundError("no event " + Quote(c.params[0]), "event_id");
  return JsonResponse(200, std::move(*event));
}

StatusOr<HttpResponse> EventRoutes::EventStats(RequestContext& c) {
  json::object counts;
  std::uint64_t total = 0;
  for (const auto& [type, n] : type_counts_.For(c.tenant)) {
    counts[type] = n;
    total += n;
  }
  return JsonResponse(200,
                      ToJsonText(json::object{{"total", total}, {"counts", std::move(counts)}}));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeEventRoutes(const RouteEnv& env) {
  return std::make_unique<EventRoutes>(*env.runtime.events, *env.runtime.type_counts,
                                       *env.runtime.tokenizer);
}

}  // namespace finbrain::server
