// /v1/graph: the tenant's entity graph — an entity's summary and group, its neighbourhood, the
// shortest chain of links between two entities, and the rings, most suspicious first.
#include "common/entity_types.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "server/api_internal.h"
#include "server/errors.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

// Query numbers in [low, high], with a default when absent.
StatusOr<int> IntParam(const std::map<std::string, std::string>& query, const std::string& name,
                       int fallback, int low, int high) {
  auto it = query.find(name);
  if (it == query.end()) return fallback;
  const std::string& text = it->second;
  if (text.empty() || text.size() > 7 ||
      text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < low ||
      std::stoi(text) > high) {
    return InvalidArgumentError(
        name + " must be an integer from " + std::to_string(low) + " to " + std::to_string(high),
        name);
  }
  return std::stoi(text);
}

json::object EntityJson(const graph::EntityRef& e) { return {{"type", e.type}, {"id", e.id}}; }

json::object RingJson(const graph::RingInfo& ring) {
  json::array links;
  for (const auto& l : ring.links) links.push_back(EntityJson(l));
  return {{"ring_id", ring.ring_id},
          {"kind", ring.kind},
          {"is_ring", ring.is_ring},
          {"size", ring.members.size()},
          {"members", json::array(ring.members.begin(), ring.members.end())},
          {"links", std::move(links)},
          {"link_types", json::array(ring.link_types.begin(), ring.link_types.end())},
          {"first_seen", FormatRfc3339(ring.first_seen)},
          {"last_seen", FormatRfc3339(ring.last_seen)},
          {"new_account_share", ring.new_account_share},
          {"burstiness", ring.burstiness},
          {"link_burst", ring.link_burst},
          {"links_per_member", ring.links_per_member},
          {"max_device_accounts", ring.max_device_accounts},
          {"risk", ring.risk}};
}

json::object InfoJson(const graph::EntityInfo& info) {
  json::object by_type;
  for (const auto& [type, n] : info.neighbours_by_type) by_type[type] = n;
  json::object o{{"type", info.entity.type},
                 {"id", info.entity.id},
                 {"first_seen", FormatRfc3339(info.first_seen)},
                 {"last_seen", FormatRfc3339(info.last_seen)},
                 {"degree", info.degree},
                 {"users", info.users},
                 {"hub", info.hub},
                 {"neighbours_by_type", std::move(by_type)}};
  if (info.group) o["group"] = RingJson(*info.group);
  return o;
}

json::object LinkJson(const graph::LinkInfo& link) {
  return {{"from", EntityJson(link.from)},
          {"to", EntityJson(link.to)},
          {"relations", json::array(link.relations.begin(), link.relations.end())},
          {"first_seen", FormatRfc3339(link.first_seen)},
          {"last_seen", FormatRfc3339(link.last_seen)},
          {"count", link.count}};
}

}  // namespace

// An entity named by a client: a known type, and the id as stored (PII tokenized, so a raw
// phone number finds its node). An IPv4 /24 block is written "1.2.3.0/24".
StatusOr<graph::EntityRef> Api::GraphEntity(std::string_view type, std::string_view id,
                                            const std::string& type_field,
                                            const std::string& id_field) {
  if (!IsEntityType(type)) {
    return InvalidArgumentError(Quote(type) + " is not an entity type (" + Join(kEntityTypes) + ")",
                                type_field);
  }
  const std::string& field = id_field;
  if (id.empty()) return InvalidArgumentError("the entity id is empty", field);
  if (type == "ip" && id.ends_with("/24"))
    return graph::EntityRef{std::string(type), std::string(id)};
  StatusOr<std::string> canonical = deps_.lists.CanonicalValue(type, id);
  if (!canonical.ok()) return InvalidArgumentError(canonical.status().message(), field);
  return graph::EntityRef{std::string(type), std::move(*canonical)};
}

