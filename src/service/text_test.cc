#include "service/text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace finbrain::service {
namespace {

using ::testing::ElementsAre;

TEST(Normalise, FoldsWidthCaseSpacesAndTraditionalCharacters) {
  EXPECT_EQ(Normalise("花唄ＡＢＣ\u3000\u3000怎麼還款？"), "花呗abc 怎么还款?");
  EXPECT_EQ(Normalise("  借呗\t\n额度 "), "借呗 额度");
  EXPECT_EQ(Normalise("１２３期"), "123期");
  EXPECT_EQ(Normalise("a\x01"
                      "b"),
            "ab");
}

TEST(Normalise, IsIdempotent) {
  for (const char* text : {"花唄ＡＢＣ 怎麼還款？", "白条 提前还款 要手续费吗", "我要轉人工！！"}) {
    const std::string once = Normalise(text);
    EXPECT_EQ(Normalise(once), once) << text;
  }
}

TEST(Normalise, SurvivesInvalidUtf8) {
  const std::string bad = std::string("还款") + "\xff\xfe" + "日";
  EXPECT_FALSE(Normalise(bad).empty());
}

TEST(Characters, SplitsCodePointsAndKeepsContent) {
  EXPECT_THAT(Characters("a花呗!"), ElementsAre("a", "花", "呗", "!"));
  EXPECT_THAT(ContentCharacters("花呗, 还款 3 期?"),
              ElementsAre("花", "呗", "还", "款", "3", "期"));
  EXPECT_EQ(CharacterCount("借呗ab"), 4u);
}

TEST(Numbers, FindsIntegersAndDecimals) {
  EXPECT_THAT(Numbers("分12期还3.5万, 第1期"), ElementsAre("12", "3.5", "1"));
  EXPECT_THAT(Numbers("没有数字"), ElementsAre());
  EXPECT_THAT(Numbers("版本3."), ElementsAre("3"));
}

}  // namespace
}  // namespace finbrain::service
