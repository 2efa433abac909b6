#include "runtime/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "ingest/event_schema.h"
#include "ingest/import.h"
#include "ingest/jsonl.h"
#include "sim/simulator.h"

namespace finbrain::runtime {
namespace {

using ::testing::IsSupersetOf;

std::string Login(int n, const std::string& user) {
  return R"({"event_type":"login","event_id":"l)" + std::to_string(n) +
         R"(","occurred_at":"2026-03-01T10:00:0)" + std::to_string(n % 10) + R"(Z","user_id":")" +
         user + R"(","session_id":"s)" + std::to_string(n) +
         R"(","device_id":"shared","ip":"1.1.1.1","success":true})";
}

Status IngestLogins(Runtime& runtime, int count) {
  std::vector<ingest::ValidatedEvent> events;
  for (int i = 0; i < count; ++i) {
    FB_ASSIGN_OR_RETURN(ingest::ValidatedEvent event,
                        ingest::EventSchema::Get().ValidateJson(Login(i, "r" + std::to_string(i)),
                                                                *runtime.tokenizer));
    events.push_back(std::move(event));
  }
  return runtime.events->IngestAndWait("t1", std::move(events), {.tenant = "t1", .actor = "test"})
      .status();
}

TEST(Runtime, EveryDomainRegistersTheKindOfStrategyItDecidesWith) {
  TempDir dir;
  auto runtime = Runtime::Open({.data_dir = dir.path()});
  ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
  EXPECT_THAT((*runtime)->kinds->Names(), IsSupersetOf({"credit", "transaction", "account"}));
  EXPECT_TRUE((*runtime)->kinds->Find("account") != nullptr);
  EXPECT_EQ((*runtime)->kinds->Find("offer"), nullptr);
}

TEST(Runtime, ASecondOpenOfTheSameDataDirectoryIsRefused) {
  TempDir dir;
  auto first = Runtime::Open({.data_dir = dir.path()});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = Runtime::Open({.data_dir = dir.path()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
}

TEST(Runtime, EventsReachEveryConsumerAndTheInMemoryOnesAreRebuiltAfterARestart) {
  TempDir dir;
  {
    auto runtime = Runtime::Open({.data_dir = dir.path()}).value();
    ASSERT_TRUE(IngestLogins(*runtime, 5).ok());
    EXPECT_EQ(runtime->type_counts->For("t1").at("login"), 5u);
    ASSERT_TRUE(runtime->graph->For("t1")->GroupOf("r0"));
  }
  auto reopened = Runtime::Open({.data_dir = dir.path()}).value();
  EXPECT_EQ(reopened->type_counts->For("t1").at("login"), 5u);
  const auto group = reopened->graph->For("t1")->GroupOf("r4");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->members.size(), 5u);
  EXPECT_EQ(group->kind, "device_farm");
}

// The in-memory consumers' states, as snapshot bytes (equal bytes: equal states).
std::vector<std::string> InMemoryStates(Runtime& runtime) {
  std::vector<std::string> states;
  for (const ingest::InMemoryConsumer* c : runtime.InMemoryConsumers()) {
    states.push_back(c->StateBytes());
  }
  return states;
}

TEST(Runtime, ASnapshotTakenWhileEventsArrivePlusTheLogAfterItEqualsAFullReplay) {
  TempDir dir;
  const std::string world = dir.path() + "/world", data = dir.path() + "/data";
  const std::string snapshots = data + "/snapshots", crashed = dir.path() + "/crashed";
  ASSERT_TRUE(sim::Simulate({.users = 600, .days = 120, .seed = 3}, world).ok());
  auto files = ingest::ListEventFiles(world + "/events");
  ASSERT_TRUE(files.ok());
  std::vector<std::string> live;
  std::uint64_t head = 0;
  {
    auto runtime = Runtime::Open({.data_dir = data, .snapshot_every = 1500}).value();
    std::thread import([&] {
      auto totals = ingest::ImportIntoStore(*runtime->events, *runtime->tokenizer, "t1", *files,
                                            {.batch = 200});
      EXPECT_TRUE(totals.ok() && totals->rejected == 0);
    });
    // The first snapshots of all three, taken mid-import, are what a crash would leave.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((runtime->graph->snapshot_seq() == 0 || runtime->devices->snapshot_seq() == 0 ||
            runtime->behaviour->snapshot_seq() == 0) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::filesystem::copy(snapshots, crashed);
    import.join();
    head = runtime->events->last_seq();
    live = InMemoryStates(*runtime);
  }
  ASSERT_GT(head, 10'000u);
  // The crash: the log holds every event, the snapshots only what they held mid-import.
  std::filesystem::remove_all(snapshots);
  std::filesystem::rename(crashed, snapshots);
  {
    auto restarted = Runtime::Open({.data_dir = data}).value();
    for (const ingest::InMemoryConsumer* c : restarted->InMemoryConsumers()) {
      EXPECT_GT(c->snapshot_seq(), 0u) << c->name();
      EXPECT_LT(c->snapshot_seq(), head) << c->name() << ": no tail was replayed";
      EXPECT_EQ(c->checkpoint(), head) << c->name();
    }
    EXPECT_EQ(InMemoryStates(*restarted), live);
  }
  std::filesystem::remove_all(snapshots);
  auto replayed = Runtime::Open({.data_dir = data}).value();
  EXPECT_EQ(replayed->graph->snapshot_seq(), 0u);
  EXPECT_EQ(InMemoryStates(*replayed), live);
  EXPECT_GT(replayed->graph->For("t1")->node_count(), 1000u);
}

TEST(Runtime, AShutdownWritesTheSnapshotsSoTheNextStartReplaysNothing) {
  TempDir dir;
  std::vector<std::string> before;
  {
    auto runtime = Runtime::Open({.data_dir = dir.path()}).value();
    ASSERT_TRUE(IngestLogins(*runtime, 5).ok());
    before = InMemoryStates(*runtime);
  }
  auto reopened = Runtime::Open({.data_dir = dir.path()}).value();
  EXPECT_EQ(reopened->graph->snapshot_seq(), 5u);
  EXPECT_EQ(reopened->behaviour->snapshot_seq(), 5u);
  EXPECT_EQ(InMemoryStates(*reopened), before);
}

}  // namespace
}  // namespace finbrain::runtime
