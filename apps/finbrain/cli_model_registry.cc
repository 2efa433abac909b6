// `finbrain model register|list|promote|rollback`: the model registry, through the API of a
// server (--url) or of a data directory (--data-dir).
#include <boost/json.hpp>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "models/model.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct RegistryTarget : Target {
  std::string name;
  std::string folder;
  std::string evaluation;  // metrics.json of `finbrain evaluate`, attached to the new version
  int version = 0;
};

Status Register(const RegistryTarget& t) {
  // Loaded (and so validated) here: a broken folder fails before anything is sent or stored.
  FB_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model, models::Model::Load(t.folder));
  std::string report;
  if (!t.evaluation.empty()) {
    FB_ASSIGN_OR_RETURN(report, ReadFile(t.evaluation, "evaluation"));
  }
  const std::string versions = "/v1/models/" + PercentEncode(t.name) + "/versions";
  FB_ASSIGN_OR_RETURN(std::string answer,
                      CallApi(t, {"POST", versions,
                                  ToJsonText(json::object{{"manifest", model->ManifestJson()},
                                                          {"xgboost", model->xgboost_json()}})}));
  if (!report.empty()) {
    const int version = json::parse(answer).at("version").to_number<int>();
    FB_RETURN_IF_ERROR(
        CallApi(t, {"PUT", versions + "/" + std::to_string(version) + "/evaluation", report})
            .status());
  }
  std::cout << answer << "\n";
  return OkStatus();
}

}  // namespace

void AddModelRegistryCommands(CLI::App& app, GlobalOptions&, Action& run) {
  CLI::App* model = app.add_subcommand("model", "Register, list, promote and roll back models");
  model->require_subcommand(1);
  auto t = std::make_shared<RegistryTarget>();

  CLI::App* reg = model->add_subcommand("register", "Store a model folder as a new version");
  reg->add_option("folder", t->folder, "Folder written by `finbrain train`")->required();
  reg->add_option("--name", t->name, "Model name (a-z, 0-9, _ and -)")->required();
  reg->add_option("--evaluation", t->evaluation,
                  "metrics.json of `finbrain evaluate` (ROC, KS, calibration, fairness), shown "
                  "by the console")
      ->check(CLI::ExistingFile);
  AddTargetOptions(reg, *t);
  reg->callback([&run, t] { run = [t] { return Register(*t); }; });

  CLI::App* list = model->add_subcommand("list", "List models, or one model's versions");
  list->add_option("--name", t->name, "Show this model's versions");
  AddTargetOptions(list, *t);
  list->callback([&run, t] {
    run = [t] {
      return CallApiAndPrint(
          *t, {"GET", t->name.empty() ? "/v1/models" : "/v1/models/" + PercentEncode(t->name), ""});
    };
  });

  CLI::App* promote = model->add_subcommand("promote", "Make a version the active one");
  promote->add_option("name", t->name, "Model name")->required();
  promote->add_option("version", t->version, "Version to activate")
      ->required()
      ->check(CLI::PositiveNumber);
  AddTargetOptions(promote, *t);
  promote->callback([&run, t] {
    run = [t] {
      return CallApiAndPrint(*t, {"POST",
                                  "/v1/models/" + PercentEncode(t->name) + "/versions/" +
                                      std::to_string(t->version) + "/promote",
                                  "{}"});
    };
  });

  CLI::App* rollback =
      model->add_subcommand("rollback", "Re-activate the previously active version");
  rollback->add_option("name", t->name, "Model name")->required();
  AddTargetOptions(rollback, *t);
  rollback->callback([&run, t] {
    run = [t] {
      return CallApiAndPrint(*t,
                             {"POST", "/v1/models/" + PercentEncode(t->name) + "/rollback", "{}"});
    };
  });
}

}  // namespace finbrain::cli
