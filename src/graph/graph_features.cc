#include "graph/graph_features.h"

#include <algorithm>

#include "common/progress.h"

namespace finbrain::graph {

// graph.* of the application, from the links made by earlier events (the application itself
// enters the graph with its decision, as it enters the feature windows).
std::vector<std::optional<double>> GraphFeatures(const EntityGraph& g, const EntityIds& ids,
                                                 TimeMicros at) {
  std::vector<std::optional<double>> v(std::size(kGraphFeatures), 0.0);
  v[0] = 1;  // alone
  const auto id = [&](const char* type) -> const std::string* {
    auto it = ids.find(type);
    return it == ids.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (const std::string* user = id("user")) {
    if (std::optional<RingInfo> group = g.GroupOf(*user)) {
      v[0] = double(group->members.size());
      v[1] = group->is_ring ? 1 : 0;
      v[2] = group->risk;
      v[3] = double(group->link_types.size());
      v[4] = group->new_account_share;
      v[5] = group->burstiness;
      v[6] = std::max(0.0, double(at - group->first_seen) / 86'400'000'000.0);
      v[7] = double(group->max_device_accounts);
    }
  }
  const char* const linked[] = {"device", "phone", "address"};
  for (size_t i = 0; i < std::size(linked); ++i) {
    if (const std::string* value = id(linked[i])) v[8 + i] = double(g.UsersOf({linked[i], *value}));
  }
  return v;
}

std::vector<std::vector<std::optional<double>>> PointInTimeGraphFeatures(
    std::vector<ingest::ValidatedEvent> events, const std::vector<GraphQuery>& points) {
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.occurred_at < b.occurred_at; });
  std::vector<size_t> order(points.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return points[a].at < points[b].at; });
  EntityGraph g;
  std::vector<std::vector<std::optional<double>>> values(points.size());
  size_t next = 0;
  Progress progress("graph rows", points.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const GraphQuery& p = points[order[k]];
    while (next < events.size() && events[next].occurred_at <= p.at) g.AddEvent(events[next++]);
    values[order[k]] = GraphFeatures(g, p.ids, p.at);
    if (k % 1024 == 0) progress.Update(k);
  }
  progress.Finish();
  return values;
}

}  // namespace finbrain::graph
