#include "telemetry/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace finbrain::telemetry {
namespace {

TEST(MetricsTest, SameLabelsSameChildOtherLabelsAnother) {
  Metrics metrics;
  prometheus::Counter& approve = metrics.Counter("finbrain_decisions_total", "Decisions",
                                                 {{"tenant", "acme"}, {"outcome", "approve"}});
  prometheus::Counter& again = metrics.Counter("finbrain_decisions_total", "Decisions",
                                               {{"tenant", "acme"}, {"outcome", "approve"}});
  prometheus::Counter& decline = metrics.Counter("finbrain_decisions_total", "Decisions",
                                                 {{"tenant", "acme"}, {"outcome", "decline"}});
  EXPECT_EQ(&approve, &again);
  EXPECT_NE(&approve, &decline);
  approve.Increment();
  again.Increment();
  decline.Increment();
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("# TYPE finbrain_decisions_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(finbrain_decisions_total{outcome="approve",tenant="acme"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(finbrain_decisions_total{outcome="decline",tenant="acme"} 1)"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, HistogramsCountIntoTheirBuckets) {
  Metrics metrics;
  prometheus::Histogram& stage =
      metrics.Histogram("finbrain_stage_seconds", "Stage latency", {{"stage", "rules"}});
  stage.Observe(0.00003);  // 30 µs: in the 50 µs bucket and above
  stage.Observe(0.003);    // 3 ms
  const std::string text = metrics.Render();
  EXPECT_NE(text.find(R"(finbrain_stage_seconds_bucket{stage="rules",le="2.5e-05"} 0)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(finbrain_stage_seconds_bucket{stage="rules",le="5e-05"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(finbrain_stage_seconds_bucket{stage="rules",le="0.005"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(finbrain_stage_seconds_count{stage="rules"} 2)"), std::string::npos);
}

TEST(MetricsTest, CollectorsRunAtEachRenderWithTheirTypes) {
  Metrics metrics;
  int syncs = 0;
  metrics.AddCollector([&](Scrape& scrape) {
    scrape.Counter("finbrain_wal_syncs_total", "Syncs", {{{}, static_cast<double>(syncs)}});
    scrape.Gauge("finbrain_graph_nodes", "Nodes", {{{{"tenant", "acme"}}, 7}});
  });
  syncs = 3;
  std::string text = metrics.Render();
  EXPECT_NE(text.find("# TYPE finbrain_wal_syncs_total counter\nfinbrain_wal_syncs_total 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE finbrain_graph_nodes gauge"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(finbrain_graph_nodes{tenant="acme"} 7)"), std::string::npos) << text;
  syncs = 4;
  text = metrics.Render();
  EXPECT_NE(text.find("finbrain_wal_syncs_total 4"), std::string::npos) << text;
}

TEST(MetricsTest, ConcurrentUpdatesAllCount) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) {
        metrics
            .Counter("finbrain_events_ingested_total", "Events",
                     {{"type", t % 2 == 0 ? "login" : "order"}})
            .Increment();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const std::string text = metrics.Render();
  EXPECT_NE(text.find(R"(finbrain_events_ingested_total{type="login"} 2000)"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(finbrain_events_ingested_total{type="order"} 2000)"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace finbrain::telemetry
