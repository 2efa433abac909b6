// /v1/strategies and /v1/decisions: the tenant's decision strategies (versioned, validated,
// dry-run, activated) and the credit decision API.
#include "common/json_text.h"
#include "common/strings.h"
#include "server/api_internal.h"
#include "server/errors.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

json::object VersionJson(const decision::StrategyVersion& v, bool with_yaml) {
  json::object o{{"name", v.name},
                 {"version", v.version},
                 {"active", v.active},
                 {"created_at", v.created_at},
                 {"created_by", v.created_by},
                 {"description", v.description},
                 {"kind", v.kind}};
  if (with_yaml) o["yaml"] = v.yaml;
  return o;
}

StatusOr<int> VersionNumber(const std::string& text) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos || text.front() == '0') {
    return InvalidArgumentError("version must be a positive integer, not " + Quote(text),
                                "version");
  }
  return std::stoi(text);
}

// Strategy documents are YAML bodies; an empty one is a clear error, not an empty strategy.
Status RequireYaml(const HttpRequest& request) {
  if (request.body.empty()) {
    return InvalidArgumentError("the body must be the strategy as YAML", "body");
  }
  return OkStatus();
}

}  // namespace

StatusOr<HttpResponse> Api::ValidateStrategy(Context& c) {
  FB_RETURN_IF_ERROR(RequireYaml(c.request));
  FB_ASSIGN_OR_RETURN(auto strategy, deps_.strategies.Compile(c.tenant, c.request.body));
  json::array models;
  for (const std::string& m : strategy->model_names()) models.push_back(json::string(m));
  json::object out{
      {"valid", true}, {"description", strategy->description()}, {"models", std::move(models)}};
  if (const auto& e = strategy->experiment()) {
    out["challenger"] = {{"version", e->challenger_version}, {"share", e->share}};
  }
  return JsonResponse(200, ToJsonText(out));
}

StatusOr<HttpResponse> Api::PutStrategy(Context& c) {
  c.entity = "strategy/" + c.params[0];
  FB_RETURN_IF_ERROR(RequireYaml(c.request));
  FB_ASSIGN_OR_RETURN(
      decision::StrategyVersion v,
      deps_.strategies.Put(c.tenant, c.params[0], c.request.body, {c.actor, c.action}));
  c.entity += "/v" + std::to_string(v.version);
  return JsonResponse(201, ToJsonText(VersionJson(v, false)));
}

StatusOr<HttpResponse> Api::ListStrategies(Context& c) {
  FB_ASSIGN_OR_RETURN(auto list, deps_.strategies.List(c.tenant));
  json::array out;
  for (const auto& v : list) out.push_back(VersionJson(v, false));
  return JsonResponse(200, ToJsonText(json::object{{"strategies", std::move(out)}}));
}

StatusOr<HttpResponse> Api::GetStrategy(Context& c) {
  FB_ASSIGN_OR_RETURN(auto versions, deps_.strategies.Versions(c.tenant, c.params[0]));
  json::array out;
  json::value active = nullptr;
  for (const auto& v : versions) {
    if (v.active) active = v.version;
    out.push_back(VersionJson(v, false));
  }
  return JsonResponse(
      200, ToJsonText(json::object{
               {"name", c.params[0]}, {"active_version", active}, {"versions", std::move(out)}}));
}

StatusOr<HttpResponse> Api::GetStrategyVersion(Context& c) {
  FB_ASSIGN_OR_RETURN(int version, VersionNumber(c.params[1]));
  FB_ASSIGN_OR_RETURN(auto v, deps_.strategies.Get(c.tenant, c.params[0], version));
  return JsonResponse(200, ToJsonText(VersionJson(v, true)));
}

StatusOr<HttpResponse> Api::ActivateStrategy(Context& c) {
  c.entity = "strategy/" + c.params[0] + "/v" + c.params[1];
  FB_ASSIGN_OR_RETURN(int version, VersionNumber(c.params[1]));
  FB_ASSIGN_OR_RETURN(
      auto v, deps_.strategies.Activate(c.tenant, c.params[0], version, {c.actor, c.action}));
  return JsonResponse(200, ToJsonText(VersionJson(v, false)));
}

