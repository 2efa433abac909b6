// `finbrain import PATH`: bulk-load JSONL events (ingest/import.h) into a running server
// (--url, --api-key) or straight into a data directory no server holds (--data-dir, --tenant).
#include <boost/json.hpp>
#include <iomanip>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/clock.h"
#include "ingest/import.h"
#include "ingest/jsonl.h"

namespace finbrain::cli {
namespace {

struct ImportCli : Target {
  std::string path;
  std::string before;  // RFC 3339; only events that occurred earlier (--data-dir)
  ingest::ImportOptions options;
};

// One batch through POST /v1/events of the target's server.
StatusOr<ingest::BatchAnswer> SendBatch(const ImportCli& o, const std::string& body) {
  FB_ASSIGN_OR_RETURN(std::string text, CallServer(o.url, {"POST", "/v1/events", body}, o.key));
  const boost::json::value answer = boost::json::parse(text);
  ingest::BatchAnswer out{.accepted = answer.at("accepted").to_number<std::uint64_t>(),
                          .duplicates = answer.at("duplicates").to_number<std::uint64_t>()};
  for (const boost::json::value& row : answer.at("rejected").as_array()) {
    out.rejected.push_back({row.at("index").to_number<size_t>(),
                            std::string(row.at("field").as_string()),
                            std::string(row.at("message").as_string())});
  }
  return out;
}

Status Import(ImportCli& o) {
  if (!o.before.empty()) {
    if (o.data_dir.empty()) {
      return InvalidArgumentError("--before works with --data-dir only", "before");
    }
    StatusOr<TimeMicros> cutoff = ParseRfc3339(o.before);
    if (!cutoff.ok())
      return InvalidArgumentError("--before: " + cutoff.status().message(), "before");
    o.options.before = *cutoff;
  }
  FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(o.path));
  StatusOr<ingest::ImportTotals> totals = UnavailableError("not run");
  if (!o.url.empty()) {
    FB_RETURN_IF_ERROR(CallApi(o, {"GET", "/v1/stats/events", ""}).status());  // key and URL
    totals = ingest::ImportThroughApi(
        files, [&o](const std::string& body) { return SendBatch(o, body); }, o.options);
  } else {
    FB_RETURN_IF_ERROR(CallApi(o, {"GET", "/v1/stats/events", ""}).status());  // the tenant
    FB_ASSIGN_OR_RETURN(runtime::Runtime * runtime, LocalRuntime(o.data_dir));
    totals =
        ingest::ImportIntoStore(*runtime->events, *runtime->tokenizer, o.tenant, files, o.options);
  }
  FB_RETURN_IF_ERROR(totals.status());
  for (const std::string& e : totals->errors) std::cerr << e << "\n";
  if (totals->rejected > totals->errors.size()) {
    std::cerr << "... and " << totals->rejected - totals->errors.size() << " more rejected rows\n";
  }
  const double rate = totals->seconds > 0 ? double(totals->lines) / totals->seconds : 0;
  std::cerr << "imported " << files.size() << " file(s): " << totals->lines << " events, "
            << totals->accepted << " accepted, " << totals->duplicates << " duplicates, "
            << totals->rejected << " rejected";
  if (o.options.before) std::cerr << ", " << totals->later << " left for later";
  std::cerr << " in " << std::fixed << std::setprecision(2) << totals->seconds << " s ("
            << static_cast<long long>(rate) << " events/s)\n";
  if (totals->rejected > 0) {
    return Status(StatusCode::kFailedPrecondition,
                  std::to_string(totals->rejected) + " rows were rejected (see above)");
  }
  return OkStatus();
}

}  // namespace

void AddImportCommand(CLI::App& app, GlobalOptions&, Action& run) {
  auto o = std::make_shared<ImportCli>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Load events from JSONL files (a file, or a directory of *.jsonl)");
  cmd->add_option("path", o->path,
                  "A .jsonl file, or a directory (its events/ subfolder if present)")
      ->required();
  AddTargetOptions(cmd, *o);
  cmd->add_option("--batch", o->options.batch, "Events per batch")->check(CLI::Range(1, 10000));
  cmd->add_option("--before", o->before,
                  "Only events that occurred before this time (RFC 3339), with --data-dir; "
                  "`finbrain replay --since` sends the rest to a running server");
  cmd->footer(
      "Re-importing is safe: events whose event_id the tenant already has are counted as "
      "duplicates. Bad rows are reported as file:line: field: reason; the rest load. Exit "
      "status 3 when some rows were rejected.");
  cmd->callback([&run, o] { run = [o] { return Import(*o); }; });
}

}  // namespace finbrain::cli
