#include "server/internal/graph_analysis_job.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace finbrain::server {
namespace {

constexpr std::string_view kSeedTypes[] = {"user",    "device", "phone", "id_number",
                                           "address", "card",   "email"};

}  // namespace

StatusOr<GraphAnalysisRun> RunGraphAnalysis(const GraphAnalysisDeps& deps, std::string_view tenant,
                                            const GraphAnalysisRequest& request,
                                            std::string_view actor) {
  graph::AnalysisOptions options;
  options.seeds = request.seeds;
  // Confirmed fraud: everything blacklisted, besides the seeds given.
  for (std::string_view type : kSeedTypes) {
    std::string cursor;
    do {
      FB_ASSIGN_OR_RETURN(fraud::ListStore::Page page,
                          deps.lists.List(tenant, fraud::ListKind::kBlacklist, type, cursor, 1000));
      for (const auto& e : page.entries) options.seeds.push_back({std::string(type), e.value});
      cursor = page.next_cursor;
    } while (!cursor.empty());
  }
  FB_ASSIGN_OR_RETURN(graph::GraphAnalysis analysis,
                      graph::Analyze(deps.graph.For(tenant)->Snapshot(), options));
  analysis.analyzed_at = deps.clock.NowMicros();
  GraphAnalysisRun run;
  run.analysis = std::make_shared<const graph::GraphAnalysis>(std::move(analysis));
  deps.graph.SetAnalysis(tenant, run.analysis);
  if (!request.greylist_threshold) return run;

  // Entities of the chosen types at or above the threshold, not on any list yet, riskiest first.
  const graph::GraphAnalysis& a = *run.analysis;
  std::vector<std::pair<double, std::string>> candidates;
  for (const auto& [key, risk] : a.risk) {
    if (risk < *request.greylist_threshold) continue;
    const std::string type = key.substr(0, key.find('\x1f'));
    if (std::find(request.greylist_types.begin(), request.greylist_types.end(), type) !=
        request.greylist_types.end()) {
      candidates.emplace_back(risk, key);
    }
  }
  std::sort(candidates.begin(), candidates.end(), std::greater<>());
  for (const auto& [risk, key] : candidates) {
    if (run.greylisted.size() >= kMaxGreylistPerRun) break;
    const size_t sep = key.find('\x1f');
    const std::string type = key.substr(0, sep), id = key.substr(sep + 1);
    bool listed = false;
    for (fraud::ListKind kind :
         {fraud::ListKind::kBlacklist, fraud::ListKind::kGreylist, fraud::ListKind::kWhitelist}) {
      FB_ASSIGN_OR_RETURN(std::optional<fraud::ListEntry> hit,
                          deps.lists.Get(tenant, kind, type, id));
      listed |= hit.has_value();
    }
    if (listed) continue;
    char reason[160];
    std::snprintf(reason, sizeof reason,
                  "propagated risk %.3f from %zu confirmed fraud entities (graph analysis)", risk,
                  a.seeds);
    FB_ASSIGN_OR_RETURN(
        fraud::ListStore::PreparedWrite write,
        deps.lists.PreparePut(tenant, fraud::ListKind::kGreylist, type, id,
                              {.reason = reason, .source = fraud::ListSource::kModel}, actor));
    run.greylist_batch.Append(std::move(write.batch));
    run.greylisted.push_back({type, id, risk});
  }
  return run;
}

GraphAnalysisScheduler::GraphAnalysisScheduler(GraphAnalysisDeps deps,
                                               tenancy::TenantDirectory& directory,
                                               tenancy::AuditLog& audit, Options options)
    : deps_(deps), directory_(directory), audit_(audit), options_(options) {
  schedule_.emplace("fb-graph-job", options_.interval, [this] { RunOnce(); });
}

GraphAnalysisScheduler::~GraphAnalysisScheduler() {
  stopping_ = true;
  schedule_.reset();
}

std::uint64_t GraphAnalysisScheduler::runs() const { return runs_.load(); }

void GraphAnalysisScheduler::RunOnce() {
  const tenancy::Actor actor{.id = "scheduler", .action = "scheduled graph analysis"};
  for (const tenancy::Tenant& tenant : directory_.ListTenants()) {
    if (stopping_) return;
    StatusOr<GraphAnalysisRun> run = RunGraphAnalysis(
        deps_, tenant.id, {.greylist_threshold = options_.greylist_threshold}, actor.id);
    if (!run.ok()) {
      spdlog::error("scheduled graph analysis of tenant {} failed: {}", tenant.id,
                    run.status().ToString());
      continue;
    }
    const graph::GraphAnalysis& a = *run->analysis;
    spdlog::info("scheduled graph analysis of tenant {}: {} nodes, {} seeds, {} greylisted",
                 tenant.id, a.nodes, a.seeds, run->greylisted.size());
    if (run->greylisted.empty()) continue;
    const Status written =
        audit_.CommitAndWait(std::move(run->greylist_batch),
                             {.tenant = tenant.id,
                              .actor = actor.id,
                              .action = actor.action,
                              .entity = "graph analyze seeds=" + std::to_string(a.seeds) +
                                        " greylisted=" + std::to_string(run->greylisted.size()),
                              .result = "ok"});
    if (!written.ok()) {
      spdlog::error("greylisting after graph analysis of tenant {} failed: {}", tenant.id,
                    written.ToString());
    }
  }
  ++runs_;
}

}  // namespace finbrain::server
