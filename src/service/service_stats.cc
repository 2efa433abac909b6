#include "service/service_stats.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/json_text.h"
#include "service/internal/tenant_records.h"

namespace finbrain::service {
namespace {

namespace json = boost::json;

constexpr std::string_view kKey = "service_stats";
constexpr size_t kMaxConversations = 200'000;
constexpr TimeMicros kForgetConversation = 86'400'000'000;  // a day

json::object MapJson(const std::map<std::string, std::uint64_t>& m) {
  json::object o;
  for (const auto& [k, n] : m) o[k] = n;
  return o;
}

void MapFromJson(const json::value& v, std::map<std::string, std::uint64_t>& m) {
  for (const auto& [k, n] : v.as_object()) m[std::string(k)] = n.to_number<std::uint64_t>();
}

json::object CountsJson(const ServiceStats::Counts& c) {
  json::object entries;
  for (const auto& [id, e] : c.entries) {
    entries[id] = json::array{e.answers, e.helped, e.not_helped, e.asked_again};
  }
  json::array to_handoff(c.to_handoff.begin(), c.to_handoff.end());
  return {{"inbound", c.inbound},
          {"agent_replies", c.agent_replies},
          {"account_answers", c.account_answers},
          {"replies", MapJson(c.replies)},
          {"handoff_reasons", MapJson(c.handoff_reasons)},
          {"entries", std::move(entries)},
          {"to_handoff", std::move(to_handoff)}};
}

ServiceStats::Counts CountsFromJson(const json::object& o) {
  ServiceStats::Counts c;
  c.inbound = o.at("inbound").to_number<std::uint64_t>();
  c.agent_replies = o.at("agent_replies").to_number<std::uint64_t>();
  c.account_answers = o.at("account_answers").to_number<std::uint64_t>();
  MapFromJson(o.at("replies"), c.replies);
  MapFromJson(o.at("handoff_reasons"), c.handoff_reasons);
  for (const auto& [id, v] : o.at("entries").as_object()) {
    const json::array& a = v.as_array();
    c.entries[std::string(id)] = {
        a.at(0).to_number<std::uint64_t>(), a.at(1).to_number<std::uint64_t>(),
        a.at(2).to_number<std::uint64_t>(), a.at(3).to_number<std::uint64_t>()};
  }
  for (const json::value& seconds : o.at("to_handoff").as_array())
    c.to_handoff.push_back(seconds.to_number<double>());
  return c;
}

std::optional<double> Median(std::deque<double> values) {
  if (values.empty()) return std::nullopt;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  if (values.size() % 2 == 1) return values[mid];
  return (values[mid] + *std::max_element(values.begin(), values.begin() + mid)) / 2;
}

}  // namespace

StatusOr<std::unique_ptr<ServiceStats>> ServiceStats::Load(storage::KvStore& store) {
  std::unique_ptr<ServiceStats> stats(new ServiceStats(store));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> saved,
                      store.Get(storage::Column::kConsumers, kKey));
  if (!saved) return stats;
  try {
    const json::value v = json::parse(*saved);
    stats->last_seq_ = stats->persisted_seq_ = v.at("checkpoint").to_number<std::uint64_t>();
    for (const auto& [tenant, counts] : v.at("tenants").as_object()) {
      stats->tenants_[std::string(tenant)] = CountsFromJson(counts.as_object());
    }
  } catch (const std::exception& e) {
    return DataLossError(std::string("service_stats checkpoint is corrupt: ") + e.what());
  }
  return stats;
}

std::uint64_t ServiceStats::checkpoint() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

