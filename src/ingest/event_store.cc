#include "ingest/event_store.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <future>
#include <thread>

#include "common/strings.h"
#include "ingest/event_diff.h"

namespace finbrain::ingest {
namespace {

namespace json = boost::json;

constexpr std::string_view kHeadKey = "event_log_head";
constexpr char kTenantSeparator = '\x1f';
constexpr std::uint64_t kPersistEvery = 50'000;
constexpr std::string_view kRejectedHelp =
    "Events not stored, by tenant and reason: invalid (failed validation) or conflict (an id "
    "stored before with other content)";

std::string IndexKey(std::string_view tenant, std::string_view event_id) {
  std::string key(tenant);
  key += '/';
  key += event_id;
  return key;
}

// The log key of the event an index entry (its sequence number as text) points at.
StatusOr<std::string> LogKeyOf(std::string_view index_entry) {
  std::uint64_t seq = 0;
  const auto [end, ec] =
      std::from_chars(index_entry.data(), index_entry.data() + index_entry.size(), seq);
  if (ec != std::errc() || end != index_entry.data() + index_entry.size()) {
    return DataLossError("the event index is corrupt");
  }
  return SortableKey(seq);
}

// Rebuilds the envelope of a stored event (for replay to consumers).
StatusOr<ValidatedEvent> FromStored(std::string_view canonical) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(canonical.data(), canonical.size()), ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return DataLossError("stored event is not a JSON object");
  ValidatedEvent e;
  const json::value* id = o->if_contains("event_id");
  const json::value* type = o->if_contains("event_type");
  const json::value* at = o->if_contains("occurred_at");
  if (!id || !id->is_string() || !type || !type->is_string() || !at || !at->is_string()) {
    return DataLossError("stored event lacks its envelope");
  }
  e.event_id = std::string(id->get_string());
  e.event_type = std::string(type->get_string());
  FB_ASSIGN_OR_RETURN(e.occurred_at, ParseRfc3339(std::string_view(at->get_string())));
  e.canonical_json = std::string(canonical);
  return e;
}

}  // namespace

struct EventStore::Pending {
  std::string tenant;
  std::vector<ValidatedEvent> events;  // the new ones, in batch order
  std::vector<std::string> keys;       // their in-flight keys
  std::uint64_t first_seq = 0;
  IngestSummary summary;
};

EventStore::EventStore(storage::KvStore& store, storage::CommitQueue& commits,
                       tenancy::AuditLog& audit, storage::Durability durability,
                       telemetry::Metrics* metrics, std::uint64_t head)
    : store_(store),
      commits_(commits),
      audit_(audit),
      durability_(durability),
      metrics_(metrics),
      committed_seq_(head),
      pending_seq_(head) {
  commits_.AddGroupListener([this](const Status& written) {
    if (written.ok()) {
      committed_seq_ = pending_seq_;
    } else {
      pending_seq_ = committed_seq_;
    }
  });
}

EventStore::~EventStore() {
  Status s = PersistConsumers();
  s.IgnoreError();  // nothing to do at shutdown; replay after the checkpoint repairs it
}

StatusOr<std::unique_ptr<EventStore>> EventStore::Open(storage::KvStore& store,
                                                       storage::CommitQueue& commits,
                                                       tenancy::AuditLog& audit,
                                                       storage::Durability durability,
                                                       telemetry::Metrics* metrics) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> head, store.Get(storage::Column::kMeta, kHeadKey));
  std::uint64_t seq = 0;
  if (head) {
    try {
      seq = std::stoull(*head);
    } catch (const std::exception&) {
      return DataLossError("event log head is corrupt");
    }
  }
  return std::unique_ptr<EventStore>(
      new EventStore(store, commits, audit, durability, metrics, seq));
}

Status EventStore::AddConsumer(EventConsumer& consumer) {
  return AddIndependentConsumers({&consumer});
}

Status EventStore::AddIndependentConsumers(const std::vector<EventConsumer*>& consumers) {
  consumers_.insert(consumers_.end(), consumers.begin(), consumers.end());
  return ReplayInto(consumers);
}

