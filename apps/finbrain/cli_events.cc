// `finbrain events to-csv`: one event type's JSONL flattened into a CSV training table
// (ingest/events_to_csv.h), optionally joined with outcome labels.
//
//   finbrain events to-csv --events world/events/credit_application.jsonl
//       --join world/truth/applications.jsonl --on application_id --take defaulted --out apps.csv
//       [--list contacts[].phone]   # a column of the items' values, comma-separated
#include <iostream>

#include "apps/finbrain/cli.h"
#include "ingest/events_to_csv.h"

namespace finbrain::cli {

void AddEventCommands(CLI::App& app, GlobalOptions&, Action& run) {
  CLI::App* events = app.add_subcommand("events", "Work with event files");
  events->require_subcommand(1);
  auto o = std::make_shared<ingest::EventsToCsvOptions>();
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
  to_csv->callback([&run, o] {
    run = [o]() -> Status {
      FB_ASSIGN_OR_RETURN(ingest::EventsToCsvSummary s, ingest::EventsToCsv(*o));
      std::cerr << "wrote " << s.rows << " rows to " << o->out;
      if (s.unmatched > 0)
        std::cerr << " (" << s.unmatched << " events without a joined row left out)";
      std::cerr << "\n";
      return OkStatus();
    };
  });
}

}  // namespace finbrain::cli
