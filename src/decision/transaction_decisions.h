// TransactionDecisions: allow / challenge / block for a payment or a login, in real time.
//
// The event (a payment or login in the ingestion schema) is validated and tokenized, then read
// against what the platform knows of its user: the session behind it scored by the behaviour
// model (fraud/behaviour.h), the device's fingerprint and whether this account has used it
// (fraud/device_fingerprint.h), the user's payment history (amount, payees), the fraud graph and
// the lists. Fixed, documented rules (docs/behaviour.md, codes T01..T09) turn those signals into
// the decision with reason codes. A tenant's own rules join them through an active strategy
// named "transaction" (`kind: transaction`, below): its decline blocks, its review challenges,
// and its reasons are added; the stricter answer wins. The record and an audit entry are stored
// with the event itself, in one commit; a retry with the same event id returns the stored
// decision.
//
// Thread-safety: Decide and Get may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "decision/decision_history.h"
#include "decision/strategy_store.h"
#include "features/feature_store.h"
#include "fraud/behaviour_store.h"
#include "fraud/device_store.h"
#include "fraud/list_store.h"
#include "graph/graph_store.h"
#include "ingest/event_store.h"
#include "telemetry/metrics.h"
#include "tenancy/audit_log.h"
#include "tenancy/pii.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::decision {

class DecisionLog;
class TransactionDecisions;

// The transaction strategy kind: the payment or login read as event.<field>; lists.user /
// device / ip / merchant; session.*, payment.*, device.* and graph.* signals (docs/behaviour.md).
// Decline blocks, review challenges, approve adds nothing to the fixed rules.
inline constexpr std::string_view kTransactionKind = "transaction";
// The strategy a tenant's transaction rules live in.
inline constexpr std::string_view kTransactionStrategy = "transaction";
// `transactions`, when given, runs the kind's dry runs ({"event": {...}}).
StrategyKind TransactionStrategyKind(TransactionDecisions* transactions = nullptr);

struct TransactionDecisionsDeps {
  storage::KvStore& store;
  ingest::EventStore& events;
  fraud::ListStore& lists;
  const tenancy::PiiTokenizer& tokenizer;
  const Clock& clock;
  fraud::BehaviourStore& behaviour;
  fraud::DeviceStore& devices;
  graph::GraphStore& graph;
  DecisionStats* stats = nullptr;         // live counts for the console; none without it
  telemetry::Metrics* metrics = nullptr;  // Prometheus counts and latencies; none without it
  // The tenant's transaction strategy and the windows it reads; fixed rules only without them.
  StrategyStore* strategies = nullptr;
  features::FeatureStore* features = nullptr;
};

class TransactionDecisions {
 public:
  explicit TransactionDecisions(TransactionDecisionsDeps deps);
  ~TransactionDecisions();

  // `event` is the JSON text of a payment or login event. Bad input is returned at once
  // (nothing stored); otherwise `done` runs once the record is durable with its JSON.
  using Done = std::function<void(StatusOr<std::string> record)>;
  Status Decide(std::string_view tenant, std::string_view event, const tenancy::Actor& actor,
                Done done);

  // Decides with `strategy` (a transaction strategy, e.g. a version not active yet) without
  // storing anything; the record as JSON.
  StatusOr<std::string> DryRun(std::string_view tenant, std::string_view event,
                               const Strategy& strategy, std::string_view name, int version);

 private:
  struct Evaluation;
  // The signals, the fixed rules and `strategy` (when given) on a validated event.
  StatusOr<Evaluation> Evaluate(std::string_view tenant, const ingest::ValidatedEvent& event,
                                const Strategy* strategy, std::string_view strategy_name,
                                int strategy_version) const;

  TransactionDecisionsDeps deps_;
  std::unique_ptr<DecisionLog> log_;  // by event id
};

}  // namespace finbrain::decision