void ServiceStats::Consume(std::uint64_t seq, std::string_view tenant,
                           const ingest::ValidatedEvent& event) {
  const bool message = event.event_type == "service_message";
  if (!message && event.event_type != "service_feedback") {
    std::lock_guard lock(mu_);
    last_seq_ = std::max(last_seq_, seq);
    return;
  }
  json::value storage;
  const json::object* fields = ingest::Parsed(event, storage);
  std::lock_guard lock(mu_);
  if (seq <= last_seq_) return;
  last_seq_ = seq;
  if (fields == nullptr) return;
  Counts& c = tenants_[std::string(tenant)];
  const std::string conversation =
      std::string(tenant) + "/" + internal::TextMember(*fields, "conversation_id");
  if (!message) {
    Entry& e = c.entries[internal::TextMember(*fields, "kb_id")];
    const json::value* helped = fields->if_contains("helped");
    if (helped != nullptr && helped->is_bool() && helped->get_bool()) {
      ++e.helped;
    } else if (internal::TextMember(*fields, "source") == "asked_again") {
      ++e.asked_again;
    } else {
      ++e.not_helped;
    }
    return;
  }
  if (internal::TextMember(*fields, "direction") != "outbound") {
    ++c.inbound;
    if (first_message_.size() >= kMaxConversations) {
      std::erase_if(first_message_, [&](const auto& kv) {
        return event.occurred_at - kv.second > kForgetConversation;
      });
    }
    first_message_.try_emplace(conversation, event.occurred_at);
    return;
  }
  const std::string type = internal::TextMember(*fields, "reply_type");
  if (type.empty()) return;  // an outbound turn from before replies were typed
  if (type == "agent") {
    ++c.agent_replies;
    return;
  }
  ++c.replies[type];
  if (type == "answer") {
    ++c.entries[internal::TextMember(*fields, "kb_id")].answers;
    if (!internal::TextMember(*fields, "account_id").empty()) ++c.account_answers;
  }
  if (type == "handoff") {
    ++c.handoff_reasons[internal::TextMember(*fields, "handoff_reason")];
    if (auto it = first_message_.find(conversation); it != first_message_.end()) {
      c.to_handoff.push_back(static_cast<double>(event.occurred_at - it->second) / 1e6);
      if (c.to_handoff.size() > kRecentHandoffs) c.to_handoff.pop_front();
      first_message_.erase(it);  // a later handoff counts from the next first message
    }
  }
}

Status ServiceStats::Persist() {
  json::object o;
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mu_);
    if (last_seq_ == persisted_seq_) return OkStatus();
    seq = last_seq_;
    json::object tenants;
    for (const auto& [tenant, counts] : tenants_) tenants[tenant] = CountsJson(counts);
    o = {{"checkpoint", seq}, {"tenants", std::move(tenants)}};
  }
  // Buffered, as every consumer's checkpoint (see TypeCounts::Persist).
  FB_RETURN_IF_ERROR(store_.PutBuffered(storage::Column::kConsumers, kKey, ToJsonText(o)));
  std::lock_guard lock(mu_);
  persisted_seq_ = seq;
  return OkStatus();
}

std::string ServiceStats::Json(std::string_view tenant, size_t entries) const {
  Counts c;
  {
    std::lock_guard lock(mu_);
    if (auto it = tenants_.find(tenant); it != tenants_.end()) c = it->second;
  }
  const auto replies = [&](std::string_view type) {
    auto it = c.replies.find(std::string(type));
    return it == c.replies.end() ? std::uint64_t{0} : it->second;
  };
  const auto share = [&](std::uint64_t n) {
    return c.inbound == 0 ? json::value(nullptr)
                          : json::value(static_cast<double>(n) / static_cast<double>(c.inbound));
  };
  Entry total;
  std::vector<std::pair<std::string, Entry>> ranked(c.entries.begin(), c.entries.end());
  for (const auto& [id, e] : ranked) {
    total.helped += e.helped;
    total.not_helped += e.not_helped;
    total.asked_again += e.asked_again;
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second.answers != b.second.answers ? a.second.answers > b.second.answers
                                                : a.first < b.first;
  });
  json::array listed;
  for (size_t i = 0; i < ranked.size() && i < entries; ++i) {
    const Entry& e = ranked[i].second;
    listed.push_back({{"kb_id", ranked[i].first},
                      {"answers", e.answers},
                      {"helped", e.helped},
                      {"not_helped", e.not_helped},
                      {"asked_again", e.asked_again}});
  }
  const std::uint64_t rated = total.helped + total.not_helped + total.asked_again;
  json::object replies_json{{"answer", replies("answer")},
                            {"clarify", replies("clarify")},
                            {"out_of_scope", replies("out_of_scope")},
                            {"handoff", replies("handoff")}};
  const std::optional<double> median = Median(c.to_handoff);
  return ToJsonText(json::object{
      {"inbound", c.inbound},
      {"replies", std::move(replies_json)},
      {"agent_replies", c.agent_replies},
      {"account_answers", c.account_answers},
      {"auto_answer_rate", share(replies("answer"))},
      {"handoff_rate", share(replies("handoff"))},
      {"handoff_reasons", MapJson(c.handoff_reasons)},
      {"median_seconds_to_handoff", median ? json::value(*median) : json::value(nullptr)},
      {"feedback",
       {{"helped", total.helped},
        {"not_helped", total.not_helped},
        {"asked_again", total.asked_again},
        {"precision", rated == 0 ? json::value(nullptr)
                                 : json::value(static_cast<double>(total.helped) /
                                               static_cast<double>(rated))}}},
      {"entries", std::move(listed)}});
}

}  // namespace finbrain::service
