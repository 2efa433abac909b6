// FeatureStore: the online side of feature windows. An EventConsumer on the ingestion fan-out
// that keeps every tenant's declared features per entity, persists them with its checkpoint
// (so they survive restarts and are exactly-once across crashes), and answers point lookups on
// the decision hot path.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto features, FeatureStore::Load(store));
//   FB_RETURN_IF_ERROR(events.AddConsumer(*features));
//   FB_RETURN_IF_ERROR(features->SetFeatureSet("acme", set));
//   auto values = features->Compute("acme", {{"user", "u1"}, {"phone", token}}, now);
//
// A new or changed feature starts from an empty history when it is declared (its old state is
// dropped); `finbrain features backfill` computes history for training files.
//
// Persistence: a writer thread of its own writes the records changed since it last ran (when the
// event store asks, every 50k events, and every 10 s), in small batches, so the commit thread
// never waits for it. Each record carries the sequence number of the last event applied to it,
// and the stored checkpoint is a lower bound of what the stored records hold: a replay after a
// crash skips, per record, the events it already holds (exactly-once without a global snapshot).
//
// Thread-safety: Consume comes from the commit thread; everything else from any thread.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "features/feature_set.h"
#include "features/window_state.h"
#include "ingest/event_store.h"
#include "storage/kv_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::features {

class FeatureStore final : public ingest::EventConsumer {
 public:
  // REQUIRES: store and audit outlive the FeatureStore.
  static StatusOr<std::unique_ptr<FeatureStore>> Load(storage::KvStore& store,
                                                      tenancy::AuditLog& audit);
  ~FeatureStore() override;

  // Declares (or replaces) a tenant's features, durably and audited.
  Status SetFeatureSet(std::string_view tenant, std::shared_ptr<const FeatureSet> set,
                       const tenancy::Actor& actor);
  // The tenant's features, or null when it declared none.
  std::shared_ptr<const FeatureSet> For(std::string_view tenant) const;

  // The value of each of the tenant's features (in declaration order) at `at` for the given
  // entities (and, for `read_for` features, the ids the request lists); a feature whose entity
  // has no id is missing (nullopt).
  std::vector<std::optional<double>> Compute(std::string_view tenant, const EntityIds& ids,
                                             TimeMicros at, const ListedIds& listed = {}) const;

  struct Stats {
    std::uint64_t entities = 0;  // (tenant, entity) records held in memory
    std::uint64_t states = 0;    // (tenant, feature, entity) histories among them
    std::uint64_t updates = 0;   // applied since start
    std::uint64_t dropped = 0;   // too old for any window
  };
  Stats stats() const;

  std::string_view name() const override { return "features"; }
  std::uint64_t checkpoint() const override { return last_seq_.load(); }
  void Consume(std::uint64_t seq, std::string_view tenant,
               const ingest::ValidatedEvent& event) override;
  // Writes every changed record and drops windows that can no longer count, on this thread.
  Status Persist() override;
  // Wakes the writer thread.
  void PersistSoon() override;

 private:
  FeatureStore(storage::KvStore& store, tenancy::AuditLog& audit) : store_(store), audit_(audit) {}
  // Writes the changed records in batches; `expire` also drops windows too old to count.
  Status Flush(bool expire);
  // No stored record lacks an event up to this sequence number.
  std::uint64_t CheckpointBound() const;
  void WriterLoop();
  // Every window of one entity (all its features), stored and looked up as one record: a
  // decision reads ~100 features of ~6 entities with ~6 lookups.
  struct EntityWindows {
    struct Window {
      std::string id;  // FeatureDef::id
      std::uint64_t id_hash = 0;
      WindowState state;
    };
    std::vector<Window> windows;
    std::uint64_t seq = 0;  // the last event applied
    bool stored = false;    // a record exists in the store

    const WindowState* Find(const FeatureDef& def) const;
    WindowState& Get(const FeatureDef& def);
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, EntityWindows> entities;  // tenant \x1f type \x1f id
    // Records changed since they were last written -> the first event not written yet.
    std::unordered_map<std::string, std::uint64_t> dirty;
  };
  Shard& ShardOf(std::string_view key) const;
  storage::KvStore& store_;
  tenancy::AuditLog& audit_;
  mutable std::array<Shard, 16> shards_;
  mutable std::mutex sets_mu_;
  std::map<std::string, std::shared_ptr<const FeatureSet>, std::less<>> sets_;
  mutable std::mutex newest_mu_;
  std::map<std::string, TimeMicros, std::less<>> newest_;  // newest event time per tenant
  std::atomic<std::uint64_t> last_seq_{0};
  std::atomic<std::uint64_t> updates_{0}, dropped_{0};
  std::vector<Update> scratch_;           // commit thread only
  std::vector<std::string> touched_;      // commit thread only: records one event updated
  std::mutex flush_mu_;                   // one Flush at a time
  std::uint64_t written_checkpoint_ = 0;  // under flush_mu_
  std::mutex writer_mu_;
  std::condition_variable writer_cv_;
  bool writer_requested_ = false, writer_stop_ = false;
  std::thread writer_;
};

}  // namespace finbrain::features
