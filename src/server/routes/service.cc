// /v1/service: the tenant's FAQ knowledge base (versioned, audited) and the sentiment of a text.
#include "common/json_text.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"
#include "service/kb_store.h"
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

class ServiceRoutes final : public RouteGroup {
 public:
  explicit ServiceRoutes(service::KbStore& kbs) : kbs_(kbs) {}

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

  service::KbStore& kbs_;
};

// The body is a KB file (CSV with a header, or JSON lines), or a JSON object {"entries": [...]}.
// Bad rows are reported (line or index, field, reason) and the rest is published.
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
  return std::make_unique<ServiceRoutes>(*env.runtime.kbs);
}

}  // namespace finbrain::server
