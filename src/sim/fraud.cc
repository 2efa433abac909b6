// Planted fraud: rings of synthetic identities sharing devices, phones, consignee addresses and
// an IP block, applying in bursts (camouflaged rings: aged accounts with ordinary bureau records,
// sharing only contact phones and the IP block); device farms (one device, many accounts);
// account takeovers.
#include "sim/internal/world.h"

namespace finbrain::sim {
namespace {

std::string JsonArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, values[i]);
  }
  return out + "]";
}

}  // namespace

int World::FraudRings(int first_index) {
  const int rings =
      config_.fraud_rings > 0 ? config_.fraud_rings : std::max(2, config_.users / 2000);
  int index = first_index;
  for (int r = 0; r < rings; ++r) {
    Rng rng(config_.seed, kRingStream, static_cast<std::uint64_t>(r));
    const int size = rng.Int(config_.ring_size_min, config_.ring_size_max);
    const TimeMicros burst =
        config_.start + static_cast<TimeMicros>(rng.Uniform() * 0.8 * config_.days) * kDay;
    // Drawn from its own stream so that the share does not move the rings themselves.
    const bool camouflaged =
        Rng(config_.seed, kRingStream, 1'000'000 + static_cast<std::uint64_t>(r))
            .Chance(config_.camouflaged_ring_share);
    // What the members share.
    std::vector<Device> devices;
    const int shared_devices = camouflaged ? 0 : rng.Int(1, 3);
    for (int d = 0; d < shared_devices; ++d) devices.push_back(MakeDevice(rng, "d" + rng.Hex(12)));
    std::vector<std::string> phones;
    for (int ph = 0; ph < rng.Int(1, 2); ++ph)
      phones.push_back("1" + std::to_string(rng.Int(3, 9)) + rng.Digits(9));
    std::vector<std::string> addresses;  // consignee addresses the members share
    if (!camouflaged) {
      addresses.push_back(MakePerson(index).address);
      if (rng.Chance(0.5)) addresses.push_back(MakePerson(index + 1).address);
    }
    const std::string block = std::to_string(rng.Int(100, 220)) + "." +
                              std::to_string(rng.Int(0, 255)) + "." +
                              std::to_string(rng.Int(0, 255)) + ".";
    std::vector<std::string> members;
    for (int m = 0; m < size; ++m, ++index) {
      Person p = MakePerson(index);
      p.fraud = true;
      p.fraud_kind = "ring";
      p.group = r;
      p.z = rng.Normal(-0.5, 0.5);  // synthetic identities look thin, not obviously bad
      if (camouflaged) {
        // A phone and a home of their own: only the contacts they list and their IP block are
        // shared, which velocity windows over one identifier do not see.
        p.device = MakeDevice(rng, "d" + rng.Hex(12));
        devices.push_back(p.device);
      } else {
        p.device = devices[static_cast<size_t>(m) % devices.size()];
        p.address = addresses[static_cast<size_t>(m) % addresses.size()];
      }
      p.home_ip = block + std::to_string(rng.Int(2, 254));
      const TimeMicros in_burst =
          std::min(end() - 2 * kDay,
                   burst + static_cast<TimeMicros>(rng.Uniform() * config_.ring_burst_days *
                                                   static_cast<double>(kDay)));
      // Camouflaged rings nurture their accounts for weeks before the burst (a few orders), so
      // account age gives them away no more than their bureau record does.
      p.registered_at =
          camouflaged ? std::max(config_.start, in_burst - rng.Int(20, 90) * kDay) : in_burst;
      members.push_back(p.user_id);
      EmitRegistration(p, "app");
      EmitDeviceReport(p.device, p.user_id, p.registered_at + kMinute, p.home_ip);
      EmitLogin(rng, p, p.device, p.home_ip, p.registered_at + 5 * kMinute, "sms_code", false,
                p.user_id + "-1");
      const int orders = camouflaged ? rng.Int(1, 4) : (rng.Chance(0.6) ? 1 : 0);
      for (int o = 1; o <= orders; ++o) {
        const TimeMicros at =
            camouflaged ? p.registered_at +
                              static_cast<TimeMicros>(
                                  rng.Uniform() * static_cast<double>(in_burst - p.registered_at))
                        : p.registered_at + rng.Int(1, 20) * kHour;
        if (camouflaged) {
          EmitLogin(rng, p, p.device, p.home_ip, at - 10 * kMinute, "password", false,
                    p.user_id + "-" + std::to_string(o + 1));
        }
        EmitOrder(rng, p, p.user_id + "-" + std::to_string(o), at, p.address, p.home_ip);
      }
      // They apply within hours of each other, listing each other's phones as contacts.
      CreditJourney(rng, p, in_burst + rng.Int(1, 36) * kHour, p.home_ip, phones,
                    camouflaged ? Applicant::kCamouflagedFraud : Applicant::kFraud);
      EmitUserTruth(p);
    }
    std::vector<std::string> device_ids;
    for (const Device& d : devices) device_ids.push_back(d.id);
    out_.Truth("fraud_rings", JsonLine()
                                  .Str("ring_id", "ring-" + std::to_string(r))
                                  .Str("kind", "ring")
                                  .Bool("camouflaged", camouflaged)
                                  .Time("burst_start", burst)
                                  .Raw("members", JsonArray(members))
                                  .Raw("devices", JsonArray(device_ids))
                                  .Raw("contact_phones", JsonArray(phones))
                                  .Raw("addresses", JsonArray(addresses))
                                  .Str("ip_block", block + "0/24")
                                  .Done());
  }
  rings_count_ = rings;
  return index;
}

