// `finbrain strategy validate|put|activate|list` and `finbrain decide`: decision strategies and
// credit decisions, through the API of a server (--url) or of a data directory (--data-dir).
#include <boost/json.hpp>
#include <iostream>
#include <map>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/progress.h"
#include "common/strings.h"
#include "ingest/jsonl.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct StrategyOptions : Target {
  std::string name = "credit";
  std::string file;
  int version = 0;
  bool activate = false;
};

// Errors of a file are reported with its path in front.
Status InFile(const std::string& path, Status s) {
  if (s.ok()) return s;
  return Status(s.code(), path + ": " + s.message(), s.field());
}

Status SendFile(const StrategyOptions& o, const std::string& method, const std::string& path) {
  FB_ASSIGN_OR_RETURN(std::string yaml, ReadFile(o.file, "file"));
  StatusOr<std::string> answer = CallApi(o, {method, path, yaml});
  if (!answer.ok()) return InFile(o.file, answer.status());
  if (o.activate) {
    const int version = json::parse(*answer).at("version").to_number<int>();
    return CallApiAndPrint(o, {"POST",
                               "/v1/strategies/" + PercentEncode(o.name) + "/versions/" +
                                   std::to_string(version) + "/activate",
                               ""});
  }
  std::cout << *answer << "\n";
  return OkStatus();
}

struct DecideOptions : Target {
  std::string file;
  std::string strategy = "credit";
  size_t limit = 0;
};

// Decides every application of a JSONL file and prints the outcome counts (JSON).
Status Decide(const DecideOptions& o) {
  ingest::JsonlReader reader({o.file});
  ingest::JsonlReader::Batch batch;
  std::map<std::string, std::uint64_t> outcomes, reasons;
  std::uint64_t done = 0, failed = 0;
  Progress progress("decisions", reader.total_bytes());
  const ApiCall call{"POST", "/v1/decisions/credit?strategy=" + PercentEncode(o.strategy), ""};
  while ((o.limit == 0 || done < o.limit) && reader.Next(256, batch)) {
    for (size_t i = 0; i < batch.lines.size() && (o.limit == 0 || done < o.limit); ++i) {
      StatusOr<std::string> record = CallApi(o, {call.method, call.path, batch.lines[i]});
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
  validate->callback(
      [&run, o] { run = [o] { return SendFile(*o, "POST", "/v1/strategies/validate"); }; });

  CLI::App* put = strategy->add_subcommand("put", "Store a strategy file as a new version");
  put->add_option("file", o->file, "Strategy YAML")->required()->check(CLI::ExistingFile);
  put->add_option("--name", o->name, "Strategy name")->capture_default_str();
  put->add_flag("--activate", o->activate, "Activate the new version");
  AddTargetOptions(put, *o);
  put->callback([&run, o] {
    run = [o] { return SendFile(*o, "PUT", "/v1/strategies/" + PercentEncode(o->name)); };
  });

  CLI::App* activate = strategy->add_subcommand("activate", "Activate a stored version");
  activate->add_option("version", o->version, "Version")->required()->check(CLI::PositiveNumber);
  activate->add_option("--name", o->name, "Strategy name")->capture_default_str();
  AddTargetOptions(activate, *o);
  activate->callback([&run, o] {
    run = [o] {
      return CallApiAndPrint(*o, {"POST",
                                  "/v1/strategies/" + PercentEncode(o->name) + "/versions/" +
                                      std::to_string(o->version) + "/activate",
                                  ""});
    };
  });

  CLI::App* list = strategy->add_subcommand("list", "The tenant's strategies");
  AddTargetOptions(list, *o);
  list->callback([&run, o] {
    run = [o] { return CallApiAndPrint(*o, {"GET", "/v1/strategies", ""}); };
  });

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
