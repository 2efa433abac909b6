// EventStore: durable, idempotent ingestion of events, and fan-out to consumers.
//
// Valid events are appended to an ordered event log (one global sequence) together with an
// index (tenant, event_id) -> seq, in the same atomic batch as the request's audit entry, and
// acknowledged only once durable. An event id already stored (or in flight) for the tenant is a
// duplicate: it is counted, not stored again, so retried batches never count twice. Invalid
// events are rejected individually with their index, field path and reason; the valid ones in
// the same batch still load.
//
// After each commit the new events are delivered, in log order, to every EventConsumer. A
// consumer persists its state with a checkpoint (the last seq it reflects); on start-up it is
// replayed the log after its checkpoint, so consumers see every event exactly once across
// crashes.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto events, EventStore::Open(store, commits, audit));
//   FB_RETURN_IF_ERROR(events->AddConsumer(counter));
//   FB_ASSIGN_OR_RETURN(ValidatedEvent e, EventSchema::Get().ValidateJson(line, tokenizer));
//   FB_ASSIGN_OR_RETURN(IngestSummary s, events->IngestAndWait("acme", {e}, audit_entry));
//
// Thread-safety: Prepare/Ingest may be called concurrently. Consumers are called from one
// thread at a time (the commit thread), in sequence order.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ingest/event_schema.h"
#include "storage/commit_queue.h"
#include "storage/kv_store.h"
#include "telemetry/metrics.h"
#include "tenancy/audit_log.h"

namespace finbrain::ingest {

struct RowError {
  size_t index = 0;   // position in the batch (0-based)
  std::string field;  // path of the offending field, or empty
  std::string message;
};

struct IngestSummary {
  size_t accepted = 0;
  size_t duplicates = 0;  // ids already stored with the same content (or in flight)
  std::vector<RowError> rejected;
  // Ids already stored with other content: not stored, not duplicates; `field` is the first
  // differing field and the message names each (ingest/event_diff.h).
  std::vector<RowError> conflicts;
};

class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  virtual std::string_view name() const = 0;
  // The last sequence number reflected in the consumer's state (0: none). After a restart that
  // is the persisted checkpoint, and the log is replayed from there.
  virtual std::uint64_t checkpoint() const = 0;
  // One committed event. Called in increasing `seq` order, never twice for the same seq after
  // the consumer's checkpoint.
  virtual void Consume(std::uint64_t seq, std::string_view tenant, const ValidatedEvent& event) = 0;
  // Persists the consumer's state and advances its checkpoint (at shutdown).
  virtual Status Persist() = 0;
  // Called on the commit thread every so many events, and after a start-up replay. The default
  // persists at once; a consumer with much state persists on its own thread and only schedules
  // it here, so that commits (and the requests waiting on them) never wait for it.
  virtual void PersistSoon() {
    Status s = Persist();
    s.IgnoreError();  // a failed checkpoint only means a longer replay after a crash
  }
};

class EventStore {
 public:
  // REQUIRES: store, commits and audit outlive the EventStore; called before anything is
  // submitted to `commits`.
  // `durability`: when an ingestion (and a decision written with it) counts as done.
  // `metrics`, when given (it outlives the store), counts events stored, duplicates and
  // rejections.
  static StatusOr<std::unique_ptr<EventStore>> Open(
      storage::KvStore& store, storage::CommitQueue& commits, tenancy::AuditLog& audit,
      storage::Durability durability = storage::Durability::kSync,
      telemetry::Metrics* metrics = nullptr);
  ~EventStore();

  // Registers `consumer` (which must outlive the store) and replays the log after its
  // checkpoint. REQUIRES: before the first ingestion.
  Status AddConsumer(EventConsumer& consumer);
  // The same for consumers that depend on nothing but the log (not on each other): one pass over
  // the log, each consumer fed on a thread of its own, so a restart replays them side by side.
  Status AddIndependentConsumers(const std::vector<EventConsumer*>& consumers);
  // Feeds `consumers` the log after each one's checkpoint as AddIndependentConsumers does,
  // without registering them (a check against a full replay: `finbrain snapshots verify`).
  Status ReplayInto(const std::vector<EventConsumer*>& consumers) const;

  // Stores the new ones among `events` (validated by EventSchema) for `tenant`, under one audit
  // entry; `done` runs on the commit thread once the batch is durable (or failed), with the
  // accepted and duplicate counts. `audit.entity` is filled in here.
  // `extra` (e.g. a decision record) is written in the same atomic batch; a non-empty
  // `audit.entity` is kept and the event counts are appended to it. `complete_extra`, when
  // given, is called before Ingest returns, once it is known which events are new
  // (`planned.accepted` of them; the rest are duplicates), to add what depends on that.
  using CompleteExtra =
      std::function<void(const IngestSummary& planned, storage::WriteBatch& extra)>;
  void Ingest(std::string_view tenant, std::vector<ValidatedEvent> events,
              tenancy::AuditEntry audit,
              std::function<void(const Status&, const IngestSummary&)> done,
              storage::WriteBatch extra = {}, const CompleteExtra& complete_extra = {});
  StatusOr<IngestSummary> IngestAndWait(std::string_view tenant, std::vector<ValidatedEvent> events,
                                        tenancy::AuditEntry audit);

  // The stored event (canonical JSON) for a tenant's event id, or nullopt.
  StatusOr<std::optional<std::string>> Find(std::string_view tenant,
                                            std::string_view event_id) const;

  // Persists every consumer's state (call before shutdown; also done periodically).
  Status PersistConsumers();

  std::uint64_t last_seq() const;

  // How many committed events each consumer has not been given yet (its name, the count).
  std::vector<std::pair<std::string, std::uint64_t>> ConsumerLag() const;

  // Counts `count` events of `tenant` rejected before they reached the store (invalid), in
  // finbrain_events_rejected_total.
  void CountInvalid(std::string_view tenant, size_t count);

 private:
  struct Pending;
  EventStore(storage::KvStore& store, storage::CommitQueue& commits, tenancy::AuditLog& audit,
             storage::Durability durability, telemetry::Metrics* metrics, std::uint64_t head);
  // The outcome of a committed ingestion in the metrics.
  void CountIngested(const Pending& pending);
  // Sorts the events whose ids are stored (`stored_seqs`, by reserved index) into duplicates
  // (the same content) and conflicts (other content), in `summary`.
  Status CheckRepeats(const std::vector<ValidatedEvent>& events,
                      const std::vector<size_t>& reserved_event,
                      const std::vector<std::optional<std::string>>& stored_seqs,
                      IngestSummary& summary) const;
  void Deliver(const Pending& pending);

  storage::KvStore& store_;
  storage::CommitQueue& commits_;
  tenancy::AuditLog& audit_;
  const storage::Durability durability_;
  telemetry::Metrics* const metrics_;
  std::vector<EventConsumer*> consumers_;

  std::mutex in_flight_mu_;
  std::unordered_set<std::string> in_flight_;  // "<tenant>/<event_id>" being committed

  // Touched only on the commit thread (and in Open/AddConsumer before ingestion starts).
  std::atomic<std::uint64_t> committed_seq_;  // also read by ConsumerLag
  std::uint64_t pending_seq_;
  std::uint64_t delivered_since_persist_ = 0;
};

}  // namespace finbrain::ingest
