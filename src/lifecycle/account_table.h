// AccountTable: the training table of a behaviour model (a "B-card"). Every drawn account at
// regular review points after it opened, with what was known about it then and whether it went
// bad in the horizon after the point; `finbrain features backfill` adds the user's feature
// windows as of each point, and `finbrain train` fits the model an account strategy reads
// (`models: [{name: behaviour, model: ...}]`, its inputs found as `account.*` and `features.*`).
//
// Example:
//   AccountTable table({.every = 30 * kDay, .horizon = 90 * kDay});
//   for (const ValidatedEvent& e : events) table.Add(e);   // loan_drawdown and repayment
//   for (const AccountPoint& p : table.Points()) ...
//
// A point is kept when its whole horizon lies within the events (no censored outcome), while
// instalments are still due (at most the term), and while the account has not gone bad before
// it (an account already in arrears is a collections case, not a behaviour-score one).
//
// Thread-safety: none.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "ingest/event_schema.h"

namespace finbrain::lifecycle {

struct AccountTableOptions {
  TimeMicros every = 30LL * 86'400'000'000;    // review points: opened_at + k * every, k >= 1
  TimeMicros horizon = 90LL * 86'400'000'000;  // the outcome window after a point
  // Bad: an instalment missed, or paid this many days past due or more.
  int bad_days_past_due = 30;
};

// One account at one review point: what an account strategy reads as `account.*` then.
struct AccountPoint {
  std::string account_id, user_id;
  TimeMicros at = 0;
  double months_on_book = 0;  // (at - opened_at) / 30 days, as account.months_on_book
  double amount = 0;          // drawn
  double initial_apr = 0;
  double term_months = 0;
  bool bad = false;  // went bad in (at, at + horizon]
};

class AccountTable {
 public:
  explicit AccountTable(AccountTableOptions options) : options_(options) {}

  // Takes loan_drawdown and repayment events (others are ignored), in any order.
  Status Add(const ingest::ValidatedEvent& event);
  // The review points, by account then time.
  std::vector<AccountPoint> Points() const;

 private:
  struct Loan {
    std::string user_id;
    TimeMicros opened_at = -1;  // -1: no drawdown seen
    double amount = 0, apr = 0, term_months = 0;
    std::vector<TimeMicros> bad_at;  // times of repayments that count as bad
  };
  AccountTableOptions options_;
  std::map<std::string, Loan> loans_;
  TimeMicros last_event_ = 0;
};

// The table of the events of `events_path` (a JSONL file or a directory of them) written as CSV
// to `out_path`: account_id, user_id, occurred_at (the point), months_on_book, amount,
// initial_apr, term_months, bad (0/1). Ids are written as the events carry them.
struct AccountTableSummary {
  size_t points = 0;
  size_t bad = 0;
};
StatusOr<AccountTableSummary> WriteAccountTable(const std::string& events_path,
                                                const std::string& out_path,
                                                const AccountTableOptions& options);

}  // namespace finbrain::lifecycle
