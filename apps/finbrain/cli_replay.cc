// `finbrain replay PATH --url URL --api-key KEY`: plays a world's events to a running server in
// time order at a steady rate, as live traffic would arrive (sim/replay.h).
#include <iostream>

#include "apps/finbrain/cli.h"
#include "server/http_client.h"
#include "sim/replay.h"

namespace finbrain::cli {

void AddReplayCommand(CLI::App& app, GlobalOptions&, Action& run) {
  struct ReplayCli {
    std::string path, url, api_key, since;
    sim::ReplayOptions options;
  };
  auto o = std::make_shared<ReplayCli>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Play events to a running server in time order, as live traffic (the demo)");
  cmd->add_option("path", o->path, "A .jsonl file, or a directory (its events/ subfolder)")
      ->required();
  cmd->add_option("--url", o->url, "Server URL, e.g. http://127.0.0.1:8080")->required();
  cmd->add_option("--api-key", o->api_key, "Tenant API key")
      ->envname("FINBRAIN_API_KEY")
      ->required();
  cmd->add_option("--since", o->since, "Only events at or after this time (RFC 3339)");
  cmd->add_option("--rate", o->options.rate, "Events per second")->check(CLI::Range(0.1, 100000.0));
  cmd->add_option("--seconds", o->options.seconds, "Stop after this many seconds (0: at the end)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--loop", o->options.loop,
                "Start again at the end, under new event and application ids");
  cmd->add_flag("--fresh-ids", o->options.fresh_ids,
                "New event and application ids from the first pass on (the events are decided "
                "again even if an earlier replay sent them)");
  cmd->footer(
      "credit_application -> POST /v1/decisions/credit; login, payment -> POST "
      "/v1/decisions/transaction; other events -> POST /v1/events. Progress every 10 s on "
      "stderr.");
  cmd->callback([&run, o] {
    run = [o]() -> Status {
      if (!o->since.empty()) {
        StatusOr<TimeMicros> since = ParseRfc3339(o->since);
        if (!since.ok())
          return InvalidArgumentError("--since: " + since.status().message(), "since");
        o->options.since = *since;
      }
      std::string host;
      std::uint16_t port = 0;
      FB_RETURN_IF_ERROR(server::ParseHttpUrl(o->url, host, port));
      FB_ASSIGN_OR_RETURN(auto client, server::HttpClient::Connect(host, port));
      const std::vector<std::pair<std::string, std::string>> headers = {
          {"Authorization", "Bearer " + o->api_key}, {"Content-Type", "application/json"}};
      return sim::Replay(
          o->path,
          [&](const std::string& route, const std::string& body) -> StatusOr<sim::ReplayAnswer> {
            FB_ASSIGN_OR_RETURN(server::HttpResult r, client->Send("POST", route, body, headers));
            return sim::ReplayAnswer{r.status, std::move(r.body)};
          },
          o->options);
    };
  });
}

}  // namespace finbrain::cli
