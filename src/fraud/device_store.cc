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
    boost::json::value storage;
    const boost::json::object* parsed = ingest::Parsed(event, storage);
    if (parsed == nullptr) return;
    if (StatusOr<DeviceReport> report = ParseDeviceReport(*parsed); report.ok()) {
      Registry(tenant)->Observe(*report);
    }
  }
}

std::string DeviceStore::SnapshotFormat() const {
  return "devices/1 match_threshold=" + std::to_string(options_.match_threshold);
}

void DeviceStore::Save(ingest::SnapshotEncoder& out) const {
  ingest::SaveByTenant(out, mu_, registries_);
}

Status DeviceStore::Load(ingest::SnapshotDecoder& in) {
  FB_ASSIGN_OR_RETURN(
      auto registries,
      ingest::LoadByTenant<DeviceRegistry>(
          in, [this] { return std::make_shared<DeviceRegistry>(options_); }, "device"));
  std::lock_guard lock(mu_);
  registries_ = std::move(registries);
  return OkStatus();
}

std::shared_ptr<const DeviceRegistry> DeviceStore::For(std::string_view tenant) {
  return Registry(tenant);
}

}  // namespace finbrain::fraud
