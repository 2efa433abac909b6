// One turn of a conversation with the FAQ bot, on top of FaqBot::Respond: the customer's answer
// to a question the bot asked (which of the listed entries, which account), and account
// questions answered from the customer's own accounts (service/account_answers.h).
//
//   1. After a clarifying question, "2" or "第二个" (or the entry's words) picks a listed entry.
//   2. After "which account?", an ordinal, the product's name or the account's last digits
//      picks the account, and the pending account question is answered about it.
//   3. Otherwise the bot responds as usual; an answer from an `account:<question>` entry is
//      rewritten from the accounts `accounts` returns (the conversation's own user's, nobody
//      else's), or kept as the entry's generic text when there are none.
//
// `context` is read and updated (unsure turns, what the bot listed).
//
// Thread-safety: as FaqBot; `context` belongs to the caller.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "service/account_answers.h"
#include "service/bot.h"

namespace finbrain::service {

// The conversation's user's accounts; called only for account questions. Empty function: no
// user (a guest).
using AccountLookup = std::function<std::vector<AccountFacts>()>;

BotReply Converse(const FaqBot& bot, std::string_view text, ConversationContext& context,
                  const AccountLookup& accounts);

}  // namespace finbrain::service
