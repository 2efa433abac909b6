// DeviceStore: the device registries (fingerprints) of every tenant, fed by the ingestion
// fan-out with device_report events.
//
// Like the entity graph it lives in memory and is rebuilt from the event log at start
// (ingest::InMemoryConsumer): replaying the log in order gives the same fingerprints, since
// matching is deterministic.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "fraud/device_fingerprint.h"
#include "ingest/event_store.h"

namespace finbrain::fraud {

class DeviceStore : public ingest::InMemoryConsumer {
 public:
  explicit DeviceStore(FingerprintOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "devices"; }

  // The tenant's registry (an empty one when it has no reports yet); never null.
  std::shared_ptr<const DeviceRegistry> For(std::string_view tenant);

 private:
  void Apply(std::string_view tenant, const ingest::ValidatedEvent& event) override;
  std::shared_ptr<DeviceRegistry> Registry(std::string_view tenant);

  const FingerprintOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<DeviceRegistry>, std::less<>> registries_;
};

}  // namespace finbrain::fraud
