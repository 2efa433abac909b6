#include "server/internal/service_customer.h"

#include <boost/json.hpp>

#include "decision/outcome_json.h"
#include "fraud/behaviour_store.h"
#include "fraud/list_store.h"
#include "graph/graph_store.h"
#include "lifecycle/account_lifecycle.h"

namespace finbrain::server::internal {
namespace {

namespace json = boost::json;

constexpr TimeMicros kRecentSecurity = 30LL * 86'400'000'000;

// The latest change of the account's limit in its history (newest first), with the texts of
// the review's reasons.
std::optional<service::AccountFacts::LimitChange> LastLimitChange(const json::array& history) {
  for (const json::value& v : history) {
    const json::object& review = v.as_object();
    const json::value* changes = review.if_contains("changes");
    if (changes == nullptr || !changes->is_array()) continue;
    for (const json::value& change : changes->get_array()) {
      const json::object& c = change.as_object();
      if (c.at("field") != "limit" || !c.at("from").is_number()) continue;
      service::AccountFacts::LimitChange out{.from = c.at("from").to_number<double>(),
                                             .to = c.at("to").to_number<double>()};
      if (StatusOr<TimeMicros> at = ParseRfc3339(review.at("at").as_string()); at.ok()) {
        out.at = *at;
      }
      if (const json::value* outcome = review.if_contains("outcome")) {
        for (const json::value& r : outcome->at("reasons").as_array())
          out.reasons.push_back(json::value_to<std::string>(r.at("text")));
      }
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace

service::AccountFacts AccountFactsFrom(const lifecycle::Account& a, TimeMicros now) {
  service::AccountFacts f{.account_id = a.account_id,
                          .product = a.product,
                          .status = a.status,
                          .limit = a.limit,
                          .initial_limit = a.initial_limit,
                          .opened_at = a.opened_at,
                          .outstanding = lifecycle::Outstanding(a),
                          .overdue_amount = lifecycle::OverdueAmount(a),
                          .days_past_due = lifecycle::DaysPastDue(a, now),
                          .next_due_at = a.next_due_at};
  if (a.installment_amount > 0) f.installment_amount = a.installment_amount;
  return f;
}

std::vector<service::AccountFacts> AccountFactsOf(const runtime::Runtime& runtime,
                                                  std::string_view tenant, std::string_view user_id,
                                                  TimeMicros now) {
  std::vector<service::AccountFacts> out;
  for (const lifecycle::Account& a : runtime.accounts->ForUser(tenant, user_id)) {
    service::AccountFacts f = AccountFactsFrom(a, now);
    if (a.changes > 1) {  // opened, then changed: the history says when and why
      if (StatusOr<std::string> record = runtime.accounts->Get(tenant, a.account_id, 20);
          record.ok()) {
        f.last_limit_change = LastLimitChange(json::parse(*record).at("history").as_array());
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

json::object CustomerCard(const runtime::Runtime& runtime, std::string_view tenant,
                          std::string_view user_id, TimeMicros now) {
  json::array accounts, flags;
  const auto flag = [&](std::string code, std::string text, TimeMicros at = 0) {
    json::object f{{"code", std::move(code)}, {"text", std::move(text)}};
    if (at != 0) f["at"] = FormatRfc3339(at);
    flags.push_back(std::move(f));
  };
  for (const lifecycle::Account& a : runtime.accounts->ForUser(tenant, user_id)) {
    json::array account_flags(a.flags.begin(), a.flags.end());
    accounts.push_back(
        {{"account_id", a.account_id},
         {"product", a.product},
         {"status", a.status},
         {"limit", a.limit},
         {"outstanding", decision::OptionalJson(lifecycle::Outstanding(a))},
         {"installment_amount",
          a.installment_amount > 0 ? json::value(a.installment_amount) : json::value(nullptr)},
         {"next_due_at",
          a.next_due_at != 0 ? json::value(FormatRfc3339(a.next_due_at)) : json::value(nullptr)},
         {"overdue_amount", lifecycle::OverdueAmount(a)},
         {"days_past_due", lifecycle::DaysPastDue(a, now)},
         {"flags", std::move(account_flags)}});
    if (a.status == "frozen") flag("account_frozen", "account " + a.account_id + " is frozen");
    for (const std::string& f : a.flags) {
      flag("early_warning:" + f, "account " + a.account_id + " raised early warning " + f);
    }
  }
  for (fraud::ListKind kind :
       {fraud::ListKind::kBlacklist, fraud::ListKind::kGreylist, fraud::ListKind::kWhitelist}) {
    StatusOr<std::optional<fraud::ListEntry>> hit =
        runtime.lists->Get(tenant, kind, "user", user_id);
    if (hit.ok() && *hit) {
      flag("list:" + std::string(fraud::ListKindName(kind)), (*hit)->reason, (*hit)->created_at);
    }
  }
  if (const std::shared_ptr<const graph::EntityGraph> g = runtime.graph->For(tenant)) {
    if (const std::optional<graph::RingInfo> group = g->GroupOf(user_id); group && group->is_ring) {
      flag(group->kind, "member of a " + group->kind + " of " +
                            std::to_string(group->members.size()) + " users sharing " +
                            std::to_string(group->links.size()) + " identifiers");
    }
  }
  if (const std::optional<fraud::UserActivity> activity =
          runtime.behaviour->Activity(tenant, user_id)) {
    for (const fraud::ScoredSession& s : activity->sessions) {
      if (now - s.at > kRecentSecurity) continue;
      for (const fraud::Reason& r : s.score.reasons) {
        flag("behaviour:" + r.code, r.text + " (session " + s.session_id + ")", s.at);
      }
    }
  }
  return {{"accounts", std::move(accounts)}, {"risk_flags", std::move(flags)}};
}

}  // namespace finbrain::server::internal
