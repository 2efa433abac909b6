#include "graph/entity_graph.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <deque>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "common/entity_types.h"
#include "common/strings.h"

namespace finbrain::graph {
namespace {

namespace json = boost::json;

constexpr std::uint32_t kNone = 0xFFFFFFFF;
constexpr TimeMicros kDay = 86'400'000'000;

// Relations, by bit in Edge::relations.
constexpr std::array<std::string_view, 13> kRelations = {
    "registered_phone", "id_number",     "email",           "uses_device", "uses_ip",
    "lives_at",         "ships_to",      "consignee_phone", "uses_card",   "buys_from",
    "applied",          "contact_phone", "in_block"};

constexpr std::uint32_t RelationBit(std::string_view relation) {
  for (size_t i = 0; i < kRelations.size(); ++i) {
    if (kRelations[i] == relation) return 1u << i;
  }
  return 0;
}

constexpr std::uint8_t TypeIndex(std::string_view type) {
  for (size_t i = 0; i < kEntityTypes.size(); ++i) {
    if (kEntityTypes[i] == type) return std::uint8_t(i);
  }
  return std::uint8_t(kEntityTypes.size());
}
constexpr std::uint8_t kUser = TypeIndex("user"), kDevice = TypeIndex("device"),
                       kPhone = TypeIndex("phone"), kIp = TypeIndex("ip"),
                       kMerchant = TypeIndex("merchant");

// Event fields that name an identifier linked to the event's user; the type and relation are
// resolved at compile time, as every event walks this table.
struct FieldLink {
  std::string_view field;
  std::uint8_t type;
  std::uint32_t relation;
};
constexpr FieldLink Field(std::string_view field, std::string_view type,
                          std::string_view relation) {
  return {field, TypeIndex(type), RelationBit(relation)};
}
constexpr FieldLink kFieldLinks[] = {
    Field("phone", "phone", "registered_phone"),
    Field("id_number", "id_number", "id_number"),
    Field("email", "email", "email"),
    Field("device_id", "device", "uses_device"),
    Field("ip", "ip", "uses_ip"),
    Field("address", "address", "lives_at"),
    Field("consignee_address", "address", "ships_to"),
    Field("consignee_phone", "phone", "consignee_phone"),
    Field("card_number", "card", "uses_card"),
    Field("merchant_id", "merchant", "buys_from"),
    Field("application_id", "application", "applied"),
};
constexpr std::uint32_t kContactPhone = RelationBit("contact_phone"),
                        kInBlock = RelationBit("in_block"), kBuysFrom = RelationBit("buys_from");

// Identifiers that join users into groups: what a person does not share with strangers. IPs
// (offices, public Wi-Fi), merchants and applications do not.
constexpr auto kStrong = [] {
  std::array<bool, kEntityTypes.size() + 1> strong{};
  for (std::string_view t : {"device", "phone", "id_number", "address", "card", "email"}) {
    strong[TypeIndex(t)] = true;
  }
  return strong;
}();
bool IsStrong(std::uint8_t type) { return kStrong[type]; }

// The most of `times` within one 7-day span (sorts them).
std::uint32_t MostWithinAWeek(std::vector<TimeMicros>& times) {
  std::sort(times.begin(), times.end());
  size_t most = 0;
  for (size_t i = 0, j = 0; i < times.size(); ++i) {
    while (times[i] - times[j] > 7 * kDay) ++j;
    most = std::max(most, i - j + 1);
  }
  return std::uint32_t(most);
}

}  // namespace

struct EntityGraph::State {
  struct Node {
    std::uint8_t type = 0;
    bool hub = false;
    std::uint32_t users = 0;  // distinct user neighbours
    std::string id;
    TimeMicros first_seen = 0, last_seen = 0;
    std::vector<std::uint32_t> edges;
  };
  struct Edge {
    std::uint32_t a = 0, b = 0;
    std::uint32_t relations = 0;
    std::uint32_t count = 0;
    TimeMicros first_seen = 0, last_seen = 0;
    std::uint32_t Other(std::uint32_t n) const { return n == a ? b : a; }
  };

