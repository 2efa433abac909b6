// The `finbrain` command line: argument parsing, output and wiring; the work is the libraries'.
//
// A subcommand that reads or changes a tenant's state sends the API's own request to its
// target: a running server (--url, with a key), or a data directory no server holds
// (--data-dir), on which the same API runs in-process as a trusted caller (server/api.h), so
// both modes validate, answer and audit alike.
#pragma once

#include <CLI/CLI.hpp>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/runtime.h"
#include "server/config.h"

namespace finbrain::cli {

// Where a subcommand acts: a running server, or a data directory.
struct Target {
  std::string url;       // a running server
  std::string key;       // its tenant API key (--api-key) or admin token (--admin-token)
  std::string data_dir;  // or a data directory
  std::string tenant;    // with --data-dir, for tenant commands
  bool admin = false;    // the admin API (tenants, keys)
};

struct ApiCall {
  std::string method;
  std::string path;  // with its query string
  std::string body;
};
// One request to the target's API; the answer's JSON text. An error answer becomes a Status
// carrying the API's message and field (400 -> kInvalidArgument, 404 -> kNotFound, ...).
StatusOr<std::string> CallApi(const Target& target, const ApiCall& call);
Status CallApiAndPrint(const Target& target, const ApiCall& call);
// The state behind a data directory, opened once per command (bulk work such as imports) and
// closed, with its writes drained, when the command ends.
StatusOr<runtime::Runtime*> LocalRuntime(const std::string& data_dir);
void CloseLocalRuntime();
// The whole text of a file; kNotFound naming `field`.
StatusOr<std::string> ReadFile(const std::string& path, std::string_view field);

// A measure rounded to 4 decimals, for JSON reports.
inline double Round4(double v) { return std::round(v * 1e4) / 1e4; }

// One argument of a subcommand: a positional ("file") or an option ("--name"), kept as text
// under its name without dashes.
struct Arg {
  std::string name;
  std::string help;
  std::string fallback;  // the default, shown in --help
  bool required = false;
  CLI::Validator check = {};
  bool flag = false;   // an option without a value: "true" when given
  char separator = 0;  // may repeat (and split at this character; '\n': repeat only)
};
// An option that may be given several times, each value kept whole.
inline Arg Repeated(std::string name, std::string help, CLI::Validator check = {}) {
  return {std::move(name), std::move(help), "", false, std::move(check), false, '\n'};
}

// A subcommand's arguments and target.
struct Args : Target {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::string>> lists;
  std::string operator[](const std::string& name) const;  // "" when not given
  bool Flag(const std::string& name) const { return (*this)[name] == "true"; }
  double Number(const std::string& name) const;  // REQUIRES: validated as a number
  const std::vector<std::string>& List(const std::string& name) const;
  // A repeated TYPE=VALUE option as type -> value; types are entity types or read_for paths.
  StatusOr<std::map<std::string, std::string>> Assignments(const std::string& name) const;
};

class Commands {
 public:
  enum class Targets { kNone, kTenant, kAdmin };
  using Run = std::function<Status(Args&)>;

  Commands(CLI::App& app, std::function<Status()>& run) : app_(app), run_(run) {}
  // A parent command ("strategy"), added once.
  CLI::App* Group(const std::string& name, const std::string& about);
  // A subcommand of `parent` (null: a top-level one).
  CLI::App* Add(CLI::App* parent, const std::string& name, const std::string& about,
                std::vector<Arg> args, Targets targets, Run run);
  // A subcommand whose whole work is one API request built from its arguments; prints the answer.
  CLI::App* Api(CLI::App* parent, const std::string& name, const std::string& about,
                std::vector<Arg> args, std::function<StatusOr<ApiCall>(const Args&)> request);

  std::string config_path;  // --config

 private:
  CLI::App& app_;
  std::function<Status()>& run_;
};

// The subcommands, by what they work on.
void AddServerCommands(Commands& c);  // serve, audit, import, replay
void AddApiCommands(Commands& c);   // tenants, keys, strategies, decide, accounts, models, features
void AddDataCommands(Commands& c);  // simulate, events, train, evaluate, cv, backtest, backfill...
void AddServiceCommands(Commands& c);    // service: the FAQ bot's models, KB and evaluation
void AddMarketingCommands(Commands& c);  // forecast

// The configuration: file from --config, then the environment.
StatusOr<server::ServerConfig> LoadConfig(const Commands& c);

}  // namespace finbrain::cli
