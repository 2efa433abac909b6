#include "models/registry.h"

#include <boost/json.hpp>

#include "common/json_text.h"
#include "common/strings.h"
#include "models/metrics.h"

namespace finbrain::models {
namespace {

namespace json = boost::json;

// tenant/name/version/YYYY-MM-DD -> the day's live counts (CountsJson)
constexpr TimeMicros kDayMicros = 86'400'000'000;
constexpr size_t kMaxEvaluationBytes = 4 << 20;

using storage::NameKey;
using storage::VersionKey;

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

std::string Day(TimeMicros t) { return FormatRfc3339(t).substr(0, 10); }

// {"scored": n, "score": [per PD bin], "features": {"<name>": [per bin]}}: features by name, so
// a reader need not trust the order.
std::string CountsJson(const Model& model, const MonitorCounts& counts) {
  const auto array = [](const std::vector<std::uint64_t>& v) {
    json::array a;
    for (std::uint64_t n : v) a.push_back(n);
    return a;
  };
  json::object features;
  for (size_t i = 0; i < model.features().size() && i < counts.bins.size(); ++i) {
    features[model.features()[i].name] = array(counts.bins[i]);
  }
  return json::serialize(json::object{
      {"scored", counts.scored}, {"score", array(counts.score)}, {"features", features}});
}

StatusOr<MonitorCounts> CountsFromJson(const Model& model, std::string_view key,
                                       std::string_view text) {
  const auto corrupt = [&] {
    return DataLossError("model monitoring counts " + Quote(key) + " are corrupt");
  };
  boost::system::error_code ec;
  const json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return corrupt();
  const auto numbers = [](const json::value* a, std::vector<std::uint64_t>& out) {
    if (a == nullptr || !a->is_array()) return false;
    for (const json::value& n : a->get_array()) {
      if (!n.is_uint64() && !(n.is_int64() && n.get_int64() >= 0)) return false;
      out.push_back(n.to_number<std::uint64_t>());
    }
    return true;
  };
  MonitorCounts counts;
  const json::value* scored = o->if_contains("scored");
  const json::value* features = o->if_contains("features");
  if (scored == nullptr || !scored->is_number() ||
      !numbers(o->if_contains("score"), counts.score) || features == nullptr ||
      !features->is_object()) {
    return corrupt();
  }
  counts.scored = scored->to_number<std::uint64_t>();
  counts.bins.resize(model.features().size());
  for (size_t i = 0; i < model.features().size(); ++i) {
    const json::value* bins = features->get_object().if_contains(model.features()[i].name);
    if (bins != nullptr && !numbers(bins, counts.bins[i])) return corrupt();
  }
  return counts;
}

}  // namespace

std::string ModelVersionJson(const ModelVersion& version) { return ToJsonText(MetaJson(version)); }

Status ValidateModelName(std::string_view name) { return ValidateName(name, "model"); }

void MonitorCounts::Add(const MonitorCounts& other) {
  scored += other.scored;
  if (score.size() < other.score.size()) score.resize(other.score.size());
  for (size_t i = 0; i < other.score.size(); ++i) score[i] += other.score[i];
  if (bins.size() < other.bins.size()) bins.resize(other.bins.size());
  for (size_t f = 0; f < other.bins.size(); ++f) {
    if (bins[f].size() < other.bins[f].size()) bins[f].resize(other.bins[f].size());
    for (size_t b = 0; b < other.bins[f].size(); ++b) bins[f][b] += other.bins[f][b];
  }
}

MonitorReport CompareWithBaseline(const Model& model, const MonitorCounts& counts) {
  MonitorReport report;
  report.scored = counts.scored;
  if (counts.scored == 0) return report;
  const auto shares = [](const std::vector<std::uint64_t>& c) {
    double total = 0;
    for (std::uint64_t n : c) total += double(n);
    std::vector<double> out;
    for (std::uint64_t n : c) out.push_back(total > 0 ? double(n) / total : 0);
    return out;
  };
  report.score_shares = shares(counts.score);
  report.psi = PsiFromShares(model.info().score_shares, report.score_shares);
  for (size_t i = 0; i < model.features().size(); ++i) {
    const ModelFeature& f = model.features()[i];
    std::vector<double> expected;
    double total = 0;
    for (const Bin& b : f.binning.bins) total += double(b.count);
    for (const Bin& b : f.binning.bins) expected.push_back(total > 0 ? double(b.count) / total : 0);
    std::vector<std::uint64_t> live =
        i < counts.bins.size() ? counts.bins[i] : std::vector<std::uint64_t>{};
    live.resize(expected.size());
    report.csi.emplace_back(f.name, PsiFromShares(expected, shares(live)));
  }
  return report;
}

ModelMonitor::ModelMonitor(const Model& model)
    : model_(model), score_counts_(model.info().score_edges.size() + 2) {
  bin_counts_.reserve(model.features().size());
  for (const ModelFeature& f : model.features()) {
    bin_counts_.emplace_back(f.binning.bins.size());
  }
}

void ModelMonitor::Record(double pd, const std::vector<size_t>& feature_bins) {
  const auto& edges = model_.info().score_edges;
  const size_t bin = std::isnan(pd)
                         ? edges.size() + 1
                         : size_t(std::upper_bound(edges.begin(), edges.end(), pd) - edges.begin());
  score_counts_[bin].fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < feature_bins.size() && i < bin_counts_.size(); ++i) {
    if (feature_bins[i] < bin_counts_[i].size()) {
      bin_counts_[i][feature_bins[i]].fetch_add(1, std::memory_order_relaxed);
    }
  }
  scored_.fetch_add(1, std::memory_order_relaxed);
}

