#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/temp_dir.h"
#include "ingest/event_schema.h"
#include "ingest/jsonl.h"
#include "sim/truth.h"

namespace finbrain::sim {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::vector<json::object> ReadJsonl(const std::string& path) {
  auto objects = ingest::ReadJsonObjects(path);
  EXPECT_TRUE(objects.ok()) << objects.status().ToString();
  return objects.ok() ? std::move(*objects) : std::vector<json::object>{};
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SimulatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("fb_sim");
    config_ = SimConfig{.users = 3000,
                        .days = 365,
                        .seed = 11,
                        .fraud_rings = 6,
                        .ring_size_min = 4,
                        .ring_size_max = 9,
                        .device_farms = 2,
                        .account_takeovers = 5};
    manifest_ = new SimManifest(Simulate(config_, dir_->path()).value());
  }
  static void TearDownTestSuite() {
    delete manifest_;
    delete dir_;
  }
  static std::string Path(const std::string& rel) { return dir_->path() + "/" + rel; }

  static TempDir* dir_;
  static SimConfig config_;
  static SimManifest* manifest_;
};
TempDir* SimulatorTest::dir_ = nullptr;
SimConfig SimulatorTest::config_;
SimManifest* SimulatorTest::manifest_ = nullptr;

TEST_F(SimulatorTest, WritesEveryEventTypeAndAManifest) {
  for (std::string_view type : ingest::kEventTypes) {
    if (std::ranges::find(ingest::kServerWrittenEventTypes, type) !=
        std::end(ingest::kServerWrittenEventTypes)) {
      continue;
    }
    EXPECT_GT(manifest_->event_counts[std::string(type)], 0u) << type;
    EXPECT_TRUE(fs::exists(Path("events/" + std::string(type) + ".jsonl"))) << type;
  }
  const json::value manifest = json::parse(ReadAll(Path("manifest.json")));
  EXPECT_EQ(manifest.at("total_events").to_number<std::uint64_t>(), manifest_->total_events);
  EXPECT_EQ(manifest.at("events").at("events/login.jsonl").to_number<std::uint64_t>(),
            manifest_->event_counts["login"]);
  EXPECT_TRUE(fs::exists(Path("truth/fraud_rings.jsonl")));
}

TEST_F(SimulatorTest, EveryEventPassesTheSchema) {
  tenancy::SecretKey key;
  key.fill(1);
  const tenancy::PiiTokenizer tokenizer(key);
  std::set<std::string> ids;
  for (std::string_view type : ingest::kEventTypes) {
    std::ifstream in(Path("events/" + std::string(type) + ".jsonl"));
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      StatusOr<ingest::ValidatedEvent> e = ingest::EventSchema::Get().ValidateJson(line, tokenizer);
      ASSERT_TRUE(e.ok()) << e.status().ToString() << "\n" << line;
      EXPECT_EQ(e->event_type, type);
      EXPECT_TRUE(ids.insert(e->event_id).second) << "duplicate event id " << e->event_id;
      ++n;
    }
    EXPECT_EQ(static_cast<std::uint64_t>(n), manifest_->event_counts[std::string(type)]);
  }
}

TEST_F(SimulatorTest, SameSeedSameBytesOtherSeedOtherWorld) {
  TempDir again("fb_sim_again"), other("fb_sim_other");
  ASSERT_TRUE(Simulate(config_, again.path()).ok());
  SimConfig changed = config_;
  changed.seed = 12;
  ASSERT_TRUE(Simulate(changed, other.path()).ok());
  for (const char* file :
       {"events/login.jsonl", "events/credit_application.jsonl", "truth/fraud_rings.jsonl",
        "events/service_message.jsonl", "manifest.json"}) {
    EXPECT_EQ(ReadAll(Path(file)), ReadAll(again.path() + "/" + file)) << file;
  }
  EXPECT_NE(ReadAll(Path("events/login.jsonl")), ReadAll(other.path() + "/events/login.jsonl"));
}

TEST_F(SimulatorTest, DefaultRateIsAFewPercentAndFollowsRisk) {
  int honest = 0, defaults = 0, fraud = 0, fraud_defaults = 0;
  double pd_sum = 0;
  for (const auto& a : ReadJsonl(Path("truth/applications.jsonl"))) {
    if (a.at("fraud").as_bool()) {
      ++fraud;
      fraud_defaults += a.at("defaulted").as_bool();
      continue;
    }
    ++honest;
    defaults += a.at("defaulted").as_bool();
    pd_sum += a.at("pd").to_number<double>();
  }
  ASSERT_GT(honest, 500);
  const double rate = static_cast<double>(defaults) / honest;
  EXPECT_GT(rate, 0.015);
  EXPECT_LT(rate, 0.07);
  EXPECT_NEAR(pd_sum / honest, rate, 0.015);  // outcomes follow the stated probabilities
  EXPECT_EQ(fraud_defaults, fraud);
}

