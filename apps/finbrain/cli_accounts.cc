// `finbrain review-accounts` and `finbrain accounts list|show|resolve`: the account lifecycle,
// through a server (--url) or on a data directory (--data-dir). `finbrain accounts table`: a
// behaviour model's training table from event files.
#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <memory>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/progress.h"
#include "common/strings.h"
#include "common/yaml_helpers.h"
#include "ingest/jsonl.h"
#include "lifecycle/account_table.h"
#include "runtime/runtime.h"
#include "tenancy/pii.h"
#include "tenancy/secrets.h"

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

// Every drawn account at review points, with whether it went bad in the horizon after each.
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
  FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(o.events));
  // Ids are written as the events carry them; PII tokens only need to be consistent here.
  tenancy::SecretKey key;
  tenancy::RandomBytes(key.data(), key.size());
  const tenancy::PiiTokenizer tokenizer(key);
  const ingest::EventSchema& schema = ingest::EventSchema::Get();
  lifecycle::AccountTable table(options);
  ingest::JsonlReader reader(files);
  ingest::JsonlReader::Batch batch;
  Progress progress("events", reader.total_bytes());
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      const std::string& line = batch.lines[i];
      if (line.find("\"loan_drawdown\"") == std::string::npos &&
          line.find("\"repayment\"") == std::string::npos) {
        continue;
      }
      StatusOr<ingest::ValidatedEvent> event = schema.ValidateJson(line, tokenizer);
      if (!event.ok()) {
        return InvalidArgumentError(batch.positions[i] + ": " + event.status().message(),
                                    event.status().field());
      }
      Status added = table.Add(*event);
      if (!added.ok()) {
        return InvalidArgumentError(batch.positions[i] + ": " + added.message(), added.field());
      }
    }
    progress.Update(reader.bytes_read());
  }
  FB_RETURN_IF_ERROR(reader.status());
  const std::vector<lifecycle::AccountPoint> points = table.Points();
  progress.Finish(std::to_string(points.size()) + " review points");
  std::ofstream out(o.out);
  if (!out) return UnavailableError("cannot write " + Quote(o.out));
  const auto number = [](double v) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  out << "account_id,user_id,occurred_at,months_on_book,amount,initial_apr,term_months,bad\n";
  size_t bad = 0;
  for (const lifecycle::AccountPoint& p : points) {
    out << CsvField(p.account_id) << ',' << CsvField(p.user_id) << ',' << FormatRfc3339(p.at) << ','
        << number(p.months_on_book) << ',' << number(p.amount) << ',' << number(p.initial_apr)
        << ',' << number(p.term_months) << ',' << (p.bad ? 1 : 0) << '\n';
    bad += p.bad;
  }
  if (!out.flush()) return UnavailableError("cannot write " + Quote(o.out));
  std::cerr << "wrote " << points.size() << " review points (" << bad << " bad within " << o.horizon
            << ") to " << o.out << "\n";
  return OkStatus();
}

