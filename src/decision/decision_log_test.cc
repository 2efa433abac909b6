#include "decision/internal/decision_log.h"

#include <gtest/gtest.h>

#include <future>

#include "common/temp_dir.h"
#include "decision/replay.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;

constexpr std::string_view kFeatures = R"(features:
  - {name: logins_1h, entity: user, event: login, aggregate: count, window: 1h}
  - {name: failed_1d, entity: user, event: login, filter: "not success", aggregate: count, window: 1d}
  - {name: apps_7d, entity: phone, event: credit_application, aggregate: count, window: 7d}
)";

class DecisionLogTest : public ::testing::Test {
 protected:
  DecisionLogTest() { Open(); }
  ~DecisionLogTest() override { Close(); }

  void Open() {
    tenancy::SecretKey key;
    key.fill(5);
    store_ = std::move(storage::OpenRocksDb({.path = dir_.path()})).value();
    commits_ = std::make_unique<storage::CommitQueue>(*store_);
    audit_ = std::move(tenancy::AuditLog::Open(*store_, *commits_, key, SystemClock())).value();
    events_ = std::move(ingest::EventStore::Open(*store_, *commits_, *audit_)).value();
    log_ =
        std::make_unique<DecisionLog>(*store_, *events_, storage::Column::kDecisionIndex, nullptr);
  }
  void Close() {
    log_.reset();
    commits_.reset();
    events_.reset();
    audit_.reset();
    store_.reset();
  }

  // A login event with id `id`.
  static ingest::ValidatedEvent Login(const std::string& id, const std::string& user) {
    tenancy::SecretKey key;
    key.fill(6);
    return ingest::EventSchema::Get()
        .ValidateJson(R"({"event_type":"login","event_id":")" + id +
                          R"(","occurred_at":"2026-01-01T00:00:00Z","user_id":")" + user +
                          R"(","session_id":"s","device_id":"d","ip":"1.2.3.4","success":true})",
                      tenancy::PiiTokenizer(key))
        .value();
  }

  // Commits a record, decided on a login of `user`, whose feature values are given by position;
  // returns the answer.
  std::string Decide(const std::string& id, const features::FeatureSet& set,
                     const json::array& values, const std::string& user = "u") {
    ingest::ValidatedEvent event = Login(id, user);
    DecisionLog::Claim claim =
        log_->Begin("acme", id, "application", "application_id", event).value();
    EXPECT_FALSE(claim.decided);
    json::object record{{"decision_id", "dec_" + id},
                        {"decision", "approve"},
                        {"feature_set", set.names_id()},
                        {"feature_values", values},
                        {"latency_us", json::object{{"validate", 1}}}};
    std::promise<StatusOr<std::string>> answer;
    log_->Commit(
        "acme", claim.key, "dec_" + id, std::move(event), std::move(record),
        {.tenant = "acme", .actor = "test", .action = "decide", .entity = "x", .result = "ok"},
        std::chrono::steady_clock::now(),
        [&](StatusOr<std::string> r) { answer.set_value(std::move(r)); }, &set);
    return answer.get_future().get().value();
  }

  TempDir dir_{"decision_log_test"};
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<tenancy::AuditLog> audit_;
  std::unique_ptr<ingest::EventStore> events_;
  std::unique_ptr<DecisionLog> log_;
};

