// `finbrain serve`, `audit verify`, `snapshots verify`, `import` and `replay`: running the server
// and moving events into it.
#include <boost/json.hpp>
#include <iomanip>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/logging.h"
#include "ingest/import.h"
#include "ingest/jsonl.h"
#include "server/http_client.h"
#include "server/serve.h"
#include "sim/replay.h"
#include "tenancy/audit_log.h"

namespace finbrain::cli {
namespace {

using Targets = Commands::Targets;

StatusOr<TimeMicros> Time(const Args& a, const std::string& name) {
  StatusOr<TimeMicros> t = ParseRfc3339(a[name]);
  if (!t.ok()) return InvalidArgumentError("--" + name + ": " + t.status().message(), name);
  return t;
}

Status Serve(Commands& c, Args& a) {
  FB_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(c));
  for (const auto& [flag, key] : {std::pair{"data-dir", "data_dir"},
                                  {"listen", "server.listen"},
                                  {"io-threads", "server.io_threads"},
                                  {"log-level", "log.level"}}) {
    if (!a[flag].empty()) FB_RETURN_IF_ERROR(server::ApplyConfigValue(config, key, a[flag]));
  }
  FB_RETURN_IF_ERROR(InitLogging(config.log_level));
  return server::Serve(config, [&config](std::uint16_t port) {
    // Scripts and tests read this line to learn the port.
    std::cout << "finbrain listening on http://" << config.listen_host << ":" << port << std::endl;
  });
}

Status VerifyAudit(Commands& c, Args& a) {
  std::string dir = a["data-dir"];
  if (dir.empty()) {
    FB_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(c));
    dir = config.data_dir;
  }
  FB_ASSIGN_OR_RETURN(tenancy::AuditVerification v, tenancy::AuditLog::VerifyDataDirectory(dir));
  if (!v.intact) {
    return DataLossError("audit log broken at entry " + std::to_string(v.first_bad_seq) + ": " +
                         v.problem + " (" + std::to_string(v.entries_checked) +
                         " entries before it verified)");
  }
  std::cout << "audit log intact: " << v.entries_checked << " entries verified\n";
  return OkStatus();
}

Status VerifySnapshots(Commands& c, Args& a) {
  std::string dir = a["data-dir"];
  if (dir.empty()) {
    FB_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(c));
    dir = config.data_dir;
  }
  FB_ASSIGN_OR_RETURN(runtime::Runtime * runtime, LocalRuntime(dir));
  std::cerr << "replaying all " << runtime->events->last_seq()
            << " events of the log to compare (a full start's replay: ~35 s for 4.5M)\n";
  FB_ASSIGN_OR_RETURN(std::vector<runtime::SnapshotCheck> checks,
                      runtime::VerifySnapshots(*runtime));
  bool same = true;
  for (const runtime::SnapshotCheck& check : checks) {
    std::cout << check.consumer << ": ";
    if (check.snapshot_seq == 0) {
      std::cout << "no snapshot loaded, " << check.log_head << " events replayed";
    } else {
      std::cout << "snapshot at event " << check.snapshot_seq << " + "
                << check.log_head - check.snapshot_seq << " events replayed";
    }
    std::cout << (check.same ? " = " : " DIFFERS from ") << "a full replay of the log\n";
    same &= check.same;
  }
  if (same) return OkStatus();
  return DataLossError("a restored state differs from a full replay (see above)");
}