StatusOr<HttpResponse> Api::GraphEntityInfo(Context& c) {
  FB_ASSIGN_OR_RETURN(graph::EntityRef entity, GraphEntity(c.params[0], c.params[1], "type", "id"));
  std::optional<graph::EntityInfo> info = deps_.graph.For(c.tenant)->Entity(entity);
  if (!info) return NotFoundError("no " + entity.type + " " + Quote(c.params[1]) + " in the graph");
  json::object out = InfoJson(*info);
  if (auto analysis = deps_.graph.Analysis(c.tenant)) {  // the latest batch analysis
    out["propagated_risk"] = analysis->RiskOf(entity);
    if (auto it = analysis->community_of_user.find(entity.id);
        entity.type == "user" && it != analysis->community_of_user.end()) {
      out["community"] = it->second;
    }
  }
  return JsonResponse(200, ToJsonText(out));
}

StatusOr<HttpResponse> Api::GraphNeighborhood(Context& c) {
  FB_ASSIGN_OR_RETURN(graph::EntityRef entity, GraphEntity(c.params[0], c.params[1], "type", "id"));
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"hops", "limit"}));
  FB_ASSIGN_OR_RETURN(int hops, IntParam(query, "hops", 2, 1, 4));
  FB_ASSIGN_OR_RETURN(int limit, IntParam(query, "limit", 500, 1, 5000));
  FB_ASSIGN_OR_RETURN(graph::Subgraph sub,
                      deps_.graph.For(c.tenant)->Neighborhood(entity, hops, size_t(limit)));
  json::array nodes, links;
  // With a batch analysis run, each node carries the risk propagated to it from confirmed fraud.
  const auto analysis = deps_.graph.Analysis(c.tenant);
  for (const auto& n : sub.nodes) {
    json::object node = InfoJson(n);
    if (analysis) node["propagated_risk"] = analysis->RiskOf(n.entity);
    nodes.push_back(std::move(node));
  }
  for (const auto& l : sub.links) links.push_back(LinkJson(l));
  return JsonResponse(200, ToJsonText(json::object{{"center", EntityJson(entity)},
                                                   {"hops", hops},
                                                   {"nodes", std::move(nodes)},
                                                   {"links", std::move(links)},
                                                   {"truncated", sub.truncated}}));
}

StatusOr<HttpResponse> Api::GraphPath(Context& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"from", "to", "hops"}));
  std::vector<graph::EntityRef> ends;
  for (const std::string name : {"from", "to"}) {
    auto it = query.find(name);
    const size_t colon = it == query.end() ? std::string::npos : it->second.find(':');
    if (colon == std::string::npos) {
      return InvalidArgumentError(name + " must be TYPE:ID, e.g. user:u1 or device:d1", name);
    }
    FB_ASSIGN_OR_RETURN(graph::EntityRef e,
                        GraphEntity(std::string_view(it->second).substr(0, colon),
                                    std::string_view(it->second).substr(colon + 1), name, name));
    ends.push_back(std::move(e));
  }
  FB_ASSIGN_OR_RETURN(int hops, IntParam(query, "hops", 6, 1, 8));
  FB_ASSIGN_OR_RETURN(std::vector<graph::LinkInfo> path,
                      deps_.graph.For(c.tenant)->Path(ends[0], ends[1], hops));
  json::array links;
  for (const auto& l : path) links.push_back(LinkJson(l));
  return JsonResponse(200, ToJsonText(json::object{{"from", EntityJson(ends[0])},
                                                   {"to", EntityJson(ends[1])},
                                                   {"connected", !path.empty()},
                                                   {"hops", path.size()},
                                                   {"links", std::move(links)}}));
}

StatusOr<HttpResponse> Api::GraphRings(Context& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"limit"}));
  FB_ASSIGN_OR_RETURN(int limit, IntParam(query, "limit", 100, 1, 10000));
  json::array rings;
  for (const auto& r : deps_.graph.For(c.tenant)->Rings(size_t(limit))) {
    rings.push_back(RingJson(r));
  }
  return JsonResponse(200, ToJsonText(json::object{{"rings", std::move(rings)}}));
}

}  // namespace finbrain::server
