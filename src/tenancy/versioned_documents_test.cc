#include "tenancy/versioned_documents.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"

namespace finbrain::tenancy {
namespace {

using storage::Column;

class VersionedDocumentsTest : public ::testing::Test {
 protected:
  VersionedDocumentsTest() {
    key_.fill(3);
    store_ = std::move(storage::OpenRocksDb({.path = dir_.path()})).value();
    commits_ = std::make_unique<storage::CommitQueue>(*store_);
    audit_ = std::move(AuditLog::Open(*store_, *commits_, key_, clock_)).value();
    docs_ = std::make_unique<VersionedDocuments>(
        *store_, *audit_, VersionedDocuments::Columns{Column::kModelHeads, Column::kModelVersions},
        "model");
  }

  StatusOr<int> Add(std::string_view name, std::string record) {
    return docs_->Add("acme", name, actor_,
                      [&](int, const VersionHead&, storage::WriteBatch&) { return record; });
  }

  std::vector<std::string> AuditEntities() {
    std::vector<std::string> out;
    EXPECT_TRUE(audit_
                    ->Scan(0, "acme",
                           [&](const AuditEntry& e) {
                             out.push_back(e.entity);
                             return true;
                           })
                    .ok());
    return out;
  }

  TempDir dir_;
  SecretKey key_;
  ManualClock clock_{1'700'000'000'000'000};
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<VersionedDocuments> docs_;
  Actor actor_{"k1", "test"};
};

TEST(VersionKeys, SortByVersionNumber) {
  EXPECT_EQ(NameKey("acme", "pd"), "acme/pd");
  EXPECT_LT(VersionKey("acme", "pd", 9), VersionKey("acme", "pd", 10));
  EXPECT_EQ(VersionKey("acme", "pd", 9).rfind("acme/pd/", 0), 0u);
  EXPECT_EQ(VersionKey(NameKey("acme", "pd"), 9), VersionKey("acme", "pd", 9));
}

TEST_F(VersionedDocumentsTest, AddsVersionsInOrderWithTheirExtraWritesAndAudit) {
  EXPECT_EQ(docs_->Head("acme", "pd")->latest, 0);
  EXPECT_EQ(docs_->RequireExists(*docs_->Head("acme", "pd"), "pd").message(),
            "no model named 'pd'");
  auto first = docs_->Add("acme", "pd", actor_,
                          [](int version, const VersionHead& head, storage::WriteBatch& extra) {
                            EXPECT_EQ(head.latest, 0);
                            extra.Put(Column::kModelBlobs, "acme/pd/blob", "trees");
                            return StatusOr<std::string>("v" + std::to_string(version));
                          });
  ASSERT_EQ(*first, 1);
  ASSERT_EQ(*Add("pd", "second"), 2);
  EXPECT_EQ(store_->Get(Column::kModelBlobs, "acme/pd/blob").value(), "trees");
  EXPECT_EQ(*docs_->Record("acme", "pd", 1), "v1");
  EXPECT_EQ(docs_->Record("acme", "pd", 3).status().message(), "model 'pd' has no version 3");
  EXPECT_EQ(docs_->Record("acme", "pd", 3).status().field(), "version");
  std::vector<std::string> records;
  ASSERT_TRUE(docs_
                  ->ScanRecords("acme", "pd",
                                [&](std::string_view r) {
                                  records.emplace_back(r);
                                  return OkStatus();
                                })
                  .ok());
  EXPECT_EQ(records, (std::vector<std::string>{"v1", "second"}));
  // A refused version stores nothing, not even its extra writes.
  auto refused =
      docs_->Add("acme", "pd", actor_, [](int, const VersionHead&, storage::WriteBatch& extra) {
        extra.Put(Column::kModelBlobs, "acme/pd/other", "x");
        return StatusOr<std::string>(FailedPreconditionError("no"));
      });
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(docs_->Head("acme", "pd")->latest, 2);
  EXPECT_FALSE(store_->Get(Column::kModelBlobs, "acme/pd/other").value().has_value());
  EXPECT_EQ(AuditEntities(), (std::vector<std::string>{"model/pd/v1", "model/pd/v2"}));
}

TEST_F(VersionedDocumentsTest, ActivatesLoadsFirstAndRollsBackThroughHistory) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Add("pd", "r").ok());
  std::vector<int> installed;
  const auto load_ok = [](int) { return OkStatus(); };
  const auto install = [&](int v) { installed.push_back(v); };
  ASSERT_TRUE(docs_->Activate("acme", "pd", 1, actor_, load_ok, install).ok());
  ASSERT_TRUE(docs_->Activate("acme", "pd", 3, actor_, load_ok, install).ok());
  // A version that does not load is never activated, and nothing is installed.
  EXPECT_EQ(
      docs_
          ->Activate(
              "acme", "pd", 2, actor_, [](int) { return InvalidArgumentError("broken"); }, install)
          .message(),
      "broken");
  EXPECT_EQ(docs_->Activate("acme", "pd", 7, actor_, load_ok, install).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(docs_->Activate("acme", "nope", 1, actor_, load_ok, install).code(),
            StatusCode::kNotFound);
  VersionHead head = *docs_->Head("acme", "pd");
  EXPECT_EQ(head.active, 3);
  EXPECT_EQ(head.history, std::vector<int>{1});
  EXPECT_EQ(installed, (std::vector<int>{1, 3}));

  EXPECT_EQ(*docs_->Rollback("acme", "pd", actor_, load_ok, install), 1);
  head = *docs_->Head("acme", "pd");
  EXPECT_EQ(head.active, 1);
  EXPECT_TRUE(head.history.empty());
  EXPECT_EQ(docs_->Rollback("acme", "pd", actor_, load_ok, install).status().code(),
            StatusCode::kFailedPrecondition);
  // Adding a version keeps what is active and the history.
  ASSERT_TRUE(docs_->Activate("acme", "pd", 2, actor_, load_ok, install).ok());
  ASSERT_TRUE(Add("pd", "r").ok());
  head = *docs_->Head("acme", "pd");
  EXPECT_EQ(head.latest, 4);
  EXPECT_EQ(head.active, 2);
  EXPECT_EQ(head.history, std::vector<int>{1});
  const std::vector<std::string> entities = AuditEntities();
  EXPECT_EQ(entities[3], "model/pd/v1 activated");
  EXPECT_EQ(entities[5], "model/pd/v1 activated");  // the rollback
}

TEST_F(VersionedDocumentsTest, AttachesBesideAVersionAndListsHeadsPerTenant) {
  ASSERT_TRUE(Add("pd", "r").ok());
  ASSERT_TRUE(Add("lgd", "r").ok());
  ASSERT_TRUE(docs_
                  ->Add("other", "pd", actor_,
                        [](int, const VersionHead&, storage::WriteBatch&) {
                          return StatusOr<std::string>("r");
                        })
                  .ok());
  ASSERT_TRUE(
      docs_->Attach("acme", "pd", 1, actor_, "evaluation", Column::kModelEvaluations, "{}").ok());
  EXPECT_EQ(store_->Get(Column::kModelEvaluations, VersionKey("acme", "pd", 1)).value(), "{}");
  EXPECT_EQ(
      docs_->Attach("acme", "pd", 2, actor_, "evaluation", Column::kModelEvaluations, "{}").code(),
      StatusCode::kNotFound);
  EXPECT_EQ(AuditEntities().back(), "model/pd/v1/evaluation");

  auto heads = docs_->Heads("acme");
  ASSERT_TRUE(heads.ok());
  ASSERT_EQ(heads->size(), 2u);  // the other tenant's is not listed
  EXPECT_EQ((*heads)[0].first, "lgd");
  EXPECT_EQ((*heads)[1].first, "pd");
}

TEST_F(VersionedDocumentsTest, HeadsWithoutHistoryReadAndCorruptOnesAreDataLoss) {
  // Heads written before history was kept read as having none.
  ASSERT_TRUE(store_->Put(Column::kModelHeads, "acme/old", R"({"latest":2,"active":1})").ok());
  VersionHead old = *docs_->Head("acme", "old");
  EXPECT_EQ(old.latest, 2);
  EXPECT_EQ(old.active, 1);
  EXPECT_TRUE(old.history.empty());
  ASSERT_TRUE(store_->Put(Column::kModelHeads, "acme/bad", R"({"latest":"x"})").ok());
  auto corrupt = docs_->Head("acme", "bad");
  EXPECT_EQ(corrupt.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(corrupt.status().message(), "model head of 'bad' is corrupt");
  EXPECT_EQ(docs_->Heads("acme").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace finbrain::tenancy
