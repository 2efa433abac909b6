// GraphStore: the entity graphs of every tenant, fed by the ingestion fan-out.
//
// The graph lives in memory, kept across restarts by snapshots and the event log after them
// (ingest::InMemoryConsumer); nothing acknowledged is lost across a restart.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graph/entity_graph.h"
#include "graph/graph_analytics.h"
#include "ingest/in_memory_consumer.h"

namespace finbrain::graph {

class GraphStore : public ingest::InMemoryConsumer {
 public:
  explicit GraphStore(GraphOptions options = {}) : options_(options) {}
  ~GraphStore() override { StopSnapshots(); }

  std::string_view name() const override { return "graph"; }

  // The tenant's graph (an empty one when it has no events yet); never null.
  std::shared_ptr<const EntityGraph> For(std::string_view tenant);
  // Adds an event before the fan-out delivers it (EntityGraph::AddEventAhead).
  void AddAhead(std::string_view tenant, const ingest::ValidatedEvent& event);

  // The tenant's latest batch analysis (graph_analytics.h); null before the first.
  std::shared_ptr<const GraphAnalysis> Analysis(std::string_view tenant);
  void SetAnalysis(std::string_view tenant, std::shared_ptr<const GraphAnalysis> analysis);

  struct Size {
    std::string tenant;
    size_t nodes = 0;
    size_t edges = 0;
  };
  // Every tenant's graph size, for the metrics.
  std::vector<Size> Sizes();

 private:
  void Apply(std::string_view tenant, const ingest::ValidatedEvent& event) override;
  std::string SnapshotFormat() const override;
  void Save(ingest::SnapshotEncoder& out) const override;
  Status Load(ingest::SnapshotDecoder& in) override;
  std::shared_ptr<EntityGraph> Graph(std::string_view tenant);

  const GraphOptions options_;
  mutable std::mutex mu_;
  ingest::StatesByTenant<EntityGraph> graphs_;
  std::map<std::string, std::shared_ptr<const GraphAnalysis>, std::less<>> analyses_;
};

}  // namespace finbrain::graph