  mutable std::shared_mutex mu;
  // Ids of events added ahead of their delivery (AddEventAhead). One whose decision failed
  // before it was logged stays here: a few bytes, and its links are what the applicant sent.
  std::unordered_set<std::string> added_ahead;
  std::vector<Node> nodes;
  std::vector<Edge> edges;
  // Open addressing: every application looks up ~12 entities among hundreds of thousands, and
  // a node-based map costs a cache miss per hop.
  boost::unordered_flat_map<std::string, std::uint32_t> index;      // type \x1f id -> node
  boost::unordered_flat_map<std::uint64_t, std::uint32_t> edge_of;  // (min, max) -> edge
  // Union-find over nodes; member lists (users only) at the roots.
  std::vector<std::uint32_t> parent;
  std::vector<std::vector<std::uint32_t>> members;
  std::string scratch;  // Intern's key, kept to spare an allocation per link
  std::uint32_t max_group_users = 1000;

  static std::string Key(std::string_view type, std::string_view id) {
    std::string key(type);
    key += '\x1f';
    key += id;
    return key;
  }

  std::uint32_t Find(const EntityRef& e) const {
    auto it = index.find(Key(e.type, e.id));
    return it == index.end() ? kNone : it->second;
  }

  std::uint32_t Intern(std::uint8_t type, std::string_view id, TimeMicros at) {
    scratch.assign(kEntityTypes[type]);
    scratch += '\x1f';
    scratch += id;
    auto [it, inserted] = index.try_emplace(scratch, std::uint32_t(nodes.size()));
    if (inserted) {
      Node n;
      n.type = type;
      n.id = std::string(id);
      n.first_seen = n.last_seen = at;
      nodes.push_back(std::move(n));
      parent.push_back(it->second);
      members.emplace_back();
      if (nodes.back().type == kUser) members.back().push_back(it->second);
    } else {
      Node& n = nodes[it->second];
      n.first_seen = std::min(n.first_seen, at);
      n.last_seen = std::max(n.last_seen, at);
    }
    return it->second;
  }

  std::uint32_t Root(std::uint32_t n) {
    while (parent[n] != n) {
      parent[n] = parent[parent[n]];
      n = parent[n];
    }
    return n;
  }
  std::uint32_t RootConst(std::uint32_t n) const {
    while (parent[n] != n) n = parent[n];
    return n;
  }

  void Union(std::uint32_t x, std::uint32_t y) {
    x = Root(x);
    y = Root(y);
    if (x == y || members[x].size() + members[y].size() > max_group_users) return;
    if (members[x].size() < members[y].size()) std::swap(x, y);
    parent[y] = x;
    members[x].insert(members[x].end(), members[y].begin(), members[y].end());
    members[y].clear();
    members[y].shrink_to_fit();
  }

  bool Joins(const Edge& e) const {
    const Node &a = nodes[e.a], &b = nodes[e.b];
    if (a.type == kUser && IsStrong(b.type)) return !b.hub;
    if (b.type == kUser && IsStrong(a.type)) return !a.hub;
    return false;
  }

  // After an identifier became a hub: its group is regrouped without it. Only that group's
  // users and identifiers are touched (every identifier of a group is linked to one of its
  // users), so a new hub costs its group's links, not the whole graph's.
  void RegroupWithout(std::uint32_t hub) {
    const std::uint32_t root = Root(hub);
    std::vector<std::uint32_t> users = std::move(members[root]);
    members[root].clear();
    std::vector<std::uint32_t> touched = users;
    for (std::uint32_t u : users) {
      for (std::uint32_t e : nodes[u].edges) {
        const std::uint32_t o = edges[e].Other(u);
        if (IsStrong(nodes[o].type) && Root(o) == root) touched.push_back(o);
      }
    }
    for (std::uint32_t n : touched) {
      parent[n] = n;
      members[n].clear();
      if (nodes[n].type == kUser) members[n].push_back(n);
    }
    for (std::uint32_t u : users) {
      for (std::uint32_t e : nodes[u].edges) {
        if (Joins(edges[e])) Union(u, edges[e].Other(u));
      }
    }
  }

