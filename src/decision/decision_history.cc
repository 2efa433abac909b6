#include "decision/decision_history.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>

#include "common/json_text.h"
#include "common/strings.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;

constexpr int kMaxLimit = 500;
// A page stops after examining this many index entries, so a filter that matches little still
// answers quickly; its next_cursor continues the search.
constexpr int kMaxExamined = 20'000;
constexpr std::int64_t kMicrosPerMinute = 60'000'000;
// tenant/<minute since the epoch, SortableKey> -> DecisionStats::MinuteJson

std::string StatsKey(std::string_view tenant, std::int64_t minute) {
  return std::string(tenant) + "/" + SortableKey(static_cast<std::uint64_t>(minute));
}

std::optional<std::int64_t> MinuteOfKeySuffix(std::string_view suffix) {
  std::int64_t minute = 0;
  const auto [end, ec] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), minute);
  if (ec != std::errc() || end != suffix.data() + suffix.size() || minute < 0) return std::nullopt;
  return minute;
}

std::string InvertedTimeHex(TimeMicros t) {
  const std::uint64_t inverted = std::numeric_limits<std::uint64_t>::max() -
                                 static_cast<std::uint64_t>(std::max<TimeMicros>(t, 0));
  char buffer[17];
  for (int i = 15; i >= 0; --i) buffer[15 - i] = "0123456789abcdef"[(inverted >> (i * 4)) & 0xF];
  buffer[16] = '\0';
  return buffer;
}

std::optional<TimeMicros> TimeOfKeySuffix(std::string_view suffix) {
  std::uint64_t inverted = 0;
  if (suffix.size() < 17 || suffix[16] != '/') return std::nullopt;
  const auto [end, ec] = std::from_chars(suffix.data(), suffix.data() + 16, inverted, 16);
  if (ec != std::errc() || end != suffix.data() + 16) return std::nullopt;
  return static_cast<TimeMicros>(std::numeric_limits<std::uint64_t>::max() - inverted);
}

}  // namespace

std::string DecisionTimeKey(std::string_view tenant, TimeMicros decided_at,
                            std::string_view decision_id) {
  std::string key(tenant);
  key += '/';
  key += InvertedTimeHex(decided_at);
  key += '/';
  key += decision_id;
  return key;
}

StatusOr<DecisionPage> ListDecisions(const storage::KvStore& store, std::string_view tenant,
                                     const DecisionQuery& query) {
  if (query.limit < 1 || query.limit > kMaxLimit) {
    return InvalidArgumentError("limit must be between 1 and " + std::to_string(kMaxLimit),
                                "limit");
  }
  const std::string prefix = std::string(tenant) + "/";
  std::string start_after;
  if (!query.cursor.empty()) {
    if (!TimeOfKeySuffix(query.cursor)) {
      return InvalidArgumentError("cursor is not a next_cursor of this listing", "cursor");
    }
    start_after = prefix + query.cursor;
  } else if (query.to) {
    // Just before the first key at `to` (inverted times grow into the past).
    start_after = prefix + InvertedTimeHex(*query.to + 1) + "/\x7f";
  }
  DecisionPage page;
  int examined = 0;
  std::string last_suffix;
  bool more = false;
  FB_RETURN_IF_ERROR(store.Scan(
      storage::Column::kDecisionsByTime, prefix, start_after,
      [&](std::string_view key, std::string_view value) {
        const std::string_view suffix = key.substr(prefix.size());
        const std::optional<TimeMicros> at = TimeOfKeySuffix(suffix);
        if (!at) return true;  // not an index key; skip
        if (query.from && *at < *query.from) return false;
        if (static_cast<int>(page.summaries.size()) == query.limit || examined == kMaxExamined) {
          more = true;
          return false;
        }
        ++examined;
        last_suffix = std::string(suffix);
        if (query.to && *at > *query.to) return true;
        if (query.kind || query.decision) {
          boost::system::error_code ec;
          const json::value summary = json::parse(value, ec);
          if (ec || !summary.is_object()) return true;
          const json::object& o = summary.get_object();
          const auto matches = [&o](const char* field, const std::optional<std::string>& want) {
            if (!want) return true;
            const json::value* v = o.if_contains(field);
            return v != nullptr && v->is_string() && v->get_string() == *want;
          };
          if (!matches("kind", query.kind) || !matches("decision", query.decision)) return true;
        }
        page.summaries.emplace_back(value);
        return true;
      }));
  if (more) page.next_cursor = last_suffix;
  return page;
}

int DecisionStats::LatencyBucket(double latency_us) {
  if (!(latency_us > 10)) return 0;
  const int bucket = static_cast<int>(std::ceil(std::log(latency_us / 10) / std::log(1.2)));
  return std::clamp(bucket, 0, kLatencyBuckets - 1);
}

double DecisionStats::BucketUpperBound(int bucket) { return 10 * std::pow(1.2, bucket); }

