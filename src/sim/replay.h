// Replay: a simulated world's events played to a running server in time order at a steady
// rate, as live traffic would arrive: credit applications are decided (POST
// /v1/decisions/credit), logins and payments go through real-time interception (POST
// /v1/decisions/transaction), customers' service messages go to the FAQ bot (POST
// /v1/service/messages; ingested as events when the tenant has no KB), everything else is ingested
// (POST /v1/events). `finbrain replay`; the demo runs it in the background so the console's
// dashboards move. Progress every 10 s on stderr.
//
// Example:
//   FB_RETURN_IF_ERROR(Replay("world/events", send_over_http, {.rate = 20, .loop = true}));
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace finbrain::sim {

struct ReplayOptions {
  double rate = 20;                 // events per second
  double seconds = 0;               // stop after this long; 0: when done (or never, with loop)
  bool loop = false;                // start again at the end, with fresh ids
  bool fresh_ids = false;           // new ids from the first pass on (a re-run decides again)
  std::optional<TimeMicros> since;  // only events at or after this time
  size_t max_errors_shown = 10;
};

// What the server answered one event: HTTP status and body.
struct ReplayAnswer {
  int status = 0;
  std::string body;
};
// Sends `body` to POST `route` of the server.
using SendEvent =
    std::function<StatusOr<ReplayAnswer>(const std::string& route, const std::string& body)>;

// kUnauthenticated when the server refuses the key; other refusals are counted and shown.
Status Replay(const std::string& path, const SendEvent& send, const ReplayOptions& options);

}  // namespace finbrain::sim