  void Link(std::uint32_t a, std::uint32_t b, std::uint32_t relation, TimeMicros at,
            std::uint32_t hub_degree, std::uint32_t device_hub_degree) {
    if (a == b) return;  // an entity is not linked to itself
    const std::uint64_t key = (std::uint64_t(std::min(a, b)) << 32) | std::max(a, b);
    auto [it, inserted] = edge_of.try_emplace(key, std::uint32_t(edges.size()));
    if (!inserted) {
      Edge& e = edges[it->second];
      e.relations |= relation;
      ++e.count;
      e.first_seen = std::min(e.first_seen, at);
      e.last_seen = std::max(e.last_seen, at);
      return;
    }
    edges.push_back(
        {.a = a, .b = b, .relations = relation, .count = 1, .first_seen = at, .last_seen = at});
    nodes[a].edges.push_back(it->second);
    nodes[b].edges.push_back(it->second);
    for (auto [user, other] : {std::pair{a, b}, std::pair{b, a}}) {
      if (nodes[user].type != kUser) continue;
      Node& o = nodes[other];
      const std::uint32_t cap = o.type == kDevice ? device_hub_degree : hub_degree;
      if (++o.users > cap && !o.hub) {
        // Any hub stops neighbourhood and path searches (a public Wi-Fi IP would pull in
        // thousands of strangers); only a strong one was joining users.
        o.hub = true;
        if (IsStrong(o.type)) {
          RegroupWithout(other);
          return;
        }
      }
    }
    if (Joins(edges.back())) Union(a, b);
  }

  // `by_type`: count neighbours by type (a walk over all of the node's links).
  EntityInfo Info(std::uint32_t n, bool by_type_counts = true) const {
    const Node& node = nodes[n];
    EntityInfo info{.entity = {std::string(kEntityTypes[node.type]), node.id},
                    .first_seen = node.first_seen,
                    .last_seen = node.last_seen,
                    .degree = std::uint32_t(node.edges.size()),
                    .users = node.users,
                    .hub = node.hub};
    if (!by_type_counts) return info;
    std::array<std::uint32_t, kEntityTypes.size()> by_type{};
    for (std::uint32_t e : node.edges) ++by_type[nodes[edges[e].Other(n)].type];
    for (size_t t = 0; t < by_type.size(); ++t) {
      if (by_type[t] > 0) info.neighbours_by_type.emplace_back(kEntityTypes[t], by_type[t]);
    }
    return info;
  }

  LinkInfo Describe(std::uint32_t e, std::uint32_t from) const {
    const Edge& edge = edges[e];
    const std::uint32_t to = edge.Other(from);
    LinkInfo link{.from = {std::string(kEntityTypes[nodes[from].type]), nodes[from].id},
                  .to = {std::string(kEntityTypes[nodes[to].type]), nodes[to].id},
                  .first_seen = edge.first_seen,
                  .last_seen = edge.last_seen,
                  .count = edge.count};
    for (size_t i = 0; i < kRelations.size(); ++i) {
      if (edge.relations & (1u << i)) link.relations.emplace_back(kRelations[i]);
    }
    return link;
  }