// One batch through POST /v1/events of the target's server.
StatusOr<ingest::BatchAnswer> SendBatch(const Args& a, const std::string& body) {
  FB_ASSIGN_OR_RETURN(std::string text,
                      server::CallFinbrainApi(a.url, "POST", "/v1/events", body, a.key));
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

Status Import(Args& a) {
  ingest::ImportOptions options{.batch = size_t(a.Number("batch"))};
  if (!a["before"].empty()) {
    if (a.data_dir.empty()) {
      return InvalidArgumentError("--before works with --data-dir only", "before");
    }
    FB_ASSIGN_OR_RETURN(options.before, Time(a, "before"));
  }
  FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(a["path"]));
  // The target, key and tenant are checked with one request first.
  FB_RETURN_IF_ERROR(CallApi(a, {"GET", "/v1/stats/events", ""}).status());
  StatusOr<ingest::ImportTotals> totals = UnavailableError("not run");
  if (!a.url.empty()) {
    totals = ingest::ImportThroughApi(
        files, [&a](const std::string& body) { return SendBatch(a, body); }, options);
  } else {
    FB_ASSIGN_OR_RETURN(runtime::Runtime * runtime, LocalRuntime(a.data_dir));
    totals =
        ingest::ImportIntoStore(*runtime->events, *runtime->tokenizer, a.tenant, files, options);
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
  if (options.before) std::cerr << ", " << totals->later << " left for later";
  std::cerr << " in " << std::fixed << std::setprecision(2) << totals->seconds << " s ("
            << static_cast<long long>(rate) << " events/s)\n";
  if (totals->rejected == 0) return OkStatus();
  return Status(StatusCode::kFailedPrecondition,
                std::to_string(totals->rejected) + " rows were rejected (see above)");
}

Status Replay(Args& a) {
  if (a.url.empty() || a.key.empty()) {
    return InvalidArgumentError("replay plays to a running server: give --url and --api-key",
                                "url");
  }
  sim::ReplayOptions options{.rate = a.Number("rate"),
                             .seconds = a.Number("seconds"),
                             .loop = a.Flag("loop"),
                             .fresh_ids = a.Flag("fresh-ids")};
  if (!a["since"].empty()) {
    FB_ASSIGN_OR_RETURN(options.since, Time(a, "since"));
  }
  std::string host;
  std::uint16_t port = 0;
  FB_RETURN_IF_ERROR(server::ParseHttpUrl(a.url, host, port));
  FB_ASSIGN_OR_RETURN(auto client, server::HttpClient::Connect(host, port));
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer " + a.key}, {"Content-Type", "application/json"}};
  return sim::Replay(
      a["path"],
      [&](const std::string& route, const std::string& body) -> StatusOr<sim::ReplayAnswer> {
        FB_ASSIGN_OR_RETURN(server::HttpResult r, client->Send("POST", route, body, headers));
        return sim::ReplayAnswer{r.status, std::move(r.body)};
      },
      options);
}

}  // namespace

void AddServerCommands(Commands& c) {
  c.Add(nullptr, "serve", "Run the HTTP API server until SIGTERM/SIGINT",
        {{"--data-dir", "Data directory (created if missing)"},
         {"--listen", "HOST:PORT to listen on (port 0 picks a free one)"},
         {"--io-threads", "Number of I/O threads", "", false, CLI::Range(1, 256)},
         {"--log-level", "trace, debug, info, warn, error or off"}},
        Targets::kNone, [&c](Args& a) { return Serve(c, a); })
      ->footer(
          "Settings come from defaults, then --config, then FINBRAIN_* environment variables, "
          "then these flags. The admin API is on only when FINBRAIN_ADMIN_TOKEN (or "
          "security.admin_token) is set.");
  c.Add(c.Group("audit", "Inspect the audit log"), "verify",
        "Walk the hash chain; exit 0 when intact, 1 naming the first bad entry",
        {{"--data-dir", "Data directory (may be in use by a running server)"}}, Targets::kNone,
        [&c](Args& a) { return VerifyAudit(c, a); });
  c.Add(c.Group("snapshots", "Check the snapshots of the in-memory state"), "verify",
        "Start the graph, devices and behaviour from their snapshots and the log after them, as "
        "a restart does, and compare each with a full replay of the log; exit 0 when all agree",
        {{"--data-dir", "Data directory (no server may hold it)"}}, Targets::kNone,
        [&c](Args& a) { return VerifySnapshots(c, a); });
  c.Add(nullptr, "import", "Load events from JSONL files (a file, or a directory of *.jsonl)",
        {{"path", "A .jsonl file, or a directory (its events/ subfolder if present)", "", true},
         {"--batch", "Events per batch", "2000", false, CLI::Range(1, 10000)},
         {"--before",
          "Only events that occurred before this time (RFC 3339), with --data-dir; `finbrain "
          "replay --since` sends the rest to a running server"}},
        Targets::kTenant, Import)
      ->footer(
          "Re-importing is safe: events whose event_id the tenant already has are counted as "
          "duplicates. Bad rows are reported as file:line: field: reason; the rest load. Exit "
          "status 3 when some rows were rejected.");
  c.Add(nullptr, "replay",
        "Play events to a running server in time order, as live traffic (the demo)",
        {{"path", "A .jsonl file, or a directory (its events/ subfolder)", "", true},
         {"--since", "Only events at or after this time (RFC 3339)"},
         {"--rate", "Events per second", "20", false, CLI::Range(0.1, 100000.0)},
         {"--seconds", "Stop after this many seconds (0: at the end)", "0", false,
          CLI::NonNegativeNumber},
         {"--loop",
          "Start again at the end, under new event and application ids",
          "",
          false,
          {},
          true},
         {"--fresh-ids",
          "New event and application ids from the first pass on (the events are decided again "
          "even if an earlier replay sent them)",
          "",
          false,
          {},
          true}},
        Targets::kTenant, Replay)
      ->footer(
          "Needs --url and --api-key. credit_application -> POST /v1/decisions/credit; login, "
          "payment -> POST /v1/decisions/transaction; other events -> POST /v1/events. "
          "Progress every 10 s on stderr.");
}

}  // namespace finbrain::cli
