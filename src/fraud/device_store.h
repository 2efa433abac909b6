// DeviceStore: the device registries (fingerprints) of every tenant, fed by the ingestion
// fan-out with device_report events.
//
// Like the entity graph it lives in memory and is rebuilt from the event log at start (its
// checkpoint is 0 then): the log is the durable copy, and replaying it in order gives the same
// fingerprints, since matching is deterministic.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "fraud/device_fingerprint.h"
#include "ingest/event_store.h"

namespace finbrain::fraud {

class DeviceStore : public ingest::EventConsumer {
 public:
  explicit DeviceStore(FingerprintOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "devices"; }
  std::uint64_t checkpoint() const override { return last_seq_.load(); }
  void Consume(std::uint64_t seq, std::string_view tenant,
               const ingest::ValidatedEvent& event) override;
  Status Persist() override { return OkStatus(); }  // the event log is the persistent copy
  void PersistSoon() override {}

  // The tenant's registry (an empty one when it has no reports yet); never null.
  std::shared_ptr<const DeviceRegistry> For(std::string_view tenant);

 private:
  std::shared_ptr<DeviceRegistry> Registry(std::string_view tenant);

  const FingerprintOptions options_;
  std::atomic<std::uint64_t> last_seq_{0};
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<DeviceRegistry>, std::less<>> registries_;
};

}  // namespace finbrain::fraud
