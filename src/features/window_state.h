// WindowState: the pre-aggregated history of one feature for one entity. Memory is bounded:
// at most one window of buckets (plus the lateness allowance) and, for distinct counts, at most
// kMaxDistinct values.
//
// Thread-safety: none; FeatureStore and Backfill guard it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "features/feature_set.h"

namespace finbrain::features {

class WindowState {
 public:
  // Distinct counts saturate here (the oldest values are forgotten first).
  static constexpr size_t kMaxDistinct = 4096;

  // Applies one update; false when it is too old to fall in any window at or after the newest
  // event seen, even with the lateness allowance (then it is ignored).
  bool Add(const FeatureDef& def, TimeMicros lateness, const Update& update);
  // The feature's value at `at` (see FeatureSet for the semantics); nullopt is missing.
  std::optional<double> Value(const FeatureDef& def, TimeMicros at) const;
  // True when nothing in the state can count at `now` or later: it may be dropped.
  bool Expired(const FeatureDef& def, TimeMicros lateness, TimeMicros now) const;

  // A compact binary form (little-endian) for the store.
  std::string Serialize() const;
  static StatusOr<WindowState> Deserialize(std::string_view bytes);

 private:
  struct Bucket {
    std::int64_t index = 0;
    std::uint32_t count = 0;
    double sum = 0, min = 0, max = 0;
  };
  struct Seen {
    std::uint64_t hash = 0;
    TimeMicros last = 0;
  };
  static constexpr TimeMicros kNever = INT64_MIN;

  std::vector<Bucket> buckets_;  // ascending index, only non-empty ones
  std::vector<Seen> distinct_;
  TimeMicros first_ = kNever, last_ = kNever;
};

}  // namespace finbrain::features
