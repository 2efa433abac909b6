#include "service/pair_features.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>

#include "service/matcher.h"
#include "service/resources.h"
#include "service/word_vectors.h"

namespace finbrain::service {
namespace {

size_t Feature(std::string_view name) {
  for (size_t i = 0; i < kPairFeatureCount; ++i) {
    if (PairFeatureNames()[i] == name) return i;
  }
  ADD_FAILURE() << "no feature " << name;
  return 0;
}

class PairFeaturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SharedSegmenter();
    ASSERT_TRUE(s.ok()) << s.status().message();
    analyzer_ = std::make_unique<TextAnalyzer>(*s);
    std::vector<Analysis> corpus;
    for (const char* t : {"花呗怎么还款", "借呗怎么还款", "花呗额度", "借呗利息", "花呗分期"}) {
      corpus.push_back(analyzer_->Analyze(t));
    }
    idf_ = IdfTable::Fit(corpus, 1);
  }
  PairFeatureRow Row(const char* a, const char* b) {
    return PairFeatures(analyzer_->Analyze(a), analyzer_->Analyze(b), idf_);
  }
  std::unique_ptr<TextAnalyzer> analyzer_;
  IdfTable idf_;
};

TEST_F(PairFeaturesTest, AreSymmetric) {
  const PairFeatureRow ab = Row("花呗为什么不能分期12期", "我的借呗怎么还款");
  const PairFeatureRow ba = Row("我的借呗怎么还款", "花呗为什么不能分期12期");
  for (size_t i = 0; i < kPairFeatureCount; ++i) {
    if (std::isnan(ab[i])) {
      EXPECT_TRUE(std::isnan(ba[i])) << PairFeatureNames()[i];
    } else {
      EXPECT_FLOAT_EQ(ab[i], ba[i]) << PairFeatureNames()[i];
    }
  }
}

TEST_F(PairFeaturesTest, SeeWhatMakesTwoWordingsDifferentQuestions) {
  const PairFeatureRow same = Row("花呗怎么还款", "花呗怎么还款");
  EXPECT_FLOAT_EQ(same[Feature("char_jaccard")], 1);
  EXPECT_FLOAT_EQ(same[Feature("char_edit_ratio")], 0);
  EXPECT_FLOAT_EQ(same[Feature("product_mismatch")], 0);
  EXPECT_FLOAT_EQ(Row("花呗怎么还款", "借呗怎么还款")[Feature("product_mismatch")], 1);
  EXPECT_FLOAT_EQ(Row("分3期", "分12期")[Feature("number_mismatch")], 1);
  EXPECT_FLOAT_EQ(Row("为什么不能还款", "怎么还款")[Feature("question_kind_differs")], 1);
  EXPECT_FLOAT_EQ(Row("能还款", "不能还款")[Feature("negation_parity_differs")], 1);
  EXPECT_FLOAT_EQ(Row("开通花呗", "关闭花呗")[Feature("action_mismatch")], 1);
}

TEST_F(PairFeaturesTest, IdfTableRoundTripsThroughJson) {
  const auto back = IdfTable::FromJson(boost::json::value(idf_.ToJson()));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_NEAR(back->Word("花呗"), idf_.Word("花呗"), 1e-4);
  EXPECT_NEAR(back->Char("借呗"), idf_.Char("借呗"), 1e-4);
  EXPECT_GT(idf_.Word("没见过的词"), idf_.Word("花呗"));
}

TEST(WordVectors, PlaceWordsUsedInTheSameContextsClose) {
  // 还款 and 还钱 never meet but share their neighbours; 天气 shares none.
  std::vector<Analysis> corpus;
  const auto add = [&](std::vector<std::string> words, int times) {
    for (int i = 0; i < times; ++i) corpus.push_back(Analysis{.words = words});
  };
  add({"花呗", "还款", "逾期"}, 20);
  add({"花呗", "还钱", "逾期"}, 20);
  add({"借呗", "还款", "日期"}, 20);
  add({"借呗", "还钱", "日期"}, 20);
  add({"天气", "晴朗", "出门"}, 20);
  add({"天气", "下雨", "出门"}, 20);
  const WordVectors v = WordVectors::Fit(corpus, {.dims = 4, .min_count = 2});
  EXPECT_GT(v.Similarity("还款", "还钱"), 0.8f);
  EXPECT_LT(v.Similarity("还款", "天气"), 0.3f);
  EXPECT_TRUE(std::isnan(v.Similarity("还款", "没有")));
  const auto back = WordVectors::FromJson(boost::json::value(v.ToJson()));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_NEAR(back->Similarity("还款", "还钱"), v.Similarity("还款", "还钱"), 0.02);
  EXPECT_EQ(back->size(), v.size());
}

TEST(QuestionMatcher, TheShippedModelRanksParaphrasesAboveOtherQuestions) {
  auto s = SharedSegmenter();
  ASSERT_TRUE(s.ok()) << s.status().message();
  const TextAnalyzer analyzer(*s);
  const auto matcher = QuestionMatcher::Load(ServiceFile("matcher.json"));
  ASSERT_TRUE(matcher.ok()) << matcher.status().message();
  const auto p = [&](const char* a, const char* b) {
    return matcher->SameQuestion(analyzer.Analyze(a), analyzer.Analyze(b));
  };
  EXPECT_GT(p("花呗怎么还款", "花呗如何还钱"), p("花呗怎么还款", "借呗怎么还款"));
  EXPECT_GT(p("借呗可以提前还款吗", "借呗能不能提前还"),
            p("借呗可以提前还款吗", "借呗为什么不能提前还款"));
  EXPECT_GT(p("花呗额度怎么提升", "怎样提高花呗额度"),
            p("花呗额度怎么提升", "花呗额度为什么降低了"));
}

TEST(QuestionMatcher, RejectsAFileOfAnotherFormat) {
  EXPECT_FALSE(QuestionMatcher::FromJson("{\"format\":\"other\"}").ok());
  EXPECT_FALSE(QuestionMatcher::FromJson("not json").ok());
}

}  // namespace
}  // namespace finbrain::service
