// Batch analytics over a snapshot of an entity graph, with igraph (kept out of this header):
//
// - connected components over the links that form groups (user to a strong identifier that is
//   not a hub), to check the streaming groups against a batch recount;
// - Leiden communities (modularity, node weights = degrees, resolution 1/2m) over every
//   non-hub link, which split the large loosely linked groups that the streaming union-find
//   caps, and find rings that share only weaker links;
// - risk propagation: personalised PageRank restarting at confirmed fraud (the seeds, e.g.
//   blacklisted users), scaled so that a seed scores 1, giving every entity a propagated risk.
//
//   GraphAnalysis a = Analyze(graph.Snapshot(), {.seeds = {{"user", "u7"}}}).value();
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "graph/entity_graph.h"

namespace finbrain::graph {

struct AnalysisOptions {
  std::vector<EntityRef> seeds;  // confirmed fraud; unknown entities are ignored
  double damping = 0.85;
  int leiden_iterations = 2;
  std::uint64_t random_seed = 42;  // Leiden is randomised: the same seed, the same communities
  size_t top_communities = 100;
};

struct Community {
  std::uint32_t id = 0;
  std::vector<std::string> users;
  std::vector<EntityRef> identifiers;  // non-user members shared by 2+ of its users
  std::uint32_t seeds = 0;             // confirmed-fraud members
  double mean_risk = 0;                // mean propagated risk of its users
};

struct GraphAnalysis {
  TimeMicros analyzed_at = 0;  // set by the caller
  size_t nodes = 0, edges = 0, seeds = 0;
  size_t components = 0, largest_component = 0;
  // Users whose component differs from their streaming group (the group cap, regroupings).
  size_t users_outside_their_group = 0;
  size_t communities = 0;
  double modularity = 0;
  std::vector<Community> top;  // 3+ users, most risky (then largest) first
  // "type\x1fid" -> propagated risk in [0, 1], for entities above 1e-4.
  std::unordered_map<std::string, double> risk;
  std::unordered_map<std::string, std::uint32_t> community_of_user;
  double components_seconds = 0, leiden_seconds = 0, pagerank_seconds = 0;

  static std::string Key(const EntityRef& e) { return e.type + '\x1f' + e.id; }
  double RiskOf(const EntityRef& e) const;
};

StatusOr<GraphAnalysis> Analyze(const GraphSnapshot& snapshot, const AnalysisOptions& options);

}  // namespace finbrain::graph
