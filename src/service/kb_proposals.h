// KB proposals: an agent's answer to a handed-off question, proposed as a new KB entry or as
// another wording of an existing one. A reviewer publishes it (a new KB version, whose bot then
// answers that question itself) or rejects it. Stored per tenant (column kKbProposals,
// "<tenant>/<proposal_id>", ids sorting by creation).
//
// Example:
//   KbProposal p = NewKbProposal(now, handoff, "", "", "", actor);
//   FB_ASSIGN_OR_RETURN(std::vector<KbEntry> next, ApplyKbProposal(active.content, p));
//
// Thread-safety: plain functions and values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "service/handoffs.h"
#include "service/knowledge_base.h"
#include "storage/kv_store.h"

namespace finbrain::service {

struct KbProposal {
  std::string id;  // "kp_<20-digit micros>_<8 hex>"
  std::string handoff_id;
  std::string kind;   // new_entry | alternative
  std::string kb_id;  // the new entry's id, or the entry that gains a wording
  std::string question;
  std::string answer;              // empty for an alternative
  std::string status = "pending";  // pending | published | rejected
  std::string created_at, created_by;
  std::string reviewed_at, reviewed_by, note;
  int kb_version = 0;  // the KB version that published it
};

std::string KbProposalKey(std::string_view tenant, std::string_view id);
std::string KbProposalToJson(const KbProposal& p);
StatusOr<KbProposal> KbProposalFromJson(std::string_view text);

// A proposal from `handoff`: `question` defaults to the customer's last message before the
// handoff, `answer` to the agent's last reply; with `kb_id` naming an existing entry it is an
// alternative wording of that entry, otherwise a new entry (id "agent_<micros>"). Errors name
// the field: nothing to propose (no agent reply and no answer given), texts too long.
StatusOr<KbProposal> NewKbProposal(TimeMicros now, const Handoff& handoff, std::string question,
                                   std::string answer, std::string kb_id,
                                   const std::vector<KbEntry>& kb, std::string_view actor);

// The KB with the proposal applied; kFailedPrecondition when the KB changed so that it no
// longer applies (the new id taken, the entry gone, the wording already there).
StatusOr<std::vector<KbEntry>> ApplyKbProposal(std::vector<KbEntry> kb, const KbProposal& p);

StatusOr<KbProposal> ReadKbProposal(const storage::KvStore& store, std::string_view tenant,
                                    std::string_view id);
// Oldest first, with `status` ("" for all), at most `limit`.
StatusOr<std::vector<KbProposal>> ListKbProposals(const storage::KvStore& store,
                                                  std::string_view tenant, std::string_view status,
                                                  size_t limit);

}  // namespace finbrain::service
