// `finbrain import PATH`: bulk-load JSONL events into a running server (--url, --api-key) or
// straight into a data directory no server holds (--data-dir, --tenant).
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <optional>

#include "apps/finbrain/cli.h"
#include "common/clock.h"
#include "common/progress.h"
#include "ingest/event_schema.h"
#include "ingest/jsonl.h"
#include "runtime/runtime.h"
#include "server/http_client.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

constexpr size_t kMaxBodyBytes = 768 << 10;

struct ImportOptions {
  std::string path, url, api_key, data_dir, tenant;
  std::string before;                // RFC 3339; only events that occurred earlier (--data-dir)
  std::optional<TimeMicros> cutoff;  // `before` parsed
  size_t batch = 2000;
  size_t max_errors_shown = 20;
};

struct Totals {
  std::uint64_t lines = 0, accepted = 0, duplicates = 0, rejected = 0, later = 0;
  std::vector<std::string> errors;  // first few "file:line: field: message"

  void Reject(const std::string& position, const std::string& field, const std::string& message,
              size_t max_shown) {
    ++rejected;
    if (errors.size() < max_shown) {
      // Messages usually start with the field path already.
      const bool named = field.empty() || message.starts_with(field);
      errors.push_back(position + ": " + (named ? "" : field + ": ") + message);
    }
  }
};

std::string Rate(std::uint64_t events, double seconds) {
  return std::to_string(
             static_cast<long long>(seconds > 0 ? static_cast<double>(events) / seconds : 0)) +
         " events/s";
}

// Into a data directory: validate here, commit through the event store; two batches in flight
// so that validating the next batch overlaps the fsync of the previous one.
Status ImportDirect(const ImportOptions& o, ingest::JsonlReader& reader, Totals& totals,
                    Progress& progress, const std::chrono::steady_clock::time_point start) {
  FB_ASSIGN_OR_RETURN(auto runtime, runtime::Runtime::Open({.data_dir = o.data_dir}));
  if (!runtime->directory->FindTenant(o.tenant)) {
    return NotFoundError("tenant '" + o.tenant + "' does not exist in " + o.data_dir, "tenant");
  }
  const ingest::EventSchema& schema = ingest::EventSchema::Get();
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  Status failure;
  ingest::JsonlReader::Batch batch;
  while (reader.Next(o.batch, batch)) {
    std::vector<ingest::ValidatedEvent> valid;
    valid.reserve(batch.lines.size());
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      StatusOr<ingest::ValidatedEvent> e = schema.ValidateJson(batch.lines[i], *runtime->tokenizer);
      if (e.ok() && o.cutoff && e->occurred_at >= *o.cutoff) {
        std::lock_guard lock(mu);
        ++totals.later;
      } else if (e.ok()) {
        valid.push_back(std::move(*e));
      } else {
        std::lock_guard lock(mu);
        totals.Reject(batch.positions[i], e.status().field(), e.status().message(),
                      o.max_errors_shown);
      }
    }
    std::unique_lock lock(mu);
    totals.lines += batch.lines.size();
    cv.wait(lock, [&] { return in_flight < 2; });
    if (!failure.ok()) break;
    ++in_flight;
    lock.unlock();
    runtime->events->Ingest(
        o.tenant, std::move(valid),
        {.tenant = o.tenant, .actor = "cli", .action = "cli import", .result = "ok"},
        [&](const Status& s, const ingest::IngestSummary& summary) {
          std::lock_guard done_lock(mu);
          if (!s.ok()) failure = s;
          totals.accepted += summary.accepted;
          totals.duplicates += summary.duplicates;
          --in_flight;
          cv.notify_all();
        });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.Update(reader.bytes_read(), Rate(totals.lines, seconds));
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  FB_RETURN_IF_ERROR(reader.status());
  return failure;
}

