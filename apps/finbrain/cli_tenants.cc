// `finbrain tenant create|list` and `finbrain key create|list|revoke`: the admin API, on a
// running server (--url with the admin token) or on a data directory no server holds.
#include <boost/json.hpp>
#include <iomanip>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/strings.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

// Admin commands without a target act on the configuration's data directory.
StatusOr<std::string> CallAdmin(const GlobalOptions& global, Target target, const ApiCall& call) {
  if (target.url.empty() && target.data_dir.empty()) {
    FB_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(global));
    target.data_dir = config.data_dir;
  }
  return CallApi(target, call);
}

struct Column {
  std::string field, label;
  int width;
};

// The answer's `list` as a table of `columns` ("-" for an absent or null field).
void PrintTable(const json::value& answer, std::string_view list,
                const std::vector<Column>& columns) {
  std::cout << std::left;
  for (const Column& c : columns) std::cout << std::setw(c.width) << c.label;
  std::cout << "\n";
  for (const json::value& row : answer.at(list).as_array()) {
    for (const auto& [name, label, width] : columns) {
      const json::value* v = row.as_object().if_contains(name);
      std::cout << std::setw(width) << (v && v->is_string() ? std::string(v->as_string()) : "-");
    }
    std::cout << "\n";
  }
}

struct AdminCommand {
  Target target;
  std::string name;  // tenant name or key id
  double rps = 0, burst = 0;
};

}  // namespace

void AddTenantCommands(CLI::App& app, GlobalOptions& global, Action& run) {
  CLI::App* tenant = app.add_subcommand("tenant", "Manage tenants");
  tenant->require_subcommand(1);
  CLI::App* key = app.add_subcommand("key", "Manage API keys");
  key->require_subcommand(1);
  // One admin subcommand: its arguments, and the request (and output) they make.
  const auto add = [&](CLI::App* group, const char* name, const char* about, const char* argument,
                       const char* argument_help,
                       std::function<Status(const AdminCommand&)> action) {
    auto c = std::make_shared<AdminCommand>();
    CLI::App* cmd = group->add_subcommand(name, about);
    if (argument != nullptr) cmd->add_option(argument, c->name, argument_help)->required();
    AddAdminTargetOptions(cmd, c->target);
    cmd->callback([&run, c, action] { run = [c, action] { return action(*c); }; });
    return std::make_pair(cmd, c);
  };
  const auto print = [&global](const AdminCommand& c, ApiCall call) -> Status {
    FB_ASSIGN_OR_RETURN(std::string answer, CallAdmin(global, c.target, call));
    std::cout << answer << "\n";
    return OkStatus();
  };

  auto [create, created] =
      add(tenant, "create", "Create a tenant and print its first API key (shown once)", "name",
          "Tenant name: lowercase letters, digits, '-', '_'", [print](const AdminCommand& c) {
            json::object body{{"name", c.name}};
            if (c.rps > 0) {
              body["rate_limit"] = {{"requests_per_second", c.rps},
                                    {"burst", c.burst > 0 ? c.burst : c.rps}};
            }
            return print(c, {"POST", "/admin/v1/tenants", ToJsonText(body)});
          });
  create->add_option("--rate-limit", created->rps, "Requests per second for this tenant")
      ->check(CLI::PositiveNumber);
  create->add_option("--burst", created->burst, "Burst size for this tenant")
      ->check(CLI::PositiveNumber);

  add(tenant, "list", "List tenants", nullptr, nullptr, [&global](const AdminCommand& c) {
    FB_ASSIGN_OR_RETURN(std::string answer,
                        CallAdmin(global, c.target, {"GET", "/admin/v1/tenants", ""}));
    PrintTable(json::parse(answer), "tenants",
               {{"tenant", "TENANT", 32}, {"created_at", "CREATED", 28}});
    return OkStatus();
  });
  add(key, "create", "Create another API key for a tenant (shown once)", "tenant", "Tenant name",
      [print](const AdminCommand& c) {
        return print(c, {"POST", "/admin/v1/tenants/" + PercentEncode(c.name) + "/keys", ""});
      });
  add(key, "revoke", "Revoke an API key; requests with it then get 403", "key_id",
      "Key id (the part after fbk_)", [print](const AdminCommand& c) {
        return print(c, {"DELETE", "/admin/v1/keys/" + PercentEncode(c.name), ""});
      });
  add(key, "list", "List a tenant's API keys (ids only; secrets are never stored)", "tenant",
      "Tenant name", [&global](const AdminCommand& c) {
        FB_ASSIGN_OR_RETURN(
            std::string answer,
            CallAdmin(global, c.target,
                      {"GET", "/admin/v1/tenants/" + PercentEncode(c.name) + "/keys", ""}));
        PrintTable(json::parse(answer), "keys",
                   {{"key_id", "KEY ID", 20},
                    {"created_at", "CREATED", 28},
                    {"revoked_at", "REVOKED", 28}});
        return OkStatus();
      });
}

}  // namespace finbrain::cli
