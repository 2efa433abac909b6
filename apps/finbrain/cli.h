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

// Sends one request to a server (--url) with `Authorization: Bearer <bearer>` and returns the
// body of a 2xx/3xx answer; other answers become errors carrying the server's message (404 ->
// kNotFound, 400 -> kInvalidArgument, else kUnavailable).
StatusOr<std::string> CallServer(const std::string& url, std::string_view method,
                                 const std::string& path, const std::string& body,
                                 const std::string& bearer);

// Loads the configuration (file from --config, then the environment).
StatusOr<server::ServerConfig> LoadConfig(const GlobalOptions& global);

}  // namespace finbrain::cli
