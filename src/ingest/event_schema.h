// The typed, versioned event schema: what a finance platform sees, one JSON object per event.
//
// Every event has the envelope {event_id, event_type, schema_version, occurred_at} plus the
// fields of its type (docs/events.md lists them with an example each). Validation is strict:
// unknown fields, wrong types, missing required fields and out-of-range values are errors that
// name the field path ("items[2].price"). Validation also canonicalizes: PII fields (phone,
// national ID, card number) are replaced by their tokens, timestamps are normalized to UTC.
//
// Example:
//   const EventSchema& schema = EventSchema::Get();
//   StatusOr<ValidatedEvent> event = schema.Validate(json_object, tokenizer);
//   if (!event.ok()) reject(event.status());  // field() is the path, message() the reason
//
// Thread-safety: EventSchema is immutable; Get() may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "tenancy/pii.h"

namespace boost::json {
class object;
class value;
}  // namespace boost::json

namespace finbrain::ingest {

inline constexpr int kSchemaVersion = 1;

// The event types, in the order docs/events.md lists them.
inline constexpr std::string_view kEventTypes[] = {"user_registration",
                                                   "login",
                                                   "device_report",
                                                   "order",
                                                   "logistics_update",
                                                   "credit_application",
                                                   "loan_drawdown",
                                                   "repayment",
                                                   "payment",
                                                   "service_message",
                                                   "service_feedback",
                                                   "collection_contact",
                                                   "wealth_profile",
                                                   "enterprise_relation",
                                                   "purchase_order",
                                                   "warehouse_receipt",
                                                   "invoice"};
// Types FinBrain writes itself (an operator may send them too): the simulator need not.
inline constexpr std::string_view kServerWrittenEventTypes[] = {"service_feedback"};

bool IsEventType(std::string_view type);

// A valid event: canonical JSON with PII tokenized, plus the envelope fields.
struct ValidatedEvent {
  std::string event_id;
  std::string event_type;
  TimeMicros occurred_at = 0;
  std::string canonical_json;
  // The same canonical object, parsed, as validation built it: consumers read it instead of
  // parsing canonical_json again (a decision's application is read by five). Null for events
  // read back from the log; Parsed() covers both. Immutable, so it may be shared by threads.
  std::shared_ptr<const boost::json::object> fields;
};

// The event's canonical object: `fields` when it is there, else canonical_json parsed into
// `storage`. Null when canonical_json is not a JSON object.
const boost::json::object* Parsed(const ValidatedEvent& event, boost::json::value& storage);

class EventSchema {
 public:
  static const EventSchema& Get();

  // Validates and canonicalizes one event given as JSON text.
  StatusOr<ValidatedEvent> ValidateJson(std::string_view json,
                                        const tenancy::PiiTokenizer& tokenizer) const;
  // The same for an already parsed object.
  StatusOr<ValidatedEvent> Validate(const boost::json::object& event,
                                    const tenancy::PiiTokenizer& tokenizer) const;

  // Field names of `event_type` (for docs and tests); empty for an unknown type.
  std::vector<std::string> FieldNames(std::string_view event_type) const;

  // The scalar fields of `event_type` that expressions may read, nested objects flattened with
  // dots ("bureau.score"); an array stands for its length (a number: "contacts"). Integers and
  // numbers are kNumber; strings, enums, timestamps and PII tokens kText; booleans kBool.
  // Empty for an unknown type.
  enum class ScalarKind { kNumber, kText, kBool };
  struct ScalarField {
    std::string path;
    ScalarKind kind;
    bool array_length = false;
  };
  std::vector<ScalarField> ScalarFields(std::string_view event_type) const;
  // The scalar fields of each item of the array of objects `array` ("contacts"), as above;
  // empty when `event_type` has no such array.
  std::vector<ScalarField> ArrayItemFields(std::string_view event_type,
                                           std::string_view array) const;
  // "contacts[].phone" -> {"contacts", "phone"} when `event_type` has an array of objects with
  // that text field (an id in each item); nullopt otherwise.
  struct ItemPath {
    std::string array, item;
  };
  std::optional<ItemPath> TextItemPath(std::string_view event_type, std::string_view path) const;

  struct Impl;
  ~EventSchema();

 private:
  EventSchema();
  std::unique_ptr<Impl> impl_;
};

// Appends the texts at `path` in `object` (the `phone` of each item of `contacts`) that are
// non-empty and not in `out` yet, in order; the views point into `object`.
void AppendItemTexts(const boost::json::object& object, const EventSchema::ItemPath& path,
                     std::vector<std::string_view>& out);

}  // namespace finbrain::ingest
