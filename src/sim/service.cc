// Customer-service conversations with ground truth (truth/service_turns.jsonl): several turns
// each, worded unlike the default KB's questions (a bot tuned to its own templates is not
// rewarded), with out-of-scope questions, requests for a person in many wordings, angry
// customers, honest look-alikes (a question about the hotline, a worried but polite customer)
// and, from the credit journeys, borrowers asking about their own bill, debt or arrears, whose
// right answer depends on their account.
#include <algorithm>

#include "sim/internal/texts.h"
#include "sim/internal/world.h"

namespace finbrain::sim {
namespace {

struct Template {
  const char* expected;          // a KB id of the default KB, or OOS / HUMAN
  const char* pattern;           // "{a|b}" picks one
  const char* intent = nullptr;  // HUMAN turns about a KB entry: the entry
};

// Paraphrases of default-KB questions: the customer's words, not the KB's.
const std::vector<Template>& FaqTemplates() {
  static const std::vector<Template> templates = {
      {"credit_what", "{信用付|这个信用付}{到底|}是{个啥|啥东西|怎么回事|干嘛用的}"},
      {"credit_open", "{怎样才能|要怎么|我该怎么}{用上|开|弄到}信用付{功能|}"},
      {"credit_open_fail", "信用付{开不了|申请不下来|一直开通不成功}{，|}{是咋回事|为啥|什么情况}"},
      {"credit_close", "{信用付|这个信用付}{不想要了|我不用了}{，|}{怎么关|在哪关掉}"},
      {"limit_view", "{我|}{还有多少|总共有多少|剩多少}额度{可以用|能用|}"},
      {"limit_raise", "{额度|信用付额度}{能不能|可不可以}{再|}{高一点|往上调|加一些}"},
      {"limit_down", "{我的|}额度{怎么|为啥}{突然|}{少了|被调低了|缩水了}"},
      {"limit_frozen", "{额度|信用付}{被冻住了|显示冻结}{，|}{咋办|怎么解开}"},
      {"limit_zero", "{可用额度|额度}{怎么|为什么}{是零|变成0了|一分都没有}"},
      {"bill_date", "{每个月|一般}{几号|哪天}{要还钱|是还款日|出账}"},
      {"bill_amount", "{这期|本月|这个月}{我|}{得|要|需要}还{多少|几块钱|多少钱}"},
      {"bill_wrong", "{账单|这个月账单}{好像|}{算错了|多了钱|和我算的对不上}"},
      {"repay_how", "{钱|欠款|这期账单}{在哪|从哪里|要怎么}还"},
      {"repay_auto", "{可以|能不能}{设置|弄成}{到期|每月}自动{扣|还}{款|钱}"},
      {"repay_auto_fail", "{自动扣款|自动还款}{没扣成功|失败了|没扣上}{，|}{怎么回事|会算逾期吗}"},
      {"repay_early", "{我|}{想|打算}{提前|早点}{把钱|全部}还{完|清}{，|}{可以吗|行不行}"},
      {"repay_partial", "{这期|账单}{钱不够，|}{先还一部分|只还一点}{行吗|可以不}"},
      {"repay_not_arrived", "{我|明明}{已经|}还{了钱|过了}{，|}{怎么|为啥}{还显示没还|状态没变}"},
      {"repay_card_change", "{还款的|扣款}{银行卡|卡}{想|要}{换一张|改掉}{，|}{怎么弄|在哪改}"},
      {"repay_overpay", "{我|}{还款|还钱}{还多了|多转了一些}{，|}{能退回来吗|怎么处理}"},
      {"interest_free", "{用信用付|买东西}{多少天|多久}{不收利息|免息}"},
      {"interest_rate", "{借钱|借款}的{利息|利率}{怎么收|是多少|贵不贵}"},
      {"fee_instalment", "{分期|分几期}{要|会}{收|扣}{多少|什么}{手续费|费用}"},
      {"fee_other", "{除了利息|除利息以外}{还要|还会}{交|收}{别的|其它}{钱|费用}{吗|没}"},
      {"fee_overdue", "{晚还|逾期}{几天|了}{要|会}{罚多少钱|多收多少|收什么费}"},
      {"grace_period", "{过了还款日|晚了}{一两天|一天}{还|}{算不算逾期|要紧吗}"},
      {"overdue_effect", "{逾期|晚还}{了|}{会怎么样|有啥后果|影响大吗}"},
      {"collection_legit",
       "{有人|一个电话}{自称催收|说是催收}{让我|要我}转账到{个人|私人}卡{上|}，{是真的吗|靠谱吗}"},
      {"credit_report", "{借钱|用信用付}{会不会|}{上|影响}征信"},
      {"credit_report_remove", "{征信上的|我的}{逾期记录|不良记录}{能不能|可不可以}{删掉|消掉}"},
      {"loan_apply", "{想|要}{借点钱|借一笔钱}{，|}{怎么操作|在哪申请}"},
      {"loan_time", "{借的钱|借款}{申请后|}{多久|几个小时}{能到|打过来}"},
      {"loan_fail", "{借钱|借款}{没批|被拒|审核没过}{，|}{为什么|什么原因}"},
      {"loan_amount", "{借钱|借款}{最高|最多}{能借|可以借}{多少|几万}"},
      {"loan_cancel", "{刚申请的借款|这笔借款}{不想要了|借错了}{，|}{能撤回吗|怎么取消}"},
      {"loan_settle_proof", "{贷款|借款}{还清了|结清了}{，|}{想|需要}{开个证明|要一份证明}"},
      {"inst_how", "{买东西|这单}{想|要}{分几个月付|分期付}{，|}{怎么弄|怎么操作}"},
      {"inst_early", "{分期的钱|剩下几期}{能|可以}{一次|提前}{还完|结清}{吗|不}"},
      {"refund_time", "{退的钱|退款}{几天|什么时候}{能回来|退回}"},
      {"refund_instalment",
       "{分期买的|分期的}{东西|商品}{退了|退货了}{，|}{剩下的分期|后面几期}{还要还吗|怎么算}"},
      {"security_code", "{我|}{没操作|啥都没干}{，|}{却|怎么}{收到|来了}{一条|个}验证码"},
      {"security_password", "{支付密码|密码}{记不得了|想不起来}{，|}{咋办|怎么找回}"},
      {"security_freeze", "{我|}手机{丢了|被偷了}{，|}{账户|账号}{要怎么|怎么}{锁住|保护}"},
      {"account_phone", "{绑定的手机|手机号}{换了|停用了}{，|}{要怎么改|怎么换绑}"},
      {"account_close", "{我|}{不想用了|想销号}{，|}{账号|账户}{怎么销掉|如何注销掉}"},
      {"marketing_stop", "{天天|总是}{发|收到}{推销|营销|广告}短信{，|}{怎么关掉|能不能别发了}"},
      {"wealth_redeem", "{买的理财|理财产品}{想|要}{拿出来|卖掉}{，|}{怎么操作|在哪弄}"},
      {"wealth_loss", "{买你们的|}理财{会不会|有没有可能}{亏钱|赔本}"},
      {"contact_human", "{人工客服|真人客服}{几点|什么时候}{上班|在线}"},
      {"invoice", "{利息|借款}{能不能|可以}开{张|个}发票"},
      {"face_fail", "{刷脸|人脸认证}{老是|一直}{不过|失败}"},
      {"bank_card_bind", "{银行卡|卡}{加不上|绑定不了}{，|}{怎么回事|怎么办}"},
      {"pay_fail", "{用信用付|信用付}{付钱|结账}{付不了|失败}"},
      {"debt_total", "{我|}{一共|加起来}{还欠|要还}{多少|多少钱}"},
      {"overdue_status", "{我|}{现在|目前}{有没有|是不是}{逾期|欠着没还}"},
  };
  return templates;
}

const std::vector<Template>& OutOfScopeTemplates() {
  static const std::vector<Template> templates = {
      {"OOS", "{今天|明天}{天气|气温}{怎么样|如何}"},
      {"OOS", "{帮我|能不能帮我}{订|买}{一张|两张}{火车票|机票|电影票}"},
      {"OOS", "{红烧肉|糖醋排骨|宫保鸡丁}{怎么做|的做法}"},
      {"OOS", "{推荐|有没有}{一只|几只}{股票|基金}{能稳赚|可以翻倍}"},
      {"OOS", "{你们|你}{老板|董事长}{是谁|叫什么}"},
      {"OOS", "{昨晚|今天}的{球赛|比赛}{谁赢了|比分多少}"},
      {"OOS", "{头疼|感冒了}{吃什么药|怎么办}"},
      {"OOS", "{附近|这边}{有什么|哪家}{好吃的|火锅}{推荐|}"},
      {"OOS", "{帮我|请}{翻译|译成英文}一下{谢谢你|早上好}"},
      {"OOS", "{给我|来}{讲个|说个}{笑话|故事}"},
  };
  return templates;
}

// "Person please" in many wordings.
const std::vector<Template>& PersonTemplates() {
  static const std::vector<Template> templates = {
      {"HUMAN", "{转人工|人工客服|找人工|我要人工|叫你们客服来}"},
      {"HUMAN", "{别用机器人|不要机器人|机器人听不懂}{，|}{给我转|我要找}{真人|人工}"},
      {"HUMAN", "{能不能|可以}{让|帮我接}{个|}{真人|活人|工作人员}{跟我说|来处理}"},
      {"HUMAN", "{我要|我想}{跟|和}{你们|}{经理|负责人}{说话|通话}"},
  };
  return templates;
}

// Questions the default KB answers but a person must take: a security incident, a complaint,
// an intent the KB tags `handoff` (hardship).
const std::vector<Template>& NeedsPersonTemplates() {
  static const std::vector<Template> templates = {
      {"HUMAN", "{最近|这个月}{手头紧|资金困难|失业了}{，|}{能不能|可以}{晚点还|缓一缓再还}",
       "overdue_negotiate"},
      {"HUMAN",
       "{有人|别人}{盗了我的号|用我的账户}{借了钱|买了东西}{，|}{不是我操作的|我根本不知道}",
       "security_stolen"},
      {"HUMAN", "{我|}{想|要}{投诉|反映问题}{，|}{找谁|在哪提交}", "complaint_how"},
  };
  return templates;
}

const std::vector<Template>& AngryTemplates() {
  static const std::vector<Template> templates = {
      {"HUMAN",
       "{你们|你们这}{什么破|垃圾}{平台|公司}{，|}{天天|一直}{乱扣钱|骚扰我}{！|}{气死了|"
       "太过分了}"},
      {"HUMAN",
       "{我|}{已经|}{打了三次电话|问了好几遍}{都没人管|没人解决}{，|}{太气人了|我要投诉}！"},
      {"HUMAN",
       "{骗子|黑心}{公司|平台}{，|}{乱收我的钱|多扣我的钱}{，|}{我要去报警|我要曝光你们}！"},
  };
  return templates;
}

// Polite but unhappy, or about people: must be answered, not refused or handed off.
const std::vector<Template>& LookalikeTemplates() {
  static const std::vector<Template> templates = {
      {"contact_human", "{人工客服|客服}{电话|热线}{是多少|怎么打}"},
      {"overdue_repay", "{逾期了|晚了几天}{好烦|有点着急}{，|}{现在|}{怎么还|还能还吗}"},
      {"collection_call", "{催收的|催款}电话{打得太频繁了|一天好几个}{，|}{有点烦|能不能少打点}"},
  };
  return templates;
}

// Questions borrowers ask about their own loan, and a follow-up they may ask next.
const std::vector<Template>& NextDueTemplates() {
  static const std::vector<Template> templates = {
      {"bill_amount", "{这期|本月|这个月}{我|}{得|要|需要}还{多少|几块钱|多少钱}"},
      {"bill_date", "{下一期|下次}{哪天|几号}{还|扣款}{，|}{要还多少|扣多少}"},
  };
  return templates;
}
const std::vector<Template>& OverdueTemplates() {
  static const std::vector<Template> templates = {
      {"overdue_status", "{我|}{现在|目前}{有没有|是不是}{逾期|欠着没还}"},
      {"overdue_status", "{我|}{逾期|拖欠}{多久了|几天了}{，|}{欠了多少|要补多少}"},
  };
  return templates;
}
const std::vector<Template>& OutstandingTemplates() {
  static const std::vector<Template> templates = {
      {"debt_total", "{我|}{一共|加起来}{还欠|要还}{多少|多少钱}"},
      {"debt_total", "{这笔|我的}{借款|贷款}{还剩|还差}多少{没还|要还}"},
  };
  return templates;
}
const std::vector<Template>& FollowUpTemplates() {
  static const std::vector<Template> templates = {
      {"repay_how", "{那|}{钱|这笔}{在哪|从哪里|要怎么}还"},
      {"repay_early", "{那|}{我|}{想|打算}{提前|早点}{全部|}还{完|清}{，|}{可以吗|行不行}"},
      {"fee_overdue", "{那|}{晚还|逾期}{几天|了}{要|会}{罚多少钱|多收多少|收什么费}"},
      {"repay_auto", "{那|}{可以|能不能}{设置|弄成}{到期|每月}自动{扣|还}{款|钱}"},
  };
  return templates;
}

std::string Opening(Rng& rng) {
  return ExpandTemplate("{|||你好，|您好，|在吗？|请问|麻烦问一下，|客服，}", rng);
}
std::string Closing(Rng& rng) { return ExpandTemplate("{|||？|？|?|啊|呢|，谢谢}", rng); }

ServiceTurn FromTemplate(Rng& rng, const std::vector<Template>& templates, std::string kind) {
  const Template& t = rng.Pick(templates);
  std::string text = ExpandTemplate(t.pattern, rng);
  if (kind == "faq" || kind == "lookalike" || kind == "account" || kind == "needs_person") {
    text = Opening(rng) + text + Closing(rng);
  }
  return {.expected = t.expected,
          .intent = t.intent != nullptr ? t.intent : "",
          .kind = std::move(kind),
          .text = std::move(text)};
}

// The kinds of turn a conversation draws from, and how often.
struct TurnKind {
  const char* name;
  const std::vector<Template>& (*templates)();
  bool ends_conversation;  // a person takes over
};
const TurnKind kTurnKinds[] = {
    {"faq", FaqTemplates, false},
    {"out_of_scope", OutOfScopeTemplates, false},
    {"lookalike", LookalikeTemplates, false},
    {"person", PersonTemplates, true},
    {"angry", AngryTemplates, true},
    {"needs_person", NeedsPersonTemplates, true},
};
const std::vector<double> kTurnWeights = {0.66, 0.12, 0.06, 0.05, 0.05, 0.06};

}  // namespace

void World::EmitServiceTurn(const Person& p, const std::string& conversation_id, int turn,
                            TimeMicros at, const ServiceTurn& t) {
  const std::string id = conversation_id + "-" + std::to_string(turn);
  out_.Event("service_message", JsonLine()
                                    .Str("event_id", "msg-" + id)
                                    .Str("event_type", "service_message")
                                    .Time("occurred_at", at)
                                    .Str("message_id", id)
                                    .Str("user_id", p.user_id)
                                    .Str("conversation_id", conversation_id)
                                    .Str("text", t.text)
                                    .Str("channel", "app")
                                    .Str("direction", "inbound")
                                    .Done());
  JsonLine truth;
  truth.Str("conversation_id", conversation_id)
      .Str("message_id", id)
      .Int("turn", turn)
      .Str("user_id", p.user_id)
      .Time("at", at)
      .Str("kind", t.kind)
      .Str("expected", t.expected);
  if (!t.intent.empty()) truth.Str("intent", t.intent);
  if (!t.account_id.empty()) truth.Str("account_id", t.account_id);
  if (t.amount) truth.Num("amount", *t.amount);
  out_.Truth("service_turns", truth.Done());
}

void World::ServiceConversation(const Person& p) {
  Rng rng(config_.seed, kServiceStream, static_cast<std::uint64_t>(p.index));
  if (!rng.Chance(0.06) || end() - p.registered_at < kDay) return;
  TimeMicros at =
      p.registered_at +
      static_cast<TimeMicros>(rng.Uniform() * static_cast<double>(end() - p.registered_at - kHour));
  const std::string conversation_id = "sc-" + p.user_id;
  const int turns = rng.Int(1, 4);
  for (int turn = 1; turn <= turns; ++turn) {
    const TurnKind& kind = kTurnKinds[rng.Weighted(kTurnWeights)];
    EmitServiceTurn(p, conversation_id, turn, at, FromTemplate(rng, kind.templates(), kind.name));
    if (kind.ends_conversation) break;  // the conversation goes on with a person
    at += rng.Int(20, 180) * kMicrosPerSecond;
  }
}

void World::AccountConversation(const Person& p, const LoanSchedule& loan) {
  Rng rng(config_.seed, kServiceStream, 1'000'000'000 + static_cast<std::uint64_t>(p.index));
  if (!rng.Chance(0.15)) return;
  const auto due = [&](int k) { return loan.drawn_at + k * 30 * kDay; };
  // What the missed instalments reported by `at` add up to (a missed instalment is reported
  // the day after it fell due; paid ones settle, late ones within 12 days).
  const auto overdue_at = [&](TimeMicros at) {
    int missed = 0;
    for (int k = loan.default_at; k <= loan.term && due(k) + kDay <= at; ++k) ++missed;
    return missed * loan.installment;
  };
  ServiceTurn t;
  TimeMicros at = 0;
  const bool behind = loan.default_at <= loan.term && due(loan.default_at) + 3 * kDay < end();
  if (behind && rng.Chance(0.6)) {
    // Some days after the first missed instalment, before the next falls due.
    at = due(loan.default_at) + rng.Int(2, 25) * kDay + rng.Int(0, 23) * kHour;
    t = FromTemplate(rng, OverdueTemplates(), "account");
    t.amount = overdue_at(at);
  } else {
    // Days before instalment k falls due: what is due next, or what is left in all.
    int due_in_world = 0;
    while (due_in_world < loan.term && due(due_in_world + 1) < end()) ++due_in_world;
    const int k = rng.Int(1, std::max(1, due_in_world));
    at = due(k) - rng.Int(1, 6) * kDay - rng.Int(0, 23) * kHour;
    if (rng.Chance(0.65)) {
      t = FromTemplate(rng, NextDueTemplates(), "account");
      t.amount = loan.installment;
    } else {
      t = FromTemplate(rng, OutstandingTemplates(), "account");
      t.amount = overdue_at(at) + loan.installment * (loan.term - (k - 1));
    }
  }
  if (at >= end() - kHour) return;
  t.account_id = loan.loan_id;
  const std::string conversation_id = "sa-" + p.user_id;
  EmitServiceTurn(p, conversation_id, 1, at, t);
  if (!rng.Chance(0.5)) return;
  at += rng.Int(30, 120) * kMicrosPerSecond;
  EmitServiceTurn(p, conversation_id, 2, at,
                  rng.Chance(0.85) ? FromTemplate(rng, FollowUpTemplates(), "faq")
                                   : FromTemplate(rng, PersonTemplates(), "person"));
}

}  // namespace finbrain::sim
