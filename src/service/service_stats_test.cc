#include "service/service_stats.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/temp_dir.h"
#include "tenancy/pii.h"

namespace finbrain::service {
namespace {

namespace json = boost::json;

class ServiceStatsTest : public ::testing::Test {
 protected:
  ingest::ValidatedEvent Event(json::object e) {
    e["occurred_at"] = FormatRfc3339(at_);
    auto v = ingest::EventSchema::Get().Validate(e, tokenizer_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(*v);
  }
  ingest::ValidatedEvent Inbound(const std::string& id, const std::string& conversation) {
    return Event({{"event_id", id},
                  {"event_type", "service_message"},
                  {"message_id", id},
                  {"user_id", "u1"},
                  {"conversation_id", conversation},
                  {"text", "问题"},
                  {"direction", "inbound"}});
  }
  ingest::ValidatedEvent Outbound(const std::string& id, const std::string& conversation,
                                  json::object reply) {
    json::object e{{"event_id", id},         {"event_type", "service_message"}, {"message_id", id},
                   {"user_id", "u1"},        {"conversation_id", conversation}, {"text", "回答"},
                   {"direction", "outbound"}};
    for (auto& [k, v] : reply) e[k] = v;
    return Event(std::move(e));
  }

  TempDir dir_;
  static tenancy::SecretKey Key() {
    tenancy::SecretKey key;
    key.fill(9);
    return key;
  }
  tenancy::PiiTokenizer tokenizer_{Key()};
  TimeMicros at_ = 1'800'000'000'000'000;
};

TEST_F(ServiceStatsTest, CountsOnceAcrossARestartAndMeasuresTimeToHandoff) {
  auto store = storage::OpenRocksDb({.path = dir_.path() + "/db"}).value();
  auto stats = ServiceStats::Load(*store).value();
  std::uint64_t seq = 0;
  stats->Consume(++seq, "acme", Inbound("m1", "c1"));
  stats->Consume(++seq, "acme",
                 Outbound("m1:bot", "c1", {{"reply_type", "answer"}, {"kb_id", "repay"}}));
  at_ += 90'000'000;  // 90 s later the same conversation is handed off
  stats->Consume(++seq, "acme", Inbound("m2", "c1"));
  stats->Consume(++seq, "acme",
                 Outbound("m2:bot", "c1",
                          {{"reply_type", "handoff"}, {"handoff_reason", "person_requested"}}));
  stats->Consume(++seq, "acme",
                 Event({{"event_id", "fb-m1"},
                        {"event_type", "service_feedback"},
                        {"message_id", "m1"},
                        {"user_id", "u1"},
                        {"kb_id", "repay"},
                        {"helped", false},
                        {"source", "customer"}}));
  stats->Consume(seq, "acme", Inbound("m2", "c1"));  // replayed: not counted again
  ASSERT_TRUE(stats->Persist().ok());
  const std::string before = stats->Json("acme");
  const json::value v = json::parse(before);
  EXPECT_EQ(v.at("inbound").to_number<int>(), 2);
  EXPECT_EQ(v.at("auto_answer_rate").to_number<double>(), 0.5);
  EXPECT_EQ(v.at("handoff_rate").to_number<double>(), 0.5);
  EXPECT_EQ(v.at("median_seconds_to_handoff").to_number<double>(), 90);
  EXPECT_EQ(v.at("feedback").at("not_helped").to_number<int>(), 1);
  EXPECT_EQ(v.at("feedback").at("precision").to_number<double>(), 0);
  EXPECT_EQ(json::parse(stats->Json("other")).at("auto_answer_rate"), nullptr);

  stats.reset();
  stats = ServiceStats::Load(*store).value();
  EXPECT_EQ(stats->checkpoint(), seq);
  EXPECT_EQ(stats->Json("acme"), before);
}

}  // namespace
}  // namespace finbrain::service
