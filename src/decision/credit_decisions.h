// CreditDecisions: the hot path of POST /v1/decisions/credit.
//
//   validate (event schema, PII tokenized) -> features for every linked entity (user, phone,
//   id_number, device, ip, address) at the application's time -> list hits -> the tenant's
//   active strategy (and its challenger, both recorded) -> decision record + audit entry +
//   the application event, in one durable batch (concurrent decisions share syncs) -> answer.
//
// Idempotent by application id: a second request for an application already decided answers
// the stored record (never decides twice, even when both arrive at once).
//
// Example:
//   CreditDecisions decisions({...});
//   decisions.Decide("acme", body_json, "credit", actor, [](StatusOr<std::string> record) {...});
//
// Thread-safety: Decide/Get/DryRun may be called concurrently.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "decision/decision_history.h"
#include "decision/strategy_store.h"
#include "features/feature_store.h"
#include "fraud/behaviour_store.h"
#include "fraud/device_store.h"
#include "fraud/list_store.h"
#include "graph/graph_store.h"
#include "ingest/event_store.h"
#include "telemetry/metrics.h"
#include "tenancy/pii.h"

namespace finbrain::decision {

class CreditDecisions;
class DecisionLog;

// The default strategy kind: a credit application, read as app.<field>, with every list of its
// linked identifiers and the graph.*, device.* and behaviour.* signals; an approval needs terms.
inline constexpr std::string_view kCreditKind = "credit";
// `decisions`, when given, runs the kind's dry runs ({"application": {...}}).
StrategyKind CreditStrategyKind(CreditDecisions* decisions = nullptr);

struct CreditDecisionsDeps {
  storage::KvStore& store;
  ingest::EventStore& events;
  features::FeatureStore& features;
  fraud::ListStore& lists;
  StrategyStore& strategies;
  const tenancy::PiiTokenizer& tokenizer;
  const Clock& clock;
  graph::GraphStore* graph = nullptr;          // graph.* features; all missing without it
  fraud::DeviceStore* devices = nullptr;       // device.* features; all missing without it
  fraud::BehaviourStore* behaviour = nullptr;  // behaviour.* features; all missing without it
  DecisionStats* stats = nullptr;              // live counts for the console; none without it
  telemetry::Metrics* metrics = nullptr;       // Prometheus counts and latencies; none without it
};

class CreditDecisions {
 public:
  explicit CreditDecisions(CreditDecisionsDeps deps);
  ~CreditDecisions();

  // `application` is the JSON text of a credit_application event. Bad input, an unknown or
  // uncompilable strategy are returned at once (nothing stored); otherwise `done` runs once the
  // record is durable (or could not be stored) with the record's JSON.
  using Done = std::function<void(StatusOr<std::string> record)>;
  Status Decide(std::string_view tenant, std::string_view application, std::string_view strategy,
                const tenancy::Actor& actor, Done done);

  // The stored record (JSON) of a decision, by decision id; nullopt when absent.
  StatusOr<std::optional<std::string>> Get(std::string_view tenant,
                                           std::string_view decision_id) const;

  // The stored record of the decision on an application, by application id; nullopt when none.
  StatusOr<std::optional<std::string>> FindByApplication(std::string_view tenant,
                                                         std::string_view application_id) const;

  // Decides with `strategy` (e.g. a version not active yet) without storing anything.
  StatusOr<std::string> DryRun(std::string_view tenant, std::string_view application,
                               const Strategy& strategy, std::string_view name, int version);

 private:
  struct Prepared;
  StatusOr<Prepared> Prepare(std::string_view tenant, std::string_view application) const;
  // graph.* of the application; with `own_links`, its own links join the graph first (a
  // decision about to be stored; not a dry run, which must change nothing).
  void ReadGraph(std::string_view tenant, Prepared& p, bool own_links) const;

  CreditDecisionsDeps deps_;
  std::unique_ptr<DecisionLog> log_;  // by application id
};

}  // namespace finbrain::decision
