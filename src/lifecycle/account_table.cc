#include "lifecycle/account_table.h"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>

#include "common/strings.h"
#include "ingest/jsonl.h"
#include "tenancy/secrets.h"

namespace finbrain::lifecycle {
namespace {

namespace json = boost::json;

constexpr TimeMicros kMonth = 30LL * 86'400'000'000;

double Number(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v != nullptr && v->is_number() ? v->to_number<double>() : 0;
}

std::string Text(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

Status AccountTable::Add(const ingest::ValidatedEvent& event) {
  if (event.event_type != "loan_drawdown" && event.event_type != "repayment") return OkStatus();
  json::value storage;
  const json::object* o = ingest::Parsed(event, storage);
  if (o == nullptr) return InvalidArgumentError("event " + event.event_id + " is not an object");
  const std::string loan_id = Text(*o, "loan_id");
  if (loan_id.empty()) {
    return InvalidArgumentError(event.event_type + " " + event.event_id + " has no loan_id",
                                "loan_id");
  }
  last_event_ = std::max(last_event_, event.occurred_at);
  Loan& loan = loans_[loan_id];
  if (loan.user_id.empty()) loan.user_id = Text(*o, "user_id");
  if (event.event_type == "loan_drawdown") {
    loan.opened_at = event.occurred_at;
    loan.amount = Number(*o, "amount");
    loan.apr = Number(*o, "apr");
    loan.term_months = Number(*o, "term_months");
  } else if (Text(*o, "status") == "missed" ||
             Number(*o, "days_past_due") >= options_.bad_days_past_due) {
    loan.bad_at.push_back(event.occurred_at);
  }
  return OkStatus();
}

std::vector<AccountPoint> AccountTable::Points() const {
  std::vector<AccountPoint> out;
  if (options_.every <= 0 || options_.horizon <= 0) return out;
  for (const auto& [id, loan] : loans_) {
    if (loan.opened_at < 0) continue;  // repayments of a loan drawn before the events
    const TimeMicros first_bad = loan.bad_at.empty()
                                     ? std::numeric_limits<TimeMicros>::max()
                                     : *std::min_element(loan.bad_at.begin(), loan.bad_at.end());
    const TimeMicros term_end = loan.opened_at + TimeMicros(loan.term_months * double(kMonth));
    for (TimeMicros at = loan.opened_at + options_.every;
         at + options_.horizon <= last_event_ && at < term_end && first_bad > at;
         at += options_.every) {
      out.push_back({.account_id = id,
                     .user_id = loan.user_id,
                     .at = at,
                     .months_on_book = double(at - loan.opened_at) / double(kMonth),
                     .amount = loan.amount,
                     .initial_apr = loan.apr,
                     .term_months = loan.term_months,
                     .bad = first_bad <= at + options_.horizon});
    }
  }
  return out;
}

StatusOr<AccountTableSummary> WriteAccountTable(const std::string& events_path,
                                                const std::string& out_path,
                                                const AccountTableOptions& options) {
  FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(events_path));
  // PII tokens only need to agree with each other here.
  const tenancy::PiiTokenizer tokenizer(tenancy::RandomSecretKey());
  AccountTable table(options);
  FB_RETURN_IF_ERROR(ingest::ForEachEvent(
      files, tokenizer,
      [](std::string_view type) { return type == "loan_drawdown" || type == "repayment"; },
      [&table](ingest::ValidatedEvent event) { return table.Add(event); }));
  std::ofstream out(out_path);
  if (!out) return UnavailableError("cannot write " + Quote(out_path));
  out << "account_id,user_id,occurred_at,months_on_book,amount,initial_apr,term_months,bad\n";
  AccountTableSummary summary;
  for (const AccountPoint& p : table.Points()) {
    out << CsvField(p.account_id) << ',' << CsvField(p.user_id) << ',' << FormatRfc3339(p.at) << ','
        << FormatNumber(p.months_on_book) << ',' << FormatNumber(p.amount) << ','
        << FormatNumber(p.initial_apr) << ',' << FormatNumber(p.term_months) << ','
        << (p.bad ? 1 : 0) << '\n';
    ++summary.points;
    summary.bad += p.bad;
  }
  if (!out.flush()) return UnavailableError("cannot write " + Quote(out_path));
  return summary;
}

}  // namespace finbrain::lifecycle
