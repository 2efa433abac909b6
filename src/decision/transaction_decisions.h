// TransactionDecisions: allow / challenge / block for a payment or a login, in real time.
//
// The event (a payment or login in the ingestion schema) is validated and tokenized, then read
// against what the platform knows of its user: the session behind it scored by the behaviour
// model (fraud/behaviour.h), the device's fingerprint and whether this account has used it
// (fraud/device_fingerprint.h), the user's payment history (amount, payees), the fraud graph and
// the lists. Fixed, documented rules (docs/behaviour.md, codes T01..T09) turn those signals into
// the decision with reason codes. The record and an audit entry are stored with the event
// itself, in one commit; a retry with the same event id returns the stored decision.
//
// Thread-safety: Decide and Get may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "decision/decision_history.h"
#include "fraud/behaviour_store.h"
#include "fraud/device_store.h"
#include "fraud/list_store.h"
#include "graph/graph_store.h"
#include "ingest/event_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/pii.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::decision {

class DecisionLog;

struct TransactionDecisionsDeps {
  storage::KvStore& store;
  ingest::EventStore& events;
  fraud::ListStore& lists;
  const tenancy::PiiTokenizer& tokenizer;
  const Clock& clock;
  fraud::BehaviourStore& behaviour;
  fraud::DeviceStore& devices;
  graph::GraphStore& graph;
  DecisionStats* stats = nullptr;  // live counts for the console; none without it
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

 private:
  TransactionDecisionsDeps deps_;
  std::unique_ptr<DecisionLog> log_;  // by event id
};

}  // namespace finbrain::decision
