// Monitoring persistence: MonitoringStore adds a served version's live counts (models/monitor.h)
// to per-day totals in the store, so monitoring survives restarts and promotions.
//
//   Column::kModelMonitoring: "<tenant>/<name>/<version>/<YYYY-MM-DD>" -> the day's counts
//
// Example:
//   ModelMonitor monitor(model);
//   monitor.Record(pd, model.FeatureBins(row));
//   FB_RETURN_IF_ERROR(MonitoringStore(store).AddToDay("acme/pd", 3, "2026-12-06", model,
//                                                     monitor.TakePending()));
//
// Thread-safety: AddToDay is a read-add-write of the day's totals: callers serialise it (one
// server per store).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "models/model.h"
#include "models/monitor.h"
#include "storage/kv_store.h"

namespace finbrain::models {

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
