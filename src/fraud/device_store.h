// DeviceStore: the device registries (fingerprints) of every tenant, fed by the ingestion
// fan-out with device_report events.
//
// Like the entity graph it lives in memory, kept across restarts by snapshots and the event log
// after them (ingest::InMemoryConsumer): replaying the log in order gives the same fingerprints,
// since matching is deterministic.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "fraud/device_fingerprint.h"
#include "ingest/in_memory_consumer.h"

namespace finbrain::fraud {

class DeviceStore : public ingest::InMemoryConsumer {
 public:
  explicit DeviceStore(FingerprintOptions options = {}) : options_(options) {}
  ~DeviceStore() override { StopSnapshots(); }

  std::string_view name() const override { return "devices"; }

  // The tenant's registry (an empty one when it has no reports yet); never null.
  std::shared_ptr<const DeviceRegistry> For(std::string_view tenant);

 private:
  void Apply(std::string_view tenant, const ingest::ValidatedEvent& event) override;
  std::string SnapshotFormat() const override;
  void Save(ingest::SnapshotEncoder& out) const override;
  Status Load(ingest::SnapshotDecoder& in) override;
  std::shared_ptr<DeviceRegistry> Registry(std::string_view tenant);

  const FingerprintOptions options_;
  mutable std::mutex mu_;
  ingest::StatesByTenant<DeviceRegistry> registries_;
};

}  // namespace finbrain::fraud
