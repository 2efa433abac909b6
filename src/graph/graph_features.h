// The graph.* features of an application: what a credit decision reads online from the tenant's
// entity graph, and what a training table reads point in time from an entity graph of every
// event before each row (so offline and online agree).
//
//   graph.ring_size             the applicant's group over shared identifiers (1 when alone)
//   graph.is_ring               1 when the group meets the ring or device-farm thresholds
//   graph.ring_risk, ring_link_types, ring_new_share, ring_burstiness, ring_age_days,
//   graph.ring_device_accounts  the group's risk, kinds of shared identifiers, share of new
//                               accounts, burstiness, age in days, most accounts on one device
//   graph.device_accounts, phone_accounts, address_accounts
//                               users the application's device, phone and address link to
//
// Example:
//   std::vector<std::optional<double>> v = GraphFeatures(graph, {{"user", "u1"}}, now);
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "graph/entity_graph.h"
#include "ingest/event_schema.h"

namespace finbrain::graph {

inline constexpr std::string_view kGraphFeatures[] = {
    "ring_size",       "is_ring",         "ring_risk",       "ring_link_types",
    "ring_new_share",  "ring_burstiness", "ring_age_days",   "ring_device_accounts",
    "device_accounts", "phone_accounts",  "address_accounts"};

// Entity type -> id ("user", "device", "phone", "address" are read).
using EntityIds = std::map<std::string, std::string, std::less<>>;

// graph.* (kGraphFeatures order) at `at` of an application with these ids, from the links of
// the events `graph` holds.
std::vector<std::optional<double>> GraphFeatures(const EntityGraph& graph, const EntityIds& ids,
                                                 TimeMicros at);

// Point in time: for each query, graph.* from an entity graph of every event up to its time
// (in time order; as in a decision, the row's own application is in it). Keeps the events in
// memory (about 0.5 GB per million).
struct GraphQuery {
  TimeMicros at = 0;
  EntityIds ids;
};
std::vector<std::vector<std::optional<double>>> PointInTimeGraphFeatures(
    std::vector<ingest::ValidatedEvent> events, const std::vector<GraphQuery>& queries);

}  // namespace finbrain::graph
