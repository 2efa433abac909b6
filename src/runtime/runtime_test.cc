#include "runtime/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "ingest/event_schema.h"

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

}  // namespace
}  // namespace finbrain::runtime
