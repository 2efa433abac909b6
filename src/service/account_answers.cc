#include "service/account_answers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <regex>

#include "service/text.h"

namespace finbrain::service {
namespace {

constexpr TimeMicros kBeijingOffset = 8 * 3'600'000'000LL;

// 1234.5 -> "1,234.50"
std::string Yuan(double amount) {
  char digits[64];
  std::snprintf(digits, sizeof digits, "%.2f", std::abs(amount));
  std::string whole(digits, std::string_view(digits).find('.'));
  std::string out;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += ',';
    out += whole[i];
  }
  out += std::string_view(digits).substr(whole.size());
  return (amount < 0 ? "-" : "") + out + " 元";
}

// "2026年12月15日", the Beijing date of `t`.
std::string Date(TimeMicros t) {
  const std::string iso = FormatRfc3339(t + kBeijingOffset);  // 2026-12-15T...
  return iso.substr(0, 4) + "年" + std::to_string(std::stoi(iso.substr(5, 2))) + "月" +
         std::to_string(std::stoi(iso.substr(8, 2))) + "日";
}

std::string ProductName(std::string_view product) {
  static const std::map<std::string_view, std::string_view> names = {
      {"consumer_credit_line", "消费信用额度"},
      {"credit_line", "信用额度"},
      {"cash_loan", "现金借款"},
      {"loan", "借款"},
      {"instalment", "分期"},
      {"installment", "分期"}};
  const auto it = names.find(product);
  return std::string(it != names.end() ? it->second : product);
}

std::string LastDigits(std::string_view id) {
  return std::string(id.substr(id.size() > 4 ? id.size() - 4 : 0));
}

std::string NextDueLine(const AccountFacts& a) {
  std::string line;
  if (a.next_due_at == 0 && a.overdue_amount <= 0) {
    return "已全部还清，没有待还款项";
  }
  if (a.next_due_at != 0) {
    line = "下一期还款日为" + Date(a.next_due_at) + "，";
    line += a.installment_amount ? "应还 " + Yuan(*a.installment_amount)
                                 : std::string("应还金额请以账单为准");
  }
  if (a.overdue_amount > 0) {
    if (!line.empty()) line += "；";
    line += "另有已逾期未还 " + Yuan(a.overdue_amount) + "（已逾期 " +
            std::to_string(a.days_past_due) + " 天），请尽快还款，以免产生更多罚息并影响征信";
  }
  return line;
}

std::string OutstandingLine(const AccountFacts& a) {
  if (!a.outstanding) return "剩余应还金额请以App账单为准";
  if (*a.outstanding <= 0) return "已全部还清";
  std::string line = "剩余应还 " + Yuan(*a.outstanding);
  if (a.overdue_amount > 0) line += "，其中已逾期 " + Yuan(a.overdue_amount);
  return line;
}

std::string OverdueLine(const AccountFacts& a) {
  if (a.overdue_amount <= 0) return "目前没有逾期";
  return "已逾期 " + std::to_string(a.days_past_due) + " 天，逾期未还 " + Yuan(a.overdue_amount) +
         "，请尽快还款，以免影响征信";
}

std::string LimitLine(const AccountFacts& a) {
  std::string line = "当前额度 " + Yuan(a.limit);
  if (a.initial_limit != a.limit) line += "（开通时为 " + Yuan(a.initial_limit) + "）";
  if (a.status == "frozen") line += "，账户目前已冻结，暂不能使用";
  return line;
}

std::string LimitChangeLine(const AccountFacts& a) {
  if (!a.last_limit_change) {
    return "额度自开通以来没有调整过，" + LimitLine(a);
  }
  const AccountFacts::LimitChange& c = *a.last_limit_change;
  std::string line = "额度于" + Date(c.at) + "由 " + Yuan(c.from) + " 调整为 " + Yuan(c.to);
  if (!c.reasons.empty()) {
    line += "，原因：";
    for (size_t i = 0; i < c.reasons.size(); ++i) line += (i > 0 ? "；" : "") + c.reasons[i];
  }
  if (a.status == "frozen") line += "。账户目前已冻结";
  return line;
}

// One sentence per account: "您的<name><line>。"
std::string PerAccount(const std::vector<AccountFacts>& accounts,
                       std::string (*line)(const AccountFacts&)) {
  std::string out;
  if (accounts.size() > 1) out = "您共有 " + std::to_string(accounts.size()) + " 个账户：\n";
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (accounts.size() > 1) out += std::to_string(i + 1) + ". ";
    out +=
        (accounts.size() > 1 ? "" : "您的") + AccountName(accounts[i]) + line(accounts[i]) + "。";
    if (i + 1 < accounts.size()) out += "\n";
  }
  return out;
}

// The parts of an option's name a reply may repeat: the text before "（" and digit runs.
std::vector<std::string> NameKeys(std::string_view name) {
  std::vector<std::string> keys;
  const size_t paren = name.find("（");
  std::string head = Normalise(name.substr(0, paren));
  if (CharacterCount(head) >= 2) keys.push_back(std::move(head));
  for (std::string& digits : Numbers(name)) {
    if (digits.size() >= 3) keys.push_back(std::move(digits));
  }
  return keys;
}

