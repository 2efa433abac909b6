#include "service/kb_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "common/json_text.h"

namespace finbrain::service {
namespace {

namespace json = boost::json;

constexpr std::string_view kName = "kb";

std::string RecordJson(int version, std::string_view created_at, std::string_view created_by,
                       const std::vector<KbEntry>& entries) {
  json::array list;
  for (const KbEntry& e : entries) list.push_back(KbEntryToJson(e));
  return ToJsonText(json::object{{"version", version},
                                 {"created_at", created_at},
                                 {"created_by", created_by},
                                 {"entries", std::move(list)}});
}

StatusOr<KbVersion> ParseRecord(std::string_view text, bool with_entries) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr || !o->contains("version") || !o->contains("entries") ||
      !o->at("entries").is_array()) {
    return DataLossError("a stored KB version is corrupt");
  }
  KbVersion kb;
  kb.version = static_cast<int>(o->at("version").to_number<double>());
  kb.created_at = json::value_to<std::string>(o->at("created_at"));
  kb.created_by = json::value_to<std::string>(o->at("created_by"));
  kb.entries = o->at("entries").as_array().size();
  if (with_entries) {
    for (const json::value& e : o->at("entries").as_array()) {
      StatusOr<KbEntry> entry = KbEntryFromJson(e);
      if (!entry.ok())
        return DataLossError("a stored KB entry is corrupt: " + entry.status().message());
      kb.content.push_back(std::move(*entry));
    }
  }
  return kb;
}

}  // namespace

KbStore::KbStore(storage::KvStore& store, tenancy::AuditLog& audit, const Clock& clock,
                 ModelsProvider models, BotOptions options)
    : store_(store),
      docs_(store, audit, {storage::Column::kKbHeads, storage::Column::kKbVersions}, "kb"),
      clock_(clock),
      models_provider_(std::move(models)),
      options_(options) {}

KbStore::~KbStore() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (builder_.joinable()) builder_.join();
}

StatusOr<std::shared_ptr<const FaqBot>> KbStore::Build(std::vector<KbEntry> entries) {
  std::lock_guard build(build_mu_);
  BotModels models;
  {
    std::lock_guard lock(mu_);
    if (!models_) {
      FB_ASSIGN_OR_RETURN(BotModels loaded, models_provider_());
      models_ = std::move(loaded);
    }
    models = *models_;
  }
  FB_ASSIGN_OR_RETURN(std::unique_ptr<FaqBot> bot,
                      FaqBot::Build(std::move(entries), models, options_));
  return std::shared_ptr<const FaqBot>(std::move(bot));
}

StatusOr<KbVersion> KbStore::Publish(std::string_view tenant, std::vector<KbEntry> entries,
                                     const tenancy::Actor& actor) {
  if (entries.empty()) return InvalidArgumentError("the KB has no valid entry", "entries");
  const std::string created_at = FormatRfc3339(clock_.NowMicros());
  FB_ASSIGN_OR_RETURN(std::shared_ptr<const FaqBot> bot, Build(entries));
  FB_ASSIGN_OR_RETURN(
      const int version,
      docs_.Add(tenant, kName, actor,
                [&](int v, const tenancy::VersionHead&, storage::WriteBatch&) {
                  return StatusOr<std::string>(RecordJson(v, created_at, actor.id, entries));
                }));
  FB_RETURN_IF_ERROR(docs_.Activate(
      tenant, kName, version, actor, [](int) { return OkStatus(); },
      [&](int v) {
        std::lock_guard lock(mu_);
        bots_[std::string(tenant)] = {v, bot};
      }));
  return KbVersion{.version = version,
                   .created_at = created_at,
                   .created_by = actor.id,
                   .entries = entries.size(),
                   .active = true,
                   .calibration_messages = bot->calibration_size(),
                   .answers = std::isfinite(bot->answer_score())};
}

