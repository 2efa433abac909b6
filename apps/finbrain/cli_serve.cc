#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/logging.h"
#include "server/serve.h"

namespace finbrain::cli {

void AddServeCommand(CLI::App& app, GlobalOptions& global, Action& run) {
  CLI::App* cmd = app.add_subcommand("serve", "Run the HTTP API server until SIGTERM/SIGINT");
  struct Flags {
    std::string data_dir, listen, log_level;
    int io_threads = 0;
  };
  auto flags = std::make_shared<Flags>();
  cmd->add_option("--data-dir", flags->data_dir, "Data directory (created if missing)");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0 picks a free one)");
  cmd->add_option("--io-threads", flags->io_threads, "Number of I/O threads")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off");
  cmd->footer(
      "Settings come from defaults, then --config, then FINBRAIN_* environment variables, then "
      "these flags. The admin API is on only when FINBRAIN_ADMIN_TOKEN (or security.admin_token) "
      "is set.");
  cmd->callback([&global, &run, flags] {
    run = [&global, flags]() -> Status {
      FB_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(global));
      if (!flags->data_dir.empty()) {
        FB_RETURN_IF_ERROR(server::ApplyConfigValue(config, "data_dir", flags->data_dir));
      }
      if (!flags->listen.empty()) {
        FB_RETURN_IF_ERROR(server::ApplyConfigValue(config, "server.listen", flags->listen));
      }
      if (flags->io_threads > 0) config.io_threads = flags->io_threads;
      if (!flags->log_level.empty()) {
        FB_RETURN_IF_ERROR(server::ApplyConfigValue(config, "log.level", flags->log_level));
      }
      FB_RETURN_IF_ERROR(InitLogging(config.log_level));
      return server::Serve(config, [&config](std::uint16_t port) {
        // Scripts and tests read this line to learn the port.
        std::cout << "finbrain listening on http://" << config.listen_host << ":" << port
                  << std::endl;
      });
    };
  });
}

}  // namespace finbrain::cli
