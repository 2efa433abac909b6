// The account strategy kind: what an account review's strategy reads and how it is dry-run.
#include <boost/json.hpp>

#include "lifecycle/account_lifecycle.h"

namespace finbrain::lifecycle {

namespace json = boost::json;

namespace {

std::vector<ingest::EventSchema::ScalarField> AccountFields() {
  using Kind = ingest::EventSchema::ScalarKind;
  std::vector<ingest::EventSchema::ScalarField> fields;
  for (const char* text : {"account.account_id", "account.user_id", "account.application_id",
                           "account.product", "account.status", "event.type", "event.status"}) {
    fields.push_back({text, Kind::kText});
  }
  for (const char* number :
       {"account.limit", "account.apr", "account.amount", "account.term_months",
        "account.months_on_book", "account.days_since_change", "account.reviews",
        "account.initial_limit", "account.initial_apr", "event.days_past_due", "event.amount_due",
        "event.amount_paid", "event.installment"}) {
    fields.push_back({number, Kind::kNumber});
  }
  fields.push_back({"account.flagged", Kind::kBool});
  return fields;
}

}  // namespace

decision::StrategyKind AccountStrategyKind(const AccountLifecycle* accounts, const Clock* clock) {
  decision::StrategyKind kind{
      .name = std::string(kAccountKind),
      .description = "an existing account, on each repayment and in batch reviews",
      .subject_fields = AccountFields(),
      .subject_name = "The account",
      .model_input_prefix = "account.",
      .list_entities = {"user"},
      .signals = {},
      .outputs = {"limit", "apr", "pd", "score"},
      .decisions = {"apply", "hold", "freeze"},
      .dry_run_fields = {"account_id", "at"}};
  if (accounts != nullptr && clock != nullptr) {
    kind.dry_run = [accounts, clock](std::string_view tenant, std::string_view body,
                                     const decision::Strategy& strategy, std::string_view name,
                                     int version) -> StatusOr<std::string> {
      boost::system::error_code ec;
      const json::value parsed = json::parse(body, ec);
      const json::object* o = parsed.if_object();
      const json::value* account = o != nullptr ? o->if_contains("account_id") : nullptr;
      if (account == nullptr || !account->is_string()) {
        return InvalidArgumentError("an account strategy dry-runs on an account_id", "account_id");
      }
      TimeMicros at = clock->NowMicros();
      if (const json::value* at_text = o->if_contains("at"); at_text && !at_text->is_null()) {
        StatusOr<TimeMicros> when = at_text->is_string()
                                        ? ParseRfc3339(std::string_view(at_text->get_string()))
                                        : StatusOr<TimeMicros>(InvalidArgumentError(""));
        if (!when.ok()) return InvalidArgumentError("at must be an RFC 3339 time", "at");
        at = *when;
      }
      return accounts->DryRun(tenant, std::string_view(account->get_string()), strategy, name,
                              version, at);
    };
  }
  return kind;
}

}  // namespace finbrain::lifecycle
