#include "service/knowledge_base.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace finbrain::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseKb, ReadsCsvColumnsByNameWithQuotedNewlines) {
  const KbParse kb = ParseKb(
      "answer,id,question,tags,alternatives,extra\n"
      "\"每月账单日后可还款。\n可提前还款。\",repay_1,白条怎么还款,还款|白条,白条如何还钱|"
      "怎么还白条,x\n"
      "冻结后请联系客服,freeze_1,账户被冻结怎么办,\"security, 账户\",,y\n",
      "kb.csv");
  ASSERT_TRUE(kb.errors.empty()) << kb.errors.front().ToString();
  ASSERT_EQ(kb.entries.size(), 2u);
  EXPECT_EQ(kb.entries[0].id, "repay_1");
  EXPECT_EQ(kb.entries[0].answer, "每月账单日后可还款。\n可提前还款。");
  EXPECT_THAT(kb.entries[0].alternatives, ElementsAre("白条如何还钱", "怎么还白条"));
  EXPECT_THAT(kb.entries[1].tags, ElementsAre("security", "账户"));
  EXPECT_TRUE(kb.entries[1].HasTag("security"));
}

TEST(ParseKb, ReportsBadRowsByLineAndLoadsTheRest) {
  const KbParse kb = ParseKb(
      "id,question,answer\n"
      "ok_1,怎么还款,在app里还款\n"
      "\"multi\nline\",问题,\n"  // lines 3-4: bad id and empty answer (the id is checked first)
      "ok_2,,没有问题\n"         // line 5: empty question
      "ok_1,重复,重复的编号\n"   // line 6: duplicate id
      "ok_3,额度多少,见app首页\n",
      "kb.csv");
  ASSERT_EQ(kb.entries.size(), 2u);
  EXPECT_EQ(kb.entries[1].id, "ok_3");
  ASSERT_EQ(kb.errors.size(), 3u);
  EXPECT_EQ(kb.errors[0].ToString().substr(0, 12), "kb.csv:3: id");
  EXPECT_EQ(kb.errors[1].ToString(), "kb.csv:5: question: must not be empty");
  EXPECT_THAT(kb.errors[2].ToString(), HasSubstr("kb.csv:6: id: duplicate id"));
}

TEST(ParseKb, NamesAMissingRequiredColumn) {
  const KbParse kb = ParseKb("id,question\nx,y\n", "kb.csv");
  EXPECT_TRUE(kb.entries.empty());
  ASSERT_EQ(kb.errors.size(), 1u);
  EXPECT_EQ(kb.errors[0].ToString(), "kb.csv:1: answer: the header has no column answer");
}

TEST(ParseKb, ReadsJsonLines) {
  const KbParse kb = ParseKb(
      "{\"id\":\"a\",\"question\":\"借呗利息怎么算\",\"answer\":\"按日计息\",\"alternatives\":["
      "\"借呗"
      "利率\"],\"product\":\"借呗\"}\n"
      "\n"
      "{\"id\":\"b\",\"question\":\"q\",\"answer\":7}\n"
      "not json\n"
      "{\"id\":\"c\",\"question\":\"q\",\"answer\":\"a\",\"colour\":\"red\"}\n",
      "kb.jsonl");
  ASSERT_EQ(kb.entries.size(), 1u);
  EXPECT_EQ(kb.entries[0].product, "借呗");
  EXPECT_THAT(kb.entries[0].alternatives, ElementsAre("借呗利率"));
  ASSERT_EQ(kb.errors.size(), 3u);
  EXPECT_EQ(kb.errors[0].ToString(), "kb.jsonl:3: answer: must be a string");
  EXPECT_THAT(kb.errors[1].ToString(), HasSubstr("kb.jsonl:4: not valid JSON"));
  EXPECT_EQ(kb.errors[2].ToString(), "kb.jsonl:5: colour: unknown field");
}

TEST(ValidateKbEntry, EnforcesLimits) {
  KbEntry e{.id = "x", .question = "q", .answer = "a"};
  EXPECT_TRUE(ValidateKbEntry(e).ok());
  e.id = "has space";
  EXPECT_EQ(ValidateKbEntry(e).field(), "id");
  e.id = "x";
  e.question = std::string(kMaxQuestionChars + 1, 'q');
  EXPECT_EQ(ValidateKbEntry(e).field(), "question");
  e.question = "q";
  e.alternatives = {"ok", " "};
  EXPECT_EQ(ValidateKbEntry(e).field(), "alternatives[1]");
}

TEST(KbEntryJson, RoundTrips) {
  const KbEntry e{.id = "x",
                  .question = "q",
                  .answer = "a",
                  .alternatives = {"b"},
                  .tags = {"handoff"},
                  .product = "白条"};
  const StatusOr<KbEntry> back = KbEntryFromJson(boost::json::value(KbEntryToJson(e)));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, e);
}

}  // namespace
}  // namespace finbrain::service