std::optional<size_t> Ordinal(std::string_view text, size_t options) {
  // UTF-8 bytes: a quantifier applies to the group before it, never to a bare character.
  static const std::regex kOrdinal(
      "^(?:(?:我)?(?:选|要|是|问的是|问的|问)?)?(?:第)?([1-9]|一|二|两|三|四|五|六|七|八|九)"
      "(?:个|笔|条|项|种|号)?(?:吧|的|啊|呀|哦|嗯|谢谢)?$");
  static const std::regex kLast("^(?:(?:我)?(?:选|要|是))?最后(?:一|1)(?:个|笔|条|项)?(?:吧|的)?$");
  std::string content;
  for (std::string_view c : ContentCharacters(text)) content += c;
  if (std::regex_match(content, kLast)) return options - 1;
  std::smatch m;
  if (!std::regex_match(content, m, kOrdinal)) return std::nullopt;
  static const std::map<std::string, size_t> numerals = {
      {"1", 1},  {"2", 2},  {"3", 3},  {"4", 4},  {"5", 5},  {"6", 6},  {"7", 7},
      {"8", 8},  {"9", 9},  {"一", 1}, {"二", 2}, {"两", 2}, {"三", 3}, {"四", 4},
      {"五", 5}, {"六", 6}, {"七", 7}, {"八", 8}, {"九", 9}};
  const size_t n = numerals.at(m[1].str());
  if (n > options) return std::nullopt;
  return n - 1;
}

// The one option whose name the text repeats; nullopt when none or several.
std::optional<size_t> NamedOption(std::string_view text, const std::vector<std::string>& names) {
  std::optional<size_t> found;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::vector<std::string> keys = NameKeys(names[i]);
    const bool named = std::any_of(keys.begin(), keys.end(), [&](const std::string& key) {
      return text.find(key) != std::string_view::npos;
    });
    if (!named) continue;
    if (found) return std::nullopt;
    found = i;
  }
  return found;
}

}  // namespace

const std::vector<std::string_view>& AccountQuestionNames() {
  static const std::vector<std::string_view> names = {"next_due", "outstanding", "overdue", "limit",
                                                      "limit_change"};
  return names;
}

AccountQuestion AccountQuestionOf(const KbEntry& entry) {
  for (const std::string& tag : entry.tags) {
    if (!tag.starts_with("account:")) continue;
    const std::string_view name = std::string_view(tag).substr(8);
    const auto& names = AccountQuestionNames();
    const auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) return static_cast<AccountQuestion>(1 + (it - names.begin()));
  }
  return AccountQuestion::kNone;
}

std::string AccountName(const AccountFacts& a) {
  return ProductName(a.product) + "（尾号" + LastDigits(a.account_id) + "）";
}

AccountReply AnswerAccountQuestion(AccountQuestion question,
                                   const std::vector<AccountFacts>& accounts,
                                   std::string_view text) {
  AccountReply reply;
  if (accounts.empty()) return reply;
  switch (question) {
    case AccountQuestion::kNextDue:
      reply.answer = PerAccount(accounts, NextDueLine);
      break;
    case AccountQuestion::kOutstanding:
      reply.answer = PerAccount(accounts, OutstandingLine);
      break;
    case AccountQuestion::kOverdue:
      reply.answer = PerAccount(accounts, OverdueLine);
      break;
    case AccountQuestion::kLimit:
      reply.answer = PerAccount(accounts, LimitLine);
      break;
    case AccountQuestion::kLimitChange: {
      // The accounts whose limit changed; all of them when none did.
      std::vector<const AccountFacts*> changed;
      for (const AccountFacts& a : accounts) {
        if (a.last_limit_change) changed.push_back(&a);
      }
      if (changed.empty()) {
        for (const AccountFacts& a : accounts) changed.push_back(&a);
      }
      std::vector<std::string> names;
      for (const AccountFacts* a : changed) names.push_back(AccountName(*a));
      std::optional<size_t> chosen = changed.size() == 1 ? std::optional<size_t>(0) : std::nullopt;
      if (!chosen) {
        // "我的现金借款为什么降额" already names it; an ordinal cannot come first.
        chosen = NamedOption(text, names);
      }
      if (chosen) {
        const AccountFacts& a = *changed[*chosen];
        reply.answer = "您的" + AccountName(a) + LimitChangeLine(a) + "。";
        reply.account_id = a.account_id;
        return reply;
      }
      reply.answer = "您有 " + std::to_string(changed.size()) + " 个账户调整过额度：";
      for (size_t i = 0; i < changed.size(); ++i) {
        reply.answer += "\n" + std::to_string(i + 1) + ". " + names[i];
        reply.choices.push_back(changed[i]->account_id);
      }
      reply.answer += "\n请问您问的是哪一个？回复序号即可。";
      return reply;
    }
    case AccountQuestion::kNone:
      return reply;
  }
  if (accounts.size() == 1) reply.account_id = accounts[0].account_id;
  return reply;
}

std::optional<size_t> ChosenOption(std::string_view normalised_text,
                                   const std::vector<std::string>& names) {
  if (names.empty()) return std::nullopt;
  if (std::optional<size_t> n = Ordinal(normalised_text, names.size())) return n;
  return NamedOption(normalised_text, names);
}

}  // namespace finbrain::service
