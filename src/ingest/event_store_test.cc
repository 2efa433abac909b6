#include "ingest/event_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/temp_dir.h"
#include "ingest/type_counts.h"

namespace finbrain::ingest {
namespace {

class EventStoreTest : public ::testing::Test {
 protected:
  EventStoreTest() : tokenizer_(Key()) { Open(); }
  ~EventStoreTest() override { Close(); }

  static tenancy::SecretKey Key() {
    tenancy::SecretKey key;
    key.fill(4);
    return key;
  }

  void Open() {
    store_ = std::move(storage::OpenRocksDb({.path = dir_.path()})).value();
    commits_ = std::make_unique<storage::CommitQueue>(*store_);
    audit_ = std::move(tenancy::AuditLog::Open(*store_, *commits_, Key(), SystemClock())).value();
    events_ = std::move(EventStore::Open(*store_, *commits_, *audit_)).value();
    counts_ = std::move(TypeCounts::Load(*store_)).value();
    ASSERT_TRUE(events_->AddConsumer(*counts_).ok());
  }
  void Close() {
    commits_.reset();
    events_.reset();
    counts_.reset();
    audit_.reset();
    store_.reset();
  }

  std::vector<ValidatedEvent> Logins(int from, int to) {
    std::vector<ValidatedEvent> out;
    for (int i = from; i < to; ++i) {
      const std::string json =
          R"({"event_type":"login","event_id":"login-)" + std::to_string(i) +
          R"(","occurred_at":"2026-01-01T00:00:00Z","user_id":"u","session_id":"s",)"
          R"("device_id":"d","ip":"1.2.3.4","success":true})";
      out.push_back(EventSchema::Get().ValidateJson(json, tokenizer_).value());
    }
    return out;
  }

  IngestSummary Ingest(std::vector<ValidatedEvent> events) {
    auto summary =
        events_->IngestAndWait("acme", std::move(events), {.actor = "test", .result = "ok"});
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    return summary.ok() ? *summary : IngestSummary{};
  }

  TempDir dir_;
  tenancy::PiiTokenizer tokenizer_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<tenancy::AuditLog> audit_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<TypeCounts> counts_;
};

TEST_F(EventStoreTest, RetriedBatchesNeverCountTwice) {
  IngestSummary first = Ingest(Logins(0, 10));
  EXPECT_EQ(first.accepted, 10u);
  IngestSummary retry = Ingest(Logins(5, 15));
  EXPECT_EQ(retry.accepted, 5u);
  EXPECT_EQ(retry.duplicates, 5u);
  auto twice = Logins(20, 21);
  twice.push_back(twice.front());
  IngestSummary same_batch = Ingest(twice);
  EXPECT_EQ(same_batch.accepted, 1u);
  EXPECT_EQ(same_batch.duplicates, 1u);
  EXPECT_EQ(counts_->For("acme").at("login"), 16u);
  EXPECT_TRUE(counts_->For("other").empty());
  EXPECT_TRUE(events_->Find("acme", "login-3")->has_value());
  EXPECT_FALSE(events_->Find("other", "login-3")->has_value());
  // One audit entry per batch, chain intact.
  auto verified = tenancy::AuditLog::Verify(*store_, Key()).value();
  EXPECT_TRUE(verified.intact);
  EXPECT_EQ(verified.entries_checked, 3u);
}

TEST_F(EventStoreTest, AKnownIdWithOtherContentIsAConflictNotADuplicate) {
  ASSERT_EQ(Ingest(Logins(0, 2)).accepted, 2u);
  std::vector<ValidatedEvent> batch = Logins(1, 3);  // login-1 as stored, login-2 new
  batch.push_back(EventSchema::Get()
                      .ValidateJson(R"({"event_type":"login","event_id":"login-0",)"
                                    R"("occurred_at":"2026-01-01T00:00:00Z","user_id":"u",)"
                                    R"("session_id":"s","device_id":"d","ip":"5.6.7.8",)"
                                    R"("success":false})",
                                    tokenizer_)
                      .value());
  IngestSummary summary = Ingest(std::move(batch));
  EXPECT_EQ(summary.accepted, 1u);
  EXPECT_EQ(summary.duplicates, 1u);
  ASSERT_EQ(summary.conflicts.size(), 1u);
  EXPECT_EQ(summary.conflicts[0].index, 2u);
  EXPECT_EQ(summary.conflicts[0].field, "ip");
  EXPECT_NE(summary.conflicts[0].message.find(
                R"(ip ("1.2.3.4", now "5.6.7.8"), success (true, now false))"),
            std::string::npos)
      << summary.conflicts[0].message;
  // The stored event is unchanged.
  EXPECT_NE(events_->Find("acme", "login-0")->value().find("1.2.3.4"), std::string::npos);
  EXPECT_EQ(counts_->For("acme").at("login"), 3u);
}

