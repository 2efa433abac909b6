// ServerConfig: every setting of `finbrain serve`, from defaults, a YAML file, environment
// variables and command-line flags, in that order of precedence (later wins).
//
// YAML layout (all keys optional; unknown keys are errors):
//   data_dir: ./data
//   server:     {listen: "127.0.0.1:8080", io_threads: 2, max_body_bytes: 1048576,
//                max_header_bytes: 16384, request_timeout_ms: 30000, shutdown_grace_ms: 30000}
//   storage:    {durability: sync, sync_interval_ms: 5, stats_flush_ms: 10000,
//                snapshot_every_events: 1000000}
//   security:   {admin_token: "..."}
//   rate_limit: {requests_per_second: 1000, burst: 2000}
//   graph:      {analysis_interval_s: 3600, greylist_threshold: 0}
//   console:    {dir: <build>/console}   (the built web console; "" serves the API only)
//   log:        {level: info}
// Each key has an environment variable: FINBRAIN_ + the last path element in upper case
// (FINBRAIN_LISTEN, FINBRAIN_ADMIN_TOKEN, FINBRAIN_DATA_DIR, ...), except the rate limit's
// FINBRAIN_RATE_LIMIT_RPS and FINBRAIN_RATE_LIMIT_BURST.
//
// Example:
//   FB_ASSIGN_OR_RETURN(ServerConfig config, LoadServerConfig(path, EnvFromProcess()));
//   FB_RETURN_IF_ERROR(ApplyConfigValue(config, "server.listen", "0.0.0.0:9000"));
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/durability.h"

namespace finbrain::server {

// Where this build put the console (the build tree's console/ folder, web/CMakeLists.txt).
std::string DefaultConsoleDir();

struct ServerConfig {
  std::string data_dir = "./data";
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  int io_threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  int request_timeout_ms = 30'000;
  int shutdown_grace_ms = 30'000;
  // When events and decisions count as stored (storage/durability.h; docs/architecture.md):
  // sync, the default, survives a power loss; process survives a crash of the server and syncs
  // every sync_interval_ms. storage.sync_writes is the old name (true: sync, false: process).
  storage::Durability durability = storage::Durability::kSync;
  int sync_interval_ms = 5;
  // Events between snapshots of the in-memory state (graph, devices, behaviour): a restart
  // after a crash replays at most about this many.
  std::uint64_t snapshot_every_events = 1'000'000;
  std::string admin_token;
  double rate_limit_rps = 1000;
  double rate_limit_burst = 2000;
  // The scheduled batch graph analysis (graph_analysis_job.h): every this many seconds (0: only
  // on request), greylisting entities whose propagated risk reaches the threshold (0: never).
  int graph_analysis_interval_s = 3600;
  double graph_greylist_threshold = 0;
  // How often live counts (model monitoring, the overview's decision stats) are written to the
  // store, besides at shutdown: a crash loses at most this much of them.
  int stats_flush_ms = 10'000;
  // The console's build output (web/ built by Vite); defaults to the build tree's.
  std::string console_dir = DefaultConsoleDir();
  std::string log_level = "info";
};

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup EnvFromProcess();

// Defaults, then `yaml_path` (when non-empty), then the environment.
// Errors name the file, the key and the problem.
StatusOr<ServerConfig> LoadServerConfig(const std::string& yaml_path, const EnvLookup& env);

// Sets one key ("server.listen", "data_dir", ...) from its text form.
Status ApplyConfigValue(ServerConfig& config, std::string_view key, std::string_view value);

// Every key with its environment variable, for --help texts and docs.
std::vector<std::pair<std::string, std::string>> ConfigKeys();

// Parses "host:port", "[v6]:port" or ":port" (all interfaces).
Status ParseListen(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace finbrain::server
