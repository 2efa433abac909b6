// Handoffs: a conversation the bot passes to a person, with everything the agent needs — the
// conversation so far (phone, ID and card numbers already tokenized), why it was handed off,
// the bot's best candidates with their confidence, the customer's sentiment trend, and the
// customer card (accounts and risk flags). Stored
// per tenant in the store (column kHandoffs, "<tenant>/<handoff_id>", ids sorting by creation),
// written in the same durable batch as the turn that caused them; agents reply and resolve.
//
// Example:
//   Handoff h = NewHandoff(now, conversation, turns, reply);
//   batch.PutOwned(Column::kHandoffs, HandoffKey(tenant, h.id), HandoffToJson(h));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "service/bot.h"
#include "storage/kv_store.h"

namespace finbrain::service {

struct Turn {
  std::string direction;  // inbound | outbound | agent
  std::string text;
  std::string at;        // RFC 3339
  double negative = -1;  // inbound turns: the sentiment model's score; -1 otherwise
};

struct Handoff {
  std::string id;  // "ho_<20-digit micros>_<conversation>"
  std::string conversation_id;
  std::string user_id;  // empty for a guest
  std::string created_at;
  std::string reason;           // BotReply::handoff_reason
  std::string status = "open";  // open | replied | resolved
  std::string kb_id;            // the entry that caused it, if any
  double confidence = 0;
  std::vector<BotCandidate> candidates;
  std::vector<Turn> turns;  // the conversation, oldest first (agent replies appended)
  // The customer card (a JSON object: accounts, risk flags) as it was at the handoff; "{}" for
  // a guest. Composed by the server, which knows the other modules.
  std::string customer = "{}";
  std::string resolution;
  std::string resolved_by;
};

std::string HandoffKey(std::string_view tenant, std::string_view id);
std::string HandoffToJson(const Handoff& h);
StatusOr<Handoff> HandoffFromJson(std::string_view text);

// A new open handoff for `reply` at `now`.
Handoff NewHandoff(TimeMicros now, std::string_view conversation_id, std::string_view user_id,
                   std::vector<Turn> turns, const BotReply& reply, std::string customer = "{}");

// One handoff; kNotFound naming "handoff_id".
StatusOr<Handoff> ReadHandoff(const storage::KvStore& store, std::string_view tenant,
                              std::string_view id);
// The tenant's handoffs with `status` ("" for all), oldest first, at most `limit`.
StatusOr<std::vector<Handoff>> ListHandoffs(const storage::KvStore& store, std::string_view tenant,
                                            std::string_view status, size_t limit);

}  // namespace finbrain::service
