#include "models/monitoring.h"

#include <boost/json.hpp>

#include "common/json_text.h"
#include "common/strings.h"
#include "models/metrics.h"
#include "tenancy/versioned_documents.h"

namespace finbrain::models {
namespace {

namespace json = boost::json;

// {"scored": n, "score": [per PD bin], "features": {"<name>": [per bin]}}: features by name, so
// a reader need not trust the order.
std::string CountsJson(const Model& model, const MonitorCounts& counts) {
  const auto array = [](const std::vector<std::uint64_t>& v) {
    json::array a;
    for (std::uint64_t n : v) a.push_back(n);
    return a;
  };
  json::object features;
  for (size_t i = 0; i < model.features().size() && i < counts.bins.size(); ++i) {
    features[model.features()[i].name] = array(counts.bins[i]);
  }
  return ToJsonText(json::object{
      {"scored", counts.scored}, {"score", array(counts.score)}, {"features", features}});
}

StatusOr<MonitorCounts> CountsFromJson(const Model& model, std::string_view key,
                                       std::string_view text) {
  const auto corrupt = [&] {
    return DataLossError("model monitoring counts " + Quote(key) + " are corrupt");
  };
  boost::system::error_code ec;
  const json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return corrupt();
  const auto numbers = [](const json::value* a, std::vector<std::uint64_t>& out) {
    if (a == nullptr || !a->is_array()) return false;
    for (const json::value& n : a->get_array()) {
      if (!n.is_uint64() && !(n.is_int64() && n.get_int64() >= 0)) return false;
      out.push_back(n.to_number<std::uint64_t>());
    }
    return true;
  };
  MonitorCounts counts;
  const json::value* scored = o->if_contains("scored");
  const json::value* features = o->if_contains("features");
  if (scored == nullptr || !scored->is_number() ||
      !numbers(o->if_contains("score"), counts.score) || features == nullptr ||
      !features->is_object()) {
    return corrupt();
  }
  counts.scored = scored->to_number<std::uint64_t>();
  counts.bins.resize(model.features().size());
  for (size_t i = 0; i < model.features().size(); ++i) {
    const json::value* bins = features->get_object().if_contains(model.features()[i].name);
    if (bins != nullptr && !numbers(bins, counts.bins[i])) return corrupt();
  }
  return counts;
}

std::string DayKey(std::string_view name_key, int version, std::string_view day) {
  return tenancy::VersionKey(name_key, version) + "/" + std::string(day);
}

}  // namespace

std::string MonitoringDay(TimeMicros t) { return FormatRfc3339(t).substr(0, 10); }

Status MonitoringStore::AddToDay(std::string_view name_key, int version, std::string_view day,
                                 const Model& model, const MonitorCounts& counts) {
  const std::string key = DayKey(name_key, version, day);
  FB_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                      store_.Get(storage::Column::kModelMonitoring, key));
  MonitorCounts total;
  if (stored) {
    StatusOr<MonitorCounts> parsed = CountsFromJson(model, key, *stored);
    if (parsed.ok()) total = std::move(*parsed);
  }
  total.Add(counts);
  // Buffered, like every live count: a synced write here would hold RocksDB's write queue for an
  // fsync while decisions wait to commit; a power loss can only lose the last few seconds.
  return store_.PutBuffered(storage::Column::kModelMonitoring, key, CountsJson(model, total));
}

StatusOr<std::map<std::string, MonitorCounts>> MonitoringStore::Days(std::string_view name_key,
                                                                     int version,
                                                                     std::string_view first_day,
                                                                     const Model& model) const {
  const std::string prefix = tenancy::VersionKey(name_key, version) + "/";
  std::map<std::string, MonitorCounts> by_day;
  Status error;
  // Keys sort by day: start after the day before `first_day` by starting at its own key.
  FB_RETURN_IF_ERROR(store_.Scan(storage::Column::kModelMonitoring, prefix, "",
                                 [&](std::string_view key, std::string_view value) {
                                   const std::string_view day = key.substr(prefix.size());
                                   if (day < first_day) return true;
                                   StatusOr<MonitorCounts> counts =
                                       CountsFromJson(model, key, value);
                                   if (!counts.ok()) {
                                     error = counts.status();
                                     return false;
                                   }
                                   by_day[std::string(day)].Add(*counts);
                                   return true;
                                 }));
  FB_RETURN_IF_ERROR(error);
  return by_day;
}

}  // namespace finbrain::models
