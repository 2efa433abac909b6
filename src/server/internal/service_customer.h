// What the service routes know of a customer: the facts the bot may state about the customer's
// own accounts, and the card an agent sees on a handoff (accounts, risk flags).
#pragma once

#include <boost/json/object.hpp>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "lifecycle/account.h"
#include "runtime/runtime.h"
#include "service/account_answers.h"

namespace finbrain::server::internal {

// An account as the bot may speak of it, at `now` (without its limit history).
service::AccountFacts AccountFactsFrom(const lifecycle::Account& account, TimeMicros now);

// The user's accounts as the bot may speak of them, at `now`.
std::vector<service::AccountFacts> AccountFactsOf(const runtime::Runtime& runtime,
                                                  std::string_view tenant, std::string_view user_id,
                                                  TimeMicros now);

// The handoff's customer card: {"accounts": [{account_id, product, status, limit, outstanding,
// installment_amount, next_due_at, overdue_amount, days_past_due, flags}], "risk_flags":
// [{code, text, at?}]}. Risk flags: the user's list hits, membership of a ring or device farm in
// the entity graph, account early warnings or a freeze, and the behaviour model's reasons on
// sessions of the last 30 days.
boost::json::object CustomerCard(const runtime::Runtime& runtime, std::string_view tenant,
                                 std::string_view user_id, TimeMicros now);

}  // namespace finbrain::server::internal
