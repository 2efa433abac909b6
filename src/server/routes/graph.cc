// /v1/graph: the tenant's entity graph — an entity's summary and group, its neighbourhood, the
// shortest chain of links between two entities, the rings, most suspicious first — and batch
// analytics on demand: POST /v1/graph/analyze runs the analysis job (graph_analysis_job.h),
// greylisting in one commit with the request's audit entry; GET /v1/graph/communities lists the
// latest result's communities.
#include <cmath>

#include "common/entity_types.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "fraud/list_store.h"
#include "graph/graph_store.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/graph_analysis_job.h"
#include "server/internal/request.h"
#include "server/internal/route.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

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

json::object CommunityJson(const graph::Community& c, size_t max_users) {
  json::array users, links;
  for (size_t i = 0; i < c.users.size() && i < max_users; ++i)
    users.push_back(json::string(c.users[i]));
  for (const auto& e : c.identifiers) links.push_back({{"type", e.type}, {"id", e.id}});
  return {{"community", c.id},         {"size", c.users.size()},
          {"users", std::move(users)}, {"links", std::move(links)},
          {"seeds", c.seeds},          {"mean_risk", std::round(c.mean_risk * 10000) / 10000}};
}

double Round(double v) { return std::round(v * 1000) / 1000; }

class GraphRoutes final : public RouteGroup {
 public:
  GraphRoutes(graph::GraphStore& graph, fraud::ListStore& lists, const Clock& clock)
      : graph_(graph), lists_(lists), clock_(clock) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "GET",
         .pattern = "/v1/graph/entities/{type}/{id}",
         .handler = Bind(this, &GraphRoutes::EntityInfo)},
        {.method = "GET",
         .pattern = "/v1/graph/entities/{type}/{id}/neighborhood",
         .handler = Bind(this, &GraphRoutes::Neighborhood)},
        {.method = "GET", .pattern = "/v1/graph/path", .handler = Bind(this, &GraphRoutes::Path)},
        {.method = "GET", .pattern = "/v1/graph/rings", .handler = Bind(this, &GraphRoutes::Rings)},
        // The whole graph's analysis takes seconds: off the I/O threads.
        {.method = "POST",
         .pattern = "/v1/graph/analyze",
         .slow = true,
         .mutation = Bind(this, &GraphRoutes::Analyze)},
        {.method = "GET",
         .pattern = "/v1/graph/communities",
         .handler = Bind(this, &GraphRoutes::Communities)},
    };
  }

 private:
  StatusOr<graph::EntityRef> Entity(std::string_view type, std::string_view id,
                                    const std::string& type_field, const std::string& id_field);
  StatusOr<HttpResponse> EntityInfo(RequestContext& c);
  StatusOr<HttpResponse> Neighborhood(RequestContext& c);
  StatusOr<HttpResponse> Path(RequestContext& c);
  StatusOr<HttpResponse> Rings(RequestContext& c);
  StatusOr<Mutation> Analyze(RequestContext& c);
  StatusOr<HttpResponse> Communities(RequestContext& c);

  graph::GraphStore& graph_;
  fraud::ListStore& lists_;
  const Clock& clock_;
};

// An entity named by a client: a known type, and the id as stored (PII tokenized, so a raw
// phone number finds its node). An IPv4 /24 block is written "1.2.3.0/24".
StatusOr<graph::EntityRef> GraphRoutes::Entity(std::string_view type, std::string_view id,
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
  StatusOr<std::string> canonical = lists_.CanonicalValue(type, id);
  if (!canonical.ok()) return InvalidArgumentError(canonical.status().message(), field);
  return graph::EntityRef{std::string(type), std::move(*canonical)};
}

StatusOr<HttpResponse> GraphRoutes::EntityInfo(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(graph::EntityRef entity, Entity(c.params[0], c.params[1], "type", "id"));
  std::optional<graph::EntityInfo> info = graph_.For(c.tenant)->Entity(entity);
  if (!info) return NotFoundError("no " + entity.type + " " + Quote(c.params[1]) + " in the graph");
  json::object out = InfoJson(*info);
  if (auto analysis = graph_.Analysis(c.tenant)) {  // the latest batch analysis
    out["propagated_risk"] = analysis->RiskOf(entity);
    if (auto it = analysis->community_of_user.find(entity.id);
        entity.type == "user" && it != analysis->community_of_user.end()) {
      out["community"] = it->second;
    }
  }
  return JsonResponse(200, ToJsonText(out));
}

StatusOr<HttpResponse> GraphRoutes::Neighborhood(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(graph::EntityRef entity, Entity(c.params[0], c.params[1], "type", "id"));
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"hops", "limit"}));
  FB_ASSIGN_OR_RETURN(int hops, IntQueryParam(query, "hops", 1, 4, 2));
  FB_ASSIGN_OR_RETURN(int limit, IntQueryParam(query, "limit", 1, 5000, 500));
  FB_ASSIGN_OR_RETURN(graph::Subgraph sub,
                      graph_.For(c.tenant)->Neighborhood(entity, hops, size_t(limit)));
  json::array nodes, links;
  // With a batch analysis run, each node carries the risk propagated to it from confirmed fraud.
  const auto analysis = graph_.Analysis(c.tenant);
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

