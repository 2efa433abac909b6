// AccountLifecycle: existing credit accounts, reviewed by an account strategy (decision/strategy.h,
// `kind: account`) that reads the account, its repayment and usage windows (features.*) and the
// user's list hits, and adjusts the limit and APR, freezes the account or raises early-warning
// flags.
//
//   loan_drawdown event  -> opens an account (terms from the credit decision on its application,
//                           or the drawdown's own amount and APR)
//   repayment event      -> keeps its repayment state (account.h), then reviews that account
//                           with the tenant's active strategy `accounts`
//   ReviewAll            -> reviews every active account (`finbrain review-accounts`)
//
// The strategy's answer is applied as: approve -> the outcome's limit/apr (absent: unchanged);
// review -> the proposed change is held on the account for a person (Resolve); decline -> the
// account is frozen. Flags are the codes of the `flag` rules that held; they are replaced on
// every review, so an early warning clears when its rule no longer holds.
//
// Every change (opening included) is stored with its explanation (rule hits, reasons, model
// outputs, feature values) as the account's history, and audited, in one durable batch. A
// review that changes nothing only counts (reviews, last_review_at).
//
// An EventConsumer on the ingestion fan-out: add it after the FeatureStore, so that a repayment
// is in the windows when its review runs. Exactly-once: a change carries the event log's
// sequence number as the consumer's checkpoint in its own batch; after a crash the log is
// replayed from the last durable change (a replayed review sees the windows as of the restart).
//
// Thread-safety: Consume/Persist come from the commit thread; everything else from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "decision/credit_decisions.h"
#include "decision/strategy_store.h"
#include "features/feature_store.h"
#include "fraud/list_store.h"
#include "ingest/event_store.h"
#include "lifecycle/account.h"
#include "storage/commit_queue.h"
#include "tenancy/audit_log.h"

namespace finbrain::lifecycle {

// The account a loan_drawdown event opens, on the drawdown's own terms (the lifecycle then takes
// the credit decision's limit, APR and product when the drawdown names an approved
// application); nullopt when the event is not a JSON object.
std::optional<Account> AccountFromDrawdown(const ingest::ValidatedEvent& event);
// A repayment event's report; nullopt without a valid due_at.
std::optional<RepaymentReport> RepaymentReportOf(const ingest::ValidatedEvent& event);

// The strategy event-driven reviews use; batch reviews may name another account strategy.
inline constexpr std::string_view kAccountStrategy = "accounts";

// The account strategy kind (`kind: account`): the subject is {"account": {...}, "event":
// {...}}, read as account.<field> and event.<field> (the repayment that triggered the review;
// event.type is "batch" in a batch review); lists are the user's. Approve applies the outcome's
// limit and APR, review holds the change for a person, decline freezes the account; `flag`
// rules raise early-warning flags.
inline constexpr std::string_view kAccountKind = "account";
class AccountLifecycle;
// With `accounts` and `clock`, the kind's dry runs ({"account_id": ..., "at": ...}) run on it.
decision::StrategyKind AccountStrategyKind(const AccountLifecycle* accounts = nullptr,
                                           const Clock* clock = nullptr);

struct AccountLifecycleDeps {
  storage::KvStore& store;
  tenancy::AuditLog& audit;
  features::FeatureStore& features;
  fraud::ListStore& lists;
  decision::StrategyStore& strategies;
  const decision::CreditDecisions& decisions;
  const Clock& clock;
};

struct BatchReviewSummary {
  std::string strategy;
  int version = 0;
  TimeMicros at = 0;
  std::uint64_t reviewed = 0, changed = 0;
  std::uint64_t limit_up = 0, limit_down = 0, apr_changed = 0, frozen = 0, held = 0;
  std::map<std::string, std::uint64_t> flags;  // code -> accounts flagged by this run
};
std::string BatchReviewSummaryJson(const BatchReviewSummary& summary);

class AccountLifecycle final : public ingest::EventConsumer {
 public:
  static StatusOr<std::unique_ptr<AccountLifecycle>> Load(AccountLifecycleDeps deps);

