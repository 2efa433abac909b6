#include "service/conversation.h"

#include <gtest/gtest.h>

#include "service/conversation_evaluation.h"

namespace finbrain::service {
namespace {

constexpr TimeMicros kDay = 86'400'000'000;
constexpr TimeMicros kDec15 = 1'765'728'000'000'000;  // 2025-12-14T16:00Z = Beijing 12-15 00:00

AccountFacts CreditLine() {
  return {.account_id = "loan-u0042",
          .product = "consumer_credit_line",
          .status = "active",
          .limit = 8000,
          .initial_limit = 10000,
          .opened_at = kDec15 - 90 * kDay,
          .installment_amount = 1234.5,
          .outstanding = 7406.5,
          .overdue_amount = 1234.5,
          .days_past_due = 31,
          .next_due_at = kDec15,
          .last_limit_change = AccountFacts::LimitChange{
              .at = kDec15 - 10 * kDay, .from = 10000, .to = 8000, .reasons = {"近90天有逾期"}}};
}

AccountFacts CashLoan() {
  return {.account_id = "loan-c7788",
          .product = "cash_loan",
          .status = "frozen",
          .limit = 3000,
          .initial_limit = 5000,
          .opened_at = kDec15 - 40 * kDay,
          .next_due_at = kDec15 + 5 * kDay,
          .last_limit_change = AccountFacts::LimitChange{
              .at = kDec15 - 2 * kDay, .from = 5000, .to = 3000, .reasons = {}}};
}

TEST(AccountAnswers, StateOnlyWhatTheAccountHolds) {
  AccountReply r = AnswerAccountQuestion(AccountQuestion::kNextDue, {CreditLine()}, "");
  EXPECT_EQ(r.account_id, "loan-u0042");
  EXPECT_NE(r.answer.find("消费信用额度（尾号0042）"), std::string::npos) << r.answer;
  EXPECT_NE(r.answer.find("2025年12月15日"), std::string::npos) << r.answer;
  EXPECT_NE(r.answer.find("应还 1,234.50 元"), std::string::npos) << r.answer;
  EXPECT_NE(r.answer.find("已逾期 31 天"), std::string::npos) << r.answer;

  // An instalment nobody reported yet is not estimated.
  r = AnswerAccountQuestion(AccountQuestion::kNextDue, {CashLoan()}, "");
  EXPECT_NE(r.answer.find("应还金额请以账单为准"), std::string::npos) << r.answer;
  EXPECT_EQ(r.answer.find(" 元"), std::string::npos) << r.answer;
  r = AnswerAccountQuestion(AccountQuestion::kOutstanding, {CashLoan()}, "");
  EXPECT_NE(r.answer.find("以App账单为准"), std::string::npos) << r.answer;

  // Several accounts: one line each.
  r = AnswerAccountQuestion(AccountQuestion::kLimit, {CreditLine(), CashLoan()}, "");
  EXPECT_TRUE(r.account_id.empty());
  EXPECT_NE(r.answer.find("1. 消费信用额度（尾号0042）当前额度 8,000.00 元"), std::string::npos)
      << r.answer;
  EXPECT_NE(r.answer.find("账户目前已冻结"), std::string::npos) << r.answer;
  r = AnswerAccountQuestion(AccountQuestion::kOverdue, {CashLoan()}, "");
  EXPECT_NE(r.answer.find("目前没有逾期"), std::string::npos) << r.answer;
}

TEST(AccountAnswers, ALimitChangeOnSeveralAccountsAsksWhichUnlessTheQuestionNamesIt) {
  AccountReply r =
      AnswerAccountQuestion(AccountQuestion::kLimitChange, {CreditLine(), CashLoan()}, "额度降了");
  EXPECT_EQ(r.choices, (std::vector<std::string>{"loan-u0042", "loan-c7788"}));
  EXPECT_NE(r.answer.find("2. 现金借款（尾号7788）"), std::string::npos) << r.answer;

  r = AnswerAccountQuestion(AccountQuestion::kLimitChange, {CreditLine(), CashLoan()},
                            "我的现金借款额度为什么降了");
  EXPECT_TRUE(r.choices.empty());
  EXPECT_EQ(r.account_id, "loan-c7788");
  EXPECT_NE(r.answer.find("由 5,000.00 元 调整为 3,000.00 元"), std::string::npos) << r.answer;

  r = AnswerAccountQuestion(AccountQuestion::kLimitChange, {CreditLine()}, "");
  EXPECT_NE(r.answer.find("原因：近90天有逾期"), std::string::npos) << r.answer;
}

TEST(AccountAnswers, ChosenOptionReadsOrdinalsNamesAndLastDigits) {
  const std::vector<std::string> names = {"消费信用额度（尾号0042）", "现金借款（尾号7788）"};
  for (const char* first : {"1", "第一个", "选第1笔", "我选一", "尾号0042的那个", "消费信用额度"})
    EXPECT_EQ(ChosenOption(first, names), 0u) << first;
  for (const char* second : {"2", "第二个吧", "最后一个", "7788", "是现金借款那笔"})
    EXPECT_EQ(ChosenOption(second, names), 1u) << second;
  for (const char* neither : {"3", "第五个", "你好", "怎么还款", "借款"})
    EXPECT_EQ(ChosenOption(neither, names), std::nullopt) << neither;
  EXPECT_EQ(AccountQuestionOf({.tags = {"账单", "account:next_due"}}), AccountQuestion::kNextDue);
  EXPECT_EQ(AccountQuestionOf({.tags = {"account"}}), AccountQuestion::kNone);
}

class ConverseTest : public ::testing::Test {
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
        {.id = "bill_amount",
         .question = "这个月要还多少钱",
         .answer = "本期应还金额可在账单页查看。",
         .alternatives = {"本期应还多少", "这期账单要还多少", "我这个月该还多少钱"},
         .tags = {"account:next_due"}},
        {.id = "limit_down",
         .question = "为什么我的额度降低了",
         .answer = "额度会根据综合评估动态调整。",
         .alternatives = {"额度怎么降了", "为什么降额", "我的额度被调低了"},
         .tags = {"account:limit_change"}},
        {.id = "refund",
         .question = "退款多久到账",
         .answer = "1到3个工作日。",
         .alternatives = {"退款什么时候到", "退货后多久退钱", "退款怎么还没到"}},
    };
    auto bot = FaqBot::Build(kb, *models, {});
    ASSERT_TRUE(bot.ok()) << bot.status().message();
    bot_ = std::move(*bot).release();
  }
  static void TearDownTestSuite() { delete bot_; }
  static FaqBot* bot_;
};
FaqBot* ConverseTest::bot_ = nullptr;

