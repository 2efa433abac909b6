#include "service/bot.h"

#include <gtest/gtest.h>

namespace finbrain::service {
namespace {

TEST(AsksForPerson, HearsTheUsualWordingsAndNotQuestionsAboutAgents) {
  for (const char* yes :
       {"转人工", "我要找人工客服", "能不能让真人来跟我说", "人工服务", "找你们经理来",
        "别让机器人回答了", "你这机器人听不懂", "我要和客服人员通话", "叫个人来"}) {
    EXPECT_TRUE(AsksForPerson(yes)) << yes;
  }
  for (const char* no : {"人工客服几点有人", "怎么提前还款", "客服电话是多少", "我的额度是多少"}) {
    EXPECT_FALSE(AsksForPerson(no)) << no;
  }
}

class FaqBotTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const StatusOr<BotModels> models = SharedBotModels();
    ASSERT_TRUE(models.ok()) << models.status().message();
    std::vector<KbEntry> kb = {
        {.id = "repay",
         .question = "怎么还款",
         .answer = "在我的-还款中还款。",
         .alternatives = {"如何还钱", "在哪里还款", "还款方式有哪些"}},
        {.id = "early",
         .question = "可以提前还款吗",
         .answer = "可以，随时提前还清。",
         .alternatives = {"能不能提前还", "提前还款有手续费吗", "想提前把钱还了"}},
        {.id = "limit",
         .question = "怎么提高额度",
         .answer = "保持按时还款。",
         .alternatives = {"怎样提额", "额度太低了能不能提高", "如何申请提升额度"}},
        {.id = "refund",
         .question = "退款多久到账",
         .answer = "1到3个工作日。",
         .alternatives = {"退款什么时候到", "退货后多久退钱", "退款怎么还没到"}},
        {.id = "negotiate",
         .question = "还不上钱可以协商吗",
         .answer = "转专人评估。",
         .alternatives = {"没钱还了怎么办", "可以申请延期还款吗", "协商还款怎么申请"},
         .tags = {"handoff"}},
        {.id = "stolen",
         .question = "账户被盗了怎么办",
         .answer = "请立即冻结账户。",
         .alternatives = {"有人用我的账号借钱", "不是我本人操作的消费"},
         .tags = {"security"}},
    };
    auto bot = FaqBot::Build(kb, *models, {});
    ASSERT_TRUE(bot.ok()) << bot.status().message();
    bot_ = std::move(*bot).release();
  }
  static void TearDownTestSuite() { delete bot_; }
  static FaqBot* bot_;
};
FaqBot* FaqBotTest::bot_ = nullptr;

TEST_F(FaqBotTest, AnswersAKnownQuestionWithItsEntry) {
  const BotReply r = bot_->Respond("怎么还款", {});
  EXPECT_EQ(r.type, ReplyType::kAnswer);
  EXPECT_EQ(r.kb_id, "repay");
  EXPECT_EQ(r.answer, "在我的-还款中还款。");
  EXPECT_GE(r.confidence, 0.95);
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].kb_id, "repay");
}

TEST_F(FaqBotTest, NeverAnswersAQuestionOutsideTheKb) {
  for (const char* q : {"今天天气怎么样", "帮我订一张机票", "怎么做红烧肉"}) {
    const BotReply r = bot_->Respond(q, {});
    EXPECT_NE(r.type, ReplyType::kAnswer) << q;
    EXPECT_LT(r.confidence, 0.95) << q;
  }
  EXPECT_EQ(bot_->Respond("今天天气怎么样", {}).type, ReplyType::kOutOfScope);
}

TEST_F(FaqBotTest, HandsOffForAPersonAComplaintAnAngryCustomerAndASecurityIncident) {
  const BotReply person = bot_->Respond("转人工", {});
  EXPECT_EQ(person.type, ReplyType::kHandoff);
  EXPECT_EQ(person.handoff_reason, "person_requested");
  EXPECT_EQ(bot_->Respond("我要投诉你们", {}).handoff_reason, "complaint");
  const BotReply angry = bot_->Respond("什么垃圾服务，气死我了", {});
  EXPECT_EQ(angry.handoff_reason, "angry");
  EXPECT_GT(angry.negative, 0.8);
  EXPECT_EQ(bot_->Respond("我的账号被盗了", {}).handoff_reason, "security");
}

TEST_F(FaqBotTest, HandsOffAnIntentTheTenantWantsAPersonFor) {
  const BotReply r = bot_->Respond("还不上钱可以协商吗", {});
  EXPECT_EQ(r.type, ReplyType::kHandoff);
  EXPECT_EQ(r.handoff_reason, "needs_person");
  EXPECT_EQ(r.kb_id, "negotiate");
}

TEST_F(FaqBotTest, ACustomerWhoCannotPayGoesToAPersonNotToTheLateFeeFaq) {
  const BotReply r = bot_->Respond("最近失业了，这期能不能缓一缓再还", {});
  EXPECT_EQ(r.type, ReplyType::kHandoff);
  EXPECT_EQ(r.handoff_reason, "hardship");
  // Worried but able to pay: answered.
  EXPECT_NE(bot_->Respond("怎么还钱", {}).type, ReplyType::kHandoff);
}

TEST_F(FaqBotTest, TwoUnsureTurnsInARowHandOff) {
  const BotReply first = bot_->Respond("那个东西怎么弄", {});
  ASSERT_NE(first.type, ReplyType::kAnswer);
  ASSERT_NE(first.type, ReplyType::kHandoff);
  const BotReply second = bot_->Respond("那个东西怎么弄", {.unsure_turns = 1});
  EXPECT_EQ(second.type, ReplyType::kHandoff);
  EXPECT_EQ(second.handoff_reason, "unsure_twice");
}

TEST_F(FaqBotTest, ConfidenceIsCalibratedAndMonotone) {
  EXPECT_GT(bot_->calibration_size(), 20u);
  double previous = 0;
  for (double s = -10; s <= 10; s += 0.5) {
    const double c = bot_->Confidence(s);
    EXPECT_GE(c, previous - 1e-12);
    EXPECT_LE(c, 1.0);
    previous = c;
  }
}

}  // namespace
}  // namespace finbrain::service
