// /v1/models: the tenant's model registry, scoring and monitoring.
#include "common/json_text.h"
#include "common/strings.h"
#include "models/registry.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

json::value VersionJson(const models::ModelVersion& v) {
  return json::parse(models::ModelVersionJson(v));
}

// A model file given inline: a JSON object, or its text.
StatusOr<std::string> FileMember(const json::object& body, std::string_view name, bool required) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) {
    if (required)
      return InvalidArgumentError(std::string(name) + " is required", std::string(name));
    return std::string();
  }
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_object()) return ToJsonText(*v);
  return InvalidArgumentError(std::string(name) + " must be a JSON object (or its text)",
                              std::string(name));
}

StatusOr<models::FeatureValue> FeatureFromJson(const std::string& name, const json::value& v) {
  if (v.is_null()) return models::FeatureValue::Missing();
  if (v.is_string()) return models::FeatureValue::Text(std::string(v.get_string()));
  if (v.is_number()) return models::FeatureValue::Number(v.to_number<double>());
  if (v.is_bool()) return models::FeatureValue::Number(v.get_bool() ? 1 : 0);
  return InvalidArgumentError("features." + name + " must be a number, a string or null",
                              "features." + name);
}

const char* StabilityStatus(const models::MonitorReport& report) {
  return report.scored == 0  ? "no_traffic"
         : report.psi > 0.25 ? "shifted"
         : report.psi > 0.1  ? "watch"
                             : "stable";
}

class ModelRoutes final : public RouteGroup {
 public:
  explicit ModelRoutes(models::ModelRegistry& models) : models_(models) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "GET", .pattern = "/v1/models", .handler = Bind(this, &ModelRoutes::List)},
        {.method = "GET", .pattern = "/v1/models/{name}", .handler = Bind(this, &ModelRoutes::Get)},
        // Parses and checks a model of up to 64 MiB: off the I/O threads.
        {.method = "POST",
         .pattern = "/v1/models/{name}/versions",
         .writes = true,
         .slow = true,
         .handler = Bind(this, &ModelRoutes::Register)},
        {.method = "PUT",
         .pattern = "/v1/models/{name}/versions/{version}/evaluation",
         .writes = true,
         .handler = Bind(this, &ModelRoutes::PutEvaluation)},
        {.method = "GET",
         .pattern = "/v1/models/{name}/versions/{version}/evaluation",
         .handler = Bind(this, &ModelRoutes::GetEvaluation)},
        {.method = "POST",
         .pattern = "/v1/models/{name}/versions/{version}/promote",
         .writes = true,
         .handler = Bind(this, &ModelRoutes::Promote)},
        {.method = "POST",
         .pattern = "/v1/models/{name}/rollback",
         .writes = true,
         .handler = Bind(this, &ModelRoutes::Rollback)},
        {.method = "POST",
         .pattern = "/v1/models/{name}/score",
         .handler = Bind(this, &ModelRoutes::Score)},
        {.method = "GET",
         .pattern = "/v1/models/{name}/monitoring",
         .handler = Bind(this, &ModelRoutes::Monitoring)},
    };
  }

 private:
  StatusOr<HttpResponse> List(RequestContext& c);
  StatusOr<HttpResponse> Get(RequestContext& c);
  StatusOr<HttpResponse> Register(RequestContext& c);
  StatusOr<HttpResponse> PutEvaluation(RequestContext& c);
  StatusOr<HttpResponse> GetEvaluation(RequestContext& c);
  StatusOr<HttpResponse> Promote(RequestContext& c);
  StatusOr<HttpResponse> Rollback(RequestContext& c);
  StatusOr<HttpResponse> Score(RequestContext& c);
  StatusOr<HttpResponse> Monitoring(RequestContext& c);

  models::ModelRegistry& models_;
};

StatusOr<HttpResponse> ModelRoutes::List(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(std::vector<models::ModelVersion> list, models_.List(c.tenant));
  json::array out;
  for (const auto& v : list) out.push_back(VersionJson(v));
  return JsonResponse(200, ToJsonText(json::object{{"models", std::move(out)}}));
}

