// `finbrain model register|list|promote|rollback`: the model registry, through a running server
// (--url with a tenant API key) or straight on a data directory no server holds (--data-dir).
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "models/model.h"
#include "models/registry.h"
#include "runtime/runtime.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct RegistryTarget : Target {
  std::string name;
  std::string folder;
  std::string evaluation;  // metrics.json of `finbrain evaluate`, attached to the new version
  int version = 0;
};

StatusOr<json::value> Call(const RegistryTarget& t, std::string_view method,
                           const std::string& path, const std::string& body) {
  FB_ASSIGN_OR_RETURN(std::string answer, CallTarget(t, method, path, body));
  return json::parse(answer);
}

json::value VersionJson(const models::ModelVersion& v) {
  return json::parse(models::ModelVersionJson(v));
}

Status Register(const RegistryTarget& t) {
  FB_RETURN_IF_ERROR(CheckTarget(t));
  // Loaded (and so validated) here: a broken folder fails before anything is sent or stored.
  FB_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model, models::Model::Load(t.folder));
  std::optional<std::string> report;
  if (!t.evaluation.empty()) {
    std::ifstream in(t.evaluation);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return InvalidArgumentError("cannot read " + t.evaluation, "evaluation");
    report = text.str();
  }
  const std::string manifest = model->ManifestJson();
  const std::string& trees = model->xgboost_json();
  if (!t.url.empty()) {
    json::object body{{"manifest", manifest}, {"xgboost", trees}};
    FB_ASSIGN_OR_RETURN(json::value v,
                        Call(t, "POST", "/v1/models/" + t.name + "/versions", ToJsonText(body)));
    if (report) {
      std::string path = "/v1/models/" + t.name + "/versions/";
      path += std::to_string(v.at("version").to_number<int>());
      path += "/evaluation";
      FB_RETURN_IF_ERROR(Call(t, "PUT", path, *report).status());
    }
    std::cout << ToJsonText(v) << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = t.data_dir}));
  const tenancy::Actor actor{"cli", "cli model register"};
  FB_ASSIGN_OR_RETURN(models::ModelVersion v,
                      runtime->models->Register(t.tenant, t.name, *model, actor));
  if (report) {
    FB_RETURN_IF_ERROR(
        runtime->models->AttachEvaluation(t.tenant, t.name, v.version, *report, actor));
  }
  std::cout << ToJsonText(VersionJson(v)) << "\n";
  return OkStatus();
}

Status List(const RegistryTarget& t) {
  FB_RETURN_IF_ERROR(CheckTarget(t));
  if (!t.url.empty()) {
    FB_ASSIGN_OR_RETURN(json::value v,
                        Call(t, "GET", t.name.empty() ? "/v1/models" : "/v1/models/" + t.name, ""));
    std::cout << ToJsonText(v) << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = t.data_dir}));
  json::array out;
  if (t.name.empty()) {
    FB_ASSIGN_OR_RETURN(auto list, runtime->models->List(t.tenant));
    for (const auto& v : list) out.push_back(VersionJson(v));
    std::cout << ToJsonText(json::object{{"models", out}}) << "\n";
  } else {
    FB_ASSIGN_OR_RETURN(auto versions, runtime->models->Versions(t.tenant, t.name));
    for (const auto& v : versions) out.push_back(VersionJson(v));
    std::cout << ToJsonText(json::object{{"name", t.name}, {"versions", out}}) << "\n";
  }
  return OkStatus();
}

Status Activate(const RegistryTarget& t, bool rollback) {
  FB_RETURN_IF_ERROR(CheckTarget(t));
  if (!t.url.empty()) {
    const std::string path =
        rollback ? "/v1/models/" + t.name + "/rollback"
                 : "/v1/models/" + t.name + "/versions/" + std::to_string(t.version) + "/promote";
    FB_ASSIGN_OR_RETURN(json::value v, Call(t, "POST", path, "{}"));
    std::cout << ToJsonText(v) << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = t.data_dir}));
  const tenancy::Actor actor{"cli", rollback ? "cli model rollback" : "cli model promote"};
  FB_ASSIGN_OR_RETURN(models::ModelVersion v,
                      rollback ? runtime->models->Rollback(t.tenant, t.name, actor)
                               : runtime->models->Promote(t.tenant, t.name, t.version, actor));
  std::cout << ToJsonText(VersionJson(v)) << "\n";
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
  list->callback([&run, t] { run = [t] { return List(*t); }; });

  CLI::App* promote = model->add_subcommand("promote", "Make a version the active one");
  promote->add_option("name", t->name, "Model name")->required();
  promote->add_option("version", t->version, "Version to activate")
      ->required()
      ->check(CLI::PositiveNumber);
  AddTargetOptions(promote, *t);
  promote->callback([&run, t] { run = [t] { return Activate(*t, false); }; });

  CLI::App* rollback =
      model->add_subcommand("rollback", "Re-activate the previously active version");
  rollback->add_option("name", t->name, "Model name")->required();
  AddTargetOptions(rollback, *t);
  rollback->callback([&run, t] { run = [t] { return Activate(*t, true); }; });
}

}  // namespace finbrain::cli
