// /v1/service: the tenant's FAQ knowledge base (versioned, audited) and the sentiment of a text.
#include <future>
#include <map>
#include <mutex>

#include "common/json_text.h"
#include "common/strings.h"
#include "ingest/event_schema.h"
#include "ingest/event_store.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"
#include "server/internal/service_customer.h"
#include "service/conversation.h"
#include "service/handoffs.h"
#include "service/kb_proposals.h"
#include "service/kb_store.h"
#include "service/knowledge_base.h"
#include "service/redact.h"
#include "service/sentiment.h"
#include "service/text.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

constexpr size_t kMaxTextChars = 2'000;

json::object VersionJson(const service::KbVersion& v) {
  return {{"version", v.version},       {"active", v.active},
          {"created_at", v.created_at}, {"created_by", v.created_by},
          {"entries", v.entries},       {"calibration_messages", v.calibration_messages},
          {"answers", v.answers}};
}

// The text member of a message body: present, not blank, at most kMaxTextChars.
StatusOr<std::string> RequiredText(const json::object& body) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalString(body, "text"));
  if (!text || text->find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgumentError("must be a non-empty string", "text");
  }
  if (const size_t n = service::CharacterCount(*text); n > kMaxTextChars) {
    return InvalidArgumentError("is " + std::to_string(n) + " characters long; at most " +
                                    std::to_string(kMaxTextChars) + " are allowed",
                                "text");
  }
  return *text;
}

// An id for conversations and messages: 1-64 characters of [A-Za-z0-9_.:-].
Status CheckId(std::string_view id, std::string_view field) {
  return service::IsValidServiceId(id)
             ? OkStatus()
             : InvalidArgumentError("must be 1-64 characters of A-Z a-z 0-9 _ . : -",
                                    std::string(field));
}

// ?status=&limit= of a queue: `status` one of `statuses` or "all" (returned as ""), default
// `statuses[0]`; limit 1-1000, default 100.
StatusOr<std::pair<std::string, size_t>> StatusAndLimit(std::string_view query_text,
                                                        const std::vector<std::string>& statuses) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(query_text, {"status", "limit"}));
  std::string status = statuses[0];
  if (const auto it = query.find("status"); it != query.end()) status = it->second;
  if (status != "all" && std::find(statuses.begin(), statuses.end(), status) == statuses.end()) {
    return InvalidArgumentError("must be " + Join(statuses, ", ") + " or all", "status");
  }
  FB_ASSIGN_OR_RETURN(const int limit, IntQueryParam(query, "limit", 1, 1000, 100));
  return std::pair{status == "all" ? std::string() : status, static_cast<size_t>(limit)};
}

json::object ReplyJson(const service::BotReply& r) {
  json::array candidates;
  for (const service::BotCandidate& c : r.candidates) {
    candidates.push_back(
        json::object{{"kb_id", c.kb_id}, {"question", c.question}, {"confidence", c.confidence}});
  }
  json::object o{{"type", service::ReplyTypeName(r.type)},
                 {"answer", r.answer},
                 {"confidence", r.confidence},
                 {"candidates", std::move(candidates)},
                 {"negative", r.negative}};
  o["kb_id"] = r.kb_id.empty() ? json::value(nullptr) : json::value(r.kb_id);
  if (!r.handoff_reason.empty()) o["handoff_reason"] = r.handoff_reason;
  if (!r.account_id.empty()) o["account_id"] = r.account_id;
  return o;
}

class ServiceRoutes final : public RouteGroup {
 public:
  ServiceRoutes(const runtime::Runtime& runtime, const Clock& clock)
      : runtime_(runtime),
        kbs_(*runtime.kbs),
        store_(*runtime.store),
        events_(*runtime.events),
        tokenizer_(*runtime.tokenizer),
        clock_(clock) {}