// Reviews every active account; prints what changed (JSON).
Status ReviewAccounts(const AccountOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  std::string query = "?strategy=" + PercentEncode(o.strategy);
  if (!o.at.empty()) query += "&at=" + PercentEncode(o.at);
  if (!o.url.empty()) {
    FB_ASSIGN_OR_RETURN(std::string answer,
                        CallTarget(o, "POST", "/v1/accounts/review" + query, ""));
    std::cout << answer << "\n";
    return OkStatus();
  }
  TimeMicros at = SystemClock().NowMicros();
  if (!o.at.empty()) {
    StatusOr<TimeMicros> parsed = ParseRfc3339(o.at);
    if (!parsed.ok()) return InvalidArgumentError("--at must be an RFC 3339 time", "at");
    at = *parsed;
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  std::unique_ptr<Progress> progress;
  FB_ASSIGN_OR_RETURN(
      lifecycle::BatchReviewSummary summary,
      runtime->accounts->ReviewAll(o.tenant, o.strategy, at, {"cli", "cli review-accounts"},
                                   [&progress](size_t done, size_t total) {
                                     if (!progress)
                                       progress = std::make_unique<Progress>("accounts", total);
                                     progress->Update(done, std::to_string(done) + " reviewed");
                                   }));
  if (progress) progress->Finish(std::to_string(summary.reviewed) + " reviewed");
  std::cout << lifecycle::BatchReviewSummaryJson(summary) << "\n";
  return OkStatus();
}

Status ListAccounts(const AccountOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  if (!o.url.empty()) {
    std::string query = "?limit=" + std::to_string(o.filter.limit);
    if (!o.filter.status.empty()) query += "&status=" + PercentEncode(o.filter.status);
    if (!o.filter.flag.empty()) query += "&flag=" + PercentEncode(o.filter.flag);
    if (o.filter.pending) query += "&pending=true";
    if (!o.filter.after.empty()) query += "&after=" + PercentEncode(o.filter.after);
    FB_ASSIGN_OR_RETURN(std::string answer, CallTarget(o, "GET", "/v1/accounts" + query, ""));
    std::cout << answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  std::cout << runtime->accounts->List(o.tenant, o.filter) << "\n";
  return OkStatus();
}

Status ShowAccount(const AccountOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  if (!o.url.empty()) {
    FB_ASSIGN_OR_RETURN(std::string answer,
                        CallTarget(o, "GET", "/v1/accounts/" + PercentEncode(o.account_id), ""));
    std::cout << answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  FB_ASSIGN_OR_RETURN(std::string account, runtime->accounts->Get(o.tenant, o.account_id));
  std::cout << account << "\n";
  return OkStatus();
}

Status ResolveAccount(const AccountOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  if (!o.url.empty()) {
    const std::string body =
        ToJsonText(boost::json::object{{"action", o.action}, {"note", o.note}});
    FB_ASSIGN_OR_RETURN(
        std::string answer,
        CallTarget(o, "POST", "/v1/accounts/" + PercentEncode(o.account_id) + "/resolve", body));
    std::cout << answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  FB_ASSIGN_OR_RETURN(std::string account,
                      runtime->accounts->Resolve(o.tenant, o.account_id, o.action, o.note,
                                                 {"cli", "cli accounts resolve"}));
  std::cout << account << "\n";
  return OkStatus();
}

}  // namespace

void AddAccountCommands(CLI::App& app, GlobalOptions&, Action& run) {
  auto o = std::make_shared<AccountOptions>();
  CLI::App* review = app.add_subcommand(
      "review-accounts", "Review every active account with an account strategy (batch)");
  review->add_option("--strategy", o->strategy, "Account strategy name")->capture_default_str();
  review->add_option("--at", o->at, "Read the windows at this RFC 3339 time (default: now)");
  AddTargetOptions(review, *o);
  review->callback([&run, o] { run = [o] { return ReviewAccounts(*o); }; });

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
  list->callback([&run, o] { run = [o] { return ListAccounts(*o); }; });

  CLI::App* show = accounts->add_subcommand("show", "An account and its explained history");
  show->add_option("account_id", o->account_id, "Account (loan) id")->required();
  AddTargetOptions(show, *o);
  show->callback([&run, o] { run = [o] { return ShowAccount(*o); }; });

  CLI::App* resolve =
      accounts->add_subcommand("resolve", "Apply or dismiss a held change, or unfreeze");
  resolve->add_option("account_id", o->account_id, "Account (loan) id")->required();
  resolve->add_option("--action", o->action, "apply | dismiss | unfreeze")
      ->required()
      ->check(CLI::IsMember({"apply", "dismiss", "unfreeze"}));
  resolve->add_option("--note", o->note, "Why (kept in the account's history)");
  AddTargetOptions(resolve, *o);
  resolve->callback([&run, o] { run = [o] { return ResolveAccount(*o); }; });

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