TEST_F(SimulatorTest, RingsAndFarmsAreAsConfiguredAndShareIdentifiers) {
  int rings = 0, farms = 0, camouflaged = 0;
  std::set<std::string> ring_members;
  for (const auto& r : ReadJsonl(Path("truth/fraud_rings.jsonl"))) {
    const auto& members = r.at("members").as_array();
    if (r.at("kind") == "ring") {
      ++rings;
      EXPECT_GE(members.size(), 4u);
      EXPECT_LE(members.size(), 9u);
      if (r.at("camouflaged").as_bool()) {  // a phone and a home of their own
        ++camouflaged;
        EXPECT_EQ(r.at("devices").as_array().size(), members.size());
        EXPECT_TRUE(r.at("addresses").as_array().empty());
      } else {
        EXPECT_LE(r.at("devices").as_array().size(), 3u);
        EXPECT_GE(r.at("addresses").as_array().size(), 1u);
      }
      for (const auto& m : members) ring_members.insert(std::string(m.as_string()));
    } else {
      ++farms;
      EXPECT_GE(members.size(), 15u);
      EXPECT_EQ(r.at("devices").as_array().size(), 1u);
    }
  }
  EXPECT_EQ(rings, 6);
  EXPECT_GT(camouflaged, 0);  // about half by default
  EXPECT_LT(camouflaged, 6);
  EXPECT_EQ(farms, 2);
  // Ring members' applications list shared contact phones and come in a burst.
  int applications = 0;
  for (const auto& a : ReadJsonl(Path("events/credit_application.jsonl"))) {
    if (!ring_members.contains(std::string(a.at("user_id").as_string()))) continue;
    ++applications;
  }
  EXPECT_EQ(applications, static_cast<int>(ring_members.size()));
  EXPECT_EQ(ReadJsonl(Path("truth/account_takeovers.jsonl")).size(), 5u);
}

TEST_F(SimulatorTest, ShoppingPeaksOn618AndDouble11) {
  std::map<std::string, int> per_day;
  for (const auto& o : ReadJsonl(Path("events/order.jsonl"))) {
    ++per_day[std::string(o.at("occurred_at").as_string()).substr(0, 10)];
  }
  std::vector<int> counts;
  for (const auto& [day, n] : per_day) {
    if (day >= "2026-07-01") counts.push_back(n);  // after most users have registered
  }
  std::sort(counts.begin(), counts.end());
  const double median = counts[counts.size() / 2];
  EXPECT_GT(per_day["2026-11-11"], 4 * median);
  EXPECT_GT(per_day["2026-06-18"], 2 * per_day["2026-06-05"]);
}

TEST_F(SimulatorTest, HonestLookAlikesArePresent) {
  std::map<std::string, int> kinds;
  for (const auto& l : ReadJsonl(Path("truth/lookalikes.jsonl")))
    ++kinds[std::string(l.at("kind").as_string())];
  EXPECT_GT(kinds["second_hand_phone"], 10);
  // Families and colleagues: many honest users share home or office IPs.
  std::map<std::string, std::set<std::string>> users_by_ip;
  for (const auto& l : ReadJsonl(Path("events/login.jsonl"))) {
    users_by_ip[std::string(l.at("ip").as_string())].insert(
        std::string(l.at("user_id").as_string()));
  }
  int shared_ips = 0, big_shared = 0;
  for (const auto& [ip, users] : users_by_ip) {
    shared_ips += users.size() >= 2;
    big_shared += users.size() >= 20;
  }
  EXPECT_GT(shared_ips, 100);
  EXPECT_GT(big_shared, 5);  // offices and public Wi-Fi
  // Courier stations receive parcels for many buyers.
  std::map<std::string, std::set<std::string>> buyers_by_address;
  for (const auto& o : ReadJsonl(Path("events/order.jsonl"))) {
    buyers_by_address[std::string(o.at("consignee_address").as_string())].insert(
        std::string(o.at("user_id").as_string()));
  }
  int stations = 0;
  for (const auto& [address, buyers] : buyers_by_address)
    stations += address.ends_with("菜鸟驿站") && buyers.size() >= 10;
  EXPECT_GE(stations, 3);
}

