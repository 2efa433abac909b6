#include "fraud/behaviour_store.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <shared_mutex>
#include <unordered_map>

namespace finbrain::fraud {
namespace {

namespace json = boost::json;

constexpr size_t kSessionsKept = 5;
constexpr size_t kPayeesKept = 32;

}  // namespace

double PaymentHistory::AmountZ(double amount) const {
  if (count < 3) return 0;
  const double sd = std::sqrt(m2_log_amount / double(count - 1));
  // A floor on the spread: a user who always paid the same amount is not infinitely surprised.
  return (std::log1p(std::max(amount, 0.0)) - mean_log_amount) / std::max(sd, 0.25);
}

bool PaymentHistory::KnowsPayee(std::string_view payee) const {
  return std::find(payees.begin(), payees.end(), payee) != payees.end();
}

struct BehaviourStore::Tenant {
  explicit Tenant(BehaviourOptions options) : model(options) {}
  SequenceModel model;
  mutable std::shared_mutex mu;
  std::unordered_map<std::string, UserActivity> users;
};

BehaviourStore::BehaviourStore(BehaviourOptions options) : options_(options) {}
BehaviourStore::~BehaviourStore() { StopSnapshots(); }

BehaviourStore::Tenant& BehaviourStore::For(std::string_view tenant) {
  std::lock_guard lock(mu_);
  auto it = tenants_.find(tenant);
  if (it == tenants_.end()) {
    it = tenants_.emplace(std::string(tenant), std::make_unique<Tenant>(options_)).first;
  }
  return *it->second;
}

void BehaviourStore::Apply(std::string_view tenant, const ingest::ValidatedEvent& event) {
  json::value storage;
  if (event.event_type == "login") {
    const json::object* parsed = ingest::Parsed(event, storage);
    if (parsed == nullptr) return;
    if (StatusOr<Session> session = ParseSession(*parsed); session.ok()) {
      Tenant& t = For(tenant);
      ScoredSession scored{.session_id = session->session_id,
                           .device_id = session->device_id,
                           .ip = session->ip,
                           .at = session->at,
                           .score = t.model.Observe(*session)};
      std::unique_lock lock(t.mu);
      auto& sessions = t.users[session->user_id].sessions;
      sessions.push_back(std::move(scored));
      if (sessions.size() > kSessionsKept) sessions.pop_front();
    }
  } else if (event.event_type == "payment") {
    const json::object* o = ingest::Parsed(event, storage);
    const json::value* user = o ? o->if_contains("user_id") : nullptr;
    const json::value* amount = o ? o->if_contains("amount") : nullptr;
    if (user != nullptr && user->is_string() && amount != nullptr && amount->is_number()) {
      Tenant& t = For(tenant);
      std::unique_lock lock(t.mu);
      PaymentHistory& h = t.users[std::string(user->get_string())].payments;
      const double a = amount->to_number<double>();
      const double x = std::log1p(std::max(a, 0.0));
      ++h.count;
      const double delta = x - h.mean_log_amount;
      h.mean_log_amount += delta / double(h.count);
      h.m2_log_amount += delta * (x - h.mean_log_amount);
      h.max_amount = std::max(h.max_amount, a);
      h.last_at = std::max(h.last_at, event.occurred_at);
      if (const json::value* payee = o->if_contains("payee_id"); payee && payee->is_string()) {
        const std::string id(payee->get_string());
        std::erase(h.payees, id);
        h.payees.push_back(id);
        if (h.payees.size() > kPayeesKept) h.payees.pop_front();
      }
    }
  }
}

std::string BehaviourStore::SnapshotFormat() const {
  // The options that decide what a session teaches the model.
  return "behaviour/1 unusual_z=" + std::to_string(options_.unusual_z) +
         " chain_window=" + std::to_string(options_.chain_window) +
         " warm_up_sessions=" + std::to_string(options_.warm_up_sessions);
}

namespace {

void SaveActivity(ingest::SnapshotEncoder& out, const UserActivity& a) {
  out.U64(a.sessions.size());
  for (const ScoredSession& s : a.sessions) {
    out.Str(s.session_id);
    out.Str(s.device_id);
    out.Str(s.ip);
    out.I64(s.at);
    out.F64(s.score.surprise);
    out.F64(s.score.z);
    out.F64(s.score.risk);
    out.F64(s.score.median_gap_seconds);
    out.U32(static_cast<std::uint32_t>(s.score.actions));
    out.U8(s.score.takeover_chain ? 1 : 0);
    out.U64(s.score.reasons.size());
    for (const Reason& r : s.score.reasons) {
      out.Str(r.code);
      out.Str(r.text);
    }
  }
  const PaymentHistory& p = a.payments;
  out.U64(p.count);
  out.F64(p.mean_log_amount);
  out.F64(p.m2_log_amount);
  out.F64(p.max_amount);
  out.I64(p.last_at);
  out.U64(p.payees.size());
  for (const std::string& payee : p.payees) out.Str(payee);
}

UserActivity LoadActivity(ingest::SnapshotDecoder& in) {
  UserActivity a;
  for (std::uint64_t i = 0, n = in.Count(60); i < n; ++i) {
    ScoredSession& s = a.sessions.emplace_back();
    s.session_id = in.Str();
    s.device_id = in.Str();
    s.ip = in.Str();
    s.at = in.I64();
    s.score.surprise = in.F64();
    s.score.z = in.F64();
    s.score.risk = in.F64();
    s.score.median_gap_seconds = in.F64();
    s.score.actions = static_cast<int>(in.U32());
    s.score.takeover_chain = in.U8() != 0;
    for (std::uint64_t r = 0, reasons = in.Count(8); r < reasons; ++r) {
      std::string code = in.Str();
      s.score.reasons.push_back({std::move(code), in.Str()});
    }
  }
  PaymentHistory& p = a.payments;
  p.count = in.U64();
  p.mean_log_amount = in.F64();
  p.m2_log_amount = in.F64();
  p.max_amount = in.F64();
  p.last_at = in.I64();
  for (std::uint64_t i = 0, n = in.Count(4); i < n; ++i) p.payees.push_back(in.Str());
  return a;
}

}  // namespace

void BehaviourStore::Save(ingest::SnapshotEncoder& out) const {
  std::vector<std::pair<std::string, const Tenant*>> tenants;
  {
    std::lock_guard lock(mu_);  // tenants are never removed: the pointers stay valid
    for (const auto& [name, tenant] : tenants_) tenants.emplace_back(name, tenant.get());
  }
  out.U64(tenants.size());
  for (const auto& [name, tenant] : tenants) {
    out.Str(name);
    tenant->model.Save(out);
    std::shared_lock users_lock(tenant->mu);
    ingest::SaveInKeyOrder(out, tenant->users,
                           [&](const std::string& user, const UserActivity& activity) {
                             out.Str(user);
                             SaveActivity(out, activity);
                           });
  }
}

Status BehaviourStore::Load(ingest::SnapshotDecoder& in) {
  std::map<std::string, std::unique_ptr<Tenant>, std::less<>> tenants;
  for (std::uint64_t i = 0, n = in.Count(4); i < n; ++i) {
    std::string name = in.Str();
    auto tenant = std::make_unique<Tenant>(options_);
    FB_RETURN_IF_ERROR(tenant->model.Load(in));
    const std::uint64_t users = in.Count(60);
    tenant->users.reserve(users);
    for (std::uint64_t u = 0; u < users; ++u) {
      std::string user = in.Str();
      tenant->users.emplace(std::move(user), LoadActivity(in));
    }
    tenants.emplace(std::move(name), std::move(tenant));
  }
  if (!in.done()) return DataLossError("behaviour snapshot: truncated or with bytes left over");
  std::lock_guard lock(mu_);
  tenants_ = std::move(tenants);
  return OkStatus();
}

std::optional<UserActivity> BehaviourStore::Activity(std::string_view tenant,
                                                     std::string_view user_id) {
  Tenant& t = For(tenant);
  std::shared_lock lock(t.mu);
  auto it = t.users.find(std::string(user_id));
  if (it == t.users.end()) return std::nullopt;
  return it->second;
}

SessionScore BehaviourStore::ScoreSession(std::string_view tenant, const Session& session) {
  return For(tenant).model.Score(session);
}

std::uint64_t BehaviourStore::Sessions(std::string_view tenant) {
  return For(tenant).model.sessions();
}

}  // namespace finbrain::fraud
