// Live monitoring of a served model version: ModelMonitor counts each score's PD bin and each
// feature's bin (lock-free, on the decision path); MonitoringStore adds those counts to per-day
// totals in the store, so monitoring survives restarts and promotions; CompareWithBaseline gives
// the PSI of the score and the CSI of each feature against the training baseline.
//
//   Column::kModelMonitoring: "<tenant>/<name>/<version>/<YYYY-MM-DD>" -> the day's counts
//
// Example:
//   ModelMonitor monitor(model);
//   monitor.Record(pd, model.FeatureBins(row));
//   FB_RETURN_IF_ERROR(MonitoringStore(store).AddToDay("acme/pd", 3, "2026-12-06", model,
//                                                     monitor.TakePending()));
//
// Thread-safety: ModelMonitor's methods may be called concurrently. MonitoringStore's AddToDay
// is a read-add-write of the day's totals: callers serialise it (one server per store).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "models/model.h"
#include "storage/kv_store.h"

namespace finbrain::models {

// Live counts of a model version: scores per baseline PD bin, rows per bin of each feature.
struct MonitorCounts {
  std::uint64_t scored = 0;
  std::vector<std::uint64_t> score;              // per PD bin of the training baseline
  std::vector<std::vector<std::uint64_t>> bins;  // per feature, per bin
  void Add(const MonitorCounts& other);
};

struct MonitorReport {
  std::uint64_t scored = 0;
  double psi = 0;                                   // score against the training baseline
  std::vector<std::pair<std::string, double>> csi;  // per feature
  std::vector<double> score_shares;                 // live share per baseline PD bin
};

// PSI of the score and CSI of each feature of `counts` against `model`'s training baseline.
MonitorReport CompareWithBaseline(const Model& model, const MonitorCounts& counts);

class ModelMonitor {
 public:
  explicit ModelMonitor(const Model& model);
  void Record(double pd, const std::vector<size_t>& feature_bins);
  // The counts recorded since the last TakePending, without taking them.
  MonitorCounts Pending() const;
  // Takes the counts recorded since the last call (each counter is exchanged with zero, so a
  // concurrent Record is counted in this take or the next, never twice or not at all).
  MonitorCounts TakePending();
  // Gives counts back after a failed flush.
  void Restore(const MonitorCounts& counts);

 private:
  MonitorCounts Collect(bool take) const;

  const Model& model_;
  // Mutable: Collect(take = true) exchanges them; Pending only loads.
  mutable std::atomic<std::uint64_t> scored_{0};
  mutable std::vector<std::atomic<std::uint64_t>> score_counts_;
  mutable std::vector<std::vector<std::atomic<std::uint64_t>>> bin_counts_;
};

// The day (YYYY-MM-DD, UTC) of `t`, as the per-day totals are keyed.
std::string MonitoringDay(TimeMicros t);

class MonitoringStore {
 public:
  // REQUIRES: `store` outlives this.
  explicit MonitoringStore(storage::KvStore& store) : store_(store) {}

  // Adds `counts` to the day's totals of a version; `name_key` is "<tenant>/<name>". A corrupt
  // stored day is replaced rather than blocking every later flush.
  Status AddToDay(std::string_view name_key, int version, std::string_view day, const Model& model,
                  const MonitorCounts& counts);
  // The stored totals per day from `first_day` on (inclusive), by day.
  StatusOr<std::map<std::string, MonitorCounts>> Days(std::string_view name_key, int version,
                                                      std::string_view first_day,
                                                      const Model& model) const;

 private:
  storage::KvStore& store_;
};

}  // namespace finbrain::models