  RingInfo Group(std::uint32_t root, const GraphOptions& options) const {
    RingInfo ring;
    const std::vector<std::uint32_t>& users = members[root];
    std::vector<TimeMicros> joined;
    std::uint32_t oldest = users.front();
    std::unordered_map<std::uint32_t, std::uint32_t> shared;  // identifier -> member links
    // identifier -> when members named it as a contact (a courier station's address also gains
    // many links in a week, but none from applicants)
    std::unordered_map<std::uint32_t, std::vector<TimeMicros>> named;
    for (std::uint32_t u : users) {
      const Node& n = nodes[u];
      ring.members.push_back(n.id);
      joined.push_back(n.first_seen);
      if (n.first_seen < nodes[oldest].first_seen) oldest = u;
      for (std::uint32_t e : n.edges) {
        if (!Joins(edges[e])) continue;
        ++shared[edges[e].Other(u)];
        if (edges[e].relations & kContactPhone)
          named[edges[e].Other(u)].push_back(edges[e].first_seen);
      }
    }
    std::array<bool, kEntityTypes.size()> types{};
    std::uint32_t held = 0;
    for (const auto& [id, count] : shared) {
      if (count < 2) continue;
      held += count;
      if (nodes[id].type == kDevice) {
        ring.max_device_accounts = std::max(ring.max_device_accounts, count);
      }
      ring.links.push_back({std::string(kEntityTypes[nodes[id].type]), nodes[id].id});
      types[nodes[id].type] = true;
    }
    for (auto& [id, named_at] : named) {
      ring.link_burst = std::max(ring.link_burst, MostWithinAWeek(named_at));
    }
    std::sort(ring.links.begin(), ring.links.end(), [](const EntityRef& a, const EntityRef& b) {
      return std::tie(a.type, a.id) < std::tie(b.type, b.id);
    });
    for (size_t t = 0; t < types.size(); ++t) {
      if (types[t]) ring.link_types.emplace_back(kEntityTypes[t]);
    }
    std::sort(ring.members.begin(), ring.members.end());
    std::sort(joined.begin(), joined.end());
    ring.ring_id = "ring-" + nodes[oldest].id;
    ring.first_seen = joined.front();
    ring.last_seen = joined.back();
    for (std::uint32_t u : users) ring.last_seen = std::max(ring.last_seen, nodes[u].last_seen);
    const double size = double(users.size());
    size_t recent = 0;
    for (TimeMicros at : joined) recent += at >= joined.back() - 30 * kDay ? 1 : 0;
    ring.new_account_share = double(recent) / size;
    ring.burstiness = MostWithinAWeek(joined) / size;
    // A readable score, not a probability: bigger groups, more kinds of shared identifiers and
    // members who all appeared at once look like organised fraud.
    ring.risk = 0.35 * std::min(1.0, (size - 2) / 8) +
                0.25 * std::min(1.0, (double(ring.link_types.size()) - 1) / 2) +
                0.2 * std::max(ring.burstiness, ring.link_burst / size) +
                0.2 * ring.new_account_share;
    if (ring.max_device_accounts >= options.farm_min_accounts) ring.risk += 0.25;
    ring.risk = std::clamp(ring.risk, 0.0, 1.0);
    ring.links_per_member = double(held) / size;
    const bool ring_shape = users.size() >= options.ring_min_users &&
                            ring.link_types.size() >= options.ring_min_link_types &&
                            ring.links_per_member >= options.ring_min_links_per_member;
    const bool farm = ring.max_device_accounts >= options.farm_min_accounts;
    // A farm's accounts also burst onto its device; it is named for the device.
    const bool burst = ring.link_burst >= options.ring_min_burst_links;
    ring.kind = ring_shape ? "ring" : farm ? "device_farm" : burst ? "ring" : "group";
    ring.is_ring = ring_shape || farm || burst;
    return ring;
  }
};

EntityGraph::EntityGraph(GraphOptions options)
    : options_(options), state_(std::make_unique<State>()) {
  state_->max_group_users = std::max<std::uint32_t>(2, options.max_group_users);
}
EntityGraph::~EntityGraph() = default;

void EntityGraph::AddEvent(const ingest::ValidatedEvent& event) { AddLinks(event, false); }
void EntityGraph::AddEventAhead(const ingest::ValidatedEvent& event) { AddLinks(event, true); }

void EntityGraph::AddLinks(const ingest::ValidatedEvent& event, bool ahead) {
  json::value storage;
  const json::object* fields = ingest::Parsed(event, storage);
  if (fields == nullptr) return;
  // One pass over the event's members (a dozen; looking up each field would scan them once per
  // field); the links are then made in the table's order, whatever the members' order.
  std::array<const json::value*, std::size(kFieldLinks)> named{};
  const json::value *user = nullptr, *contacts = nullptr, *payee = nullptr, *payee_type = nullptr;
  for (const json::key_value_pair& member : *fields) {
    const std::string_view key = member.key();
    if (key == "user_id") {
      user = &member.value();
    } else if (key == "contacts") {
      contacts = &member.value();
    } else if (key == "payee_id") {
      payee = &member.value();
    } else if (key == "payee_type") {
      payee_type = &member.value();
    } else {
      for (size_t f = 0; f < named.size(); ++f) {
        if (kFieldLinks[f].field == key) named[f] = &member.value();
      }
    }
  }
  if (user == nullptr || !user->is_string() || user->get_string().empty()) return;
  const TimeMicros at = event.occurred_at;
  State& s = *state_;
  std::unique_lock lock(s.mu);
  if (ahead) {
    if (!s.added_ahead.insert(event.event_id).second) return;
  } else if (!s.added_ahead.empty() && s.added_ahead.erase(event.event_id) > 0) {
    return;
  }
  const std::uint32_t u = s.Intern(kUser, user->get_string(), at);
  const auto link = [&](std::uint8_t type, std::string_view id, std::uint32_t relation) {
    if (id.empty() || id.size() > 256) return;
    const std::uint32_t n = s.Intern(type, id, at);
    s.Link(u, n, relation, at, options_.hub_degree, options_.device_hub_degree);
    if (type == kIp) {
      const std::string block = Ipv4Block(id);
      if (!block.empty()) s.Link(n, s.Intern(kIp, block, at), kInBlock, at, 0, 0);
    }
  };
  for (size_t f = 0; f < named.size(); ++f) {
    if (named[f] != nullptr && named[f]->is_string()) {
      link(kFieldLinks[f].type, named[f]->get_string(), kFieldLinks[f].relation);
    }
  }
  if (contacts != nullptr && contacts->is_array()) {
    for (const json::value& c : contacts->get_array()) {
      const json::value* phone = c.is_object() ? c.get_object().if_contains("phone") : nullptr;
      if (phone != nullptr && phone->is_string()) {
        link(kPhone, phone->get_string(), kContactPhone);
      }
    }
  }
  if (payee != nullptr && payee->is_string() && payee_type != nullptr && payee_type->is_string() &&
      payee_type->get_string() == "merchant") {
    link(kMerchant, payee->get_string(), kBuysFrom);
  }
}

std::optional<EntityInfo> EntityGraph::Entity(const EntityRef& entity) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  const std::uint32_t n = s.Find(entity);
  if (n == kNone) return std::nullopt;
  EntityInfo info = s.Info(n);
  const std::uint32_t root = s.RootConst(n);
  if (s.members[root].size() >= 2) info.group = s.Group(root, options_);
  return info;
}