  std::vector<Route> Routes() override {
    return {
        // Publishing builds the bot (index and calibration): seconds, off the I/O threads.
        {.method = "PUT",
         .pattern = "/v1/service/kb",
         .writes = true,
         .slow = true,
         .handler = Bind(this, &ServiceRoutes::PutKb)},
        {.method = "GET",
         .pattern = "/v1/service/kb",
         .handler = Bind(this, &ServiceRoutes::GetKb)},
        {.method = "GET",
         .pattern = "/v1/service/kb/versions",
         .handler = Bind(this, &ServiceRoutes::KbVersions)},
        // On the I/O thread (a few ms of CPU): a bot not built yet answers 503 at once and is
        // built in the background.
        {.method = "POST",
         .pattern = "/v1/service/messages",
         .async_handler = Bind(this, &ServiceRoutes::PostMessage)},
        {.method = "POST",
         .pattern = "/v1/service/messages/{message_id}/feedback",
         .async_handler = Bind(this, &ServiceRoutes::PostFeedback)},
        {.method = "GET",
         .pattern = "/v1/service/stats",
         .handler = Bind(this, &ServiceRoutes::Stats)},
        {.method = "GET",
         .pattern = "/v1/service/handoffs",
         .handler = Bind(this, &ServiceRoutes::ListHandoffs)},
        {.method = "GET",
         .pattern = "/v1/service/handoffs/{handoff_id}",
         .handler = Bind(this, &ServiceRoutes::GetHandoff)},
        {.method = "POST",
         .pattern = "/v1/service/handoffs/{handoff_id}/reply",
         .slow = true,
         .async_handler = Bind(this, &ServiceRoutes::ReplyToHandoff)},
        {.method = "POST",
         .pattern = "/v1/service/handoffs/{handoff_id}/resolve",
         .mutation = Bind(this, &ServiceRoutes::ResolveHandoff)},
        {.method = "POST",
         .pattern = "/v1/service/handoffs/{handoff_id}/propose",
         .mutation = Bind(this, &ServiceRoutes::ProposeFromHandoff)},
        {.method = "GET",
         .pattern = "/v1/service/kb/proposals",
         .handler = Bind(this, &ServiceRoutes::ListProposals)},
        // Publishing builds the new KB's bot: seconds, off the I/O threads.
        {.method = "POST",
         .pattern = "/v1/service/kb/proposals/{proposal_id}/publish",
         .writes = true,
         .slow = true,
         .handler = Bind(this, &ServiceRoutes::PublishProposal)},
        {.method = "POST",
         .pattern = "/v1/service/kb/proposals/{proposal_id}/reject",
         .mutation = Bind(this, &ServiceRoutes::RejectProposal)},
        {.method = "POST",
         .pattern = "/v1/service/sentiment",
         .slow = true,  // the first call loads the model
         .handler = Bind(this, &ServiceRoutes::Sentiment)},
    };
  }

 private:
  StatusOr<HttpResponse> PutKb(RequestContext& c);
  StatusOr<HttpResponse> GetKb(RequestContext& c);
  StatusOr<HttpResponse> KbVersions(RequestContext& c);
  StatusOr<HttpResponse> Sentiment(RequestContext& c);
  Status PostMessage(RequestContext& c, Responder respond);

  const runtime::Runtime& runtime_;
  service::KbStore& kbs_;
  storage::KvStore& store_;
  ingest::EventStore& events_;
  const tenancy::PiiTokenizer& tokenizer_;
  const Clock& clock_;
  // What the bot remembers between a conversation's turns, by "tenant/conversation"; the
  // conversation itself is in the event log as service_message events.
  struct Conversation {
    service::ConversationContext context;
    std::uint64_t turns = 0;
    TimeMicros last = 0;
    std::vector<service::Turn> transcript;  // the last kTranscriptTurns turns, for a handoff
    // The last answer, until it is rated or asked again.
    std::string answered_message, answered_kb_id;
    TimeMicros answered_at = 0;
  };
  // An answer whose question comes back this soon (or a person asked for instead) did not help.
  static constexpr TimeMicros kAskedAgainWithin = 5 * 60'000'000LL;
  static constexpr size_t kTranscriptTurns = 50;
  // Stores `events` with `extra` in one durable batch and waits for it (the handoff routes run
  // one at a time on the background worker, so each reads what the last one wrote).
  Status IngestAndWait(RequestContext& c, std::vector<ingest::ValidatedEvent> events,
                       storage::WriteBatch extra);
  // A service_message event; `reply` adds the outbound turn's reply_type, kb_id, ...
  StatusOr<ingest::ValidatedEvent> MessageEvent(
      const std::string& event_id, std::string_view direction, const std::string& user_id,
      const std::string& conversation, const std::optional<std::string>& channel,
      const std::string& text, TimeMicros at, json::object reply = {});
  // A service_feedback event on the answer to message `message_id`.
  StatusOr<ingest::ValidatedEvent> FeedbackEvent(const std::string& message_id,
                                                 const std::string& user_id,
                                                 const std::string& conversation,
                                                 const std::string& kb_id, bool helped,
                                                 std::string_view source, TimeMicros at);
  Status PostFeedback(RequestContext& c, Responder respond);
  StatusOr<HttpResponse> Stats(RequestContext& c);
  Status ReplyToHandoff(RequestContext& c, Responder respond);
  StatusOr<Mutation> ResolveHandoff(RequestContext& c);
  StatusOr<HttpResponse> ListHandoffs(RequestContext& c);
  StatusOr<HttpResponse> GetHandoff(RequestContext& c);
  StatusOr<Mutation> ProposeFromHandoff(RequestContext& c);
  StatusOr<HttpResponse> ListProposals(RequestContext& c);
  StatusOr<HttpResponse> PublishProposal(RequestContext& c);
  StatusOr<Mutation> RejectProposal(RequestContext& c);
  std::mutex publish_mu_;  // one proposal published at a time: each builds on the active KB
  std::mutex conversations_mu_;
  std::map<std::string, Conversation, std::less<>> conversations_;
};

