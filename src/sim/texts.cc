#include "sim/internal/texts.h"

#include <map>

namespace finbrain::sim {
namespace {

// Each template is a sequence of alternatives: "{a|b|c}" picks one, text outside is literal.
const std::map<std::string, std::vector<std::string>>& Grammar() {
  static const auto* grammar = new std::map<std::string, std::vector<std::string>>{
      {"billing_date",
       {"{请问|你好，|}我的{账单日|出账日}是{每个月几号|哪一天|什么时候}{？|?}",
        "{白条|信用额度}的账单{什么时候出|哪天出来}{？|，谢谢}",
        "{账单日|还款日}可以{修改|调整|换}吗{？|?}"}},
      {"repayment",
       {"{怎么|如何}{提前还款|还款|一次性还清}{？|?}",
        "{我|刚才}还款{失败了|没成功|扣款失败}，{怎么办|为什么}{？|?}",
        "还款{后|以后}额度{多久|什么时候}恢复{？|?}",
        "{可以|能不能}用{微信|银行卡|零钱}还款吗{？|?}"}},
      {"interest",
       {"{利息|手续费|服务费}是{怎么算的|多少}{？|?}",
        "{分期|借款}的{年化利率|利率}{是多少|高吗}{？|?}",
        "为什么{多扣了|收了}{利息|手续费|违约金}{？|?}"}},
      {"credit_limit",
       {"{怎么|如何}{提高|提升|增加}{额度|信用额度}{？|?}",
        "我的额度{为什么|怎么}{降了|被冻结了|变成零了}{？|?}",
        "{额度|可用额度}{不够用|太低了}，{能|可以}{临时|}提额吗{？|?}"}},
      {"installment",
       {"{这笔|我的}订单{能|可以}分期吗{？|?}", "{分期|账单分期}{可以|能}提前{结清|还完}吗{？|?}",
        "{分12期|分6期|分3期}每期{还多少|要还多少钱}{？|?}"}},
      {"refund",
       {"{退货|退款}{后|以后}{白条|分期}{怎么处理|会退吗}{？|?}",
        "{退款|退的钱}{多久|几天}能到账{？|?}",
        "{订单取消了|商品退了}，{分期|账单}还要还吗{？|?}"}},
      {"account_security",
       {"{我的账户|账号}{被盗了|有异常登录}，{怎么办|请帮我冻结}",
        "{收到|有}{陌生|不认识的}{验证码|登录提醒}{，|}是怎么回事{？|?}",
        "{怎么|如何}{修改|重置}{支付密码|登录密码}{？|?}"}},
      {"collection_dispute",
       {"{催收|你们的人}{打电话|一直打}给我{家人|同事}，{我要投诉|这合法吗}",
        "我{没有|从来没}借过这笔钱，{为什么|凭什么}催我还款{？|?}",
        "{最近|现在}{失业了|资金困难}，{能不能|可以}{延期|减免|协商}还款{？|?}"}},
  };
  return *grammar;
}

}  // namespace

std::string ExpandTemplate(std::string_view pattern, Rng& rng) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '{') {
      out += pattern[i++];
      continue;
    }
    const size_t close = pattern.find('}', i);
    std::vector<std::string> options;
    size_t start = i + 1;
    for (size_t j = start; j <= close; ++j) {
      if (j == close || pattern[j] == '|') {
        options.emplace_back(pattern.substr(start, j - start));
        start = j + 1;
      }
    }
    out += rng.Pick(options);
    i = close + 1;
  }
  return out;
}

const std::vector<std::string>& ServiceIntents() {
  static const auto* intents = [] {
    auto* v = new std::vector<std::string>();
    for (const auto& [intent, templates] : Grammar()) v->push_back(intent);
    return v;
  }();
  return *intents;
}

ServiceQuestion MakeServiceQuestion(Rng& rng) {
  const std::string& intent = rng.Pick(ServiceIntents());
  return {intent, ExpandTemplate(rng.Pick(Grammar().at(intent)), rng)};
}

}  // namespace finbrain::sim
