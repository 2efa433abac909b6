#include "models/registry.h"

#include <boost/json.hpp>

#include "common/json_text.h"
#include "common/strings.h"
#include "models/metrics.h"

namespace finbrain::models {
namespace {

namespace json = boost::json;

constexpr TimeMicros kDayMicros = 86'400'000'000;
constexpr size_t kMaxEvaluationBytes = 4 << 20;

using tenancy::NameKey;
using tenancy::VersionKey;

json::object MetaJson(const ModelVersion& v) {
  json::object metrics;
  for (const auto& [k, value] : v.validation_metrics) metrics[k] = value;
  return {{"name", v.name},
          {"version", v.version},
          {"kind", v.kind},
          {"active", v.active},
          {"registered_at", v.registered_at},
          {"registered_by", v.registered_by},
          {"author", v.author},
          {"trained_at", v.trained_at},
          {"data_sha256", v.data_sha256},
          {"features", v.features},
          {"validation_metrics", std::move(metrics)}};
}

StatusOr<ModelVersion> MetaFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return DataLossError("model version metadata is corrupt");
  const json::object& o = v.get_object();
  const auto str = [&](std::string_view key) {
    const json::value* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  ModelVersion m;
  m.name = str("name");
  m.kind = str("kind");
  m.registered_at = str("registered_at");
  m.registered_by = str("registered_by");
  m.author = str("author");
  m.trained_at = str("trained_at");
  m.data_sha256 = str("data_sha256");
  if (const json::value* f = o.if_contains("version"); f && f->is_number()) {
    m.version = f->to_number<int>();
  }
  if (const json::value* f = o.if_contains("features"); f && f->is_number()) {
    m.features = f->to_number<std::size_t>();
  }
  if (const json::value* f = o.if_contains("validation_metrics"); f && f->is_object()) {
    for (const auto& [k, value] : f->get_object()) {
      if (value.is_number()) m.validation_metrics[std::string(k)] = value.to_number<double>();
    }
  }
  return m;
}

}  // namespace

std::string ModelVersionJson(const ModelVersion& version) { return ToJsonText(MetaJson(version)); }

Status ValidateModelName(std::string_view name) { return ValidateName(name, "model"); }

ModelRegistry::ModelRegistry(storage::KvStore& store, tenancy::AuditLog& audit, const Clock& clock)
    : store_(store),
      documents_(store, audit, {storage::Column::kModelHeads, storage::Column::kModelVersions},
                 "model"),
      monitoring_(store),
      clock_(clock) {}

StatusOr<ModelVersion> ModelRegistry::ReadVersion(std::string_view tenant, std::string_view name,
                                                  int version) const {
  FB_ASSIGN_OR_RETURN(std::string text, documents_.Record(tenant, name, version));
  return MetaFromJson(text);
}

Status ModelRegistry::AttachEvaluation(std::string_view tenant, std::string_view name, int version,
                                       std::string_view metrics_json, const tenancy::Actor& actor) {
  if (metrics_json.size() > kMaxEvaluationBytes) {
    return InvalidArgumentError("the evaluation report is larger than 4 MiB", "evaluation");
  }
  boost::system::error_code ec;
  const json::value report = json::parse(metrics_json, ec);
  const json::object* fields = ec ? nullptr : report.if_object();
  if (fields == nullptr) {
    return InvalidArgumentError(
        "the evaluation report must be a JSON object (metrics.json of "
        "`finbrain evaluate`)",
        "evaluation");
  }
  for (const char* metric : {"auc", "ks"}) {
    const json::value* v = fields->if_contains(metric);
    if (v == nullptr || !v->is_number()) {
      return InvalidArgumentError(
          std::string("the evaluation report has no numeric '") + metric +
              "': it must be the metrics.json that `finbrain evaluate` writes",
          "evaluation");
    }
  }
  return documents_.Attach(tenant, name, version, actor, "evaluation",
                           storage::Column::kModelEvaluations, ToJsonText(report));
}

StatusOr<std::optional<std::string>> ModelRegistry::Evaluation(std::string_view tenant,
                                                               std::string_view name,
                                                               int version) const {
  FB_RETURN_IF_ERROR(ReadVersion(tenant, name, version).status());
  return store_.Get(storage::Column::kModelEvaluations, VersionKey(tenant, name, version));
}

StatusOr<ModelVersion> ModelRegistry::Register(std::string_view tenant, std::string_view name,
                                               const Model& model, const tenancy::Actor& actor) {
  FB_RETURN_IF_ERROR(ValidateModelName(name));
  ModelVersion v;
  v.name = std::string(name);
  v.kind = std::string(ModelKindName(model.kind()));
  v.registered_at = FormatRfc3339(clock_.NowMicros());
  v.registered_by = actor.id;
  v.author = model.info().author;
  v.trained_at = model.info().created_at;
  v.data_sha256 = model.info().data_sha256;
  v.features = model.features().size();
  v.validation_metrics = model.info().validation_metrics;
  FB_ASSIGN_OR_RETURN(
      v.version,
      documents_.Add(tenant, name, actor,
                     [&](int version, const tenancy::VersionHead& head,
                         storage::WriteBatch& extra) -> StatusOr<std::string> {
                       v.version = version;
                       v.active = head.active == version;
                       extra.Put(storage::Column::kModelBlobs, VersionKey(tenant, name, version),
                                 ToJsonText(json::object{{"manifest", model.ManifestJson()},
                                                         {"xgboost", model.xgboost_json()}}));
                       return ToJsonText(MetaJson(v));
                     }));
  return v;
}

void ModelRegistry::Install(std::string_view tenant, std::shared_ptr<ServingModel> serving) {
  const std::string key = NameKey(tenant, serving->name);
  std::lock_guard lock(serving_mu_);
  std::shared_ptr<ServingModel>& slot = serving_[key];
  // The replaced version stays until its last counts are flushed.
  if (slot != nullptr) retired_.emplace_back(key, std::move(slot));
  slot = std::move(serving);
}

StatusOr<ModelVersion> ModelRegistry::Activate(std::string_view tenant, std::string_view name,
                                               int version, const tenancy::Actor& actor,
                                               bool rollback) {
  FB_RETURN_IF_ERROR(ValidateModelName(name));
  std::shared_ptr<ServingModel> serving;
  // Loaded before the commit: a version that cannot be served is never made active.
  const auto load = [&](int v) -> Status {
    FB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, Load(tenant, name, v));
    serving = std::make_shared<ServingModel>();
    serving->name = std::string(name);
    serving->version = v;
    serving->monitor = std::make_unique<ModelMonitor>(*model);
    serving->model = std::move(model);
    return OkStatus();
  };
  const auto install = [&](int) { Install(tenant, serving); };
  if (rollback) {
    FB_ASSIGN_OR_RETURN(version, documents_.Rollback(tenant, name, actor, load, install));
  } else {
    FB_RETURN_IF_ERROR(documents_.Activate(tenant, name, version, actor, load, install));
  }
  FB_ASSIGN_OR_RETURN(ModelVersion v, ReadVersion(tenant, name, version));
  v.active = true;
  return v;
}