// The truth reader (sim/truth.h) reads back what the simulator wrote.
TEST_F(SimulatorTest, TruthFilesReadBack) {
  auto applications = ReadApplications(dir_->path());
  ASSERT_TRUE(applications.ok()) << applications.status().ToString();
  EXPECT_EQ(applications->size(), manifest_->truth_counts.at("applications"));
  size_t defaulted = 0, fraud = 0;
  for (const ApplicationTruth& a : *applications) {
    defaulted += a.defaulted;
    fraud += a.fraud;
    EXPECT_FALSE(a.application_id.empty());
  }
  EXPECT_GT(defaulted, 0u);
  EXPECT_GT(fraud, 0u);
  auto fraud_users = ReadFraudUsers(dir_->path());
  ASSERT_TRUE(fraud_users.ok());
  EXPECT_GE(fraud_users->size(), 6u * 4);  // every ring member at least
  auto takeovers = ReadTakeoverSessions(dir_->path());
  ASSERT_TRUE(takeovers.ok());
  EXPECT_EQ(takeovers->size(), 5u);
  auto devices = ReadDeviceTruth(dir_->path());
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ(devices->hardware.size(), manifest_->truth_counts.at("device_reports"));
  EXPECT_FALSE(devices->farm_install_ids.empty());

  const auto missing = ReadApplications(dir_->path() + "/nowhere");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().field(), "world");
}

// Customer-service conversations: every truth turn is an inbound message of its conversation;
// all kinds are there; a request for a person or an angry turn ends its conversation; a
// borrower's account question names the borrower's own loan and the amount its events imply.
TEST_F(SimulatorTest, ServiceConversationsCarryTheirTruth) {
  std::map<std::string, json::object> messages;
  for (auto& m : ReadJsonl(Path("events/service_message.jsonl")))
    messages.emplace(std::string(m.at("message_id").as_string()), m);
  std::map<std::string, double> installments;
  for (const auto& d : ReadJsonl(Path("events/loan_drawdown.jsonl"))) {
    installments[std::string(d.at("loan_id").as_string())] =
        d.at("installment_amount").to_number<double>();
  }
  std::map<std::string, int> kinds;
  std::map<std::string, std::string> last_kind;  // conversation -> its last turn's kind
  for (const auto& t : ReadJsonl(Path("truth/service_turns.jsonl"))) {
    const std::string id(t.at("message_id").as_string()), kind(t.at("kind").as_string());
    ASSERT_TRUE(messages.contains(id)) << id;
    const json::object& m = messages.at(id);
    EXPECT_EQ(m.at("conversation_id"), t.at("conversation_id"));
    EXPECT_EQ(m.at("user_id"), t.at("user_id"));
    EXPECT_EQ(m.at("direction"), "inbound");
    const std::string conversation(t.at("conversation_id").as_string());
    const std::string& before = last_kind[conversation];
    EXPECT_TRUE(before != "person" && before != "angry" && before != "needs_person")
        << "a turn after a handoff in " << conversation;
    last_kind[conversation] = kind;
    ++kinds[kind];
    if (kind == "person" || kind == "angry" || kind == "needs_person") {
      EXPECT_EQ(t.at("expected"), "HUMAN");
      EXPECT_EQ(t.contains("intent"), kind == "needs_person");
    } else if (kind == "out_of_scope") {
      EXPECT_EQ(t.at("expected"), "OOS");
    }
    if (kind != "account") continue;
    const std::string loan(t.at("account_id").as_string());
    EXPECT_EQ(loan, "loan-" + std::string(t.at("user_id").as_string()));
    ASSERT_TRUE(installments.contains(loan)) << loan;
    const double amount = t.at("amount").to_number<double>();
    const double installment = installments.at(loan);
    // A whole number of instalments: the next one, what is overdue, or what is left.
    EXPECT_NEAR(amount / installment, std::round(amount / installment), 1e-6) << loan;
    EXPECT_GE(amount, installment - 0.005) << loan;
  }
  for (const char* kind :
       {"faq", "account", "out_of_scope", "lookalike", "person", "angry", "needs_person"}) {
    EXPECT_GE(kinds[kind], 5) << kind;
  }
}

}  // namespace
}  // namespace finbrain::sim
