#include "features/feature_set.h"

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/entity_types.h"
#include "common/strings.h"
#include "common/yaml_helpers.h"
#include "expr/expr.h"
#include "ingest/event_fields.h"

namespace finbrain::features {

std::string_view AggregateName(Aggregate aggregate) {
  static constexpr std::string_view kNames[] = {"count", "sum",      "mean",        "min",
                                                "max",   "distinct", "since_first", "since_last"};
  return kNames[size_t(aggregate)];
}

std::string_view DefaultKeyField(std::string_view entity) {
  static constexpr std::pair<std::string_view, std::string_view> kKeys[] = {
      {"user", "user_id"},
      {"phone", "phone"},
      {"device", "device_id"},
      {"ip", "ip"},
      {"address", "address"},
      {"card", "card_number"},
      {"id_number", "id_number"},
      {"email", "email"},
      {"enterprise", "enterprise_id"},
      {"merchant", "merchant_id"},
      {"application", "application_id"}};
  for (const auto& [type, key] : kKeys) {
    if (type == entity) return key;
  }
  return {};
}

std::string_view CombineName(Combine combine) {
  static constexpr std::string_view kNames[] = {"max", "min", "sum"};
  return kNames[size_t(combine)];
}

std::optional<double> CombineValue(Combine combine, std::optional<double> so_far,
                                   std::optional<double> value) {
  if (!value) return so_far;
  if (!so_far) return value;
  switch (combine) {
    case Combine::kMax:
      return std::max(*so_far, *value);
    case Combine::kMin:
      return std::min(*so_far, *value);
    case Combine::kSum:
      return *so_far + *value;
  }
  return so_far;
}

std::vector<std::string_view> FeatureSet::ReadGroup::Ids(const EntityIds& ids,
                                                         const ListedIds& listed) const {
  std::vector<std::string_view> out;
  if (read_for.empty()) {
    if (auto it = ids.find(entity); it != ids.end() && !it->second.empty()) {
      out.push_back(it->second);
    }
  } else if (auto it = listed.find(read_for); it != listed.end()) {
    for (const std::string& id : it->second) {
      if (!id.empty()) out.push_back(id);
    }
  }
  return out;
}

std::uint64_t StableHash(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

// 8 hex digits of the stable hash.
// The low `digits` hex digits of the text's stable hash.
std::string Fingerprint(std::string_view canonical, int digits = 8) {
  std::uint64_t h = StableHash(canonical);
  std::string hex(size_t(digits), '0');
  for (int i = digits - 1; i >= 0; --i, h >>= 4) hex[size_t(i)] = "0123456789abcdef"[h & 15];
  return hex;
}

struct FeatureOfType {
  size_t feature = 0;
  int key_slot = -1;  // the id's field, or -1 for a key in an array of objects:
  ingest::EventSchema::ItemPath key_items;  // "contacts[].phone": one id per item
  int field_slot = -1;
  std::optional<expr::Expression> filter;
};

struct EventTypePlan {
  expr::Scope scope;
  ingest::EventFields fields;  // binds only the fields some feature reads
  std::vector<FeatureOfType> features;
};

}  // namespace

struct FeatureSet::Compiled {
  std::map<std::string, EventTypePlan, std::less<>> by_type;
};

FeatureSet::~FeatureSet() = default;

namespace {

EventTypePlan& PlanFor(FeatureSet::Compiled& compiled, const std::string& type) {
  auto it = compiled.by_type.find(type);
  if (it != compiled.by_type.end()) return it->second;
  EventTypePlan& plan = compiled.by_type[type];
  // The type was checked by the caller, so declaring its fields cannot fail.
  plan.fields = ingest::EventFields::Declare(type, "", plan.scope).value();
  return plan;
}

StatusOr<Aggregate> ParseAggregate(const YAML::Node& node, const std::string& path) {
  const std::string text = node.as<std::string>();
  for (int a = 0; a <= int(Aggregate::kSinceLast); ++a) {
    if (AggregateName(Aggregate(a)) == text) return Aggregate(a);
  }
  return YamlError(node, path,
                   "unknown aggregate " + Quote(text) +
                       " (expected count, sum, mean, min, max, distinct, since_first, since_last)");
}

// The request type features are read for: a decision's credit application.
constexpr std::string_view kRequestType = "credit_application";

Status ParseReadFor(const YAML::Node& node, const std::string& path, FeatureDef& def) {
  FB_RETURN_IF_ERROR(ReadScalar(node, "read_for", path, def.read_for));
  if (const YAML::Node read_for = node["read_for"]) {
    if (!ingest::EventSchema::Get().TextItemPath(kRequestType, def.read_for)) {
      return YamlError(read_for, path + ".read_for",
                       "must name a text field in an array of objects of a " +
                           std::string(kRequestType) + ", like contacts[].phone; " +
                           Quote(def.read_for) + " is not one");
    }
  }
  if (const YAML::Node combine = node["combine"]) {
    if (def.read_for.empty()) {
      return YamlError(combine, path + ".combine", "combine needs read_for");
    }
    const std::string text = combine.as<std::string>();
    bool known = false;
    for (Combine c : {Combine::kMax, Combine::kMin, Combine::kSum}) {
      if (CombineName(c) == text) {
        def.combine = c;
        known = true;
      }
    }
    if (!known) {
      return YamlError(combine, path + ".combine",
                       "unknown combine " + Quote(text) + " (expected max, min, sum)");
    }
  }
  return OkStatus();
}

Status ParseFeature(const YAML::Node& node, const std::string& path, FeatureDef& def,
                    FeatureSet::Compiled& compiled, size_t index) {
  FB_RETURN_IF_ERROR(CheckKeys(node, path,
                               {"name", "entity", "key", "event", "aggregate", "field", "filter",
                                "window", "read_for", "combine", "description"}));
  for (const char* required : {"name", "entity", "event", "aggregate"}) {
    if (!node[required]) return YamlError(node, path, std::string("missing '") + required + "'");
  }
  FB_RETURN_IF_ERROR(ReadScalar(node, "name", path, def.name));
  if (def.name.empty() || !std::all_of(def.name.begin(), def.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      })) {
    return YamlError(node["name"], path + ".name", "must be letters, digits and '_'");
  }
  FB_RETURN_IF_ERROR(ReadScalar(node, "entity", path, def.entity));
  if (!IsEntityType(def.entity)) {
    return YamlError(node["entity"], path + ".entity",
                     "unknown entity type " + Quote(def.entity) +
                         " (expected one of: " + Join(kEntityTypes, ", ") + ")");
  }
  def.key = std::string(DefaultKeyField(def.entity));
  FB_RETURN_IF_ERROR(ReadScalar(node, "key", path, def.key));
  const YAML::Node events = node["event"];
  if (events.IsSequence()) {
    for (const auto& e : events) def.events.push_back(e.as<std::string>());
  } else {
    def.events.push_back(events.as<std::string>());
  }
  FB_ASSIGN_OR_RETURN(def.aggregate, ParseAggregate(node["aggregate"], path + ".aggregate"));
  FB_RETURN_IF_ERROR(ReadScalar(node, "field", path, def.field));
  const bool needs_field = def.aggregate == Aggregate::kSum || def.aggregate == Aggregate::kMean ||
                           def.aggregate == Aggregate::kMin || def.aggregate == Aggregate::kMax ||
                           def.aggregate == Aggregate::kDistinct;
  if (needs_field && def.field.empty()) {
    return YamlError(node, path, std::string(AggregateName(def.aggregate)) + " needs a 'field'");
  }
  if (!needs_field && !def.field.empty()) {
    return YamlError(node["field"], path + ".field",
                     std::string(AggregateName(def.aggregate)) + " takes no field");
  }
  const bool since =
      def.aggregate == Aggregate::kSinceFirst || def.aggregate == Aggregate::kSinceLast;
  if (const YAML::Node window = node["window"]) {
    if (since) return YamlError(window, path + ".window", "since_first/since_last take no window");
    StatusOr<TimeMicros> w = ParseDuration(window.as<std::string>());
    if (!w.ok()) return YamlError(window, path + ".window", w.status().message());
    constexpr TimeMicros kMinute = 60'000'000;
    if (*w % kMinute != 0 || *w > 90 * 1440 * kMinute) {
      return YamlError(window, path + ".window", "must be whole minutes from 1m to 90d");
    }
    def.window = *w;
  } else if (!since) {
    return YamlError(node, path, "missing 'window'");
  }

