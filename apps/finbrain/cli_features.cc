// `finbrain features set|show|values|backfill`: declare a tenant's feature windows, read their
// online values, and compute them point in time for a training file.
#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <map>

#include "apps/finbrain/cli.h"
#include "common/entity_types.h"
#include "common/json_text.h"
#include "common/progress.h"
#include "common/strings.h"
#include "decision/credit_decisions.h"
#include "features/backfill.h"
#include "graph/entity_graph.h"
#include "ingest/jsonl.h"
#include "models/dataset.h"
#include "runtime/runtime.h"
#include "tenancy/pii.h"
#include "tenancy/secrets.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct FeaturesOptions : Target {
  std::string file;
  std::vector<std::string> entities;  // TYPE=ID (values) or TYPE=COLUMN (backfill)
  std::string at;
  std::string events;
  std::string data;
  std::string out;
  std::string time_column = "occurred_at";
  bool graph = false;  // backfill: also the graph.* features of kGraphFeatures
};

// graph.* point in time: every event up to a row's time in an entity graph, in time order; as
// in a decision, the row's own application is in it (EntityGraph::AddEventAhead).
// Keeps the events in memory (about 0.5 GB per million).
std::vector<std::vector<std::optional<double>>> GraphBackfill(
    std::vector<ingest::ValidatedEvent> events, const std::vector<features::PointInTime>& points) {
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.occurred_at < b.occurred_at; });
  std::vector<size_t> order(points.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return points[a].at < points[b].at; });
  graph::EntityGraph g;
  std::vector<std::vector<std::optional<double>>> values(points.size());
  size_t next = 0;
  Progress progress("graph rows", points.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const features::PointInTime& p = points[order[k]];
    while (next < events.size() && events[next].occurred_at <= p.at) g.AddEvent(events[next++]);
    values[order[k]] = decision::GraphFeatures(g, p.ids, p.at);
    if (k % 1024 == 0) progress.Update(k);
  }
  progress.Finish();
  return values;
}

