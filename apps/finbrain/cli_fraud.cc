// `finbrain devices evaluate` and `finbrain behaviour evaluate`: the fraud models' evaluation
// harnesses (fraud/evaluation.h) on a simulated world's truth. JSON to stdout, an HTML report
// with the plot to --report.
#include <fstream>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "fraud/evaluation.h"
#include "sim/truth.h"

namespace finbrain::cli {
namespace {

struct EvaluateOptions {
  std::string world;
  std::string report;
};

Status WriteReport(const std::string& path, const std::string& html) {
  if (path.empty()) return OkStatus();
  std::ofstream out(path);
  if (!out || !(out << html) || !out.flush()) return UnavailableError("cannot write " + path);
  return OkStatus();
}

Status EvaluateDevices(const EvaluateOptions& o) {
  FB_ASSIGN_OR_RETURN(const sim::DeviceTruth truth, sim::ReadDeviceTruth(o.world));
  FB_ASSIGN_OR_RETURN(const auto reports,
                      fraud::ReadDeviceReports(o.world + "/events/device_report.jsonl"));
  if (reports.empty()) return InvalidArgumentError("the world has no device reports", "world");
  const fraud::DeviceEvaluation e =
      fraud::EvaluateFingerprints(reports, truth.hardware, truth.farm_install_ids);
  std::cout << fraud::DeviceEvaluationJson(e) << "\n";
  return WriteReport(o.report, fraud::DeviceEvaluationHtml(e));
}

Status EvaluateBehaviour(const EvaluateOptions& o) {
  FB_ASSIGN_OR_RETURN(const auto sessions, fraud::ReadSessions(o.world + "/events/login.jsonl"));
  FB_ASSIGN_OR_RETURN(const auto fraud_users, sim::ReadFraudUsers(o.world));
  FB_ASSIGN_OR_RETURN(const auto takeovers, sim::ReadTakeoverSessions(o.world));
  const fraud::BehaviourEvaluation e = fraud::EvaluateBehaviour(sessions, fraud_users, takeovers);
  std::cout << fraud::BehaviourEvaluationJson(e) << "\n";
  return WriteReport(o.report, fraud::BehaviourEvaluationHtml(e));
}

void AddEvaluate(CLI::App& app, const char* name, const char* about, const char* what,
                 Status (*evaluate)(const EvaluateOptions&), Action& run) {
  CLI::App* group = app.add_subcommand(name, about);
  group->require_subcommand(1);
  auto o = std::make_shared<EvaluateOptions>();
  CLI::App* evaluate_cmd = group->add_subcommand("evaluate", what);
  evaluate_cmd->add_option("--world", o->world, "Directory written by finbrain simulate")
      ->required();
  evaluate_cmd->add_option("--report", o->report, "Also write an HTML report with the plot here");
  evaluate_cmd->callback([&run, o, evaluate] { run = [o, evaluate] { return evaluate(*o); }; });
}

}  // namespace

void AddDeviceCommands(CLI::App& app, GlobalOptions&, Action& run) {
  AddEvaluate(app, "devices", "Device fingerprints",
              "Measure fingerprint precision and recall on a simulated world's device truth",
              &EvaluateDevices, run);
}

void AddBehaviourCommands(CLI::App& app, GlobalOptions&, Action& run) {
  AddEvaluate(app, "behaviour", "Behaviour sequences of sessions",
              "Flag rates of the session model on a simulated world's logins, by truth",
              &EvaluateBehaviour, run);
}

}  // namespace finbrain::cli
