// EntityGraph: one tenant's graph of entities (user, phone, device, ip and its /24, address,
// card, id_number, email, merchant, application) linked by typed, timestamped edges built from
// events, with connected groups of users over strong shared identifiers maintained as events
// arrive, so ring size, age, new-account share and burstiness are available at request time.
//
//   EntityGraph g;
//   g.AddEvent(validated_event);                 // from the ingestion fan-out
//   g.Entity("device", "d1");                    // degree, neighbours by type, ring
//   g.Neighborhood("user", "u1", 2);             // nodes and edges within two hops
//   g.Path({"user", "u1"}, {"user", "u9"}, 4);   // why are these connected?
//   g.Rings();                                   // most suspicious first
//
// Groups: users are joined through devices, phones (own, contact or consignee), id numbers,
// addresses, cards and emails — never IPs, which offices and public Wi-Fi share honestly. An
// identifier shared by more than `hub_degree` users is a hub (a courier station, a public
// phone) and links nobody; when one crosses that line its group is regrouped without it.
//
// Thread-safety: all methods are safe to call concurrently (one writer, many readers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "ingest/event_schema.h"
#include "ingest/snapshot.h"

namespace finbrain::graph {

struct GraphOptions {
  // An identifier linking more users than this is a hub and joins no group (a courier
  // station's address). Devices get a higher cap: thirty accounts on one phone is not an honest
  // hub but a device farm, the very thing to find.
  std::uint32_t hub_degree = 20;
  std::uint32_t device_hub_degree = 200;
  // Groups stop growing here: a link that would merge two groups into a bigger one is left out.
  // Rings are small; without a cap, contact phones percolate a large graph into one giant group
  // whose every regrouping and summary would walk millions of links.
  std::uint32_t max_group_users = 1000;
  // A ring: at least this many users, linked through at least this many identifier types (a
  // family shares one address; a ring shares devices, phones, addresses), each member holding
  // on average this many shared identifiers (a chain of honest coincidences — a second-hand
  // phone whose buyer lives with family — holds fewer than two).
  std::uint32_t ring_min_users = 3;
  std::uint32_t ring_min_link_types = 2;
  double ring_min_links_per_member = 2;
  // Or: at least this many members naming one contact phone within a week, however old their
  // accounts. A family is smaller; consignee addresses (a courier station) do not count.
  std::uint32_t ring_min_burst_links = 5;
  // A device farm: one device shared by at least this many users of a group.
  std::uint32_t farm_min_accounts = 5;
};

struct EntityRef {
  std::string type;
  std::string id;
  bool operator==(const EntityRef&) const = default;
};

struct LinkInfo {
  EntityRef from, to;
  std::vector<std::string> relations;  // e.g. "uses_device", "contact_phone"
  TimeMicros first_seen = 0, last_seen = 0;
  std::uint32_t count = 0;  // events that carried the link
};

// A connected group of users over strong identifiers, with its request-time features.
struct RingInfo {
  std::string ring_id;               // stable while the group keeps its oldest member
  std::vector<std::string> members;  // user ids
  std::vector<EntityRef> links;      // identifiers shared by two or more members
  std::vector<std::string> link_types;
  TimeMicros first_seen = 0, last_seen = 0;
  double new_account_share = 0;  // members first seen within 30 days of the newest member
  double burstiness = 0;         // largest share of members first seen within one 7-day span
  double links_per_member = 0;   // shared identifiers held per member (see GraphOptions)
  std::uint32_t link_burst = 0;  // most members naming one contact phone within 7 days
  std::uint32_t max_device_accounts = 0;  // most members on one device
  double risk = 0;                        // 0..1, orders the rings list
  bool is_ring = false;  // meets the ring or device-farm thresholds of GraphOptions
  std::string kind;      // "ring", "device_farm" or "group" (neither)
};

struct EntityInfo {
  EntityRef entity;
  TimeMicros first_seen = 0, last_seen = 0;
  std::uint32_t degree = 0;
  std::uint32_t users = 0;  // distinct users linked to it (for an identifier)
  bool hub = false;
  std::vector<std::pair<std::string, std::uint32_t>> neighbours_by_type;
  std::optional<RingInfo> group;  // the user's group (or the identifier's), when it has 2+ users
};

struct Subgraph {
  std::vector<EntityInfo> nodes;  // without `group`
  std::vector<LinkInfo> links;
  bool truncated = false;  // stopped at max_nodes
};

// The structure of a graph at one moment, for batch analytics (graph/graph_analytics.h).
struct GraphSnapshot {
  std::vector<EntityRef> nodes;
  std::vector<bool> hub;
  // Streaming group of each node: the index of its union-find root (users and identifiers).
  std::vector<std::uint32_t> group;
  struct Edge {
    std::uint32_t a = 0, b = 0;
    bool joins = false;  // a user to a strong identifier that is not a hub: what groups follow
  };
  std::vector<Edge> edges;
};

class EntityGraph {
 public:
  explicit EntityGraph(GraphOptions options = {});
  ~EntityGraph();
  EntityGraph(const EntityGraph&) = delete;
  EntityGraph& operator=(const EntityGraph&) = delete;

  // Adds the links an event carries (its user to each identifier it names). Events without a
  // user or identifiers add nothing. Unknown fields are ignored.
  void AddEvent(const ingest::ValidatedEvent& event);
  // The same, before the ingestion fan-out delivers the event: a credit decision reads the group
  // its own application forms (a ring member's first tie to the ring is often the contacts that
  // application lists). The delivery that follows is skipped, so edge counts stay exact.
  void AddEventAhead(const ingest::ValidatedEvent& event);

  std::optional<EntityInfo> Entity(const EntityRef& entity) const;
  // Distinct users linked to `entity` (0 when unknown): cheap, for request-time features.
  std::uint32_t UsersOf(const EntityRef& entity) const;
  // Nodes within `hops` of `entity` (breadth first, hubs not expanded), at most `max_nodes`.
  StatusOr<Subgraph> Neighborhood(const EntityRef& entity, int hops, size_t max_nodes = 500) const;
  // The shortest chain of links from `from` to `to` (at most `max_hops`, hubs not crossed);
  // empty when there is none.
  StatusOr<std::vector<LinkInfo>> Path(const EntityRef& from, const EntityRef& to,
                                       int max_hops = 6) const;
  // Groups meeting the ring thresholds, most suspicious first.
  std::vector<RingInfo> Rings(size_t limit = 100) const;
  // The group of `user_id` (nullopt when the user is alone or unknown): request-time features.
  std::optional<RingInfo> GroupOf(std::string_view user_id) const;

  // A copy of every node and edge (taken under the read lock: O(graph), for batch jobs).
  GraphSnapshot Snapshot() const;

  size_t node_count() const;
  size_t edge_count() const;

  // The whole state, for a snapshot (graph/graph_store.h); the same graph gives the same bytes.
  void Save(ingest::SnapshotEncoder& out) const;
  // Replaces the state of this graph with what Save wrote; kDataLoss (and the state unchanged)
  // when it does not hold together. REQUIRES: no other thread uses the graph yet.
  Status Load(ingest::SnapshotDecoder& in);

 private:
  void AddLinks(const ingest::ValidatedEvent& event, bool ahead);
  struct State;
  GraphOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace finbrain::graph
