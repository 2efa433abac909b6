// Account: a credit account (a drawn loan or credit line) as the account lifecycle keeps it,
// and its JSON form (stored, and answered by GET /v1/accounts/{id}).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace finbrain::lifecycle {

// A change a review proposed but held for a person (the strategy answered "review").
struct PendingChange {
  int review = 0;  // the review that proposed it
  std::optional<double> limit, apr;

  friend bool operator==(const PendingChange&, const PendingChange&) = default;
};

struct Account {
  std::string account_id;  // the loan id of its drawdown
  std::string user_id;
  std::string application_id;  // empty when the drawdown named none
  std::string product;
  double initial_limit = 0;  // the credit decision's limit (or the drawn amount without one)
  double initial_apr = 0;
  double limit = 0;
  double apr = 0;
  double amount = 0;  // drawn
  int term_months = 0;
  TimeMicros opened_at = 0;
  std::string status = "active";   // active | frozen
  std::vector<std::string> flags;  // early-warning codes raised by the last review, sorted
  std::optional<PendingChange> pending;
  int reviews = 0;  // reviews run on it
  int changes = 0;  // reviews that changed it (the length of its history)
  TimeMicros last_review_at = 0;
  TimeMicros last_change_at = 0;

  friend bool operator==(const Account&, const Account&) = default;
};

std::string AccountJson(const Account& account);
StatusOr<Account> AccountFromJson(std::string_view json);

}  // namespace finbrain::lifecycle
