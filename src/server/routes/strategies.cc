// /v1/strategies: the tenant's decision strategies, validated, versioned, dry-run and activated.
#include "common/json_text.h"
#include "common/strings.h"
#include "decision/credit_decisions.h"
#include "decision/strategy_store.h"
#include "lifecycle/account_lifecycle.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"

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

// Strategy documents are YAML bodies; an empty one is a clear error, not an empty strategy.
Status RequireYaml(const HttpRequest& request) {
  if (request.body.empty()) {
    return InvalidArgumentError("the body must be the strategy as YAML", "body");
  }
  return OkStatus();
}

class StrategyRoutes final : public RouteGroup {
 public:
  StrategyRoutes(decision::StrategyStore& strategies, decision::CreditDecisions& decisions,
                 lifecycle::AccountLifecycle& accounts, const Clock& clock)
      : strategies_(strategies), decisions_(decisions), accounts_(accounts), clock_(clock) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "POST",
         .pattern = "/v1/strategies/validate",
         .handler = Bind(this, &StrategyRoutes::Validate)},
        {.method = "GET",
         .pattern = "/v1/strategies",
         .handler = Bind(this, &StrategyRoutes::List)},
        {.method = "PUT",
         .pattern = "/v1/strategies/{name}",
         .writes = true,
         .handler = Bind(this, &StrategyRoutes::Put)},
        {.method = "GET",
         .pattern = "/v1/strategies/{name}",
         .handler = Bind(this, &StrategyRoutes::Get)},
        {.method = "GET",
         .pattern = "/v1/strategies/{name}/versions/{version}",
         .handler = Bind(this, &StrategyRoutes::GetVersion)},
        {.method = "POST",
         .pattern = "/v1/strategies/{name}/versions/{version}/activate",
         .writes = true,
         .handler = Bind(this, &StrategyRoutes::Activate)},
        {.method = "POST",
         .pattern = "/v1/strategies/{name}/dry-run",
         .handler = Bind(this, &StrategyRoutes::DryRun)},
    };
  }

 private:
  StatusOr<HttpResponse> Validate(RequestContext& c);
  StatusOr<HttpResponse> Put(RequestContext& c);
  StatusOr<HttpResponse> List(RequestContext& c);
  StatusOr<HttpResponse> Get(RequestContext& c);
  StatusOr<HttpResponse> GetVersion(RequestContext& c);
  StatusOr<HttpResponse> Activate(RequestContext& c);
  StatusOr<HttpResponse> DryRun(RequestContext& c);

  decision::StrategyStore& strategies_;
  decision::CreditDecisions& decisions_;
  lifecycle::AccountLifecycle& accounts_;
  const Clock& clock_;
};

StatusOr<HttpResponse> StrategyRoutes::Validate(RequestContext& c) {
  FB_RETURN_IF_ERROR(RequireYaml(c.request));
  FB_ASSIGN_OR_RETURN(auto strategy, strategies_.Compile(c.tenant, c.request.body));
  json::array models;
  for (const std::string& m : strategy->model_names()) models.push_back(json::string(m));
  json::object out{
      {"valid", true}, {"description", strategy->description()}, {"models", std::move(models)}};
  if (const auto& e = strategy->experiment()) {
    out["challenger"] = {{"version", e->challenger_version}, {"share", e->share}};
  }
  return JsonResponse(200, ToJsonText(out));
}

StatusOr<HttpResponse> StrategyRoutes::Put(RequestContext& c) {
  c.entity = "strategy/" + c.params[0];
  FB_RETURN_IF_ERROR(RequireYaml(c.request));
  FB_ASSIGN_OR_RETURN(decision::StrategyVersion v,
                      strategies_.Put(c.tenant, c.params[0], c.request.body, {c.actor, c.action}));
  c.entity += "/v" + std::to_string(v.version);
  return JsonResponse(201, ToJsonText(VersionJson(v, false)));
}

StatusOr<HttpResponse> StrategyRoutes::List(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto list, strategies_.List(c.tenant));
  json::array out;
  for (const auto& v : list) out.push_back(VersionJson(v, false));
  return JsonResponse(200, ToJsonText(json::object{{"strategies", std::move(out)}}));
}

StatusOr<HttpResponse> StrategyRoutes::Get(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto versions, strategies_.Versions(c.tenant, c.params[0]));
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

StatusOr<HttpResponse> StrategyRoutes::GetVersion(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(int version, VersionParam(c.params[1]));
  FB_ASSIGN_OR_RETURN(auto v, strategies_.Get(c.tenant, c.params[0], version));
  return JsonResponse(200, ToJsonText(VersionJson(v, true)));
}

StatusOr<HttpResponse> StrategyRoutes::Activate(RequestContext& c) {
  c.entity = "strategy/" + c.params[0] + "/v" + c.params[1];
  FB_ASSIGN_OR_RETURN(int version, VersionParam(c.params[1]));
  FB_ASSIGN_OR_RETURN(auto v,
                      strategies_.Activate(c.tenant, c.params[0], version, {c.actor, c.action}));
  return JsonResponse(200, ToJsonText(VersionJson(v, false)));
}

StatusOr<HttpResponse> StrategyRoutes::DryRun(RequestContext& c) {
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
        strategies_.Compile(c.tenant, std::string(yaml->get_string()));
    if (!draft.ok()) {
      return InvalidArgumentError(draft.status().message(), "yaml");
    }
    strategy = *draft;
  } else if (const json::value* v = body.if_contains("version")) {
    if (!v->is_int64() || v->get_int64() < 1) {
      return InvalidArgumentError("version must be a positive integer", "version");
    }
    version = int(v->get_int64());
    FB_ASSIGN_OR_RETURN(auto stored, strategies_.Get(c.tenant, c.params[0], version));
    FB_ASSIGN_OR_RETURN(strategy, strategies_.Compile(c.tenant, stored.yaml));
  } else {
    FB_ASSIGN_OR_RETURN(auto live, strategies_.Active(c.tenant, c.params[0]));
    strategy = live->strategy;
    version = live->version;
  }
  if (strategy->kind() == decision::StrategyKind::kAccount) {
    // An account strategy reviews a stored account as of `at` (default now).
    FB_ASSIGN_OR_RETURN(std::optional<std::string> account, OptionalString(body, "account_id"));
    if (!account) {
      return InvalidArgumentError("an account strategy dry-runs on an account_id", "account_id");
    }
    TimeMicros at = clock_.NowMicros();
    FB_ASSIGN_OR_RETURN(std::optional<std::string> at_text, OptionalString(body, "at"));
    if (at_text) {
      StatusOr<TimeMicros> parsed = ParseRfc3339(*at_text);
      if (!parsed.ok()) return InvalidArgumentError("at must be an RFC 3339 time", "at");
      at = *parsed;
    }
    FB_ASSIGN_OR_RETURN(std::string record,
                        accounts_.DryRun(c.tenant, *account, *strategy, c.params[0], version, at));
    return JsonResponse(200, std::move(record));
  }
  const json::value* application = body.if_contains("application");
  if (application == nullptr || !application->is_object()) {
    return InvalidArgumentError("application must be a credit_application event object",
                                "application");
  }
  FB_ASSIGN_OR_RETURN(std::string record, decisions_.DryRun(c.tenant, ToJsonText(*application),
                                                            *strategy, c.params[0], version));
  return JsonResponse(200, std::move(record));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeStrategyRoutes(const RouteEnv& env) {
  return std::make_unique<StrategyRoutes>(*env.runtime.strategies, *env.runtime.decisions,
                                          *env.runtime.accounts, env.clock);
}

}  // namespace finbrain::server