TEST_F(ConverseTest, AccountQuestionsAreAnsweredFromTheCustomersOwnAccountsOnly) {
  int lookups = 0;
  const AccountLookup mine = [&] {
    ++lookups;
    return std::vector<AccountFacts>{CreditLine()};
  };
  ConversationContext context;
  BotReply r = Converse(*bot_, "我这个月该还多少钱", context, mine);
  ASSERT_EQ(r.type, ReplyType::kAnswer) << r.answer;
  EXPECT_EQ(r.kb_id, "bill_amount");
  EXPECT_EQ(r.account_id, "loan-u0042");
  EXPECT_NE(r.answer.find("1,234.50 元"), std::string::npos) << r.answer;
  // Other questions do not read accounts.
  r = Converse(*bot_, "退款多久到账", context, mine);
  EXPECT_EQ(r.kb_id, "refund");
  EXPECT_EQ(lookups, 1);
  // A guest, or a user without accounts, gets the entry's generic answer.
  ConversationContext guest;
  r = Converse(*bot_, "我这个月该还多少钱", guest, {});
  EXPECT_EQ(r.answer, "本期应还金额可在账单页查看。");
  EXPECT_TRUE(r.account_id.empty());
  r = Converse(*bot_, "我这个月该还多少钱", guest, [] { return std::vector<AccountFacts>{}; });
  EXPECT_EQ(r.answer, "本期应还金额可在账单页查看。");
}

TEST_F(ConverseTest, WhichAccountIsAskedThenFilledFromTheNextTurn) {
  const AccountLookup both = [] { return std::vector<AccountFacts>{CreditLine(), CashLoan()}; };
  ConversationContext context;
  BotReply r = Converse(*bot_, "为什么降额", context, both);
  ASSERT_EQ(r.type, ReplyType::kClarify) << r.answer;
  EXPECT_EQ(context.pending_accounts.size(), 2u);
  EXPECT_EQ(context.unsure_turns, 0);  // asking which account is not being unsure
  r = Converse(*bot_, "第二个", context, both);
  ASSERT_EQ(r.type, ReplyType::kAnswer) << r.answer;
  EXPECT_EQ(r.kb_id, "limit_down");
  EXPECT_EQ(r.account_id, "loan-c7788");
  EXPECT_TRUE(context.pending_accounts.empty());

  // Another user's account cannot be chosen: only the listed ones of this user's lookup count.
  context = {};
  r = Converse(*bot_, "为什么降额", context, both);
  const AccountLookup someone_else = [] { return std::vector<AccountFacts>{CreditLine()}; };
  r = Converse(*bot_, "第二个", context, someone_else);
  EXPECT_NE(r.account_id, "loan-c7788");

  // A new question instead of a choice is answered as a question.
  context = {};
  Converse(*bot_, "为什么降额", context, both);
  r = Converse(*bot_, "退款多久到账", context, both);
  EXPECT_EQ(r.kb_id, "refund");
  EXPECT_TRUE(context.pending_accounts.empty());
}