StatusOr<HttpResponse> ModelRoutes::Get(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(std::vector<models::ModelVersion> versions,
                      models_.Versions(c.tenant, c.params[0]));
  json::array out;
  json::value active = nullptr;
  for (const auto& v : versions) {
    if (v.active) active = v.version;
    out.push_back(VersionJson(v));
  }
  return JsonResponse(
      200, ToJsonText(json::object{
               {"name", c.params[0]}, {"active_version", active}, {"versions", std::move(out)}}));
}

StatusOr<HttpResponse> ModelRoutes::Register(RequestContext& c) {
  c.entity = "model/" + c.params[0];
  FB_RETURN_IF_ERROR(models::ValidateModelName(c.params[0]));
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"manifest", "xgboost"}));
  FB_ASSIGN_OR_RETURN(std::string manifest, FileMember(body, "manifest", true));
  FB_ASSIGN_OR_RETURN(std::string trees, FileMember(body, "xgboost", false));
  StatusOr<std::unique_ptr<models::Model>> model = models::Model::FromJson(manifest, trees);
  if (!model.ok()) {
    return InvalidArgumentError("the uploaded model is not usable: " + model.status().message(),
                                "manifest");
  }
  FB_ASSIGN_OR_RETURN(models::ModelVersion v,
                      models_.Register(c.tenant, c.params[0], **model, {c.actor, c.action}));
  c.entity += "/v" + std::to_string(v.version);
  return JsonResponse(201, models::ModelVersionJson(v));
}

StatusOr<HttpResponse> ModelRoutes::PutEvaluation(RequestContext& c) {
  c.entity = "model/" + c.params[0] + "/v" + c.params[1] + "/evaluation";
  FB_RETURN_IF_ERROR(models::ValidateModelName(c.params[0]));
  FB_ASSIGN_OR_RETURN(int version, VersionParam(c.params[1]));
  FB_RETURN_IF_ERROR(models_.AttachEvaluation(c.tenant, c.params[0], version, c.request.body,
                                              {c.actor, c.action}));
  return JsonResponse(200, ToJsonText(json::object{
                               {"name", c.params[0]}, {"version", version}, {"evaluation", true}}));
}

StatusOr<HttpResponse> ModelRoutes::GetEvaluation(RequestContext& c) {
  FB_RETURN_IF_ERROR(models::ValidateModelName(c.params[0]));
  FB_ASSIGN_OR_RETURN(int version, VersionParam(c.params[1]));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> report,
                      models_.Evaluation(c.tenant, c.params[0], version));
  if (!report) {
    return NotFoundError("model " + Quote(c.params[0]) + " v" + std::to_string(version) +
                             " has no evaluation report (finbrain model register --evaluation)",
                         "version");
  }
  return JsonResponse(200, std::move(*report));
}

StatusOr<HttpResponse> ModelRoutes::Promote(RequestContext& c) {
  c.entity = "model/" + c.params[0] + "/v" + c.params[1];
  FB_ASSIGN_OR_RETURN(int version, VersionParam(c.params[1]));
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, /*allow_empty=*/true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
  FB_ASSIGN_OR_RETURN(models::ModelVersion v,
                      models_.Promote(c.tenant, c.params[0], version, {c.actor, c.action}));
  return JsonResponse(200, models::ModelVersionJson(v));
}

StatusOr<HttpResponse> ModelRoutes::Rollback(RequestContext& c) {
  c.entity = "model/" + c.params[0];
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, /*allow_empty=*/true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
  FB_ASSIGN_OR_RETURN(models::ModelVersion v,
                      models_.Rollback(c.tenant, c.params[0], {c.actor, c.action}));
  return JsonResponse(200, models::ModelVersionJson(v));
}