StatusOr<HttpResponse> Api::DryRunStrategy(Context& c) {
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(
      RejectUnknownFields(body, {"application", "account_id", "at", "version", "yaml"}));
  FB_RETURN_IF_ERROR(decision::ValidateStrategyName(c.params[0]));
  std::shared_ptr<const decision::Strategy> strategy;
  int version = 0;
  if (const json::value* yaml = body.if_contains("yaml")) {
    // A draft: compiled here, stored nowhere.
    if (!yaml->is_string()) return InvalidArgumentError("yaml must be a string", "yaml");
    StatusOr<std::shared_ptr<const decision::Strategy>> draft =
        deps_.strategies.Compile(c.tenant, std::string(yaml->get_string()));
    if (!draft.ok()) {
      return InvalidArgumentError(draft.status().message(), "yaml");
    }
    strategy = *draft;
  } else if (const json::value* v = body.if_contains("version")) {
    if (!v->is_int64() || v->get_int64() < 1) {
      return InvalidArgumentError("version must be a positive integer", "version");
    }
    version = int(v->get_int64());
    FB_ASSIGN_OR_RETURN(auto stored, deps_.strategies.Get(c.tenant, c.params[0], version));
    FB_ASSIGN_OR_RETURN(strategy, deps_.strategies.Compile(c.tenant, stored.yaml));
  } else {
    FB_ASSIGN_OR_RETURN(auto live, deps_.strategies.Active(c.tenant, c.params[0]));
    strategy = live->strategy;
    version = live->version;
  }
  if (strategy->kind() == decision::StrategyKind::kAccount) {
    // An account strategy reviews a stored account as of `at` (default now).
    FB_ASSIGN_OR_RETURN(std::optional<std::string> account, OptionalString(body, "account_id"));
    if (!account) {
      return InvalidArgumentError("an account strategy dry-runs on an account_id", "account_id");
    }
    TimeMicros at = deps_.clock.NowMicros();
    FB_ASSIGN_OR_RETURN(std::optional<std::string> at_text, OptionalString(body, "at"));
    if (at_text) {
      StatusOr<TimeMicros> parsed = ParseRfc3339(*at_text);
      if (!parsed.ok()) return InvalidArgumentError("at must be an RFC 3339 time", "at");
      at = *parsed;
    }
    FB_ASSIGN_OR_RETURN(std::string record, deps_.accounts.DryRun(c.tenant, *account, *strategy,
                                                                  c.params[0], version, at));
    return JsonResponse(200, std::move(record));
  }
  const json::value* application = body.if_contains("application");
  if (application == nullptr || !application->is_object()) {
    return InvalidArgumentError("application must be a credit_application event object",
                                "application");
  }
  FB_ASSIGN_OR_RETURN(std::string record, deps_.decisions.DryRun(c.tenant, ToJsonText(*application),
                                                                 *strategy, c.params[0], version));
  return JsonResponse(200, std::move(record));
}

Status Api::PostCreditDecision(Context& c, Responder respond) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"strategy"}));
  const std::string strategy = query.contains("strategy") ? query["strategy"] : "credit";
  if (Status name = decision::ValidateStrategyName(strategy); !name.ok()) {
    return InvalidArgumentError(name.message(), "strategy");
  }
  if (c.request.body.empty()) {
    return InvalidArgumentError("the body must be a credit_application event", "body");
  }
  c.entity = "decision";
  return deps_.decisions.Decide(c.tenant, c.request.body, strategy, {c.actor, c.action},
                                [respond](StatusOr<std::string> record) {
                                  if (!record.ok()) return respond(ErrorResponse(record.status()));
                                  respond(JsonResponse(200, std::move(*record)));
                                });
}

Status Api::PostTransactionDecision(Context& c, Responder respond) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {}));
  if (c.request.body.empty()) {
    return InvalidArgumentError("the body must be a payment or login event", "body");
  }
  c.entity = "decision";
  return deps_.transactions.Decide(c.tenant, c.request.body, {c.actor, c.action},
                                   [respond](StatusOr<std::string> record) {
                                     if (!record.ok()) {
                                       return respond(ErrorResponse(record.status()));
                                     }
                                     respond(JsonResponse(200, std::move(*record)));
                                   });
}

StatusOr<HttpResponse> Api::GetDecision(Context& c) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> record,
                      deps_.decisions.Get(c.tenant, c.params[0]));
  if (!record) return NotFoundError("no decision " + Quote(c.params[0]), "decision_id");
  return JsonResponse(200, std::move(*record));
}

StatusOr<HttpResponse> Api::ListDecisions(Context& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"kind", "decision", "from", "to",
                                                               "limit", "cursor"}));
  decision::DecisionQuery q;
  if (query.contains("kind")) {
    if (query["kind"] != "credit" && query["kind"] != "transaction") {
      return InvalidArgumentError("kind must be credit or transaction", "kind");
    }
    q.kind = query["kind"];
  }
  if (query.contains("decision")) q.decision = query["decision"];
  for (const char* bound : {"from", "to"}) {
    if (!query.contains(bound)) continue;
    StatusOr<TimeMicros> at = ParseRfc3339(query[bound]);
    if (!at.ok()) {
      return InvalidArgumentError(
          std::string(bound) + " must be an RFC 3339 time (" + at.status().message() + ")", bound);
    }
    (std::string_view(bound) == "from" ? q.from : q.to) = *at;
  }
  if (query.contains("limit")) {
    const std::string& text = query["limit"];
    if (text.empty() || text.size() > 3 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidArgumentError("limit must be an integer between 1 and 500", "limit");
    }
    q.limit = std::stoi(text);
  }
  if (query.contains("cursor")) q.cursor = query["cursor"];
  FB_ASSIGN_OR_RETURN(decision::DecisionPage page,
                      decision::ListDecisions(deps_.store, c.tenant, q));
  std::string body = R"({"decisions":[)";
  for (size_t i = 0; i < page.summaries.size(); ++i) {
    if (i > 0) body += ',';
    body += page.summaries[i];
  }
  body += R"(],"next_cursor":)";
  body += page.next_cursor.empty() ? "null" : json::serialize(json::value(page.next_cursor));
  body += '}';
  return JsonResponse(200, std::move(body));
}

StatusOr<HttpResponse> Api::DecisionStatsOverview(Context& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"minutes"}));
  FB_ASSIGN_OR_RETURN(const int minutes,
                      IntQueryParam(query, "minutes", 1, decision::DecisionStats::kMaxMinutes, 60));
  return JsonResponse(
      200, deps_.decision_stats.SnapshotJson(c.tenant, deps_.clock.NowMicros(), minutes));
}

}  // namespace finbrain::server