MonitorCounts ModelMonitor::Collect(bool take) const {
  const auto read = [take](std::atomic<std::uint64_t>& c) {
    return take ? c.exchange(0, std::memory_order_relaxed) : c.load(std::memory_order_relaxed);
  };
  MonitorCounts out;
  out.scored = read(scored_);
  for (auto& c : score_counts_) out.score.push_back(read(c));
  out.bins.resize(bin_counts_.size());
  for (size_t f = 0; f < bin_counts_.size(); ++f) {
    for (auto& c : bin_counts_[f]) out.bins[f].push_back(read(c));
  }
  return out;
}

MonitorCounts ModelMonitor::Pending() const { return Collect(false); }

MonitorCounts ModelMonitor::TakePending() { return Collect(true); }

void ModelMonitor::Restore(const MonitorCounts& counts) {
  scored_.fetch_add(counts.scored, std::memory_order_relaxed);
  for (size_t i = 0; i < counts.score.size() && i < score_counts_.size(); ++i) {
    score_counts_[i].fetch_add(counts.score[i], std::memory_order_relaxed);
  }
  for (size_t f = 0; f < counts.bins.size() && f < bin_counts_.size(); ++f) {
    for (size_t b = 0; b < counts.bins[f].size() && b < bin_counts_[f].size(); ++b) {
      bin_counts_[f][b].fetch_add(counts.bins[f][b], std::memory_order_relaxed);
    }
  }
}

ModelRegistry::ModelRegistry(storage::KvStore& store, tenancy::AuditLog& audit, const Clock& clock)
    : store_(store), audit_(audit), clock_(clock) {}

StatusOr<ModelRegistry::Head> ModelRegistry::ReadHead(std::string_view tenant,
                                                      std::string_view name) const {
  return storage::ReadVersionHead(store_, storage::Column::kModelHeads, tenant, name, "model");
}

