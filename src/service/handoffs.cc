#include "service/handoffs.h"

#include <boost/json.hpp>

#include "common/json_text.h"
#include "common/strings.h"
#include "service/internal/tenant_records.h"

namespace finbrain::service {
namespace {

namespace json = boost::json;

double Number(const json::object& o, std::string_view key, double fallback) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_number() ? v->to_number<double>() : fallback;
}

}  // namespace

std::string HandoffKey(std::string_view tenant, std::string_view id) {
  return std::string(tenant) + "/" + std::string(id);
}

std::string HandoffToJson(const Handoff& h) {
  json::array candidates, turns;
  for (const BotCandidate& c : h.candidates) {
    candidates.push_back(
        json::object{{"kb_id", c.kb_id}, {"question", c.question}, {"confidence", c.confidence}});
  }
  json::array trend;
  for (const Turn& t : h.turns) {
    json::object turn{{"direction", t.direction}, {"text", t.text}, {"at", t.at}};
    if (t.negative >= 0) {
      turn["negative"] = t.negative;
      trend.push_back(t.negative);
    }
    turns.push_back(std::move(turn));
  }
  json::object o{{"handoff_id", h.id},
                 {"conversation_id", h.conversation_id},
                 {"user_id", h.user_id},
                 {"created_at", h.created_at},
                 {"reason", h.reason},
                 {"status", h.status},
                 {"kb_id", h.kb_id},
                 {"confidence", h.confidence},
                 {"candidates", std::move(candidates)},
                 {"sentiment_trend", std::move(trend)},
                 {"turns", std::move(turns)},
                 {"customer", json::parse(h.customer)},
                 {"resolution", h.resolution},
                 {"resolved_by", h.resolved_by}};
  return ToJsonText(o);
}

StatusOr<Handoff> HandoffFromJson(std::string_view text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr || !o->contains("handoff_id"))
    return DataLossError("a stored handoff is corrupt");
  Handoff h{.id = internal::TextMember(*o, "handoff_id"),
            .conversation_id = internal::TextMember(*o, "conversation_id"),
            .user_id = internal::TextMember(*o, "user_id"),
            .created_at = internal::TextMember(*o, "created_at"),
            .reason = internal::TextMember(*o, "reason"),
            .status = internal::TextMember(*o, "status"),
            .kb_id = internal::TextMember(*o, "kb_id"),
            .confidence = Number(*o, "confidence", 0),
            .resolution = internal::TextMember(*o, "resolution"),
            .resolved_by = internal::TextMember(*o, "resolved_by")};
  if (const json::value* list = o->if_contains("candidates"); list != nullptr && list->is_array()) {
    for (const json::value& c : list->as_array()) {
      if (!c.is_object()) continue;
      h.candidates.push_back({internal::TextMember(c.as_object(), "kb_id"),
                              internal::TextMember(c.as_object(), "question"),
                              Number(c.as_object(), "confidence", 0)});
    }
  }
  if (const json::value* list = o->if_contains("turns"); list != nullptr && list->is_array()) {
    for (const json::value& t : list->as_array()) {
      if (!t.is_object()) continue;
      h.turns.push_back({internal::TextMember(t.as_object(), "direction"),
                         internal::TextMember(t.as_object(), "text"),
                         internal::TextMember(t.as_object(), "at"),
                         Number(t.as_object(), "negative", -1)});
    }
  }
  if (const json::value* customer = o->if_contains("customer");
      customer != nullptr && customer->is_object()) {
    h.customer = json::serialize(*customer);
  }
  return h;
}

Handoff NewHandoff(TimeMicros now, std::string_view conversation_id, std::string_view user_id,
                   std::vector<Turn> turns, const BotReply& reply, std::string customer) {
  return Handoff{.id = "ho_" + SortableKey(static_cast<std::uint64_t>(now)) + "_" +
                       std::string(conversation_id),
                 .conversation_id = std::string(conversation_id),
                 .user_id = std::string(user_id),
                 .created_at = FormatRfc3339(now),
                 .reason = reply.handoff_reason,
                 .kb_id = reply.kb_id,
                 .confidence = reply.confidence,
                 .candidates = reply.candidates,
                 .turns = std::move(turns),
                 .customer = std::move(customer)};
}

StatusOr<Handoff> ReadHandoff(const storage::KvStore& store, std::string_view tenant,
                              std::string_view id) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> text,
                      store.Get(storage::Column::kHandoffs, HandoffKey(tenant, id)));
  if (!text) return NotFoundError("no handoff " + Quote(id), "handoff_id");
  return HandoffFromJson(*text);
}

StatusOr<std::vector<Handoff>> ListHandoffs(const storage::KvStore& store, std::string_view tenant,
                                            std::string_view status, size_t limit) {
  return internal::ScanTenantRecords<Handoff>(store, storage::Column::kHandoffs, tenant, status,
                                              limit, HandoffFromJson);
}

}  // namespace finbrain::service