std::uint32_t EntityGraph::UsersOf(const EntityRef& entity) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  const std::uint32_t n = s.Find(entity);
  return n == kNone ? 0 : s.nodes[n].users;
}

StatusOr<Subgraph> EntityGraph::Neighborhood(const EntityRef& entity, int hops,
                                             size_t max_nodes) const {
  if (hops < 1 || hops > 4) return InvalidArgumentError("hops must be 1 to 4", "hops");
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  const std::uint32_t start = s.Find(entity);
  if (start == kNone) {
    return NotFoundError("no " + entity.type + " " + Quote(entity.id) + " in the graph");
  }
  Subgraph out;
  std::unordered_map<std::uint32_t, int> depth{{start, 0}};
  std::vector<std::uint32_t> order{start};
  for (size_t i = 0; i < order.size(); ++i) {
    const std::uint32_t n = order[i];
    // Hubs are shown but not expanded: a courier station would pull in thousands of strangers.
    if (depth[n] == hops || (s.nodes[n].hub && n != start)) continue;
    for (std::uint32_t e : s.nodes[n].edges) {
      const std::uint32_t m = s.edges[e].Other(n);
      if (depth.count(m)) continue;
      if (order.size() >= max_nodes) {
        out.truncated = true;
        break;
      }
      depth[m] = depth[n] + 1;
      order.push_back(m);
    }
  }
  // A hub's links are found from its (few) neighbours in the set, never by walking its own
  // thousands; nor are its neighbours counted by type here (GET the entity for that).
  for (std::uint32_t n : order) {
    const bool hub = s.nodes[n].hub;
    out.nodes.push_back(s.Info(n, !hub));
    if (hub) continue;
    for (std::uint32_t e : s.nodes[n].edges) {
      const std::uint32_t m = s.edges[e].Other(n);
      if ((n < m || s.nodes[m].hub) && depth.count(m)) out.links.push_back(s.Describe(e, n));
    }
  }
  return out;
}

