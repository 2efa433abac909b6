// finbrain: the server and the command line in one binary.
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/logging.h"

#ifndef FINBRAIN_VERSION
#define FINBRAIN_VERSION "dev"
#endif

int main(int argc, char** argv) {
  using namespace finbrain;
  CLI::App app{"FinBrain: intelligent decision platform for consumer and SME finance"};
  app.require_subcommand(1);
  app.fallthrough();
  std::function<Status()> run;
  cli::Commands commands(app, run);
  app.add_option("--config", commands.config_path, "YAML configuration file")
      ->check(CLI::ExistingFile)
      ->envname("FINBRAIN_CONFIG");
  commands.Add(nullptr, "version", "Print the version", {}, cli::Commands::Targets::kNone,
               [](cli::Args&) {
                 std::cout << "finbrain " << FINBRAIN_VERSION << "\n";
                 return OkStatus();
               });
  cli::AddServerCommands(commands);
  cli::AddApiCommands(commands);
  cli::AddDataCommands(commands);
  cli::AddServiceCommands(commands);
  cli::AddMarketingCommands(commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!run) return 0;
  (void)InitLogging("warn");
  const Status status = run();
  cli::CloseLocalRuntime();  // a data directory's writes drain before the exit
  if (status.ok()) return 0;
  std::cerr << "error: " << status.message();
  if (!status.field().empty() && status.message().find(status.field()) == std::string::npos) {
    std::cerr << " (" << status.field() << ")";
  }
  std::cerr << "\n";
  if (status.code() == StatusCode::kInvalidArgument) return 2;
  // Partial success (e.g. an import with rejected rows) is told apart from failure.
  return status.code() == StatusCode::kFailedPrecondition ? 3 : 1;
}