// {conversation_id, user_id?, channel?, text, message_id?} -> the bot's reply. The inbound and
// the outbound turn are stored as service_message events (phone, ID and card numbers in the
// text replaced by their tokens) before the answer is sent.
Status ServiceRoutes::PostMessage(RequestContext& c, Responder respond) {
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(
      RejectUnknownFields(body, {"conversation_id", "user_id", "channel", "text", "message_id"}));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> conversation,
                      OptionalString(body, "conversation_id"));
  if (!conversation) return InvalidArgumentError("is required", "conversation_id");
  FB_RETURN_IF_ERROR(CheckId(*conversation, "conversation_id"));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> user, OptionalString(body, "user_id"));
  if (user) FB_RETURN_IF_ERROR(CheckId(*user, "user_id"));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> channel, OptionalString(body, "channel"));
  if (channel && *channel != "app" && *channel != "web" && *channel != "phone" &&
      *channel != "wechat") {
    return InvalidArgumentError("must be one of app, web, phone, wechat", "channel");
  }
  FB_ASSIGN_OR_RETURN(std::optional<std::string> message_id, OptionalString(body, "message_id"));
  if (message_id) FB_RETURN_IF_ERROR(CheckId(*message_id, "message_id"));
  FB_ASSIGN_OR_RETURN(const std::string raw_text, RequiredText(body));
  FB_ASSIGN_OR_RETURN(std::shared_ptr<const service::FaqBot> bot, kbs_.ReadyBot(c.tenant));

  const std::string key = c.tenant + "/" + *conversation;
  const TimeMicros now = clock_.NowMicros();
  const std::string at = FormatRfc3339(now);
  const std::string text = service::RedactPii(raw_text, tokenizer_);
  service::ConversationContext context;
  std::uint64_t turn = 0;
  {
    std::lock_guard lock(conversations_mu_);
    Conversation& conv = conversations_[key];
    context = conv.context;
    turn = ++conv.turns;
    conv.last = now;
  }
  const std::string id = "msg-" + (message_id ? *message_id
                                              : *conversation + ":" + std::to_string(turn) + ":" +
                                                    std::to_string(now));
  const std::string user_id = user ? *user : "guest:" + *conversation;
  // Account answers read only the accounts of the user this message comes from.
  service::AccountLookup lookup;
  if (user) {
    lookup = [&] { return internal::AccountFactsOf(runtime_, c.tenant, *user, now); };
  }
  const service::BotReply reply = service::Converse(*bot, text, context, lookup);
  std::vector<service::Turn> transcript;
  std::string asked_again_message, asked_again_kb_id;
  {
    std::lock_guard lock(conversations_mu_);
    Conversation& conv = conversations_[key];
    conv.context = context;
    conv.transcript.push_back({"inbound", text, at, reply.negative});
    conv.transcript.push_back({"outbound", reply.answer, at, -1});
    if (conv.transcript.size() > kTranscriptTurns) {
      conv.transcript.erase(conv.transcript.begin(),
                            conv.transcript.end() - static_cast<std::ptrdiff_t>(kTranscriptTurns));
    }
    transcript = conv.transcript;
    if (!conv.answered_message.empty() && now - conv.answered_at <= kAskedAgainWithin &&
        ((!reply.kb_id.empty() && reply.kb_id == conv.answered_kb_id) ||
         reply.handoff_reason == "person_requested")) {
      asked_again_message = conv.answered_message;
      asked_again_kb_id = conv.answered_kb_id;
    }
    conv.answered_message.clear();
    if (reply.type == service::ReplyType::kAnswer) {
      conv.answered_message = id;
      conv.answered_kb_id = reply.kb_id;
      conv.answered_at = now;
    }
    // Idle conversations are forgotten after an hour once there are many.
    if (conversations_.size() > 100'000) {
      std::erase_if(conversations_, [&](const auto& kv) {
        return now - kv.second.last > TimeMicros{3'600'000'000};
      });
    }
  }

  std::vector<ingest::ValidatedEvent> events;
  FB_ASSIGN_OR_RETURN(ingest::ValidatedEvent inbound,
                      MessageEvent(id, "inbound", user_id, *conversation, channel, text, now));
  json::object typed{{"reply_type", service::ReplyTypeName(reply.type)},
                     {"confidence", reply.confidence}};
  if (!reply.kb_id.empty()) typed["kb_id"] = reply.kb_id;
  if (!reply.handoff_reason.empty()) typed["handoff_reason"] = reply.handoff_reason;
  if (!reply.account_id.empty()) typed["account_id"] = reply.account_id;
  FB_ASSIGN_OR_RETURN(ingest::ValidatedEvent outbound,
                      MessageEvent(id + ":bot", "outbound", user_id, *conversation, channel,
                                   reply.answer, now, std::move(typed)));
  events.push_back(std::move(inbound));
  events.push_back(std::move(outbound));
  if (!asked_again_message.empty()) {
    FB_ASSIGN_OR_RETURN(ingest::ValidatedEvent feedback,
                        FeedbackEvent(asked_again_message, user_id, *conversation,
                                      asked_again_kb_id, false, "asked_again", now));
    events.push_back(std::move(feedback));
  }
  c.entity = "conversation/" + *conversation;
  json::object out = ReplyJson(reply);
  out["conversation_id"] = *conversation;
  out["message_id"] = id;
  // A handoff is written with the turns that caused it, in the same durable batch.
  storage::WriteBatch extra;
  if (reply.type == service::ReplyType::kHandoff) {
    const service::Handoff handoff = service::NewHandoff(
        now, *conversation, user.value_or(""), std::move(transcript), reply,
        user ? ToJsonText(internal::CustomerCard(runtime_, c.tenant, *user, now)) : "{}");
    extra.PutOwned(storage::Column::kHandoffs, service::HandoffKey(c.tenant, handoff.id),
                   service::HandoffToJson(handoff));
    out["handoff_id"] = handoff.id;
    c.entity += "/" + handoff.id;
  }
  events_.Ingest(
      c.tenant, std::move(events),
      tenancy::AuditEntry{.tenant = c.tenant, .actor = c.actor, .action = c.action, .result = "ok"},
      [respond, out = std::move(out)](const Status& written, const ingest::IngestSummary&) {
        if (!written.ok()) {
          return respond(ErrorResponse(UnavailableError("the conversation could not be stored")));
        }
        respond(JsonResponse(200, ToJsonText(out)));
      },
      std::move(extra));
  return OkStatus();
}

