#include "lifecycle/account.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/json_text.h"

namespace finbrain::lifecycle {

namespace json = boost::json;

namespace {

json::value OptionalNumber(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

std::optional<double> NumberOrNull(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return v.to_number<double>();
}

std::string TimeOrEmpty(TimeMicros t) { return t == 0 ? std::string() : FormatRfc3339(t); }

StatusOr<TimeMicros> TimeFromJson(const json::value& v) {
  const std::string_view text = v.as_string();
  if (text.empty()) return TimeMicros(0);
  return ParseRfc3339(text);
}

constexpr TimeMicros kDayMicros = 86'400'000'000;

json::array ArrearsJson(const std::vector<Arrear>& arrears) {
  json::array out;
  for (const Arrear& r : arrears) {
    out.push_back({{"installment", r.installment},
                   {"due_at", FormatRfc3339(r.due_at)},
                   {"amount_due", r.amount_due},
                   {"amount_paid", r.amount_paid}});
  }
  return out;
}

// Accounts stored before repayment state was kept have none of its fields.
Status RepaymentStateFromJson(const json::object& o, Account& a) {
  const json::value* reported = o.if_contains("installments_reported");
  if (reported == nullptr) return OkStatus();
  a.installments_reported = reported->to_number<int>();
  a.installment_amount = o.at("installment_amount").to_number<double>();
  a.repaid = o.at("repaid").to_number<double>();
  FB_ASSIGN_OR_RETURN(a.next_due_at, TimeFromJson(o.at("next_due_at")));
  FB_ASSIGN_OR_RETURN(a.last_repayment_at, TimeFromJson(o.at("last_repayment_at")));
  for (const json::value& v : o.at("arrears").as_array()) {
    const json::object& r = v.as_object();
    Arrear arrear{.installment = r.at("installment").to_number<int>(),
                  .amount_due = r.at("amount_due").to_number<double>(),
                  .amount_paid = r.at("amount_paid").to_number<double>()};
    FB_ASSIGN_OR_RETURN(arrear.due_at, TimeFromJson(r.at("due_at")));
    a.arrears.push_back(arrear);
  }
  return OkStatus();
}

}  // namespace

bool ApplyRepayment(Account& a, const RepaymentReport& r) {
  if (r.installment < 1) return false;
  // Cents: a report of the full amount due settles the instalment whatever its status says.
  const bool settled =
      r.status == "paid" || r.status == "late" || r.amount_paid >= r.amount_due - 0.005;
  a.last_repayment_at = std::max(a.last_repayment_at, r.at);
  auto it = std::find_if(a.arrears.begin(), a.arrears.end(),
                         [&](const Arrear& x) { return x.installment == r.installment; });
  if (it != a.arrears.end()) {
    if (!settled && r.amount_paid <= it->amount_paid) return false;  // older or the same news
    a.repaid += r.amount_paid - it->amount_paid;
    if (settled) {
      a.arrears.erase(it);
    } else {
      it->amount_paid = r.amount_paid;
    }
    return true;
  }
  // An instalment below the highest reported and not in arrears is settled: a replay.
  if (r.installment <= a.installments_reported) return false;
  a.repaid += r.amount_paid;
  if (!settled) {
    a.arrears.push_back({.installment = r.installment,
                         .due_at = r.due_at,
                         .amount_due = r.amount_due,
                         .amount_paid = r.amount_paid});
  }
  a.installments_reported = r.installment;
  a.installment_amount = r.amount_due;
  // The schedule's period as the reports show it (30 days until they say otherwise).
  const TimeMicros period =
      r.due_at > a.opened_at ? (r.due_at - a.opened_at) / r.installment : 30 * kDayMicros;
  a.next_due_at = r.installment < a.term_months ? r.due_at + period : 0;
  return true;
}

double OverdueAmount(const Account& a) {
  double sum = 0;
  for (const Arrear& r : a.arrears) sum += std::max(0.0, r.amount_due - r.amount_paid);
  return sum;
}

int DaysPastDue(const Account& a, TimeMicros at) {
  if (a.arrears.empty() || at <= a.arrears.front().due_at) return 0;
  return static_cast<int>((at - a.arrears.front().due_at) / kDayMicros);
}

std::optional<double> Outstanding(const Account& a) {
  if (a.installment_amount <= 0) return std::nullopt;
  const int left = std::max(0, a.term_months - a.installments_reported);
  return OverdueAmount(a) + a.installment_amount * left;
}

std::string AccountJson(const Account& a, TimeMicros as_of) {
  json::array flags;
  for (const std::string& f : a.flags) flags.emplace_back(f);
  json::value pending = nullptr;
  if (a.pending) {
    pending = json::object{{"review", a.pending->review},
                           {"limit", OptionalNumber(a.pending->limit)},
                           {"apr", OptionalNumber(a.pending->apr)}};
  }
  return ToJsonText(
      json::object{{"account_id", a.account_id},
                   {"user_id", a.user_id},
                   {"application_id", a.application_id},
                   {"product", a.product},
                   {"status", a.status},
                   {"initial_limit", a.initial_limit},
                   {"initial_apr", a.initial_apr},
                   {"limit", a.limit},
                   {"apr", a.apr},
                   {"amount", a.amount},
                   {"term_months", a.term_months},
                   {"opened_at", FormatRfc3339(a.opened_at)},
                   {"flags", std::move(flags)},
                   {"pending", std::move(pending)},
                   {"reviews", a.reviews},
                   {"changes", a.changes},
                   {"last_review_at", TimeOrEmpty(a.last_review_at)},
                   {"last_change_at", TimeOrEmpty(a.last_change_at)},
                   {"installment_amount", a.installment_amount},
                   {"installments_reported", a.installments_reported},
                   {"repaid", a.repaid},
                   {"next_due_at", TimeOrEmpty(a.next_due_at)},
                   {"last_repayment_at", TimeOrEmpty(a.last_repayment_at)},
                   {"arrears", ArrearsJson(a.arrears)},
                   {"outstanding", OptionalNumber(Outstanding(a))},
                   {"overdue_amount", OverdueAmount(a)},
                   {"days_past_due", DaysPastDue(a, as_of != 0 ? as_of : a.last_repayment_at)}});
}

StatusOr<Account> AccountFromJson(std::string_view text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return DataLossError("stored account is not a JSON object");
  Account a;
  try {
    a.account_id = json::value_to<std::string>(o->at("account_id"));
    a.user_id = json::value_to<std::string>(o->at("user_id"));
    a.application_id = json::value_to<std::string>(o->at("application_id"));
    a.product = json::value_to<std::string>(o->at("product"));
    a.status = json::value_to<std::string>(o->at("status"));
    a.initial_limit = o->at("initial_limit").to_number<double>();
    a.initial_apr = o->at("initial_apr").to_number<double>();
    a.limit = o->at("limit").to_number<double>();
    a.apr = o->at("apr").to_number<double>();
    a.amount = o->at("amount").to_number<double>();
    a.term_months = o->at("term_months").to_number<int>();
    FB_ASSIGN_OR_RETURN(a.opened_at, TimeFromJson(o->at("opened_at")));
    for (const json::value& f : o->at("flags").as_array())
      a.flags.push_back(json::value_to<std::string>(f));
    if (const json::object* p = o->at("pending").if_object()) {
      a.pending = PendingChange{.review = p->at("review").to_number<int>(),
                                .limit = NumberOrNull(p->at("limit")),
                                .apr = NumberOrNull(p->at("apr"))};
    }
    a.reviews = o->at("reviews").to_number<int>();
    a.changes = o->at("changes").to_number<int>();
    FB_ASSIGN_OR_RETURN(a.last_review_at, TimeFromJson(o->at("last_review_at")));
    FB_ASSIGN_OR_RETURN(a.last_change_at, TimeFromJson(o->at("last_change_at")));
    FB_RETURN_IF_ERROR(RepaymentStateFromJson(*o, a));
  } catch (const std::exception& e) {
    return DataLossError(std::string("stored account is corrupt: ") + e.what());
  }
  return a;
}

}  // namespace finbrain::lifecycle
