#include "ingest/event_schema.h"

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <ranges>

#include "common/json_text.h"
#include "common/strings.h"

namespace finbrain::ingest {
namespace {

namespace json = boost::json;

enum class Kind {
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kTimestamp,
  kEnum,
  kPii,
  kObject,
  kArray,
  kStringArray
};

struct ObjectSpec;

struct FieldSpec {
  std::string name;
  Kind kind = Kind::kString;
  bool required = false;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  size_t max_length = 128;          // strings; items for arrays
  std::vector<std::string> values;  // enums
  tenancy::PiiKind pii = tenancy::PiiKind::kPhone;
  std::shared_ptr<const ObjectSpec> object;  // objects, arrays of objects
};

struct ObjectSpec {
  std::vector<FieldSpec> fields;
  const FieldSpec* Find(std::string_view name) const {
    for (const FieldSpec& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
};

constexpr bool kRequired = true;
constexpr bool kOptional = false;

// A small builder so each event type reads like its documentation.
class Obj {
 public:
  Obj& Str(std::string name, bool required, size_t max_length = 128) {
    return Add({.name = std::move(name),
                .kind = Kind::kString,
                .required = required,
                .max_length = max_length});
  }
  Obj& Int(std::string name, bool required, double min, double max) {
    return Add({.name = std::move(name),
                .kind = Kind::kInteger,
                .required = required,
                .min = min,
                .max = max});
  }
  Obj& Num(std::string name, bool required, double min = 0, double max = 1e12) {
    return Add({.name = std::move(name),
                .kind = Kind::kNumber,
                .required = required,
                .min = min,
                .max = max});
  }
  Obj& Bool(std::string name, bool required) {
    return Add({.name = std::move(name), .kind = Kind::kBoolean, .required = required});
  }
  Obj& Time(std::string name, bool required) {
    return Add({.name = std::move(name), .kind = Kind::kTimestamp, .required = required});
  }
  Obj& Enum(std::string name, bool required, std::vector<std::string> values) {
    return Add({.name = std::move(name),
                .kind = Kind::kEnum,
                .required = required,
                .values = std::move(values)});
  }
  Obj& Pii(std::string name, bool required, tenancy::PiiKind kind) {
    return Add({.name = std::move(name), .kind = Kind::kPii, .required = required, .pii = kind});
  }
  Obj& Object(std::string name, bool required, const Obj& nested) {
    return Add({.name = std::move(name),
                .kind = Kind::kObject,
                .required = required,
                .object = nested.spec_});
  }
  Obj& Array(std::string name, bool required, const Obj& item, size_t max_items = 200) {
    return Add({.name = std::move(name),
                .kind = Kind::kArray,
                .required = required,
                .max_length = max_items,
                .object = item.spec_});
  }
  Obj& StrArray(std::string name, bool required, size_t max_items = 200) {
    return Add({.name = std::move(name),
                .kind = Kind::kStringArray,
                .required = required,
                .max_length = max_items});
  }
  std::shared_ptr<ObjectSpec> spec() const { return spec_; }

 private:
  Obj& Add(FieldSpec field) {
    spec_->fields.push_back(std::move(field));
    return *this;
  }
  std::shared_ptr<ObjectSpec> spec_ = std::make_shared<ObjectSpec>();
};

using tenancy::PiiKind;

// Field paths are built only for errors: a nested failure is re-labelled by its parent with
// Status::WithFieldPrefix, so valid events allocate no path strings.
Status ValidateObject(const json::object& in, const ObjectSpec& spec,
                      const tenancy::PiiTokenizer& tokenizer, json::object& out);

Status ValidateValue(const json::value& v, const FieldSpec& f,
                     const tenancy::PiiTokenizer& tokenizer, json::value& out) {
  auto bad = [&](std::string why) { return InvalidArgumentError(f.name + " " + why, f.name); };
  switch (f.kind) {
    case Kind::kString: {
      if (!v.is_string()) return bad("must be a string");
      const json::string& s = v.get_string();
      if (s.empty()) return bad("must not be empty");
      if (s.size() > f.max_length)
        return bad("is longer than " + std::to_string(f.max_length) + " bytes");
      out = s;
      return OkStatus();
    }
    case Kind::kInteger: {
      if (!v.is_int64() && !v.is_uint64()) return bad("must be an integer");
      const double d =
          v.is_int64() ? static_cast<double>(v.get_int64()) : static_cast<double>(v.get_uint64());
      if (d < f.min || d > f.max) {
        return bad("must be between " + std::to_string(static_cast<long long>(f.min)) + " and " +
                   std::to_string(static_cast<long long>(f.max)));
      }
      out = v;
      return OkStatus();
    }
    case Kind::kNumber: {
      if (!v.is_number()) return bad("must be a number");
      const double d = v.to_number<double>();
      if (!std::isfinite(d) || d < f.min || d > f.max) {
        return bad("must be a number between " + FormatNumber(f.min) + " and " +
                   FormatNumber(f.max));
      }
      out = v;
      return OkStatus();
    }
    case Kind::kBoolean:
      if (!v.is_bool()) return bad("must be true or false");
      out = v;
      return OkStatus();
    case Kind::kTimestamp: {
      if (!v.is_string()) return bad("must be an RFC 3339 date-time string");
      StatusOr<TimeMicros> t = ParseRfc3339(std::string_view(v.get_string()));
      if (!t.ok()) return bad(t.status().message());
      out = FormatRfc3339(*t);
      return OkStatus();
    }
    case Kind::kEnum: {
      if (!v.is_string()) return bad("must be one of: " + Join(f.values));
      const std::string_view s = v.get_string();
      for (const auto& allowed : f.values) {
        if (allowed == s) {
          out = v;
          return OkStatus();
        }
      }
      return bad("is " + Quote(s) + "; must be one of: " + Join(f.values));
    }
    case Kind::kPii: {
      if (!v.is_string()) return bad("must be a string");
      StatusOr<std::string> token = tokenizer.Tokenize(f.pii, std::string_view(v.get_string()));
      if (!token.ok()) return bad(token.status().message());
      out = *token;
      return OkStatus();
    }
    case Kind::kObject: {
      if (!v.is_object()) return bad("must be an object");
      json::object nested(out.storage());
      Status s = ValidateObject(v.get_object(), *f.object, tokenizer, nested);
      if (!s.ok()) return s.WithFieldPrefix(f.name);
      out = std::move(nested);
      return OkStatus();
    }
    case Kind::kArray:
    case Kind::kStringArray: {
      if (!v.is_array()) return bad("must be an array");
      const json::array& items = v.get_array();
      if (items.size() > f.max_length)
        return bad("has more than " + std::to_string(f.max_length) + " items");
      json::array result(out.storage());
      result.reserve(items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        const auto item_path = [&] { return f.name + "[" + std::to_string(i) + "]"; };
        json::value item_out(out.storage());
        if (f.kind == Kind::kStringArray) {
          FieldSpec item{.name = item_path(), .kind = Kind::kString};
          FB_RETURN_IF_ERROR(ValidateValue(items[i], item, tokenizer, item_out));
        } else {
          if (!items[i].is_object())
            return InvalidArgumentError(item_path() + " must be an object", item_path());
          json::object nested(out.storage());
          Status s = ValidateObject(items[i].get_object(), *f.object, tokenizer, nested);
          if (!s.ok()) return s.WithFieldPrefix(item_path());
          item_out = std::move(nested);
        }
        result.push_back(std::move(item_out));
      }
      out = std::move(result);
      return OkStatus();
    }
  }
  return InternalError("unhandled field kind");
}

Status ValidateObject(const json::object& in, const ObjectSpec& spec,
                      const tenancy::PiiTokenizer& tokenizer, json::object& out) {
  for (const auto& member : in) {
    if (spec.Find(member.key()) == nullptr) {
      // A plain loop, not views::transform: clang 14 (the fuzz build) rejects libstdc++ 12's
      // ranges here.
      std::vector<std::string_view> names;
      for (const FieldSpec& field : spec.fields) names.push_back(field.name);
      const std::string known = Join(names);
      return InvalidArgumentError("unknown field " + Quote(member.key()) + "; expected: " + known,
                                  std::string(member.key()));
    }
  }
  out.reserve(spec.fields.size());
  for (const FieldSpec& f : spec.fields) {
    const json::value* v = in.if_contains(f.name);
    if (v == nullptr || v->is_null()) {
      if (f.required) return InvalidArgumentError(f.name + " is required", f.name);
      continue;
    }
    json::value value(out.storage());
    FB_RETURN_IF_ERROR(ValidateValue(*v, f, tokenizer, value));
    out.emplace(f.name, std::move(value));
  }
  return OkStatus();
}

// --- The event types -------------------------------------------------------------------------

Obj Envelope(const std::string& type) {
  Obj o;
  o.Str("event_id", kRequired, 128)
      .Enum("event_type", kRequired, {type})
      .Int("schema_version", kOptional, kSchemaVersion, kSchemaVersion)
      .Time("occurred_at", kRequired);
  return o;
}

Obj Geo() {
  Obj o;
  o.Num("lat", kRequired, -90, 90)
      .Num("lon", kRequired, -180, 180)
      .Str("city", kOptional)
      .Str("province", kOptional);
  return o;
}

std::map<std::string, std::shared_ptr<const ObjectSpec>, std::less<>> BuildSchemas() {
  std::map<std::string, std::shared_ptr<const ObjectSpec>, std::less<>> s;
  const std::vector<std::string> channels = {"app", "web", "mini_program", "offline", "api"};

  s["user_registration"] =
      Envelope("user_registration")
          .Str("user_id", kRequired)
          .Pii("phone", kRequired, PiiKind::kPhone)
          .Pii("id_number", kOptional, PiiKind::kIdNumber)
          .Str("email", kOptional)
          .Enum("gender", kOptional, {"female", "male", "unknown"})
          .Int("birth_year", kOptional, 1900, 2030)
          .Str("city", kOptional)
          .Int("city_tier", kOptional, 1, 5)
          .Str("province", kOptional)
          .Enum("education", kOptional,
                {"below_high_school", "high_school", "college", "bachelor", "master", "doctorate"})
          .Str("occupation", kOptional)
          .Enum("marital_status", kOptional, {"single", "married", "divorced", "widowed"})
          .Enum("channel", kOptional, channels)
          .Str("referrer_user_id", kOptional)
          .Str("device_id", kOptional)
          .Str("ip", kOptional, 64)
          .spec();

  Obj action;
  action.Str("action", kRequired, 64).Time("at", kRequired).Str("target", kOptional);
  s["login"] = Envelope("login")
                   .Str("user_id", kRequired)
                   .Str("session_id", kRequired)
                   .Str("device_id", kRequired)
                   .Str("ip", kRequired, 64)
                   .Object("geo", kOptional, Geo())
                   .Enum("method", kOptional,
                         {"password", "sms_code", "biometric", "token", "password_reset"})
                   .Bool("success", kRequired)
                   .Bool("new_device", kOptional)
                   .Array("actions", kOptional, action, 500)
                   .spec();

  s["device_report"] = Envelope("device_report")
                           .Str("device_id", kRequired)
                           .Str("user_id", kOptional)
                           .Str("model", kRequired)
                           .Str("brand", kOptional)
                           .Str("os", kRequired, 32)
                           .Str("os_version", kOptional, 32)
                           .Str("app_version", kOptional, 32)
                           .Str("screen", kOptional, 32)
                           .Str("fonts_hash", kOptional)
                           .Str("ua_hash", kOptional)
                           .Str("imei_hash", kOptional)
                           .Str("advertising_id", kOptional)
                           .Str("timezone", kOptional, 64)
                           .Str("language", kOptional, 32)
                           .Str("ip", kOptional, 64)
                           .Bool("is_emulator", kOptional)
                           .Bool("is_rooted", kOptional)
                           .Bool("hook_framework", kOptional)
                           .Bool("vpn", kOptional)
                           .Bool("proxy", kOptional)
                           .spec();

  Obj item;
  item.Str("sku", kRequired)
      .Str("category", kRequired, 64)
      .Num("price", kRequired)
      .Int("quantity", kRequired, 1, 100000);
  s["order"] = Envelope("order")
                   .Str("order_id", kRequired)
                   .Str("user_id", kRequired)
                   .Array("items", kRequired, item)
                   .Num("amount", kRequired)
                   .Enum("currency", kOptional, {"CNY", "USD", "HKD", "EUR"})
                   .Str("category", kOptional, 64)
                   .Str("consignee_address", kRequired, 256)
                   .Pii("consignee_phone", kOptional, PiiKind::kPhone)
                   .Str("consignee_name", kOptional, 64)
                   .Enum("payment_method", kRequired,
                         {"card", "credit", "wallet", "bank_transfer", "cash_on_delivery"})
                   .Pii("card_number", kOptional, PiiKind::kCard)
                   .Str("device_id", kOptional)
                   .Str("ip", kOptional, 64)
                   .Str("merchant_id", kOptional)
                   .spec();

  s["logistics_update"] = Envelope("logistics_update")
                              .Str("order_id", kRequired)
                              .Enum("status", kRequired,
                                    {"created", "picked_up", "in_transit", "out_for_delivery",
                                     "delivered", "returned", "lost"})
                              .Str("carrier", kOptional, 64)
                              .Str("location", kOptional, 256)
                              .Str("courier_id", kOptional)
                              .spec();

  Obj contact;
  contact.Pii("phone", kRequired, PiiKind::kPhone)
      .Enum("relation", kRequired,
            {"spouse", "parent", "child", "sibling", "relative", "friend", "colleague", "other"});
  Obj bureau;
  bureau.Int("score", kOptional, 300, 950)
      .Int("inquiries_3m", kOptional, 0, 1000)
      .Int("inquiries_12m", kOptional, 0, 1000)
      .Int("delinquencies_24m", kOptional, 0, 1000)
      .Int("open_accounts", kOptional, 0, 1000)
      .Num("utilization", kOptional, 0, 10)
      .Num("total_debt", kOptional)
      .Int("months_on_file", kOptional, 0, 1200);
  s["credit_application"] =
      Envelope("credit_application")
          .Str("application_id", kRequired)
          .Str("user_id", kRequired)
          .Enum(
              "product", kRequired,
              {"consumer_credit_line", "cash_loan", "installment", "sme_loan", "supply_chain_loan"})
          .Num("requested_amount", kRequired, 0, 1e9)
          .Int("term_months", kRequired, 1, 360)
          .Num("declared_income", kOptional, 0, 1e10)
          .Enum("employment", kOptional,
                {"employed", "self_employed", "student", "unemployed", "retired", "business_owner"})
          .Str("employer", kOptional, 128)
          .Pii("phone", kOptional, PiiKind::kPhone)
          .Pii("id_number", kOptional, PiiKind::kIdNumber)
          .Str("address", kOptional, 256)
          .Array("contacts", kOptional, contact, 20)
          .Object("bureau", kOptional, bureau)
          .Str("device_id", kOptional)
          .Str("ip", kOptional, 64)
          .Enum("channel", kOptional, channels)
          .spec();

  s["loan_drawdown"] = Envelope("loan_drawdown")
                           .Str("loan_id", kRequired)
                           .Str("application_id", kOptional)
                           .Str("user_id", kRequired)
                           .Num("amount", kRequired, 0, 1e9)
                           .Int("term_months", kRequired, 1, 360)
                           .Num("apr", kRequired, 0, 1)
                           .Num("installment_amount", kOptional, 0, 1e9)
                           .Pii("card_number", kOptional, PiiKind::kCard)
                           .spec();

  s["repayment"] = Envelope("repayment")
                       .Str("loan_id", kRequired)
                       .Str("user_id", kRequired)
                       .Int("installment", kRequired, 1, 360)
                       .Time("due_at", kRequired)
                       .Num("amount_due", kRequired)
                       .Num("amount_paid", kRequired)
                       .Enum("status", kRequired, {"paid", "partial", "missed", "late"})
                       .Int("days_past_due", kOptional, 0, 10000)
                       .spec();

  s["payment"] = Envelope("payment")
                     .Str("payment_id", kRequired)
                     .Str("user_id", kRequired)
                     .Str("payee_id", kRequired)
                     .Enum("payee_type", kOptional, {"merchant", "person", "card", "bank_account"})
                     .Num("amount", kRequired)
                     .Enum("currency", kOptional, {"CNY", "USD", "HKD", "EUR"})
                     .Enum("channel", kRequired, {"app", "web", "pos", "transfer", "qr_code"})
                     .Pii("card_number", kOptional, PiiKind::kCard)
                     .Str("device_id", kOptional)
                     .Str("ip", kOptional, 64)
                     .Str("session_id", kOptional)
                     .spec();

  s["service_message"] =
      Envelope("service_message")
          .Str("message_id", kRequired)
          .Str("user_id", kRequired)
          .Str("conversation_id", kOptional)
          .Str("text", kRequired, 4000)
          .Enum("channel", kOptional, {"app", "web", "phone", "wechat"})
          .Enum("direction", kOptional, {"inbound", "outbound"})
          // What an outbound turn was (the bot's reply type, or an agent's).
          .Enum("reply_type", kOptional, {"answer", "clarify", "out_of_scope", "handoff", "agent"})
          .Str("kb_id", kOptional)
          .Num("confidence", kOptional, 0, 1)
          .Str("handoff_reason", kOptional)
          .Str("account_id", kOptional)
          .spec();

  // Whether an answer helped: the customer said so, or asked again within minutes.
  s["service_feedback"] = Envelope("service_feedback")
                              .Str("message_id", kRequired)
                              .Str("user_id", kRequired)
                              .Str("conversation_id", kOptional)
                              .Str("kb_id", kOptional)
                              .Bool("helped", kRequired)
                              .Enum("source", kRequired, {"customer", "asked_again"})
                              .spec();

  s["collection_contact"] =
      Envelope("collection_contact")
          .Str("loan_id", kRequired)
          .Str("user_id", kRequired)
          .Enum("method", kRequired, {"sms", "call", "robot_call", "email", "letter", "visit"})
          .Enum("outcome", kRequired,
                {"no_answer", "promise_to_pay", "refused", "paid", "wrong_number", "dispute",
                 "hardship"})
          .Enum("bucket", kRequired, {"M1", "M2", "M3+"})
          .Num("promised_amount", kOptional)
          .Time("promised_at", kOptional)
          .Str("agent_id", kOptional)
          .spec();

  Obj answer;
  answer.Str("question_id", kRequired, 64).Str("answer", kRequired, 256);
  Obj holding;
  holding
      .Enum("asset_class", kRequired,
            {"cash", "bond", "equity", "fund", "gold", "real_estate", "other"})
      .Str("instrument", kOptional, 64)
      .Num("amount", kRequired);
  s["wealth_profile"] = Envelope("wealth_profile")
                            .Str("user_id", kRequired)
                            .Array("answers", kRequired, answer, 50)
                            .Num("investable_assets", kOptional)
                            .Int("horizon_years", kOptional, 0, 100)
                            .Array("holdings", kOptional, holding, 200)
                            .spec();

  s["enterprise_relation"] = Envelope("enterprise_relation")
                                 .Str("enterprise_id", kRequired)
                                 .Str("counterparty_id", kRequired)
                                 .Enum("relation", kRequired, {"supplier", "distributor"})
                                 .Int("tier", kRequired, 1, 10)
                                 .Str("core_enterprise_id", kOptional)
                                 .Str("industry", kOptional, 64)
                                 .Time("since", kOptional)
                                 .spec();

  s["purchase_order"] = Envelope("purchase_order")
                            .Str("po_id", kRequired)
                            .Str("buyer_id", kRequired)
                            .Str("seller_id", kRequired)
                            .Num("amount", kRequired)
                            .Enum("currency", kOptional, {"CNY", "USD", "HKD", "EUR"})
                            .Time("due_at", kOptional)
                            .Str("goods", kOptional, 256)
                            .spec();

  s["warehouse_receipt"] = Envelope("warehouse_receipt")
                               .Str("receipt_id", kRequired)
                               .Str("enterprise_id", kRequired)
                               .Str("warehouse_id", kOptional)
                               .Str("po_id", kOptional)
                               .Str("goods", kOptional, 256)
                               .Num("quantity", kOptional)
                               .Num("value", kRequired)
                               .spec();

  s["invoice"] = Envelope("invoice")
                     .Str("invoice_id", kRequired)
                     .Str("issuer_id", kRequired)
                     .Str("payer_id", kRequired)
                     .Num("amount", kRequired)
                     .Time("issued_at", kRequired)
                     .Time("due_at", kRequired)
                     .Str("po_id", kOptional)
                     .Enum("status", kOptional, {"issued", "paid", "overdue", "cancelled"})
                     .spec();
  return s;
}

}  // namespace

struct EventSchema::Impl {
  std::map<std::string, std::shared_ptr<const ObjectSpec>, std::less<>> schemas = BuildSchemas();
};

EventSchema::EventSchema() : impl_(std::make_unique<Impl>()) {}
EventSchema::~EventSchema() = default;

const EventSchema& EventSchema::Get() {
  static const EventSchema* schema = new EventSchema();
  return *schema;
}

bool IsEventType(std::string_view type) {
  for (std::string_view t : kEventTypes) {
    if (t == type) return true;
  }
  return false;
}

std::vector<std::string> EventSchema::FieldNames(std::string_view event_type) const {
  std::vector<std::string> names;
  auto it = impl_->schemas.find(event_type);
  if (it == impl_->schemas.end()) return names;
  for (const FieldSpec& f : it->second->fields) names.push_back(f.name);
  return names;
}

namespace {
void AddScalars(const ObjectSpec& spec, const std::string& prefix,
                std::vector<EventSchema::ScalarField>& out) {
  using K = EventSchema::ScalarKind;
  for (const FieldSpec& f : spec.fields) {
    const std::string path = prefix + f.name;
    switch (f.kind) {
      case Kind::kInteger:
      case Kind::kNumber:
        out.push_back({path, K::kNumber});
        break;
      case Kind::kBoolean:
        out.push_back({path, K::kBool});
        break;
      case Kind::kObject:
        AddScalars(*f.object, path + ".", out);
        break;
      case Kind::kArray:
      case Kind::kStringArray:
        out.push_back({path, K::kNumber, true});
        break;
      default:
        out.push_back({path, K::kText});
    }
  }
}
}  // namespace

std::vector<EventSchema::ScalarField> EventSchema::ScalarFields(std::string_view event_type) const {
  std::vector<ScalarField> fields;
  auto it = impl_->schemas.find(event_type);
  if (it != impl_->schemas.end()) AddScalars(*it->second, "", fields);
  return fields;
}

std::vector<EventSchema::ScalarField> EventSchema::ArrayItemFields(std::string_view event_type,
                                                                   std::string_view array) const {
  std::vector<ScalarField> fields;
  auto it = impl_->schemas.find(event_type);
  const FieldSpec* f = it == impl_->schemas.end() ? nullptr : it->second->Find(array);
  if (f != nullptr && f->kind == Kind::kArray && f->object != nullptr) {
    AddScalars(*f->object, "", fields);
  }
  return fields;
}

std::optional<EventSchema::ItemPath> EventSchema::TextItemPath(std::string_view event_type,
                                                               std::string_view path) const {
  const size_t items = path.find("[].");
  if (items == std::string_view::npos) return std::nullopt;
  ItemPath out{std::string(path.substr(0, items)), std::string(path.substr(items + 3))};
  for (const ScalarField& f : ArrayItemFields(event_type, out.array)) {
    if (f.path == out.item && f.kind == ScalarKind::kText) return out;
  }
  return std::nullopt;
}

void AppendItemTexts(const json::object& object, const EventSchema::ItemPath& path,
                     std::vector<std::string_view>& out) {
  const json::value* items = object.if_contains(path.array);
  if (items == nullptr || !items->is_array()) return;
  for (const json::value& item : items->get_array()) {
    const json::value* v = item.is_object() ? item.get_object().if_contains(path.item) : nullptr;
    if (v == nullptr || !v->is_string() || v->get_string().empty()) continue;
    const std::string_view text(v->get_string());
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
}

StatusOr<ValidatedEvent> EventSchema::ValidateJson(std::string_view text,
                                                   const tenancy::PiiTokenizer& tokenizer) const {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  // The parsed input lives only for this call: a stack arena saves most allocations.
  unsigned char arena[8192];
  json::monotonic_resource resource(arena, sizeof arena);
  json::value parsed =
      json::parse(json::string_view(text.data(), text.size()), ec, &resource, options);
  if (ec) return InvalidArgumentError("not valid JSON: " + ec.message(), "");
  if (!parsed.is_object()) return InvalidArgumentError("an event must be a JSON object", "");
  return Validate(parsed.get_object(), tokenizer);
}

StatusOr<ValidatedEvent> EventSchema::Validate(const json::object& in,
                                               const tenancy::PiiTokenizer& tokenizer) const {
  const json::value* type = in.if_contains("event_type");
  if (type == nullptr || !type->is_string()) {
    return InvalidArgumentError("event_type is required (one of user_registration, login, ...)",
                                "event_type");
  }
  auto spec = impl_->schemas.find(std::string_view(type->get_string()));
  if (spec == impl_->schemas.end()) {
    return InvalidArgumentError("unknown event_type " +
                                    Quote(std::string_view(type->get_string())) +
                                    "; expected one of: " + Join(kEventTypes),
                                "event_type");
  }
  // The canonical object travels with the event (ValidatedEvent::fields). Its nodes live in one
  // growing arena that the object owns: a few allocations instead of one per node.
  auto out = std::make_shared<json::object>(
      json::make_shared_resource<json::monotonic_resource>(size_t{4096}));
  FB_RETURN_IF_ERROR(ValidateObject(in, *spec->second, tokenizer, *out));
  (*out)["schema_version"] = kSchemaVersion;
  ValidatedEvent event;
  event.event_id = std::string(out->at("event_id").get_string());
  event.event_type = std::string(spec->first);
  event.occurred_at = ParseRfc3339(std::string_view(out->at("occurred_at").get_string())).value();
  event.canonical_json = ToJsonText(*out);
  event.fields = std::move(out);
  return event;
}

const json::object* Parsed(const ValidatedEvent& event, json::value& storage) {
  if (event.fields) return event.fields.get();
  boost::system::error_code ec;
  storage = json::parse(event.canonical_json, ec, storage.storage());
  return ec ? nullptr : storage.if_object();
}

}  // namespace finbrain::ingest