StatusOr<KbVersion> KbStore::Get(std::string_view tenant, int version) const {
  FB_ASSIGN_OR_RETURN(const tenancy::VersionHead head, docs_.Head(tenant, kName));
  FB_RETURN_IF_ERROR(docs_.RequireExists(head, kName));
  if (version == 0) version = head.active;
  if (version == 0) return NotFoundError("the tenant has no active KB", "version");
  FB_ASSIGN_OR_RETURN(const std::string record, docs_.Record(tenant, kName, version));
  FB_ASSIGN_OR_RETURN(KbVersion kb, ParseRecord(record, true));
  kb.active = kb.version == head.active;
  return kb;
}

StatusOr<std::vector<KbVersion>> KbStore::Versions(std::string_view tenant) const {
  FB_ASSIGN_OR_RETURN(const tenancy::VersionHead head, docs_.Head(tenant, kName));
  FB_RETURN_IF_ERROR(docs_.RequireExists(head, kName));
  std::vector<KbVersion> out;
  FB_RETURN_IF_ERROR(docs_.ScanRecords(tenant, kName, [&](std::string_view record) -> Status {
    FB_ASSIGN_OR_RETURN(KbVersion kb, ParseRecord(record, false));
    kb.active = kb.version == head.active;
    out.push_back(std::move(kb));
    return OkStatus();
  }));
  return out;
}

StatusOr<std::shared_ptr<const FaqBot>> KbStore::Bot(std::string_view tenant) {
  FB_ASSIGN_OR_RETURN(const tenancy::VersionHead head, docs_.Head(tenant, kName));
  if (head.active == 0) return NotFoundError("the tenant has no knowledge base", "kb");
  {
    std::lock_guard lock(mu_);
    const auto it = bots_.find(tenant);
    if (it != bots_.end() && it->second.first == head.active) return it->second.second;
  }
  FB_ASSIGN_OR_RETURN(KbVersion kb, Get(tenant, head.active));
  FB_ASSIGN_OR_RETURN(std::shared_ptr<const FaqBot> bot, Build(std::move(kb.content)));
  std::lock_guard lock(mu_);
  auto& slot = bots_[std::string(tenant)];
  if (slot.first <= head.active) slot = {head.active, bot};
  return slot.second;
}

StatusOr<std::shared_ptr<const FaqBot>> KbStore::ReadyBot(std::string_view tenant) {
  FB_ASSIGN_OR_RETURN(const tenancy::VersionHead head, docs_.Head(tenant, kName));
  if (head.active == 0) return NotFoundError("the tenant has no knowledge base", "kb");
  {
    std::lock_guard lock(mu_);
    const auto it = bots_.find(tenant);
    if (it != bots_.end() && it->second.first == head.active) return it->second.second;
  }
  BuildInBackground(std::string(tenant));
  return UnavailableError("the tenant's bot is being built (a few seconds after a restart); retry");
}

Status KbStore::WarmUp() {
  std::vector<std::string> tenants;
  FB_RETURN_IF_ERROR(
      store_.Scan(storage::Column::kKbHeads, "", "", [&](std::string_view key, std::string_view) {
        tenants.emplace_back(key.substr(0, key.rfind('/')));
        return true;
      }));
  for (std::string& tenant : tenants) BuildInBackground(std::move(tenant));
  return OkStatus();
}

void KbStore::BuildInBackground(std::string tenant) {
  std::lock_guard lock(queue_mu_);
  if (stopping_ || std::find(queue_.begin(), queue_.end(), tenant) != queue_.end()) return;
  queue_.push_back(std::move(tenant));
  queue_cv_.notify_one();
  if (builder_.joinable()) return;
  builder_ = std::thread([this] {
    std::unique_lock waiting(queue_mu_);
    while (true) {
      queue_cv_.wait(waiting, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      const std::string next = queue_.front();
      waiting.unlock();
      // Bot() builds the active version (and keeps it); a failure is retried on the next ask.
      if (StatusOr<std::shared_ptr<const FaqBot>> bot = Bot(next); !bot.ok()) {
        spdlog::error("tenant {}: the FAQ bot could not be built: {}", next,
                      bot.status().ToString());
      }
      waiting.lock();
      queue_.pop_front();
    }
  });
}

}  // namespace finbrain::service