int World::DeviceFarms(int first_index) {
  const int farms =
      config_.device_farms > 0 ? config_.device_farms : std::max(1, config_.users / 5000);
  int index = first_index;
  for (int f = 0; f < farms; ++f) {
    Rng rng(config_.seed, kFarmStream, static_cast<std::uint64_t>(f));
    Device device = MakeDevice(rng, "d" + rng.Hex(12));
    device.emulator = rng.Chance(0.6);
    device.rooted = rng.Chance(0.7);
    device.hook = rng.Chance(0.4);
    const int accounts = rng.Int(config_.farm_accounts_min, config_.farm_accounts_max);
    const TimeMicros start =
        config_.start + static_cast<TimeMicros>(rng.Uniform() * 0.85 * config_.days) * kDay;
    std::vector<std::string> members;
    for (int a = 0; a < accounts; ++a, ++index) {
      Person p = MakePerson(index);
      p.fraud = true;
      p.fraud_kind = "device_farm";
      p.group = f;
      // Farm tools reset the advertising id for every account; the install id stays.
      device.advertising_id = rng.Hex(8) + "-" + rng.Hex(4);
      p.device = device;
      p.registered_at = std::min(end() - 2 * kDay, start + rng.Int(0, 5 * 24 * 60) * kMinute);
      members.push_back(p.user_id);
      EmitRegistration(p, "app");
      EmitDeviceReport(device, p.user_id, p.registered_at + kMinute, p.home_ip);
      for (int s = 1; s <= rng.Int(1, 4); ++s) {
        EmitLogin(rng, p, device, p.home_ip, p.registered_at + s * rng.Int(5, 120) * kMinute,
                  "sms_code", false, p.user_id + "-" + std::to_string(s),
                  /*median_gap_seconds=*/1.5);  // scripted: farms click faster than people
      }
      if (rng.Chance(0.5))
        CreditJourney(rng, p, p.registered_at + rng.Int(1, 48) * kHour, p.home_ip, {p.phone},
                      Applicant::kFraud);
      EmitUserTruth(p);
    }
    out_.Truth("fraud_rings", JsonLine()
                                  .Str("ring_id", "farm-" + std::to_string(f))
                                  .Str("kind", "device_farm")
                                  .Time("burst_start", start)
                                  .Raw("members", JsonArray(members))
                                  .Raw("devices", JsonArray({device.id}))
                                  .Done());
  }
  farms_count_ = farms;
  return index;
}

void World::AccountTakeovers() {
  const int count =
      config_.account_takeovers > 0 ? config_.account_takeovers : std::max(1, config_.users / 1000);
  for (int t = 0; t < count; ++t) {
    Rng rng(config_.seed, kTakeoverStream, static_cast<std::uint64_t>(t));
    Person victim = MakePerson(rng.Int(0, config_.users - 1));
    const TimeMicros earliest = victim.registered_at + 7 * kDay;
    if (earliest >= end() - kDay) continue;
    const TimeMicros at =
        earliest +
        static_cast<TimeMicros>(rng.Uniform() * static_cast<double>(end() - kDay - earliest));
    Device attacker = MakeDevice(rng, "d" + rng.Hex(12));
    attacker.vpn = Rng(config_.seed, kTakeoverStream, 1'000'000 + t).Chance(0.5);
    const std::string ip = std::to_string(rng.Int(100, 220)) + "." +
                           std::to_string(rng.Int(0, 255)) + "." + std::to_string(rng.Int(0, 255)) +
                           "." + std::to_string(rng.Int(2, 254));
    const std::string session = victim.user_id + "-ato" + std::to_string(t);
    EmitDeviceReport(attacker, victim.user_id, at - kMinute, ip);
    // New device, password reset, payee change, then fast high-value transfers.
    std::string actions =
        "[" +
        JsonLine().Str("action", "password_reset").Time("at", at + 20 * kMicrosPerSecond).Done() +
        "," +
        JsonLine().Str("action", "change_payee").Time("at", at + 75 * kMicrosPerSecond).Done() +
        "," + JsonLine().Str("action", "transfer").Time("at", at + 110 * kMicrosPerSecond).Done() +
        "]";
    JsonLine login;
    login.Str("event_id", "login-" + session)
        .Str("event_type", "login")
        .Time("occurred_at", at)
        .Str("user_id", victim.user_id)
        .Str("session_id", session)
        .Str("device_id", attacker.id)
        .Str("ip", ip)
        .Str("method", "password_reset")
        .Bool("success", true)
        .Bool("new_device", true)
        .Raw("actions", actions);
    out_.Event("login", login.Done());
    const std::string payee = "p-" + rng.Digits(8);
    std::vector<std::string> payments;
    for (int k = 1; k <= rng.Int(2, 4); ++k) {
      const std::string id = session + "-" + std::to_string(k);
      JsonLine j;
      j.Str("event_id", "pay-" + id)
          .Str("event_type", "payment")
          .Time("occurred_at", at + (90 + 40 * k) * kMicrosPerSecond)
          .Str("payment_id", id)
          .Str("user_id", victim.user_id)
          .Str("payee_id", payee)
          .Str("payee_type", "person")
          .Num("amount", 1000.0 * rng.Int(5, 30))
          .Str("currency", "CNY")
          .Str("channel", "transfer")
          .Str("device_id", attacker.id)
          .Str("ip", ip)
          .Str("session_id", session);
      out_.Event("payment", j.Done());
      payments.push_back(id);
    }
    out_.Truth("account_takeovers", JsonLine()
                                        .Str("user_id", victim.user_id)
                                        .Str("session_id", session)
                                        .Str("device_id", attacker.id)
                                        .Time("at", at)
                                        .Raw("payments", JsonArray(payments))
                                        .Done());
  }
  takeovers_count_ = count;
}

}  // namespace finbrain::sim
