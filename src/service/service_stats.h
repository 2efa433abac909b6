// ServiceStats: the customer-service figures of each tenant, counted from the event log
// (service_message and service_feedback events) exactly once across crashes, like TypeCounts:
// turns, the bot's replies by type, handoffs by reason, time from a conversation's first
// message to its handoff, and feedback per KB entry (answer precision measured in production).
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto stats, ServiceStats::Load(store));
//   FB_RETURN_IF_ERROR(events.AddConsumer(*stats));
//   std::string json = stats->Json("acme");
//
// A conversation's first message is remembered in memory only: one that began before a restart
// has no time to handoff.
//
// Thread-safety: Consume/Persist come from the commit thread; Json from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ingest/event_store.h"
#include "storage/kv_store.h"

namespace finbrain::service {

class ServiceStats final : public ingest::EventConsumer {
 public:
  static StatusOr<std::unique_ptr<ServiceStats>> Load(storage::KvStore& store);

  std::string_view name() const override { return "service_stats"; }
  std::uint64_t checkpoint() const override;
  void Consume(std::uint64_t seq, std::string_view tenant,
               const ingest::ValidatedEvent& event) override;
  Status Persist() override;

  // {inbound, replies: {answer, clarify, out_of_scope, handoff}, agent_replies,
  //  account_answers, auto_answer_rate, handoff_rate, handoff_reasons: {...},
  //  median_seconds_to_handoff (of the last 1,000 handoffs; null without any), feedback: {helped,
  //  not_helped, asked_again, precision (null without feedback)}, entries: [{kb_id, answers,
  //  helped, not_helped, asked_again}] (the most answered first, at most `entries`)}
  std::string Json(std::string_view tenant, size_t entries = 50) const;

  static constexpr size_t kRecentHandoffs = 1000;

  struct Entry {
    std::uint64_t answers = 0, helped = 0, not_helped = 0, asked_again = 0;
  };
  struct Counts {
    std::uint64_t inbound = 0, agent_replies = 0, account_answers = 0;
    std::map<std::string, std::uint64_t> replies, handoff_reasons;
    std::map<std::string, Entry> entries;  // by kb_id
    std::deque<double> to_handoff;  // seconds from the first message, the last kRecentHandoffs
  };

 private:
  explicit ServiceStats(storage::KvStore& store) : store_(store) {}

  storage::KvStore& store_;
  mutable std::mutex mu_;
  std::uint64_t last_seq_ = 0, persisted_seq_ = 0;
  std::map<std::string, Counts, std::less<>> tenants_;
  std::unordered_map<std::string, TimeMicros> first_message_;  // tenant/conversation -> time
};

}  // namespace finbrain::service
