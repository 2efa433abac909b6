// ModelRegistry: versioned credit models per tenant, stored in the KvStore, with the active
// version of each model loaded for scoring and hot-swapped on promotion.
//
// Registering stores the whole model (manifest and trees) as a new version; promoting makes a
// version active; rolling back re-activates the previously active one. Every change is
// committed together with its audit entry. Scoring takes a shared_ptr to the active version,
// so a request that started on version 3 finishes on version 3 while version 4 goes live.
//
// Each served version has a ModelMonitor (models/monitoring.h); the registry adds its counts to
// per-day totals in the store (FlushMonitoring, every few seconds from the server and at
// shutdown), and Monitoring gives PSI/CSI against the training baseline over a window of days.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "models/model.h"
#include "models/monitoring.h"
#include "storage/kv_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/tenant_directory.h"
#include "tenancy/versioned_documents.h"

namespace finbrain::models {

struct ModelVersion {
  std::string name;
  int version = 0;
  std::string kind;
  std::string registered_at;
  std::string registered_by;
  std::string author;
  std::string trained_at;
  std::string data_sha256;
  std::size_t features = 0;
  std::map<std::string, double> validation_metrics;
  bool active = false;
};

// The monitoring of the active version over the last `days` days (today included, UTC).
struct MonitoringWindow {
  std::shared_ptr<ServingModel> serving;  // the version measured
  std::string first_day, last_day;        // YYYY-MM-DD
  MonitorReport total;
  struct Day {
    std::string day;
    std::uint64_t scored = 0;
    double psi = 0;
  };
  std::vector<Day> daily;  // days with traffic, oldest first
};

class ModelRegistry {
 public:
  ModelRegistry(storage::KvStore& store, tenancy::AuditLog& audit, const Clock& clock);

  StatusOr<ModelVersion> Register(std::string_view tenant, std::string_view name,
                                  const Model& model, const tenancy::Actor& actor);
  StatusOr<ModelVersion> Promote(std::string_view tenant, std::string_view name, int version,
                                 const tenancy::Actor& actor);
  StatusOr<ModelVersion> Rollback(std::string_view tenant, std::string_view name,
                                  const tenancy::Actor& actor);

  // The evaluation report of a version (metrics.json of `finbrain evaluate`: AUC, KS, ROC and
  // KS curves, calibration, gains, fairness by group), kept beside it for the console;
  // replaces an earlier one; audited. kNotFound for an unknown version, kInvalidArgument
  // (field "evaluation") for a document that is not such a report.
  Status AttachEvaluation(std::string_view tenant, std::string_view name, int version,
                          std::string_view metrics_json, const tenancy::Actor& actor);
  // The attached report as JSON text; nullopt when none was attached.
  StatusOr<std::optional<std::string>> Evaluation(std::string_view tenant, std::string_view name,
                                                  int version) const;

  StatusOr<std::vector<ModelVersion>> Versions(std::string_view tenant,
                                               std::string_view name) const;
  // Each model of the tenant: its active version, or its latest when none is active.
  StatusOr<std::vector<ModelVersion>> List(std::string_view tenant) const;
  StatusOr<std::unique_ptr<Model>> Load(std::string_view tenant, std::string_view name,
                                        int version) const;
  // The active version for scoring; kNotFound when the model has none.
  StatusOr<std::shared_ptr<ServingModel>> Active(std::string_view tenant, std::string_view name);
  // Every model currently loaded for serving (metrics): "tenant/name" -> active version.
  std::vector<std::pair<std::string, std::shared_ptr<ServingModel>>> Loaded() const;

  // Adds the live counts of every served (and recently replaced) version to today's totals in
  // the store. Counts of a failed write are kept for the next flush.
  Status FlushMonitoring();
  // The active version's monitoring over the last `days` (1..kMaxMonitoringDays) days: the
  // stored day totals plus the counts not yet flushed.
  StatusOr<MonitoringWindow> Monitoring(std::string_view tenant, std::string_view name, int days);
  static constexpr int kMaxMonitoringDays = 366;
  // The window the monitoring API and /metrics report by default: a week evens out weekdays.
  static constexpr int kDefaultMonitoringDays = 7;

 private:
  StatusOr<ModelVersion> ReadVersion(std::string_view tenant, std::string_view name,
                                     int version) const;
  // Loads `version` for serving (activation's load step) and installs it once committed.
  StatusOr<ModelVersion> Activate(std::string_view tenant, std::string_view name, int version,
                                  const tenancy::Actor& actor, bool rollback);
  void Install(std::string_view tenant, std::shared_ptr<ServingModel> serving);

  storage::KvStore& store_;
  tenancy::VersionedDocuments documents_;
  MonitoringStore monitoring_;
  const Clock& clock_;
  mutable std::mutex serving_mu_;
  std::map<std::string, std::shared_ptr<ServingModel>, std::less<>> serving_;
  // Replaced versions whose last counts are not flushed yet (in-flight requests may still
  // record into them); dropped once flushed and no longer in use.
  std::vector<std::pair<std::string, std::shared_ptr<ServingModel>>> retired_;
  std::mutex flush_mu_;  // one read-add-write of the day totals at a time
};

// The version record as JSON text: {name, version, kind, active, registered_at, registered_by,
// author, trained_at, data_sha256, features, validation_metrics} (API and CLI answers).
std::string ModelVersionJson(const ModelVersion& version);

// Model names: 1-64 characters of [a-z0-9_-], starting with a letter or digit.
Status ValidateModelName(std::string_view name);

}  // namespace finbrain::models
