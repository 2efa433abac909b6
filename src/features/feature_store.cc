#include "features/feature_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>

#include "common/strings.h"
#include "common/thread_name.h"
#include "common/thread_priority.h"
#include "features/internal/bytes.h"

namespace finbrain::features {
namespace {

using internal::Append;
using internal::Take;

constexpr std::string_view kCheckpointKey = "features";
constexpr char kSep = '\x1f';
// A record written since the sequence number was added starts with this marker and the number.
constexpr std::uint32_t kSeqMarker = 0xFFFFFFFF;
// Records serialized per shard-lock hold (a decision's lookups and the commit thread wait at most
// that long), and bytes per write (the commit queue's writes queue behind it in RocksDB: a
// 128 KB buffered write holds it ~0.1 ms, a 512 KB synced one held it for milliseconds).
constexpr size_t kRecordsPerLock = 8;
constexpr size_t kBytesPerWrite = 128 << 10;

void EntityKey(std::string& key, std::string_view tenant, std::string_view type,
               std::string_view id) {
  key.assign(tenant);
  key += kSep;
  key += type;
  key += kSep;
  key += id;
}

std::string_view TenantOf(std::string_view key) { return key.substr(0, key.find(kSep)); }

}  // namespace

const WindowState* FeatureStore::EntityWindows::Find(const FeatureDef& def) const {
  for (const Window& w : windows) {
    if (w.id_hash == def.id_hash && w.id == def.id) return &w.state;
  }
  return nullptr;
}

WindowState& FeatureStore::EntityWindows::Get(const FeatureDef& def) {
  for (Window& w : windows) {
    if (w.id_hash == def.id_hash && w.id == def.id) return w.state;
  }
  windows.push_back({def.id, def.id_hash, WindowState()});
  return windows.back().state;
}

StatusOr<std::unique_ptr<FeatureStore>> FeatureStore::Load(storage::KvStore& store,
                                                           tenancy::AuditLog& audit) {
  std::unique_ptr<FeatureStore> fs(new FeatureStore(store, audit));
  Status error;
  FB_RETURN_IF_ERROR(store.Scan(
      storage::Column::kFeatureSets, "", "", [&](std::string_view tenant, std::string_view yaml) {
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
  FB_RETURN_IF_ERROR(store.Scan(
      storage::Column::kFeatureEntities, "", "", [&](std::string_view key, std::string_view value) {
        EntityWindows record;
        record.stored = true;
        std::uint32_t n = 0;
        bool ok = Take(value, n);
        if (ok && n == kSeqMarker) ok = Take(value, record.seq) && Take(value, n);
        ok = ok && n <= value.size();
        for (std::uint32_t i = 0; ok && i < n; ++i) {
          std::uint16_t id_size = 0;
          std::uint32_t state_size = 0;
          ok = Take(value, id_size) && id_size <= value.size();
          if (!ok) break;
          EntityWindows::Window w;
          w.id = std::string(value.substr(0, id_size));
          w.id_hash = StableHash(w.id);
          value.remove_prefix(id_size);
          ok = Take(value, state_size) && state_size <= value.size();
          if (!ok) break;
          StatusOr<WindowState> state = WindowState::Deserialize(value.substr(0, state_size));
          ok = state.ok();
          if (!ok) break;
          value.remove_prefix(state_size);
          w.state = std::move(*state);
          record.windows.push_back(std::move(w));
        }
        if (!ok || !value.empty()) {
          error = DataLossError("feature windows of " + Quote(key) + " are corrupt");
          return false;
        }
        fs->ShardOf(key).entities.emplace(std::string(key), std::move(record));
        return true;
      }));
  FB_RETURN_IF_ERROR(error);
  FB_ASSIGN_OR_RETURN(std::optional<std::string> checkpoint,
                      store.Get(storage::Column::kConsumers, kCheckpointKey));
  if (checkpoint) {
    try {
      fs->last_seq_ = std::stoull(*checkpoint);
    } catch (const std::exception&) {
      return DataLossError("feature checkpoint is corrupt");
    }
  }
  fs->written_checkpoint_ = fs->last_seq_;
  fs->writer_ = std::thread([raw = fs.get()] {
    SetThreadName("fb-windows");
    SetBackgroundPriority();
    raw->WriterLoop();
  });
  return fs;
}

FeatureStore::~FeatureStore() {
  {
    std::lock_guard lock(writer_mu_);
    writer_stop_ = true;
  }
  writer_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void FeatureStore::PersistSoon() {
  {
    std::lock_guard lock(writer_mu_);
    writer_requested_ = true;
  }
  writer_cv_.notify_all();
}

void FeatureStore::WriterLoop() {
  std::unique_lock lock(writer_mu_);
  while (!writer_stop_) {
    writer_cv_.wait_for(lock, std::chrono::seconds(10),
                        [this] { return writer_stop_ || writer_requested_; });
    if (writer_stop_) break;
    // Asked for (every 50k events): also drop windows too old to count, bounding memory.
    const bool expire = writer_requested_;
    writer_requested_ = false;
    lock.unlock();
    if (Status s = Flush(expire); !s.ok()) {
      spdlog::warn("feature windows not persisted (retried later): {}", s.ToString());
    }
    lock.lock();
  }
}

FeatureStore::Shard& FeatureStore::ShardOf(std::string_view key) const {
  return shards_[std::hash<std::string_view>()(key) % shards_.size()];
}

Status FeatureStore::SetFeatureSet(std::string_view tenant, std::shared_ptr<const FeatureSet> set,
                                   const tenancy::Actor& actor) {
  storage::WriteBatch batch;
  batch.Put(storage::Column::kFeatureSets, tenant, set->yaml());
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
                                                         const EntityIds& ids, TimeMicros at,
                                                         const ListedIds& listed) const {
  const std::shared_ptr<const FeatureSet> set = For(tenant);
  if (!set) return {};
  std::vector<std::optional<double>> values(set->features().size());
  static const WindowState kEmpty;
  std::string key;
  key.reserve(256);
  for (const FeatureSet::ReadGroup& group : set->read_groups()) {
    for (std::string_view id : group.Ids(ids, listed)) {
      EntityKey(key, tenant, group.entity, id);
      const Shard& shard = ShardOf(key);
      std::lock_guard lock(shard.mu);
      auto it = shard.entities.find(key);
      for (size_t i : group.indices) {
        const FeatureDef& def = set->features()[i];
        const WindowState* state = it == shard.entities.end() ? nullptr : it->second.Find(def);
        const std::optional<double> value = (state ? *state : kEmpty).Value(def, at);
        values[i] = group.read_for.empty() ? value : CombineValue(def.combine, values[i], value);
      }
    }
  }
  return values;
}

FeatureStore::Stats FeatureStore::stats() const {
  Stats s{.updates = updates_.load(), .dropped = dropped_.load()};
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    s.entities += shard.entities.size();
    for (const auto& [key, record] : shard.entities) s.states += record.windows.size();
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
    set->Extract(event, scratch_).IgnoreError();
    std::string key;
    for (const Update& u : scratch_) {
      const FeatureDef& def = set->features()[u.feature];
      EntityKey(key, tenant, def.entity, u.entity);
      Shard& shard = ShardOf(key);
      std::lock_guard lock(shard.mu);
      auto it = shard.entities.find(key);
      if (it == shard.entities.end()) it = shard.entities.emplace(key, EntityWindows()).first;
      // Replayed after a crash into a record written later than the checkpoint: held already.
      if (it->second.seq >= seq) continue;
      if (it->second.Get(def).Add(def, set->lateness(), u)) {
        ++updates_;
        shard.dirty.try_emplace(key, seq);
      } else {
        ++dropped_;
      }
    }
    // Marked only after every update of the event: a record may take several.
    touched_.clear();
    for (const Update& u : scratch_) {
      EntityKey(key, tenant, set->features()[u.feature].entity, u.entity);
      if (std::find(touched_.begin(), touched_.end(), key) == touched_.end()) {
        touched_.push_back(key);
      }
    }
    for (const std::string& touched : touched_) {
      Shard& shard = ShardOf(touched);
      std::lock_guard lock(shard.mu);
      auto it = shard.entities.find(touched);
      if (it != shard.entities.end()) it->second.seq = std::max(it->second.seq, seq);
    }
    std::lock_guard lock(newest_mu_);
    TimeMicros& newest = newest_[std::string(tenant)];
    newest = std::max(newest, event.occurred_at);
  }
  last_seq_ = seq;
}

Status FeatureStore::Persist() { return Flush(true); }

std::uint64_t FeatureStore::CheckpointBound() const {
  std::uint64_t bound = last_seq_.load();  // every event up to here is in memory
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (const auto& [key, first] : shard.dirty) bound = std::min(bound, first - 1);
  }
  return bound;
}

Status FeatureStore::Flush(bool expire) {
  std::lock_guard flush_lock(flush_mu_);
  const std::uint64_t checkpoint = CheckpointBound();
  std::map<std::string, std::shared_ptr<const FeatureSet>, std::less<>> sets;
  {
    std::lock_guard lock(sets_mu_);
    sets = sets_;
  }
  std::map<std::string, TimeMicros, std::less<>> newest;
  {
    std::lock_guard lock(newest_mu_);
    newest = newest_;
  }
  std::map<std::string_view, std::map<std::string_view, const FeatureDef*>> defs;  // tenant->id
  for (const auto& [tenant, set] : sets) {
    for (const FeatureDef& def : set->features()) defs[tenant][def.id] = &def;
  }
  for (Shard& shard : shards_) {
    storage::WriteBatch batch;
    if (expire) {
      std::lock_guard lock(shard.mu);
      // Windows that can no longer count, and those of replaced definitions, are dropped.
      for (auto it = shard.entities.begin(); it != shard.entities.end();) {
        const std::string_view tenant = TenantOf(it->first);
        auto tenant_defs = defs.find(tenant);
        auto set = sets.find(tenant);
        auto tenant_newest = newest.find(tenant);
        const size_t before = it->second.windows.size();
        std::erase_if(it->second.windows, [&](const EntityWindows::Window& w) {
          if (tenant_defs == defs.end()) return true;
          auto def = tenant_defs->second.find(w.id);
          return def == tenant_defs->second.end() ||
                 (tenant_newest != newest.end() &&
                  w.state.Expired(*def->second, set->second->lateness(), tenant_newest->second));
        });
        if (it->second.windows.size() != before) {
          shard.dirty.try_emplace(it->first, it->second.seq + 1);
        }
        if (it->second.windows.empty()) {
          if (it->second.stored) batch.Delete(storage::Column::kFeatureEntities, it->first);
          shard.dirty.erase(it->first);
          it = shard.entities.erase(it);
        } else {
          ++it;
        }
      }
    }
    // Record format: [marker u32, seq u64], u32 windows, then per window u16 id length, id, u32
    // state length, state.
    for (bool more = true; more;) {
      std::vector<std::pair<std::string, std::uint64_t>> taken;
      while (more && batch.ByteSize() < kBytesPerWrite) {
        std::lock_guard lock(shard.mu);
        size_t serialized = 0;
        for (auto it = shard.dirty.begin(); it != shard.dirty.end() && serialized < kRecordsPerLock;
             ++serialized) {
          EntityWindows& record = shard.entities.at(it->first);
          std::string value;
          Append(value, kSeqMarker);
          Append(value, record.seq);
          Append(value, std::uint32_t(record.windows.size()));
          for (const EntityWindows::Window& w : record.windows) {
            const std::string state = w.state.Serialize();
            Append(value, std::uint16_t(w.id.size()));
            value += w.id;
            Append(value, std::uint32_t(state.size()));
            value += state;
          }
          batch.PutOwned(storage::Column::kFeatureEntities, std::string(it->first),
                         std::move(value));
          record.stored = true;
          taken.emplace_back(it->first, it->second);
          it = shard.dirty.erase(it);
        }
        more = !shard.dirty.empty();
      }
      if (batch.empty()) break;
      batch.Put(storage::Column::kConsumers, kCheckpointKey, std::to_string(checkpoint));
      // Buffered: the records and their checkpoint are rebuilt by replaying the (synced) event
      // log, and a crash can only lose a suffix of the log, so a stored checkpoint never runs
      // ahead of the records stored with or before it.
      if (Status status = store_.WriteBuffered(batch); !status.ok()) {
        // Marked again for the next attempt: the stored checkpoint must stay a lower bound.
        std::lock_guard lock(shard.mu);
        for (auto& [key, first] : taken) {
          if (shard.entities.contains(key)) {
            auto [it, fresh] = shard.dirty.try_emplace(key, first);
            if (!fresh) it->second = std::min(it->second, first);
          }
        }
        return status;
      }
      batch = storage::WriteBatch();
    }
  }
  // Everything written: the checkpoint moves up to what is now stored.
  const std::uint64_t reached = CheckpointBound();
  if (reached > written_checkpoint_) {
    storage::WriteBatch batch;
    batch.Put(storage::Column::kConsumers, kCheckpointKey, std::to_string(reached));
    FB_RETURN_IF_ERROR(store_.WriteBuffered(batch));
    written_checkpoint_ = reached;
  }
  return OkStatus();
}

}  // namespace finbrain::features