TEST_F(DecisionLogTest, FeatureValuesByPositionAreNamedAgainWhenReadEvenAfterARestart) {
  const auto set = features::FeatureSet::Parse(kFeatures).value();
  const json::value answer = json::parse(Decide("a1", *set, json::array{2, nullptr, 1.5}));
  // The answer is the record as stored: values by position, no names.
  EXPECT_EQ(answer.at("feature_values"), (json::array{2, nullptr, 1.5}));
  EXPECT_FALSE(answer.as_object().contains("features"));
  EXPECT_TRUE(answer.at("latency_us").as_object().contains("commit"));

  const auto named = [&](const std::string& id) {
    std::optional<std::string> text = log_->Get("acme", id).value();
    EXPECT_TRUE(text.has_value()) << id;
    return text ? json::parse(*text) : json::value();
  };
  const json::value read = named("dec_a1");
  EXPECT_EQ(read.at("features"),
            (json::object{{"logins_1h", 2}, {"failed_1d", nullptr}, {"apps_7d", 1.5}}));
  EXPECT_FALSE(read.as_object().contains("feature_values"));
  EXPECT_EQ(read.at("decision"), "approve");
  // A retry gets the stored record back, as first answered, marked as a replay.
  DecisionLog::Claim retry =
      log_->Begin("acme", "a1", "application", "application_id", Login("a1", "u")).value();
  ASSERT_TRUE(retry.decided);
  EXPECT_TRUE(IsReplayedAnswer(*retry.decided));
  EXPECT_EQ(json::parse(*retry.decided).at("replayed"), true);
  EXPECT_EQ(json::parse(*retry.decided).at("feature_values"), answer.at("feature_values"));
  // A retry with other content is refused, naming what differs.
  StatusOr<DecisionLog::Claim> changed =
      log_->Begin("acme", "a1", "application", "application_id", Login("a1", "someone-else"));
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.status().code(), StatusCode::kIdempotencyConflict);
  EXPECT_EQ(changed.status().field(), "user_id");
  EXPECT_NE(changed.status().message().find(R"(user_id ("u", now "someone-else"))"),
            std::string::npos)
      << changed.status().message();

  // After a restart the names come from the store (written once, with the first record).
  Close();
  Open();
  EXPECT_EQ(named("dec_a1").at("features").at("apps_7d"), 1.5);
  // A changed feature set is named by its own names; the old records keep theirs.
  const auto renamed =
      features::FeatureSet::Parse(std::string(kFeatures) +
                                  "  - {name: ips_1d, entity: user, event: login, aggregate: "
                                  "distinct, field: ip, window: 1d}\n")
          .value();
  ASSERT_NE(renamed->names_id(), set->names_id());
  Decide("a2", *renamed, json::array{0, 0, 0, 4});
  EXPECT_EQ(named("dec_a2").at("features").at("ips_1d"), 4);
  EXPECT_EQ(named("dec_a1").at("features").as_object().size(), 3u);
}

TEST_F(DecisionLogTest, InputsAreReadFromTheEventLogUnlessItAlreadyHeldTheEventId) {
  const auto set = features::FeatureSet::Parse(kFeatures).value();
  const auto read = [&](const std::string& id) {
    return json::parse(log_->Get("acme", id).value().value_or("null"));
  };
  // A new event is stored by the decision's commit: the record names it.
  const json::value answer = json::parse(Decide("b1", *set, json::array{0, 0, 0}, "alice"));
  EXPECT_EQ(answer.at("inputs_event"), "b1");
  EXPECT_FALSE(answer.as_object().contains("inputs"));
  EXPECT_EQ(read("dec_b1").at("inputs").at("user_id"), "alice");
  EXPECT_EQ(read("dec_b1").at("inputs").at("event_id"), "b1");
  EXPECT_EQ(read("dec_b1").at("latency_us").at("validate"), 1);  // the stored latency too

  // An event id the log already has (here with other content) is not stored again: the record
  // keeps the inputs it was decided on.
  std::vector<ingest::ValidatedEvent> earlier;
  earlier.push_back(Login("b2", "mallory"));
  ASSERT_EQ(events_->IngestAndWait("acme", std::move(earlier), {.tenant = "acme"}).value().accepted,
            1u);
  const json::value kept = json::parse(Decide("b2", *set, json::array{0, 0, 0}, "bob"));
  EXPECT_FALSE(kept.as_object().contains("inputs_event"));
  EXPECT_EQ(kept.at("inputs").at("user_id"), "bob");
  EXPECT_EQ(read("dec_b2").at("inputs").at("user_id"), "bob");

  // After a restart the event log still answers.
  Close();
  Open();
  EXPECT_EQ(read("dec_b1").at("inputs").at("user_id"), "alice");
  EXPECT_EQ(json::parse(log_->Find("acme", "b1").value().value()).at("inputs").at("user_id"),
            "alice");
}

}  // namespace
}  // namespace finbrain::decision
