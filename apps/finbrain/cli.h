// Wiring shared by the `finbrain` subcommands. Each Add*Commands registers its subcommands on
// the CLI11 app and sets `run` to the action chosen; main() runs it and maps the Status to an
// exit code.
//
// A subcommand that reads or changes a tenant's state sends the API's own request to its
// target: a running server (--url, with a key), or a data directory no server holds
// (--data-dir), on which the same API runs in-process as a trusted caller (server/api.h), so
// both answer, validate and audit alike.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "common/status.h"
#include "runtime/runtime.h"
#include "server/config.h"

namespace finbrain::cli {

struct GlobalOptions {
  std::string config_path;  // --config
};

using Action = std::function<Status()>;

void AddServeCommand(CLI::App& app, GlobalOptions& global, Action& run);
void AddTenantCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddAuditCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddImportCommand(CLI::App& app, GlobalOptions& global, Action& run);
void AddSimulateCommand(CLI::App& app, GlobalOptions& global, Action& run);
void AddModelCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddModelRegistryCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddFeatureCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddEventCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddStrategyCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddBacktestCommand(CLI::App& app, GlobalOptions& global, Action& run);
void AddAccountCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddDeviceCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddBehaviourCommands(CLI::App& app, GlobalOptions& global, Action& run);
void AddReplayCommand(CLI::App& app, GlobalOptions& global, Action& run);

// Where a subcommand acts.
struct Target {
  std::string url;       // a running server
  std::string key;       // its tenant API key (--api-key) or admin token (--admin-token)
  std::string data_dir;  // or a data directory
  std::string tenant;    // with --data-dir, for tenant commands
  bool admin = false;    // the admin API (tenants, keys)
};
// --url, --api-key, --data-dir, --tenant.
void AddTargetOptions(CLI::App* cmd, Target& target);
// --url, --admin-token, --data-dir (default: the configuration's data_dir).
void AddAdminTargetOptions(CLI::App* cmd, Target& target);

struct ApiCall {
  std::string method;
  std::string path;  // with its query string
  std::string body;
};
// One request to the target's API; the answer's JSON text. An error answer becomes a Status
// carrying the API's message and field (400 -> kInvalidArgument, 404 -> kNotFound, ...).
StatusOr<std::string> CallApi(const Target& target, const ApiCall& call);
// The same, printing the answer to stdout.
Status CallApiAndPrint(const Target& target, const ApiCall& call);

// Sends one request to a server (--url) with `Authorization: Bearer <bearer>`, as CallApi.
StatusOr<std::string> CallServer(const std::string& url, const ApiCall& call,
                                 const std::string& bearer);

// The state behind a data directory, opened once per command (bulk work such as imports);
// closed, with its writes drained, when the command ends.
StatusOr<runtime::Runtime*> LocalRuntime(const std::string& data_dir);
void CloseLocalRuntime();

// The whole text of a file; kNotFound naming `field`.
StatusOr<std::string> ReadFile(const std::string& path, std::string_view field);

// Loads the configuration (file from --config, then the environment).
StatusOr<server::ServerConfig> LoadConfig(const GlobalOptions& global);

}  // namespace finbrain::cli
