// The subcommands that work through the API (of a server, or of a data directory): tenants and
// keys, strategies and decisions, accounts, the model registry, feature windows.
#include <boost/json.hpp>
#include <iostream>
#include <map>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/progress.h"
#include "common/strings.h"
#include "features/feature_set.h"
#include "ingest/jsonl.h"
#include "lifecycle/account_lifecycle.h"
#include "models/model.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;
using Targets = Commands::Targets;

std::string E(const std::string& text) { return PercentEncode(text); }

// Errors of a file are reported with its path in front.
Status InFile(const std::string& path, const Status& s) {
  return s.ok() ? s : Status(s.code(), path + ": " + s.message(), s.field());
}

// A strategy file to an API route; with --activate, the new version is activated.
Status SendStrategy(Args& a, const std::string& method, const std::string& path) {
  FB_ASSIGN_OR_RETURN(std::string yaml, ReadFile(a["file"], "file"));
  StatusOr<std::string> answer = CallApi(a, {method, path, yaml});
  if (!answer.ok()) return InFile(a["file"], answer.status());
  if (!a.Flag("activate")) {
    std::cout << *answer << "\n";
    return OkStatus();
  }
  const int version = json::parse(*answer).at("version").to_number<int>();
  return CallApiAndPrint(
      a, {"POST",
          "/v1/strategies/" + E(a["name"]) + "/versions/" + std::to_string(version) + "/activate",
          ""});
}

// Decides every application of a JSONL file and prints the outcome counts (JSON).
Status Decide(Args& a) {
  const std::string path = "/v1/decisions/credit?strategy=" + E(a["strategy"]);
  const std::uint64_t limit = std::uint64_t(a.Number("limit"));
  std::map<std::string, std::uint64_t> outcomes, reasons;
  std::uint64_t done = 0, failed = 0;
  ingest::JsonlReader reader({a["file"]});
  ingest::JsonlReader::Batch batch;
  Progress progress("decisions", reader.total_bytes());
  while ((limit == 0 || done < limit) && reader.Next(256, batch)) {
    for (size_t i = 0; i < batch.lines.size() && (limit == 0 || done < limit); ++i) {
      StatusOr<std::string> record = CallApi(a, {"POST", path, batch.lines[i]});
      ++done;
      if (!record.ok()) {
        if (record.status().code() != StatusCode::kInvalidArgument) return record.status();
        std::cerr << batch.positions[i] << ": " << record.status().message() << "\n";
        ++failed;
        continue;
      }
      const json::value r = json::parse(*record);
      ++outcomes[std::string(r.at("decision").as_string())];
      for (const json::value& reason : r.at("reasons").as_array()) {
        if (reason.at("source").as_string().starts_with("rule:")) {
          ++reasons[std::string(reason.at("code").as_string())];
        }
      }
    }
    progress.Update(reader.bytes_read(), std::to_string(done) + " decided");
  }
  FB_RETURN_IF_ERROR(reader.status());
  progress.Finish(std::to_string(done) + " decided");
  json::object counts, codes;
  for (const auto& [k, v] : outcomes) counts[k] = v;
  for (const auto& [k, v] : reasons) codes[k] = v;
  std::cout << ToJsonText(json::object{{"decided", done - failed},
                                       {"rejected", failed},
                                       {"decisions", counts},
                                       {"rule_reasons", codes}})
            << "\n";
  if (failed == 0) return OkStatus();
  return InvalidArgumentError(std::to_string(failed) + " applications were rejected");
}

Status RegisterModel(Args& a) {
  // Loaded (and so validated) here: a broken folder fails before anything is sent or stored.
  FB_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model, models::Model::Load(a["folder"]));
  const std::string versions = "/v1/models/" + E(a["name"]) + "/versions";
  FB_ASSIGN_OR_RETURN(std::string answer,
                      CallApi(a, {"POST", versions,
                                  ToJsonText(json::object{{"manifest", model->ManifestJson()},
                                                          {"xgboost", model->xgboost_json()}})}));
  if (!a["evaluation"].empty()) {
    FB_ASSIGN_OR_RETURN(std::string report, ReadFile(a["evaluation"], "evaluation"));
    const int version = json::parse(answer).at("version").to_number<int>();
    FB_RETURN_IF_ERROR(
        CallApi(a, {"PUT", versions + "/" + std::to_string(version) + "/evaluation", report})
            .status());
  }
  std::cout << answer << "\n";
  return OkStatus();
}

