// Evaluation of the bot on scripted conversations with ground truth (the simulator's
// truth/service_turns.jsonl joined with its service_message events): every turn goes through
// Converse with the conversation's context, and account questions are answered from the user's
// accounts as they stood at the turn.
//
// Example:
//   ConversationEvaluation e = EvaluateConversations(*bot, turns, accounts_at);
//   e.in_scope_answer_rate();  // answered automatically, of in-scope turns
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/account_answers.h"
#include "service/bot.h"

namespace finbrain::service {

// One inbound turn, in conversation order.
struct ScriptedTurn {
  std::string conversation_id, message_id, user_id, text;
  // faq | account | lookalike (in scope: expected is a KB id) | out_of_scope (expected OOS) |
  // person | angry | needs_person (a security incident, a complaint, an intent the KB tags
  // `handoff`; expected HUMAN)
  std::string kind;
  std::string expected;
  std::string intent;  // needs_person turns: the KB entry they are about
  TimeMicros at = 0;
  std::string account_id;        // account questions: the account the answer is about
  std::optional<double> amount;  // ... and the amount it must state
};

// The user's accounts as they stood at `at` (none: empty).
using AccountsAt =
    std::function<std::vector<AccountFacts>(std::string_view user_id, TimeMicros at)>;

struct ConversationEvaluation {
  struct Tally {
    size_t turns = 0;
    size_t answered = 0;    // replies of type answer
    size_t correct = 0;     // answers with the expected entry
    size_t handed_off = 0;  // replies of type handoff
  };
  size_t conversations = 0;
  std::map<std::string, Tally, std::less<>> by_kind;
  // Account questions answered with the expected entry: about the asked account, and stating
  // the expected amount.
  size_t account_right_account = 0, account_right_amount = 0;
  struct Mistake {
    ScriptedTurn turn;
    BotReply reply;
  };
  std::vector<Mistake> mistakes;

  Tally in_scope() const;               // faq + account + lookalike
  double in_scope_answer_rate() const;  // answered automatically
  double in_scope_precision() const;    // of those, with the expected entry
  double oos_answered_rate() const;     // out-of-scope turns answered with an FAQ
  double person_handoff_rate() const;   // "person please" turns handed off
  double angry_handoff_rate() const;
  double needs_person_handoff_rate() const;
};

// `turns` grouped by conversation (each conversation's turns in order, conversations in any
// order).
ConversationEvaluation EvaluateConversations(const FaqBot& bot,
                                             const std::vector<ScriptedTurn>& turns,
                                             const AccountsAt& accounts_at);

// The KB after agents answered the turns the bot got wrong in `past` and a reviewer published
// each customer's wording as an alternative question of the entry it is about (the handoff's
// "propose to KB"): in-scope turns, and turns a person must take that name their entry (a
// security or `handoff` entry hands its wordings off).
std::vector<KbEntry> LearnFromAgents(std::vector<KbEntry> kb, const ConversationEvaluation& past);

// Whether `answer` states `amount` (to the cent; thousands separators allowed).
bool StatesAmount(std::string_view answer, double amount);

}  // namespace finbrain::service
