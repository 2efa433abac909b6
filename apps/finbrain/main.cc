// finbrain: the server and the command line in one binary.
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/logging.h"

#ifndef FINBRAIN_VERSION
#define FINBRAIN_VERSION "dev"
#endif

namespace finbrain::cli {

StatusOr<server::ServerConfig> LoadConfig(const GlobalOptions& global) {
  return server::LoadServerConfig(global.config_path, server::EnvFromProcess());
}

}  // namespace finbrain::cli

int main(int argc, char** argv) {
  using namespace finbrain;
  CLI::App app{"FinBrain: intelligent decision platform for consumer and SME finance"};
  app.require_subcommand(1);
  app.fallthrough();
  cli::GlobalOptions global;
  app.add_option("--config", global.config_path, "YAML configuration file")
      ->check(CLI::ExistingFile)
      ->envname("FINBRAIN_CONFIG");
  cli::Action run;

  app.add_subcommand("version", "Print the version")->callback([&run] {
    run = [] {
      std::cout << "finbrain " << FINBRAIN_VERSION << "\n";
      return OkStatus();
    };
  });
  cli::AddServeCommand(app, global, run);
  cli::AddTenantCommands(app, global, run);
  cli::AddAuditCommands(app, global, run);
  cli::AddImportCommand(app, global, run);
  cli::AddSimulateCommand(app, global, run);
  cli::AddModelCommands(app, global, run);
  cli::AddModelRegistryCommands(app, global, run);
  cli::AddFeatureCommands(app, global, run);
  cli::AddEventCommands(app, global, run);
  cli::AddStrategyCommands(app, global, run);
  cli::AddBacktestCommand(app, global, run);
  cli::AddAccountCommands(app, global, run);
  cli::AddDeviceCommands(app, global, run);
  cli::AddBehaviourCommands(app, global, run);
  cli::AddReplayCommand(app, global, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!run) return 0;
  (void)InitLogging("warn");
  Status status = run();
  cli::CloseLocalRuntime();  // a data directory's writes drain before the exit
  if (!status.ok()) {
    std::cerr << "error: " << status.message();
    if (!status.field().empty() && status.message().find(status.field()) == std::string::npos) {
      std::cerr << " (" << status.field() << ")";
    }
    std::cerr << "\n";
    if (status.code() == StatusCode::kInvalidArgument) return 2;
    // Partial success (e.g. an import with rejected rows) is told apart from failure.
    return status.code() == StatusCode::kFailedPrecondition ? 3 : 1;
  }
  return 0;
}
