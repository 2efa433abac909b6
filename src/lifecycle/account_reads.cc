// Reading the account lifecycle: one account with its history, pages of accounts, and the
// summary of a batch review.
#include <boost/json.hpp>

#include "common/json_text.h"
#include "lifecycle/account_lifecycle.h"
#include "lifecycle/internal/keys.h"

namespace finbrain::lifecycle {

namespace json = boost::json;
using internal::AccountKey;
using internal::kSep;

std::string BatchReviewSummaryJson(const BatchReviewSummary& s) {
  json::object flags;
  for (const auto& [code, n] : s.flags) flags[code] = n;
  return ToJsonText(json::object{{"strategy", s.strategy},
                                 {"version", s.version},
                                 {"at", FormatRfc3339(s.at)},
                                 {"reviewed", s.reviewed},
                                 {"changed", s.changed},
                                 {"limit_up", s.limit_up},
                                 {"limit_down", s.limit_down},
                                 {"apr_changed", s.apr_changed},
                                 {"frozen", s.frozen},
                                 {"held", s.held},
                                 {"flags", std::move(flags)}});
}

StatusOr<std::string> AccountLifecycle::Get(std::string_view tenant, std::string_view account_id,
                                            size_t history) const {
  const std::string key = AccountKey(tenant, account_id);
  std::string account;
  {
    std::unique_lock lock(mu_);
    auto it = accounts_.find(key);
    if (it == accounts_.end()) return NotFoundError("no account " + Quote(account_id), "id");
    // Read your writes: the history of a change just applied is a group commit away.
    stored_.wait_for(lock, std::chrono::seconds(2), [&] { return !in_flight_.contains(key); });
    account = AccountJson(it->second, deps_.clock.NowMicros());
  }
  std::vector<std::string> entries;
  FB_RETURN_IF_ERROR(deps_.store.Scan(storage::Column::kAccountHistory, key + kSep, "",
                                      [&](std::string_view, std::string_view value) {
                                        entries.emplace_back(value);
                                        return true;
                                      }));
  std::string out = "{\"account\":" + account + ",\"history\":[";
  size_t shown = 0;
  for (auto it = entries.rbegin(); it != entries.rend() && shown < history; ++it, ++shown) {
    if (shown > 0) out += ',';
    out += *it;
  }
  out += "]}";
  return out;
}

std::string AccountLifecycle::List(std::string_view tenant, const ListFilter& filter) const {
  const std::string prefix = AccountKey(tenant, "");
  std::string out = "{\"accounts\":[";
  size_t shown = 0;
  std::string last, next;
  const TimeMicros now = deps_.clock.NowMicros();
  std::lock_guard lock(mu_);
  auto it = filter.after.empty() ? accounts_.lower_bound(prefix)
                                 : accounts_.upper_bound(AccountKey(tenant, filter.after));
  for (; it != accounts_.end() && it->first.starts_with(prefix); ++it) {
    const Account& a = it->second;
    if (!filter.status.empty() && a.status != filter.status) continue;
    if (filter.flag == "*" && a.flags.empty()) continue;
    if (!filter.flag.empty() && filter.flag != "*" &&
        std::find(a.flags.begin(), a.flags.end(), filter.flag) == a.flags.end()) {
      continue;
    }
    if (filter.pending && !a.pending) continue;
    if (shown == filter.limit) {
      next = last;  // more follow: continue after the last one shown
      break;
    }
    if (shown++ > 0) out += ',';
    out += AccountJson(a, now);
    last = a.account_id;
  }
  out += "],\"next\":";
  out += next.empty() ? "null" : ToJsonText(json::value(next));
  out += '}';
  return out;
}

}  // namespace finbrain::lifecycle
