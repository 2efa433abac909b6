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
  std::vector<std::pair<std::string, std::shared_ptr<DeviceRegistry>>> registries;
  {
    std::lock_guard lock(mu_);
    registries.assign(registries_.begin(), registries_.end());
  }
  out.U64(registries.size());
  for (const auto& [tenant, registry] : registries) {
    out.Str(tenant);
    registry->Save(out);
  }
}

Status DeviceStore::Load(ingest::SnapshotDecoder& in) {
  std::map<std::string, std::shared_ptr<DeviceRegistry>, std::less<>> registries;
  for (std::uint64_t i = 0, n = in.Count(4); i < n; ++i) {
    std::string tenant = in.Str();
    auto registry = std::make_shared<DeviceRegistry>(options_);
    FB_RETURN_IF_ERROR(registry->Load(in));
    registries.emplace(std::move(tenant), std::move(registry));
  }
  if (!in.done()) return DataLossError("device snapshot: truncated or with bytes left over");
  std::lock_guard lock(mu_);
  registries_ = std::move(registries);
  return OkStatus();
}

std::shared_ptr<const DeviceRegistry> DeviceStore::For(std::string_view tenant) {
  return Registry(tenant);
}

}  // namespace finbrain::fraud
