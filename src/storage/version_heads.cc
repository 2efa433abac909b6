#include "storage/version_heads.h"

#include <boost/json.hpp>

#include "common/strings.h"

namespace finbrain::storage {
namespace {

namespace json = boost::json;

StatusOr<VersionHead> ParseHead(std::string_view text, std::string_view name,
                                std::string_view what) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* latest = o ? o->if_contains("latest") : nullptr;
  const json::value* active = o ? o->if_contains("active") : nullptr;
  if (latest == nullptr || !latest->is_number() || active == nullptr || !active->is_number()) {
    return DataLossError(std::string(what) + " head of " + Quote(name) + " is corrupt");
  }
  VersionHead head{.latest = latest->to_number<int>(), .active = active->to_number<int>()};
  if (const json::value* h = o->if_contains("history"); h && h->is_array()) {
    for (const json::value& version : h->get_array()) {
      if (version.is_number()) head.history.push_back(version.to_number<int>());
    }
  }
  return head;
}

}  // namespace

std::string NameKey(std::string_view tenant, std::string_view name) {
  std::string key(tenant);
  key += '/';
  key += name;
  return key;
}

std::string VersionKey(std::string_view name_key, int version) {
  std::string key(name_key);
  key += '/';
  key += SortableKey(static_cast<std::uint64_t>(version));
  return key;
}

std::string VersionKey(std::string_view tenant, std::string_view name, int version) {
  return VersionKey(NameKey(tenant, name), version);
}

std::string VersionHeadJson(const VersionHead& head) {
  return json::serialize(
      json::object{{"latest", head.latest},
                   {"active", head.active},
                   {"history", json::array(head.history.begin(), head.history.end())}});
}

StatusOr<VersionHead> ReadVersionHead(const KvStore& store, Column column, std::string_view tenant,
                                      std::string_view name, std::string_view what) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> text, store.Get(column, NameKey(tenant, name)));
  if (!text) return VersionHead{};
  return ParseHead(*text, name, what);
}

StatusOr<std::vector<std::pair<std::string, VersionHead>>> ListVersionHeads(const KvStore& store,
                                                                            Column column,
                                                                            std::string_view tenant,
                                                                            std::string_view what) {
  std::vector<std::pair<std::string, VersionHead>> heads;
  Status error;
  const std::string prefix = std::string(tenant) + "/";
  FB_RETURN_IF_ERROR(
      store.Scan(column, prefix, "", [&](std::string_view key, std::string_view value) {
        std::string name(key.substr(prefix.size()));
        StatusOr<VersionHead> head = ParseHead(value, name, what);
        if (!head.ok()) {
          error = head.status();
          return false;
        }
        heads.emplace_back(std::move(name), std::move(*head));
        return true;
      }));
  FB_RETURN_IF_ERROR(error);
  return heads;
}

}  // namespace finbrain::storage