StatusOr<ModelVersion> ModelRegistry::Promote(std::string_view tenant, std::string_view name,
                                              int version, const tenancy::Actor& actor) {
  return Activate(tenant, name, version, actor, /*rollback=*/false);
}

StatusOr<ModelVersion> ModelRegistry::Rollback(std::string_view tenant, std::string_view name,
                                               const tenancy::Actor& actor) {
  return Activate(tenant, name, 0, actor, /*rollback=*/true);
}

StatusOr<std::vector<ModelVersion>> ModelRegistry::Versions(std::string_view tenant,
                                                            std::string_view name) const {
  FB_RETURN_IF_ERROR(ValidateModelName(name));
  return documents_.Versions(tenant, name, MetaFromJson);
}

StatusOr<std::vector<ModelVersion>> ModelRegistry::List(std::string_view tenant) const {
  FB_ASSIGN_OR_RETURN(auto heads, documents_.Heads(tenant));
  std::vector<ModelVersion> out;
  for (const auto& [name, head] : heads) {
    FB_ASSIGN_OR_RETURN(ModelVersion v,
                        ReadVersion(tenant, name, head.active ? head.active : head.latest));
    v.active = head.active != 0;
    out.push_back(std::move(v));
  }
  return out;
}

StatusOr<std::unique_ptr<Model>> ModelRegistry::Load(std::string_view tenant, std::string_view name,
                                                     int version) const {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> text,
                      store_.Get(storage::Column::kModelBlobs, VersionKey(tenant, name, version)));
  if (!text) {
    return NotFoundError("model " + Quote(name) + " has no version " + std::to_string(version),
                         "version");
  }
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* manifest = o ? o->if_contains("manifest") : nullptr;
  const json::value* trees = o ? o->if_contains("xgboost") : nullptr;
  if (!manifest || !manifest->is_string() || !trees || !trees->is_string()) {
    return DataLossError("stored files of model " + Quote(name) + " version " +
                         std::to_string(version) + " are corrupt");
  }
  FB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
                      Model::FromJson(std::string_view(manifest->get_string()),
                                      std::string_view(trees->get_string())));
  return model;
}