// Into a running server: lines that are not even JSON are rejected here; the rest go as
// batches to POST /v1/events, whose per-row rejections are mapped back to file:line.
Status ImportOverHttp(const ImportOptions& o, ingest::JsonlReader& reader, Totals& totals,
                      Progress& progress, const std::chrono::steady_clock::time_point start) {
  std::string host;
  std::uint16_t port = 0;
  FB_RETURN_IF_ERROR(server::ParseHttpUrl(o.url, host, port));
  FB_ASSIGN_OR_RETURN(auto client, server::HttpClient::Connect(host, port));
  ingest::JsonlReader::Batch batch;
  std::string body;
  std::vector<size_t> sent;  // batch index of each element in `body`
  // Sends what `body` holds as one POST /v1/events and books the answer.
  auto flush = [&]() -> Status {
    if (sent.empty()) return OkStatus();
    body += ']';
    FB_ASSIGN_OR_RETURN(
        server::HttpResult r,
        client->Send("POST", "/v1/events", body, {{"Authorization", "Bearer " + o.api_key}}));
    boost::system::error_code ec;
    json::value answer = json::parse(r.body, ec);
    if (r.status != 200 || ec || !answer.is_object()) {
      std::string message = "server answered " + std::to_string(r.status);
      if (!ec && answer.is_object() && answer.as_object().contains("error")) {
        message += ": " + std::string(answer.at("error").at("message").as_string());
      }
      return UnavailableError(message + " (after " + std::to_string(totals.accepted) +
                              " events accepted)");
    }
    totals.accepted += answer.at("accepted").to_number<std::uint64_t>();
    totals.duplicates += answer.at("duplicates").to_number<std::uint64_t>();
    for (const json::value& row : answer.at("rejected").as_array()) {
      const size_t index = sent.at(row.at("index").to_number<size_t>());
      totals.Reject(batch.positions[index], std::string(row.at("field").as_string()),
                    std::string(row.at("message").as_string()), o.max_errors_shown);
    }
    body.clear();
    sent.clear();
    return OkStatus();
  };
  while (reader.Next(o.batch, batch)) {
    totals.lines += batch.lines.size();
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      boost::system::error_code ec;
      json::parse(batch.lines[i], ec);
      if (ec) {
        totals.Reject(batch.positions[i], "", "not valid JSON: " + ec.message(),
                      o.max_errors_shown);
        continue;
      }
      // Stay well under the server's default 1 MiB body limit.
      if (!sent.empty() && body.size() + batch.lines[i].size() > kMaxBodyBytes)
        FB_RETURN_IF_ERROR(flush());
      body += sent.empty() ? '[' : ',';
      body += batch.lines[i];
      sent.push_back(i);
    }
    FB_RETURN_IF_ERROR(flush());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.Update(reader.bytes_read(), Rate(totals.lines, seconds));
  }
  return reader.status();
}

}  // namespace

void AddImportCommand(CLI::App& app, GlobalOptions& global, Action& run) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Load events from JSONL files (a file, or a directory of *.jsonl)");
  cmd->add_option("path", o->path,
                  "A .jsonl file, or a directory (its events/ subfolder if present)")
      ->required();
  cmd->add_option("--url", o->url, "Server URL, e.g. http://127.0.0.1:8080");
  cmd->add_option("--api-key", o->api_key, "Tenant API key for --url")->envname("FINBRAIN_API_KEY");
  cmd->add_option("--data-dir", o->data_dir, "Data directory no server holds (with --tenant)");
  cmd->add_option("--tenant", o->tenant, "Tenant to load into, with --data-dir");
  cmd->add_option("--batch", o->batch, "Events per batch")->check(CLI::Range(1, 10000));
  cmd->add_option("--before", o->before,
                  "Only events that occurred before this time (RFC 3339), with --data-dir; "
                  "`finbrain replay --since` sends the rest to a running server");
  cmd->footer(
      "Re-importing is safe: events whose event_id the tenant already has are counted as "
      "duplicates. Bad rows are reported as file:line: field: reason; the rest load. Exit "
      "status 3 when some rows were rejected.");
  cmd->callback([&global, &run, o] {
    run = [&global, o]() -> Status {
      if (o->url.empty() == o->data_dir.empty()) {
        return InvalidArgumentError(
            "give either --url (with --api-key) or --data-dir (with --tenant)", "url");
      }
      if (!o->url.empty() && o->api_key.empty()) {
        return InvalidArgumentError("--url needs --api-key (or FINBRAIN_API_KEY)", "api-key");
      }
      if (!o->data_dir.empty() && o->tenant.empty()) {
        return InvalidArgumentError("--data-dir needs --tenant", "tenant");
      }
      (void)global;
      if (!o->before.empty()) {
        if (o->data_dir.empty()) {
          return InvalidArgumentError("--before works with --data-dir only", "before");
        }
        StatusOr<TimeMicros> cutoff = ParseRfc3339(o->before);
        if (!cutoff.ok()) {
          return InvalidArgumentError("--before: " + cutoff.status().message(), "before");
        }
        o->cutoff = *cutoff;
      }
      FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(o->path));
      ingest::JsonlReader reader(files);
      Progress progress("import", reader.total_bytes());
      Totals totals;
      const auto start = std::chrono::steady_clock::now();
      Status status = o->url.empty() ? ImportDirect(*o, reader, totals, progress, start)
                                     : ImportOverHttp(*o, reader, totals, progress, start);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      progress.Finish(Rate(totals.lines, seconds));
      for (const std::string& e : totals.errors) std::cerr << e << "\n";
      if (totals.rejected > totals.errors.size()) {
        std::cerr << "... and " << totals.rejected - totals.errors.size()
                  << " more rejected rows\n";
      }
      std::cerr << "imported " << files.size() << " file(s): " << totals.lines << " events, "
                << totals.accepted << " accepted, " << totals.duplicates << " duplicates, "
                << totals.rejected << " rejected";
      if (o->cutoff) std::cerr << ", " << totals.later << " left for later";
      std::cerr << " in " << std::fixed << std::setprecision(2) << seconds << " s ("
                << Rate(totals.lines, seconds) << ")\n";
      FB_RETURN_IF_ERROR(status);
      if (totals.rejected > 0) {
        return Status(StatusCode::kFailedPrecondition,
                      std::to_string(totals.rejected) + " rows were rejected (see above)");
      }
      return OkStatus();
    };
  });
}

}  // namespace finbrain::cli
