#include "ingest/type_counts.h"

#include <boost/json.hpp>

#include "common/json_text.h"

namespace finbrain::ingest {
namespace {

namespace json = boost::json;
constexpr std::string_view kKey = "type_counts";

}  // namespace

StatusOr<std::unique_ptr<TypeCounts>> TypeCounts::Load(storage::KvStore& store) {
  std::unique_ptr<TypeCounts> counts(new TypeCounts(store));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> saved,
                      store.Get(storage::Column::kConsumers, kKey));
  if (!saved) return counts;
  boost::system::error_code ec;
  json::value v = json::parse(*saved, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* seq = o ? o->if_contains("checkpoint") : nullptr;
  const json::value* tenants = o ? o->if_contains("counts") : nullptr;
  if (!seq || !(seq->is_uint64() || seq->is_int64()) || !tenants || !tenants->is_object()) {
    return DataLossError("type_counts checkpoint is corrupt");
  }
  counts->last_seq_ = counts->persisted_seq_ = seq->to_number<std::uint64_t>();
  for (const auto& [tenant, types] : tenants->get_object()) {
    if (!types.is_object()) return DataLossError("type_counts checkpoint is corrupt");
    for (const auto& [type, n] : types.get_object()) {
      counts->counts_[std::string(tenant)][std::string(type)] = n.to_number<std::uint64_t>();
    }
  }
  return counts;
}

std::uint64_t TypeCounts::checkpoint() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

void TypeCounts::Consume(std::uint64_t seq, std::string_view tenant, const ValidatedEvent& event) {
  std::lock_guard lock(mu_);
  if (seq <= last_seq_) return;
  auto it = counts_.find(tenant);
  if (it == counts_.end())
    it = counts_.emplace(std::string(tenant), std::map<std::string, std::uint64_t>()).first;
  ++it->second[event.event_type];
  last_seq_ = seq;
}

Status TypeCounts::Persist() {
  json::object o;
  {
    std::lock_guard lock(mu_);
    if (last_seq_ == persisted_seq_) return OkStatus();
    o["checkpoint"] = last_seq_;
    json::object tenants;
    for (const auto& [tenant, types] : counts_) {
      json::object t;
      for (const auto& [type, n] : types) t[type] = n;
      tenants[tenant] = std::move(t);
    }
    o["counts"] = std::move(tenants);
  }
  const std::uint64_t seq = o["checkpoint"].as_uint64();
  // Buffered, as every consumer's checkpoint: the WAL is written in order, so a checkpoint that
  // survives a power loss never runs ahead of the events it counts; and no fsync on the
  // completion thread for decisions to wait behind.
  FB_RETURN_IF_ERROR(store_.PutBuffered(storage::Column::kConsumers, kKey, ToJsonText(o)));
  std::lock_guard lock(mu_);
  persisted_seq_ = seq;
  return OkStatus();
}

std::map<std::string, std::uint64_t> TypeCounts::For(std::string_view tenant) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(tenant);
  return it == counts_.end() ? std::map<std::string, std::uint64_t>() : it->second;
}

}  // namespace finbrain::ingest
