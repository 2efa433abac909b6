// /v1/models: the tenant's model registry, scoring and monitoring.
#include <spdlog/spdlog.h>

#include "common/json_text.h"
#include "common/strings.h"
#include "server/api_internal.h"
#include "server/errors.h"

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

StatusOr<int> VersionParam(const std::string& text) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos || text == "0" ||
      text.front() == '0') {
    return InvalidArgumentError("version must be a positive integer, not " + Quote(text),
                                "version");
  }
  return std::stoi(text);
}

StatusOr<models::FeatureValue> FeatureFromJson(const std::string& name, const json::value& v) {
  if (v.is_null()) return models::FeatureValue::Missing();
  if (v.is_string()) return models::FeatureValue::Text(std::string(v.get_string()));
  if (v.is_number()) return models::FeatureValue::Number(v.to_number<double>());
  if (v.is_bool()) return models::FeatureValue::Number(v.get_bool() ? 1 : 0);
  return InvalidArgumentError("features." + name + " must be a number, a string or null",
                              "features." + name);
}

}  // namespace

StatusOr<HttpResponse> Api::ListModels(Context& c) {
  FB_ASSIGN_OR_RETURN(std::vector<models::ModelVersion> list, deps_.models.List(c.tenant));
  json::array out;
  for (const auto& v : list) out.push_back(VersionJson(v));
  return JsonResponse(200, ToJsonText(json::object{{"models", std::move(out)}}));
}

StatusOr<HttpResponse> Api::GetModel(Context& c) {
  FB_ASSIGN_OR_RETURN(std::vector<models::ModelVersion> versions,
                      deps_.models.Versions(c.tenant, c.params[0]));
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

StatusOr<HttpResponse> Api::RegisterModel(Context& c) {
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
                      deps_.models.Register(c.tenant, c.params[0], **model, {c.actor, c.action}));
  c.entity += "/v" + std::to_string(v.version);
  return JsonResponse(201, models::ModelVersionJson(v));
}

StatusOr<HttpResponse> Api::PutModelEvaluation(Context& c) {
  c.entity = "model/" + c.params[0] + "/v" + c.params[1] + "/evaluation";
  FB_RETURN_IF_ERROR(models::ValidateModelName(c.params[0]));
  FB_ASSIGN_OR_RETURN(int version, VersionParam(c.params[1]));
  FB_RETURN_IF_ERROR(deps_.models.AttachEvaluation(c.tenant, c.params[0], version, c.request.body,
                                                   {c.actor, c.action}));
  return JsonResponse(200, json::serialize(json::object{
                               {"name", c.params[0]}, {"version", version}, {"evaluation", true}}));
}

StatusOr<HttpResponse> Api::GetModelEvaluation(Context& c) {
  FB_RETURN_IF_ERROR(models::ValidateModelName(c.params[0]));
  FB_ASSIGN_OR_RETURN(int version, VersionParam(c.params[1]));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> report,
                      deps_.models.Evaluation(c.tenant, c.params[0], version));
  if (!report) {
    return NotFoundError("model " + Quote(c.params[0]) + " v" + std::to_string(version) +
                             " has no evaluation report (finbrain model register --evaluation)",
                         "version");
  }
  return JsonResponse(200, std::move(*report));
}

StatusOr<HttpResponse> Api::PromoteModel(Context& c) {
  c.entity = "model/" + c.params[0] + "/v" + c.params[1];
  FB_ASSIGN_OR_RETURN(int version, VersionParam(c.params[1]));
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, /*allow_empty=*/true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
  FB_ASSIGN_OR_RETURN(models::ModelVersion v,
                      deps_.models.Promote(c.tenant, c.params[0], version, {c.actor, c.action}));
  return JsonResponse(200, models::ModelVersionJson(v));
}

StatusOr<HttpResponse> Api::RollbackModel(Context& c) {
  c.entity = "model/" + c.params[0];
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, /*allow_empty=*/true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
  FB_ASSIGN_OR_RETURN(models::ModelVersion v,
                      deps_.models.Rollback(c.tenant, c.params[0], {c.actor, c.action}));
  return JsonResponse(200, models::ModelVersionJson(v));
}

StatusOr<HttpResponse> Api::ScoreModel(Context& c) {
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
                      deps_.models.Active(c.tenant, c.params[0]));
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

namespace {

const char* StabilityStatus(const models::MonitorReport& report) {
  return report.scored == 0  ? "no_traffic"
         : report.psi > 0.25 ? "shifted"
         : report.psi > 0.1  ? "watch"
                             : "stable";
}

// The window /metrics reports, the API's default too: a week evens out weekday patterns.
constexpr int kDefaultMonitoringDays = 7;

}  // namespace

StatusOr<HttpResponse> Api::ModelMonitoring(Context& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"days"}));
  FB_ASSIGN_OR_RETURN(const int days,
                      IntQueryParam(query, "days", 1, models::ModelRegistry::kMaxMonitoringDays,
                                    kDefaultMonitoringDays));
  FB_ASSIGN_OR_RETURN(models::MonitoringWindow window,
                      deps_.models.Monitoring(c.tenant, c.params[0], days));
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

void ExportModelMetrics(models::ModelRegistry& registry, HttpMetrics& metrics) {
  for (const auto& [key, serving] : registry.Loaded()) {
    const std::string tenant = key.substr(0, key.find('/'));
    StatusOr<models::MonitoringWindow> window =
        registry.Monitoring(tenant, serving->name, kDefaultMonitoringDays);
    if (!window.ok()) {
      spdlog::warn("monitoring of model {} of tenant {}: {}", serving->name, tenant,
                   window.status().ToString());
      continue;
    }
    const std::map<std::string, std::string> labels = {
        {"tenant", tenant},
        {"model", serving->name},
        {"version", std::to_string(window->serving->version)}};
    metrics.SetGauge("finbrain_model_psi",
                     "PSI of live scores against the training baseline, last 7 days", labels,
                     window->total.psi);
    metrics.SetGauge("finbrain_model_scored",
                     "Scores served by the active model version, last 7 days", labels,
                     static_cast<double>(window->total.scored));
  }
}

}  // namespace finbrain::server
