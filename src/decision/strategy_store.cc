#include "decision/strategy_store.h"

#include <boost/json.hpp>

#include "common/json_text.h"
#include "common/strings.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;

std::string VersionJson(const StrategyVersion& v) {
  return ToJsonText(json::object{{"name", v.name},
                                 {"version", v.version},
                                 {"created_at", v.created_at},
                                 {"created_by", v.created_by},
                                 {"description", v.description},
                                 {"kind", v.kind},
                                 {"yaml", v.yaml}});
}

StatusOr<StrategyVersion> VersionFromJson(std::string_view text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return DataLossError("stored strategy version is corrupt");
  StrategyVersion out;
  try {
    out.name = json::value_to<std::string>(o->at("name"));
    out.version = json::value_to<int>(o->at("version"));
    out.created_at = json::value_to<std::string>(o->at("created_at"));
    out.created_by = json::value_to<std::string>(o->at("created_by"));
    out.description = json::value_to<std::string>(o->at("description"));
    out.yaml = json::value_to<std::string>(o->at("yaml"));
    if (const json::value* kind = o->if_contains("kind"))
      out.kind = json::value_to<std::string>(*kind);
  } catch (const std::exception&) {
    return DataLossError("stored strategy version is corrupt");
  }
  return out;
}

}  // namespace

Status ValidateStrategyName(std::string_view name) { return ValidateName(name, "strategy"); }

StrategyStore::StrategyStore(storage::KvStore& store, tenancy::AuditLog& audit, const Clock& clock,
                             EnvironmentFor environment)
    : documents_(store, audit,
                 {storage::Column::kStrategyHeads, storage::Column::kStrategyVersions}, "strategy"),
      clock_(clock),
      environment_(std::move(environment)) {}

StatusOr<std::shared_ptr<const Strategy>> StrategyStore::Compile(std::string_view tenant,
                                                                 std::string_view yaml) const {
  return Strategy::Compile(yaml, environment_(tenant));
}

StatusOr<StrategyVersion> StrategyStore::Put(std::string_view tenant, std::string_view name,
                                             std::string_view yaml, const tenancy::Actor& actor) {
  FB_RETURN_IF_ERROR(ValidateStrategyName(name));
  FB_ASSIGN_OR_RETURN(std::shared_ptr<const Strategy> compiled, Compile(tenant, yaml));
  StrategyVersion v{.name = std::string(name),
                    .created_at = FormatRfc3339(clock_.NowMicros()),
                    .created_by = actor.id,
                    .description = compiled->description(),
                    .kind = compiled->kind().name,
                    .yaml = std::string(yaml)};
  FB_ASSIGN_OR_RETURN(v.version,
                      documents_.Add(tenant, name, actor,
                                     [&](int version, const tenancy::VersionHead& head,
                                         storage::WriteBatch&) -> StatusOr<std::string> {
                                       if (head.latest > 0) {
                                         // Activation swaps versions under callers that expect one
                                         // kind.
                                         FB_ASSIGN_OR_RETURN(StrategyVersion latest,
                                                             Get(tenant, name, head.latest));
                                         if (latest.kind != v.kind) {
                                           return FailedPreconditionError(
                                               "strategy " + Quote(name) + " is of kind " +
                                                   latest.kind + "; a version of kind " + v.kind +
                                                   " needs another name",
                                               "kind");
                                         }
                                       }
                                       v.version = version;
                                       return VersionJson(v);
                                     }));
  return v;
}

