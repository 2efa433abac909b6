// `finbrain strategy validate|put|activate|list|show` and `finbrain decide`: decision strategies
// and credit decisions, through a server (--url) or on a data directory (--data-dir).
#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <sstream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/progress.h"
#include "common/strings.h"
#include "ingest/jsonl.h"
#include "runtime/runtime.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct StrategyOptions : Target {
  std::string name = "credit";
  std::string file;
  int version = 0;
  bool activate = false;
};

StatusOr<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read " + Quote(path), "file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json::object VersionJson(const decision::StrategyVersion& v) {
  return {{"name", v.name},
          {"version", v.version},
          {"active", v.active},
          {"created_at", v.created_at},
          {"created_by", v.created_by},
          {"description", v.description}};
}

// Errors of a file are reported with its path in front.
Status InFile(const std::string& path, Status s) {
  if (s.ok()) return s;
  return Status(s.code(), path + ": " + s.message(), s.field());
}

Status Validate(const StrategyOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  FB_ASSIGN_OR_RETURN(std::string yaml, ReadWhole(o.file));
  if (!o.url.empty()) {
    StatusOr<std::string> answer = CallTarget(o, "POST", "/v1/strategies/validate", yaml);
    if (!answer.ok()) return InFile(o.file, answer.status());
    std::cout << *answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  StatusOr<std::shared_ptr<const decision::Strategy>> s =
      runtime->strategies->Compile(o.tenant, yaml);
  if (!s.ok()) return InFile(o.file, s.status());
  std::cerr << o.file << ": valid\n";
  return OkStatus();
}

Status Put(const StrategyOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  FB_ASSIGN_OR_RETURN(std::string yaml, ReadWhole(o.file));
  if (!o.url.empty()) {
    StatusOr<std::string> answer = CallTarget(o, "PUT", "/v1/strategies/" + o.name, yaml);
    if (!answer.ok()) return InFile(o.file, answer.status());
    const int version = json::parse(*answer).at("version").to_number<int>();
    if (o.activate) {
      FB_ASSIGN_OR_RETURN(answer, CallTarget(o, "POST",
                                             "/v1/strategies/" + o.name + "/versions/" +
                                                 std::to_string(version) + "/activate",
                                             ""));
    }
    std::cout << *answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  const tenancy::Actor actor{"cli", "cli strategy put"};
  StatusOr<decision::StrategyVersion> v = runtime->strategies->Put(o.tenant, o.name, yaml, actor);
  if (!v.ok()) return InFile(o.file, v.status());
  if (o.activate) {
    FB_ASSIGN_OR_RETURN(v, runtime->strategies->Activate(o.tenant, o.name, v->version,
                                                         {"cli", "cli strategy activate"}));
  }
  std::cout << ToJsonText(VersionJson(*v)) << "\n";
  return OkStatus();
}

Status Activate(const StrategyOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  if (!o.url.empty()) {
    FB_ASSIGN_OR_RETURN(std::string answer, CallTarget(o, "POST",
                                                       "/v1/strategies/" + o.name + "/versions/" +
                                                           std::to_string(o.version) + "/activate",
                                                       ""));
    std::cout << answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  FB_ASSIGN_OR_RETURN(auto v, runtime->strategies->Activate(o.tenant, o.name, o.version,
                                                            {"cli", "cli strategy activate"}));
  std::cout << ToJsonText(VersionJson(v)) << "\n";
  return OkStatus();
}

Status List(const StrategyOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  if (!o.url.empty()) {
    FB_ASSIGN_OR_RETURN(std::string answer, CallTarget(o, "GET", "/v1/strategies", ""));
    std::cout << answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  FB_ASSIGN_OR_RETURN(auto list, runtime->strategies->List(o.tenant));
  json::array out;
  for (const auto& v : list) out.push_back(VersionJson(v));
  std::cout << ToJsonText(json::object{{"strategies", out}}) << "\n";
  return OkStatus();
}

struct DecideOptions : Target {
  std::string file;
  std::string strategy = "credit";
  size_t limit = 0;
};

// Decides every application of a JSONL file and prints the outcome counts (JSON).
Status Decide(const DecideOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  std::unique_ptr<runtime::Runtime> runtime;
  if (o.url.empty()) {
    FB_ASSIGN_OR_RETURN(runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  }
  ingest::JsonlReader reader({o.file});
  ingest::JsonlReader::Batch batch;
  std::map<std::string, std::uint64_t> outcomes, reasons;
  std::uint64_t done = 0, failed = 0;
  Progress progress("decisions", reader.total_bytes());
  while ((o.limit == 0 || done < o.limit) && reader.Next(256, batch)) {
    for (size_t i = 0; i < batch.lines.size() && (o.limit == 0 || done < o.limit); ++i) {
      StatusOr<std::string> record = UnavailableError("not decided");
      if (!o.url.empty()) {
        record =
            CallTarget(o, "POST", "/v1/decisions/credit?strategy=" + o.strategy, batch.lines[i]);
      } else {
        std::promise<StatusOr<std::string>> answer;
        Status started = runtime->decisions->Decide(
            o.tenant, batch.lines[i], o.strategy, {"cli", "cli decide"},
            [&answer](StatusOr<std::string> r) { answer.set_value(std::move(r)); });
        record = started.ok() ? answer.get_future().get() : StatusOr<std::string>(started);
      }
      ++done;
      if (!record.ok()) {
        if (record.status().code() != StatusCode::kInvalidArgument) return record.status();
        std::cerr << batch.positions[i] << ": " << record.status().message() << "\n";
        ++failed;
        continue;
      }
      const json::value r = json::parse(*record);
      ++outcomes[std::string(r.at("decision").as_string())];
      for (const json::value& reason : r.at("reasons").as_array()) {
        if (reason.at("source").as_string().starts_with("rule:")) {
          ++reasons[std::string(reason.at("code").as_string())];
        }
      }
    }
    progress.Update(reader.bytes_read(), std::to_string(done) + " decided");
  }
  FB_RETURN_IF_ERROR(reader.status());
  progress.Finish(std::to_string(done) + " decided");
  json::object counts, codes;
  for (const auto& [k, v] : outcomes) counts[k] = v;
  for (const auto& [k, v] : reasons) codes[k] = v;
  std::cout << ToJsonText(json::object{{"decided", done - failed},
                                       {"rejected", failed},
                                       {"decisions", counts},
                                       {"rule_reasons", codes}})
            << "\n";
  return failed == 0 ? OkStatus()
                     : InvalidArgumentError(std::to_string(failed) + " applications were rejected");
}

}  // namespace

void AddStrategyCommands(CLI::App& app, GlobalOptions&, Action& run) {
  CLI::App* strategy =
      app.add_subcommand("strategy", "Decision strategies: validate, put, activate, list");
  strategy->require_subcommand(1);
  auto o = std::make_shared<StrategyOptions>();

  CLI::App* validate =
      strategy->add_subcommand("validate", "Compile a strategy file (line:column errors)");
  validate->add_option("file", o->file, "Strategy YAML")->required()->check(CLI::ExistingFile);
  AddTargetOptions(validate, *o);
  validate->callback([&run, o] { run = [o] { return Validate(*o); }; });

  CLI::App* put = strategy->add_subcommand("put", "Store a strategy file as a new version");
  put->add_option("file", o->file, "Strategy YAML")->required()->check(CLI::ExistingFile);
  put->add_option("--name", o->name, "Strategy name")->capture_default_str();
  put->add_flag("--activate", o->activate, "Activate the new version");
  AddTargetOptions(put, *o);
  put->callback([&run, o] { run = [o] { return Put(*o); }; });

  CLI::App* activate = strategy->add_subcommand("activate", "Activate a stored version");
  activate->add_option("version", o->version, "Version")->required()->check(CLI::PositiveNumber);
  activate->add_option("--name", o->name, "Strategy name")->capture_default_str();
  AddTargetOptions(activate, *o);
  activate->callback([&run, o] { run = [o] { return Activate(*o); }; });

  CLI::App* list = strategy->add_subcommand("list", "The tenant's strategies");
  AddTargetOptions(list, *o);
  list->callback([&run, o] { run = [o] { return List(*o); }; });

  auto d = std::make_shared<DecideOptions>();
  CLI::App* decide = app.add_subcommand("decide", "Decide the credit applications of a JSONL file");
  decide->add_option("file", d->file, "credit_application events (JSONL)")
      ->required()
      ->check(CLI::ExistingFile);
  decide->add_option("--strategy", d->strategy, "Strategy name")->capture_default_str();
  decide->add_option("--limit", d->limit, "Decide at most this many");
  AddTargetOptions(decide, *d);
  decide->callback([&run, d] { run = [d] { return Decide(*d); }; });
}

}  // namespace finbrain::cli
