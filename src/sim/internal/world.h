// The simulator's generator, split over world.cc (people and everyday behaviour), credit.cc
// (applications, loans, repayments, collections), fraud.cc (rings, device farms, account
// takeovers) and enterprise.cc (the supply chain).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/internal/output.h"
#include "sim/internal/random.h"
#include "sim/simulator.h"

namespace finbrain::sim {

inline constexpr TimeMicros kDay = 86'400LL * kMicrosPerSecond;
inline constexpr TimeMicros kHour = 3'600LL * kMicrosPerSecond;
inline constexpr TimeMicros kMinute = 60LL * kMicrosPerSecond;

// RNG streams: one per kind of entity, so adding a kind never shifts another's numbers.
enum Stream : std::uint64_t {
  kPersonStream = 1,
  kActivityStream,
  kCreditStream,
  kRingStream,
  kFarmStream,
  kTakeoverStream,
  kEnterpriseStream,
  kFamilyStream,
  kHandoverStream,
  kDeviceLifeStream,
  kServiceStream,
};

// A phone. `id` is what the app reports as device_id: an install id that a reinstall or a
// factory reset replaces. `hardware_id` is the phone itself, written only to the truth files.
struct Device {
  std::string id, hardware_id, model, brand, os, os_version, screen, fonts_hash, ua_hash, imei_hash,
      advertising_id;
  bool emulator = false, rooted = false, hook = false, vpn = false, proxy = false;
};

struct Person {
  int index = 0;
  std::string user_id, phone, id_number, email, gender, education, occupation, marital, city,
      province;
  int city_tier = 3, birth_year = 1990;
  double income = 0;       // monthly, CNY
  double z = 0;            // latent creditworthiness, N(0, 1); higher is better
  double activity = 0.08;  // logins per day
  Device device;
  std::string home_ip, office_ip, address;
  TimeMicros registered_at = 0;
  bool fraud = false;
  std::string fraud_kind;  // "ring", "device_farm"
  int group = -1;          // ring or farm number
};

// A funded loan's schedule, as a borrower asking about it knows it.
struct LoanSchedule {
  std::string loan_id;
  TimeMicros drawn_at = 0;
  int term = 0;
  double installment = 0;  // to the cent, as the events report it
  int default_at = 0;      // the first missed instalment; term + 1 when none is
};

// One inbound customer-service turn and its truth.
struct ServiceTurn {
  std::string expected;  // a default-KB id, or HUMAN (must be handed off) or OOS
  std::string intent;    // HUMAN turns about a KB entry (needs_person): the entry
  // faq | account | lookalike | out_of_scope | person | angry | needs_person
  std::string kind;
  std::string text;
  std::string account_id;        // account questions: the loan asked about
  std::optional<double> amount;  // ... and the amount the right answer states
};

class World {
 public:
  World(const SimConfig& config, Output& out) : config_(config), out_(out) {}
  void Run(const std::function<void(double)>& progress);

  // Shared helpers (world.cc).
  TimeMicros end() const { return config_.start + config_.days * kDay; }
  double Seasonality(TimeMicros t) const;
  Device MakeDevice(Rng& rng, const std::string& id) const;
  // What happens to a phone over a day: OS updates, app reinstalls, advertising-id resets
  // and the app's periodic check-in, each followed by a device report.
  void LiveDeviceDay(Rng& life, Person& p, TimeMicros day, const std::string& ip);
  Person MakePerson(int index) const;
  void EmitRegistration(const Person& p, const std::string& channel);
  void EmitUserTruth(const Person& p);
  void EmitDeviceReport(const Device& d, const std::string& user_id, TimeMicros at,
                        const std::string& ip);
  void EmitLogin(Rng& rng, const Person& p, const Device& d, const std::string& ip, TimeMicros at,
                 const std::string& method, bool new_device, const std::string& session_id,
                 double median_gap_seconds = 20);
  void EmitOrder(Rng& rng, const Person& p, const std::string& order_id, TimeMicros at,
                 const std::string& address, const std::string& ip);
  std::string UserId(int index) const;

  // credit.cc: an application and, if funded, the loan's life. Fraud loans never repay; plain
  // fraud applies with a thin bureau file for a large amount, camouflaged fraud with an ordinary
  // applicant's file and amount.
  enum class Applicant { kHonest, kFraud, kCamouflagedFraud };
  void CreditJourney(Rng& rng, const Person& p, TimeMicros applied_at, const std::string& ip,
                     const std::vector<std::string>& contact_phones, Applicant applicant);

  // fraud.cc
  // Each returns the next free person index.
  int FraudRings(int first_index);
  int DeviceFarms(int first_index);
  void AccountTakeovers();

  // enterprise.cc
  void SupplyChain();

  // service.cc: a conversation of several turns (some people), and a borrower's question about
  // their own loan (some borrowers), each turn with its truth in truth/service_turns.jsonl.
  void ServiceConversation(const Person& p);
  void AccountConversation(const Person& p, const LoanSchedule& loan);
  void EmitServiceTurn(const Person& p, const std::string& conversation_id, int turn, TimeMicros at,
                       const ServiceTurn& t);

  const SimConfig& config_;
  Output& out_;
  std::vector<std::string> public_ips_;  // cafés, stations: shared by many honest users
  std::vector<std::string> courier_addresses_;
  int rings_count_ = 0, farms_count_ = 0, takeovers_count_ = 0;
};

}  // namespace finbrain::sim
