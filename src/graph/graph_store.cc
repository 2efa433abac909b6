#include "graph/graph_store.h"

namespace finbrain::graph {

std::shared_ptr<EntityGraph> GraphStore::Graph(std::string_view tenant) {
  std::lock_guard lock(mu_);
  auto it = graphs_.find(tenant);
  if (it == graphs_.end()) {
    it = graphs_.emplace(std::string(tenant), std::make_shared<EntityGraph>(options_)).first;
  }
  return it->second;
}

void GraphStore::Apply(std::string_view tenant, const ingest::ValidatedEvent& event) {
  Graph(tenant)->AddEvent(event);
}

void GraphStore::AddAhead(std::string_view tenant, const ingest::ValidatedEvent& event) {
  Graph(tenant)->AddEventAhead(event);
}

std::shared_ptr<const EntityGraph> GraphStore::For(std::string_view tenant) {
  return Graph(tenant);
}

std::shared_ptr<const GraphAnalysis> GraphStore::Analysis(std::string_view tenant) {
  std::lock_guard lock(mu_);
  auto it = analyses_.find(tenant);
  return it == analyses_.end() ? nullptr : it->second;
}

void GraphStore::SetAnalysis(std::string_view tenant,
                             std::shared_ptr<const GraphAnalysis> analysis) {
  std::lock_guard lock(mu_);
  analyses_[std::string(tenant)] = std::move(analysis);
}

std::string GraphStore::SnapshotFormat() const {
  // The options that shape the groups as events arrive; the rest only shape reads.
  return "graph/1 hub_degree=" + std::to_string(options_.hub_degree) +
         " device_hub_degree=" + std::to_string(options_.device_hub_degree) +
         " max_group_users=" + std::to_string(options_.max_group_users);
}

void GraphStore::Save(ingest::SnapshotEncoder& out) const {
  ingest::SaveByTenant(out, mu_, graphs_);
}

Status GraphStore::Load(ingest::SnapshotDecoder& in) {
  FB_ASSIGN_OR_RETURN(auto graphs,
                      ingest::LoadByTenant<EntityGraph>(
                          in, [this] { return std::make_shared<EntityGraph>(options_); }, "graph"));
  std::lock_guard lock(mu_);
  graphs_ = std::move(graphs);
  return OkStatus();
}

std::vector<GraphStore::Size> GraphStore::Sizes() {
  std::vector<std::pair<std::string, std::shared_ptr<EntityGraph>>> graphs;
  {
    std::lock_guard lock(mu_);
    graphs.assign(graphs_.begin(), graphs_.end());
  }
  std::vector<Size> sizes;
  for (const auto& [tenant, graph] : graphs) {
    sizes.push_back({tenant, graph->node_count(), graph->edge_count()});
  }
  return sizes;
}

}  // namespace finbrain::graph