StatusOr<ModelVersion> ModelRegistry::ReadVersion(std::string_view tenant, std::string_view name,
                                                  int version) const {
  FB_ASSIGN_OR_RETURN(
      std::optional<std::string> text,
      store_.Get(storage::Column::kModelVersions, VersionKey(tenant, name, version)));
  if (!text) {
    return NotFoundError("model " + Quote(name) + " has no version " + std::to_string(version),
                         "version");
  }
  return MetaFromJson(*text);
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
  std::lock_guard lock(mutation_mu_);
  FB_ASSIGN_OR_RETURN(ModelVersion v, ReadVersion(tenant, name, version));
  storage::WriteBatch batch;
  batch.Put(storage::Column::kModelEvaluations, VersionKey(tenant, name, version),
            json::serialize(report));
  return audit_.CommitAndWait(
      std::move(batch),
      {.tenant = std::string(tenant),
       .actor = actor.id,
       .action = actor.action,
       .entity = "model/" + v.name + "/v" + std::to_string(version) + "/evaluation"});
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
  std::lock_guard lock(mutation_mu_);
  FB_ASSIGN_OR_RETURN(Head head, ReadHead(tenant, name));
  ModelVersion v;
  v.name = std::string(name);
  v.version = head.latest + 1;
  v.kind = std::string(ModelKindName(model.kind()));
  v.registered_at = FormatRfc3339(clock_.NowMicros());
  v.registered_by = actor.id;
  v.author = model.info().author;
  v.trained_at = model.info().created_at;
  v.data_sha256 = model.info().data_sha256;
  v.features = model.features().size();
  v.validation_metrics = model.info().validation_metrics;
  storage::WriteBatch batch;
  const std::string key = VersionKey(tenant, name, v.version);
  batch.Put(storage::Column::kModelVersions, key, json::serialize(MetaJson(v)));
  batch.Put(storage::Column::kModelBlobs, key,
            json::serialize(json::object{{"manifest", model.ManifestJson()},
                                         {"xgboost", model.xgboost_json()}}));
  batch.Put(storage::Column::kModelHeads, NameKey(tenant, name),
            storage::VersionHeadJson({v.version, head.active, head.history}));
  FB_RETURN_IF_ERROR(audit_.CommitAndWait(
      std::move(batch), {.tenant = std::string(tenant),
                         .actor = actor.id,
                         .action = actor.action,
                         .entity = "model/" + v.name + "/v" + std::to_string(v.version)}));
  v.active = head.active == v.version;
  return v;
}

StatusOr<ModelVersion> ModelRegistry::Activate(std::string_view tenant, std::string_view name,
                                               Head head, int version, const tenancy::Actor& actor,
                                               bool rollback) {
  FB_ASSIGN_OR_RETURN(ModelVersion v, ReadVersion(tenant, name, version));
  // Load before committing: a version that cannot be served is never made active.
  FB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, Load(tenant, name, version));
  std::vector<int> history = head.history;
  if (rollback) {
    history.pop_back();
  } else if (head.active != 0 && head.active != version) {
    history.push_back(head.active);
  }
  storage::WriteBatch batch;
  batch.Put(storage::Column::kModelHeads, NameKey(tenant, name),
            storage::VersionHeadJson({head.latest, version, history}));
  FB_RETURN_IF_ERROR(audit_.CommitAndWait(
      std::move(batch), {.tenant = std::string(tenant),
                         .actor = actor.id,
                         .action = actor.action,
                         .entity = "model/" + v.name + "/v" + std::to_string(version)}));
  auto serving = std::make_shared<ServingModel>();
  serving->name = v.name;
  serving->version = version;
  serving->monitor = std::make_unique<ModelMonitor>(*model);
  serving->model = std::move(model);
  {
    std::lock_guard lock(serving_mu_);
    std::shared_ptr<ServingModel>& slot = serving_[NameKey(tenant, name)];
    if (slot != nullptr) retired_.emplace_back(NameKey(tenant, name), std::move(slot));
    slot = std::move(serving);
  }
  v.active = true;
  return v;
}

StatusOr<ModelVersion> ModelRegistry::Promote(std::string_view tenant, std::string_view name,
                                              int version, const tenancy::Actor& actor) {
  FB_RETURN_IF_ERROR(ValidateModelName(name));
  std::lock_guard lock(mutation_mu_);
  FB_ASSIGN_OR_RETURN(Head head, ReadHead(tenant, name));
  if (head.latest == 0) return NotFoundError("no model named " + Quote(name), "name");
  return Activate(tenant, name, std::move(head), version, actor, false);
}