StatusOr<std::shared_ptr<ServingModel>> ModelRegistry::Active(std::string_view tenant,
                                                              std::string_view name) {
  const std::string key = NameKey(tenant, name);
  {
    std::lock_guard lock(serving_mu_);
    if (auto it = serving_.find(key); it != serving_.end()) return it->second;
  }
  FB_RETURN_IF_ERROR(ValidateModelName(name));
  // First use since start: load the active version from the store. Not under the documents' lock,
  // which Promote/Rollback hold while waiting for a commit (strategies load models from the
  // event fan-out); a racing Promote stores its version after its commit, and the load below
  // never replaces a stored one.
  FB_ASSIGN_OR_RETURN(tenancy::VersionHead head, documents_.Head(tenant, name));
  FB_RETURN_IF_ERROR(documents_.RequireExists(head, name));
  if (head.active == 0) {
    return FailedPreconditionError("model " + Quote(name) +
                                   " has no active version; promote one first");
  }
  FB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, Load(tenant, name, head.active));
  auto serving = std::make_shared<ServingModel>();
  serving->name = std::string(name);
  serving->version = head.active;
  serving->monitor = std::make_unique<ModelMonitor>(*model);
  serving->model = std::move(model);
  std::lock_guard lock(serving_mu_);
  return serving_.try_emplace(key, serving).first->second;
}

std::vector<std::pair<std::string, std::shared_ptr<ServingModel>>> ModelRegistry::Loaded() const {
  std::lock_guard lock(serving_mu_);
  return {serving_.begin(), serving_.end()};
}

Status ModelRegistry::FlushMonitoring() {
  std::lock_guard flush_lock(flush_mu_);
  std::vector<std::pair<std::string, std::shared_ptr<ServingModel>>> models, retired;
  {
    std::lock_guard lock(serving_mu_);
    models.assign(serving_.begin(), serving_.end());
    retired.swap(retired_);
  }
  const size_t live = models.size();
  models.insert(models.end(), std::make_move_iterator(retired.begin()),
                std::make_move_iterator(retired.end()));
  const std::string today = MonitoringDay(clock_.NowMicros());
  Status first_error;
  std::vector<std::pair<std::string, std::shared_ptr<ServingModel>>> keep;
  for (size_t i = 0; i < models.size(); ++i) {
    const auto& [name_key, serving] = models[i];
    // Checked before taking the counts: once only this flush holds it, nothing records after.
    const bool released = serving.use_count() == 1;
    MonitorCounts pending = serving->monitor->TakePending();
    Status written;
    if (pending.scored > 0) {
      written = monitoring_.AddToDay(name_key, serving->version, today, *serving->model, pending);
      if (!written.ok()) {
        serving->monitor->Restore(pending);
        if (first_error.ok()) first_error = written;
      }
    }
    // A replaced version stays until it is flushed and no request holds it any more.
    if (i >= live && (!written.ok() || !released)) keep.push_back(models[i]);
  }
  if (!keep.empty()) {
    std::lock_guard lock(serving_mu_);
    retired_.insert(retired_.end(), keep.begin(), keep.end());
  }
  return first_error;
}

StatusOr<MonitoringWindow> ModelRegistry::Monitoring(std::string_view tenant, std::string_view name,
                                                     int days) {
  if (days < 1 || days > kMaxMonitoringDays) {
    return InvalidArgumentError("days must be between 1 and " + std::to_string(kMaxMonitoringDays),
                                "days");
  }
  FB_ASSIGN_OR_RETURN(std::shared_ptr<ServingModel> serving, Active(tenant, name));
  const Model& model = *serving->model;
  const TimeMicros now = clock_.NowMicros();
  MonitoringWindow window;
  window.serving = serving;
  window.first_day = MonitoringDay(now - (days - 1) * kDayMicros);
  window.last_day = MonitoringDay(now);
  FB_ASSIGN_OR_RETURN(auto by_day, monitoring_.Days(NameKey(tenant, name), serving->version,
                                                    window.first_day, model));
  if (MonitorCounts pending = serving->monitor->Pending(); pending.scored > 0) {
    by_day[window.last_day].Add(pending);
  }
  MonitorCounts total;
  for (const auto& [day, counts] : by_day) {
    total.Add(counts);
    window.daily.push_back(
        {.day = day, .scored = counts.scored, .psi = CompareWithBaseline(model, counts).psi});
  }
  window.total = CompareWithBaseline(model, total);
  return window;
}

}  // namespace finbrain::models
