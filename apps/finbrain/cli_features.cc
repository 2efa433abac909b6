// `finbrain features set|show|values|backfill`: declare a tenant's feature windows and read
// their online values (through the API of a server or a data directory), and compute them point
// in time for a training file (features/training_table.h).
#include <iostream>
#include <map>

#include "apps/finbrain/cli.h"
#include "common/entity_types.h"
#include "common/strings.h"
#include "features/training_table.h"
#include "graph/graph_features.h"

namespace finbrain::cli {
namespace {

struct FeaturesOptions : Target {
  std::string file;
  std::vector<std::string> entities;  // TYPE=ID (values) or TYPE=COLUMN (backfill)
  std::string at;
  std::string events;
  std::string data;
  std::string out;
  std::string time_column = "occurred_at";
  bool graph = false;  // backfill: also the graph.* features (graph/graph_features.h)
};

StatusOr<std::map<std::string, std::string>> ParseAssignments(const std::vector<std::string>& list,
                                                              std::string_view what) {
  std::map<std::string, std::string> out;
  for (const std::string& item : list) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return InvalidArgumentError(
          "--entity takes TYPE=" + std::string(what) + ", not " + Quote(item), "entity");
    }
    const std::string type = item.substr(0, eq);
    // A read_for path (contacts[].phone) names the ids a request lists; the set checks it.
    if (!IsEntityType(type) && type.find("[].") == std::string::npos) {
      return InvalidArgumentError("--entity: unknown entity type " + Quote(type), "entity");
    }
    out[type] = item.substr(eq + 1);
  }
  return out;
}

Status Set(const FeaturesOptions& o) {
  // Compiled here first, so a broken file is reported with its path before anything is sent.
  FB_ASSIGN_OR_RETURN(auto set, features::FeatureSet::Load(o.file));
  return CallApiAndPrint(o, {"PUT", "/v1/features", set->yaml()});
}

Status Values(const FeaturesOptions& o) {
  FB_ASSIGN_OR_RETURN(auto ids, ParseAssignments(o.entities, "ID"));
  if (ids.empty()) return InvalidArgumentError("name at least one --entity TYPE=ID", "entity");
  std::string query;
  for (const auto& [type, id] : ids) {
    query += (query.empty() ? "?" : "&") + PercentEncode(type) + "=" + PercentEncode(id);
  }
  if (!o.at.empty()) query += "&at=" + PercentEncode(o.at);
  return CallApiAndPrint(o, {"GET", "/v1/features/values" + query, ""});
}

Status Backfill(const FeaturesOptions& o) {
  FB_ASSIGN_OR_RETURN(auto set, features::FeatureSet::Load(o.file));
  FB_ASSIGN_OR_RETURN(auto columns, ParseAssignments(o.entities, "COLUMN"));
  // graph.* as columns graph_<name>, from an entity graph of every event before each row.
  features::ExtraColumns graph{.entities = {"user", "device", "phone", "address"}};
  for (std::string_view name : graph::kGraphFeatures)
    graph.names.push_back("graph_" + std::string(name));
  graph.compute = [](std::vector<ingest::ValidatedEvent> events,
                     const std::vector<features::PointInTime>& rows) {
    std::vector<graph::GraphQuery> queries;
    queries.reserve(rows.size());
    for (const features::PointInTime& row : rows) queries.push_back({row.at, row.ids});
    return graph::PointInTimeGraphFeatures(std::move(events), queries);
  };
  FB_ASSIGN_OR_RETURN(features::TrainingTableSummary summary,
                      features::BuildTrainingTable(*set, {.data = o.data,
                                                          .events = o.events,
                                                          .out = o.out,
                                                          .time_column = o.time_column,
                                                          .entity_columns = std::move(columns),
                                                          .extra = o.graph ? &graph : nullptr}));
  for (const std::string& note : summary.notes) std::cerr << "note: " << note << "\n";
  std::cerr << "wrote " << summary.rows << " rows with " << summary.features << " features to "
            << o.out << "\n";
  return OkStatus();
}

}  // namespace

void AddFeatureCommands(CLI::App& app, GlobalOptions&, Action& run) {
  CLI::App* features = app.add_subcommand("features", "Feature windows: declare, read, backfill");
  features->require_subcommand(1);
  auto o = std::make_shared<FeaturesOptions>();

  CLI::App* set = features->add_subcommand("set", "Declare the tenant's features (YAML file)");
  set->add_option("file", o->file, "Feature set YAML")->required()->check(CLI::ExistingFile);
  AddTargetOptions(set, *o);
  set->callback([&run, o] { run = [o] { return Set(*o); }; });

  CLI::App* show = features->add_subcommand("show", "Print the tenant's declared features");
  AddTargetOptions(show, *o);
  show->callback([&run, o] {
    run = [o] { return CallApiAndPrint(*o, {"GET", "/v1/features", ""}); };
  });

  CLI::App* values = features->add_subcommand("values", "Online feature values of entities");
  values->add_option("--entity", o->entities,
                     "TYPE=ID, e.g. user=u1 or phone=13800138000; a read_for path takes a "
                     "comma-separated list: contacts[].phone=13800138000,13900139000");
  values->add_option("--at", o->at, "Point in time (RFC 3339; default now)");
  AddTargetOptions(values, *o);
  values->callback([&run, o] { run = [o] { return Values(*o); }; });

  CLI::App* backfill = features->add_subcommand(
      "backfill", "Compute features point in time for the rows of a CSV file from past events");
  backfill->add_option("--features", o->file, "Feature set YAML")
      ->required()
      ->check(CLI::ExistingFile);
  backfill->add_option("--events", o->events, "JSONL file or directory of *.jsonl")->required();
  backfill->add_option("--data", o->data, "CSV with a time column and entity id columns")
      ->required()
      ->check(CLI::ExistingFile);
  backfill->add_option("--out", o->out, "CSV to write: the input plus one column per feature")
      ->required();
  backfill
      ->add_option("--time-column", o->time_column,
                   "Column with each row's time (RFC 3339); events before it count")
      ->capture_default_str();
  backfill->add_option("--entity", o->entities,
                       "TYPE=COLUMN when an id column is not named user_id, phone, device_id, ...");
  backfill->add_flag("--graph", o->graph,
                     "Also the graph.* features (columns graph_<name>), from an entity graph of "
                     "every event before each row");
  backfill->callback([&run, o] { run = [o] { return Backfill(*o); }; });
}

}  // namespace finbrain::cli