StatusOr<ModelVersion> ModelRegistry::Rollback(std::string_view tenant, std::string_view name,
                                               const tenancy::Actor& actor) {
  FB_RETURN_IF_ERROR(ValidateModelName(name));
  std::lock_guard lock(mutation_mu_);
  FB_ASSIGN_OR_RETURN(Head head, ReadHead(tenant, name));
  if (head.latest == 0) return NotFoundError("no model named " + Quote(name), "name");
  if (head.history.empty()) {
    return FailedPreconditionError("model " + Quote(name) +
                                   " has no previously active version to roll back to");
  }
  const int previous = head.history.back();
  return Activate(tenant, name, std::move(head), previous, actor, true);
}

StatusOr<std::vector<ModelVersion>> ModelRegistry::Versions(std::string_view tenant,
                                                            std::string_view name) const {
  FB_RETURN_IF_ERROR(ValidateModelName(name));
  FB_ASSIGN_OR_RETURN(Head head, ReadHead(tenant, name));
  if (head.latest == 0) return NotFoundError("no model named " + Quote(name), "name");
  std::vector<ModelVersion> out;
  Status error;
  FB_RETURN_IF_ERROR(store_.Scan(storage::Column::kModelVersions, NameKey(tenant, name) + "/", "",
                                 [&](std::string_view, std::string_view value) {
                                   StatusOr<ModelVersion> v = MetaFromJson(value);
                                   if (!v.ok()) {
                                     error = v.status();
                                     return false;
                                   }
                                   v->active = v->version == head.active;
                                   out.push_back(std::move(*v));
                                   return true;
                                 }));
  FB_RETURN_IF_ERROR(error);
  return out;
}

StatusOr<std::vector<ModelVersion>> ModelRegistry::List(std::string_view tenant) const {
  FB_ASSIGN_OR_RETURN(
      auto heads, storage::ListVersionHeads(store_, storage::Column::kModelHeads, tenant, "model"));
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
  // First use since start: load the active version from the store. Not under mutation_mu_,
  // which Promote/Rollback hold while waiting for a commit (strategies load models from the
  // event fan-out); a racing Promote stores its version after its commit, and the load below
  // never replaces a stored one.
  FB_ASSIGN_OR_RETURN(Head head, ReadHead(tenant, name));
  if (head.latest == 0) return NotFoundError("no model named " + Quote(name), "name");
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
  const std::string today = Day(clock_.NowMicros());
  Status first_error;
  std::vector<std::pair<std::string, std::shared_ptr<ServingModel>>> keep;
  for (size_t i = 0; i < models.size(); ++i) {
    const auto& [name_key, serving] = models[i];
    // Checked before taking the counts: once only this flush holds it, nothing records after.
    const bool released = serving.use_count() == 1;
    MonitorCounts pending = serving->monitor->TakePending();
    Status written;
    if (pending.scored > 0) {
      const std::string key = VersionKey(name_key, serving->version) + "/" + today;
      StatusOr<std::optional<std::string>> stored =
          store_.Get(storage::Column::kModelMonitoring, key);
      MonitorCounts total;
      if (!stored.ok()) {
        written = stored.status();
      } else if (*stored) {
        StatusOr<MonitorCounts> parsed = CountsFromJson(*serving->model, key, **stored);
        // A corrupt day is replaced rather than blocking every later flush.
        if (parsed.ok()) total = std::move(*parsed);
      }
      if (written.ok()) {
        total.Add(pending);
        written =
            store_.Put(storage::Column::kModelMonitoring, key, CountsJson(*serving->model, total));
      }
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
  window.first_day = Day(now - (days - 1) * kDayMicros);
  window.last_day = Day(now);
  const std::string prefix = VersionKey(tenant, name, serving->version) + "/";
  std::map<std::string, MonitorCounts> by_day;
  Status error;
  FB_RETURN_IF_ERROR(
      store_.Scan(storage::Column::kModelMonitoring, prefix, prefix + Day(now - days * kDayMicros),
                  [&](std::string_view key, std::string_view value) {
                    StatusOr<MonitorCounts> counts = CountsFromJson(model, key, value);
                    if (!counts.ok()) {
                      error = counts.status();
                      return false;
                    }
                    by_day[std::string(key.substr(prefix.size()))].Add(*counts);
                    return true;
                  }));
  FB_RETURN_IF_ERROR(error);
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
