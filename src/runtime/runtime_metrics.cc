// The metrics read at each scrape from the state a Runtime holds: the store's durability and
// engine health, the event log and its consumers, the graphs and the served models. What the
// modules count as it happens (decisions, events, syncs) they record themselves.
#include <spdlog/spdlog.h>

#include "runtime/runtime.h"

namespace finbrain::runtime {
namespace {

using Sample = telemetry::Scrape::Sample;

Sample Value(double value) { return {{}, value}; }
Sample Value(std::uint64_t value) { return {{}, static_cast<double>(value)}; }

void CollectStorage(const Runtime& runtime, telemetry::Scrape& scrape) {
  scrape.Gauge("finbrain_storage_durability",
               "When events and decisions count as stored: 1 for the configured level",
               {{{{"level", std::string(storage::DurabilityName(runtime.durability))}}, 1}});
  scrape.Counter("finbrain_storage_wal_syncs_total",
                 "Fsyncs of the write-ahead log, by synced writes and background syncs",
                 {Value(runtime.store->SyncCount())});
  scrape.Counter("finbrain_storage_commit_groups_total", "Commit groups written",
                 {Value(runtime.commits->GroupsCommitted())});
  scrape.Counter("finbrain_storage_commit_bytes_total",
                 "Bytes of committed batches (divided by the syncs: bytes per sync)",
                 {Value(runtime.commits->BytesWritten())});
  scrape.Counter("finbrain_storage_sync_failures_total",
                 "Background log syncs that failed (process durability; each is retried)",
                 {Value(runtime.commits->SyncFailures())});
  const storage::KvStore::Health health = runtime.store->GetHealth();
  scrape.Gauge("finbrain_rocksdb_pending_compaction_bytes",
               "Bytes RocksDB estimates compaction must rewrite (writes stall when it grows)",
               {Value(health.pending_compaction_bytes)});
  scrape.Gauge("finbrain_rocksdb_memtable_bytes", "Bytes in active and immutable memtables",
               {Value(health.memtable_bytes)});
  scrape.Gauge("finbrain_rocksdb_live_data_bytes", "Bytes of live table files",
               {Value(health.live_data_bytes)});
  scrape.Gauge("finbrain_rocksdb_running_compactions", "Compactions running now",
               {Value(health.running_compactions)});
  scrape.Counter("finbrain_rocksdb_write_slowdowns_total",
                 "Times RocksDB slowed writes down for a stall condition since start",
                 {Value(health.write_slowdowns)});
  scrape.Counter("finbrain_rocksdb_write_stops_total",
                 "Times RocksDB stopped writes for a stall condition since start",
                 {Value(health.write_stops)});
  scrape.Gauge("finbrain_rocksdb_writes_stopped", "1 while RocksDB stops writes",
               {Value(health.writes_stopped ? 1.0 : 0.0)});
  scrape.Counter("finbrain_rocksdb_wal_bytes_total",
                 "Bytes written to the write-ahead log since start (after its compression)",
                 {Value(health.wal_bytes)});
  scrape.Counter("finbrain_rocksdb_stall_seconds_total",
                 "Time writes spent stalled by RocksDB since start",
                 {Value(static_cast<double>(health.stall_micros) / 1e6)});
}

void CollectEvents(const Runtime& runtime, telemetry::Scrape& scrape) {
  scrape.Gauge("finbrain_events_log_head", "Sequence number of the last event committed",
               {Value(runtime.events->last_seq())});
  std::vector<Sample> lag;
  for (auto& [consumer, behind] : runtime.events->ConsumerLag()) {
    lag.push_back({{{"consumer", consumer}}, static_cast<double>(behind)});
  }
  scrape.Gauge("finbrain_events_consumer_lag",
               "Committed events a consumer (graph, devices, features, ...) has not applied yet",
               std::move(lag));
  std::vector<Sample> behind;
  const std::uint64_t head = runtime.events->last_seq();
  for (const ingest::InMemoryConsumer* consumer : runtime.InMemoryConsumers()) {
    const std::uint64_t at = consumer->snapshot_seq();
    behind.push_back({{{"consumer", std::string(consumer->name())}},
                      static_cast<double>(head > at ? head - at : 0)});
  }
  scrape.Gauge("finbrain_snapshot_events_behind",
               "Events committed after a consumer's last snapshot: what a restart after a crash "
               "replays into it",
               std::move(behind));
}

void CollectGraphs(Runtime& runtime, telemetry::Scrape& scrape) {
  std::vector<Sample> nodes, edges;
  for (const graph::GraphStore::Size& size : runtime.graph->Sizes()) {
    nodes.push_back({{{"tenant", size.tenant}}, static_cast<double>(size.nodes)});
    edges.push_back({{{"tenant", size.tenant}}, static_cast<double>(size.edges)});
  }
  scrape.Gauge("finbrain_graph_nodes", "Entities in the tenant's graph", std::move(nodes));
  scrape.Gauge("finbrain_graph_edges", "Links in the tenant's graph", std::move(edges));
}

// PSI and scores of every model loaded for serving, over the monitoring window.
void CollectModels(Runtime& runtime, telemetry::Scrape& scrape) {
  std::vector<Sample> psi, scored;
  for (const auto& [key, serving] : runtime.models->Loaded()) {
    const std::string tenant = key.substr(0, key.find('/'));
    StatusOr<models::MonitoringWindow> window = runtime.models->Monitoring(
        tenant, serving->name, models::ModelRegistry::kDefaultMonitoringDays);
    if (!window.ok()) {
      spdlog::warn("monitoring of model {} of tenant {}: {}", serving->name, tenant,
                   window.status().ToString());
      continue;
    }
    std::vector<std::pair<std::string, std::string>> labels = {
        {"tenant", tenant},
        {"model", serving->name},
        {"version", std::to_string(window->serving->version)}};
    psi.push_back({labels, window->total.psi});
    scored.push_back({std::move(labels), static_cast<double>(window->total.scored)});
  }
  scrape.Gauge("finbrain_model_psi",
               "PSI of live scores against the training baseline over the last 7 days",
               std::move(psi));
  scrape.Gauge("finbrain_model_scores_7d",
               "Scores served by the active model version over the last 7 days", std::move(scored));
}

}  // namespace

void CollectRuntimeMetrics(Runtime& runtime) {
  runtime.metrics->AddCollector([&runtime](telemetry::Scrape& scrape) {
    CollectStorage(runtime, scrape);
    CollectEvents(runtime, scrape);
    CollectGraphs(runtime, scrape);
    CollectModels(runtime, scrape);
  });
}

}  // namespace finbrain::runtime