void DecisionStats::Record(std::string_view tenant, TimeMicros at, std::string_view kind,
                           std::string_view decision, double latency_us,
                           const std::vector<Reason>& reasons) {
  const std::int64_t minute = at / kMicrosPerMinute;
  std::string outcome(kind);
  outcome += '.';
  outcome += decision;
  std::lock_guard lock(mu_);
  Tenant& t = tenants_[std::string(tenant)];
  Minute& m = t.minutes[static_cast<size_t>(minute % kMaxMinutes)];
  if (m.minute != minute) m = Minute{.minute = minute};
  m.saved = false;
  ++m.outcomes[outcome];
  ++m.latency[static_cast<size_t>(LatencyBucket(latency_us))];
  for (const Reason& reason : reasons) {
    ++m.reasons[reason.code];
    if (!t.reason_texts.contains(reason.code)) t.reason_texts[reason.code] = reason.text;
  }
}

std::string DecisionStats::SnapshotJson(std::string_view tenant, TimeMicros now,
                                        int minutes) const {
  minutes = std::clamp(minutes, 1, kMaxMinutes);
  const std::int64_t last = now / kMicrosPerMinute;
  std::array<std::uint64_t, kLatencyBuckets> latency{};
  std::map<std::string, std::uint64_t, std::less<>> totals;
  std::map<std::string, std::uint64_t, std::less<>> reasons;
  json::array series;
  const auto percentile = [](const std::array<std::uint64_t, kLatencyBuckets>& histogram,
                             double q) -> json::value {
    std::uint64_t n = 0;
    for (std::uint64_t c : histogram) n += c;
    if (n == 0) return nullptr;
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n)));
    std::uint64_t seen = 0;
    for (int i = 0; i < kLatencyBuckets; ++i) {
      seen += histogram[static_cast<size_t>(i)];
      if (seen >= rank) return std::round(BucketUpperBound(i));
    }
    return std::round(BucketUpperBound(kLatencyBuckets - 1));
  };
  std::lock_guard lock(mu_);
  const auto it = tenants_.find(std::string(tenant));
  for (std::int64_t minute = last - minutes + 1; minute <= last; ++minute) {
    json::object point{{"minute", FormatRfc3339(minute * kMicrosPerMinute)}};
    json::object counts;
    std::array<std::uint64_t, kLatencyBuckets> minute_latency{};
    if (it != tenants_.end()) {
      const Minute& m = it->second.minutes[static_cast<size_t>(minute % kMaxMinutes)];
      if (m.minute == minute) {
        for (const auto& [outcome, n] : m.outcomes) {
          counts[outcome] = n;
          totals[outcome] += n;
        }
        for (size_t i = 0; i < m.latency.size(); ++i) {
          minute_latency[i] = m.latency[i];
          latency[i] += m.latency[i];
        }
        for (const auto& [code, n] : m.reasons) reasons[code] += n;
      }
    }
    point["counts"] = std::move(counts);
    point["p50_us"] = percentile(minute_latency, 0.5);
    point["p99_us"] = percentile(minute_latency, 0.99);
    series.push_back(std::move(point));
  }
  std::vector<std::pair<std::string, std::uint64_t>> ranked(reasons.begin(), reasons.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  json::array top;
  for (size_t i = 0; i < ranked.size() && i < 10; ++i) {
    const auto text = it->second.reason_texts.find(ranked[i].first);
    top.push_back({{"code", ranked[i].first},
                   {"text", text == it->second.reason_texts.end() ? "" : text->second},
                   {"count", ranked[i].second}});
  }
  const auto total_of = [&totals](std::string_view outcome) -> std::uint64_t {
    const auto found = totals.find(outcome);
    return found == totals.end() ? 0 : found->second;
  };
  json::object total;
  for (const auto& [outcome, n] : totals) total[outcome] = n;
  const std::uint64_t credit =
      total_of("credit.approve") + total_of("credit.decline") + total_of("credit.review");
  const auto rate = [credit](std::uint64_t n) -> json::value {
    if (credit == 0) return nullptr;
    return std::round(static_cast<double>(n) / static_cast<double>(credit) * 10000) / 10000;
  };
  json::object out{
      {"tenant", tenant},
      {"minutes", minutes},
      {"since", FormatRfc3339((last - minutes + 1) * kMicrosPerMinute)},
      {"totals", std::move(total)},
      {"credit_decisions", credit},
      {"approval_rate", rate(total_of("credit.approve"))},
      {"decline_rate", rate(total_of("credit.decline"))},
      {"review_rate", rate(total_of("credit.review"))},
      {"fraud_interceptions", total_of("transaction.block") + total_of("transaction.challenge")},
      {"p50_us", percentile(latency, 0.5)},
      {"p99_us", percentile(latency, 0.99)},
      {"top_reasons", std::move(top)},
      {"series", std::move(series)}};
  return ToJsonText(out);
}

