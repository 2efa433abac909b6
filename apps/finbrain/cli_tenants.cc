// `finbrain tenant ...` and `finbrain key ...`: through a running server's admin API (--url),
// or straight on a data directory that no server holds (--data-dir).
#include <boost/json.hpp>
#include <iomanip>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "runtime/runtime.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct AdminTarget {
  std::string url;
  std::string data_dir;
  std::string admin_token;
};

void AddAdminTargetOptions(CLI::App* cmd, AdminTarget& target) {
  cmd->add_option("--url", target.url,
                  "Server URL (uses the admin API), e.g. http://127.0.0.1:8080");
  cmd->add_option("--data-dir", target.data_dir, "Data directory, when no server holds it");
  cmd->add_option("--admin-token", target.admin_token, "Admin token for --url")
      ->envname("FINBRAIN_ADMIN_TOKEN");
}

StatusOr<json::value> CallAdmin(const AdminTarget& target, std::string_view method,
                                std::string_view path, const std::string& body) {
  if (target.admin_token.empty()) {
    return InvalidArgumentError(
        "--url needs the admin token: set FINBRAIN_ADMIN_TOKEN or --admin-token", "admin-token");
  }
  FB_ASSIGN_OR_RETURN(std::string answer,
                      CallServer(target.url, method, std::string(path), body, target.admin_token));
  boost::system::error_code ec;
  json::value parsed = json::parse(answer, ec);
  if (ec) return InternalError("server sent invalid JSON");
  return parsed;
}

StatusOr<std::unique_ptr<runtime::Runtime>> OpenDirect(const GlobalOptions& global,
                                                       const AdminTarget& target) {
  std::string data_dir = target.data_dir;
  if (data_dir.empty()) {
    FB_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(global));
    data_dir = config.data_dir;
  }
  return runtime::Runtime::Open({.data_dir = data_dir});
}

void PrintJson(const json::value& v) { std::cout << ToJsonText(v) << "\n"; }

json::object KeyJson(const tenancy::NewApiKey& key) {
  return {{"tenant", key.tenant}, {"key_id", key.key_id}, {"api_key", key.api_key}};
}

const tenancy::Actor kCli{"cli", ""};

}  // namespace

