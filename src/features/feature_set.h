// FeatureSet: per-entity sliding-window features, declared once in YAML and served both online
// (FeatureStore, updated by the ingestion fan-out) and offline (Backfill, point in time).
//
//   lateness: 10m              # history kept beyond each window for events that arrive late
//   features:
//     - name: apps_per_phone_7d
//       entity: phone           # user phone device ip address card id_number email enterprise
//       event: credit_application   # or a list of event types
//       aggregate: count        # count sum mean min max distinct since_first since_last
//       window: 7d              # 1m .. 90d, a whole number of minutes
//     - name: failed_logins_1h
//       entity: user
//       event: login
//       filter: "not success"   # an expression over the event's fields (see expr.h)
//       aggregate: count
//       window: 1h
//     - name: devices_per_user_30d
//       entity: user
//       event: [login, credit_application]
//       aggregate: distinct
//       field: device_id
//       window: 30d
//
// `key` names the event field holding the entity's id when it is not the usual one (user_id,
// phone, device_id, ip, address, card_number, id_number, email, enterprise_id, merchant_id).
// `key: contacts[].phone` takes an id from each item of an array of objects: one update per
// distinct id, so "applications naming this phone as a contact" is
//   {name: contact_mentions_7d, entity: phone, key: contacts[].phone,
//    event: credit_application, aggregate: count, window: 7d}
// and is read, like any phone feature, for the application's own phone.
// `read_for: contacts[].phone` reads a feature for each id a request lists there instead of
// for its own id, folded by `combine` (max, the default; min; sum): with the key above,
//   {name: contact_mentions_max_30d, entity: phone, key: contacts[].phone,
//    read_for: contacts[].phone, event: credit_application, aggregate: count, window: 30d}
// is "how many applications named the most-named of this application's contact phones". Ids
// whose value is missing are skipped; a request listing none leaves the feature missing.
//
// Semantics at time t: a window W covers the events with occurred_at < t in the bucket holding
// t and the 60 buckets before it, buckets being W/60 wide: between W and W + W/60 of history
// (pre-aggregated buckets keep memory bounded). count/sum/distinct of nothing are 0;
// mean/min/max of nothing are missing. since_first / since_last are seconds from the entity's
// first / latest matching event to t (missing when none); they take no window.
//
// Thread-safety: immutable once parsed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "ingest/event_schema.h"

namespace finbrain::features {

enum class Aggregate { kCount, kSum, kMean, kMin, kMax, kDistinct, kSinceFirst, kSinceLast };
std::string_view AggregateName(Aggregate aggregate);

inline constexpr int kBucketsPerWindow = 60;

// How the values of a feature read for several listed ids become one.
enum class Combine { kMax, kMin, kSum };
std::string_view CombineName(Combine combine);
// `so_far` with one more id's value folded in; missing values are skipped.
std::optional<double> CombineValue(Combine combine, std::optional<double> so_far,
                                   std::optional<double> value);

// Entity type -> the request's own id, e.g. {"user": "u1", "device": "d-7f3a"}.
using EntityIds = std::map<std::string, std::string, std::less<>>;
// A `read_for` path -> the ids a request lists there, e.g. {"contacts[].phone": [t1, t2]}.
using ListedIds = std::map<std::string, std::vector<std::string>, std::less<>>;

struct FeatureDef {
  std::string name;
  // name@<hex fingerprint of the definition>: stored state is keyed by it, so a changed
  // definition never reads the history of the old one.
  std::string id;
  std::uint64_t id_hash = 0;        // stable hash of `id`, for quick lookups
  std::string entity;               // entity type
  std::string key;                  // the event field with the entity's id
  std::vector<std::string> events;  // event types that feed it
  Aggregate aggregate = Aggregate::kCount;
  std::string field;      // sum/mean/min/max: a numeric field; distinct: any scalar field
  std::string filter;     // expression text, empty for none
  TimeMicros window = 0;  // 0 for since_first / since_last
  // Empty: read for the request's own id of `entity`. Else a path into the request
  // ("contacts[].phone"): read for each id listed there, folded by `combine`.
  std::string read_for;
  Combine combine = Combine::kMax;

