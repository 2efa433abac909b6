// What the console reads about past decisions, credit and transaction alike:
//   - a time index ("decisions_by_time": tenant/<inverted time>/<decision id> -> a summary),
//     written in the decision's own commit, so a search lists newest first without a scan of
//     the records;
//   - DecisionStats, live per-minute counts, latency and top decline reasons of the last two
//     hours (the Overview's "what is happening now", not a report). Kept in memory; Save
//     writes the minutes changed since the last Save to the store (the server does so every
//     few seconds and at shutdown) and Load reads them back at start, so a restart keeps the
//     overview.
//
// Example:
//   DecisionQuery q{.decision = "decline", .limit = 20};
//   FB_ASSIGN_OR_RETURN(DecisionPage page, ListDecisions(store, "acme", q));
//
// Thread-safety: ListDecisions is safe to call concurrently; DecisionStats is internally locked.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/kv_store.h"

namespace finbrain::decision {

// The index key of a decision: newest first in key order.
std::string DecisionTimeKey(std::string_view tenant, TimeMicros decided_at,
                            std::string_view decision_id);

struct DecisionQuery {
  std::optional<std::string> kind;      // "credit" | "transaction"
  std::optional<std::string> decision;  // "approve", "decline", "review", "allow", ...
  std::optional<TimeMicros> from;       // decided at or after
  std::optional<TimeMicros> to;         // decided at or before
  int limit = 50;                       // 1..500
  std::string cursor;                   // next_cursor of the previous page
};

struct DecisionPage {
  std::vector<std::string> summaries;  // JSON objects, newest first
  std::string next_cursor;             // empty: no more
};

// kInvalidArgument naming "cursor" or "limit" when they are malformed.
StatusOr<DecisionPage> ListDecisions(const storage::KvStore& store, std::string_view tenant,
                                     const DecisionQuery& query);

class DecisionStats {
 public:
  struct Reason {
    std::string code;
    std::string text;
  };
  // One stored decision: `kind` credit/transaction, `decision` its outcome, `reasons` those of
  // a decline/review/block/challenge.
  void Record(std::string_view tenant, TimeMicros at, std::string_view kind,
              std::string_view decision, double latency_us, const std::vector<Reason>& reasons);

  // The last `minutes` (1..120) minutes up to `now` as JSON: per-minute counts and latency,
  // totals by kind and outcome, p50/p99 latency, top reasons, fraud interceptions.
  std::string SnapshotJson(std::string_view tenant, TimeMicros now, int minutes) const;

  static constexpr int kMaxMinutes = 120;

  // Writes the minutes recorded into since the last Save, and deletes stored minutes older than
  // the window before `now`. A failed write leaves them to the next Save.
  Status Save(storage::KvStore& store, TimeMicros now);
  // Reads the stored minutes of the window before `now` (call before recording).
  Status Load(const storage::KvStore& store, TimeMicros now);

 private:
  // Latency buckets: upper bounds 10 µs · 1.2^i, so a percentile is known to within 20%.
  static constexpr int kLatencyBuckets = 90;
  struct Minute {
    std::int64_t minute = -1;  // minutes since the epoch; -1: empty
    std::map<std::string, std::uint64_t, std::less<>> outcomes;  // "credit.approve" -> n
    std::array<std::uint32_t, kLatencyBuckets> latency{};
    std::map<std::string, std::uint64_t, std::less<>> reasons;  // code -> n
    bool saved = true;  // false: recorded into since the last Save
  };
  struct Tenant {
    std::array<Minute, kMaxMinutes> minutes;
    std::unordered_map<std::string, std::string> reason_texts;
  };
  static int LatencyBucket(double latency_us);
  static std::string MinuteJson(const Tenant& tenant, const Minute& minute);
  static double BucketUpperBound(int bucket);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Tenant> tenants_;
};

}  // namespace finbrain::decision
