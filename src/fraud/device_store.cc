#include "fraud/device_store.h"

namespace finbrain::fraud {

std::shared_ptr<DeviceRegistry> DeviceStore::Registry(std::string_view tenant) {
  std::lock_guard lock(mu_);
  auto it = registries_.find(tenant);
  if (it == registries_.end()) {
    it = registries_.emplace(std::string(tenant), std::make_shared<DeviceRegistry>(options_)).first;
  }
  return it->second;
}

void DeviceStore::Apply(std::string_view tenant, const ingest::ValidatedEvent& event) {
  if (event.event_type == "device_report") {
    // Validated by the schema already; a report that still does not parse is skipped.
    if (StatusOr<DeviceReport> report = ParseDeviceReport(event.canonical_json); report.ok()) {
      Registry(tenant)->Observe(*report);
    }
  }
}

std::shared_ptr<const DeviceRegistry> DeviceStore::For(std::string_view tenant) {
  return Registry(tenant);
}

}  // namespace finbrain::fraud
