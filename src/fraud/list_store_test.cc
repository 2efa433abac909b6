#include "fraud/list_store.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"

namespace finbrain::fraud {
namespace {

class ListStoreTest : public ::testing::Test {
 protected:
  ListStoreTest() {
    tenancy::SecretKey key;
    key.fill(3);
    tokenizer_ = std::make_unique<tenancy::PiiTokenizer>(key);
    store_ = std::move(storage::OpenRocksDb({.path = dir_.path()})).value();
    lists_ = std::make_unique<ListStore>(*store_, *tokenizer_, clock_);
  }

  void Put(std::string_view tenant, std::string_view type, std::string_view value,
           ListEntryInput input = {.reason = "test"}, ListKind list = ListKind::kBlacklist) {
    auto write = lists_->PreparePut(tenant, list, type, value, input, "k1");
    ASSERT_TRUE(write.ok()) << write.status().ToString();
    ASSERT_TRUE(store_->Write(write->batch).ok());
  }

  TempDir dir_;
  ManualClock clock_{1'700'000'000'000'000};
  std::unique_ptr<tenancy::PiiTokenizer> tokenizer_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<ListStore> lists_;
};

TEST_F(ListStoreTest, PutThenGetAndReplaceKeepsCreation) {
  Put("acme", "ip", "1.2.3.4");
  auto entry = lists_->Get("acme", ListKind::kBlacklist, "ip", "1.2.3.4").value();
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->reason, "test");
  EXPECT_EQ(entry->created_by, "k1");
  clock_.AdvanceMicros(5);
  auto replace = lists_->PreparePut("acme", ListKind::kBlacklist, "ip", "1.2.3.4",
                                    {.reason = "again", .source = ListSource::kRule}, "k2");
  ASSERT_TRUE(replace.ok());
  EXPECT_FALSE(replace->created);
  EXPECT_EQ(replace->entry.created_at, entry->created_at);
  EXPECT_EQ(replace->entry.updated_at, entry->created_at + 5);
  EXPECT_FALSE(lists_->Get("acme", ListKind::kGreylist, "ip", "1.2.3.4").value().has_value());
  EXPECT_FALSE(lists_->Get("other", ListKind::kBlacklist, "ip", "1.2.3.4").value().has_value());
}

TEST_F(ListStoreTest, PiiIsTokenizedAndFoundByRawValueOrToken) {
  Put("acme", "phone", "+86 138 0013 8000");
  auto entry = lists_->Get("acme", ListKind::kBlacklist, "phone", "13800138000").value();
  ASSERT_TRUE(entry.has_value());
  EXPECT_TRUE(entry->value.starts_with("tok_phone_"));
  EXPECT_TRUE(lists_->Get("acme", ListKind::kBlacklist, "phone", entry->value).value().has_value());
  bool raw_stored = false;
  ASSERT_TRUE(store_
                  ->Scan(storage::Column::kLists, "", "",
                         [&](std::string_view k, std::string_view v) {
                           raw_stored |= k.find("0013") != std::string_view::npos ||
                                         v.find("13800138000") != std::string_view::npos;
                           return true;
                         })
                  .ok());
  EXPECT_FALSE(raw_stored);
}

TEST_F(ListStoreTest, ExpiredEntriesStopMatching) {
  Put("acme", "device", "d1", {.reason = "farm", .expires_at = clock_.NowMicros() + 1000});
  EXPECT_TRUE(lists_->Get("acme", ListKind::kBlacklist, "device", "d1").value().has_value());
  clock_.AdvanceMicros(1000);
  EXPECT_FALSE(lists_->Get("acme", ListKind::kBlacklist, "device", "d1").value().has_value());
  EXPECT_TRUE(lists_->List("acme", ListKind::kBlacklist, "device", "", 10)->entries.empty());
  // Still deletable.
  EXPECT_TRUE(lists_->PrepareDelete("acme", ListKind::kBlacklist, "device", "d1").ok());
}

TEST_F(ListStoreTest, MostSevereLiveListOfEachIdentifierInOneLookup) {
  Put("acme", "device", "d1", {.reason = "x"}, ListKind::kWhitelist);
  Put("acme", "device", "d1", {.reason = "x"}, ListKind::kGreylist);
  Put("acme", "phone", "13800138000", {.reason = "x"}, ListKind::kBlacklist);
  Put("acme", "phone", "13800138000", {.reason = "x"}, ListKind::kWhitelist);
  Put("acme", "ip", "1.2.3.4", {.reason = "x", .expires_at = clock_.NowMicros() + 10},
      ListKind::kBlacklist);
  Put("acme", "ip", "1.2.3.4", {.reason = "x"}, ListKind::kWhitelist);
  Put("other", "user", "u1", {.reason = "x"}, ListKind::kBlacklist);
  clock_.AdvanceMicros(10);  // the IP's blacklisting has expired; its whitelisting has not
  const std::vector<ListStore::Lookup> lookups = {
      {"device", "d1"}, {"phone", "138 0013 8000"}, {"ip", "1.2.3.4"}, {"user", "u1"}};
  const auto listed = lists_->MostSevere("acme", lookups).value();
  EXPECT_EQ(listed, (std::vector<std::optional<ListKind>>{ListKind::kGreylist, ListKind::kBlacklist,
                                                          ListKind::kWhitelist, std::nullopt}));
  const std::vector<ListStore::Lookup> bad = {{"planet", "mars"}};
  EXPECT_EQ(lists_->MostSevere("acme", bad).status().field(), "entity_type");
}

TEST_F(ListStoreTest, ValidatesInputNamingTheField) {
  auto put = [&](std::string_view type, std::string_view value, ListEntryInput in) {
    return lists_->PreparePut("acme", ListKind::kBlacklist, type, value, in, "k").status();
  };
  EXPECT_EQ(put("planet", "x", {.reason = "r"}).field(), "entity_type");
  EXPECT_EQ(put("ip", "", {.reason = "r"}).field(), "value");
  EXPECT_EQ(put("ip", std::string(513, 'x'), {.reason = "r"}).field(), "value");
  EXPECT_EQ(put("phone", "not a phone", {.reason = "r"}).field(), "value");
  EXPECT_EQ(put("ip", "1.1.1.1", {.reason = ""}).field(), "reason");
  EXPECT_EQ(put("ip", "1.1.1.1", {.reason = "r", .expires_at = clock_.NowMicros()}).field(),
            "expires_at");
  EXPECT_EQ(lists_->PrepareDelete("acme", ListKind::kBlacklist, "ip", "9.9.9.9").status().code(),
            StatusCode::kNotFound);
}

TEST_F(ListStoreTest, PagesThroughEntriesInOrder) {
  for (int i = 0; i < 25; ++i) Put("acme", "email", "u" + std::to_string(100 + i) + "@x.cn");
  Put("acme2", "email", "u000@x.cn");  // another tenant with a prefix-sharing name
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = lists_->List("acme", ListKind::kBlacklist, "email", cursor, 10).value();
    for (const auto& e : page.entries) seen.push_back(e.value);
    cursor = page.next_cursor;
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "u100@x.cn");
  EXPECT_EQ(seen.back(), "u124@x.cn");
  EXPECT_EQ(lists_->List("acme", ListKind::kBlacklist, "email", "zz", 10).status().field(),
            "cursor");
  EXPECT_EQ(lists_->List("acme", ListKind::kBlacklist, "email", "", 0).status().field(), "limit");
}

}  // namespace
}  // namespace finbrain::fraud