TEST_F(EventStoreTest, ConcurrentRetriesOfTheSameEventsStoreEachOnce) {
  std::atomic<size_t> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        accepted += Ingest(Logins(round * 10, round * 10 + 15)).accepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 205u);
  EXPECT_EQ(counts_->For("acme").at("login"), 205u);
  EXPECT_EQ(events_->last_seq(), 205u);
}

TEST_F(EventStoreTest, ConsumersCatchUpFromTheirCheckpointAfterRestart) {
  Ingest(Logins(0, 100));
  ASSERT_TRUE(events_->PersistConsumers().ok());
  Ingest(Logins(100, 130));
  // Simulate a crash before the next checkpoint: drop the consumer's later progress by
  // reloading it from the store, then replay.
  auto reloaded = std::move(TypeCounts::Load(*store_)).value();
  EXPECT_EQ(reloaded->For("acme").at("login"), 100u);
  EXPECT_EQ(reloaded->checkpoint(), 100u);
  Close();
  Open();
  EXPECT_EQ(counts_->For("acme").at("login"), 130u);
  EXPECT_EQ(Ingest(Logins(0, 130)).duplicates, 130u);  // the index survived too
  EXPECT_EQ(counts_->For("acme").at("login"), 130u);
}

// Records what it is fed; starts at a given checkpoint (as if it had persisted that far).
class RecordingConsumer : public EventConsumer {
 public:
  explicit RecordingConsumer(std::uint64_t checkpoint) : checkpoint_(checkpoint) {}
  std::string_view name() const override { return "recording"; }
  std::uint64_t checkpoint() const override { return checkpoint_; }
  void Consume(std::uint64_t seq, std::string_view, const ValidatedEvent& event) override {
    seqs.push_back(seq);
    ids.push_back(event.event_id);
    checkpoint_ = seq;
  }
  Status Persist() override {
    ++persisted;
    return OkStatus();
  }
  std::vector<std::uint64_t> seqs;
  std::vector<std::string> ids;
  int persisted = 0;

 private:
  std::uint64_t checkpoint_;
};

TEST_F(EventStoreTest, IndependentConsumersReplayInOnePassFromTheirOwnCheckpoints) {
  Ingest(Logins(0, 9000));  // more than one replay batch
  Close();
  Open();
  RecordingConsumer fresh(0), halfway(4500), current(9000);
  ASSERT_TRUE(events_->AddIndependentConsumers({&fresh, &halfway, &current}).ok());
  ASSERT_EQ(fresh.seqs.size(), 9000u);
  for (size_t i = 0; i < fresh.seqs.size(); ++i) ASSERT_EQ(fresh.seqs[i], i + 1);
  EXPECT_EQ(fresh.ids.front(), "login-0");
  ASSERT_EQ(halfway.seqs.size(), 4500u);
  EXPECT_EQ(halfway.seqs.front(), 4501u);
  EXPECT_EQ(halfway.ids.back(), "login-8999");
  EXPECT_TRUE(current.seqs.empty());
  EXPECT_EQ(fresh.persisted, 1);  // each persists after its replay, unless it had none
  EXPECT_EQ(current.persisted, 0);
  // Registered like any other: new events reach all three.
  Ingest(Logins(9000, 9001));
  EXPECT_EQ(fresh.seqs.back(), 9001u);
  EXPECT_EQ(current.seqs, (std::vector<std::uint64_t>{9001}));
  Close();  // the store persists its consumers on the way out: before they go
}

}  // namespace
}  // namespace finbrain::ingest