Status Set(const FeaturesOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  // Compiled here first, so a broken file is reported with its path before anything is sent.
  FB_ASSIGN_OR_RETURN(auto set, features::FeatureSet::Load(o.file));
  if (!o.url.empty()) {
    FB_ASSIGN_OR_RETURN(std::string answer, CallTarget(o, "PUT", "/v1/features", set->yaml()));
    std::cout << answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  if (!runtime->directory->FindTenant(o.tenant)) {
    return NotFoundError("tenant " + Quote(o.tenant) + " does not exist", "tenant");
  }
  FB_RETURN_IF_ERROR(runtime->features->SetFeatureSet(o.tenant, set, {"cli", "cli features set"}));
  std::cerr << "declared " << set->features().size() << " features for tenant " << o.tenant << "\n";
  return OkStatus();
}

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

Status Values(const FeaturesOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  FB_ASSIGN_OR_RETURN(auto ids, ParseAssignments(o.entities, "ID"));
  if (ids.empty()) return InvalidArgumentError("name at least one --entity TYPE=ID", "entity");
  if (!o.url.empty()) {
    std::string query;
    for (const auto& [type, id] : ids)
      query += (query.empty() ? "?" : "&") + PercentEncode(type) + "=" + PercentEncode(id);
    if (!o.at.empty()) query += "&at=" + PercentEncode(o.at);
    FB_ASSIGN_OR_RETURN(std::string answer,
                        CallTarget(o, "GET", "/v1/features/values" + query, ""));
    std::cout << answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  auto set = runtime->features->For(o.tenant);
  if (!set) return NotFoundError("tenant " + Quote(o.tenant) + " has declared no features");
  TimeMicros at = SystemClock().NowMicros();
  if (!o.at.empty()) {
    FB_ASSIGN_OR_RETURN(at, ParseRfc3339(o.at));
  }
  FB_ASSIGN_OR_RETURN(
      features::NamedIds named,
      features::CanonicalIds(*set, ids, [&](std::string_view type, std::string_view raw) {
        return runtime->lists->CanonicalValue(type, raw);
      }));
  const auto values = runtime->features->Compute(o.tenant, named.ids, at, named.listed);
  json::object out;
  for (size_t i = 0; i < values.size(); ++i) {
    out[set->features()[i].name] = values[i] ? json::value(*values[i]) : json::value(nullptr);
  }
  std::cout << ToJsonText(json::object{{"at", FormatRfc3339(at)}, {"values", out}}) << "\n";
  return OkStatus();
}

Status Show(const FeaturesOptions& o) {
  FB_RETURN_IF_ERROR(CheckTarget(o));
  if (!o.url.empty()) {
    FB_ASSIGN_OR_RETURN(std::string answer, CallTarget(o, "GET", "/v1/features", ""));
    std::cout << answer << "\n";
    return OkStatus();
  }
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  auto set = runtime->features->For(o.tenant);
  if (!set) return NotFoundError("tenant " + Quote(o.tenant) + " has declared no features");
  std::cout << set->yaml();
  return OkStatus();
}

// The column names of a CSV file's header row.
StatusOr<std::vector<std::string>> CsvHeader(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return NotFoundError("cannot read " + Quote(path), "data");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> names(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        names.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (line[i] == ',' && !quoted) {
      names.emplace_back();
    } else {
      names.back() += line[i];
    }
  }
  return names;
}

// The event type of a JSONL line without parsing it all (lines of other types are skipped).
std::string_view EventTypeOf(std::string_view line) {
  const size_t key = line.find("\"event_type\"");
  if (key == std::string_view::npos) return {};
  const size_t open = line.find('"', line.find(':', key) + 1);
  const size_t close = open == std::string_view::npos ? open : line.find('"', open + 1);
  if (close == std::string_view::npos) return {};
  return line.substr(open + 1, close - open - 1);
}

Status RunBackfill(const FeaturesOptions& o) {
  FB_ASSIGN_OR_RETURN(auto set, features::FeatureSet::Load(o.file));
  FB_ASSIGN_OR_RETURN(auto columns, ParseAssignments(o.entities, "COLUMN"));
  // The rows: entity id columns and the time column are read as text.
  // Entity types without an id column (say, cards for a file of applications) leave their
  // features missing; a column named with --entity must exist.
  FB_ASSIGN_OR_RETURN(std::vector<std::string> header, CsvHeader(o.data));
  const auto has = [&](const std::string& c) {
    return std::find(header.begin(), header.end(), c) != header.end();
  };
  models::CsvOptions csv_options{.categorical = {o.time_column}};
  std::vector<std::string> entities = set->entities();
  if (o.graph) {  // the ids graph features read, when the file has their default columns
    for (const char* e : {"user", "device", "phone", "address"}) {
      if (std::find(entities.begin(), entities.end(), e) == entities.end() &&
          has(std::string(features::DefaultKeyField(e)))) {
        entities.emplace_back(e);
      }
    }
  }
  // Features read for the ids a row lists (read_for: contacts[].phone): a column named by the
  // path (or --entity PATH=COLUMN) of comma-separated ids, as `events to-csv --list` writes.
  std::map<std::string, std::string> listed_columns;  // path -> column
  for (const features::FeatureSet::ReadGroup& group : set->read_groups()) {
    if (group.read_for.empty() || listed_columns.contains(group.read_for)) continue;
    const auto named = columns.find(group.read_for);
    const std::string column = named != columns.end() ? named->second : group.read_for;
    if (named != columns.end()) columns.erase(named);
    if (!has(column)) {
      std::cerr << "note: " << o.data << " has no column " << Quote(column) << " for the ids "
                << "listed at " << group.read_for << "; its features are left empty (write one "
                << "with `events to-csv --list " << group.read_for << "`)\n";
      continue;
    }
    listed_columns[group.read_for] = column;
    csv_options.categorical.push_back(column);
  }
  for (const auto& [name, column] : columns) {
    if (name.find("[].") != std::string::npos) {
      return InvalidArgumentError("--entity " + name + ": no feature is read for " + Quote(name),
                                  "entity");
    }
  }
  for (const std::string& entity : entities) {
    if (!columns.contains(entity)) {
      const std::string column(features::DefaultKeyField(entity));
      if (!has(column)) {
        std::cerr << "note: " << o.data << " has no column " << Quote(column) << " for the "
                  << entity << " id; its features are left empty (name one with --entity " << entity
                  << "=COLUMN)\n";
        continue;
      }
      columns[entity] = column;
    }
    if (has(columns[entity])) csv_options.categorical.push_back(columns[entity]);
  }
  FB_ASSIGN_OR_RETURN(models::Dataset rows, models::ReadCsv(o.data, csv_options));
  const models::Column* time = rows.Find(o.time_column);
  if (time == nullptr) {
    return InvalidArgumentError(
        o.data + " has no time column " + Quote(o.time_column) + " (name it with --time-column)",
        "time-column");
  }
  // Events and rows are tokenized with one throwaway key: the tokens only need to agree with
  // each other here.
  tenancy::SecretKey key;
  tenancy::RandomBytes(key.data(), key.size());
  const tenancy::PiiTokenizer tokenizer(key);
  std::vector<features::PointInTime> points(rows.rows);
  for (const auto& [entity, column_name] : columns) {
    const models::Column* column = rows.Find(column_name);
    if (column == nullptr) {
      return InvalidArgumentError(o.data + " has no column " + Quote(column_name) + " for the " +
                                      entity + " id (name it with --entity " + entity + "=COLUMN)",
                                  "entity");
    }
    const std::optional<tenancy::PiiKind> pii = tenancy::PiiKindForEntityType(entity);
    for (size_t r = 0; r < rows.rows; ++r) {
      std::string id = column->Text(r);
      if (id.empty()) continue;
      if (pii) {
        StatusOr<std::string> token = tokenizer.Tokenize(*pii, id);
        if (!token.ok()) {
          return InvalidArgumentError("row " + std::to_string(r + 1) + ", column " +
                                          Quote(column_name) + ": " + token.status().message(),
                                      column_name);
        }
        id = std::move(*token);
      }
      points[r].ids[entity] = std::move(id);
    }
  }
  const auto tokenize = [&](std::string_view type, std::string_view raw) -> StatusOr<std::string> {
    const std::optional<tenancy::PiiKind> pii = tenancy::PiiKindForEntityType(type);
    return pii ? tokenizer.Tokenize(*pii, raw) : StatusOr<std::string>(std::string(raw));
  };
  for (const auto& [path, column_name] : listed_columns) {
    const models::Column& column = *rows.Find(column_name);
    for (size_t r = 0; r < rows.rows; ++r) {
      StatusOr<features::NamedIds> named =
          features::CanonicalIds(*set, {{path, column.Text(r)}}, tokenize);
      if (!named.ok()) {
        return InvalidArgumentError("row " + std::to_string(r + 1) + ", column " +
                                        Quote(column_name) + ": " + named.status().message(),
                                    column_name);
      }
      points[r].listed[path] = std::move(named->listed[path]);
    }
  }
  for (size_t r = 0; r < rows.rows; ++r) {
    StatusOr<TimeMicros> at = ParseRfc3339(time->Text(r));
    if (!at.ok()) {
      return InvalidArgumentError("row " + std::to_string(r + 1) + ", column " +
                                      Quote(o.time_column) + ": " + at.status().message(),
                                  o.time_column);
    }
    points[r].at = *at;
  }

  FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(o.events));
  ingest::JsonlReader reader(files);
  features::Backfill backfill(set);
  const ingest::EventSchema& schema = ingest::EventSchema::Get();
  Progress progress("events", reader.total_bytes());
  ingest::JsonlReader::Batch batch;
  std::uint64_t used = 0;
  std::vector<ingest::ValidatedEvent> graph_events;
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      const bool windows = set->Consumes(EventTypeOf(batch.lines[i]));
      if (!windows && !o.graph) continue;
      StatusOr<ingest::ValidatedEvent> event = schema.ValidateJson(batch.lines[i], tokenizer);
      if (!event.ok()) {
        return InvalidArgumentError(batch.positions[i] + ": " + event.status().message(),
                                    event.status().field());
      }
      if (windows) {
        FB_RETURN_IF_ERROR(backfill.AddEvent(*event));
        ++used;
      }
      if (o.graph) graph_events.push_back(std::move(*event));
    }
    progress.Update(reader.bytes_read(), std::to_string(used) + " events used");
  }
  FB_RETURN_IF_ERROR(reader.status());
  progress.Finish(std::to_string(used) + " events, " + std::to_string(backfill.updates()) +
                  " updates");
  Progress row_progress("rows", rows.rows);
  const auto values =
      backfill.Compute(points, [&](size_t done, size_t) { row_progress.Update(done); });
  row_progress.Finish();
  std::vector<std::vector<std::optional<double>>> graph_values;
  if (o.graph) graph_values = GraphBackfill(std::move(graph_events), points);

  std::ofstream out(o.out);
  if (!out) return UnavailableError("cannot write " + Quote(o.out));
  for (size_t c = 0; c < rows.columns.size(); ++c)
    out << (c ? "," : "") << CsvField(rows.columns[c].name);
  for (const features::FeatureDef& f : set->features()) out << ',' << CsvField(f.name);
  if (o.graph) {
    for (std::string_view name : decision::kGraphFeatures) out << ",graph_" << name;
  }
  out << '\n';
  // Shortest text that reads back as the same double.
  const auto number = [](double v) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    return std::string(buf, end);
  };
  for (size_t r = 0; r < rows.rows; ++r) {
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      const models::Column& column = rows.columns[c];
      if (c) out << ',';
      if (column.kind == models::ColumnKind::kCategorical) {
        out << CsvField(column.Text(r));
      } else if (!column.IsMissing(r)) {
        out << number(column.numbers[r]);
      }
    }
    for (const std::optional<double>& v : values[r]) {
      out << ',';
      if (v) out << number(*v);
    }
    if (o.graph) {
      for (const std::optional<double>& v : graph_values[r]) {
        out << ',';
        if (v) out << number(*v);
      }
    }
    out << '\n';
  }
  if (!out.flush()) return UnavailableError("cannot write " + Quote(o.out));
  std::cerr << "wrote " << rows.rows << " rows with " << set->features().size() << " features to "
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
  show->callback([&run, o] { run = [o] { return Show(*o); }; });

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
  backfill->callback([&run, o] { run = [o] { return RunBackfill(*o); }; });
}

}  // namespace finbrain::cli
