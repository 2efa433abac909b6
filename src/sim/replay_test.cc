#include "sim/replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"

namespace finbrain::sim {
namespace {

namespace json = boost::json;

class ReplayTest : public ::testing::Test {
 protected:
  ReplayTest() {
    std::filesystem::create_directories(dir_.path() + "/events");
    std::ofstream(dir_.path() + "/events/credit_application.jsonl")
        << R"({"event_type":"credit_application","event_id":"e2","application_id":"a2","occurred_at":"2026-01-02T00:00:00Z"})"
        << "\n";
    std::ofstream(dir_.path() + "/events/login.jsonl")
        << R"({"event_type":"login","event_id":"e1","occurred_at":"2026-01-01T00:00:00Z"})"
        << "\n"
        << R"({"event_type":"login","event_id":"e4","occurred_at":"2026-01-04T00:00:00Z"})"
        << "\n";
    std::ofstream(dir_.path() + "/events/order.jsonl")
        << R"({"event_type":"order","event_id":"e3","occurred_at":"2026-01-03T00:00:00Z"})"
        << "\n";
  }

  // Records what is sent; answers a decision.
  SendEvent Recorder() {
    return [this](const std::string& route, const std::string& body) -> StatusOr<ReplayAnswer> {
      sent_.emplace_back(route, body);
      return ReplayAnswer{200, R"({"decision":"allow"})"};
    };
  }

  TempDir dir_;
  std::vector<std::pair<std::string, std::string>> sent_;
};

TEST_F(ReplayTest, SendsEventsInTimeOrderToTheirRoutes) {
  ASSERT_TRUE(Replay(dir_.path(), Recorder(), {.rate = 10000}).ok());
  ASSERT_EQ(sent_.size(), 4u);
  EXPECT_EQ(sent_[0].first, "/v1/decisions/transaction");
  EXPECT_EQ(sent_[1].first, "/v1/decisions/credit");
  EXPECT_EQ(sent_[2].first, "/v1/events");
  EXPECT_EQ(json::parse(sent_[3].second).at("event_id"), "e4");
}

TEST_F(ReplayTest, CustomersMessagesGoToTheBotAsMessages) {
  std::ofstream(dir_.path() + "/events/service_message.jsonl")
      << R"({"event_type":"service_message","event_id":"msg-m1","message_id":"m1","user_id":"u1",)"
      << R"("conversation_id":"c1","text":"怎么还款","channel":"app","direction":"inbound",)"
      << R"("occurred_at":"2026-01-05T00:00:00Z"})"
      << "\n";
  ASSERT_TRUE(Replay(dir_.path(), Recorder(), {.rate = 10000, .fresh_ids = true}).ok());
  ASSERT_EQ(sent_.size(), 5u);
  EXPECT_EQ(sent_[4].first, "/v1/service/messages");
  const json::object message = json::parse(sent_[4].second).as_object();
  EXPECT_EQ(message.at("text"), "怎么还款");
  EXPECT_EQ(message.at("conversation_id"), "c1");
  EXPECT_THAT(std::string(message.at("message_id").as_string()), ::testing::StartsWith("m1-"));
  EXPECT_FALSE(message.contains("event_type"));  // the bot takes a message, not an event
}

TEST_F(ReplayTest, SinceSkipsEarlierEventsAndLoopsRenameIds) {
  // A loop runs until told to stop: bounded by the number of sends here instead.
  int calls = 0;
  const SendEvent three_passes = [&](const std::string& route,
                                     const std::string& body) -> StatusOr<ReplayAnswer> {
    if (++calls > 6) return UnauthenticatedError("stop");
    sent_.emplace_back(route, body);
    return ReplayAnswer{200, "{}"};
  };
  EXPECT_EQ(
      Replay(dir_.path(), three_passes,
             {.rate = 10000, .loop = true, .since = ParseRfc3339("2026-01-03T00:00:00Z").value()})
          .code(),
      StatusCode::kUnauthenticated);
  ASSERT_EQ(sent_.size(), 6u);  // e3 and e4, three times
  EXPECT_EQ(json::parse(sent_[0].second).at("event_id"), "e3");
  EXPECT_EQ(json::parse(sent_[2].second).at("event_id"), "e3-r2");
  EXPECT_EQ(json::parse(sent_[5].second).at("event_id"), "e4-r3");
}

TEST_F(ReplayTest, ARefusedKeyStopsAndOtherRefusalsAreCounted) {
  const SendEvent refuse = [](const std::string&, const std::string&) -> StatusOr<ReplayAnswer> {
    return ReplayAnswer{401, R"({"error":{"message":"bad key"}})"};
  };
  EXPECT_EQ(Replay(dir_.path(), refuse, {.rate = 10000}).code(), StatusCode::kUnauthenticated);
  const SendEvent reject = [](const std::string&, const std::string&) -> StatusOr<ReplayAnswer> {
    return ReplayAnswer{400, "{}"};
  };
  EXPECT_TRUE(Replay(dir_.path(), reject, {.rate = 10000}).ok());
  std::ofstream(dir_.path() + "/events/order.jsonl", std::ios::app) << "[1]\n";
  EXPECT_THAT(Replay(dir_.path(), Recorder(), {.rate = 10000}).message(),
              ::testing::HasSubstr("order.jsonl:2"));
  EXPECT_EQ(Replay(dir_.path() + "/none", Recorder(), {}).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace finbrain::sim
