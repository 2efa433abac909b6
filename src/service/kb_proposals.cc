#include "service/kb_proposals.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <random>

#include "common/json_text.h"
#include "common/strings.h"
#include "service/internal/tenant_records.h"
#include "service/text.h"

namespace finbrain::service {
namespace {

namespace json = boost::json;

bool Same(std::string_view a, std::string_view b) { return Normalise(a) == Normalise(b); }

}  // namespace

std::string KbProposalKey(std::string_view tenant, std::string_view id) {
  return std::string(tenant) + "/" + std::string(id);
}

std::string KbProposalToJson(const KbProposal& p) {
  return ToJsonText(json::object{{"proposal_id", p.id},
                                 {"handoff_id", p.handoff_id},
                                 {"kind", p.kind},
                                 {"kb_id", p.kb_id},
                                 {"question", p.question},
                                 {"answer", p.answer},
                                 {"status", p.status},
                                 {"created_at", p.created_at},
                                 {"created_by", p.created_by},
                                 {"reviewed_at", p.reviewed_at},
                                 {"reviewed_by", p.reviewed_by},
                                 {"note", p.note},
                                 {"kb_version", p.kb_version}});
}

StatusOr<KbProposal> KbProposalFromJson(std::string_view text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr || !o->contains("proposal_id")) {
    return DataLossError("a stored KB proposal is corrupt");
  }
  KbProposal p{.id = internal::TextMember(*o, "proposal_id"),
               .handoff_id = internal::TextMember(*o, "handoff_id"),
               .kind = internal::TextMember(*o, "kind"),
               .kb_id = internal::TextMember(*o, "kb_id"),
               .question = internal::TextMember(*o, "question"),
               .answer = internal::TextMember(*o, "answer"),
               .status = internal::TextMember(*o, "status"),
               .created_at = internal::TextMember(*o, "created_at"),
               .created_by = internal::TextMember(*o, "created_by"),
               .reviewed_at = internal::TextMember(*o, "reviewed_at"),
               .reviewed_by = internal::TextMember(*o, "reviewed_by"),
               .note = internal::TextMember(*o, "note")};
  if (const json::value* version = o->if_contains("kb_version"); version && version->is_number())
    p.kb_version = version->to_number<int>();
  return p;
}

StatusOr<KbProposal> NewKbProposal(TimeMicros now, const Handoff& handoff, std::string question,
                                   std::string answer, std::string kb_id,
                                   const std::vector<KbEntry>& kb, std::string_view actor) {
  if (question.empty()) {
    for (auto it = handoff.turns.rbegin(); it != handoff.turns.rend(); ++it) {
      if (it->direction == "inbound") {
        question = it->text;
        break;
      }
    }
  }
  const bool alternative = !kb_id.empty();
  if (!alternative && answer.empty()) {
    for (auto it = handoff.turns.rbegin(); it != handoff.turns.rend(); ++it) {
      if (it->direction == "agent") {
        answer = it->text;
        break;
      }
    }
    if (answer.empty()) {
      return FailedPreconditionError("no agent has replied yet: reply first or give the answer",
                                     "answer");
    }
  }
  if (alternative &&
      std::none_of(kb.begin(), kb.end(), [&](const KbEntry& e) { return e.id == kb_id; })) {
    return NotFoundError("the KB has no entry " + Quote(kb_id), "kb_id");
  }
  // Sorting by creation; the random part keeps two proposals of one microsecond apart.
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(std::random_device{}()));
  const std::string stamp = SortableKey(static_cast<std::uint64_t>(now)) + "_" + suffix;
  KbProposal p{.id = "kp_" + stamp,
               .handoff_id = handoff.id,
               .kind = alternative ? "alternative" : "new_entry",
               .kb_id = alternative ? kb_id : "agent_" + stamp,
               .question = std::move(question),
               .answer = alternative ? std::string() : std::move(answer),
               .created_at = FormatRfc3339(now),
               .created_by = std::string(actor)};
  // The entry the proposal would make must be valid on its own.
  KbEntry check{.id = p.kb_id, .question = p.question, .answer = alternative ? "-" : p.answer};
  FB_RETURN_IF_ERROR(ValidateKbEntry(check));
  return p;
}

StatusOr<std::vector<KbEntry>> ApplyKbProposal(std::vector<KbEntry> kb, const KbProposal& p) {
  auto it = std::find_if(kb.begin(), kb.end(), [&](const KbEntry& e) { return e.id == p.kb_id; });
  if (p.kind == "new_entry") {
    if (it != kb.end()) {
      return FailedPreconditionError("the KB already has an entry " + Quote(p.kb_id), "id");
    }
    KbEntry entry{.id = p.kb_id, .question = p.question, .answer = p.answer};
    FB_RETURN_IF_ERROR(ValidateKbEntry(entry));
    kb.push_back(std::move(entry));
    return kb;
  }
  if (it == kb.end()) {
    return FailedPreconditionError("the KB no longer has entry " + Quote(p.kb_id), "kb_id");
  }
  if (Same(it->question, p.question) ||
      std::any_of(it->alternatives.begin(), it->alternatives.end(),
                  [&](const std::string& a) { return Same(a, p.question); })) {
    return FailedPreconditionError("entry " + Quote(p.kb_id) + " already has this wording",
                                   "question");
  }
  it->alternatives.push_back(p.question);
  FB_RETURN_IF_ERROR(ValidateKbEntry(*it));
  return kb;
}

StatusOr<KbProposal> ReadKbProposal(const storage::KvStore& store, std::string_view tenant,
                                    std::string_view id) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> text,
                      store.Get(storage::Column::kKbProposals, KbProposalKey(tenant, id)));
  if (!text) return NotFoundError("no KB proposal " + Quote(id), "proposal_id");
  return KbProposalFromJson(*text);
}

StatusOr<std::vector<KbProposal>> ListKbProposals(const storage::KvStore& store,
                                                  std::string_view tenant, std::string_view status,
                                                  size_t limit) {
  return internal::ScanTenantRecords<KbProposal>(store, storage::Column::kKbProposals, tenant,
                                                 status, limit, KbProposalFromJson);
}

}  // namespace finbrain::service