std::string DecisionStats::MinuteJson(const Tenant& tenant, const Minute& m) {
  json::object outcomes, latency, reasons, texts;
  for (const auto& [outcome, n] : m.outcomes) outcomes[outcome] = n;
  for (size_t i = 0; i < m.latency.size(); ++i) {
    if (m.latency[i] != 0) latency[std::to_string(i)] = m.latency[i];
  }
  for (const auto& [code, n] : m.reasons) {
    reasons[code] = n;
    if (auto text = tenant.reason_texts.find(code); text != tenant.reason_texts.end()) {
      texts[code] = text->second;
    }
  }
  return ToJsonText(json::object{{"outcomes", std::move(outcomes)},
                                 {"latency", std::move(latency)},
                                 {"reasons", std::move(reasons)},
                                 {"texts", std::move(texts)}});
}

Status DecisionStats::Save(storage::KvStore& store, TimeMicros now) {
  const std::int64_t oldest = now / kMicrosPerMinute - kMaxMinutes + 1;
  std::vector<std::string> tenant_names;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, t] : tenants_) tenant_names.push_back(name);
  }
  // Stored minutes that have left the window (keys are in minute order).
  storage::WriteBatch batch;
  for (const std::string& name : tenant_names) {
    const std::string prefix = name + "/";
    FB_RETURN_IF_ERROR(store.Scan(
        storage::Column::kDecisionStats, prefix, "", [&](std::string_view key, std::string_view) {
          const std::optional<std::int64_t> minute = MinuteOfKeySuffix(key.substr(prefix.size()));
          if (minute && *minute >= oldest) return false;
          batch.Delete(storage::Column::kDecisionStats, key);
          return true;
        }));
  }
  std::vector<std::pair<std::string, std::int64_t>> written;
  {
    std::lock_guard lock(mu_);
    for (auto& [name, t] : tenants_) {
      for (Minute& m : t.minutes) {
        if (m.saved || m.minute < oldest) continue;
        batch.Put(storage::Column::kDecisionStats, StatsKey(name, m.minute), MinuteJson(t, m));
        m.saved = true;
        written.emplace_back(name, m.minute);
      }
    }
  }
  if (batch.empty()) return OkStatus();
  // Buffered: a synced write would hold RocksDB's write queue for an fsync while decisions wait
  // to commit; a power loss can only lose the last few seconds of these counts.
  Status status = store.WriteBuffered(batch);
  if (!status.ok()) {
    std::lock_guard lock(mu_);
    for (const auto& [name, minute] : written) {
      Minute& m = tenants_[name].minutes[static_cast<size_t>(minute % kMaxMinutes)];
      if (m.minute == minute) m.saved = false;
    }
  }
  return status;
}

Status DecisionStats::Load(const storage::KvStore& store, TimeMicros now) {
  const std::int64_t oldest = now / kMicrosPerMinute - kMaxMinutes + 1;
  const auto counts = [](const json::object& o,
                         const std::function<void(std::string_view, std::uint64_t)>& add) {
    for (const auto& [k, v] : o) {
      if (v.is_uint64() || (v.is_int64() && v.get_int64() >= 0)) {
        add(std::string_view(k), v.to_number<std::uint64_t>());
      }
    }
  };
  std::lock_guard lock(mu_);
  return store.Scan(
      storage::Column::kDecisionStats, "", "", [&](std::string_view key, std::string_view value) {
        const size_t slash = key.rfind('/');
        if (slash == std::string_view::npos) return true;
        const std::int64_t minute = MinuteOfKeySuffix(key.substr(slash + 1)).value_or(-1);
        boost::system::error_code ec;
        const json::value parsed = json::parse(value, ec);
        // Telemetry: an unreadable or expired minute is skipped, not a reason to refuse to start.
        if (minute < oldest || ec || !parsed.is_object()) return true;
        const json::object& o = parsed.get_object();
        Tenant& t = tenants_[std::string(key.substr(0, slash))];
        Minute& m = t.minutes[static_cast<size_t>(minute % kMaxMinutes)];
        m = Minute{.minute = minute};
        const auto object = [&o](const char* field) {
          const json::value* v = o.if_contains(field);
          return v != nullptr && v->is_object() ? v->get_object() : json::object();
        };
        counts(object("outcomes"),
               [&](std::string_view k, std::uint64_t n) { m.outcomes[std::string(k)] = n; });
        counts(object("reasons"),
               [&](std::string_view k, std::uint64_t n) { m.reasons[std::string(k)] = n; });
        counts(object("latency"), [&](std::string_view k, std::uint64_t n) {
          int bucket = -1;
          std::from_chars(k.data(), k.data() + k.size(), bucket);
          if (bucket >= 0 && bucket < kLatencyBuckets) {
            m.latency[static_cast<size_t>(bucket)] = static_cast<std::uint32_t>(n);
          }
        });
        for (const auto& [code, text] : object("texts")) {
          if (text.is_string()) t.reason_texts.try_emplace(std::string(code), text.get_string());
        }
        return true;
      });
}

}  // namespace finbrain::decision