void AddTenantCommands(CLI::App& app, GlobalOptions& global, Action& run) {
  CLI::App* tenant = app.add_subcommand("tenant", "Manage tenants");
  tenant->require_subcommand(1);
  CLI::App* key = app.add_subcommand("key", "Manage API keys");
  key->require_subcommand(1);

  {
    auto target = std::make_shared<AdminTarget>();
    auto name = std::make_shared<std::string>();
    auto rps = std::make_shared<double>(0);
    auto burst = std::make_shared<double>(0);
    CLI::App* cmd = tenant->add_subcommand(
        "create", "Create a tenant and print its first API key (shown once)");
    cmd->add_option("name", *name, "Tenant name: lowercase letters, digits, '-', '_'")->required();
    cmd->add_option("--rate-limit", *rps, "Requests per second for this tenant")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--burst", *burst, "Burst size for this tenant")->check(CLI::PositiveNumber);
    AddAdminTargetOptions(cmd, *target);
    cmd->callback([&global, &run, target, name, rps, burst] {
      run = [&global, target, name, rps, burst]() -> Status {
        std::optional<tenancy::RateLimit> limit;
        if (*rps > 0) limit = tenancy::RateLimit{*rps, *burst > 0 ? *burst : *rps};
        if (!target->url.empty()) {
          json::object body{{"name", *name}};
          if (limit)
            body["rate_limit"] = {{"requests_per_second", limit->requests_per_second},
                                  {"burst", limit->burst}};
          FB_ASSIGN_OR_RETURN(json::value r,
                              CallAdmin(*target, "POST", "/admin/v1/tenants", ToJsonText(body)));
          PrintJson(r);
          return OkStatus();
        }
        FB_ASSIGN_OR_RETURN(auto runtime, OpenDirect(global, *target));
        FB_ASSIGN_OR_RETURN(
            tenancy::NewApiKey k,
            runtime->directory->CreateTenant(*name, limit, {kCli.id, "cli tenant create"}));
        PrintJson(KeyJson(k));
        return OkStatus();
      };
    });
  }
  {
    auto target = std::make_shared<AdminTarget>();
    CLI::App* cmd = tenant->add_subcommand("list", "List tenants");
    AddAdminTargetOptions(cmd, *target);
    cmd->callback([&global, &run, target] {
      run = [&global, target]() -> Status {
        std::vector<std::pair<std::string, std::string>> rows;
        if (!target->url.empty()) {
          FB_ASSIGN_OR_RETURN(json::value r, CallAdmin(*target, "GET", "/admin/v1/tenants", ""));
          for (const auto& t : r.at("tenants").as_array()) {
            rows.emplace_back(t.at("tenant").as_string(), t.at("created_at").as_string());
          }
        } else {
          FB_ASSIGN_OR_RETURN(auto runtime, OpenDirect(global, *target));
          for (const auto& t : runtime->directory->ListTenants())
            rows.emplace_back(t.id, FormatRfc3339(t.created_at));
        }
        std::cout << std::left << std::setw(32) << "TENANT"
                  << "CREATED\n";
        for (const auto& [id, created] : rows) std::cout << std::setw(32) << id << created << "\n";
        return OkStatus();
      };
    });
  }
  {
    auto target = std::make_shared<AdminTarget>();
    auto name = std::make_shared<std::string>();
    CLI::App* cmd =
        key->add_subcommand("create", "Create another API key for a tenant (shown once)");
    cmd->add_option("tenant", *name, "Tenant name")->required();
    AddAdminTargetOptions(cmd, *target);
    cmd->callback([&global, &run, target, name] {
      run = [&global, target, name]() -> Status {
        if (!target->url.empty()) {
          FB_ASSIGN_OR_RETURN(json::value r, CallAdmin(*target, "POST",
                                                       "/admin/v1/tenants/" + *name + "/keys", ""));
          PrintJson(r);
          return OkStatus();
        }
        FB_ASSIGN_OR_RETURN(auto runtime, OpenDirect(global, *target));
        FB_ASSIGN_OR_RETURN(tenancy::NewApiKey k,
                            runtime->directory->CreateKey(*name, {kCli.id, "cli key create"}));
        PrintJson(KeyJson(k));
        return OkStatus();
      };
    });
  }
  {
    auto target = std::make_shared<AdminTarget>();
    auto key_id = std::make_shared<std::string>();
    CLI::App* cmd =
        key->add_subcommand("revoke", "Revoke an API key; requests with it then get 403");
    cmd->add_option("key_id", *key_id, "Key id (the part after fbk_)")->required();
    AddAdminTargetOptions(cmd, *target);
    cmd->callback([&global, &run, target, key_id] {
      run = [&global, target, key_id]() -> Status {
        if (!target->url.empty()) {
          FB_ASSIGN_OR_RETURN(json::value r,
                              CallAdmin(*target, "DELETE", "/admin/v1/keys/" + *key_id, ""));
          PrintJson(r);
          return OkStatus();
        }
        FB_ASSIGN_OR_RETURN(auto runtime, OpenDirect(global, *target));
        FB_RETURN_IF_ERROR(runtime->directory->RevokeKey(*key_id, {kCli.id, "cli key revoke"}));
        PrintJson(json::object{{"key_id", *key_id}, {"revoked", true}});
        return OkStatus();
      };
    });
  }
  {
    auto target = std::make_shared<AdminTarget>();
    auto name = std::make_shared<std::string>();
    CLI::App* cmd = key->add_subcommand(
        "list", "List a tenant's API keys (ids only; secrets are never stored)");
    cmd->add_option("tenant", *name, "Tenant name")->required();
    AddAdminTargetOptions(cmd, *target);
    cmd->callback([&global, &run, target, name] {
      run = [&global, target, name]() -> Status {
        struct Row {
          std::string id, created, revoked;
        };
        std::vector<Row> rows;
        if (!target->url.empty()) {
          FB_ASSIGN_OR_RETURN(
              json::value r, CallAdmin(*target, "GET", "/admin/v1/tenants/" + *name + "/keys", ""));
          for (const auto& k : r.at("keys").as_array()) {
            const json::value& revoked = k.at("revoked_at");
            rows.push_back({std::string(k.at("key_id").as_string()),
                            std::string(k.at("created_at").as_string()),
                            revoked.is_string() ? std::string(revoked.as_string()) : "-"});
          }
        } else {
          FB_ASSIGN_OR_RETURN(auto runtime, OpenDirect(global, *target));
          if (!runtime->directory->FindTenant(*name)) {
            return NotFoundError("tenant '" + *name + "' does not exist", "tenant");
          }
          for (const auto& k : runtime->directory->ListKeys(*name)) {
            rows.push_back({k.key_id, FormatRfc3339(k.created_at),
                            k.revoked_at ? FormatRfc3339(*k.revoked_at) : "-"});
          }
        }
        std::cout << std::left << std::setw(20) << "KEY ID" << std::setw(28) << "CREATED"
                  << "REVOKED\n";
        for (const Row& r : rows)
          std::cout << std::setw(20) << r.id << std::setw(28) << r.created << r.revoked << "\n";
        return OkStatus();
      };
    });
  }
}

}  // namespace finbrain::cli