StatusOr<std::shared_ptr<const LiveStrategy>> StrategyStore::Load(std::string_view tenant,
                                                                  std::string_view name,
                                                                  int version) const {
  FB_ASSIGN_OR_RETURN(StrategyVersion v, Get(tenant, name, version));
  auto live = std::make_shared<LiveStrategy>();
  live->name = v.name;
  live->version = v.version;
  StatusOr<std::shared_ptr<const Strategy>> compiled = Compile(tenant, v.yaml);
  if (!compiled.ok()) {
    return FailedPreconditionError("strategy " + Quote(name) + " version " +
                                       std::to_string(version) +
                                       " does not compile any more: " + compiled.status().message(),
                                   "version");
  }
  live->strategy = std::move(*compiled);
  if (const auto& experiment = live->strategy->experiment()) {
    if (experiment->challenger_version == version) {
      return FailedPreconditionError("a strategy version cannot be its own challenger", "version");
    }
    FB_ASSIGN_OR_RETURN(StrategyVersion c, Get(tenant, name, experiment->challenger_version));
    StatusOr<std::shared_ptr<const Strategy>> challenger = Compile(tenant, c.yaml);
    if (!challenger.ok()) {
      return FailedPreconditionError("challenger version " +
                                         std::to_string(experiment->challenger_version) +
                                         " does not compile: " + challenger.status().message(),
                                     "version");
    }
    live->challenger_version = c.version;
    live->challenger = std::move(*challenger);
  }
  return std::shared_ptr<const LiveStrategy>(std::move(live));
}

StatusOr<StrategyVersion> StrategyStore::Activate(std::string_view tenant, std::string_view name,
                                                  int version, const tenancy::Actor& actor) {
  FB_RETURN_IF_ERROR(ValidateStrategyName(name));
  std::shared_ptr<const LiveStrategy> live;
  FB_RETURN_IF_ERROR(documents_.Activate(
      tenant, name, version, actor,
      [&](int v) -> Status {
        FB_ASSIGN_OR_RETURN(live, Load(tenant, name, v));
        return OkStatus();
      },
      [&](int) {
        std::lock_guard live_lock(live_mu_);
        live_[tenancy::NameKey(tenant, name)] = live;
      }));
  FB_ASSIGN_OR_RETURN(StrategyVersion v, Get(tenant, name, version));
  v.active = true;
  return v;
}

StatusOr<StrategyVersion> StrategyStore::Get(std::string_view tenant, std::string_view name,
                                             int version) const {
  FB_RETURN_IF_ERROR(ValidateStrategyName(name));
  FB_ASSIGN_OR_RETURN(std::string text, documents_.Record(tenant, name, version));
  FB_ASSIGN_OR_RETURN(StrategyVersion v, VersionFromJson(text));
  FB_ASSIGN_OR_RETURN(tenancy::VersionHead head, documents_.Head(tenant, name));
  v.active = head.active == v.version;
  return v;
}

StatusOr<std::vector<StrategyVersion>> StrategyStore::Versions(std::string_view tenant,
                                                               std::string_view name) const {
  FB_RETURN_IF_ERROR(ValidateStrategyName(name));
  return documents_.Versions(tenant, name, VersionFromJson);
}

StatusOr<std::vector<StrategyVersion>> StrategyStore::List(std::string_view tenant) const {
  std::vector<StrategyVersion> out;
  FB_ASSIGN_OR_RETURN(auto heads, documents_.Heads(tenant));
  for (const auto& [name, head] : heads) {
    FB_ASSIGN_OR_RETURN(StrategyVersion v,
                        Get(tenant, name, head.active != 0 ? head.active : head.latest));
    v.yaml.clear();
    out.push_back(std::move(v));
  }
  return out;
}

StatusOr<std::shared_ptr<const LiveStrategy>> StrategyStore::Active(std::string_view tenant,
                                                                    std::string_view name) {
  const std::string key = tenancy::NameKey(tenant, name);
  {
    std::lock_guard lock(live_mu_);
    if (auto it = live_.find(key); it != live_.end()) return it->second;
  }
  FB_RETURN_IF_ERROR(ValidateStrategyName(name));
  // First use after a start: compile the stored active version. Not under the documents' lock:
  // the event fan-out calls this (account reviews), and Put/Activate hold that lock while they
  // wait for a commit whose completion runs after the fan-out. An Activate racing with this load
  // stores its version after its commit, and the load below never replaces a stored one.
  FB_ASSIGN_OR_RETURN(tenancy::VersionHead head, documents_.Head(tenant, name));
  if (head.active == 0) {
    return NotFoundError("strategy " + Quote(name) + " has no active version", "strategy");
  }
  FB_ASSIGN_OR_RETURN(std::shared_ptr<const LiveStrategy> live, Load(tenant, name, head.active));
  std::lock_guard live_lock(live_mu_);
  return live_.try_emplace(key, std::move(live)).first->second;
}

}  // namespace finbrain::decision
