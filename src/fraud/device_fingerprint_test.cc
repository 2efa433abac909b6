#include "fraud/device_fingerprint.h"

#include <gtest/gtest.h>

namespace finbrain::fraud {
namespace {

DeviceReport Phone(std::string install_id, std::string user) {
  DeviceReport r;
  r.event_id = "e-" + install_id + "-" + user;
  r.device_id = std::move(install_id);
  r.user_id = std::move(user);
  r.brand = "Xiaomi";
  r.model = "Mi 13";
  r.os = "Android";
  r.os_version = "13";
  r.screen = "1080x2400";
  r.fonts_hash = "f1";
  r.ua_hash = "u1";
  r.advertising_id = "oaid-1";
  r.ip = "36.112.4.20";
  r.at = 1'000'000;
  return r;
}

TEST(DeviceFingerprint, OnePhoneKeepsItsIdThroughUpgradesResetsAndReinstalls) {
  DeviceRegistry registry;
  DeviceReport r = Phone("d-1", "u1");
  const DeviceMatch first = registry.Observe(r);
  EXPECT_TRUE(first.new_device);
  EXPECT_TRUE(first.fingerprint.starts_with("fp-"));

  r.os_version = "14";  // OS update: new font and user-agent hashes
  r.fonts_hash = "f2";
  r.ua_hash = "u2";
  r.ip = "10.1.2.3";  // another network
  DeviceMatch m = registry.Observe(r);
  EXPECT_FALSE(m.new_device);
  EXPECT_EQ(m.fingerprint, first.fingerprint);

  r.advertising_id = "oaid-2";  // advertising id reset
  EXPECT_EQ(registry.Observe(r).fingerprint, first.fingerprint);

  r.device_id = "d-2";  // reinstall: new install id and advertising id, same account
  r.advertising_id = "oaid-3";
  m = registry.Observe(r);
  EXPECT_EQ(m.fingerprint, first.fingerprint);
  EXPECT_EQ(m.evidence, (std::vector<std::string>{"same_account", "ip_block", "os_version"}));

  const DeviceInfo info = registry.Find("d-1").value();
  EXPECT_EQ(info.fingerprint, first.fingerprint);
  EXPECT_EQ(info.install_ids, (std::vector<std::string>{"d-1", "d-2"}));
  EXPECT_EQ(info.os_version, "14");
  EXPECT_EQ(info.reports, 4u);
  EXPECT_EQ(registry.Find(first.fingerprint)->install_ids.size(), 2u);
  EXPECT_EQ(registry.size(), 1u);
}

TEST(DeviceFingerprint, TwoPhonesOfTheSameModelStayApart) {
  DeviceRegistry registry;
  DeviceReport a = Phone("d-a", "u1");
  DeviceReport b = Phone("d-b", "u2");  // same model, OS, fonts; same office network
  b.advertising_id = "oaid-b";
  const std::string fa = registry.Observe(a).fingerprint;
  const DeviceMatch mb = registry.Observe(b);
  EXPECT_TRUE(mb.new_device);
  EXPECT_NE(mb.fingerprint, fa);
  EXPECT_EQ(registry.size(), 2u);
  EXPECT_EQ(registry.OfUser("u1").size(), 1u);
}

TEST(DeviceFingerprint, AFactoryResetPhoneIsKnownByItsImei) {
  DeviceRegistry registry;
  DeviceReport r = Phone("d-1", "seller");
  r.imei_hash = "imei-9";
  const std::string fp = registry.Observe(r).fingerprint;
  r.device_id = "d-2";
  r.advertising_id = "oaid-new";
  r.user_id = "buyer";
  r.ip = "58.1.1.1";
  const DeviceMatch m = registry.Observe(r);
  EXPECT_EQ(m.fingerprint, fp);
  EXPECT_EQ(m.evidence.front(), "imei");
  EXPECT_EQ(registry.Find(fp)->users, (std::vector<std::string>{"seller", "buyer"}));
}

TEST(DeviceFingerprint, ADeviceFarmIsOnePhoneWithManyAccountsAndItsFlags) {
  DeviceRegistry registry;
  for (int i = 0; i < 8; ++i) {
    DeviceReport r = Phone("d-farm", "u" + std::to_string(i));
    r.advertising_id = "oaid-" + std::to_string(i);  // reset for every account
    r.emulator = i == 0;
    r.rooted = true;
    registry.Observe(r);
  }
  ASSERT_EQ(registry.size(), 1u);
  const DeviceInfo farm = registry.Find("d-farm").value();
  EXPECT_EQ(farm.users.size(), 8u);
  EXPECT_EQ(farm.flags, (std::vector<std::string>{"emulator", "rooted"}));
}

TEST(DeviceFingerprint, AnInstallIdOnOtherHardwareOrAnOlderOsIsAnotherDevice) {
  DeviceRegistry registry;
  const std::string fp = registry.Observe(Phone("d-1", "u1")).fingerprint;
  DeviceReport clone = Phone("d-1", "u9");  // the same install id on an iPhone
  clone.brand = "Apple";
  clone.model = "iPhone 15";
  clone.os = "iOS";
  clone.os_version = "17.2";
  const DeviceMatch m = registry.Observe(clone);
  EXPECT_TRUE(m.new_device);
  EXPECT_NE(m.fingerprint, fp);
  EXPECT_EQ(registry.Find(m.fingerprint)->flags, (std::vector<std::string>{"id_conflict"}));

  // Same account and model but a fresh install on an older Android: a second phone.
  DeviceReport older = Phone("d-3", "u1");
  older.os_version = "12";
  older.advertising_id = "oaid-x";
  EXPECT_TRUE(registry.Observe(older).new_device);
  EXPECT_EQ(registry.OfUser("u1").size(), 2u);
}

TEST(DeviceFingerprint, ParsesReportsAndNamesBadFields) {
  const DeviceReport r =
      ParseDeviceReport(
          R"({"event_id":"e1","event_type":"device_report","occurred_at":"2026-03-01T09:14:58Z",
              "device_id":"d-7f3a","user_id":"u1","model":"Mi 13","os":"Android",
              "os_version":"14","imei_hash":"9b2e","is_rooted":true,"vpn":false})")
          .value();
  EXPECT_EQ(r.device_id, "d-7f3a");
  EXPECT_EQ(r.imei_hash, "9b2e");
  EXPECT_TRUE(r.rooted);
  EXPECT_GT(r.at, 0);
  EXPECT_EQ(ParseDeviceReport("[1]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDeviceReport(R"({"event_id":"e","occurred_at":"2026-03-01T00:00:00Z",
                                  "model":"m","os":"Android"})")
                .status()
                .field(),
            "device_id");
  EXPECT_EQ(ParseDeviceReport(R"({"event_id":"e","occurred_at":"yesterday","device_id":"d",
                                  "model":"m","os":"Android"})")
                .status()
                .field(),
            "occurred_at");
  EXPECT_EQ(ParseDeviceReport(R"({"event_id":"e","occurred_at":"2026-03-01T00:00:00Z",
                                  "device_id":"d","model":"m","os":"Android","vpn":"yes"})")
                .status()
                .field(),
            "vpn");
}

}  // namespace
}  // namespace finbrain::fraud
