// /v1/strategies: the tenant's decision strategies, validated, versioned, dry-run and activated.
#include "common/json_text.h"
#include "common/strings.h"
#include "decision/strategy_store.h"
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
  explicit StrategyRoutes(decision::StrategyStore& strategies) : strategies_(strategies) {}

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
};

StatusOr<HttpResponse> StrategyRoutes::Validate(RequestContext& c) {
  FB_RETURN_IF_ERROR(RequireYaml(c.request));
  FB_ASSIGN_OR_RETURN(auto strategy, strategies_.Compile(c.tenant, c.request.body));
  json::array models;
  for (const std::string& m : strategy->model_names()) models.push_back(json::string(m));
  json::object out{{"valid", true},
                   {"kind", strategy->kind().name},
                   {"description", strategy->description()},
                   {"models", std::move(models)}};
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
  // The rest of the body is the kind's: what it decides on.
  const decision::StrategyKind& kind = strategy->kind();
  for (const auto& member : body) {
    const std::string_view key = member.key();
    if (key == "yaml" || key == "version") continue;
    if (std::find(kind.dry_run_fields.begin(), kind.dry_run_fields.end(), key) ==
        kind.dry_run_fields.end()) {
      return InvalidArgumentError("unknown field " + Quote(key) +
                                      ": a dry run of a strategy of kind " + kind.name +
                                      " takes version or yaml, and " + Join(kind.dry_run_fields),
                                  std::string(key));
    }
  }
  if (!kind.dry_run) {
    return FailedPreconditionError("strategies of kind " + kind.name + " cannot be dry-run",
                                   "strategy");
  }
  FB_ASSIGN_OR_RETURN(std::string record,
                      kind.dry_run(c.tenant, ToJsonText(body), *strategy, c.params[0], version));
  return JsonResponse(200, std::move(record));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeStrategyRoutes(const RouteEnv& env) {
  return std::make_unique<StrategyRoutes>(*env.runtime.strategies);
}

}  // namespace finbrain::server