StatusOr<ingest::ValidatedEvent> ServiceRoutes::MessageEvent(
    const std::string& event_id, std::string_view direction, const std::string& user_id,
    const std::string& conversation, const std::optional<std::string>& channel,
    const std::string& text, TimeMicros at, json::object reply) {
  json::object e{{"event_id", event_id},
                 {"event_type", "service_message"},
                 {"occurred_at", FormatRfc3339(at)},
                 {"message_id", event_id},
                 {"user_id", user_id},
                 {"conversation_id", conversation},
                 {"text", text},
                 {"direction", direction}};
  if (channel) e["channel"] = *channel;
  for (auto& [k, v] : reply) e[k] = std::move(v);
  return ingest::EventSchema::Get().Validate(e, tokenizer_);
}

StatusOr<ingest::ValidatedEvent> ServiceRoutes::FeedbackEvent(
    const std::string& message_id, const std::string& user_id, const std::string& conversation,
    const std::string& kb_id, bool helped, std::string_view source, TimeMicros at) {
  const json::object e{{"event_id", "fb-" + message_id},
                       {"event_type", "service_feedback"},
                       {"occurred_at", FormatRfc3339(at)},
                       {"message_id", message_id},
                       {"user_id", user_id},
                       {"conversation_id", conversation},
                       {"kb_id", kb_id},
                       {"helped", helped},
                       {"source", source}};
  return ingest::EventSchema::Get().Validate(e, tokenizer_);
}

