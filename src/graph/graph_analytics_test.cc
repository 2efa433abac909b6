#include "graph/graph_analytics.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace finbrain::graph {
namespace {

constexpr TimeMicros kStart = 1'780'000'000'000'000;

void Login(EntityGraph& g, const std::string& user, const std::string& device,
           const std::string& ip, const std::string& address = "") {
  std::string json =
      R"({"user_id":")" + user + R"(","device_id":")" + device + R"(","ip":")" + ip + R"(")";
  if (!address.empty()) json += R"(,"address":")" + address + R"(")";
  json += "}";
  g.AddEvent(
      {.event_id = "e", .event_type = "login", .occurred_at = kStart, .canonical_json = json});
}

// Two rings of six (two devices and three addresses each, interlinked), families of three sharing
// an address, and thirty people on one public Wi-Fi IP with their own phones.
EntityGraph& World() {
  static EntityGraph* g = [] {
    auto* graph = new EntityGraph();
    for (int r = 0; r < 2; ++r) {
      for (int m = 0; m < 6; ++m) {
        const std::string id = std::to_string(r);
        Login(*graph, "r" + id + "-" + std::to_string(m), "rd" + id + "-" + std::to_string(m % 2),
              "10.9." + id + ".1", "ring address " + id + "-" + std::to_string(m % 3));
      }
    }
    for (int f = 0; f < 10; ++f) {
      for (int m = 0; m < 3; ++m) {
        Login(*graph, "f" + std::to_string(f) + "-" + std::to_string(m),
              "fd" + std::to_string(f) + "-" + std::to_string(m), "58.1.1." + std::to_string(f),
              "home " + std::to_string(f));
      }
    }
    for (int p = 0; p < 30; ++p) {
      Login(*graph, "p" + std::to_string(p), "pd" + std::to_string(p), "223.5.5.5");
    }
    return graph;
  }();
  return *g;
}

TEST(GraphAnalytics, ComponentsMatchTheStreamingGroups) {
  const GraphAnalysis a = Analyze(World().Snapshot(), {}).value();
  EXPECT_EQ(a.nodes, World().node_count());
  EXPECT_EQ(a.users_outside_their_group, 0u);
  // 2 rings + 10 families + 30 lone users, plus each IP and /24 (IPs join nobody).
  size_t ips = 0;
  for (const auto& n : World().Snapshot().nodes) ips += n.type == "ip";
  EXPECT_EQ(a.components, 2 + 10 + 30 + ips);
  EXPECT_EQ(a.largest_component, 6u + 2u + 3u);  // a ring: six users, two devices, 3 addresses
  EXPECT_TRUE(a.risk.empty());                   // no seeds, nothing propagated
}

TEST(GraphAnalytics, LeidenFindsTheRingsAndRiskSpreadsFromConfirmedFraud) {
  const GraphAnalysis a =
      Analyze(World().Snapshot(),
              {.seeds = {{"user", "r0-0"}, {"user", "r0-3"}, {"user", "nobody"}}})
          .value();
  EXPECT_EQ(a.seeds, 2u);
  EXPECT_GT(a.modularity, 0.3);
  // Each ring is one community.
  for (const std::string r : {"r0-", "r1-"}) {
    const std::uint32_t c = a.community_of_user.at(r + "0");
    for (int m = 1; m < 6; ++m) EXPECT_EQ(a.community_of_user.at(r + std::to_string(m)), c);
  }
  // The seeded ring is the riskiest community, with its shared identifiers.
  ASSERT_FALSE(a.top.empty());
  const Community& top = a.top.front();
  EXPECT_EQ(top.seeds, 2u);
  EXPECT_EQ(top.users.size(), 6u);
  EXPECT_TRUE(std::find(top.identifiers.begin(), top.identifiers.end(),
                        EntityRef{"device", "rd0-1"}) != top.identifiers.end());
  // Propagated risk: seeds 1, their ring-mates high, the other ring and honest users nil.
  EXPECT_NEAR(a.RiskOf({"user", "r0-0"}), 1.0, 0.05);
  for (int m : {1, 2, 4, 5}) {
    EXPECT_GT(a.RiskOf({"user", "r0-" + std::to_string(m)}), 0.05) << m;
  }
  EXPECT_GT(a.RiskOf({"device", "rd0-1"}), a.RiskOf({"user", "r0-1"}));
  EXPECT_EQ(a.RiskOf({"user", "r1-0"}), 0.0);
  EXPECT_EQ(a.RiskOf({"user", "f3-1"}), 0.0);
  // The same seed gives the same communities.
  const GraphAnalysis again = Analyze(World().Snapshot(), {}).value();
  EXPECT_EQ(again.community_of_user, a.community_of_user);
}

}  // namespace
}  // namespace finbrain::graph
