#include "features/backfill.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "features/window_state.h"

namespace finbrain::features {

Status Backfill::AddEvent(const ingest::ValidatedEvent& event) {
  return set_->Extract(event, updates_);
}

std::vector<std::vector<std::optional<double>>> Backfill::Compute(
    const std::vector<PointInTime>& rows,
    const std::function<void(size_t, size_t)>& progress) const {
  std::vector<size_t> update_order(updates_.size()), row_order(rows.size());
  std::iota(update_order.begin(), update_order.end(), 0);
  std::iota(row_order.begin(), row_order.end(), 0);
  std::stable_sort(update_order.begin(), update_order.end(),
                   [&](size_t a, size_t b) { return updates_[a].at < updates_[b].at; });
  std::stable_sort(row_order.begin(), row_order.end(),
                   [&](size_t a, size_t b) { return rows[a].at < rows[b].at; });
  const std::vector<FeatureDef>& features = set_->features();
  const auto key = [](size_t feature, std::string_view entity) {
    std::string k = std::to_string(feature);
    k += '\x1f';
    k += entity;
    return k;
  };
  std::unordered_map<std::string, WindowState> states;
  std::vector<std::vector<std::optional<double>>> out(rows.size());
  const WindowState empty;
  size_t next = 0;
  for (size_t done = 0; done < row_order.size(); ++done) {
    const PointInTime& row = rows[row_order[done]];
    for (; next < update_order.size() && updates_[update_order[next]].at < row.at; ++next) {
      const Update& u = updates_[update_order[next]];
      states[key(u.feature, u.entity)].Add(features[u.feature], set_->lateness(), u);
    }
    std::vector<std::optional<double>>& values = out[row_order[done]];
    values.resize(features.size());
    for (const FeatureSet::ReadGroup& group : set_->read_groups()) {
      for (std::string_view id : group.Ids(row.ids, row.listed)) {
        for (size_t f : group.indices) {
          auto it = states.find(key(f, id));
          const std::optional<double> value =
              (it == states.end() ? empty : it->second).Value(features[f], row.at);
          values[f] =
              group.read_for.empty() ? value : CombineValue(features[f].combine, values[f], value);
        }
      }
    }
    if (progress && (done % 1024 == 0 || done + 1 == row_order.size()))
      progress(done + 1, rows.size());
  }
  return out;
}

}  // namespace finbrain::features
