// Wiring shared by the `finbrain` subcommands. Each Add*Commands registers its subcommands on
// the CLI11 app and sets `run` to the action chosen; main() runs it and maps the Status to an
// exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "common/status.h"
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

// Sends one request to a server (--url) with `Authorization: Bearer <bearer>` and returns the
// body of a 2xx/3xx answer; other answers become errors carrying the server's message (404 ->
// kNotFound, 400 -> kInvalidArgument, else kUnavailable).
StatusOr<std::string> CallServer(const std::string& url, std::string_view method,
                                 const std::string& path, const std::string& body,
                                 const std::string& bearer);

// Where a tenant-scoped subcommand acts: a running server (--url with an API key) or a data
// directory no server holds (--data-dir with --tenant).
struct Target {
  std::string url;
  std::string api_key;
  std::string data_dir;
  std::string tenant;
};
void AddTargetOptions(CLI::App* cmd, Target& target);
// Exactly one of the two, with what it needs.
Status CheckTarget(const Target& target);
// CallServer with the target's key; the answer parsed as JSON text (re-serialized compactly).
StatusOr<std::string> CallTarget(const Target& target, std::string_view method,
                                 const std::string& path, const std::string& body);

// Loads the configuration (file from --config, then the environment).
StatusOr<server::ServerConfig> LoadConfig(const GlobalOptions& global);

}  // namespace finbrain::cli
