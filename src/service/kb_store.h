// KbStore: each tenant's FAQ knowledge base, versioned and audited like strategies
// (tenancy/versioned_documents.h, name "kb"). Publishing a KB builds its bot first (index and
// calibration: seconds for thousands of entries); a KB whose bot cannot be built is never made
// active. The active version's bot is kept per tenant and swapped atomically: messages in
// flight finish on the bot they started with.
//
// Example:
//   KbStore kbs(store, audit, clock, models);
//   FB_ASSIGN_OR_RETURN(KbVersion v, kbs.Publish("acme", entries, {}, actor));
//   FB_ASSIGN_OR_RETURN(std::shared_ptr<const FaqBot> bot, kbs.Bot("acme"));
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "service/bot.h"
#include "service/knowledge_base.h"
#include "storage/kv_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/versioned_documents.h"

namespace finbrain::service {

struct KbVersion {
  int version = 0;
  std::string created_at;
  std::string created_by;
  size_t entries = 0;
  bool active = false;
  std::vector<KbEntry> content;  // filled by Get, empty in lists
  // Set by Publish: the messages the bot was calibrated on, and whether any confidence reaches
  // the answering precision (a KB without alternative wordings cannot calibrate: it only
  // clarifies and hands off).
  size_t calibration_messages = 0;
  bool answers = false;
};

class KbStore {
 public:
  // `models` is called once, on the first bot built (loading them takes a second).
  using ModelsProvider = std::function<StatusOr<BotModels>()>;
  // REQUIRES: store, audit and clock outlive the KbStore.
  KbStore(storage::KvStore& store, tenancy::AuditLog& audit, const Clock& clock,
          ModelsProvider models, BotOptions options = {});
  ~KbStore();  // waits for a bot being built in the background

  // Stores `entries` as the next version and makes it the active one, once its bot is built.
  // kInvalidArgument for an empty KB.
  StatusOr<KbVersion> Publish(std::string_view tenant, std::vector<KbEntry> entries,
                              const tenancy::Actor& actor);
  // A version with its entries (0: the active one); kNotFound when there is none.
  StatusOr<KbVersion> Get(std::string_view tenant, int version = 0) const;
  // Every version, oldest first, without entries.
  StatusOr<std::vector<KbVersion>> Versions(std::string_view tenant) const;
  // The active version's bot, built on first use after a restart; kNotFound without a KB.
  StatusOr<std::shared_ptr<const FaqBot>> Bot(std::string_view tenant);
  // The active version's bot when it is built; otherwise kUnavailable, and it is built in the
  // background (messages never wait seconds for a build). kNotFound without a KB.
  StatusOr<std::shared_ptr<const FaqBot>> ReadyBot(std::string_view tenant);
  // Builds every tenant's bot in the background (a server calls it at start-up).
  Status WarmUp();

 private:
  void BuildInBackground(std::string tenant);
  StatusOr<std::shared_ptr<const FaqBot>> Build(std::vector<KbEntry> entries);

  storage::KvStore& store_;
  tenancy::VersionedDocuments docs_;
  const Clock& clock_;
  ModelsProvider models_provider_;
  BotOptions options_;
  std::mutex mu_;  // guards bots_ and models_
  std::map<std::string, std::pair<int, std::shared_ptr<const FaqBot>>, std::less<>> bots_;
  std::optional<BotModels> models_;
  std::mutex build_mu_;  // one bot built at a time (each takes both cores' worth of seconds)
  // The background builder: tenants waiting for their bot, built one at a time.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread builder_;
};

}  // namespace finbrain::service
