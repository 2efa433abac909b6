#include "service/sentiment.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "service/resources.h"

namespace finbrain::service {
namespace {

TEST(Sentiment, TrainsOnCharacterNGramsAndScoresUnseenTexts) {
  std::vector<LabelledText> train;
  for (const char* t :
       {"服务很好", "非常满意", "很好很方便", "满意, 谢谢", "态度很好", "方便快捷"}) {
    for (int i = 0; i < 5; ++i) train.push_back({t, 1});
  }
  for (const char* t : {"服务太差", "非常失望", "太差了", "失望透顶", "态度恶劣", "差评, 骗子"}) {
    for (int i = 0; i < 5; ++i) train.push_back({t, 0});
  }
  const std::vector<LabelledText> validation = {{"很满意", 1}, {"太失望", 0}};
  const auto trained = TrainSentiment(train, validation, {.min_weight = 0});
  ASSERT_TRUE(trained.ok()) << trained.status().message();
  EXPECT_EQ(trained->validation_accuracy, 1.0);
  const auto model = SentimentModel::FromJson(trained->model_file);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_GT(model->Negative("客服态度太差, 失望"), 0.5);
  EXPECT_LT(model->Negative("客服很好, 满意"), 0.5);
  EXPECT_GT(model->size(), 10u);
}

TEST(Sentiment, ReadsTsvAndCsvAndNamesABadLine) {
  TempDir dir;
  const std::string tsv = dir.path() + "/a.tsv", csv = dir.path() + "/b.csv";
  std::ofstream(tsv) << "label\ttext_a\n1\t很好, 不错\n0\t太差\n";
  std::ofstream(csv) << "label,review\n0,\"送餐太慢了\"\n1,好吃\nx,坏\n";
  const auto a = ReadLabelledTexts(tsv);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].text, "很好, 不错");
  EXPECT_EQ((*a)[1].label, 0);
  const auto b = ReadLabelledTexts(csv);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("b.csv:4"), std::string::npos) << b.status().message();
}

TEST(Sentiment, TheShippedModelHearsAnAngryCustomer) {
  const auto model = SentimentModel::Load(ServiceFile("sentiment.json"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_GT(model->Negative("你们这什么破服务, 垃圾平台, 我要投诉"), 0.9);
  EXPECT_LT(model->Negative("好的, 明白了, 非常感谢"), 0.5);
  EXPECT_FALSE(SentimentModel::FromJson("{\"format\":\"x\"}").ok());
}

}  // namespace
}  // namespace finbrain::service
