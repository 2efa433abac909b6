#include "lifecycle/account_lifecycle.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <future>

#include "common/json_text.h"
#include "common/strings.h"
#include "decision/outcome_json.h"
#include "lifecycle/internal/keys.h"

namespace finbrain::lifecycle {

namespace json = boost::json;
using internal::AccountKey;
using internal::HistoryKey;

namespace {

constexpr std::string_view kCheckpointKey = "accounts";
constexpr TimeMicros kDayMicros = 86'400'000'000;

const json::value* Field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v == nullptr || v->is_null() ? nullptr : v;
}

std::string TextField(const json::object& o, std::string_view name) {
  const json::value* v = Field(o, name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<double> NumberField(const json::object& o, std::string_view name) {
  const json::value* v = Field(o, name);
  return v != nullptr && v->is_number() ? std::optional<double>(v->to_number<double>())
                                        : std::nullopt;
}

std::string Number(double v) { return ToJsonText(json::value(v)); }

}  // namespace

// What started a review: an event (its fields become event.*) or a batch run.
struct AccountLifecycle::Trigger {
  std::string type;  // repayment | batch | dry-run
  std::string event_id;
  TimeMicros at = 0;
  json::object event;  // the triggering event's fields
  tenancy::Actor actor;
};

struct AccountLifecycle::Review {
  Account after;
  json::object record;  // the history entry
  json::array changes;
  std::string summary;  // "limit 20000->15000, flags +EW01" (for the audit entry)
};

namespace {

json::value FlagsJson(const std::vector<std::string>& flags) {
  json::array a;
  for (const std::string& f : flags) a.emplace_back(f);
  return a;
}

json::value PendingJson(const std::optional<PendingChange>& p) {
  if (!p) return nullptr;
  return {{"review", p->review},
          {"limit", decision::OptionalJson(p->limit)},
          {"apr", decision::OptionalJson(p->apr)}};
}

// Fills review.changes and review.summary with what differs between `before` and the review's
// `after`.
void Diff(const Account& before, AccountLifecycle::Review& review) {
  const Account& after = review.after;
  const auto add = [&](std::string_view field, json::value from, json::value to) {
    if (!review.summary.empty()) review.summary += ", ";
    review.summary += field;
    review.summary += ' ';
    review.summary += ToJsonText(from);
    review.summary += "->";
    review.summary += ToJsonText(to);
    review.changes.push_back({{"field", field}, {"from", std::move(from)}, {"to", std::move(to)}});
  };
  if (before.limit != after.limit) add("limit", before.limit, after.limit);
  if (before.apr != after.apr) add("apr", before.apr, after.apr);
  if (before.status != after.status)
    add("status", json::value(before.status), json::value(after.status));
  if (before.flags != after.flags) add("flags", FlagsJson(before.flags), FlagsJson(after.flags));
  if (before.pending != after.pending) {
    add("pending", PendingJson(before.pending), PendingJson(after.pending));
  }
}

}  // namespace

StatusOr<std::unique_ptr<AccountLifecycle>> AccountLifecycle::Load(AccountLifecycleDeps deps) {
  std::unique_ptr<AccountLifecycle> lifecycle(new AccountLifecycle(deps));
  Status error;
  FB_RETURN_IF_ERROR(deps.store.Scan(
      storage::Column::kAccounts, "", "", [&](std::string_view key, std::string_view value) {
        StatusOr<Account> account = AccountFromJson(value);
        if (!account.ok()) {
          error = account.status();
          return false;
        }
        const std::string_view tenant = key.substr(0, key.find(internal::kSep));
        lifecycle->by_user_.emplace(AccountKey(tenant, account->user_id), std::string(key));
        lifecycle->accounts_.emplace(std::string(key), std::move(*account));
        return true;
      }));
  FB_RETURN_IF_ERROR(error);
  FB_ASSIGN_OR_RETURN(std::optional<std::string> checkpoint,
                      deps.store.Get(storage::Column::kConsumers, kCheckpointKey));
  if (checkpoint) {
    try {
      lifecycle->last_seq_ = std::stoull(*checkpoint);
    } catch (const std::exception&) {
      return DataLossError("the account lifecycle checkpoint is corrupt");
    }
  }
  return lifecycle;
}

std::optional<Account> AccountFromDrawdown(const ingest::ValidatedEvent& event) {
  json::value storage;
  const json::object* parsed = ingest::Parsed(event, storage);
  if (parsed == nullptr) return std::nullopt;
  const json::object& drawdown = *parsed;
  Account a;
  a.account_id = TextField(drawdown, "loan_id");
  a.user_id = TextField(drawdown, "user_id");
  a.application_id = TextField(drawdown, "application_id");
  a.amount = NumberField(drawdown, "amount").value_or(0);
  a.term_months = int(NumberField(drawdown, "term_months").value_or(0));
  a.apr = NumberField(drawdown, "apr").value_or(0);
  a.limit = a.amount;
  a.product = "loan";
  a.opened_at = event.occurred_at;
  a.installment_amount = NumberField(drawdown, "installment_amount").value_or(0);
  a.next_due_at = a.term_months > 0 ? a.opened_at + 30 * kDayMicros : 0;
  a.initial_limit = a.limit;
  a.initial_apr = a.apr;
  return a;
}

std::optional<RepaymentReport> RepaymentReportOf(const ingest::ValidatedEvent& event) {
  json::value storage;
  const json::object* parsed = ingest::Parsed(event, storage);
  if (parsed == nullptr) return std::nullopt;
  StatusOr<TimeMicros> due = ParseRfc3339(TextField(*parsed, "due_at"));
  if (!due.ok()) return std::nullopt;
  return RepaymentReport{.loan_id = TextField(*parsed, "loan_id"),
                         .installment = int(NumberField(*parsed, "installment").value_or(0)),
                         .due_at = *due,
                         .at = event.occurred_at,
                         .amount_due = NumberField(*parsed, "amount_due").value_or(0),
                         .amount_paid = NumberField(*parsed, "amount_paid").value_or(0),
                         .status = TextField(*parsed, "status")};
}

std::uint64_t AccountLifecycle::accounts() const {
  std::lock_guard lock(mu_);
  return accounts_.size();
}

void AccountLifecycle::Consume(std::uint64_t seq, std::string_view tenant,
                               const ingest::ValidatedEvent& event) {
  if (event.event_type == "loan_drawdown") {
    Open(seq, tenant, event);
  } else if (event.event_type == "repayment") {
    RecordRepayment(tenant, event);
    ReviewOnEvent(seq, tenant, event);
  }
  last_seq_ = seq;
}

void AccountLifecycle::RecordRepayment(std::string_view tenant,
                                       const ingest::ValidatedEvent& event) {
  // The schema requires due_at; a stored event from before cannot lack it.
  const std::optional<RepaymentReport> report = RepaymentReportOf(event);
  if (!report) return;
  const std::string key = AccountKey(tenant, report->loan_id);
  std::lock_guard lock(mu_);
  auto it = accounts_.find(key);
  if (it == accounts_.end()) return;  // a loan FinBrain never saw drawn
  if (ApplyRepayment(it->second, *report)) dirty_.insert(key);
}

std::vector<Account> AccountLifecycle::ForUser(std::string_view tenant,
                                               std::string_view user_id) const {
  std::vector<Account> out;
  std::lock_guard lock(mu_);
  const auto [first, last] = by_user_.equal_range(AccountKey(tenant, user_id));
  for (auto it = first; it != last; ++it) out.push_back(accounts_.at(it->second));
  std::sort(out.begin(), out.end(),
            [](const Account& a, const Account& b) { return a.opened_at < b.opened_at; });
  return out;
}

void AccountLifecycle::Open(std::uint64_t seq, std::string_view tenant,
                            const ingest::ValidatedEvent& event) {
  std::optional<Account> opened = AccountFromDrawdown(event);
  if (!opened) return;
  Account& a = *opened;
  std::string terms_from = "drawdown";
  if (!a.application_id.empty()) {
    // The credit line's terms are the decision's: the drawdown may use only part of the limit.
    StatusOr<std::optional<std::string>> record =
        deps_.decisions.FindByApplication(tenant, a.application_id);
    if (record.ok() && *record) {
      const json::object decided = json::parse(**record).as_object();
      if (TextField(decided, "decision") == "approve") {
        a.limit = NumberField(decided, "limit").value_or(a.limit);
        a.apr = NumberField(decided, "apr").value_or(a.apr);
        terms_from = "decision " + TextField(decided, "decision_id");
      }
      if (const json::value* inputs = Field(decided, "inputs"); inputs && inputs->is_object()) {
        const std::string product = TextField(inputs->get_object(), "product");
        if (!product.empty()) a.product = product;
      }
    }
  }
  a.initial_limit = a.limit;
  a.initial_apr = a.apr;
  a.reviews = 1;
  a.changes = 1;
  a.last_review_at = a.last_change_at = event.occurred_at;
  const std::string key = AccountKey(tenant, a.account_id);
  std::lock_guard lock(mu_);
  if (accounts_.contains(key)) return;  // a replayed or repeated drawdown
  json::object history{
      {"review", 1},
      {"account_id", a.account_id},
      {"at", FormatRfc3339(event.occurred_at)},
      {"action", "open"},
      {"trigger", {{"type", "loan_drawdown"}, {"event_id", event.event_id}}},
      {"terms_from", terms_from},
      {"changes", json::array{{{"field", "limit"}, {"from", nullptr}, {"to", a.limit}},
                              {{"field", "apr"}, {"from", nullptr}, {"to", a.apr}}}}};
  Submit(key, a, ToJsonText(history),
         {.tenant = std::string(tenant),
          .actor = "system",
          .action = "event loan_drawdown",
          .entity = "account/" + a.account_id + " opened, limit " + Number(a.limit) + ", apr " +
                    Number(a.apr),
          .result = "ok"},
         seq);
  by_user_.emplace(AccountKey(tenant, a.user_id), key);
  accounts_.emplace(key, std::move(a));
}

void AccountLifecycle::ReviewOnEvent(std::uint64_t seq, std::string_view tenant,
                                     const ingest::ValidatedEvent& event) {
  StatusOr<std::shared_ptr<const decision::LiveStrategy>> live =
      deps_.strategies.Active(tenant, kAccountStrategy);
  if (!live.ok()) return;  // the tenant reviews no accounts on events
  if ((*live)->strategy->kind().name != kAccountKind) {
    std::lock_guard lock(mu_);
    if (warned_.insert(std::string(tenant)).second) {
      spdlog::warn("tenant {}: strategy '{}' is not an account strategy; no account reviews",
                   tenant, kAccountStrategy);
    }
    return;
  }
  json::value storage;
  const json::object* parsed = ingest::Parsed(event, storage);
  if (parsed == nullptr) return;
  const json::object& fields = *parsed;
  const std::string key = AccountKey(tenant, TextField(fields, "loan_id"));
  Trigger trigger{.type = event.event_type,
                  .event_id = event.event_id,
                  .at = event.occurred_at,
                  .event = fields,
                  .actor = {"system", "event " + event.event_type}};
  std::lock_guard lock(mu_);
  auto it = accounts_.find(key);
  if (it == accounts_.end()) return;  // a loan FinBrain never saw drawn
  Review review = Decide(tenant, it->second, **live, trigger);
  Apply(tenant, it->second, review,
        {.tenant = std::string(tenant), .actor = "system", .action = trigger.actor.action}, seq);
}

AccountLifecycle::Review AccountLifecycle::Decide(std::string_view tenant, const Account& a,
                                                  const decision::LiveStrategy& live,
                                                  const Trigger& trigger) const {
  const TimeMicros at = trigger.at;
  json::object event{{"type", trigger.type}};
  for (std::string_view name :
       {"status", "days_past_due", "amount_due", "amount_paid", "installment"}) {
    if (const json::value* v = trigger.event.if_contains(name)) event[name] = *v;
  }
  const TimeMicros changed = a.last_change_at != 0 ? a.last_change_at : a.opened_at;
  const json::object subject{
      {"account",
       {{"account_id", a.account_id},
        {"user_id", a.user_id},
        {"application_id", a.application_id},
        {"product", a.product},
        {"status", a.status},
        {"limit", a.limit},
        {"apr", a.apr},
        {"amount", a.amount},
        {"term_months", a.term_months},
        {"initial_limit", a.initial_limit},
        {"initial_apr", a.initial_apr},
        {"months_on_book", double(std::max<TimeMicros>(0, at - a.opened_at)) / (30 * kDayMicros)},
        {"days_since_change", double(std::max<TimeMicros>(0, at - changed)) / kDayMicros},
        {"reviews", a.reviews},
        {"flagged", !a.flags.empty()},
        {"outstanding", decision::OptionalJson(Outstanding(a))},
        {"overdue_amount", OverdueAmount(a)},
        {"days_past_due", DaysPastDue(a, at)}}},
      {"event", std::move(event)}};
  const std::string subject_json = ToJsonText(subject);

  decision::DecisionInput input{.subject_json = subject_json};
  input.features = deps_.features.For(tenant);
  if (input.features) {
    input.feature_values = deps_.features.Compute(tenant, {{"user", a.user_id}}, at);
  }
  for (fraud::ListKind kind :
       {fraud::ListKind::kBlacklist, fraud::ListKind::kGreylist, fraud::ListKind::kWhitelist}) {
    StatusOr<std::optional<fraud::ListEntry>> hit =
        deps_.lists.Get(tenant, kind, "user", a.user_id);
    if (hit.ok() && *hit) {
      input.lists["user"] = std::string(fraud::ListKindName(kind));
      break;
    }
  }
  const decision::DecisionOutcome outcome =
      live.strategy->Decide(input, deps_.strategies.Environment(tenant));

  Review review{.after = a};
  Account& after = review.after;
  after.reviews = a.reviews + 1;
  after.last_review_at = at;
  after.flags.clear();
  for (const decision::RuleHit& hit : outcome.rule_hits) {
    if (hit.action == "flag") after.flags.push_back(hit.code.empty() ? hit.rule : hit.code);
  }
  std::sort(after.flags.begin(), after.flags.end());
  after.flags.erase(std::unique(after.flags.begin(), after.flags.end()), after.flags.end());
  const double limit = outcome.limit.value_or(a.limit);
  const double apr = outcome.apr.value_or(a.apr);
  if (outcome.decision == "decline") {
    after.status = "frozen";
    after.pending.reset();
  } else if (outcome.decision == "review") {
    // Held for a person; a proposal equal to the current terms holds nothing.
    const bool same = a.pending && a.pending->limit == limit && a.pending->apr == apr;
    if ((limit != a.limit || apr != a.apr) && !same) {
      after.pending = PendingChange{.review = after.reviews, .limit = limit, .apr = apr};
    }
  } else if (a.status == "active") {
    after.limit = limit;
    after.apr = apr;
    after.pending.reset();
  }  // a frozen account stays frozen (and keeps its terms) until a person unfreezes it
  Diff(a, review);

  json::object features;
  for (size_t i = 0; input.features && i < input.feature_values.size(); ++i) {
    features[input.features->features()[i].name] = decision::OptionalJson(input.feature_values[i]);
  }
  json::object trigger_json{{"type", trigger.type}};
  if (!trigger.event_id.empty()) trigger_json["event_id"] = trigger.event_id;
  review.record = {{"review", after.reviews},
                   {"account_id", a.account_id},
                   {"at", FormatRfc3339(at)},
                   {"action", "review"},
                   {"trigger", std::move(trigger_json)},
                   {"actor", trigger.actor.id},
                   {"strategy", {{"name", live.name}, {"version", live.version}}},
                   {"outcome", decision::OutcomeJson(outcome)},
                   {"inputs", subject},
                   {"features", std::move(features)}};
  return review;
}

void AccountLifecycle::Apply(std::string_view tenant, Account& account, Review& review,
                             tenancy::AuditEntry entry, std::optional<std::uint64_t> seq,
                             Stored stored) {
  const std::string key = AccountKey(tenant, account.account_id);
  if (review.changes.empty()) {
    account.reviews = review.after.reviews;
    account.last_review_at = review.after.last_review_at;
    dirty_.insert(key);
    if (stored) stored(OkStatus());
    return;
  }
  review.after.changes = account.changes + 1;
  review.after.last_change_at = review.after.last_review_at;
  review.record["changes"] = review.changes;
  entry.entity = "account/" + account.account_id + " " + review.summary;
  entry.result = "ok";
  Submit(key, review.after, ToJsonText(review.record), std::move(entry), seq, std::move(stored));
  account = review.after;
}

void AccountLifecycle::Submit(const std::string& key, const Account& account,
                              std::string history_json, tenancy::AuditEntry entry,
                              std::optional<std::uint64_t> seq, Stored stored) {
  storage::WriteBatch batch;
  batch.Put(storage::Column::kAccounts, key, AccountJson(account));
  batch.PutOwned(storage::Column::kAccountHistory, HistoryKey(key, account.reviews),
                 std::move(history_json));
  dirty_.erase(key);
  std::vector<std::string> keys{key};
  if (seq) {
    // The checkpoint moves past every event consumed so far, so what they changed on other
    // accounts (repayments) goes with it; queued, it lands after their earlier writes.
    for (const std::string& other : dirty_) {
      batch.Put(storage::Column::kAccounts, other, AccountJson(accounts_.at(other)));
      keys.push_back(other);
    }
    dirty_.clear();
    batch.Put(storage::Column::kConsumers, kCheckpointKey, std::to_string(*seq));
  }
  for (const std::string& k : keys) ++in_flight_[k];
  ++in_flight_total_;
  // Queued under mu_, so the account's records reach the store in the order they changed.
  deps_.audit.Commit(
      std::move(batch), std::move(entry),
      [this, keys = std::move(keys), stored = std::move(stored)](const Status& written) {
        if (!written.ok()) {
          spdlog::error("account {}: change not stored: {}", keys[0], written.ToString());
        }
        {
          std::lock_guard lock(mu_);
          for (const std::string& k : keys) {
            if (--in_flight_[k] == 0) in_flight_.erase(k);
          }
          --in_flight_total_;
        }
        stored_.notify_all();
        if (stored) stored(written);
      });
}

Status AccountLifecycle::Persist() {
  std::lock_guard lock(mu_);
  storage::WriteBatch batch;
  std::vector<std::string> written;
  for (const std::string& key : dirty_) {
    // A queued change of the same account would land after this write; it carries the counters.
    if (in_flight_.contains(key)) continue;
    batch.Put(storage::Column::kAccounts, key, AccountJson(accounts_.at(key)));
    written.push_back(key);
  }
  if (in_flight_total_ == 0)
    batch.Put(storage::Column::kConsumers, kCheckpointKey, std::to_string(last_seq_));
  if (batch.empty()) return OkStatus();
  // Buffered (see TypeCounts::Persist): a checkpoint that survives a power loss never runs ahead
  // of the events it reflects, and the completion thread does not wait for an fsync.
  FB_RETURN_IF_ERROR(deps_.store.WriteBuffered(batch));
  for (const std::string& key : written) dirty_.erase(key);
  return OkStatus();
}

StatusOr<BatchReviewSummary> AccountLifecycle::ReviewAll(
    std::string_view tenant, std::string_view strategy, TimeMicros at, const tenancy::Actor& actor,
    const std::function<void(size_t, size_t)>& progress) {
  FB_RETURN_IF_ERROR(decision::ValidateStrategyName(strategy));
  FB_ASSIGN_OR_RETURN(std::shared_ptr<const decision::LiveStrategy> live,
                      deps_.strategies.Active(tenant, strategy));
  if (live->strategy->kind().name != kAccountKind) {
    return InvalidArgumentError("strategy " + Quote(strategy) + " is of kind " +
                                    live->strategy->kind().name +
                                    "; account reviews need `kind: account`",
                                "strategy");
  }
  BatchReviewSummary summary{.strategy = std::string(strategy), .version = live->version, .at = at};
  std::vector<std::string> keys;
  const std::string prefix = AccountKey(tenant, "");
  {
    std::lock_guard lock(mu_);
    for (auto it = accounts_.lower_bound(prefix);
         it != accounts_.end() && it->first.starts_with(prefix); ++it) {
      if (it->second.status == "active") keys.push_back(it->first);
    }
  }
  const Trigger trigger{.type = "batch", .at = at, .actor = actor};
  // Changes are queued as they are decided; the answer waits until all are durable.
  auto failed = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::shared_ptr<std::promise<void>> last;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (progress && i % 1000 == 0) progress(i, keys.size());
    std::lock_guard lock(mu_);
    auto it = accounts_.find(keys[i]);
    if (it == accounts_.end() || it->second.status != "active") continue;
    const Account before = it->second;
    Review review = Decide(tenant, before, *live, trigger);
    auto done = std::make_shared<std::promise<void>>();
    Apply(tenant, it->second, review,
          {.tenant = std::string(tenant), .actor = actor.id, .action = actor.action}, std::nullopt,
          [failed, done](const Status& written) {
            if (!written.ok()) ++*failed;
            done->set_value();
          });
    ++summary.reviewed;
    const Account& after = it->second;
    if (review.changes.empty()) continue;
    last = std::move(done);
    ++summary.changed;
    summary.limit_up += after.limit > before.limit;
    summary.limit_down += after.limit < before.limit;
    summary.apr_changed += after.apr != before.apr;
    summary.frozen += after.status == "frozen";
    summary.held += after.pending && after.pending != before.pending;
    for (const std::string& flag : after.flags) {
      if (std::find(before.flags.begin(), before.flags.end(), flag) == before.flags.end())
        ++summary.flags[flag];
    }
  }
  if (last) last->get_future().wait();  // the commit queue completes in submission order
  if (*failed > 0) {
    return UnavailableError(std::to_string(failed->load()) + " of " +
                            std::to_string(summary.changed) +
                            " account changes could not be stored; run the review again");
  }
  if (progress) progress(keys.size(), keys.size());
  return summary;
}

StatusOr<std::string> AccountLifecycle::DryRun(std::string_view tenant, std::string_view account_id,
                                               const decision::Strategy& strategy,
                                               std::string_view name, int version,
                                               TimeMicros at) const {
  if (strategy.kind().name != kAccountKind) {
    return InvalidArgumentError("strategy " + Quote(name) + " is not an account strategy",
                                "strategy");
  }
  // Decide needs a LiveStrategy; the caller's strategy outlives this call.
  const decision::LiveStrategy live{
      .name = std::string(name),
      .version = version,
      .strategy = std::shared_ptr<const decision::Strategy>(&strategy, [](auto*) {})};
  std::lock_guard lock(mu_);
  auto it = accounts_.find(AccountKey(tenant, account_id));
  if (it == accounts_.end()) {
    return NotFoundError("no account " + Quote(account_id), "account_id");
  }
  Review review = Decide(tenant, it->second, live,
                         {.type = "dry-run", .at = at, .actor = {"dry-run", "dry-run"}});
  review.record["changes"] = review.changes;
  review.record["dry_run"] = true;
  return ToJsonText(review.record);
}

StatusOr<std::string> AccountLifecycle::Resolve(std::string_view tenant,
                                                std::string_view account_id,
                                                std::string_view action, std::string_view note,
                                                const tenancy::Actor& actor) {
  if (action != "apply" && action != "dismiss" && action != "unfreeze") {
    return InvalidArgumentError(
        "action must be 'apply', 'dismiss' or 'unfreeze', not " + Quote(action), "action");
  }
  std::unique_lock lock(mu_);
  auto it = accounts_.find(AccountKey(tenant, account_id));
  if (it == accounts_.end()) return NotFoundError("no account " + Quote(account_id), "account_id");
  Account& account = it->second;
  if (action != "unfreeze" && !account.pending) {
    return FailedPreconditionError("account " + Quote(account_id) + " has no pending change",
                                   "action");
  }
  if (action == "unfreeze" && account.status != "frozen") {
    return FailedPreconditionError("account " + Quote(account_id) + " is not frozen", "action");
  }
  const TimeMicros now = deps_.clock.NowMicros();
  Review review{.after = account};
  Account& after = review.after;
  after.reviews = account.reviews + 1;
  after.last_review_at = now;
  if (action == "apply") {
    after.limit = account.pending->limit.value_or(account.limit);
    after.apr = account.pending->apr.value_or(account.apr);
  }
  if (action == "unfreeze") {
    after.status = "active";
  } else {
    after.pending.reset();
  }
  Diff(account, review);
  review.record = {{"review", after.reviews},  {"account_id", account.account_id},
                   {"at", FormatRfc3339(now)}, {"action", action},
                   {"actor", actor.id},        {"note", note}};
  std::promise<Status> stored;
  Apply(tenant, account, review,
        {.tenant = std::string(tenant), .actor = actor.id, .action = actor.action}, std::nullopt,
        [&stored](const Status& written) { stored.set_value(written); });
  const std::string answer = AccountJson(account, now);
  lock.unlock();  // the write's callback takes mu_
  FB_RETURN_IF_ERROR(stored.get_future().get());
  return answer;
}

}  // namespace finbrain::lifecycle