StatusOr<HttpResponse> ModelRoutes::Score(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"features", "top_reasons", "cutoff"}));
  const json::value* features = body.if_contains("features");
  if (features == nullptr || !features->is_object()) {
    return InvalidArgumentError("features must be an object of feature name to value", "features");
  }
  size_t top = 4;
  if (const json::value* t = body.if_contains("top_reasons")) {
    if (!t->is_int64() || t->as_int64() < 0 || t->as_int64() > 50) {
      return InvalidArgumentError("top_reasons must be an integer from 0 to 50", "top_reasons");
    }
    top = static_cast<size_t>(t->as_int64());
  }
  std::optional<double> cutoff;
  if (const json::value* v = body.if_contains("cutoff"); v && !v->is_null()) {
    if (!v->is_number() || !(v->to_number<double>() > 0 && v->to_number<double>() < 1)) {
      return InvalidArgumentError("cutoff must be a probability between 0 and 1", "cutoff");
    }
    cutoff = v->to_number<double>();
  }
  models::InputRow row;
  for (const auto& [name, value] : features->get_object()) {
    FB_ASSIGN_OR_RETURN(row[std::string(name)], FeatureFromJson(std::string(name), value));
  }
  // Held for the whole request: a promotion meanwhile does not change this answer's version.
  FB_ASSIGN_OR_RETURN(std::shared_ptr<models::ServingModel> serving,
                      models_.Active(c.tenant, c.params[0]));
  StatusOr<models::ScoreResult> result = serving->model->Score(row, top);
  if (!result.ok()) return result.status().WithFieldPrefix("features");
  serving->monitor->Record(result->pd, serving->model->FeatureBins(row));
  json::array reasons;
  for (const models::Reason& r : result->reasons) {
    reasons.push_back({{"code", r.code},
                       {"text", r.text},
                       {"feature", r.feature},
                       {"value", r.value},
                       {"impact", r.impact}});
  }
  json::object out{{"model", serving->name},
                   {"version", serving->version},
                   {"kind", models::ModelKindName(serving->model->kind())},
                   {"pd", result->pd},
                   {"score", result->score},
                   {"reasons", std::move(reasons)}};
  if (cutoff) {
    FB_ASSIGN_OR_RETURN(models::Counterfactual cf,
                        serving->model->FindCounterfactual(row, *cutoff));
    out["counterfactual"] = cf.found ? json::value{{"feature", cf.feature},
                                                   {"from", cf.from},
                                                   {"to", cf.to},
                                                   {"pd", cf.pd},
                                                   {"score", cf.score}}
                                     : json::value(nullptr);
    out["decision_at_cutoff"] = result->pd >= *cutoff ? "decline" : "approve";
  }
  return JsonResponse(200, ToJsonText(out));
}

StatusOr<HttpResponse> ModelRoutes::Monitoring(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"days"}));
  FB_ASSIGN_OR_RETURN(const int days,
                      IntQueryParam(query, "days", 1, models::ModelRegistry::kMaxMonitoringDays,
                                    models::ModelRegistry::kDefaultMonitoringDays));
  FB_ASSIGN_OR_RETURN(models::MonitoringWindow window,
                      models_.Monitoring(c.tenant, c.params[0], days));
  const models::ServingModel* serving = window.serving.get();
  const models::MonitorReport& report = window.total;
  const models::ModelInfo& info = serving->model->info();
  json::array bins;
  for (size_t i = 0; i < info.score_shares.size(); ++i) {
    bins.push_back({{"pd_below", i < info.score_edges.size() ? json::value(info.score_edges[i])
                                                             : json::value(nullptr)},
                    {"training_share", info.score_shares[i]},
                    {"live_share", i < report.score_shares.size() ? report.score_shares[i] : 0.0}});
  }
  json::object csi;
  for (const auto& [feature, value] : report.csi) csi[feature] = value;
  json::array daily;
  for (const models::MonitoringWindow::Day& d : window.daily) {
    daily.push_back({{"day", d.day}, {"scored", d.scored}, {"psi", d.psi}});
  }
  return JsonResponse(200, ToJsonText(json::object{{"model", serving->name},
                                                   {"version", serving->version},
                                                   {"from", window.first_day},
                                                   {"to", window.last_day},
                                                   {"days", days},
                                                   {"scored", report.scored},
                                                   {"psi", report.psi},
                                                   {"status", StabilityStatus(report)},
                                                   {"csi", std::move(csi)},
                                                   {"score_bins", std::move(bins)},
                                                   {"daily", std::move(daily)}}));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeModelRoutes(const RouteEnv& env) {
  return std::make_unique<ModelRoutes>(*env.runtime.models);
}

}  // namespace finbrain::server