Status EventStore::ReplayInto(const std::vector<EventConsumer*>& consumers) const {
  struct Logged {
    std::uint64_t seq;
    std::string tenant;
    ValidatedEvent event;
  };
  std::vector<std::uint64_t> from;
  for (EventConsumer* c : consumers) from.push_back(c->checkpoint());
  if (consumers.empty()) return OkStatus();
  std::vector<std::uint64_t> replayed(consumers.size(), 0);
  // Consumer i takes the batch's events after its checkpoint, in order.
  const auto feed = [&](size_t i, const std::vector<Logged>& batch) {
    for (const Logged& l : batch) {
      if (l.seq <= from[i]) continue;
      consumers[i]->Consume(l.seq, l.tenant, l.event);
      ++replayed[i];
    }
  };
  std::vector<Logged> batch;
  const auto flush = [&] {
    std::vector<std::thread> others;
    for (size_t i = 1; i < consumers.size(); ++i) others.emplace_back(feed, i, std::cref(batch));
    feed(0, batch);
    for (std::thread& t : others) t.join();
    batch.clear();
  };
  constexpr size_t kBatch = 4096;
  const std::uint64_t start = *std::min_element(from.begin(), from.end());
  Status error;
  FB_RETURN_IF_ERROR(store_.Scan(
      storage::Column::kEventLog, "", start == 0 ? "" : SortableKey(start),
      [&](std::string_view key, std::string_view value) {
        const size_t sep = value.find(kTenantSeparator);
        StatusOr<ValidatedEvent> e = sep == std::string_view::npos
                                         ? StatusOr<ValidatedEvent>(DataLossError("bad log entry"))
                                         : FromStored(value.substr(sep + 1));
        if (!e.ok()) {
          error = e.status();
          return false;
        }
        batch.push_back(
            {std::stoull(std::string(key)), std::string(value.substr(0, sep)), std::move(*e)});
        if (batch.size() == kBatch) flush();
        return true;
      }));
  FB_RETURN_IF_ERROR(error);
  flush();
  // Scheduled, not waited for: a consumer with much state (a snapshot, thousands of windows)
  // writes it on its own thread while the server already answers.
  for (size_t i = 0; i < consumers.size(); ++i) {
    if (replayed[i] > 0) consumers[i]->PersistSoon();
  }
  return OkStatus();
}

Status EventStore::CheckRepeats(const std::vector<ValidatedEvent>& events,
                                const std::vector<size_t>& reserved_event,
                                const std::vector<std::optional<std::string>>& stored_seqs,
                                IngestSummary& summary) const {
  std::vector<std::string> keys;
  std::vector<size_t> which;  // index into `reserved_event` of each key
  for (size_t r = 0; r < stored_seqs.size(); ++r) {
    if (!stored_seqs[r]) continue;
    FB_ASSIGN_OR_RETURN(std::string key, LogKeyOf(*stored_seqs[r]));
    keys.push_back(std::move(key));
    which.push_back(r);
  }
  if (keys.empty()) return OkStatus();
  std::vector<std::optional<std::string>> logged;
  FB_RETURN_IF_ERROR(store_.MultiGet(storage::Column::kEventLog, keys, logged));
  for (size_t k = 0; k < keys.size(); ++k) {
    const size_t index = reserved_event[which[k]];
    const ValidatedEvent& now = events[index];
    const size_t sep = logged[k] ? logged[k]->find(kTenantSeparator) : std::string::npos;
    if (sep == std::string::npos) return DataLossError("an indexed event is missing from the log");
    const std::string_view before = std::string_view(*logged[k]).substr(sep + 1);
    // Canonical texts of the same content are equal; only a different text needs a closer look.
    std::vector<FieldDifference> changed;
    if (before != now.canonical_json) {
      boost::system::error_code ec;
      const boost::json::value b = boost::json::parse(before, ec);
      const boost::json::value a = boost::json::parse(now.canonical_json, ec);
      if (b.is_object() && a.is_object()) changed = DifferingFields(b.get_object(), a.get_object());
    }
    if (changed.empty()) {
      ++summary.duplicates;
      continue;
    }
    summary.conflicts.push_back(
        {.index = index,
         .field = changed.front().path,
         .message = "event " + Quote(now.event_id) + " was stored before with other values: " +
                    DescribeDifferences(changed) + "; send it with a new event_id"});
  }
  return OkStatus();
}

