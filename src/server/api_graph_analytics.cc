// Batch graph analytics on demand: POST /v1/graph/analyze runs the analysis job
// (graph_analysis_job.h) for the tenant, greylisting in one commit with the request's audit
// entry; GET /v1/graph/communities lists the latest result's communities.
#include <cmath>

#include "common/entity_types.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "server/api_internal.h"
#include "server/errors.h"
#include "server/graph_analysis_job.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

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

}  // namespace

StatusOr<Api::Mutation> Api::GraphAnalyze(Context& c) {
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
        FB_ASSIGN_OR_RETURN(
            graph::EntityRef e,
            GraphEntity(text.substr(0, colon), text.substr(colon + 1), "seeds", "seeds"));
        request.seeds.push_back(std::move(e));
      }
    } else {
      return InvalidArgumentError(
          "unknown field; expected greylist_threshold, greylist_types "
          "or seeds",
          std::string(key));
    }
  }
  FB_ASSIGN_OR_RETURN(
      GraphAnalysisRun run,
      RunGraphAnalysis({.lists = deps_.lists, .graph = deps_.graph, .clock = deps_.clock}, c.tenant,
                       request, c.actor));
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

StatusOr<HttpResponse> Api::GraphCommunities(Context& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"limit"}));
  auto limit_it = query.find("limit");
  size_t limit = 20;
  if (limit_it != query.end()) {
    const std::string& t = limit_it->second;
    if (t.empty() || t.size() > 3 || t.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(t) < 1) {
      return InvalidArgumentError("limit must be an integer from 1 to 100", "limit");
    }
    limit = std::min<size_t>(100, size_t(std::stoi(t)));
  }
  std::shared_ptr<const graph::GraphAnalysis> a = deps_.graph.Analysis(c.tenant);
  if (!a) return NotFoundError("no graph analysis yet; POST /v1/graph/analyze runs one");
  json::array out;
  for (size_t i = 0; i < a->top.size() && i < limit; ++i)
    out.push_back(CommunityJson(a->top[i], 1000));
  return JsonResponse(200, ToJsonText(json::object{{"analyzed_at", FormatRfc3339(a->analyzed_at)},
                                                   {"communities", std::move(out)}}));
}

}  // namespace finbrain::server
