#include "graph/graph_analytics.h"

#include <igraph/igraph.h>

#include <algorithm>
#include <chrono>
#include <mutex>

namespace finbrain::graph {
namespace {

using SteadyClock = std::chrono::steady_clock;

double Seconds(SteadyClock::time_point from) {
  return std::chrono::duration<double>(SteadyClock::now() - from).count();
}

// igraph keeps its random generator and error handler in globals: one analysis at a time.
std::mutex& IgraphMutex() {
  static std::mutex mu;
  return mu;
}

// RAII for igraph's C objects.
struct Graph {
  igraph_t g{};
  bool made = false;
  ~Graph() {
    if (made) igraph_destroy(&g);
  }
};
struct IntVector {
  igraph_vector_int_t v{};
  explicit IntVector(igraph_integer_t n = 0) { igraph_vector_int_init(&v, n); }
  ~IntVector() { igraph_vector_int_destroy(&v); }
};
struct RealVector {
  igraph_vector_t v{};
  explicit RealVector(igraph_integer_t n = 0) { igraph_vector_init(&v, n); }
  ~RealVector() { igraph_vector_destroy(&v); }
};

Status Check(igraph_error_t code, const char* what) {
  if (code == IGRAPH_SUCCESS) return OkStatus();
  return InternalError(std::string("igraph ") + what + ": " + igraph_strerror(code));
}

// An undirected graph over all nodes with the edges `keep` accepts.
template <typename Keep>
Status Build(const GraphSnapshot& s, Keep keep, Graph& out, size_t& edges) {
  IntVector list;
  edges = 0;
  for (const auto& e : s.edges) {
    if (!keep(e)) continue;
    igraph_vector_int_push_back(&list.v, e.a);
    igraph_vector_int_push_back(&list.v, e.b);
    ++edges;
  }
  FB_RETURN_IF_ERROR(
      Check(igraph_create(&out.g, &list.v, igraph_integer_t(s.nodes.size()), IGRAPH_UNDIRECTED),
            "create"));
  out.made = true;
  return OkStatus();
}

}  // namespace

double GraphAnalysis::RiskOf(const EntityRef& e) const {
  auto it = risk.find(Key(e));
  return it == risk.end() ? 0 : it->second;
}

StatusOr<GraphAnalysis> Analyze(const GraphSnapshot& s, const AnalysisOptions& options) {
  std::lock_guard lock(IgraphMutex());
  igraph_set_error_handler(igraph_error_handler_printignore);
  igraph_set_warning_handler(igraph_warning_handler_ignore);
  GraphAnalysis a;
  a.nodes = s.nodes.size();

  // Components over the links groups follow, compared with the streaming groups.
  auto t = SteadyClock::now();
  {
    Graph joins;
    size_t m = 0;
    FB_RETURN_IF_ERROR(Build(
        s, [](const auto& e) { return e.joins; }, joins, m));
    IntVector membership, sizes;
    igraph_integer_t count = 0;
    FB_RETURN_IF_ERROR(
        Check(igraph_connected_components(&joins.g, &membership.v, &sizes.v, &count, IGRAPH_WEAK),
              "components"));
    a.components = size_t(count);
    for (igraph_integer_t c = 0; c < count; ++c) {
      a.largest_component = std::max(a.largest_component, size_t(VECTOR(sizes.v)[c]));
    }
    // Each streaming group should sit inside one component and each component hold one group.
    std::unordered_map<std::uint32_t, igraph_integer_t> component_of_group;
    std::unordered_map<igraph_integer_t, std::uint32_t> group_of_component;
    for (size_t n = 0; n < s.nodes.size(); ++n) {
      if (s.nodes[n].type != "user") continue;
      const igraph_integer_t c = VECTOR(membership.v)[igraph_integer_t(n)];
      const auto [g, g_new] = component_of_group.try_emplace(s.group[n], c);
      const auto [k, k_new] = group_of_component.try_emplace(c, s.group[n]);
      a.users_outside_their_group += g->second != c || k->second != s.group[n];
    }
  }
  a.components_seconds = Seconds(t);

  // Every link but those through hubs, for communities and propagation.
  Graph g;
  FB_RETURN_IF_ERROR(Build(
      s, [&](const auto& e) { return !s.hub[e.a] && !s.hub[e.b]; }, g, a.edges));
  const auto n = igraph_integer_t(s.nodes.size());

  t = SteadyClock::now();
  IntVector membership(n);
  {
    igraph_rng_seed(igraph_rng_default(), options.random_seed);
    RealVector degrees(n);
    IntVector degree(n);
    FB_RETURN_IF_ERROR(Check(
        igraph_degree(&g.g, &degree.v, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS), "degree"));
    for (igraph_integer_t i = 0; i < n; ++i) VECTOR(degrees.v)[i] = double(VECTOR(degree.v)[i]);
    igraph_integer_t clusters = 0;
    igraph_real_t quality = 0;
    const double resolution = a.edges > 0 ? 1.0 / (2.0 * double(a.edges)) : 1.0;
    FB_RETURN_IF_ERROR(Check(
        igraph_community_leiden(&g.g, nullptr, &degrees.v, resolution, 0.01, false,
                                options.leiden_iterations, &membership.v, &clusters, &quality),
        "leiden"));
    a.communities = size_t(clusters);
    a.modularity = quality;
  }
  a.leiden_seconds = Seconds(t);

  // Personalised PageRank from the seeds, scaled so that the seeds' mean is 1.
  t = SteadyClock::now();
  RealVector rank(n);
  std::vector<std::uint32_t> seed_nodes;
  {
    std::unordered_map<std::string, std::uint32_t> index;
    if (!options.seeds.empty()) {
      for (std::uint32_t i = 0; i < s.nodes.size(); ++i)
        index.emplace(GraphAnalysis::Key(s.nodes[i]), i);
    }
    RealVector reset(n);
    for (const EntityRef& e : options.seeds) {
      if (auto it = index.find(GraphAnalysis::Key(e)); it != index.end()) {
        VECTOR(reset.v)[it->second] = 1;
        seed_nodes.push_back(it->second);
      }
    }
    a.seeds = seed_nodes.size();
    if (!seed_nodes.empty()) {
      igraph_real_t value = 0;
      FB_RETURN_IF_ERROR(
          Check(igraph_personalized_pagerank(&g.g, IGRAPH_PAGERANK_ALGO_PRPACK, &rank.v, &value,
                                             igraph_vss_all(), false, options.damping, &reset.v,
                                             nullptr, nullptr),
                "pagerank"));
      double seed_mean = 0;
      for (std::uint32_t i : seed_nodes) seed_mean += VECTOR(rank.v)[i] / double(seed_nodes.size());
      for (igraph_integer_t i = 0; i < n; ++i) {
        const double r = seed_mean > 0 ? std::min(1.0, VECTOR(rank.v)[i] / seed_mean) : 0;
        if (r > 1e-4) a.risk.emplace(GraphAnalysis::Key(s.nodes[size_t(i)]), r);
      }
    }
  }
  a.pagerank_seconds = Seconds(t);

  // Communities of 3+ users, with their shared identifiers and risk.
  std::unordered_map<igraph_integer_t, Community> by_id;
  for (std::uint32_t i = 0; i < s.nodes.size(); ++i) {
    if (s.nodes[i].type != "user") continue;
    const igraph_integer_t c = VECTOR(membership.v)[i];
    Community& com = by_id[c];
    com.id = std::uint32_t(c);
    com.users.push_back(s.nodes[i].id);
    com.mean_risk += a.RiskOf(s.nodes[i]);
    a.community_of_user.emplace(s.nodes[i].id, std::uint32_t(c));
  }
  for (std::uint32_t i : seed_nodes) {
    if (s.nodes[i].type == "user") ++by_id[VECTOR(membership.v)[i]].seeds;
  }
  std::vector<Community> ranked;
  for (auto& [id, com] : by_id) {
    if (com.users.size() < 3) continue;
    com.mean_risk /= double(com.users.size());
    ranked.push_back(std::move(com));
  }
  std::sort(ranked.begin(), ranked.end(), [](const Community& x, const Community& y) {
    if (x.mean_risk != y.mean_risk) return x.mean_risk > y.mean_risk;
    if (x.users.size() != y.users.size()) return x.users.size() > y.users.size();
    return x.id < y.id;
  });
  if (ranked.size() > options.top_communities) ranked.resize(options.top_communities);
  // Identifiers shared by 2+ users of each listed community.
  std::unordered_map<std::uint32_t, Community*> listed;
  for (Community& c : ranked) listed.emplace(c.id, &c);
  std::unordered_map<std::uint32_t, std::uint32_t> users_on;  // identifier -> users in community
  for (const auto& e : s.edges) {
    if (s.hub[e.a] || s.hub[e.b]) continue;
    const bool a_user = s.nodes[e.a].type == "user", b_user = s.nodes[e.b].type == "user";
    if (a_user == b_user) continue;
    const std::uint32_t user = a_user ? e.a : e.b, other = a_user ? e.b : e.a;
    if (VECTOR(membership.v)[user] == VECTOR(membership.v)[other] &&
        listed.contains(std::uint32_t(VECTOR(membership.v)[user])) && ++users_on[other] == 2) {
      listed[std::uint32_t(VECTOR(membership.v)[other])]->identifiers.push_back(s.nodes[other]);
    }
  }
  a.top = std::move(ranked);
  return a;
}

}  // namespace finbrain::graph
