// `finbrain events to-csv`: one event type's JSONL flattened into a CSV training table (nested
// fields as dotted columns, arrays as their length), optionally joined with outcome labels.
//
//   finbrain events to-csv --events world/events/credit_application.jsonl
//       --join world/truth/applications.jsonl --on application_id --take defaulted --out apps.csv
//       [--list contacts[].phone]   # a column of the items' values, comma-separated
#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <unordered_map>

#include "apps/finbrain/cli.h"
#include "common/progress.h"
#include "common/strings.h"
#include "ingest/event_schema.h"
#include "ingest/jsonl.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct ToCsvOptions {
  std::string events;
  std::string out;
  std::string join;
  std::string on;
  std::vector<std::string> take;
  std::vector<std::string> lists;  // "contacts[].phone": one column of the items' values
};

// The values of the item field in each object of the array, comma-separated, as a CSV cell.
std::string ListCell(const json::object& event, const ingest::EventSchema::ItemPath& path) {
  std::vector<std::string_view> items;
  ingest::AppendItemTexts(event, path, items);
  return CsvField(Join(items, ","));
}

std::string Cell(const json::value* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return CsvField(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "1" : "0";
  if (v->is_array()) return std::to_string(v->get_array().size());
  if (v->is_number()) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v->to_number<double>()).ptr);
  }
  return "";
}

const json::value* Find(const json::object& o, std::string_view path) {
  const json::value* v = nullptr;
  const json::object* at = &o;
  while (at != nullptr) {
    const size_t dot = path.find('.');
    v = at->if_contains(path.substr(0, dot));
    if (v == nullptr || dot == std::string_view::npos) return v;
    at = v->if_object();
    path.remove_prefix(dot + 1);
  }
  return nullptr;
}

Status ToCsv(const ToCsvOptions& o) {
  if (o.join.empty() != o.on.empty() || (!o.join.empty() && o.take.empty())) {
    return InvalidArgumentError("--join needs --on KEY and --take COLUMN[,COLUMN...]", "join");
  }
  // Labels by join key.
  std::unordered_map<std::string, std::vector<std::string>> labels;
  if (!o.join.empty()) {
    std::ifstream in(o.join);
    if (!in) return NotFoundError("cannot read " + Quote(o.join), "join");
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      if (line.empty()) continue;
      boost::system::error_code ec;
      const json::value v = json::parse(line, ec);
      if (ec || !v.is_object() || !v.get_object().contains(o.on)) {
        return InvalidArgumentError(
            o.join + ":" + std::to_string(n) + ": not a JSON object with " + Quote(o.on), "join");
      }
      std::vector<std::string>& row = labels[Cell(&v.get_object().at(o.on))];
      for (const std::string& c : o.take) row.push_back(Cell(Find(v.get_object(), c)));
    }
  }
  ingest::JsonlReader reader({o.events});
  ingest::JsonlReader::Batch batch;
  std::ofstream out(o.out);
  if (!out) return UnavailableError("cannot write " + Quote(o.out));
  std::vector<std::string> columns;
  std::vector<ingest::EventSchema::ItemPath> lists;  // per --list
  std::string type;
  Progress progress("rows", reader.total_bytes());
  std::uint64_t rows = 0, unmatched = 0;
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      boost::system::error_code ec;
      const json::value v = json::parse(batch.lines[i], ec);
      const json::object* e = ec ? nullptr : v.if_object();
      const json::value* t = e ? e->if_contains("event_type") : nullptr;
      if (t == nullptr || !t->is_string()) {
        return InvalidArgumentError(batch.positions[i] + ": not an event object", "events");
      }
      if (type.empty()) {  // the header, from the schema of the first event's type
        type = std::string(t->get_string());
        for (const auto& f : ingest::EventSchema::Get().ScalarFields(type))
          columns.push_back(f.path);
        if (columns.empty()) return InvalidArgumentError("unknown event type " + Quote(type));
        for (const std::string& path : o.lists) {
          auto item = ingest::EventSchema::Get().TextItemPath(type, path);
          if (!item) {
            return InvalidArgumentError("--list " + Quote(path) + ": " + type +
                                            " has no array of objects with that text field "
                                            "(expected ARRAY[].FIELD, like contacts[].phone)",
                                        "list");
          }
          lists.push_back(std::move(*item));
        }
        std::string header;
        for (const std::string& c : columns) header += (header.empty() ? "" : ",") + CsvField(c);
        for (const std::string& c : o.lists) header += "," + CsvField(c);
        for (const std::string& c : o.take) header += "," + CsvField(c);
        out << header << "\n";
      } else if (t->get_string() != type) {
        return InvalidArgumentError(batch.positions[i] + ": event type " +
                                        Quote(std::string(t->get_string())) +
                                        " differs from the first line's " + Quote(type),
                                    "events");
      }
      const std::vector<std::string>* label = nullptr;
      if (!o.join.empty()) {
        auto it = labels.find(Cell(Find(*e, o.on)));
        if (it == labels.end()) {
          ++unmatched;  // no outcome (e.g. never funded): not a training row
          continue;
        }
        label = &it->second;
      }
      std::string line;
      for (size_t c = 0; c < columns.size(); ++c) {
        if (c) line += ',';
        line += Cell(Find(*e, columns[c]));
      }
      for (const auto& path : lists) line += "," + ListCell(*e, path);
      if (label) {
        for (const std::string& cell : *label) line += "," + cell;
      }
      out << line << "\n";
      ++rows;
    }
    progress.Update(reader.bytes_read(), std::to_string(rows) + " rows");
  }
  FB_RETURN_IF_ERROR(reader.status());
  progress.Finish(std::to_string(rows) + " rows");
  if (!out.flush()) return UnavailableError("cannot write " + Quote(o.out));
  std::cerr << "wrote " << rows << " rows to " << o.out;
  if (unmatched > 0) std::cerr << " (" << unmatched << " events without a joined row left out)";
  std::cerr << "\n";
  return OkStatus();
}

}  // namespace

void AddEventCommands(CLI::App& app, GlobalOptions&, Action& run) {
  CLI::App* events = app.add_subcommand("events", "Work with event files");
  events->require_subcommand(1);
  auto o = std::make_shared<ToCsvOptions>();
  CLI::App* to_csv = events->add_subcommand(
      "to-csv", "Flatten one event type's JSONL into a CSV (nested fields as a.b columns)");
  to_csv->add_option("--events", o->events, "JSONL file of one event type")
      ->required()
      ->check(CLI::ExistingFile);
  to_csv->add_option("--out", o->out, "CSV to write")->required();
  to_csv->add_option("--join", o->join, "JSONL of labels (e.g. truth/applications.jsonl)")
      ->check(CLI::ExistingFile);
  to_csv->add_option("--on", o->on, "Field both files share (e.g. application_id)");
  to_csv->add_option("--take", o->take, "Columns of the joined file to add (e.g. defaulted)")
      ->delimiter(',');
  to_csv->add_option("--list", o->lists,
                     "ARRAY[].FIELD: a column of the items' values, comma-separated, for "
                     "features read for each listed id (e.g. contacts[].phone)");
  to_csv->callback([&run, o] { run = [o] { return ToCsv(*o); }; });
}

}  // namespace finbrain::cli
