#include "fraud/device_fingerprint.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "common/strings.h"
#include "fraud/internal/json_fields.h"

namespace finbrain::fraud {
namespace {

namespace json = boost::json;

// Evidence weights. One strong identifier, or the same account on the same hardware, is
// enough (threshold 0.5); the IP block and an OS version that did not go back only tip the
// balance. An IMEI outweighs an install id: install ids are copied by cloning tools.
constexpr double kInstallId = 0.6;
constexpr double kImei = 0.8;
constexpr double kAdvertisingId = 0.5;
constexpr double kSameAccount = 0.45;
constexpr double kSameIpBlock = 0.1;
constexpr double kOsNotOlder = 0.05;
constexpr double kOsDowngrade = -0.4;
constexpr size_t kRecentBlocks = 4;

// FNV-1a: a fingerprint id that stays the same across builds and restarts.
std::string FingerprintId(std::string_view seed) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : seed) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "fp-";
  for (int shift = 60; shift >= 0; shift -= 4) id += kHex[(h >> shift) & 0xF];
  return id;
}

// -1, 0 or 1 comparing dotted numeric versions ("14" < "15", "16.2" < "16.10"); 0 when
// either is empty or not numeric, as nothing can be concluded.
int CompareVersions(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0;
  while (!a.empty() || !b.empty()) {
    int x = 0, y = 0;
    const auto next = [](std::string_view& s, int& out) {
      const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
      if (r.ec != std::errc()) return false;
      s.remove_prefix(static_cast<size_t>(r.ptr - s.data()));
      if (!s.empty() && s.front() == '.') s.remove_prefix(1);
      return true;
    };
    if (!a.empty() && !next(a, x)) return 0;
    if (!b.empty() && !next(b, y)) return 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

bool Agree(const std::string& known, const std::string& reported) {
  return known.empty() || reported.empty() || known == reported;
}

template <typename T>
void AddOnce(std::vector<T>& items, const T& item) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (item.empty()) return;
  }
  if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
}

enum Flag : std::uint8_t {
  kEmulator = 1,
  kRooted = 2,
  kHook = 4,
  kVpn = 8,
  kProxy = 16,
  kIdConflict = 32,
};
constexpr std::pair<Flag, const char*> kFlagNames[] = {
    {kEmulator, "emulator"}, {kRooted, "rooted"}, {kHook, "hook_framework"},
    {kVpn, "vpn"},           {kProxy, "proxy"},   {kIdConflict, "id_conflict"}};

}  // namespace

StatusOr<DeviceReport> ParseDeviceReport(std::string_view text) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return InvalidArgumentError("not a JSON object", "");
  return ParseDeviceReport(parsed.get_object());
}

StatusOr<DeviceReport> ParseDeviceReport(const boost::json::object& o) {
  DeviceReport r;
  const auto str = [&](const char* field, std::string& out, bool required) {
    return ReadString(o, field, out, required);
  };
  const auto flag = [&](const char* field, bool& out) { return ReadBool(o, field, out); };
  for (const Status& s :
       {str("event_id", r.event_id, true), str("device_id", r.device_id, true),
        str("model", r.model, true), str("os", r.os, true), str("user_id", r.user_id, false),
        str("brand", r.brand, false), str("os_version", r.os_version, false),
        str("screen", r.screen, false), str("fonts_hash", r.fonts_hash, false),
        str("ua_hash", r.ua_hash, false), str("imei_hash", r.imei_hash, false),
        str("advertising_id", r.advertising_id, false), str("ip", r.ip, false),
        flag("is_emulator", r.emulator), flag("is_rooted", r.rooted),
        flag("hook_framework", r.hook), flag("vpn", r.vpn), flag("proxy", r.proxy)}) {
    if (!s.ok()) return s;
  }
  if (r.device_id.empty()) return InvalidArgumentError("must not be empty", "device_id");
  FB_ASSIGN_OR_RETURN(r.at, ReadTime(o, "occurred_at"));
  return r;
}

struct DeviceRegistry::State {
  struct Device {
    DeviceInfo info;
    std::vector<std::string> imeis, advertising_ids, ip_blocks;  // ip_blocks: most recent last
    std::uint8_t flags = 0;
  };
  mutable std::shared_mutex mu;
  std::vector<Device> devices;
  std::unordered_map<std::string, std::uint32_t> by_fingerprint, by_install_id, by_imei,
      by_advertising_id;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_user;

  DeviceInfo Info(const Device& d) const {
    DeviceInfo info = d.info;
    for (const auto& [bit, name] : kFlagNames) {
      if (d.flags & bit) info.flags.emplace_back(name);
    }
    return info;
  }
};

