#include "service/kb_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service/resources.h"

namespace finbrain::service {
namespace {

using ::testing::Contains;
using ::testing::Not;

std::shared_ptr<const Segmenter> TestSegmenter() {
  StatusOr<std::shared_ptr<const Segmenter>> s = SharedSegmenter();
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

TEST(Segmenter, KeepsFinanceTermsWhole) {
  auto segmenter = TestSegmenter();
  ASSERT_NE(segmenter, nullptr);
  const std::vector<std::string> words = segmenter->Cut("白条怎么提前还款,手续费多少");
  EXPECT_THAT(words, Contains("白条"));
  EXPECT_THAT(words, Contains("提前还款"));
  EXPECT_THAT(words, Contains("手续费"));
  EXPECT_GT(segmenter->lexicon_words(), 100u);
}

TEST(Segmenter, MissingDictionaryIsAnErrorNotAnAbort) {
  const auto s = Segmenter::Load({.dict_dir = "/nonexistent"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().field(), "dict_dir");
}

TEST(TextAnalyzer, AddsKbTermsTheSegmenterSplits) {
  auto segmenter = TestSegmenter();
  ASSERT_NE(segmenter, nullptr);
  const TextAnalyzer plain(segmenter);
  const TextAnalyzer with_term(segmenter, {"月付宝", "安心借"});
  EXPECT_THAT(plain.Analyze("月付宝怎么激活").words, Not(Contains("月付宝")));
  const Analysis a = with_term.Analyze("月付宝怎么激活");
  EXPECT_THAT(a.words, Contains("月付宝"));
  EXPECT_THAT(a.words, Not(Contains("安心借")));
  EXPECT_EQ(a.bigrams.size(), a.chars.size() - 1);
}

TEST(TextAnalyzer, AddsTheCanonicalWordOfAColloquialWording) {
  const std::vector<Synonym> synonyms =
      ParseSynonyms("# comment\n忘记: 忘了 想不起来\n还款: 還錢\nnot a line\n");
  ASSERT_EQ(synonyms.size(), 3u);
  EXPECT_EQ(synonyms[2].variant, "还钱");  // normalised (traditional to simplified)
  auto segmenter = TestSegmenter();
  ASSERT_NE(segmenter, nullptr);
  const TextAnalyzer analyzer(segmenter, {}, synonyms);
  const Analysis a = analyzer.Analyze("支付密码想不起来了");
  EXPECT_NE(std::find(a.words.begin(), a.words.end(), "忘记"), a.words.end());
  EXPECT_EQ(std::count(a.words.begin(), a.words.end(), "忘记"), 1);
  const Analysis b = analyzer.Analyze("我忘记密码了，忘了");  // already there: not twice
  EXPECT_EQ(std::count(b.words.begin(), b.words.end(), "忘记"), 1);
  const Analysis c = analyzer.Analyze("怎么还钱");
  EXPECT_NE(std::find(c.words.begin(), c.words.end(), "还款"), c.words.end());
}

TEST(KbIndex, FindsTheEntryForAParaphrase) {
  auto segmenter = TestSegmenter();
  ASSERT_NE(segmenter, nullptr);
  std::vector<KbEntry> kb = {
      {.id = "repay", .question = "白条怎么还款", .answer = "a", .alternatives = {"白条如何还钱"}},
      {.id = "early", .question = "可以提前还款吗", .answer = "b"},
      {.id = "limit", .question = "怎么提高信用额度", .answer = "c", .alternatives = {"提额"}},
      {.id = "fee", .question = "分期手续费怎么算", .answer = "d", .product = "白条"},
  };
  auto index = KbIndex::Build(kb, segmenter);
  ASSERT_TRUE(index.ok()) << index.status().message();
  const auto top = [&](const char* text) {
    const auto hits = (*index)->Search((*index)->analyzer().Analyze(text), 3);
    return hits.empty() ? std::string() : (*index)->entries()[hits[0].entry].id;
  };
  EXPECT_EQ(top("我的白條要怎麼還錢"), "repay");
  EXPECT_EQ(top("想提额"), "limit");
  EXPECT_EQ(top("可以提前还款么"), "early");
  EXPECT_EQ(top("分期的手续费是多少"), "fee");
  const auto hits = (*index)->Search((*index)->analyzer().Analyze("白条如何还钱"), 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].wording, 1u);  // the alternative matched, not the question
  EXPECT_TRUE((*index)->Search((*index)->analyzer().Analyze("???"), 3).empty());
  EXPECT_EQ((*index)->documents(), 6u);
}

}  // namespace
}  // namespace finbrain::service
