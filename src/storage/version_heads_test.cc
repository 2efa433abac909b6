#include "storage/version_heads.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"

namespace finbrain::storage {
namespace {

TEST(VersionHeads, KeysReadWriteListAndCorruption) {
  TempDir dir;
  auto store = OpenRocksDb({.path = dir.path()}).value();
  EXPECT_EQ(NameKey("acme", "pd"), "acme/pd");
  // Versions sort as numbers, not as text.
  EXPECT_LT(VersionKey("acme", "pd", 9), VersionKey("acme", "pd", 10));
  EXPECT_EQ(VersionKey("acme", "pd", 9).rfind("acme/pd/", 0), 0u);

  auto none = ReadVersionHead(*store, Column::kModelHeads, "acme", "pd", "model");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->latest, 0);
  EXPECT_EQ(none->active, 0);

  ASSERT_TRUE(
      store->Put(Column::kModelHeads, NameKey("acme", "pd"), VersionHeadJson({3, 2, {1}})).ok());
  ASSERT_TRUE(
      store->Put(Column::kModelHeads, NameKey("acme", "lgd"), VersionHeadJson({1, 0})).ok());
  ASSERT_TRUE(
      store->Put(Column::kModelHeads, NameKey("other", "pd"), VersionHeadJson({5, 5})).ok());
  // Heads written before history was kept read as having none.
  ASSERT_TRUE(
      store->Put(Column::kModelHeads, NameKey("acme", "old"), R"({"latest":2,"active":1})").ok());
  auto head = ReadVersionHead(*store, Column::kModelHeads, "acme", "pd", "model");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->latest, 3);
  EXPECT_EQ(head->active, 2);
  EXPECT_EQ(head->history, std::vector<int>{1});

  auto listed = ListVersionHeads(*store, Column::kModelHeads, "acme", "model");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);  // the other tenant's head is not listed
  EXPECT_EQ((*listed)[0].first, "lgd");
  EXPECT_EQ((*listed)[1].first, "old");
  EXPECT_EQ((*listed)[1].second.active, 1);
  EXPECT_TRUE((*listed)[1].second.history.empty());
  EXPECT_EQ((*listed)[2].second.latest, 3);

  ASSERT_TRUE(store->Put(Column::kModelHeads, NameKey("acme", "bad"), R"({"latest":"x"})").ok());
  auto corrupt = ReadVersionHead(*store, Column::kModelHeads, "acme", "bad", "strategy");
  EXPECT_EQ(corrupt.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(corrupt.status().message(), "strategy head of 'bad' is corrupt");
  EXPECT_EQ(ListVersionHeads(*store, Column::kModelHeads, "acme", "model").status().code(),
            StatusCode::kDataLoss);
}

}  // namespace
}  // namespace finbrain::storage