DeviceRegistry::DeviceRegistry(FingerprintOptions options)
    : options_(options), state_(std::make_unique<State>()) {}
DeviceRegistry::~DeviceRegistry() = default;

DeviceMatch DeviceRegistry::Observe(const DeviceReport& r) {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  const std::string block = Ipv4Block(r.ip);

  std::vector<std::uint32_t> candidates;
  const auto add = [&](const std::unordered_map<std::string, std::uint32_t>& index,
                       const std::string& key) {
    if (key.empty()) return;
    if (auto it = index.find(key); it != index.end()) AddOnce(candidates, it->second);
  };
  add(s.by_install_id, r.device_id);
  add(s.by_imei, r.imei_hash);
  add(s.by_advertising_id, r.advertising_id);
  if (auto it = s.by_user.find(r.user_id); !r.user_id.empty() && it != s.by_user.end()) {
    for (std::uint32_t d : it->second) AddOnce(candidates, d);
  }

  DeviceMatch best;
  std::optional<std::uint32_t> best_index;
  bool id_conflict = false;
  for (std::uint32_t c : candidates) {
    const State::Device& d = s.devices[c];
    const auto has = [](const std::vector<std::string>& items, const std::string& v) {
      return !v.empty() && std::find(items.begin(), items.end(), v) != items.end();
    };
    const bool same_install = has(d.info.install_ids, r.device_id);
    if (!Agree(d.info.brand, r.brand) || !Agree(d.info.model, r.model) ||
        !Agree(d.info.screen, r.screen) || !Agree(d.info.os, r.os)) {
      // The same install id on other hardware: a cloned or spoofed id.
      id_conflict |= same_install;
      continue;
    }
    DeviceMatch m;
    const auto weigh = [&](bool hit, double weight, const char* why) {
      if (!hit) return;
      m.score += weight;
      m.evidence.emplace_back(why);
    };
    weigh(same_install, kInstallId, "install_id");
    weigh(has(d.imeis, r.imei_hash), kImei, "imei");
    weigh(has(d.advertising_ids, r.advertising_id), kAdvertisingId, "advertising_id");
    weigh(has(d.info.users, r.user_id), kSameAccount, "same_account");
    weigh(has(d.ip_blocks, block), kSameIpBlock, "ip_block");
    const int version = CompareVersions(r.os_version, d.info.os_version);
    weigh(version >= 0, kOsNotOlder, "os_version");
    if (version < 0) m.score += kOsDowngrade;
    if (m.score >= options_.match_threshold && m.score > best.score) {
      best = std::move(m);
      best_index = c;
    }
  }

  if (!best_index) {
    best = DeviceMatch{};
    best.new_device = true;
    best_index = static_cast<std::uint32_t>(s.devices.size());
    State::Device& d = s.devices.emplace_back();
    d.info.fingerprint = FingerprintId(r.device_id + "|" + r.model + "|" + r.imei_hash);
    // Distinct ids for distinct devices, even for a cloned install id on the same model.
    for (int n = 1; s.by_fingerprint.contains(d.info.fingerprint); ++n) {
      d.info.fingerprint = FingerprintId(r.device_id + "|" + r.model + "|" + std::to_string(n));
    }
    d.info.brand = r.brand;
    d.info.model = r.model;
    d.info.os = r.os;
    d.info.screen = r.screen;
    d.info.first_seen = r.at;
    s.by_fingerprint.emplace(d.info.fingerprint, *best_index);
  }
  State::Device& d = s.devices[*best_index];
  best.fingerprint = d.info.fingerprint;
  if (CompareVersions(r.os_version, d.info.os_version) > 0 || d.info.os_version.empty()) {
    d.info.os_version = r.os_version;
  }
  AddOnce(d.info.install_ids, r.device_id);
  AddOnce(d.info.users, r.user_id);
  AddOnce(d.imeis, r.imei_hash);
  AddOnce(d.advertising_ids, r.advertising_id);
  if (!block.empty()) {
    std::erase(d.ip_blocks, block);
    d.ip_blocks.push_back(block);
    if (d.ip_blocks.size() > kRecentBlocks) d.ip_blocks.erase(d.ip_blocks.begin());
  }
  d.flags |= (r.emulator ? kEmulator : 0) | (r.rooted ? kRooted : 0) | (r.hook ? kHook : 0) |
             (r.vpn ? kVpn : 0) | (r.proxy ? kProxy : 0) | (id_conflict ? kIdConflict : 0);
  ++d.info.reports;
  d.info.first_seen = std::min(d.info.first_seen, r.at);
  d.info.last_seen = std::max(d.info.last_seen, r.at);
  // Indexes point at the device that reported an identifier last.
  s.by_install_id[r.device_id] = *best_index;
  if (!r.imei_hash.empty()) s.by_imei[r.imei_hash] = *best_index;
  if (!r.advertising_id.empty()) s.by_advertising_id[r.advertising_id] = *best_index;
  if (!r.user_id.empty()) AddOnce(s.by_user[r.user_id], *best_index);
  return best;
}