// {helped}: the customer's word on the answer to message `message_id` (once per answer).
Status ServiceRoutes::PostFeedback(RequestContext& c, Responder respond) {
  const std::string& message = c.params[0];
  c.entity = "message/" + message;
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"helped"}));
  const json::value* helped = body.if_contains("helped");
  if (helped == nullptr || !helped->is_bool()) {
    return InvalidArgumentError("must be true or false", "helped");
  }
  FB_ASSIGN_OR_RETURN(std::optional<std::string> stored, events_.Find(c.tenant, message + ":bot"));
  if (!stored) return NotFoundError("no bot reply to message " + Quote(message), "message_id");
  const json::object reply = json::parse(*stored).as_object();
  const json::value* type = reply.if_contains("reply_type");
  if (type == nullptr || *type != "answer") {
    return FailedPreconditionError(
        "only answers take feedback; this reply was " + (type != nullptr && type->is_string()
                                                             ? std::string(type->get_string())
                                                             : std::string("untyped")),
        "message_id");
  }
  const auto text = [&](std::string_view k) {
    const json::value* v = reply.if_contains(k);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  FB_ASSIGN_OR_RETURN(
      ingest::ValidatedEvent feedback,
      FeedbackEvent(message, text("user_id"), text("conversation_id"), text("kb_id"),
                    helped->get_bool(), "customer", clock_.NowMicros()));
  std::vector<ingest::ValidatedEvent> events;
  events.push_back(std::move(feedback));
  events_.Ingest(
      c.tenant, std::move(events),
      tenancy::AuditEntry{.tenant = c.tenant,
                          .actor = c.actor,
                          .action = c.action,
                          .entity = c.entity,
                          .result = "ok"},
      [respond, message](const Status& written, const ingest::IngestSummary& summary) {
        if (!written.ok()) {
          return respond(ErrorResponse(UnavailableError("the feedback could not be stored")));
        }
        if (summary.accepted == 0) {
          return respond(ErrorResponse(FailedPreconditionError(
              "the answer to " + Quote(message) + " already has feedback", "message_id")));
        }
        respond(JsonResponse(
            201, ToJsonText(json::object{{"message_id", message}, {"recorded", true}})));
      });
  return OkStatus();
}