StatusOr<ApiCall> FeatureValues(const Args& a) {
  FB_ASSIGN_OR_RETURN(auto ids, a.Assignments("entity"));
  if (ids.empty()) return InvalidArgumentError("name at least one --entity TYPE=ID", "entity");
  std::string query;
  for (const auto& [type, id] : ids) query += (query.empty() ? "?" : "&") + E(type) + "=" + E(id);
  if (!a["at"].empty()) query += "&at=" + E(a["at"]);
  return ApiCall{"GET", "/v1/features/values" + query, ""};
}

}  // namespace

void AddApiCommands(Commands& c) {
  const Arg file{"file", "Strategy YAML", "", true, CLI::ExistingFile};
  const Arg name{"--name", "Strategy name", "credit"};
  CLI::App* tenant = c.Group("tenant", "Manage tenants");
  c.Api(
      tenant, "create", "Create a tenant and print its first API key (shown once)",
      {{"name", "Tenant name: lowercase letters, digits, '-', '_'", "", true},
       {"--rate-limit", "Requests per second for this tenant", "", false, CLI::PositiveNumber},
       {"--burst", "Burst size for this tenant", "", false, CLI::PositiveNumber}},
      [](const Args& a) -> StatusOr<ApiCall> {
        json::object body{{"name", a["name"]}};
        if (!a["rate-limit"].empty()) {
          const double burst = a["burst"].empty() ? a.Number("rate-limit") : a.Number("burst");
          body["rate_limit"] = {{"requests_per_second", a.Number("rate-limit")}, {"burst", burst}};
        }
        return ApiCall{"POST", "/admin/v1/tenants", ToJsonText(body)};
      });
  c.Api(tenant, "list", "List tenants", {}, [](const Args&) -> StatusOr<ApiCall> {
    return ApiCall{"GET", "/admin/v1/tenants", ""};
  });
  CLI::App* key = c.Group("key", "Manage API keys");
  c.Api(key, "create", "Create another API key for a tenant (shown once)",
        {{"tenant", "Tenant name", "", true}}, [](const Args& a) -> StatusOr<ApiCall> {
          return ApiCall{"POST", "/admin/v1/tenants/" + E(a["tenant"]) + "/keys", ""};
        });
  c.Api(key, "list", "List a tenant's API keys (ids only; secrets are never stored)",
        {{"tenant", "Tenant name", "", true}}, [](const Args& a) -> StatusOr<ApiCall> {
          return ApiCall{"GET", "/admin/v1/tenants/" + E(a["tenant"]) + "/keys", ""};
        });
  c.Api(key, "revoke", "Revoke an API key; requests with it then get 403",
        {{"key_id", "Key id (the part after fbk_)", "", true}},
        [](const Args& a) -> StatusOr<ApiCall> {
          return ApiCall{"DELETE", "/admin/v1/keys/" + E(a["key_id"]), ""};
        });

  CLI::App* strategy = c.Group("strategy", "Decision strategies: validate, put, activate, list");
  c.Add(strategy, "validate", "Compile a strategy file (line:column errors)", {file},
        Targets::kTenant,
        [](Args& a) { return SendStrategy(a, "POST", "/v1/strategies/validate"); });
  c.Add(strategy, "put", "Store a strategy file as a new version",
        {file, name, {"--activate", "Activate the new version", "", false, {}, true}},
        Targets::kTenant,
        [](Args& a) { return SendStrategy(a, "PUT", "/v1/strategies/" + E(a["name"])); });
  c.Api(strategy, "activate", "Activate a stored version",
        {{"version", "Version", "", true, CLI::PositiveNumber}, name},
        [](const Args& a) -> StatusOr<ApiCall> {
          return ApiCall{
              "POST", "/v1/strategies/" + E(a["name"]) + "/versions/" + a["version"] + "/activate",
              ""};
        });
  c.Api(strategy, "list", "The tenant's strategies", {}, [](const Args&) -> StatusOr<ApiCall> {
    return ApiCall{"GET", "/v1/strategies", ""};
  });
  c.Add(nullptr, "decide", "Decide the credit applications of a JSONL file",
        {{"file", "credit_application events (JSONL)", "", true, CLI::ExistingFile},
         {"--strategy", "Strategy name", "credit"},
         {"--limit", "Decide at most this many", "0", false, CLI::NonNegativeNumber}},
        Targets::kTenant, Decide);

  c.Api(nullptr, "review-accounts", "Review every active account with an account strategy (batch)",
        {{"--strategy", "Account strategy name", std::string(lifecycle::kAccountStrategy)},
         {"--at", "Read the windows at this RFC 3339 time (default: now)"}},
        [](const Args& a) -> StatusOr<ApiCall> {
          std::string query = "?strategy=" + E(a["strategy"]);
          if (!a["at"].empty()) query += "&at=" + E(a["at"]);
          return ApiCall{"POST", "/v1/accounts/review" + query, ""};
        });
  CLI::App* accounts = c.Group("accounts", "Credit accounts under the account lifecycle");
  c.Api(accounts, "list", "Accounts, filtered (JSON page)",
        {{"--status", "active or frozen", "", false, CLI::IsMember({"active", "frozen"})},
         {"--flag", "An early-warning code, or * for any"},
         {"--pending", "Only accounts with a change held for a person", "", false, {}, true},
         {"--limit", "Page size", "100", false, CLI::Range(1, 1000)},
         {"--after", "Continue after this account id"}},
        [](const Args& a) -> StatusOr<ApiCall> {
          std::string query = "?limit=" + a["limit"];
          for (const char* field : {"status", "flag", "after"}) {
            if (!a[field].empty()) query += "&" + std::string(field) + "=" + E(a[field]);
          }
          if (a.Flag("pending")) query += "&pending=true";
          return ApiCall{"GET", "/v1/accounts" + query, ""};
        });
  c.Api(accounts, "show", "An account and its explained history",
        {{"account_id", "Account (loan) id", "", true}}, [](const Args& a) -> StatusOr<ApiCall> {
          return ApiCall{"GET", "/v1/accounts/" + E(a["account_id"]), ""};
        });
  c.Api(accounts, "resolve", "Apply or dismiss a held change, or unfreeze",
        {{"account_id", "Account (loan) id", "", true},
         {"--action", "apply | dismiss | unfreeze", "", true,
          CLI::IsMember({"apply", "dismiss", "unfreeze"})},
         {"--note", "Why (kept in the account's history)"}},
        [](const Args& a) -> StatusOr<ApiCall> {
          return ApiCall{"POST", "/v1/accounts/" + E(a["account_id"]) + "/resolve",
                         ToJsonText(json::object{{"action", a["action"]}, {"note", a["note"]}})};
        });

  CLI::App* model = c.Group("model", "Register, list, promote and roll back models");
  c.Add(model, "register", "Store a model folder as a new version",
        {{"folder", "Folder written by `finbrain train`", "", true},
         {"--name", "Model name (a-z, 0-9, _ and -)", "", true},
         {"--evaluation",
          "metrics.json of `finbrain evaluate` (ROC, KS, calibration, fairness), shown by the "
          "console",
          "", false, CLI::ExistingFile}},
        Targets::kTenant, RegisterModel);
  c.Api(
      model, "list", "List models, or one model's versions",
      {{"--name", "Show this model's versions"}}, [](const Args& a) -> StatusOr<ApiCall> {
        return ApiCall{"GET", a["name"].empty() ? "/v1/models" : "/v1/models/" + E(a["name"]), ""};
      });
  c.Api(model, "promote", "Make a version the active one",
        {{"name", "Model name", "", true},
         {"version", "Version to activate", "", true, CLI::PositiveNumber}},
        [](const Args& a) -> StatusOr<ApiCall> {
          return ApiCall{"POST",
                         "/v1/models/" + E(a["name"]) + "/versions/" + a["version"] + "/promote",
                         "{}"};
        });
  c.Api(model, "rollback", "Re-activate the previously active version",
        {{"name", "Model name", "", true}}, [](const Args& a) -> StatusOr<ApiCall> {
          return ApiCall{"POST", "/v1/models/" + E(a["name"]) + "/rollback", "{}"};
        });

  CLI::App* features = c.Group("features", "Feature windows: declare, read, backfill");
  c.Api(features, "set", "Declare the tenant's features (YAML file)",
        {{"file", "Feature set YAML", "", true, CLI::ExistingFile}},
        [](const Args& a) -> StatusOr<ApiCall> {
          // Compiled here first, so a broken file is reported with its path.
          FB_ASSIGN_OR_RETURN(auto set, features::FeatureSet::Load(a["file"]));
          return ApiCall{"PUT", "/v1/features", set->yaml()};
        });
  c.Api(features, "show", "Print the tenant's declared features", {},
        [](const Args&) -> StatusOr<ApiCall> {
          return ApiCall{"GET", "/v1/features", ""};
        });
  c.Api(features, "values", "Online feature values of entities",
        {Repeated(
             "--entity",
             "TYPE=ID, e.g. user=u1 or phone=13800138000; a read_for path takes a comma-separated "
             "list: contacts[].phone=13800138000,13900139000"),
         {"--at", "Point in time (RFC 3339; default now)"}},
        FeatureValues);
}

}  // namespace finbrain::cli
