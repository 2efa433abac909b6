// Device fingerprinting: one stable id per physical phone, from what the app reports.
//
// The device_id an app reports is an install id: a reinstall or a factory reset replaces it,
// advertising ids get reset, IMEIs are mostly withheld (iOS, Android 10+), and OS updates
// change the font and user-agent hashes. DeviceRegistry matches each report to a known device
// by weighing the evidence (install id, IMEI, advertising id, same account, IP block) against
// the hardware (brand, model, screen, OS must agree and the OS version may not go back), so a
// phone keeps its fingerprint through those changes, while two phones of the same model used
// by different people stay apart. docs/fraud.md has the weights and the measured accuracy.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "ingest/snapshot.h"

namespace finbrain::fraud {

// One device_report event (docs/events.md), the fields matching uses.
struct DeviceReport {
  std::string event_id;
  std::string device_id;  // install id reported by the app
  std::string user_id;
  std::string brand, model, os, os_version, screen, fonts_hash, ua_hash, imei_hash, advertising_id,
      ip;
  TimeMicros at = 0;
  bool emulator = false, rooted = false, hook = false, vpn = false, proxy = false;
};

// Reads a device_report event given as JSON; the error names the missing or mistyped field.
StatusOr<DeviceReport> ParseDeviceReport(std::string_view json);
// The same from the parsed event (what the ingestion fan-out has at hand).
StatusOr<DeviceReport> ParseDeviceReport(const boost::json::object& event);

struct DeviceMatch {
  std::string fingerprint;  // "fp-" + 16 hex digits, stable for the device's life
  bool new_device = false;
  double score = 0;                   // evidence weight of the match (0 for a new device)
  std::vector<std::string> evidence;  // what matched: "install_id", "imei", ...
};

struct DeviceInfo {
  std::string fingerprint;
  std::string brand, model, os, os_version, screen;
  std::vector<std::string> install_ids;  // every device_id it reported, oldest first
  std::vector<std::string> users;        // accounts seen on it, first seen first
  std::vector<std::string> flags;  // emulator, rooted, hook_framework, vpn, proxy, id_conflict
  std::uint64_t reports = 0;
  TimeMicros first_seen = 0, last_seen = 0;
};

struct FingerprintOptions {
  double match_threshold = 0.5;  // least evidence weight that joins a known device
};

class DeviceRegistry {
 public:
  explicit DeviceRegistry(FingerprintOptions options = {});
  ~DeviceRegistry();
  DeviceRegistry(const DeviceRegistry&) = delete;
  DeviceRegistry& operator=(const DeviceRegistry&) = delete;

  // Matches the report to a known device or registers a new one, and records it.
  DeviceMatch Observe(const DeviceReport& report);

  // A device by fingerprint ("fp-...") or by any install id it reported.
  std::optional<DeviceInfo> Find(std::string_view id) const;
  // The devices an account was seen on (one account → many devices), first seen first.
  std::vector<DeviceInfo> OfUser(std::string_view user_id) const;
  std::size_t size() const;

  // The whole registry, for a snapshot (fraud/device_store.h); the same state gives the same
  // bytes.
  void Save(ingest::SnapshotEncoder& out) const;
  // Replaces the state with what Save wrote; kDataLoss (state unchanged) when it does not hold
  // together. REQUIRES: no other thread uses the registry yet.
  Status Load(ingest::SnapshotDecoder& in);

 private:
  struct State;
  const FingerprintOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace finbrain::fraud
