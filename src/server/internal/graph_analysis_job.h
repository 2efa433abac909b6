// The batch graph analysis (graph/graph_analytics.h) as one job, run on demand by
// POST /v1/graph/analyze or on a schedule by GraphAnalysisScheduler: seeds are the tenant's
// blacklist plus any given, the result is kept for lookups, and entities whose propagated risk
// crosses a threshold are greylisted (source "model"), in a batch the caller commits with an
// audit entry. Deleting a list entry reverses it.
//
//   FB_ASSIGN_OR_RETURN(GraphAnalysisRun run,
//                       RunGraphAnalysis(deps, "acme", {.greylist_threshold = 0.1}, "key-1"));
//   audit.Commit(std::move(run.greylist_batch), entry, done);
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/periodic_task.h"
#include "common/status.h"
#include "fraud/list_store.h"
#include "graph/graph_analytics.h"
#include "graph/graph_store.h"
#include "storage/kv_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::server {

struct GraphAnalysisDeps {
  fraud::ListStore& lists;
  graph::GraphStore& graph;
  const Clock& clock;
};

struct GraphAnalysisRequest {
  std::optional<double> greylist_threshold;  // none: analyse only
  std::vector<std::string> greylist_types = {"user", "device", "phone"};
  std::vector<graph::EntityRef> seeds;  // besides everything blacklisted
};

struct GraphAnalysisRun {
  struct Greylisted {
    std::string type, id;
    double risk = 0;
  };
  std::shared_ptr<const graph::GraphAnalysis> analysis;  // also kept in the GraphStore
  storage::WriteBatch greylist_batch;                    // the caller commits it, audited
  std::vector<Greylisted> greylisted;                    // riskiest first
};

// At most this many entities are greylisted per run: a bad threshold cannot list the graph.
inline constexpr size_t kMaxGreylistPerRun = 10'000;

StatusOr<GraphAnalysisRun> RunGraphAnalysis(const GraphAnalysisDeps& deps, std::string_view tenant,
                                            const GraphAnalysisRequest& request,
                                            std::string_view actor);  // who lists, by id

// Runs the analysis for every tenant every `interval`, on its own thread (off the request
// path), greylisting at `greylist_threshold` when set; each run that greylists is audited as
// actor "scheduler". The destructor stops it, waiting for a run in progress.
class GraphAnalysisScheduler {
 public:
  struct Options {
    std::chrono::seconds interval{3600};
    std::optional<double> greylist_threshold;
  };
  GraphAnalysisScheduler(GraphAnalysisDeps deps, tenancy::TenantDirectory& directory,
                         tenancy::AuditLog& audit, Options options);
  ~GraphAnalysisScheduler();
  GraphAnalysisScheduler(const GraphAnalysisScheduler&) = delete;
  GraphAnalysisScheduler& operator=(const GraphAnalysisScheduler&) = delete;

  // Runs every tenant now, on the caller's thread (tests; the loop calls it too).
  void RunOnce();
  std::uint64_t runs() const;

 private:
  GraphAnalysisDeps deps_;
  tenancy::TenantDirectory& directory_;
  tenancy::AuditLog& audit_;
  const Options options_;
  std::atomic<bool> stopping_{false};  // checked between tenants
  std::atomic<std::uint64_t> runs_{0};
  std::optional<PeriodicTask> schedule_;  // last: stopped first
};

}  // namespace finbrain::server
