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
// Thread-safety: Consume/Persist come from the commit thread; everything else from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
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

// Entity type -> id, e.g. {"user": "u1", "device": "d-7f3a"}.
using EntityIds = std::map<std::string, std::string, std::less<>>;

class FeatureStore final : public ingest::EventConsumer {
 public:
  // REQUIRES: store and audit outlive the FeatureStore.
  static StatusOr<std::unique_ptr<FeatureStore>> Load(storage::KvStore& store,
                                                      tenancy::AuditLog& audit);

  // Declares (or replaces) a tenant's features, durably and audited.
  Status SetFeatureSet(std::string_view tenant, std::shared_ptr<const FeatureSet> set,
                       const tenancy::Actor& actor);
  // The tenant's features, or null when it declared none.
  std::shared_ptr<const FeatureSet> For(std::string_view tenant) const;

  // The value of each of the tenant's features (in declaration order) at `at` for the given
  // entities; a feature whose entity has no id is missing (nullopt).
  std::vector<std::optional<double>> Compute(std::string_view tenant, const EntityIds& ids,
                                             TimeMicros at) const;

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
  Status Persist() override;

 private:
  FeatureStore(storage::KvStore& store, tenancy::AuditLog& audit) : store_(store), audit_(audit) {}
  // Every window of one entity (all its features), stored and looked up as one record: a
  // decision reads ~100 features of ~6 entities with ~6 lookups.
  struct EntityWindows {
    struct Window {
      std::string id;  // FeatureDef::id
      std::uint64_t id_hash = 0;
      WindowState state;
    };
    std::vector<Window> windows;
    bool stored = false;  // a record exists in the store

    const WindowState* Find(const FeatureDef& def) const;
    WindowState& Get(const FeatureDef& def);
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, EntityWindows> entities;  // tenant \x1f type \x1f id
    std::unordered_set<std::string> dirty;
  };
  Shard& ShardOf(std::string_view key) const;
  storage::KvStore& store_;
  tenancy::AuditLog& audit_;
  mutable std::array<Shard, 16> shards_;
  mutable std::mutex sets_mu_;
  std::map<std::string, std::shared_ptr<const FeatureSet>, std::less<>> sets_;
  std::map<std::string, TimeMicros, std::less<>> newest_;  // per tenant; commit thread only
  std::atomic<std::uint64_t> last_seq_{0};
  std::atomic<std::uint64_t> updates_{0}, dropped_{0};
  std::vector<Update> scratch_;  // commit thread only
};

}  // namespace finbrain::features
