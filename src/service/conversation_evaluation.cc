#include "service/conversation_evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "service/conversation.h"

namespace finbrain::service {
namespace {

double Share(size_t part, size_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}

bool InScope(std::string_view kind) {
  return kind == "faq" || kind == "account" || kind == "lookalike";
}

}  // namespace

bool StatesAmount(std::string_view answer, double amount) {
  std::string digits;  // the answer with thousands separators dropped
  for (size_t i = 0; i < answer.size(); ++i) {
    const bool separator = answer[i] == ',' && i > 0 && i + 1 < answer.size() &&
                           std::isdigit(static_cast<unsigned char>(answer[i - 1])) &&
                           std::isdigit(static_cast<unsigned char>(answer[i + 1]));
    if (!separator) digits += answer[i];
  }
  for (size_t i = 0; i < digits.size();) {
    if (!std::isdigit(static_cast<unsigned char>(digits[i]))) {
      ++i;
      continue;
    }
    char* end = nullptr;
    const double value = std::strtod(digits.c_str() + i, &end);
    if (std::abs(value - amount) < 0.006) return true;
    i = static_cast<size_t>(end - digits.c_str());
  }
  return false;
}

ConversationEvaluation::Tally ConversationEvaluation::in_scope() const {
  Tally sum;
  for (const auto& [kind, t] : by_kind) {
    if (!InScope(kind)) continue;
    sum.turns += t.turns;
    sum.answered += t.answered;
    sum.correct += t.correct;
    sum.handed_off += t.handed_off;
  }
  return sum;
}

double ConversationEvaluation::in_scope_answer_rate() const {
  const Tally t = in_scope();
  return Share(t.answered, t.turns);
}
double ConversationEvaluation::in_scope_precision() const {
  const Tally t = in_scope();
  return Share(t.correct, t.answered);
}

namespace {
const ConversationEvaluation::Tally& Of(const ConversationEvaluation& e, std::string_view kind) {
  static const ConversationEvaluation::Tally kNone;
  const auto it = e.by_kind.find(kind);
  return it == e.by_kind.end() ? kNone : it->second;
}
}  // namespace

double ConversationEvaluation::oos_answered_rate() const {
  return Share(Of(*this, "out_of_scope").answered, Of(*this, "out_of_scope").turns);
}
double ConversationEvaluation::person_handoff_rate() const {
  return Share(Of(*this, "person").handed_off, Of(*this, "person").turns);
}
double ConversationEvaluation::angry_handoff_rate() const {
  return Share(Of(*this, "angry").handed_off, Of(*this, "angry").turns);
}
double ConversationEvaluation::needs_person_handoff_rate() const {
  return Share(Of(*this, "needs_person").handed_off, Of(*this, "needs_person").turns);
}

ConversationEvaluation EvaluateConversations(const FaqBot& bot,
                                             const std::vector<ScriptedTurn>& turns,
                                             const AccountsAt& accounts_at) {
  ConversationEvaluation e;
  ConversationContext context;
  std::string conversation;
  for (const ScriptedTurn& turn : turns) {
    if (turn.conversation_id != conversation) {
      conversation = turn.conversation_id;
      context = {};
      ++e.conversations;
    }
    AccountLookup lookup;
    if (!turn.user_id.empty() && accounts_at) {
      lookup = [&] { return accounts_at(turn.user_id, turn.at); };
    }
    const BotReply reply = Converse(bot, turn.text, context, lookup);
    ConversationEvaluation::Tally& t = e.by_kind[turn.kind];
    ++t.turns;
    const bool answered = reply.type == ReplyType::kAnswer;
    const bool handed_off = reply.type == ReplyType::kHandoff;
    // An answer written from the account for the same account question ("bill date" or "bill
    // amount": both state the next due date and amount) is the same answer.
    const KbEntry* asked = bot.Find(turn.expected);
    const KbEntry* given = bot.Find(reply.kb_id);
    const bool correct =
        answered && (reply.kb_id == turn.expected ||
                     (!reply.account_id.empty() && asked != nullptr && given != nullptr &&
                      AccountQuestionOf(*asked) != AccountQuestion::kNone &&
                      AccountQuestionOf(*asked) == AccountQuestionOf(*given)));
    t.answered += answered;
    t.handed_off += handed_off;
    t.correct += correct;
    bool right = InScope(turn.kind)            ? correct
                 : turn.kind == "out_of_scope" ? !answered
                                               : handed_off;
    if (correct && turn.kind == "account") {
      const bool right_account = reply.account_id == turn.account_id;
      const bool right_amount =
          right_account && (!turn.amount || StatesAmount(reply.answer, *turn.amount));
      e.account_right_account += right_account;
      e.account_right_amount += right_amount;
      right = right_amount;
    }
    if (!right) e.mistakes.push_back({turn, reply});
  }
  return e;
}

std::vector<KbEntry> LearnFromAgents(std::vector<KbEntry> kb, const ConversationEvaluation& past) {
  std::map<std::string, size_t, std::less<>> by_id;
  for (size_t i = 0; i < kb.size(); ++i) by_id.emplace(kb[i].id, i);
  for (const ConversationEvaluation::Mistake& m : past.mistakes) {
    const auto it = by_id.find(InScope(m.turn.kind) ? m.turn.expected : m.turn.intent);
    if (it == by_id.end()) continue;
    KbEntry& entry = kb[it->second];
    if (entry.question == m.turn.text ||
        std::find(entry.alternatives.begin(), entry.alternatives.end(), m.turn.text) !=
            entry.alternatives.end()) {
      continue;
    }
    entry.alternatives.push_back(m.turn.text);
  }
  return kb;
}

}  // namespace finbrain::service