  // The account and its history (newest first, at most `history` reviews) as JSON:
  // {"account": {...}, "history": [{review}, ...]}; kNotFound when there is none.
  StatusOr<std::string> Get(std::string_view tenant, std::string_view account_id,
                            size_t history = 50) const;

  struct ListFilter {
    std::string status;  // "" = any
    std::string flag;    // "" = any; "*" = any flag raised
    bool pending = false;
    size_t limit = 100;
    std::string after;  // account id to continue after
  };
  // {"accounts": [...], "next": id | null}, by account id.
  std::string List(std::string_view tenant, const ListFilter& filter) const;

  // Reviews every active account of the tenant at `at` with the active version of `strategy`
  // (an account strategy). `progress(done, total)` is called now and then.
  StatusOr<BatchReviewSummary> ReviewAll(std::string_view tenant, std::string_view strategy,
                                         TimeMicros at, const tenancy::Actor& actor,
                                         const std::function<void(size_t, size_t)>& progress = {});

  // What `strategy` would do to the account at `at`, as a review record; nothing is stored.
  StatusOr<std::string> DryRun(std::string_view tenant, std::string_view account_id,
                               const decision::Strategy& strategy, std::string_view name,
                               int version, TimeMicros at) const;

  // A person's answer to a held change or a freeze: "apply" or "dismiss" the pending change,
  // "unfreeze" a frozen account. Audited, with the note in the account's history.
  StatusOr<std::string> Resolve(std::string_view tenant, std::string_view account_id,
                                std::string_view action, std::string_view note,
                                const tenancy::Actor& actor);

  std::uint64_t accounts() const;
  // The user's accounts, oldest first.
  std::vector<Account> ForUser(std::string_view tenant, std::string_view user_id) const;

  std::string_view name() const override { return "accounts"; }
  std::uint64_t checkpoint() const override { return last_seq_.load(); }
  void Consume(std::uint64_t seq, std::string_view tenant,
               const ingest::ValidatedEvent& event) override;
  Status Persist() override;

  struct Trigger;
  struct Review;

 private:
  explicit AccountLifecycle(AccountLifecycleDeps deps) : deps_(deps) {}
  void Open(std::uint64_t seq, std::string_view tenant, const ingest::ValidatedEvent& event);
  // Keeps the account's repayment state (balance, next due, arrears) current.
  void RecordRepayment(std::string_view tenant, const ingest::ValidatedEvent& event);
  void ReviewOnEvent(std::uint64_t seq, std::string_view tenant,
                     const ingest::ValidatedEvent& event);
  // Decides and builds the review of `account`; REQUIRES mu_ (reads only `account`).
  Review Decide(std::string_view tenant, const Account& account,
                const decision::LiveStrategy& strategy, const Trigger& trigger) const;
  // Stores `review` (when it changed something) and applies it; REQUIRES mu_.
  // `stored` (optional) runs once the change is durable (or failed); at once when nothing
  // changed.
  using Stored = std::function<void(const Status&)>;
  void Apply(std::string_view tenant, Account& account, Review& review, tenancy::AuditEntry entry,
             std::optional<std::uint64_t> seq, Stored stored = nullptr);
  // Queues the account's record, its history entry and the audit entry; REQUIRES mu_.
  void Submit(const std::string& key, const Account& account, std::string history_json,
              tenancy::AuditEntry entry, std::optional<std::uint64_t> seq, Stored stored = nullptr);

  AccountLifecycleDeps deps_;
  mutable std::mutex mu_;
  mutable std::condition_variable stored_;                        // a queued write landed
  std::map<std::string, Account, std::less<>> accounts_;          // tenant \x1f account id
  std::multimap<std::string, std::string, std::less<>> by_user_;  // tenant \x1f user -> key
  std::unordered_set<std::string> dirty_;                         // counters not stored yet
  std::unordered_map<std::string, int> in_flight_;                // key -> queued writes
  int in_flight_total_ = 0;
  std::unordered_set<std::string> warned_;  // tenants told their `accounts` is no account strategy
  std::atomic<std::uint64_t> last_seq_{0};
};

}  // namespace finbrain::lifecycle