StatusOr<std::vector<LinkInfo>> EntityGraph::Path(const EntityRef& from, const EntityRef& to,
                                                  int max_hops) const {
  if (max_hops < 1 || max_hops > 8) return InvalidArgumentError("hops must be 1 to 8", "hops");
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  const std::uint32_t a = s.Find(from), b = s.Find(to);
  if (a == kNone) return NotFoundError("no " + from.type + " " + Quote(from.id) + " in the graph");
  if (b == kNone) return NotFoundError("no " + to.type + " " + Quote(to.id) + " in the graph");
  std::unordered_map<std::uint32_t, std::pair<std::uint32_t, int>> seen{{a, {kNone, 0}}};
  std::deque<std::uint32_t> queue{a};
  while (!queue.empty() && !seen.count(b)) {
    const std::uint32_t n = queue.front();
    queue.pop_front();
    const int d = seen[n].second;
    if (d == max_hops || (s.nodes[n].hub && n != a)) continue;
    for (std::uint32_t e : s.nodes[n].edges) {
      const std::uint32_t m = s.edges[e].Other(n);
      if (seen.try_emplace(m, std::pair{e, d + 1}).second) queue.push_back(m);
    }
  }
  std::vector<LinkInfo> path;
  if (!seen.count(b)) return path;
  for (std::uint32_t n = b; n != a;) {
    const std::uint32_t e = seen[n].first;
    const std::uint32_t prev = s.edges[e].Other(n);
    path.push_back(s.Describe(e, prev));
    n = prev;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<RingInfo> EntityGraph::Rings(size_t limit) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  std::vector<RingInfo> rings;
  for (std::uint32_t n = 0; n < s.nodes.size(); ++n) {
    if (s.parent[n] != n || s.members[n].size() < options_.ring_min_users) continue;
    RingInfo ring = s.Group(n, options_);
    if (ring.is_ring) rings.push_back(std::move(ring));
  }
  std::sort(rings.begin(), rings.end(), [](const RingInfo& a, const RingInfo& b) {
    return a.risk != b.risk ? a.risk > b.risk : a.ring_id < b.ring_id;
  });
  if (rings.size() > limit) rings.resize(limit);
  return rings;
}

std::optional<RingInfo> EntityGraph::GroupOf(std::string_view user_id) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  const std::uint32_t n = s.Find({"user", std::string(user_id)});
  if (n == kNone) return std::nullopt;
  const std::uint32_t root = s.RootConst(n);
  if (s.members[root].size() < 2) return std::nullopt;
  return s.Group(root, options_);
}