  TimeMicros bucket_width() const { return window / kBucketsPerWindow; }
  bool windowed() const { return window > 0; }
};

// One event's contribution to one feature.
struct Update {
  size_t feature = 0;  // index in FeatureSet::features()
  std::string entity;  // the entity id (PII already tokenized by validation)
  TimeMicros at = 0;
  double value = 0;            // sum/mean/min/max
  std::uint64_t distinct = 0;  // distinct: a stable 64-bit hash of the field's value
};

class FeatureSet {
 public:
  // Parses and compiles; errors name line:column and the key path. `source` prefixes them.
  static StatusOr<std::shared_ptr<const FeatureSet>> Parse(std::string_view yaml);
  static StatusOr<std::shared_ptr<const FeatureSet>> Load(const std::string& path);

  const std::vector<FeatureDef>& features() const { return features_; }
  TimeMicros lateness() const { return lateness_; }
  const std::string& yaml() const { return yaml_; }
  // A fingerprint of the feature names in their order: values stored by position (decision
  // records) are read back with the names of the set that has this id.
  const std::string& names_id() const { return names_id_; }
  // Index of a feature by name, or -1.
  int Find(std::string_view name) const;
  // The entity types the features are about, sorted.
  std::vector<std::string> entities() const;
  // Features read together: the same entity type and the same ids of the request.
  struct ReadGroup {
    std::string entity;
    std::string read_for;                // "" for the request's own id of `entity`
    std::vector<size_t> indices;         // into features()
    ingest::EventSchema::ItemPath path;  // read_for split into array and item
    // The ids to read: the request's own, or those it lists at `read_for` (none: missing).
    std::vector<std::string_view> Ids(const EntityIds& ids, const ListedIds& listed) const;
  };
  // Sorted by entity type, then read_for.
  const std::vector<ReadGroup>& read_groups() const { return read_groups_; }
  // The ids a request (a parsed credit application) lists at each `read_for` path of the set,
  // distinct and in order.
  ListedIds Listed(const boost::json::object& request) const;

  bool Consumes(std::string_view event_type) const;
  // The updates an event makes (none when no feature reads its type, or filters reject it).
  // `event_json` is the event's canonical JSON.
  Status Extract(std::string_view event_type, std::string_view event_json, TimeMicros at,
                 std::vector<Update>& out) const;
  // The same for a validated event, reading its parsed fields when it carries them.
  Status Extract(const ingest::ValidatedEvent& event, std::vector<Update>& out) const;

  struct Compiled;
  ~FeatureSet();

 private:
  FeatureSet() = default;
  std::vector<FeatureDef> features_;
  std::string names_id_;
  std::vector<ReadGroup> read_groups_;
  TimeMicros lateness_ = 0;
  std::string yaml_;
  std::unique_ptr<Compiled> compiled_;
};

// The ids a lookup names (GET /v1/features/values, `finbrain features values`), canonical.
// `named` maps entity types ("phone") and the set's read_for paths ("contacts[].phone", ids
// separated by commas) to raw ids; `canonical(entity type, raw)` gives an id's stored form
// (PII tokenized). Errors name the entity type or path.
struct NamedIds {
  EntityIds ids;
  ListedIds listed;
};
StatusOr<NamedIds> CanonicalIds(
    const FeatureSet& set, const std::map<std::string, std::string>& named,
    const std::function<StatusOr<std::string>(std::string_view, std::string_view)>& canonical);

// The usual event field holding an entity type's id ("" for an unknown type).
std::string_view DefaultKeyField(std::string_view entity);

// FNV-1a: stable across builds and runs (persisted hashes stay valid).
std::uint64_t StableHash(std::string_view bytes);

}  // namespace finbrain::features
