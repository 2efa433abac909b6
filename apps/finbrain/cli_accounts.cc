// `finbrain review-accounts` and `finbrain accounts list|show|resolve`: the account lifecycle,
// through the API of a server (--url) or of a data directory (--data-dir). `finbrain accounts
// table`: a behaviour model's training table from event files (lifecycle/account_table.h).
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "common/yaml_helpers.h"
#include "lifecycle/account_lifecycle.h"
#include "lifecycle/account_table.h"

namespace finbrain::cli {
namespace {

struct AccountOptions : Target {
  std::string strategy{lifecycle::kAccountStrategy};
  std::string at;  // RFC 3339; empty: now
  std::string account_id;
  std::string action;
  std::string note;
  lifecycle::AccountLifecycle::ListFilter filter;
  // accounts table
  std::string events, out, every = "30d", horizon = "90d";
  int bad_days_past_due = 30;
};

Status AccountTableCsv(const AccountOptions& o) {
  lifecycle::AccountTableOptions options{.bad_days_past_due = o.bad_days_past_due};
  for (const auto& [text, into, name] : {std::tuple{&o.every, &options.every, "every"},
                                         std::tuple{&o.horizon, &options.horizon, "horizon"}}) {
    StatusOr<TimeMicros> d = ParseDuration(*text);
    if (!d.ok() || *d <= 0) {
      return InvalidArgumentError(
          std::string("--") + name + " must be a duration like 30d, not " + Quote(*text), name);
    }
    *into = *d;
  }
  FB_ASSIGN_OR_RETURN(lifecycle::AccountTableSummary s,
                      lifecycle::WriteAccountTable(o.events, o.out, options));
  std::cerr << "wrote " << s.points << " review points (" << s.bad << " bad within " << o.horizon
            << ") to " << o.out << "\n";
  return OkStatus();
}

ApiCall ListCall(const AccountOptions& o) {
  std::string query = "?limit=" + std::to_string(o.filter.limit);
  if (!o.filter.status.empty()) query += "&status=" + PercentEncode(o.filter.status);
  if (!o.filter.flag.empty()) query += "&flag=" + PercentEncode(o.filter.flag);
  if (o.filter.pending) query += "&pending=true";
  if (!o.filter.after.empty()) query += "&after=" + PercentEncode(o.filter.after);
  return {"GET", "/v1/accounts" + query, ""};
}

ApiCall ReviewCall(const AccountOptions& o) {
  std::string query = "?strategy=" + PercentEncode(o.strategy);
  if (!o.at.empty()) query += "&at=" + PercentEncode(o.at);
  return {"POST", "/v1/accounts/review" + query, ""};
}

ApiCall ResolveCall(const AccountOptions& o) {
  return {"POST", "/v1/accounts/" + PercentEncode(o.account_id) + "/resolve",
          R"({"action":)" + JsonString(o.action) + R"(,"note":)" + JsonString(o.note) + "}"};
}

}  // namespace

void AddAccountCommands(CLI::App& app, GlobalOptions&, Action& run) {
  auto o = std::make_shared<AccountOptions>();
  CLI::App* review = app.add_subcommand(
      "review-accounts", "Review every active account with an account strategy (batch)");
  review->add_option("--strategy", o->strategy, "Account strategy name")->capture_default_str();
  review->add_option("--at", o->at, "Read the windows at this RFC 3339 time (default: now)");
  AddTargetOptions(review, *o);
  review->callback([&run, o] { run = [o] { return CallApiAndPrint(*o, ReviewCall(*o)); }; });

  CLI::App* accounts =
      app.add_subcommand("accounts", "Credit accounts under the account lifecycle");
  accounts->require_subcommand(1);
  CLI::App* list = accounts->add_subcommand("list", "Accounts, filtered (JSON page)");
  list->add_option("--status", o->filter.status, "active or frozen")
      ->check(CLI::IsMember({"active", "frozen"}));
  list->add_option("--flag", o->filter.flag, "An early-warning code, or * for any");
  list->add_flag("--pending", o->filter.pending, "Only accounts with a change held for a person");
  list->add_option("--limit", o->filter.limit, "Page size")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  list->add_option("--after", o->filter.after, "Continue after this account id");
  AddTargetOptions(list, *o);
  list->callback([&run, o] { run = [o] { return CallApiAndPrint(*o, ListCall(*o)); }; });

  CLI::App* show = accounts->add_subcommand("show", "An account and its explained history");
  show->add_option("account_id", o->account_id, "Account (loan) id")->required();
  AddTargetOptions(show, *o);
  show->callback([&run, o] {
    run = [o] {
      return CallApiAndPrint(*o, {"GET", "/v1/accounts/" + PercentEncode(o->account_id), ""});
    };
  });

  CLI::App* resolve =
      accounts->add_subcommand("resolve", "Apply or dismiss a held change, or unfreeze");
  resolve->add_option("account_id", o->account_id, "Account (loan) id")->required();
  resolve->add_option("--action", o->action, "apply | dismiss | unfreeze")
      ->required()
      ->check(CLI::IsMember({"apply", "dismiss", "unfreeze"}));
  resolve->add_option("--note", o->note, "Why (kept in the account's history)");
  AddTargetOptions(resolve, *o);
  resolve->callback([&run, o] { run = [o] { return CallApiAndPrint(*o, ResolveCall(*o)); }; });

  CLI::App* table = accounts->add_subcommand(
      "table", "A behaviour model's training table: accounts at review points, bad or not");
  table->add_option("--events", o->events, "JSONL file or directory of *.jsonl")->required();
  table->add_option("--out", o->out, "CSV to write (then `features backfill`, `train`)")
      ->required();
  table->add_option("--every", o->every, "Review points every (from opening)")
      ->capture_default_str();
  table->add_option("--horizon", o->horizon, "Outcome window after each point")
      ->capture_default_str();
  table
      ->add_option("--bad-days-past-due", o->bad_days_past_due,
                   "Bad: an instalment missed, or paid this many days late or more")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  table->callback([&run, o] { run = [o] { return AccountTableCsv(*o); }; });
}

}  // namespace finbrain::cli
