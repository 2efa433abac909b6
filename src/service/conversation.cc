#include "service/conversation.h"

#include <algorithm>

#include "service/text.h"

namespace finbrain::service {
namespace {

BotReply AnswerWith(const KbEntry& entry, double negative) {
  BotReply reply;
  reply.type = ReplyType::kAnswer;
  reply.kb_id = entry.id;
  reply.answer = entry.answer;
  reply.confidence = 1;  // the customer chose it
  reply.negative = negative;
  return reply;
}

std::vector<AccountFacts> Lookup(const AccountLookup& accounts) {
  return accounts ? accounts() : std::vector<AccountFacts>{};
}

// The customer's answer to the question the bot asked last turn, if this is one.
std::optional<BotReply> FollowUp(const FaqBot& bot, std::string_view text,
                                 ConversationContext& context, const AccountLookup& accounts) {
  const std::string normalised = Normalise(text);
  std::optional<BotReply> reply;
  if (!context.pending_accounts.empty()) {
    std::vector<AccountFacts> listed;
    for (AccountFacts& a : Lookup(accounts)) {
      if (std::find(context.pending_accounts.begin(), context.pending_accounts.end(),
                    a.account_id) != context.pending_accounts.end()) {
        listed.push_back(std::move(a));
      }
    }
    std::vector<std::string> names;
    for (const AccountFacts& a : listed) names.push_back(AccountName(a));
    const KbEntry* entry = bot.Find(context.pending_account_kb_id);
    if (const std::optional<size_t> chosen = ChosenOption(normalised, names); chosen && entry) {
      reply = AnswerWith(*entry, bot.Negative(text));
      const AccountReply answer =
          AnswerAccountQuestion(AccountQuestionOf(*entry), {listed[*chosen]}, normalised);
      reply->answer = answer.answer;
      reply->account_id = listed[*chosen].account_id;
    }
  } else if (!context.offered.empty()) {
    std::vector<std::string> questions;
    for (const std::string& id : context.offered) {
      const KbEntry* e = bot.Find(id);
      questions.push_back(e != nullptr ? e->question : "");
    }
    if (const std::optional<size_t> chosen = ChosenOption(normalised, questions)) {
      if (const KbEntry* entry = bot.Find(context.offered[*chosen])) {
        reply = AnswerWith(*entry, bot.Negative(text));
      }
    }
  }
  // Asked once: whatever the customer says next is a new question unless it answered this one.
  context.pending_account_kb_id.clear();
  context.pending_accounts.clear();
  context.offered.clear();
  return reply;
}

// An answer from an account question's entry, rewritten from the customer's accounts.
void Personalise(const FaqBot& bot, std::string_view text, BotReply& reply,
                 ConversationContext& context, const AccountLookup& accounts) {
  const KbEntry* entry = bot.Find(reply.kb_id);
  if (entry == nullptr || !reply.account_id.empty()) return;
  const AccountQuestion question = AccountQuestionOf(*entry);
  if (question == AccountQuestion::kNone) return;
  const std::vector<AccountFacts> facts = Lookup(accounts);
  if (facts.empty()) return;  // a guest, or no accounts: the entry's generic answer
  AccountReply answer = AnswerAccountQuestion(question, facts, Normalise(text));
  reply.answer = std::move(answer.answer);
  reply.account_id = std::move(answer.account_id);
  if (!answer.choices.empty()) {
    reply.type = ReplyType::kClarify;
    context.pending_account_kb_id = entry->id;
    context.pending_accounts = std::move(answer.choices);
  }
}

}  // namespace

BotReply Converse(const FaqBot& bot, std::string_view text, ConversationContext& context,
                  const AccountLookup& accounts) {
  std::optional<BotReply> followed = FollowUp(bot, text, context, accounts);
  BotReply reply = followed ? std::move(*followed) : bot.Respond(text, context);
  if (reply.type == ReplyType::kAnswer) Personalise(bot, text, reply, context, accounts);
  // A question about which account is not the bot being unsure.
  const bool unsure = (reply.type == ReplyType::kClarify && context.pending_accounts.empty()) ||
                      reply.type == ReplyType::kOutOfScope;
  context.unsure_turns = unsure ? context.unsure_turns + 1 : 0;
  if (reply.type == ReplyType::kClarify) context.offered = reply.offered;
  return reply;
}

}  // namespace finbrain::service