void EventStore::Ingest(std::string_view tenant, std::vector<ValidatedEvent> events,
                        tenancy::AuditEntry audit,
                        std::function<void(const Status&, const IngestSummary&)> done,
                        storage::WriteBatch extra, const CompleteExtra& complete_extra) {
  auto pending = std::make_shared<Pending>();
  pending->tenant = std::string(tenant);
  // Reserve each id before looking in the store: a concurrent request with the same id is
  // then either still in flight (seen here) or already committed (seen by the store read).
  std::vector<std::string> reserved;
  std::vector<size_t> reserved_event;  // index into `events` of each reserved key
  reserved.reserve(events.size());
  reserved_event.reserve(events.size());
  {
    std::lock_guard lock(in_flight_mu_);
    for (size_t i = 0; i < events.size(); ++i) {
      std::string key = IndexKey(tenant, events[i].event_id);
      if (in_flight_.insert(key).second) {
        reserved.push_back(std::move(key));
        reserved_event.push_back(i);
      }
    }
  }
  pending->summary.duplicates = events.size() - reserved.size();
  std::vector<std::optional<std::string>> stored;
  if (Status read = store_.MultiGet(storage::Column::kEvents, reserved, stored); !read.ok()) {
    // Treat an unreadable index as a failure of the whole batch rather than risk a duplicate.
    std::lock_guard lock(in_flight_mu_);
    for (const std::string& key : reserved) in_flight_.erase(key);
    done(read, pending->summary);
    return;
  }
  if (Status checked = CheckRepeats(events, reserved_event, stored, pending->summary);
      !checked.ok()) {
    std::lock_guard lock(in_flight_mu_);
    for (const std::string& key : reserved) in_flight_.erase(key);
    done(checked, pending->summary);
    return;
  }
  pending->keys.reserve(reserved.size());
  pending->events.reserve(reserved.size());
  for (size_t r = 0; r < reserved.size(); ++r) {
    if (stored[r].has_value()) {  // a duplicate or a conflict, counted by CheckRepeats
      std::lock_guard lock(in_flight_mu_);
      in_flight_.erase(reserved[r]);
      continue;
    }
    pending->keys.push_back(std::move(reserved[r]));
    pending->events.push_back(std::move(events[reserved_event[r]]));
  }
  pending->summary.accepted = pending->events.size();
  if (complete_extra) complete_extra(pending->summary, extra);
  if (!audit.entity.empty()) audit.entity += ' ';
  audit.entity += "events accepted=" + std::to_string(pending->summary.accepted) +
                  " duplicates=" + std::to_string(pending->summary.duplicates);
  if (!pending->summary.conflicts.empty()) {
    audit.entity += " conflicts=" + std::to_string(pending->summary.conflicts.size());
  }

  auto sequencer = [this, pending](storage::WriteBatch& batch) {
    pending->first_seq = pending_seq_ + 1;
    for (const ValidatedEvent& e : pending->events) {
      const std::uint64_t seq = ++pending_seq_;
      std::string value;
      value.reserve(pending->tenant.size() + 1 + e.canonical_json.size());
      value += pending->tenant;
      value += kTenantSeparator;
      value += e.canonical_json;
      batch.PutOwned(storage::Column::kEventLog, SortableKey(seq), std::move(value));
      batch.PutOwned(storage::Column::kEvents, IndexKey(pending->tenant, e.event_id),
                     std::to_string(seq));
    }
    if (!pending->events.empty())
      batch.Put(storage::Column::kMeta, kHeadKey, std::to_string(pending_seq_));
    return OkStatus();
  };
  audit_.Commit(
      std::move(extra), std::move(audit),
      [this, pending, done = std::move(done)](const Status& written) {
        {
          std::lock_guard lock(in_flight_mu_);
          for (const std::string& k : pending->keys) in_flight_.erase(k);
        }
        if (written.ok()) {
          Deliver(*pending);
          CountIngested(*pending);
        }
        IngestSummary summary = pending->summary;
        if (!written.ok()) summary.accepted = 0;
        done(written, summary);
      },
      std::move(sequencer), durability_);
}

