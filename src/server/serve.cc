#include "server/serve.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <optional>

#include "common/periodic_task.h"
#include "runtime/runtime.h"
#include "server/api.h"
#include "server/http_server.h"
#include "server/internal/graph_analysis_job.h"
#include "server/static_files.h"

namespace finbrain::server {

Status Serve(const ServerConfig& config, const std::function<void(std::uint16_t)>& on_listening) {
  // Block the shutdown signals in this thread and every thread it starts; sigwait below
  // receives them synchronously.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  FB_ASSIGN_OR_RETURN(
      std::unique_ptr<runtime::Runtime> runtime,
      runtime::Runtime::Open({.data_dir = config.data_dir,
                              .durability = config.durability,
                              .sync_interval = std::chrono::milliseconds(config.sync_interval_ms),
                              .snapshot_every = config.snapshot_every_events}));
  std::optional<StaticFiles> console;
  if (!config.console_dir.empty()) {
    StatusOr<StaticFiles> loaded = StaticFiles::Load(config.console_dir);
    if (loaded.ok()) {
      console = std::move(*loaded);
    } else {
      spdlog::warn("console not served: {}", loaded.status().message());
    }
  }
  tenancy::RateLimiter rate_limiter({config.rate_limit_rps, config.rate_limit_burst});
  Api api(*runtime, rate_limiter,
          {.admin_token = config.admin_token, .console = console ? &*console : nullptr});

  FB_ASSIGN_OR_RETURN(
      std::unique_ptr<HttpServer> server,
      HttpServer::Start({.host = config.listen_host,
                         .port = config.listen_port,
                         .io_threads = config.io_threads,
                         .max_body_bytes = config.max_body_bytes,
                         .max_header_bytes = config.max_header_bytes,
                         .request_timeout = std::chrono::milliseconds(config.request_timeout_ms)},
                        [&api](HttpRequest request, Responder respond) {
                          api.Handle(std::move(request), std::move(respond));
                        }));
  std::optional<GraphAnalysisScheduler> graph_analysis;
  if (config.graph_analysis_interval_s > 0) {
    std::optional<double> threshold;
    if (config.graph_greylist_threshold > 0) threshold = config.graph_greylist_threshold;
    graph_analysis.emplace(
        GraphAnalysisDeps{
            .lists = *runtime->lists, .graph = *runtime->graph, .clock = SystemClock()},
        *runtime->directory, *runtime->audit,
        GraphAnalysisScheduler::Options{
            .interval = std::chrono::seconds(config.graph_analysis_interval_s),
            .greylist_threshold = threshold});
  }
  // Live counts (model monitoring, the overview's decision stats) reach the store every few
  // seconds and at shutdown: a crash loses at most one interval of them.
  const auto flush_counts = [&runtime = *runtime] {
    runtime.FlushLiveCounts(SystemClock().NowMicros());
  };
  std::optional<PeriodicTask> counts_flush;
  counts_flush.emplace("fb-flush-counts", std::chrono::milliseconds(config.stats_flush_ms),
                       flush_counts);
  // Each tenant's FAQ bot is built in the background: messages answer 503 until it is.
  if (Status warm = runtime->kbs->WarmUp(); !warm.ok()) {
    spdlog::warn("the FAQ bots are built on first use: {}", warm.ToString());
  }
  spdlog::info("listening on http://{}:{} (data dir {}, {} I/O threads, admin API {}, console {})",
               config.listen_host, server->port(), config.data_dir, config.io_threads,
               config.admin_token.empty() ? "off" : "on", console ? "on" : "off");
  if (on_listening) on_listening(server->port());

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}, shutting down (grace {} ms)",
               received == SIGTERM ? "SIGTERM" : "SIGINT", config.shutdown_grace_ms);
  api.SetReady(false);
  server->Shutdown(std::chrono::milliseconds(config.shutdown_grace_ms));
  server->Wait();
  server.reset();
  graph_analysis.reset();  // waits for a run in progress
  counts_flush.reset();
  flush_counts();
  runtime.reset();  // drains the commit queue
  spdlog::info("stopped");
  return OkStatus();
}

}  // namespace finbrain::server