StatusOr<HttpResponse> GraphRoutes::Path(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"from", "to", "hops"}));
  std::vector<graph::EntityRef> ends;
  for (const std::string name : {"from", "to"}) {
    auto it = query.find(name);
    const size_t colon = it == query.end() ? std::string::npos : it->second.find(':');
    if (colon == std::string::npos) {
      return InvalidArgumentError(name + " must be TYPE:ID, e.g. user:u1 or device:d1", name);
    }
    FB_ASSIGN_OR_RETURN(graph::EntityRef e,
                        Entity(std::string_view(it->second).substr(0, colon),
                               std::string_view(it->second).substr(colon + 1), name, name));
    ends.push_back(std::move(e));
  }
  FB_ASSIGN_OR_RETURN(int hops, IntQueryParam(query, "hops", 1, 8, 6));
  FB_ASSIGN_OR_RETURN(std::vector<graph::LinkInfo> path,
                      graph_.For(c.tenant)->Path(ends[0], ends[1], hops));
  json::array links;
  for (const auto& l : path) links.push_back(LinkJson(l));
  return JsonResponse(200, ToJsonText(json::object{{"from", EntityJson(ends[0])},
                                                   {"to", EntityJson(ends[1])},
                                                   {"connected", !path.empty()},
                                                   {"hops", path.size()},
                                                   {"links", std::move(links)}}));
}

StatusOr<HttpResponse> GraphRoutes::Rings(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"limit"}));
  FB_ASSIGN_OR_RETURN(int limit, IntQueryParam(query, "limit", 1, 10000, 100));
  json::array rings;
  for (const auto& r : graph_.For(c.tenant)->Rings(size_t(limit))) {
    rings.push_back(RingJson(r));
  }
  return JsonResponse(200, ToJsonText(json::object{{"rings", std::move(rings)}}));
}

StatusOr<Mutation> GraphRoutes::Analyze(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, /*allow_empty=*/true));
  GraphAnalysisRequest request;
  for (const auto& [key, value] : body) {
    if (key == "greylist_threshold") {
      if (!value.is_number() || value.to_number<double>() <= 0 || value.to_number<double>() > 1) {
        return InvalidArgumentError("must be a number in (0, 1]", "greylist_threshold");
      }
      request.greylist_threshold = value.to_number<double>();
    } else if (key == "greylist_types") {
      request.greylist_types.clear();
      if (!value.is_array()) return InvalidArgumentError("must be an array", "greylist_types");
      for (const json::value& t : value.get_array()) {
        if (!t.is_string() || !IsEntityType(t.get_string())) {
          return InvalidArgumentError("must hold entity types (" + Join(kEntityTypes) + ")",
                                      "greylist_types");
        }
        request.greylist_types.emplace_back(t.get_string());
      }
    } else if (key == "seeds") {
      if (!value.is_array()) return InvalidArgumentError("must be an array", "seeds");
      for (const json::value& s : value.get_array()) {
        const std::string_view text = s.is_string() ? std::string_view(s.get_string()) : "";
        const size_t colon = text.find(':');
        if (colon == std::string_view::npos) {
          return InvalidArgumentError("entries must be TYPE:ID, e.g. user:u1", "seeds");
        }
        FB_ASSIGN_OR_RETURN(graph::EntityRef e, Entity(text.substr(0, colon),
                                                       text.substr(colon + 1), "seeds", "seeds"));
        request.seeds.push_back(std::move(e));
      }
    } else {
      return InvalidArgumentError(
          "unknown field; expected greylist_threshold, greylist_types "
          "or seeds",
          std::string(key));
    }
  }
  FB_ASSIGN_OR_RETURN(GraphAnalysisRun run,
                      RunGraphAnalysis({.lists = lists_, .graph = graph_, .clock = clock_},
                                       c.tenant, request, c.actor));
  const graph::GraphAnalysis& a = *run.analysis;
  json::array greylisted;
  for (const auto& g : run.greylisted) {
    greylisted.push_back({{"type", g.type}, {"id", g.id}, {"risk", Round(g.risk)}});
  }
  c.entity = "graph analyze seeds=" + std::to_string(a.seeds) +
             " greylisted=" + std::to_string(greylisted.size());

  json::array top;
  for (size_t i = 0; i < a.top.size() && i < 20; ++i) top.push_back(CommunityJson(a.top[i], 50));
  json::object summary{{"analyzed_at", FormatRfc3339(a.analyzed_at)},
                       {"nodes", a.nodes},
                       {"edges", a.edges},
                       {"seeds", a.seeds},
                       {"components", a.components},
                       {"largest_component", a.largest_component},
                       {"users_outside_their_streaming_group", a.users_outside_their_group},
                       {"communities", a.communities},
                       {"modularity", Round(a.modularity)},
                       {"seconds",
                        {{"components", a.components_seconds},
                         {"leiden", a.leiden_seconds},
                         {"pagerank", a.pagerank_seconds}}},
                       {"top_communities", std::move(top)},
                       {"greylisted", std::move(greylisted)}};
  return Mutation{std::move(run.greylist_batch), JsonResponse(200, ToJsonText(summary))};
}

StatusOr<HttpResponse> GraphRoutes::Communities(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"limit"}));
  FB_ASSIGN_OR_RETURN(const int limit, IntQueryParam(query, "limit", 1, 100, 20));
  std::shared_ptr<const graph::GraphAnalysis> a = graph_.Analysis(c.tenant);
  if (!a) return NotFoundError("no graph analysis yet; POST /v1/graph/analyze runs one");
  json::array out;
  for (size_t i = 0; i < a->top.size() && i < size_t(limit); ++i)
    out.push_back(CommunityJson(a->top[i], 1000));
  return JsonResponse(200, ToJsonText(json::object{{"analyzed_at", FormatRfc3339(a->analyzed_at)},
                                                   {"communities", std::move(out)}}));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeGraphRoutes(const RouteEnv& env) {
  return std::make_unique<GraphRoutes>(*env.runtime.graph, *env.runtime.lists, env.clock);
}

}  // namespace finbrain::server