GraphSnapshot EntityGraph::Snapshot() const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  GraphSnapshot snap;
  snap.nodes.reserve(s.nodes.size());
  snap.hub.reserve(s.nodes.size());
  snap.group.reserve(s.nodes.size());
  for (std::uint32_t n = 0; n < s.nodes.size(); ++n) {
    snap.nodes.push_back({std::string(kEntityTypes[s.nodes[n].type]), s.nodes[n].id});
    snap.hub.push_back(s.nodes[n].hub);
    snap.group.push_back(s.RootConst(n));
  }
  snap.edges.reserve(s.edges.size());
  for (const State::Edge& e : s.edges) snap.edges.push_back({e.a, e.b, s.Joins(e)});
  return snap;
}

void EntityGraph::Save(ingest::SnapshotEncoder& out) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  std::vector<std::string_view> ahead(s.added_ahead.begin(), s.added_ahead.end());
  std::sort(ahead.begin(), ahead.end());
  out.U64(ahead.size());
  for (std::string_view id : ahead) out.Str(id);
  out.U64(s.nodes.size());
  for (const State::Node& n : s.nodes) {
    out.U8(n.type);
    out.U8(n.hub ? 1 : 0);
    out.U32(n.users);
    out.Str(n.id);
    out.I64(n.first_seen);
    out.I64(n.last_seen);
    out.Pods(n.edges);
  }
  out.Pods(s.edges);
  out.Pods(s.parent);
  for (const std::vector<std::uint32_t>& m : s.members) out.Pods(m);
}

Status EntityGraph::Load(ingest::SnapshotDecoder& in) {
  auto loaded = std::make_unique<State>();
  State& s = *loaded;
  s.max_group_users = state_->max_group_users;
  const auto corrupt = [](std::string_view what) {
    return DataLossError("graph snapshot: " + std::string(what));
  };
  for (std::uint64_t i = 0, n = in.Count(4); i < n; ++i) s.added_ahead.insert(in.Str());
  const std::uint64_t node_count = in.Count(30);
  s.nodes.reserve(node_count);
  s.index.reserve(node_count);
  for (std::uint32_t i = 0; i < node_count; ++i) {
    State::Node& n = s.nodes.emplace_back();
    n.type = in.U8();
    n.hub = in.U8() != 0;
    n.users = in.U32();
    n.id = in.Str();
    n.first_seen = in.I64();
    n.last_seen = in.I64();
    in.Pods(n.edges);
    if (n.type >= kEntityTypes.size()) return corrupt("unknown node type");
    s.index.emplace(State::Key(kEntityTypes[n.type], n.id), i);
  }
  in.Pods(s.edges);
  in.Pods(s.parent);
  s.members.resize(node_count);
  for (std::vector<std::uint32_t>& m : s.members) in.Pods(m);
  if (!in.ok()) return corrupt("truncated");
  if (s.index.size() != node_count) return corrupt("a node appears twice");
  if (s.parent.size() != node_count) return corrupt("union-find of another size");
  s.edge_of.reserve(s.edges.size());
  for (std::uint32_t e = 0; e < s.edges.size(); ++e) {
    const State::Edge& edge = s.edges[e];
    if (edge.a >= node_count || edge.b >= node_count) return corrupt("an edge to no node");
    s.edge_of.emplace((std::uint64_t(std::min(edge.a, edge.b)) << 32) | std::max(edge.a, edge.b),
                      e);
  }
  for (std::uint32_t i = 0; i < node_count; ++i) {
    if (s.parent[i] >= node_count) return corrupt("a group root that is no node");
    for (std::uint32_t e : s.nodes[i].edges) {
      if (e >= s.edges.size()) return corrupt("a node's edge that does not exist");
    }
    for (std::uint32_t m : s.members[i]) {
      if (m >= node_count) return corrupt("a group member that is no node");
    }
  }
  state_ = std::move(loaded);
  return OkStatus();
}

size_t EntityGraph::node_count() const {
  std::shared_lock lock(state_->mu);
  return state_->nodes.size();
}

size_t EntityGraph::edge_count() const {
  std::shared_lock lock(state_->mu);
  return state_->edges.size();
}

}  // namespace finbrain::graph
