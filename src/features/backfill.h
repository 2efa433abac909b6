// Backfill: the offline side of feature windows. Computes a FeatureSet point in time for rows
// of a training file from a history of events, with the same window code as the online
// FeatureStore, so a model trains on exactly what it will see when serving.
//
// Example:
//   Backfill backfill(set);
//   for (const ValidatedEvent& e : events) FB_RETURN_IF_ERROR(backfill.AddEvent(e));
//   auto values = backfill.Compute({{.ids = {{"user", "u1"}}, .at = t}});
//
// Memory: every update the events make is held until Compute (tens of bytes each).
//
// Thread-safety: none.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "features/feature_set.h"
#include "features/feature_store.h"
#include "ingest/event_schema.h"

namespace finbrain::features {

struct PointInTime {
  EntityIds ids;
  ListedIds listed;   // for `read_for` features
  TimeMicros at = 0;  // events with occurred_at < at count
};

class Backfill {
 public:
  explicit Backfill(std::shared_ptr<const FeatureSet> set) : set_(std::move(set)) {}

  Status AddEvent(const ingest::ValidatedEvent& event);
  size_t updates() const { return updates_.size(); }

  // Feature values per row, in row order; `progress` gets (rows done, rows).
  std::vector<std::vector<std::optional<double>>> Compute(
      const std::vector<PointInTime>& rows,
      const std::function<void(size_t, size_t)>& progress = {}) const;

 private:
  std::shared_ptr<const FeatureSet> set_;
  std::vector<Update> updates_;
};

}  // namespace finbrain::features