StatusOr<HttpResponse> ServiceRoutes::Stats(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"entries"}));
  FB_ASSIGN_OR_RETURN(const int entries, IntQueryParam(query, "entries", 0, 10'000, 50));
  return JsonResponse(200, runtime_.service_stats->Json(c.tenant, static_cast<size_t>(entries)));
}

Status ServiceRoutes::IngestAndWait(RequestContext& c, std::vector<ingest::ValidatedEvent> events,
                                    storage::WriteBatch extra) {
  std::promise<Status> done;
  events_.Ingest(
      c.tenant, std::move(events),
      tenancy::AuditEntry{.tenant = c.tenant,
                          .actor = c.actor,
                          .action = c.action,
                          .entity = c.entity,
                          .result = "ok"},
      [&done](const Status& written, const ingest::IngestSummary&) { done.set_value(written); },
      std::move(extra));
  return done.get_future().get();
}

StatusOr<HttpResponse> ServiceRoutes::ListHandoffs(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(const auto filter,
                      StatusAndLimit(c.request.query, {"open", "replied", "resolved"}));
  FB_ASSIGN_OR_RETURN(std::vector<service::Handoff> list,
                      service::ListHandoffs(store_, c.tenant, filter.first, filter.second));
  const TimeMicros now = clock_.NowMicros();
  json::array out;
  for (const service::Handoff& h : list) {
    json::object o = json::parse(service::HandoffToJson(h)).as_object();
    o.erase("turns");
    o["turn_count"] = h.turns.size();
    // The age an agent's SLA counts (oldest first in the list).
    if (StatusOr<TimeMicros> created = ParseRfc3339(h.created_at); created.ok()) {
      o["age_seconds"] = static_cast<double>(now - *created) / 1e6;
    }
    o["last_message"] = h.turns.empty() ? std::string() : h.turns.back().text;
    out.push_back(std::move(o));
  }
  return JsonResponse(200, ToJsonText(json::object{{"handoffs", std::move(out)}}));
}

StatusOr<HttpResponse> ServiceRoutes::GetHandoff(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(service::Handoff h, service::ReadHandoff(store_, c.tenant, c.params[0]));
  return JsonResponse(200, service::HandoffToJson(h));
}

// {text, agent?}: the agent's answer goes to the customer (an outbound service_message) and
// into the handoff's turns; the handoff is then "replied".
Status ServiceRoutes::ReplyToHandoff(RequestContext& c, Responder respond) {
  c.entity = "handoff/" + c.params[0];
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"text", "agent"}));
  FB_ASSIGN_OR_RETURN(const std::string raw_text, RequiredText(body));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> agent, OptionalString(body, "agent"));
  if (agent) FB_RETURN_IF_ERROR(CheckId(*agent, "agent"));
  FB_ASSIGN_OR_RETURN(service::Handoff h, service::ReadHandoff(store_, c.tenant, c.params[0]));
  if (h.status == "resolved") {
    return FailedPreconditionError("the handoff is resolved", "handoff_id");
  }
  const TimeMicros now = clock_.NowMicros();
  const std::string text = service::RedactPii(raw_text, tokenizer_);
  h.turns.push_back({"agent", text, FormatRfc3339(now), -1});
  h.status = "replied";
  const std::string event_id = "msg-" + h.id + ":agent:" + std::to_string(h.turns.size());
  FB_ASSIGN_OR_RETURN(
      ingest::ValidatedEvent reply,
      MessageEvent(event_id, "outbound",
                   h.user_id.empty() ? "guest:" + h.conversation_id : h.user_id, h.conversation_id,
                   std::nullopt, text, now, json::object{{"reply_type", "agent"}}));
  storage::WriteBatch extra;
  extra.PutOwned(storage::Column::kHandoffs, service::HandoffKey(c.tenant, h.id),
                 service::HandoffToJson(h));
  std::vector<ingest::ValidatedEvent> events;
  events.push_back(std::move(reply));
  FB_RETURN_IF_ERROR(IngestAndWait(c, std::move(events), std::move(extra)));
  respond(JsonResponse(200, service::HandoffToJson(h)));
  return OkStatus();
}

// {resolution?}: closes the handoff (409 if it already is).
StatusOr<Mutation> ServiceRoutes::ResolveHandoff(RequestContext& c) {
  c.entity = "handoff/" + c.params[0];
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"resolution"}));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> resolution, OptionalString(body, "resolution"));
  if (resolution && service::CharacterCount(*resolution) > kMaxTextChars) {
    return InvalidArgumentError("is longer than 2000 characters", "resolution");
  }
  FB_ASSIGN_OR_RETURN(service::Handoff h, service::ReadHandoff(store_, c.tenant, c.params[0]));
  if (h.status == "resolved") {
    return FailedPreconditionError("the handoff is already resolved", "handoff_id");
  }
  h.status = "resolved";
  h.resolution = resolution ? service::RedactPii(*resolution, tokenizer_) : "";
  h.resolved_by = c.actor;
  storage::WriteBatch extra;
  extra.PutOwned(storage::Column::kHandoffs, service::HandoffKey(c.tenant, h.id),
                 service::HandoffToJson(h));
  return Mutation{std::move(extra), JsonResponse(200, service::HandoffToJson(h))};
}