TEST_F(ConverseTest, AnOrdinalAfterAClarifyingQuestionPicksTheListedEntry) {
  ConversationContext context{.unsure_turns = 1, .offered = {"repay", "early"}};
  const BotReply r = Converse(*bot_, "2", context, {});
  EXPECT_EQ(r.type, ReplyType::kAnswer);
  EXPECT_EQ(r.kb_id, "early");
  EXPECT_EQ(r.answer, "可以，随时提前还清。");
  EXPECT_EQ(context.unsure_turns, 0);
  EXPECT_TRUE(context.offered.empty());
}

TEST(ConversationEvaluation, StatesAmountReadsThousandsSeparatorsAndCents) {
  EXPECT_TRUE(StatesAmount("应还 1,234.50 元", 1234.5));
  EXPECT_TRUE(StatesAmount("剩余应还 7406.5 元", 7406.5));
  EXPECT_FALSE(StatesAmount("应还 1,234.50 元", 1234.51));
  EXPECT_FALSE(StatesAmount("2025年12月15日", 1234.5));
  EXPECT_TRUE(StatesAmount("1. 100 元, 2. 200 元", 200));
}

TEST_F(ConverseTest, ScriptedConversationsAreScoredByKindWithTheAccountAndAmount) {
  const std::vector<ScriptedTurn> turns = {
      {.conversation_id = "a",
       .user_id = "u42",
       .text = "我这个月该还多少钱",
       .kind = "account",
       .expected = "bill_amount",
       .at = kDec15,
       .account_id = "loan-u0042",
       .amount = 1234.5},
      {.conversation_id = "a",
       .user_id = "u42",
       .text = "转人工",
       .kind = "person",
       .expected = "HUMAN",
       .at = kDec15},
      {.conversation_id = "b",
       .user_id = "u7",
       .text = "退款多久到账",
       .kind = "faq",
       .expected = "refund",
       .at = kDec15},
      {.conversation_id = "b",
       .user_id = "u7",
       .text = "红烧肉怎么做",
       .kind = "out_of_scope",
       .expected = "OOS",
       .at = kDec15},
      // The amount the truth expects is not the account's: right entry, wrong answer.
      {.conversation_id = "c",
       .user_id = "u42",
       .text = "这期账单要还多少",
       .kind = "account",
       .expected = "bill_amount",
       .at = kDec15,
       .account_id = "loan-u0042",
       .amount = 999},
  };
  std::vector<std::string> asked;
  const AccountsAt accounts_at = [&](std::string_view user, TimeMicros) {
    asked.emplace_back(user);
    return user == "u42" ? std::vector<AccountFacts>{CreditLine()} : std::vector<AccountFacts>{};
  };
  const ConversationEvaluation e = EvaluateConversations(*bot_, turns, accounts_at);
  EXPECT_EQ(e.conversations, 3u);
  EXPECT_EQ(asked, (std::vector<std::string>{"u42", "u42"}));  // account questions only
  EXPECT_EQ(e.by_kind.at("account").turns, 2u);
  EXPECT_EQ(e.by_kind.at("account").correct, 2u);
  EXPECT_EQ(e.account_right_account, 2u);
  EXPECT_EQ(e.account_right_amount, 1u);
  EXPECT_DOUBLE_EQ(e.person_handoff_rate(), 1);
  EXPECT_DOUBLE_EQ(e.oos_answered_rate(), 0);
  EXPECT_DOUBLE_EQ(e.in_scope_answer_rate(), 1);
  ASSERT_EQ(e.mistakes.size(), 1u);
  EXPECT_EQ(e.mistakes[0].turn.conversation_id, "c");
}

TEST(ConversationEvaluation, AgentsAnswersBecomeAlternativesOfTheRightEntryOnly) {
  ConversationEvaluation past;
  past.mistakes.push_back({.turn = {.text = "钱从哪儿还", .kind = "faq", .expected = "repay"}});
  past.mistakes.push_back(
      {.turn = {.text = "红烧肉怎么做", .kind = "out_of_scope", .expected = "OOS"}});
  past.mistakes.push_back({.turn = {.text = "怎么还款", .kind = "faq", .expected = "repay"}});
  const std::vector<KbEntry> learned =
      LearnFromAgents({{.id = "repay", .question = "怎么还款", .answer = "在App还款"},
                       {.id = "refund", .question = "退款多久到账", .answer = "1到3天"}},
                      past);
  EXPECT_EQ(learned[0].alternatives, std::vector<std::string>{"钱从哪儿还"});
  EXPECT_TRUE(learned[1].alternatives.empty());
}

}  // namespace
}  // namespace finbrain::service
