// Runtime: the composition root. It opens the state behind one data directory and wires the
// domains together (event consumers, the stores strategies compile against, the decision paths),
// once, for `finbrain serve`, for CLI commands that work on a data directory directly, and for
// tests. Nothing here knows about HTTP.
//
//   <data_dir>/secret.key   per-deployment secret (mode 0600)
//   <data_dir>/db/          RocksDB
//   <data_dir>/snapshots/   the in-memory state (graph, devices, behaviour) at a log position
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto runtime, Runtime::Open({.data_dir = dir}));
//   runtime->directory->ListTenants();
//
// Thread-safety: the members are thread-safe; Open/destruction are not.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "decision/credit_decisions.h"
#include "decision/strategy_kind.h"
#include "decision/strategy_store.h"
#include "decision/transaction_decisions.h"
#include "features/feature_store.h"
#include "fraud/behaviour_store.h"
#include "fraud/device_store.h"
#include "fraud/list_store.h"
#include "graph/graph_store.h"
#include "ingest/event_store.h"
#include "ingest/type_counts.h"
#include "lifecycle/account_lifecycle.h"
#include "models/registry.h"
#include "service/kb_store.h"
#include "service/service_stats.h"
#include "storage/commit_queue.h"
#include "storage/kv_store.h"
#include "telemetry/metrics.h"
#include "tenancy/audit_log.h"
#include "tenancy/pii.h"
#include "tenancy/secrets.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::runtime {

struct RuntimeOptions {
  std::string data_dir;
  // When an event or decision counts as stored (storage/durability.h); tenant, key, list,
  // strategy and model changes are always synced.
  storage::Durability durability = storage::Durability::kSync;
  std::chrono::microseconds sync_interval = std::chrono::milliseconds(5);  // for kProcess
  // Events between the snapshots of the in-memory state (graph, devices, behaviour) written to
  // <data_dir>/snapshots while running; a start replays only the log after the last one.
  std::uint64_t snapshot_every = 1'000'000;
  const Clock* clock = &SystemClock();
};

struct Runtime {
  // kUnavailable when another process holds the data directory.
  static StatusOr<std::unique_ptr<Runtime>> Open(const RuntimeOptions& options);

  // Declaration order is destruction order reversed: the commit queue goes first, so that it
  // drains while the audit log it calls back into still exists.
  storage::Durability durability = storage::Durability::kSync;
  // First, so that it outlives everything that records into it. Holds what every module counts
  // and, read at each scrape, the state of the store, the log, the graph and the models
  // (runtime_metrics.cc); the server renders it at GET /metrics.
  std::unique_ptr<telemetry::Metrics> metrics;
  std::unique_ptr<storage::KvStore> store;
  tenancy::DeploymentKeys keys;
  std::unique_ptr<tenancy::PiiTokenizer> tokenizer;
  std::unique_ptr<tenancy::AuditLog> audit;
  std::unique_ptr<tenancy::TenantDirectory> directory;
  std::unique_ptr<fraud::ListStore> lists;
  std::unique_ptr<ingest::TypeCounts> type_counts;
  std::unique_ptr<service::ServiceStats> service_stats;  // the service figures, from the log
  std::unique_ptr<features::FeatureStore> features;
  std::unique_ptr<lifecycle::AccountLifecycle> accounts;  // outlives `events` and `commits`
  std::unique_ptr<graph::GraphStore> graph;               // outlives `events`
  std::unique_ptr<fraud::DeviceStore> devices;            // outlives `events`
  std::unique_ptr<fraud::BehaviourStore> behaviour;       // outlives `events`
  std::unique_ptr<ingest::EventStore> events;  // persists consumer checkpoints on destruction
  std::unique_ptr<models::ModelRegistry> models;
  // The kinds of strategy each domain registers (credit, transaction, account).
  std::unique_ptr<decision::StrategyKinds> kinds;
  std::unique_ptr<decision::StrategyStore> strategies;
  std::unique_ptr<decision::DecisionStats> decision_stats;  // outlives the decisions
  std::unique_ptr<decision::CreditDecisions> decisions;
  std::unique_ptr<decision::TransactionDecisions> transactions;
  std::unique_ptr<service::KbStore> kbs;  // the FAQ bot's knowledge bases
  std::unique_ptr<storage::CommitQueue> commits;

  // The consumers whose state lives in memory and in snapshots: graph, devices, behaviour.
  std::vector<ingest::InMemoryConsumer*> InMemoryConsumers() const {
    return {graph.get(), devices.get(), behaviour.get()};
  }

  // Stores the live counts kept in memory (model monitoring, the overview's decision stats);
  // the server calls it every few seconds and at shutdown. Buffered: never an fsync that
  // commits would queue behind; a power loss can lose the last seconds of counts, a crash of
  // the process nothing. Errors are logged, and the counts kept for the next call.
  void FlushLiveCounts(TimeMicros now);
};

// `finbrain snapshots verify`: each in-memory consumer's state as the runtime started it (its
// snapshot plus the log after it) against a full replay of the log into an empty one.
struct SnapshotCheck {
  std::string consumer;
  std::uint64_t snapshot_seq = 0;  // the snapshot loaded at start (0: none, all was replayed)
  std::uint64_t log_head = 0;
  bool same = false;  // the states are byte for byte equal
};
StatusOr<std::vector<SnapshotCheck>> VerifySnapshots(Runtime& runtime);

// Adds the scrape-time metrics of `runtime`'s state to runtime.metrics (Runtime::Open does).
void CollectRuntimeMetrics(Runtime& runtime);

}  // namespace finbrain::runtime
