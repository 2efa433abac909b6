#include "runtime/runtime.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace finbrain::runtime {
namespace {

// Loads each consumer's snapshot on a thread of its own: decompressing and rebuilding the
// indexes is CPU work, and the three are independent.
Status RestoreSnapshots(const std::vector<ingest::InMemoryConsumer*>& consumers,
                        const ingest::SnapshotOptions& options, std::uint64_t log_head) {
  std::vector<Status> restored(consumers.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < consumers.size(); ++i) {
    threads.emplace_back(
        [&, i] { restored[i] = consumers[i]->EnableSnapshots(options, log_head); });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : restored) FB_RETURN_IF_ERROR(s);
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<Runtime>> Runtime::Open(const RuntimeOptions& options) {
  auto runtime = std::make_unique<Runtime>();
  FB_ASSIGN_OR_RETURN(runtime->keys, tenancy::LoadOrCreateDeploymentKeys(options.data_dir));
  runtime->durability = options.durability;
  runtime->metrics = std::make_unique<telemetry::Metrics>();
  FB_ASSIGN_OR_RETURN(runtime->store, storage::OpenRocksDb({.path = options.data_dir + "/db"}));
  runtime->tokenizer = std::make_unique<tenancy::PiiTokenizer>(runtime->keys.pii);
  runtime->commits = std::make_unique<storage::CommitQueue>(
      *runtime->store, storage::CommitQueue::Options{.sync_interval = options.sync_interval,
                                                     .metrics = runtime->metrics.get()});
  FB_ASSIGN_OR_RETURN(runtime->audit, tenancy::AuditLog::Open(*runtime->store, *runtime->commits,
                                                              runtime->keys.audit, *options.clock));
  FB_ASSIGN_OR_RETURN(runtime->directory,
                      tenancy::TenantDirectory::Load(*runtime->store, *runtime->audit,
                                                     runtime->keys, *options.clock));
  runtime->lists =
      std::make_unique<fraud::ListStore>(*runtime->store, *runtime->tokenizer, *options.clock);
  FB_ASSIGN_OR_RETURN(runtime->events,
                      ingest::EventStore::Open(*runtime->store, *runtime->commits, *runtime->audit,
                                               options.durability, runtime->metrics.get()));
  FB_ASSIGN_OR_RETURN(runtime->type_counts, ingest::TypeCounts::Load(*runtime->store));
  FB_RETURN_IF_ERROR(runtime->events->AddConsumer(*runtime->type_counts));
  FB_ASSIGN_OR_RETURN(runtime->service_stats, service::ServiceStats::Load(*runtime->store));
  FB_RETURN_IF_ERROR(runtime->events->AddConsumer(*runtime->service_stats));
  FB_ASSIGN_OR_RETURN(runtime->features,
                      features::FeatureStore::Load(*runtime->store, *runtime->audit));
  FB_RETURN_IF_ERROR(runtime->events->AddConsumer(*runtime->features));
  // In memory, restored from their snapshots side by side; then the log after each snapshot is
  // replayed into them side by side (ingest/in_memory_consumer.h).
  runtime->graph = std::make_unique<graph::GraphStore>();
  runtime->devices = std::make_unique<fraud::DeviceStore>();
  runtime->behaviour = std::make_unique<fraud::BehaviourStore>();
  const std::vector<ingest::InMemoryConsumer*> in_memory = runtime->InMemoryConsumers();
  FB_RETURN_IF_ERROR(RestoreSnapshots(in_memory,
                                      {.dir = options.data_dir + "/snapshots",
                                       .log = runtime->store.get(),
                                       .every = options.snapshot_every},
                                      runtime->events->last_seq()));
  FB_RETURN_IF_ERROR(runtime->events->AddIndependentConsumers(
      std::vector<ingest::EventConsumer*>(in_memory.begin(), in_memory.end())));
  runtime->models =
      std::make_unique<models::ModelRegistry>(*runtime->store, *runtime->audit, *options.clock);
  runtime->kbs = std::make_unique<service::KbStore>(*runtime->store, *runtime->audit,
                                                    *options.clock, &service::SharedBotModels);
  runtime->kinds = std::make_unique<decision::StrategyKinds>();
  runtime->strategies = std::make_unique<decision::StrategyStore>(
      *runtime->store, *runtime->audit, *options.clock,
      [kinds = runtime->kinds.get(), features = runtime->features.get(),
       registry = runtime->models.get()](std::string_view tenant) {
        return decision::StrategyEnvironment{
            .kinds = kinds,
            .features = features->For(tenant),
            .model = [registry, tenant = std::string(tenant)](std::string_view name) {
              return registry->Active(tenant, name);
            }};
      });
  runtime->decision_stats = std::make_unique<decision::DecisionStats>();
  FB_RETURN_IF_ERROR(runtime->decision_stats->Load(*runtime->store, options.clock->NowMicros()));
  runtime->decisions = std::make_unique<decision::CreditDecisions>(
      decision::CreditDecisionsDeps{.store = *runtime->store,
                                    .events = *runtime->events,
                                    .features = *runtime->features,
                                    .lists = *runtime->lists,
                                    .strategies = *runtime->strategies,
                                    .tokenizer = *runtime->tokenizer,
                                    .clock = *options.clock,
                                    .graph = runtime->graph.get(),
                                    .devices = runtime->devices.get(),
                                    .behaviour = runtime->behaviour.get(),
                                    .stats = runtime->decision_stats.get(),
                                    .metrics = runtime->metrics.get()});
  runtime->transactions = std::make_unique<decision::TransactionDecisions>(
      decision::TransactionDecisionsDeps{.store = *runtime->store,
                                         .events = *runtime->events,
                                         .lists = *runtime->lists,
                                         .tokenizer = *runtime->tokenizer,
                                         .clock = *options.clock,
                                         .behaviour = *runtime->behaviour,
                                         .devices = *runtime->devices,
                                         .graph = *runtime->graph,
                                         .stats = runtime->decision_stats.get(),
                                         .metrics = runtime->metrics.get(),
                                         .strategies = runtime->strategies.get(),
                                         .features = runtime->features.get()});
  // Each domain registers the kind of strategy it decides with, before any is compiled.
  FB_RETURN_IF_ERROR(
      runtime->kinds->Register(decision::CreditStrategyKind(runtime->decisions.get())));
  FB_RETURN_IF_ERROR(
      runtime->kinds->Register(decision::TransactionStrategyKind(runtime->transactions.get())));
  // After the feature store on the fan-out: a repayment is in the windows its review reads.
  FB_ASSIGN_OR_RETURN(runtime->accounts,
                      lifecycle::AccountLifecycle::Load({.store = *runtime->store,
                                                         .audit = *runtime->audit,
                                                         .features = *runtime->features,
                                                         .lists = *runtime->lists,
                                                         .strategies = *runtime->strategies,
                                                         .decisions = *runtime->decisions,
                                                         .clock = *options.clock}));
  FB_RETURN_IF_ERROR(runtime->kinds->Register(
      lifecycle::AccountStrategyKind(runtime->accounts.get(), options.clock)));
  FB_RETURN_IF_ERROR(runtime->events->AddConsumer(*runtime->accounts));
  CollectRuntimeMetrics(*runtime);
  return runtime;
}

void Runtime::FlushLiveCounts(TimeMicros now) {
  if (Status flushed = models->FlushMonitoring(); !flushed.ok()) {
    spdlog::warn("model monitoring counts not stored yet: {}", flushed.ToString());
  }
  if (Status saved = decision_stats->Save(*store, now); !saved.ok()) {
    spdlog::warn("decision stats not stored yet: {}", saved.ToString());
  }
}

StatusOr<std::vector<SnapshotCheck>> VerifySnapshots(Runtime& runtime) {
  const std::vector<ingest::InMemoryConsumer*> started = runtime.InMemoryConsumers();
  graph::GraphStore graph;
  fraud::DeviceStore devices;
  fraud::BehaviourStore behaviour;
  FB_RETURN_IF_ERROR(runtime.events->ReplayInto({&graph, &devices, &behaviour}));
  const std::vector<const ingest::InMemoryConsumer*> replayed = {&graph, &devices, &behaviour};
  std::vector<SnapshotCheck> checks;
  for (size_t i = 0; i < started.size(); ++i) {
    checks.push_back({.consumer = std::string(started[i]->name()),
                      .snapshot_seq = started[i]->snapshot_seq(),
                      .log_head = runtime.events->last_seq(),
                      .same = started[i]->StateBytes() == replayed[i]->StateBytes()});
  }
  return checks;
}

}  // namespace finbrain::runtime
