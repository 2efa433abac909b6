#include "lifecycle/account.h"

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

}  // namespace

std::string AccountJson(const Account& a) {
  json::array flags;
  for (const std::string& f : a.flags) flags.emplace_back(f);
  json::value pending = nullptr;
  if (a.pending) {
    pending = json::object{{"review", a.pending->review},
                           {"limit", OptionalNumber(a.pending->limit)},
                           {"apr", OptionalNumber(a.pending->apr)}};
  }
  return ToJsonText(json::object{{"account_id", a.account_id},
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
                                 {"last_change_at", TimeOrEmpty(a.last_change_at)}});
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
  } catch (const std::exception& e) {
    return DataLossError(std::string("stored account is corrupt: ") + e.what());
  }
  return a;
}

}  // namespace finbrain::lifecycle
