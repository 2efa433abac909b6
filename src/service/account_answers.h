// Account questions answered from the customer's own data ("这个月要还多少", "为什么降额").
//
// A KB entry tagged `account:<question>` is an account question: when the conversation has a
// user with accounts, the answer is written from those accounts instead of the entry's generic
// text; otherwise the entry's text is the answer. Questions:
//
//   account:next_due     next due date and amount, per account, with anything overdue
//   account:outstanding  what is left to repay
//   account:overdue      whether anything is overdue, how much, how many days
//   account:limit        the current limit and the account's status
//   account:limit_change when and why the limit last changed (per account: asks which one when
//                        several changed)
//
// An answer states only what the facts hold: an amount FinBrain has not been told (an
// instalment before the first repayment report) is referred to the bill, never estimated.
// Dates are Beijing dates (UTC+8).
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "service/knowledge_base.h"

namespace finbrain::service {

enum class AccountQuestion { kNone, kNextDue, kOutstanding, kOverdue, kLimit, kLimitChange };

// The entry's account question (its `account:<question>` tag); kNone for other entries.
AccountQuestion AccountQuestionOf(const KbEntry& entry);
// The questions' tag names, for validation and docs: "next_due", ...
const std::vector<std::string_view>& AccountQuestionNames();

// One account of the customer as the bot may speak of it.
struct AccountFacts {
  std::string account_id;
  std::string product;  // the product code, e.g. consumer_credit_line
  std::string status;   // active | frozen
  double limit = 0, initial_limit = 0;
  TimeMicros opened_at = 0;
  std::optional<double> installment_amount;  // unknown before the first report
  std::optional<double> outstanding;
  double overdue_amount = 0;
  int days_past_due = 0;
  TimeMicros next_due_at = 0;  // 0: nothing more due
  struct LimitChange {
    TimeMicros at = 0;
    double from = 0, to = 0;
    std::vector<std::string> reasons;  // the texts of the review's reasons
  };
  std::optional<LimitChange> last_limit_change;
};

// "消费信用额度（尾号1234）": how the bot names an account to its owner.
std::string AccountName(const AccountFacts& account);

struct AccountReply {
  std::string answer;
  std::string account_id;  // the account answered about; empty when several or none
  // Set when the bot asks which account: the ids it listed, in order.
  std::vector<std::string> choices;
};

// The reply to `question` about the customer's `accounts` (at least one); `text` is the
// customer's normalised message, which may already name the account.
AccountReply AnswerAccountQuestion(AccountQuestion question,
                                   const std::vector<AccountFacts>& accounts,
                                   std::string_view text);

// Which of `choices` the customer's reply names: an ordinal ("2", "第二个", "第2笔"), the
// product's name or the account's last digits. nullopt when it names none or several.
std::optional<size_t> ChosenOption(std::string_view normalised_text,
                                   const std::vector<std::string>& names);

}  // namespace finbrain::service
