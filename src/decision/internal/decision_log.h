// DecisionLog: what credit and transaction decisions share. One decision per key (an
// application id, an event id), claimed while it is being decided so that a concurrent retry
// gets a clear 409; the stored record answering a later retry; and the one commit that stores
// the record, its index entry, the audit entry and the event decided on.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "decision/decision_history.h"
#include "features/feature_set.h"
#include "ingest/event_store.h"
#include "storage/kv_store.h"
#include "telemetry/metrics.h"
#include "tenancy/audit_log.h"

namespace finbrain::decision {

class DecisionLog {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using Done = std::function<void(StatusOr<std::string> record)>;

  // Records live in Column::kDecisions (tenant/decision_id) for every kind; `index_column` maps
  // tenant/<id> to the decision id; every record is also indexed by time (decision_history.h)
  // and, once stored, counted in `stats` and `metrics` when given.
  DecisionLog(storage::KvStore& store, ingest::EventStore& events, storage::Column index_column,
              DecisionStats* stats, telemetry::Metrics* metrics = nullptr)
      : store_(store), events_(events), index_(index_column), stats_(stats), metrics_(metrics) {}

  struct Claim {
    std::string key;  // tenant/id, held until Commit or Abandon
    // When decided before (the key is then not held): the stored record marked as a replay,
    // {"replayed":true,...} (IsReplayedAnswer).
    std::optional<std::string> decided;
  };
  // kAlreadyExists naming `field` while `id` is being decided. When `id` was decided before,
  // `request` (the new request's canonical event) must carry what the stored decision was made
  // on, its event_id aside: otherwise kIdempotencyConflict naming the fields that differ.
  StatusOr<Claim> Begin(std::string_view tenant, std::string_view id, std::string_view what,
                        std::string_view field, const ingest::ValidatedEvent& request);
  void Abandon(const std::string& key);

  // Stores `record` with its index entry, `audit` and `event` in one commit, adds the commit
  // and total latency (since `start`) to its latency_us, releases the key, then calls `done`
  // with the record's text.
  //
  // A record may hold its feature values by position: "feature_values": [...] named by
  // "feature_set": the names_id of `features`. The names are stored once per tenant and id, in
  // the commit of the first such record since start-up, so ~100 names are not written again
  // with every decision; Get puts them back.
  //
  // A record without "inputs" decided on `event` as it is. When the event is new (stored by
  // this commit) the record names it, "inputs_event": event_id, and Get reads the inputs from
  // the event log; when the event's id was already there, the record holds the inputs itself.
  void Commit(std::string_view tenant, const std::string& key, const std::string& decision_id,
              ingest::ValidatedEvent event, boost::json::object record, tenancy::AuditEntry audit,
              SteadyTime start, Done done, const features::FeatureSet* features = nullptr);

  // A stored record by decision id, complete: its feature values named again ("features":
  // {name: value}) and its "inputs" read from the event log; nullopt when absent.
  StatusOr<std::optional<std::string>> Get(std::string_view tenant,
                                           std::string_view decision_id) const;
  // A stored record by the decided id, complete as Get gives it.
  StatusOr<std::optional<std::string>> Find(std::string_view tenant, std::string_view id) const;

  // "dec_" + 20 random hex digits.
  static std::string NewDecisionId();

 private:
  Status CheckReplay(std::string_view tenant, std::string_view record,
                     const ingest::ValidatedEvent& request, std::string_view what,
                     std::string_view id, std::string_view field) const;
  // The record as stored, by decision id.
  StatusOr<std::optional<std::string>> Stored(std::string_view tenant,
                                              std::string_view decision_id) const;
  // `record` with "feature_values" turned into "features" (kept without stored names) and the
  // inputs of "inputs_event" attached.
  StatusOr<std::string> Complete(std::string_view tenant, std::string record) const;
  // The named features of a record's "feature_values"; nullopt without stored names.
  StatusOr<std::optional<boost::json::object>> NamedFeatures(
      std::string_view tenant, const boost::json::object& record) const;

  storage::KvStore& store_;
  ingest::EventStore& events_;
  const storage::Column index_;
  DecisionStats* stats_;
  // finbrain_decisions_total, finbrain_decision_seconds, finbrain_decision_stage_seconds.
  telemetry::Metrics* metrics_;
  std::mutex mu_;
  std::unordered_set<std::string> in_flight_;
  // Feature names by tenant/names_id, known to be stored.
  mutable std::mutex names_mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const std::vector<std::string>>> names_;
};

}  // namespace finbrain::decision