std::optional<DeviceInfo> DeviceRegistry::Find(std::string_view id) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  const std::string key(id);
  for (const auto* index : {&s.by_fingerprint, &s.by_install_id}) {
    if (auto it = index->find(key); it != index->end()) return s.Info(s.devices[it->second]);
  }
  return std::nullopt;
}

std::vector<DeviceInfo> DeviceRegistry::OfUser(std::string_view user_id) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  std::vector<DeviceInfo> out;
  if (auto it = s.by_user.find(std::string(user_id)); it != s.by_user.end()) {
    for (std::uint32_t d : it->second) out.push_back(s.Info(s.devices[d]));
  }
  return out;
}

namespace {

void SaveStrings(ingest::SnapshotEncoder& out, const std::vector<std::string>& items) {
  out.U64(items.size());
  for (const std::string& item : items) out.Str(item);
}

std::vector<std::string> LoadStrings(ingest::SnapshotDecoder& in) {
  std::vector<std::string> items(in.Count(4));
  for (std::string& item : items) item = in.Str();
  return items;
}

}  // namespace

void DeviceRegistry::Save(ingest::SnapshotEncoder& out) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  out.U64(s.devices.size());
  for (const State::Device& d : s.devices) {
    for (const std::string* field : {&d.info.fingerprint, &d.info.brand, &d.info.model, &d.info.os,
                                     &d.info.os_version, &d.info.screen}) {
      out.Str(*field);
    }
    SaveStrings(out, d.info.install_ids);
    SaveStrings(out, d.info.users);
    out.U64(d.info.reports);
    out.I64(d.info.first_seen);
    out.I64(d.info.last_seen);
    SaveStrings(out, d.imeis);
    SaveStrings(out, d.advertising_ids);
    SaveStrings(out, d.ip_blocks);
    out.U8(d.flags);
  }
  for (const auto* index : {&s.by_install_id, &s.by_imei, &s.by_advertising_id}) {
    ingest::SaveInKeyOrder(out, *index, [&](const std::string& id, std::uint32_t device) {
      out.Str(id);
      out.U32(device);
    });
  }
  ingest::SaveInKeyOrder(out, s.by_user,
                         [&](const std::string& user, const std::vector<std::uint32_t>& devices) {
                           out.Str(user);
                           out.Pods(devices);
                         });
}

Status DeviceRegistry::Load(ingest::SnapshotDecoder& in) {
  auto loaded = std::make_unique<State>();
  State& s = *loaded;
  s.devices.resize(in.Count(60));
  for (std::uint32_t i = 0; i < s.devices.size(); ++i) {
    State::Device& d = s.devices[i];
    for (std::string* field : {&d.info.fingerprint, &d.info.brand, &d.info.model, &d.info.os,
                               &d.info.os_version, &d.info.screen}) {
      *field = in.Str();
    }
    d.info.install_ids = LoadStrings(in);
    d.info.users = LoadStrings(in);
    d.info.reports = in.U64();
    d.info.first_seen = in.I64();
    d.info.last_seen = in.I64();
    d.imeis = LoadStrings(in);
    d.advertising_ids = LoadStrings(in);
    d.ip_blocks = LoadStrings(in);
    d.flags = in.U8();
    s.by_fingerprint.emplace(d.info.fingerprint, i);
  }
  const auto corrupt = [] { return DataLossError("device snapshot: an index names no device"); };
  for (auto* index : {&s.by_install_id, &s.by_imei, &s.by_advertising_id}) {
    for (std::uint64_t i = 0, n = in.Count(8); i < n; ++i) {
      std::string key = in.Str();
      const std::uint32_t device = in.U32();
      if (device >= s.devices.size()) return corrupt();
      index->emplace(std::move(key), device);
    }
  }
  for (std::uint64_t i = 0, n = in.Count(12); i < n; ++i) {
    std::string user = in.Str();
    std::vector<std::uint32_t>& devices = s.by_user[std::move(user)];
    in.Pods(devices);
    for (std::uint32_t device : devices) {
      if (device >= s.devices.size()) return corrupt();
    }
  }
  if (!in.ok()) return DataLossError("device snapshot: truncated");
  state_ = std::move(loaded);
  return OkStatus();
}

std::size_t DeviceRegistry::size() const {
  std::shared_lock lock(state_->mu);
  return state_->devices.size();
}

}  // namespace finbrain::fraud
