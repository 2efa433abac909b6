#include "tenancy/audit_log.h"

#include <gtest/gtest.h>

#include "common/strings.h"
#include "common/temp_dir.h"

namespace finbrain::tenancy {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_.fill(7);
    store_ = std::move(storage::OpenRocksDb({.path = dir_.path()})).value();
    commits_ = std::make_unique<storage::CommitQueue>(*store_);
    log_ = std::move(AuditLog::Open(*store_, *commits_, key_, clock_)).value();
  }

  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      storage::WriteBatch batch;
      batch.Put(storage::Column::kLists, "t/" + std::to_string(i), "v");
      ASSERT_TRUE(
          log_->CommitAndWait(std::move(batch), {.tenant = "acme",
                                                 .actor = "k1",
                                                 .action = "PUT /v1/lists",
                                                 .entity = "blacklist/ip/" + std::to_string(i),
                                                 .result = "ok"})
              .ok());
      clock_.AdvanceMicros(1000);
    }
  }

  std::string EntryKey(int seq) { return SortableKey(static_cast<std::uint64_t>(seq)); }

  TempDir dir_;
  SecretKey key_;
  ManualClock clock_{1'700'000'000'000'000};
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, IntactChainVerifies) {
  Append(5);
  AuditVerification v = AuditLog::Verify(*store_, key_).value();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries_checked, 5u);
  std::vector<std::uint64_t> seqs;
  ASSERT_TRUE(log_->Scan(2, "acme",
                         [&](const AuditEntry& e) {
                           seqs.push_back(e.seq);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{3, 4, 5}));
}

TEST_F(AuditLogTest, ChainContinuesAcrossReopen) {
  Append(2);
  log_.reset();
  commits_ = std::make_unique<storage::CommitQueue>(*store_);
  log_ = std::move(AuditLog::Open(*store_, *commits_, key_, clock_)).value();
  Append(2);
  AuditVerification v = AuditLog::Verify(*store_, key_).value();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries_checked, 4u);
}

TEST_F(AuditLogTest, AlteredEntryIsNamed) {
  Append(5);
  std::string entry = store_->Get(storage::Column::kAudit, EntryKey(3)).value().value();
  const size_t at = entry.find("blacklist/ip/2");
  ASSERT_NE(at, std::string::npos);
  entry.replace(at, 14, "blacklist/ip/9");
  ASSERT_TRUE(store_->Put(storage::Column::kAudit, EntryKey(3), entry).ok());
  AuditVerification v = AuditLog::Verify(*store_, key_).value();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 3u);
  EXPECT_NE(v.problem.find("altered"), std::string::npos);
}

TEST_F(AuditLogTest, RemovedEntryAndTruncatedTailAreDetected) {
  Append(5);
  ASSERT_TRUE(store_->Delete(storage::Column::kAudit, EntryKey(2)).ok());
  AuditVerification gap = AuditLog::Verify(*store_, key_).value();
  EXPECT_FALSE(gap.intact);
  EXPECT_EQ(gap.first_bad_seq, 2u);

  TempDir other;
  auto store = std::move(storage::OpenRocksDb({.path = other.path()})).value();
  {
    storage::CommitQueue commits(*store);
    auto log = std::move(AuditLog::Open(*store, commits, key_, clock_)).value();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->CommitAndWait({}, {.result = "ok"}).ok());
  }
  ASSERT_TRUE(store->Delete(storage::Column::kAudit, EntryKey(3)).ok());
  AuditVerification tail = AuditLog::Verify(*store, key_).value();
  EXPECT_FALSE(tail.intact);
  EXPECT_EQ(tail.first_bad_seq, 3u);
}

TEST_F(AuditLogTest, WrongKeyFailsVerification) {
  Append(1);
  SecretKey other;
  other.fill(8);
  EXPECT_FALSE(AuditLog::Verify(*store_, other).value().intact);
}

}  // namespace
}  // namespace finbrain::tenancy
