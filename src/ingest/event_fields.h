// EventFields: the scalar fields of one event type as expression inputs. Declares them in an
// expr::Scope under a prefix ("app.bureau.score") and binds an event's JSON to those slots.
//
// Example:
//   expr::Scope scope;
//   FB_ASSIGN_OR_RETURN(EventFields app, EventFields::Declare("credit_application", "app.",
//   scope));
//   ... compile expressions; app.Need(slot) for each slot they read ...
//   expr::Frame frame(scope);
//   EventFields::Texts texts;
//   FB_RETURN_IF_ERROR(app.Bind(event_json, frame, texts));
//
// Thread-safety: immutable after the Need calls; Bind from any thread with its own Frame/Texts.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "expr/expr.h"
#include "ingest/event_schema.h"

namespace finbrain::ingest {

class EventFields {
 public:
  // kInvalidArgument for an unknown event type.
  static StatusOr<EventFields> Declare(std::string_view event_type, std::string_view prefix,
                                       expr::Scope& scope);
  // The same for a document that is not an event (e.g. an account under review): `fields` name
  // its scalar paths.
  static StatusOr<EventFields> Declare(const std::vector<EventSchema::ScalarField>& fields,
                                       std::string_view prefix, expr::Scope& scope);
  // Binds `slot` (one of the declared fields) in Bind; others are left missing.
  void Need(int slot);
  // Every declared field will be bound.
  void NeedAll();

  // Storage for the bound texts (the Frame's values view into it).
  using Texts = std::deque<std::string>;
  // Parses `json` (an event object, or the declared document) and sets the needed slots; absent
  // fields stay missing.
  Status Bind(std::string_view json, expr::Frame& frame, Texts& texts) const;
  // The same for an already parsed object (ValidatedEvent::fields), without copying its texts:
  // the frame's values view into `event`, which must outlive the frame.
  void Bind(const boost::json::object& event, expr::Frame& frame) const;

 private:
  struct Field {
    std::vector<std::string> path;  // "bureau.score" -> {"bureau", "score"}
    int slot = 0;
    bool needed = false;
    bool array_length = false;  // an array, bound as its number of items
  };
  std::vector<Field> fields_;
};

}  // namespace finbrain::ingest
