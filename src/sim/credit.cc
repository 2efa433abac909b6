// Credit applications, loans, repayments and collections. Default depends on the latent
// creditworthiness and on observable bureau-like signals, so models can learn; planted fraud
// never repays, and applies either for large amounts on a thin file or, camouflaged, like anyone.
#include <cmath>

#include "sim/internal/world.h"

namespace finbrain::sim {
namespace {

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

void World::CreditJourney(Rng& rng, const Person& p, TimeMicros applied_at, const std::string& ip,
                          const std::vector<std::string>& contact_phones, Applicant applicant) {
  if (applied_at >= end()) return;
  const bool fraud = applicant != Applicant::kHonest;
  const bool thin_file = applicant == Applicant::kFraud;  // what gives plain fraud away
  const std::string app_id = "app-" + p.user_id;
  const double z = p.z;
  const int score =
      std::clamp(static_cast<int>(std::lround(650 + 70 * z + rng.Normal(0, 35))), 300, 950);
  const int inquiries_3m = thin_file ? rng.Poisson(3.0) : rng.Poisson(std::exp(0.2 - 0.5 * z));
  const int delinquencies = thin_file ? 0 : rng.Poisson(std::exp(-1.6 - 0.9 * z));
  const double utilization = std::clamp(Sigmoid(-0.8 * z + rng.Normal(0, 0.6)), 0.0, 1.5);
  const int months_on_file =
      thin_file ? rng.Int(0, 12)
                : std::clamp(static_cast<int>(rng.LogNormal(std::log(60.0), 0.6)), 1, 400);
  const double requested =
      thin_file ? 1000.0 * rng.Int(20, 50)
                : 1000.0 * std::max(1.0, std::round(p.income * (1 + 3 * rng.Uniform()) / 1000));
  const int terms[] = {3, 6, 12, 24};
  const int term = terms[rng.Int(0, 3)];
  // The true probability of default: the latent risk plus what the bureau fields reveal.
  const double alpha = std::log(config_.base_default_rate / (1 - config_.base_default_rate)) - 0.7;
  const double pd = Sigmoid(alpha - 1.1 * z + 0.12 * inquiries_3m + 0.3 * delinquencies +
                            0.6 * (utilization - 0.5));
  const bool defaulted = fraud || rng.Chance(pd);

  std::string contacts = "[";
  for (size_t i = 0; i < contact_phones.size(); ++i) {
    if (i > 0) contacts += ',';
    contacts += JsonLine()
                    .Str("phone", contact_phones[i])
                    .Str("relation", thin_file ? "friend" : (i == 0 ? "spouse" : "friend"))
                    .Done();
  }
  contacts += ']';
  const std::string bureau = JsonLine()
                                 .Int("score", score)
                                 .Int("inquiries_3m", inquiries_3m)
                                 .Int("inquiries_12m", inquiries_3m + rng.Poisson(2))
                                 .Int("delinquencies_24m", delinquencies)
                                 .Int("open_accounts", rng.Int(0, 8))
                                 .Real("utilization", std::round(utilization * 100) / 100)
                                 .Num("total_debt", p.income * rng.Uniform() * 6)
                                 .Int("months_on_file", months_on_file)
                                 .Done();
  JsonLine a;
  a.Str("event_id", "appl-" + p.user_id)
      .Str("event_type", "credit_application")
      .Time("occurred_at", applied_at)
      .Str("application_id", app_id)
      .Str("user_id", p.user_id)
      .Str("product", "consumer_credit_line")
      .Num("requested_amount", requested)
      .Int("term_months", term)
      .Num("declared_income", std::round(p.income / 100) * 100)
      .Str("employment", p.occupation == "student"
                             ? "student"
                             : (p.occupation == "shop_owner" ? "self_employed" : "employed"))
      .Str("phone", p.phone)
      .Str("id_number", p.id_number)
      .Str("address", p.address)
      .Raw("contacts", contacts)
      .Raw("bureau", bureau)
      .Str("device_id", p.device.id)
      .Str("ip", ip)
      .Str("channel", "app");
  out_.Event("credit_application", a.Done());
  out_.Truth("applications", JsonLine()
                                 .Str("application_id", app_id)
                                 .Str("user_id", p.user_id)
                                 .Real("pd", pd)
                                 .Bool("defaulted", defaulted)
                                 .Bool("fraud", fraud)
                                 .Done());

  if (!fraud && !rng.Chance(0.85)) return;  // not every approved line is used
  const TimeMicros drawn_at = applied_at + rng.Int(1, 72) * kHour / (fraud ? 12 : 1);
  if (drawn_at >= end()) return;
  const std::string loan_id = "loan-" + p.user_id;
  const double amount = std::round(requested * (fraud ? 1.0 : 0.5 + 0.5 * rng.Uniform()));
  const double apr = std::clamp(0.24 - 0.0004 * (score - 600), 0.08, 0.36);
  const double installment_due = amount * (1 + apr * term / 12.0) / term;
  JsonLine d;
  d.Str("event_id", "draw-" + p.user_id)
      .Str("event_type", "loan_drawdown")
      .Time("occurred_at", drawn_at)
      .Str("loan_id", loan_id)
      .Str("application_id", app_id)
      .Str("user_id", p.user_id)
      .Num("amount", amount)
      .Int("term_months", term)
      .Real("apr", apr)
      .Num("installment_amount", installment_due);
  out_.Event("loan_drawdown", d.Done());

  const int default_at = defaulted ? (fraud ? 1 : rng.Int(1, std::min(term, 6))) : term + 1;
  std::string max_bucket = "current";
  for (int k = 1; k <= term; ++k) {
    const TimeMicros due = drawn_at + k * 30 * kDay;
    if (due >= end()) break;
    JsonLine r;
    r.Str("event_id", "rep-" + loan_id + "-" + std::to_string(k))
        .Str("event_type", "repayment")
        .Str("loan_id", loan_id)
        .Str("user_id", p.user_id)
        .Int("installment", k)
        .Time("due_at", due)
        .Num("amount_due", installment_due);
    if (k < default_at) {
      const bool late = rng.Chance(0.05);
      const int dpd = late ? rng.Int(1, 12) : 0;
      r.Time("occurred_at", due + dpd * kDay)
          .Num("amount_paid", installment_due)
          .Str("status", late ? "late" : "paid")
          .Int("days_past_due", dpd);
      out_.Event("repayment", r.Done());
      continue;
    }
    r.Time("occurred_at", due + kDay)
        .Num("amount_paid", 0)
        .Str("status", "missed")
        .Int("days_past_due", 1);
    out_.Event("repayment", r.Done());
    if (k != default_at) continue;
    // Collections on the first missed instalment: the account rolls M1 -> M2 -> M3+ unless it
    // cures.
    for (int dpd : {3, 12, 35, 65, 95}) {
      const TimeMicros at = due + dpd * kDay;
      if (at >= end()) break;
      const std::string bucket = dpd <= 30 ? "M1" : (dpd <= 60 ? "M2" : "M3+");
      max_bucket = bucket;
      const std::vector<std::string> outcomes = {
          "no_answer", "promise_to_pay", "refused", "paid", "wrong_number", "dispute", "hardship"};
      const std::vector<double> weights =
          fraud ? std::vector<double>{6, 0, 1, 0, 3, 1, 0}
                : (bucket == "M1" ? std::vector<double>{4, 3, 1, 1.2, 0.5, 0.3, 1}
                                  : std::vector<double>{5, 1.5, 2, 0.4, 1, 0.5, 1});
      const std::string& outcome = outcomes[rng.Weighted(weights)];
      JsonLine c;
      c.Str("event_id", "col-" + loan_id + "-" + std::to_string(dpd))
          .Str("event_type", "collection_contact")
          .Time("occurred_at", at + rng.Int(9, 19) * kHour)
          .Str("loan_id", loan_id)
          .Str("user_id", p.user_id)
          .Str("method", dpd <= 12 ? "robot_call" : "call")
          .Str("outcome", outcome)
          .Str("bucket", bucket);
      if (outcome == "promise_to_pay")
        c.Num("promised_amount", installment_due).Time("promised_at", at + 5 * kDay);
      out_.Event("collection_contact", c.Done());
      if (outcome == "paid") break;  // cured
    }
  }
  if (!fraud) {
    AccountConversation(p, {.loan_id = loan_id,
                            .drawn_at = drawn_at,
                            .term = term,
                            .installment = std::round(installment_due * 100) / 100,
                            .default_at = default_at});
  }
  out_.Truth("loans", JsonLine()
                          .Str("loan_id", loan_id)
                          .Str("user_id", p.user_id)
                          .Bool("defaulted", defaulted)
                          .Int("default_installment", defaulted ? default_at : 0)
                          .Str("max_bucket", max_bucket)
                          .Bool("fraud", fraud)
                          .Done());
}

}  // namespace finbrain::sim
