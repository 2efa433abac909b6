// TypeCounts: the first event consumer. Counts events per tenant and event type, exactly once
// across crashes (its counts and checkpoint are persisted together, and the event log is
// replayed after the checkpoint on start-up).
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto counts, TypeCounts::Load(store));
//   FB_RETURN_IF_ERROR(events.AddConsumer(*counts));
//   counts->For("acme");  // {"login": 120, "order": 40}
//
// Thread-safety: Consume/Persist come from the commit thread; For may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ingest/event_store.h"
#include "storage/kv_store.h"

namespace finbrain::ingest {

class TypeCounts final : public EventConsumer {
 public:
  static StatusOr<std::unique_ptr<TypeCounts>> Load(storage::KvStore& store);

  std::string_view name() const override { return "type_counts"; }
  std::uint64_t checkpoint() const override;
  void Consume(std::uint64_t seq, std::string_view tenant, const ValidatedEvent& event) override;
  Status Persist() override;

  // Event counts by type for one tenant.
  std::map<std::string, std::uint64_t> For(std::string_view tenant) const;

 private:
  explicit TypeCounts(storage::KvStore& store) : store_(store) {}

  storage::KvStore& store_;
  mutable std::mutex mu_;
  std::uint64_t last_seq_ = 0;
  std::uint64_t persisted_seq_ = 0;
  std::map<std::string, std::map<std::string, std::uint64_t>, std::less<>> counts_;
};

}  // namespace finbrain::ingest