StatusOr<IngestSummary> EventStore::IngestAndWait(std::string_view tenant,
                                                  std::vector<ValidatedEvent> events,
                                                  tenancy::AuditEntry audit) {
  std::promise<StatusOr<IngestSummary>> result;
  Ingest(tenant, std::move(events), std::move(audit),
         [&result](const Status& s, const IngestSummary& summary) {
           result.set_value(s.ok() ? StatusOr<IngestSummary>(summary) : StatusOr<IngestSummary>(s));
         });
  return result.get_future().get();
}

void EventStore::Deliver(const Pending& pending) {
  std::uint64_t seq = pending.first_seq;
  for (const ValidatedEvent& e : pending.events) {
    for (EventConsumer* consumer : consumers_) {
      if (seq > consumer->checkpoint()) consumer->Consume(seq, pending.tenant, e);
    }
    ++seq;
  }
  delivered_since_persist_ += pending.events.size();
  if (delivered_since_persist_ >= kPersistEvery) {
    delivered_since_persist_ = 0;
    for (EventConsumer* consumer : consumers_) consumer->PersistSoon();
  }
}

Status EventStore::PersistConsumers() {
  for (EventConsumer* consumer : consumers_) FB_RETURN_IF_ERROR(consumer->Persist());
  return OkStatus();
}

StatusOr<std::optional<std::string>> EventStore::Find(std::string_view tenant,
                                                      std::string_view event_id) const {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> seq,
                      store_.Get(storage::Column::kEvents, IndexKey(tenant, event_id)));
  if (!seq) return std::optional<std::string>();
  FB_ASSIGN_OR_RETURN(const std::string log_key, LogKeyOf(*seq));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> entry,
                      store_.Get(storage::Column::kEventLog, log_key));
  if (!entry)
    return DataLossError("event " + std::string(event_id) + " is indexed but not in the log");
  const size_t sep = entry->find(kTenantSeparator);
  return std::optional<std::string>(entry->substr(sep + 1));
}

std::uint64_t EventStore::last_seq() const { return committed_seq_.load(); }

std::vector<std::pair<std::string, std::uint64_t>> EventStore::ConsumerLag() const {
  const std::uint64_t head = committed_seq_.load();
  std::vector<std::pair<std::string, std::uint64_t>> lag;
  for (const EventConsumer* consumer : consumers_) {
    const std::uint64_t at = consumer->checkpoint();
    lag.emplace_back(std::string(consumer->name()), head > at ? head - at : 0);
  }
  return lag;
}

void EventStore::CountInvalid(std::string_view tenant, size_t count) {
  if (metrics_ == nullptr || count == 0) return;
  metrics_
      ->Counter("finbrain_events_rejected_total", kRejectedHelp,
                {{"tenant", tenant}, {"reason", "invalid"}})
      .Increment(static_cast<double>(count));
}

void EventStore::CountIngested(const Pending& pending) {
  if (metrics_ == nullptr) return;
  // Per type, counted once per batch: an import's batch holds thousands of a few types.
  std::vector<std::pair<std::string_view, size_t>> by_type;
  for (const ValidatedEvent& e : pending.events) {
    auto it = std::find_if(by_type.begin(), by_type.end(),
                           [&](const auto& t) { return t.first == e.event_type; });
    if (it == by_type.end()) {
      by_type.emplace_back(e.event_type, 1);
    } else {
      ++it->second;
    }
  }
  for (const auto& [type, count] : by_type) {
    metrics_
        ->Counter("finbrain_events_ingested_total", "Events stored in the log, by tenant and type",
                  {{"tenant", pending.tenant}, {"type", type}})
        .Increment(static_cast<double>(count));
  }
  if (pending.summary.duplicates > 0) {
    metrics_
        ->Counter("finbrain_events_duplicates_total",
                  "Events sent again with an id and content already stored (not stored twice)",
                  {{"tenant", pending.tenant}})
        .Increment(static_cast<double>(pending.summary.duplicates));
  }
  if (!pending.summary.conflicts.empty()) {
    metrics_
        ->Counter("finbrain_events_rejected_total", kRejectedHelp,
                  {{"tenant", pending.tenant}, {"reason", "conflict"}})
        .Increment(static_cast<double>(pending.summary.conflicts.size()));
  }
}

}  // namespace finbrain::ingest