  FB_RETURN_IF_ERROR(ParseReadFor(node, path, def));

  for (size_t e = 0; e < def.events.size(); ++e) {
    const std::string& type = def.events[e];
    const YAML::Node where = events.IsSequence() ? events[e] : events;
    if (!ingest::IsEventType(type)) {
      return YamlError(where, path + ".event", "unknown event type " + Quote(type));
    }
    EventTypePlan& plan = PlanFor(compiled, type);
    FeatureOfType f{.feature = index};
    const YAML::Node key_node = node["key"] ? node["key"] : node["entity"];
    if (def.key.find("[].") != std::string::npos) {
      // An id in each item of an array of objects (contacts[].phone).
      auto item = ingest::EventSchema::Get().TextItemPath(type, def.key);
      if (item) {
        f.key_items = std::move(*item);
      } else {
        return YamlError(key_node, path + ".key",
                         type + " has no text field " + Quote(def.key) + " in an array of objects");
      }
    } else {
      const expr::Scope::Entry* key = plan.scope.Find(def.key);
      if (key == nullptr || plan.scope.type_of(key->slot) != expr::Type::kText) {
        return YamlError(key_node, path + ".key",
                         type + " has no text field " + Quote(def.key) + " for the " + def.entity +
                             " id; name it with 'key'");
      }
      f.key_slot = key->slot;
      plan.fields.Need(f.key_slot);
    }
    if (!def.field.empty()) {
      const expr::Scope::Entry* field = plan.scope.Find(def.field);
      if (field == nullptr) {
        return YamlError(node["field"], path + ".field",
                         type + " has no field " + Quote(def.field));
      }
      if (def.aggregate != Aggregate::kDistinct && field->type != expr::Type::kNumber) {
        return YamlError(node["field"], path + ".field",
                         Quote(def.field) + " is " + std::string(expr::TypeName(field->type)) +
                             "; " + std::string(AggregateName(def.aggregate)) + " needs a number");
      }
      f.field_slot = field->slot;
      plan.fields.Need(f.field_slot);
    }
    if (const YAML::Node filter = node["filter"]) {
      def.filter = filter.as<std::string>();
      const auto [line, column] = ScalarStart(filter);
      const expr::Type want = expr::Type::kBool;
      StatusOr<expr::Expression> compiled_filter = expr::Expression::Compile(
          def.filter, plan.scope, {.line = line, .column = column, .source = path + ".filter"},
          &want);
      if (!compiled_filter.ok()) return compiled_filter.status();
      for (int slot : compiled_filter->reads()) plan.fields.Need(slot);
      f.filter = std::move(*compiled_filter);
    }
    plan.features.push_back(std::move(f));
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::shared_ptr<const FeatureSet>> FeatureSet::Parse(std::string_view yaml) {
  std::shared_ptr<FeatureSet> set(new FeatureSet());
  set->yaml_ = std::string(yaml);
  set->compiled_ = std::make_unique<Compiled>();
  try {
    FB_ASSIGN_OR_RETURN(const YAML::Node root, ParseYaml(yaml));
    FB_RETURN_IF_ERROR(CheckKeys(root, "", {"features", "lateness"}));
    if (const YAML::Node lateness = root["lateness"]) {
      StatusOr<TimeMicros> l = ParseDuration(lateness.as<std::string>());
      if (!l.ok()) return YamlError(lateness, "lateness", l.status().message());
      set->lateness_ = *l;
    }
    const YAML::Node list = root["features"];
    if (!list || !list.IsSequence() || list.size() == 0) {
      return YamlError(list ? list : root, "features", "must be a non-empty list");
    }
    std::set<std::string> names;
    for (size_t i = 0; i < list.size(); ++i) {
      FeatureDef def;
      const std::string path = "features[" + std::to_string(i) + "]";
      FB_RETURN_IF_ERROR(ParseFeature(list[i], path, def, *set->compiled_, i));
      std::string canonical = def.entity + '|' + def.key + '|' + Join(def.events, ",") + '|' +
                              std::string(AggregateName(def.aggregate)) + '|' + def.field + '|' +
                              def.filter + '|' + std::to_string(def.window);
      def.id = def.name + "@" + Fingerprint(canonical);
      def.id_hash = StableHash(def.id);
      if (!names.insert(def.name).second) {
        return YamlError(list[i]["name"], path + ".name", "duplicate feature " + Quote(def.name));
      }
      set->features_.push_back(std::move(def));
    }
    std::string all_names;
    for (const FeatureDef& def : set->features_) all_names += def.name + '\n';
    set->names_id_ = Fingerprint(all_names, 16);  // all 64 bits: ids must not collide
    std::map<std::pair<std::string, std::string>, std::vector<size_t>> groups;
    std::map<std::string, size_t> read_as;  // read_for path -> the first feature reading it
    for (size_t i = 0; i < set->features_.size(); ++i) {
      const FeatureDef& def = set->features_[i];
      groups[{def.entity, def.read_for}].push_back(i);
      if (def.read_for.empty()) continue;
      // The listed ids are tokenized as one entity type, so a path is read as one type.
      const FeatureDef& first = set->features_[read_as.try_emplace(def.read_for, i).first->second];
      if (first.entity != def.entity) {
        return YamlError(list[i]["entity"], "features[" + std::to_string(i) + "].entity",
                         Quote(def.read_for) + " is read for " + first.entity + " ids by " +
                             Quote(first.name) + ", not " + def.entity + " ids");
      }
    }
    for (auto& [what, indices] : groups) {
      ReadGroup group{.entity = what.first, .read_for = what.second, .indices = std::move(indices)};
      if (!group.read_for.empty()) {
        group.path = *ingest::EventSchema::Get().TextItemPath(kRequestType, group.read_for);
      }
      set->read_groups_.push_back(std::move(group));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("line " + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return std::shared_ptr<const FeatureSet>(std::move(set));
}

StatusOr<std::shared_ptr<const FeatureSet>> FeatureSet::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read feature set " + Quote(path), "features");
  std::ostringstream text;
  text << in.rdbuf();
  auto set = Parse(text.str());
  if (!set.ok()) {
    return Status(set.status().code(), path + ": " + set.status().message(), set.status().field());
  }
  return set;
}

int FeatureSet::Find(std::string_view name) const {
  for (size_t i = 0; i < features_.size(); ++i) {
    if (features_[i].name == name) return int(i);
  }
  return -1;
}

std::vector<std::string> FeatureSet::entities() const {
  std::set<std::string> types;
  for (const FeatureDef& f : features_) types.insert(f.entity);
  return {types.begin(), types.end()};
}

ListedIds FeatureSet::Listed(const boost::json::object& request) const {
  ListedIds out;
  std::vector<std::string_view> ids;
  for (const ReadGroup& group : read_groups_) {
    if (group.read_for.empty() || out.contains(group.read_for)) continue;
    ids.clear();
    ingest::AppendItemTexts(request, group.path, ids);
    out[group.read_for].assign(ids.begin(), ids.end());
  }
  return out;
}

StatusOr<NamedIds> CanonicalIds(
    const FeatureSet& set, const std::map<std::string, std::string>& named,
    const std::function<StatusOr<std::string>(std::string_view, std::string_view)>& canonical) {
  NamedIds out;
  for (const auto& [name, raw] : named) {
    std::string_view entity = name;
    if (name.find("[].") != std::string::npos) {
      entity = {};
      for (const FeatureSet::ReadGroup& group : set.read_groups()) {
        if (group.read_for == name) entity = group.entity;
      }
      if (entity.empty()) {
        return InvalidArgumentError("no feature is read for " + Quote(name), name);
      }
    }
    // (Captures `field`, not the binding: clang 14, the fuzz build's, cannot capture bindings.)
    const std::string& field = name;
    const auto add = [&](std::string_view id, std::string& into) -> Status {
      StatusOr<std::string> value = canonical(entity, id);
      if (!value.ok()) return InvalidArgumentError(field + ": " + value.status().message(), field);
      into = std::move(*value);
      return OkStatus();
    };
    if (entity == name) {
      FB_RETURN_IF_ERROR(add(raw, out.ids[name]));
      continue;
    }
    std::vector<std::string>& ids = out.listed[name];
    for (std::string_view rest = raw; !rest.empty();) {
      const size_t comma = rest.find(',');
      const std::string_view id = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (id.empty()) continue;
      std::string value;
      FB_RETURN_IF_ERROR(add(id, value));
      if (std::find(ids.begin(), ids.end(), value) == ids.end()) ids.push_back(std::move(value));
    }
  }
  return out;
}

bool FeatureSet::Consumes(std::string_view event_type) const {
  return compiled_->by_type.find(event_type) != compiled_->by_type.end();
}

namespace {

// The updates of one event of a type some feature reads.
void ExtractUpdates(const EventTypePlan& plan, const std::vector<FeatureDef>& defs,
                    const boost::json::object& event, TimeMicros at, std::vector<Update>& out) {
  expr::Frame frame(plan.scope);
  plan.fields.Bind(event, frame);
  std::vector<std::string_view> ids;
  for (const FeatureOfType& f : plan.features) {
    ids.clear();
    if (f.key_slot >= 0) {
      const expr::Value& key = frame.values[size_t(f.key_slot)];
      if (!key.missing && !key.text.empty()) ids.push_back(key.text);
    } else {
      // An id listed twice in one event is one occurrence.
      ingest::AppendItemTexts(event, f.key_items, ids);
    }
    if (ids.empty()) continue;
    if (f.filter && !f.filter->Holds(frame)) continue;
    Update u{.feature = f.feature, .at = at};
    if (f.field_slot >= 0) {
      const expr::Value& field = frame.values[size_t(f.field_slot)];
      if (field.missing) continue;  // an aggregate of a field counts only events that have it
      if (defs[f.feature].aggregate == Aggregate::kDistinct) {
        u.distinct = field.type == expr::Type::kText ? StableHash(field.text)
                                                     : StableHash(std::to_string(field.number));
      } else {
        u.value = field.number;
      }
    }
    for (std::string_view id : ids) {
      out.push_back(u);
      out.back().entity = std::string(id);
    }
  }
}

}  // namespace

Status FeatureSet::Extract(std::string_view event_type, std::string_view event_json, TimeMicros at,
                           std::vector<Update>& out) const {
  auto it = compiled_->by_type.find(event_type);
  if (it == compiled_->by_type.end()) return OkStatus();
  boost::system::error_code ec;
  unsigned char arena[4096];
  boost::json::monotonic_resource resource(arena, sizeof arena);
  const boost::json::value parsed = boost::json::parse(
      boost::json::string_view(event_json.data(), event_json.size()), ec, &resource);
  if (ec || !parsed.is_object()) return InvalidArgumentError("the event is not a JSON object");
  ExtractUpdates(it->second, features_, parsed.get_object(), at, out);
  return OkStatus();
}

Status FeatureSet::Extract(const ingest::ValidatedEvent& event, std::vector<Update>& out) const {
  auto it = compiled_->by_type.find(event.event_type);
  if (it == compiled_->by_type.end()) return OkStatus();
  boost::json::value storage;
  const boost::json::object* fields = ingest::Parsed(event, storage);
  if (fields == nullptr) return InvalidArgumentError("the event is not a JSON object");
  ExtractUpdates(it->second, features_, *fields, event.occurred_at, out);
  return OkStatus();
}

}  // namespace finbrain::features
