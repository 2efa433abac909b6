#include "features/feature_store.h"

#include <functional>

#include "common/strings.h"

namespace finbrain::features {
namespace {

constexpr std::string_view kSets = "feature_sets";     // tenant -> YAML
constexpr std::string_view kStates = "feature_state";  // tenant \x1f feature id \x1f entity
constexpr std::string_view kConsumers = "consumers";
constexpr std::string_view kCheckpointKey = "features";
constexpr char kSep = '\x1f';

std::string StateKey(std::string_view tenant, std::string_view feature_id,
                     std::string_view entity) {
  std::string key;
  key.reserve(tenant.size() + feature_id.size() + entity.size() + 2);
  key += tenant;
  key += kSep;
  key += feature_id;
  key += kSep;
  key += entity;
  return key;
}

// (tenant, feature id) of a state key.
std::pair<std::string_view, std::string_view> SplitKey(std::string_view key) {
  const size_t a = key.find(kSep);
  const size_t b = a == std::string_view::npos ? a : key.find(kSep, a + 1);
  if (b == std::string_view::npos) return {};
  return {key.substr(0, a), key.substr(a + 1, b - a - 1)};
}

const FeatureDef* FindById(const FeatureSet* set, std::string_view id) {
  if (set == nullptr) return nullptr;
  for (const FeatureDef& f : set->features()) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

}  // namespace

StatusOr<std::unique_ptr<FeatureStore>> FeatureStore::Load(storage::KvStore& store,
                                                           tenancy::AuditLog& audit) {
  std::unique_ptr<FeatureStore> fs(new FeatureStore(store, audit));
  Status error;
  FB_RETURN_IF_ERROR(store.Scan(kSets, "", "", [&](std::string_view tenant, std::string_view yaml) {
    StatusOr<std::shared_ptr<const FeatureSet>> set = FeatureSet::Parse(yaml);
    if (!set.ok()) {
      error = DataLossError("stored feature set of tenant " + Quote(tenant) +
                            " does not parse: " + set.status().message());
      return false;
    }
    fs->sets_[std::string(tenant)] = std::move(*set);
    return true;
  }));
  FB_RETURN_IF_ERROR(error);
  FB_RETURN_IF_ERROR(store.Scan(kStates, "", "", [&](std::string_view key, std::string_view value) {
    StatusOr<WindowState> state = WindowState::Deserialize(value);
    if (!state.ok()) {
      error = state.status();
      return false;
    }
    Shard& shard = fs->ShardOf(key);
    shard.states.emplace(std::string(key), std::move(*state));
    return true;
  }));
  FB_RETURN_IF_ERROR(error);
  FB_ASSIGN_OR_RETURN(std::optional<std::string> checkpoint, store.Get(kConsumers, kCheckpointKey));
  if (checkpoint) {
    try {
      fs->last_seq_ = std::stoull(*checkpoint);
    } catch (const std::exception&) {
      return DataLossError("feature checkpoint is corrupt");
    }
  }
  return fs;
}

FeatureStore::Shard& FeatureStore::ShardOf(std::string_view key) const {
  return shards_[std::hash<std::string_view>()(key) % shards_.size()];
}

Status FeatureStore::SetFeatureSet(std::string_view tenant, std::shared_ptr<const FeatureSet> set,
                                   const tenancy::Actor& actor) {
  storage::WriteBatch batch;
  batch.Put(kSets, tenant, set->yaml());
  FB_RETURN_IF_ERROR(audit_.CommitAndWait(
      std::move(batch), {.tenant = std::string(tenant),
                         .actor = actor.id,
                         .action = actor.action,
                         .entity = "features/" + std::to_string(set->features().size())}));
  std::lock_guard lock(sets_mu_);
  sets_[std::string(tenant)] = std::move(set);
  return OkStatus();
}

std::shared_ptr<const FeatureSet> FeatureStore::For(std::string_view tenant) const {
  std::lock_guard lock(sets_mu_);
  auto it = sets_.find(tenant);
  return it == sets_.end() ? nullptr : it->second;
}

std::vector<std::optional<double>> FeatureStore::Compute(std::string_view tenant,
                                                         const EntityIds& ids,
                                                         TimeMicros at) const {
  std::vector<std::optional<double>> values;
  const std::shared_ptr<const FeatureSet> set = For(tenant);
  if (!set) return values;
  values.reserve(set->features().size());
  static const WindowState kEmpty;
  std::string key;  // one buffer for every lookup
  key.reserve(256);
  for (const FeatureDef& def : set->features()) {
    auto id = ids.find(def.entity);
    if (id == ids.end() || id->second.empty()) {
      values.emplace_back();
      continue;
    }
    key.assign(tenant);
    key += kSep;
    key += def.id;
    key += kSep;
    key += id->second;
    const Shard& shard = ShardOf(key);
    std::lock_guard lock(shard.mu);
    auto it = shard.states.find(key);
    values.push_back((it == shard.states.end() ? kEmpty : it->second).Value(def, at));
  }
  return values;
}

FeatureStore::Stats FeatureStore::stats() const {
  Stats s{.updates = updates_.load(), .dropped = dropped_.load()};
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    s.states += shard.states.size();
  }
  return s;
}

void FeatureStore::Consume(std::uint64_t seq, std::string_view tenant,
                           const ingest::ValidatedEvent& event) {
  if (seq <= last_seq_.load()) return;
  const std::shared_ptr<const FeatureSet> set = For(tenant);
  if (set && set->Consumes(event.event_type)) {
    scratch_.clear();
    // The event was validated before it was stored; a failure here means a corrupt log entry,
    // which the event store reports on its own read path.
    set->Extract(event.event_type, event.canonical_json, event.occurred_at, scratch_).IgnoreError();
    for (const Update& u : scratch_) {
      const FeatureDef& def = set->features()[u.feature];
      std::string key = StateKey(tenant, def.id, u.entity);
      Shard& shard = ShardOf(key);
      std::lock_guard lock(shard.mu);
      auto it = shard.states.find(key);
      if (it == shard.states.end()) it = shard.states.emplace(key, WindowState()).first;
      if (it->second.Add(def, set->lateness(), u)) {
        ++updates_;
        shard.dirty.insert(std::move(key));
      } else {
        ++dropped_;
      }
    }
    TimeMicros& newest = newest_[std::string(tenant)];
    newest = std::max(newest, event.occurred_at);
  }
  last_seq_ = seq;
}

Status FeatureStore::Persist() {
  storage::WriteBatch batch;
  std::vector<std::pair<Shard*, std::string>> written;
  std::map<std::string, std::shared_ptr<const FeatureSet>, std::less<>> sets;
  {
    std::lock_guard lock(sets_mu_);
    sets = sets_;
  }
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    // Histories that can no longer count, and those of replaced definitions, are dropped.
    for (auto it = shard.states.begin(); it != shard.states.end();) {
      const auto [tenant, id] = SplitKey(it->first);
      auto set = sets.find(tenant);
      const FeatureDef* def = FindById(set == sets.end() ? nullptr : set->second.get(), id);
      auto newest = newest_.find(tenant);
      const bool expired =
          def == nullptr || (newest != newest_.end() &&
                             it->second.Expired(*def, set->second->lateness(), newest->second));
      if (expired) {
        batch.Delete(kStates, it->first);
        shard.dirty.erase(it->first);
        it = shard.states.erase(it);
      } else {
        ++it;
      }
    }
    for (const std::string& key : shard.dirty) {
      batch.Put(kStates, key, shard.states.at(key).Serialize());
      written.emplace_back(&shard, key);
    }
    shard.dirty.clear();
  }
  batch.Put(kConsumers, kCheckpointKey, std::to_string(last_seq_.load()));
  Status status = store_.Write(batch);
  if (!status.ok()) {
    // Keep them for the next attempt: the stored states must match the stored checkpoint.
    for (auto& [shard, key] : written) {
      std::lock_guard lock(shard->mu);
      if (shard->states.contains(key)) shard->dirty.insert(std::move(key));
    }
  }
  return status;
}

}  // namespace finbrain::features
