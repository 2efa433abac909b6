// Account: a credit account (a drawn loan or credit line) as the account lifecycle keeps it,
// and its JSON form (stored, and answered by GET /v1/accounts/{id}).
//
// Repayment state comes only from what the events say: the instalment amount from the
// drawdown's `installment_amount` or the latest repayment's `amount_due` (never estimated from
// the terms), instalments paid, missed or partly paid. A repayment event reports one
// instalment's state (`amount_paid` is what has been paid on it in all), so a replayed or
// repeated event changes nothing.
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

// An instalment missed or paid only in part.
struct Arrear {
  int installment = 0;
  TimeMicros due_at = 0;
  double amount_due = 0, amount_paid = 0;

  friend bool operator==(const Arrear&, const Arrear&) = default;
};

// One repayment event's fields.
struct RepaymentReport {
  std::string loan_id;
  int installment = 0;
  TimeMicros due_at = 0, at = 0;
  double amount_due = 0, amount_paid = 0;
  std::string status;  // paid | late | partial | missed
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
  // Repayment state.
  double installment_amount = 0;  // the scheduled instalment; 0 = not known yet
  int installments_reported = 0;  // the highest instalment a repayment event reported
  double repaid = 0;              // paid in all
  TimeMicros next_due_at = 0;     // the next instalment's due date; 0 = none left
  TimeMicros last_repayment_at = 0;
  std::vector<Arrear> arrears;  // by instalment

  friend bool operator==(const Account&, const Account&) = default;
};

// Applies one repayment event; false when it changes nothing (a replay, or older news).
bool ApplyRepayment(Account& account, const RepaymentReport& report);
double OverdueAmount(const Account& account);
// Days since the oldest unpaid instalment fell due, at `at`; 0 when none is overdue.
int DaysPastDue(const Account& account, TimeMicros at);
// What is left to repay (overdue plus the scheduled instalments not yet due); nullopt while the
// instalment amount is not known.
std::optional<double> Outstanding(const Account& account);

// `as_of` is the time days_past_due is counted at (0: the last repayment event's).
std::string AccountJson(const Account& account, TimeMicros as_of = 0);
StatusOr<Account> AccountFromJson(std::string_view json);

}  // namespace finbrain::lifecycle