// {question?, answer?, kb_id?}: the agent's answer proposed as a new entry, or the customer's
// question as another wording of entry `kb_id`.
StatusOr<Mutation> ServiceRoutes::ProposeFromHandoff(RequestContext& c) {
  c.entity = "handoff/" + c.params[0];
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"question", "answer", "kb_id"}));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> question, OptionalString(body, "question"));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> answer, OptionalString(body, "answer"));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> kb_id, OptionalString(body, "kb_id"));
  FB_ASSIGN_OR_RETURN(service::Handoff h, service::ReadHandoff(store_, c.tenant, c.params[0]));
  FB_ASSIGN_OR_RETURN(service::KbVersion active, kbs_.Get(c.tenant));
  FB_ASSIGN_OR_RETURN(
      service::KbProposal p,
      service::NewKbProposal(clock_.NowMicros(), h,
                             question ? service::RedactPii(*question, tokenizer_) : "",
                             answer ? service::RedactPii(*answer, tokenizer_) : "",
                             kb_id.value_or(""), active.content, c.actor));
  c.entity = "kb/proposal/" + p.id;
  storage::WriteBatch batch;
  batch.Put(storage::Column::kKbProposals, service::KbProposalKey(c.tenant, p.id),
            service::KbProposalToJson(p));
  return Mutation{std::move(batch), JsonResponse(201, service::KbProposalToJson(p))};
}

StatusOr<HttpResponse> ServiceRoutes::ListProposals(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(const auto filter,
                      StatusAndLimit(c.request.query, {"pending", "published", "rejected"}));
  FB_ASSIGN_OR_RETURN(std::vector<service::KbProposal> list,
                      service::ListKbProposals(store_, c.tenant, filter.first, filter.second));
  json::array out;
  for (const service::KbProposal& p : list) out.push_back(json::parse(KbProposalToJson(p)));
  return JsonResponse(200, ToJsonText(json::object{{"proposals", std::move(out)}}));
}

// {question?, answer?, id?}: the reviewer's edits, then a new KB version with the proposal in it.
StatusOr<HttpResponse> ServiceRoutes::PublishProposal(RequestContext& c) {
  c.entity = "kb/proposal/" + c.params[0];
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"question", "answer", "id"}));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> question, OptionalString(body, "question"));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> answer, OptionalString(body, "answer"));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> id, OptionalString(body, "id"));
  std::lock_guard lock(publish_mu_);
  FB_ASSIGN_OR_RETURN(service::KbProposal p,
                      service::ReadKbProposal(store_, c.tenant, c.params[0]));
  if (p.status != "pending") {
    return FailedPreconditionError("the proposal is " + p.status, "proposal_id");
  }
  if (question) p.question = service::RedactPii(*question, tokenizer_);
  if (answer && p.kind == "new_entry") p.answer = service::RedactPii(*answer, tokenizer_);
  if (id && p.kind == "new_entry") {
    FB_RETURN_IF_ERROR(CheckId(*id, "id"));
    p.kb_id = *id;
  }
  FB_ASSIGN_OR_RETURN(service::KbVersion active, kbs_.Get(c.tenant));
  FB_ASSIGN_OR_RETURN(std::vector<service::KbEntry> next,
                      service::ApplyKbProposal(std::move(active.content), p));
  FB_ASSIGN_OR_RETURN(service::KbVersion published,
                      kbs_.Publish(c.tenant, std::move(next), {c.actor, c.action}));
  // After the version: a crash in between leaves the proposal pending, and publishing it again
  // is refused because the KB already has it.
  p.status = "published";
  p.kb_version = published.version;
  p.reviewed_at = FormatRfc3339(clock_.NowMicros());
  p.reviewed_by = c.actor;
  c.entity += " kb/v" + std::to_string(published.version);
  storage::WriteBatch batch;
  batch.Put(storage::Column::kKbProposals, service::KbProposalKey(c.tenant, p.id),
            service::KbProposalToJson(p));
  FB_RETURN_IF_ERROR(store_.Write(batch));
  return JsonResponse(200, service::KbProposalToJson(p));
}

// {note?}
StatusOr<Mutation> ServiceRoutes::RejectProposal(RequestContext& c) {
  c.entity = "kb/proposal/" + c.params[0];
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"note"}));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> note, OptionalString(body, "note"));
  if (note && service::CharacterCount(*note) > kMaxTextChars) {
    return InvalidArgumentError("is longer than 2000 characters", "note");
  }
  FB_ASSIGN_OR_RETURN(service::KbProposal p,
                      service::ReadKbProposal(store_, c.tenant, c.params[0]));
  if (p.status != "pending") {
    return FailedPreconditionError("the proposal is " + p.status, "proposal_id");
  }
  p.status = "rejected";
  p.note = note ? service::RedactPii(*note, tokenizer_) : "";
  p.reviewed_at = FormatRfc3339(clock_.NowMicros());
  p.reviewed_by = c.actor;
  storage::WriteBatch batch;
  batch.Put(storage::Column::kKbProposals, service::KbProposalKey(c.tenant, p.id),
            service::KbProposalToJson(p));
  return Mutation{std::move(batch), JsonResponse(200, service::KbProposalToJson(p))};
}

