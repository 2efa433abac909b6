#include "ingest/event_fields.h"

#include <boost/json.hpp>

#include "common/strings.h"
#include "ingest/event_schema.h"

namespace finbrain::ingest {

namespace json = boost::json;

StatusOr<EventFields> EventFields::Declare(std::string_view event_type, std::string_view prefix,
                                           expr::Scope& scope) {
  if (!IsEventType(event_type)) {
    return InvalidArgumentError("unknown event type " + Quote(event_type), "event_type");
  }
  return Declare(EventSchema::Get().ScalarFields(event_type), prefix, scope);
}

StatusOr<EventFields> EventFields::Declare(const std::vector<EventSchema::ScalarField>& declared,
                                           std::string_view prefix, expr::Scope& scope) {
  EventFields fields;
  for (const EventSchema::ScalarField& f : declared) {
    const expr::Type type = f.kind == EventSchema::ScalarKind::kNumber ? expr::Type::kNumber
                            : f.kind == EventSchema::ScalarKind::kBool ? expr::Type::kBool
                                                                       : expr::Type::kText;
    std::string name(prefix);
    name += f.path;
    FB_ASSIGN_OR_RETURN(int slot, scope.Declare(name, type));
    Field field{.slot = slot, .array_length = f.array_length};
    std::string_view path = f.path;
    while (true) {
      const size_t dot = path.find('.');
      field.path.emplace_back(path.substr(0, dot));
      if (dot == std::string_view::npos) break;
      path.remove_prefix(dot + 1);
    }
    fields.fields_.push_back(std::move(field));
  }
  return fields;
}

void EventFields::Need(int slot) {
  for (Field& f : fields_) {
    if (f.slot == slot) f.needed = true;
  }
}

void EventFields::NeedAll() {
  for (Field& f : fields_) f.needed = true;
}

Status EventFields::Bind(std::string_view text, expr::Frame& frame, Texts& texts) const {
  boost::system::error_code ec;
  unsigned char arena[4096];
  json::monotonic_resource resource(arena, sizeof arena);
  const json::value parsed =
      json::parse(json::string_view(text.data(), text.size()), ec, &resource);
  if (ec || !parsed.is_object()) return InvalidArgumentError("the event is not a JSON object");
  Bind(parsed.get_object(), frame);
  // The parsed texts die with this call: the frame keeps copies.
  for (const Field& f : fields_) {
    expr::Value& slot = frame.values[size_t(f.slot)];
    if (f.needed && !f.array_length && !slot.missing && slot.type == expr::Type::kText) {
      texts.emplace_back(slot.text);
      slot = expr::Value::Text(texts.back());
    }
  }
  return OkStatus();
}

void EventFields::Bind(const json::object& event, expr::Frame& frame) const {
  for (const Field& f : fields_) {
    if (!f.needed) continue;
    const json::object* o = &event;
    const json::value* v = nullptr;
    for (const std::string& part : f.path) {
      v = o ? o->if_contains(part) : nullptr;
      if (v == nullptr) break;
      o = v->if_object();
    }
    if (v == nullptr) continue;
    expr::Value& slot = frame.values[size_t(f.slot)];
    if (f.array_length) {
      if (v->is_array()) slot = expr::Value::Number(double(v->get_array().size()));
    } else if (v->is_string() && slot.type == expr::Type::kText) {
      slot = expr::Value::Text(std::string_view(v->get_string()));
    } else if (v->is_bool() && slot.type == expr::Type::kBool) {
      slot = expr::Value::Bool(v->get_bool());
    } else if (v->is_number() && slot.type == expr::Type::kNumber) {
      slot = expr::Value::Number(v->to_number<double>());
    }
  }
}

}  // namespace finbrain::ingest
