#include "ingest/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "common/temp_dir.h"

namespace finbrain::ingest {
namespace {

using ::testing::HasSubstr;

std::string Login(const std::string& id, const std::string& at = "2026-01-01T00:00:00Z") {
  return R"({"event_type":"login","event_id":")" + id + R"(","occurred_at":")" + at +
         R"(","user_id":"u","session_id":"s","device_id":"d","ip":"1.2.3.4","success":true})";
}

class ImportTest : public ::testing::Test {
 protected:
  ImportTest() : tokenizer_(tenancy::RandomSecretKey()) {
    tenancy::SecretKey key;
    key.fill(4);
    store_ = std::move(storage::OpenRocksDb({.path = dir_.path() + "/db"})).value();
    commits_ = std::make_unique<storage::CommitQueue>(*store_);
    audit_ = std::move(tenancy::AuditLog::Open(*store_, *commits_, key, SystemClock())).value();
    events_ = std::move(EventStore::Open(*store_, *commits_, *audit_)).value();
    std::ofstream(file_) << Login("e1") << "\n"
                         << Login("e2") << "\n"
                         << R"({"event_type":"login","event_id":"bad"})"
                         << "\n"
                         << Login("e3", "2027-01-01T00:00:00Z") << "\n"
                         << "not json\n";
  }
  ~ImportTest() override {
    commits_.reset();
    events_.reset();
  }

  TempDir dir_;
  const std::string file_ = dir_.path() + "/login.jsonl";
  tenancy::PiiTokenizer tokenizer_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<tenancy::AuditLog> audit_;
  std::unique_ptr<EventStore> events_;
};

TEST_F(ImportTest, IntoTheStoreValidatesCountsAndIsIdempotent) {
  const ImportOptions options{.batch = 2, .before = ParseRfc3339("2026-06-01T00:00:00Z").value()};
  auto totals = ImportIntoStore(*events_, tokenizer_, "acme", {file_}, options);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  EXPECT_EQ(totals->lines, 5u);
  EXPECT_EQ(totals->accepted, 2u);
  EXPECT_EQ(totals->rejected, 2u);  // no occurred_at, and not JSON
  EXPECT_EQ(totals->later, 1u);     // after --before
  ASSERT_EQ(totals->errors.size(), 2u);
  EXPECT_THAT(totals->errors[0], HasSubstr("login.jsonl:3: "));
  EXPECT_THAT(totals->errors[1], HasSubstr("login.jsonl:5: "));
  EXPECT_TRUE(events_->Find("acme", "e1").value().has_value());
  EXPECT_FALSE(events_->Find("acme", "e3").value().has_value());
  // Again: every event is a duplicate.
  totals = ImportIntoStore(*events_, tokenizer_, "acme", {file_}, options);
  EXPECT_EQ(totals->accepted, 0u);
  EXPECT_EQ(totals->duplicates, 2u);
}

// The API's answers are mapped back to each row's file:line, across batches split by size.
TEST_F(ImportTest, ThroughAnApiRowsAreMappedBackToTheirLines) {
  std::vector<size_t> batch_sizes;
  const SendBatch send = [&](const std::string& body) -> StatusOr<BatchAnswer> {
    const boost::json::array events = boost::json::parse(body).as_array();
    batch_sizes.push_back(events.size());
    BatchAnswer answer;
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].as_object().contains("occurred_at")) {
        ++answer.accepted;
      } else {
        answer.rejected.push_back({i, "occurred_at", "occurred_at is required"});
      }
    }
    return answer;
  };
  auto totals = ImportThroughApi({file_}, send, {.batch = 10}, /*max_body_bytes=*/300);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  EXPECT_EQ(totals->accepted, 3u);
  EXPECT_EQ(totals->rejected, 2u);
  EXPECT_EQ(totals->errors[0], file_ + ":3: occurred_at is required");
  EXPECT_EQ(totals->errors[1], file_ + ":5: not valid JSON: syntax error");
  EXPECT_GT(batch_sizes.size(), 1u);  // 300 bytes hold two events
  // A failing API stops the import and says how far it got.
  auto failed = ImportThroughApi(
      {file_}, [](const std::string&) -> StatusOr<BatchAnswer> { return UnavailableError("down"); },
      {});
  EXPECT_THAT(failed.status().message(), HasSubstr("down (after 0 events accepted)"));
}

}  // namespace
}  // namespace finbrain::ingest
