// /v1/events: event ingestion (one event or a batch), lookup, and per-type counts.
#include "common/strings.h"
#include "server/api_internal.h"
#include "server/errors.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;
constexpr size_t kMaxBatch = 10'000;

}  // namespace

Status Api::PostEvents(Context& c, Responder respond) {
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
  auto rejected = std::make_shared<json::array>();
  const ingest::EventSchema& schema = ingest::EventSchema::Get();
  for (size_t i = 0; i < count; ++i) {
    const json::value& item = single ? body : (*batch)[i];
    StatusOr<ingest::ValidatedEvent> event =
        item.is_object() ? schema.Validate(item.get_object(), deps_.tokenizer)
                         : StatusOr<ingest::ValidatedEvent>(
                               InvalidArgumentError("an event must be a JSON object"));
    if (event.ok()) {
      valid.push_back(std::move(*event));
      continue;
    }
    if (single) return event.status();  // one bad event: a plain 400 naming the field
    rejected->push_back(
        {{"index", i}, {"field", event.status().field()}, {"message", event.status().message()}});
  }

  deps_.events.Ingest(
      c.tenant, std::move(valid),
      tenancy::AuditEntry{.tenant = c.tenant, .actor = c.actor, .action = c.action, .result = "ok"},
      [respond, rejected](const Status& written, const ingest::IngestSummary& summary) {
        if (!written.ok()) {
          return respond(
              ErrorResponse(UnavailableError("the events could not be stored; none were applied")));
        }
        json::object out{{"accepted", summary.accepted},
                         {"duplicates", summary.duplicates},
                         {"rejected_count", rejected->size()},
                         {"rejected", std::move(*rejected)}};
        respond(JsonResponse(200, json::serialize(out)));
      });
  return OkStatus();
}

StatusOr<HttpResponse> Api::GetEvent(Context& c) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> event, deps_.events.Find(c.tenant, c.params[0]));
  if (!event) return NotFoundError("no event " + Quote(c.params[0]), "event_id");
  return JsonResponse(200, std::move(*event));
}

StatusOr<HttpResponse> Api::EventStats(Context& c) {
  json::object counts;
  std::uint64_t total = 0;
  for (const auto& [type, n] : deps_.type_counts.For(c.tenant)) {
    counts[type] = n;
    total += n;
  }
  return JsonResponse(
      200, json::serialize(json::object{{"total", total}, {"counts", std::move(counts)}}));
}

}  // namespace finbrain::server
