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
  std::shared_mutex mu;
  std::unordered_map<std::string, UserActivity> users;
};

BehaviourStore::BehaviourStore(BehaviourOptions options) : options_(options) {}
BehaviourStore::~BehaviourStore() = default;

BehaviourStore::Tenant& BehaviourStore::For(std::string_view tenant) {
  std::lock_guard lock(mu_);
  auto it = tenants_.find(tenant);
  if (it == tenants_.end()) {
    it = tenants_.emplace(std::string(tenant), std::make_unique<Tenant>(options_)).first;
  }
  return *it->second;
}

void BehaviourStore::Apply(std::string_view tenant, const ingest::ValidatedEvent& event) {
  if (event.event_type == "login") {
    if (StatusOr<Session> session = ParseSession(event.canonical_json); session.ok()) {
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
    json::value storage;
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
