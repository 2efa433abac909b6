// BehaviourStore: per tenant, the session model (fraud/behaviour.h) and each user's recent
// activity — the last sessions' scores and the payment history (amounts, payees) — fed by the
// ingestion fan-out with login and payment events. In memory, kept across restarts by snapshots
// and the event log after them (ingest::InMemoryConsumer): replaying the log in order gives the
// same model and scores.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "fraud/behaviour.h"
#include "ingest/in_memory_consumer.h"

namespace finbrain::fraud {

struct ScoredSession {
  std::string session_id, device_id, ip;
  TimeMicros at = 0;
  SessionScore score;
};

struct PaymentHistory {
  std::uint64_t count = 0;
  double mean_log_amount = 0, m2_log_amount = 0;  // Welford over log(1 + amount)
  double max_amount = 0;
  TimeMicros last_at = 0;
  std::deque<std::string> payees;  // the most recent distinct payees, newest last

  // How many standard deviations log(1 + amount) is above the user's mean (0 with < 3 payments).
  double AmountZ(double amount) const;
  bool KnowsPayee(std::string_view payee) const;
};

struct UserActivity {
  std::deque<ScoredSession> sessions;  // the most recent, newest last
  PaymentHistory payments;
};

class BehaviourStore : public ingest::InMemoryConsumer {
 public:
  explicit BehaviourStore(BehaviourOptions options = {});
  ~BehaviourStore() override;

  std::string_view name() const override { return "behaviour"; }

  // The user's activity so far; nullopt when none was seen.
  std::optional<UserActivity> Activity(std::string_view tenant, std::string_view user_id);
  // Scores a session with the tenant's model without learning it.
  SessionScore ScoreSession(std::string_view tenant, const Session& session);
  std::uint64_t Sessions(std::string_view tenant);

 private:
  struct Tenant;
  void Apply(std::string_view tenant, const ingest::ValidatedEvent& event) override;
  std::string SnapshotFormat() const override;
  void Save(ingest::SnapshotEncoder& out) const override;
  Status Load(ingest::SnapshotDecoder& in) override;
  Tenant& For(std::string_view tenant);

  const BehaviourOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Tenant>, std::less<>> tenants_;
};

}  // namespace finbrain::fraud