StatusOr<HttpResponse> ServiceRoutes::PutKb(RequestContext& c) {
  c.entity = "kb";
  service::KbParse parsed;
  const size_t first = c.request.body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return InvalidArgumentError("the body must be a KB as CSV, JSON lines or {\"entries\": [...]}",
                                "body");
  }
  // {"entries": [...]} is the JSON form; anything else (CSV, JSON lines, even one line) is a file.
  boost::system::error_code ec;
  const json::value whole =
      c.request.body[first] == '{' ? json::parse(c.request.body, ec) : json::value();
  if (!ec && whole.is_object() && whole.as_object().contains("entries")) {
    const json::object& body = whole.as_object();
    FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"entries"}));
    const json::array* entries = body.at("entries").if_array();
    if (entries == nullptr) return InvalidArgumentError("must be an array", "entries");
    for (size_t i = 0; i < entries->size(); ++i) {
      StatusOr<service::KbEntry> entry = service::KbEntryFromJson((*entries)[i]);
      if (!entry.ok()) {
        parsed.errors.push_back({"body", 0,
                                 "entries[" + std::to_string(i) + "]." + entry.status().field(),
                                 entry.status().message()});
      } else {
        parsed.entries.push_back(std::move(*entry));
      }
    }
  } else {
    parsed = service::ParseKb(c.request.body, "body");
  }
  if (parsed.entries.empty()) {
    const std::string why = parsed.errors.empty() ? "no entries" : parsed.errors[0].ToString();
    return InvalidArgumentError("the KB has no valid entry: " + why,
                                parsed.errors.empty() ? "body" : parsed.errors[0].field);
  }
  FB_ASSIGN_OR_RETURN(service::KbVersion v,
                      kbs_.Publish(c.tenant, std::move(parsed.entries), {c.actor, c.action}));
  c.entity += "/v" + std::to_string(v.version);
  json::object out = VersionJson(v);
  json::array rejected;
  for (const service::KbRowError& e : parsed.errors) {
    rejected.push_back(json::object{
        {"line", e.line}, {"field", e.field}, {"reason", e.reason}, {"message", e.ToString()}});
  }
  out["rejected"] = std::move(rejected);
  return JsonResponse(201, ToJsonText(out));
}

StatusOr<HttpResponse> ServiceRoutes::GetKb(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"version"}));
  FB_ASSIGN_OR_RETURN(const int version, IntQueryParam(query, "version", 1, 1 << 30, 0));
  FB_ASSIGN_OR_RETURN(service::KbVersion v, kbs_.Get(c.tenant, version));
  json::object out = VersionJson(v);
  json::array entries;
  for (const service::KbEntry& e : v.content) entries.push_back(service::KbEntryToJson(e));
  out["entries"] = std::move(entries);
  out["entry_count"] = v.entries;
  return JsonResponse(200, ToJsonText(out));
}

StatusOr<HttpResponse> ServiceRoutes::KbVersions(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto versions, kbs_.Versions(c.tenant));
  json::array out;
  for (const auto& v : versions) out.push_back(VersionJson(v));
  return JsonResponse(200, ToJsonText(json::object{{"versions", std::move(out)}}));
}

StatusOr<HttpResponse> ServiceRoutes::Sentiment(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"text"}));
  FB_ASSIGN_OR_RETURN(const std::string text, RequiredText(body));
  FB_ASSIGN_OR_RETURN(const service::BotModels models, service::SharedBotModels());
  const double negative = models.sentiment->Negative(text);
  return JsonResponse(200, ToJsonText(json::object{{"negative", negative}}));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeServiceRoutes(const RouteEnv& env) {
  return std::make_unique<ServiceRoutes>(env.runtime, env.clock);
}

}  // namespace finbrain::server
