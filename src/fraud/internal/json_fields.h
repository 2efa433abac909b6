// Reading event fields with errors that name the field (`path` + field), shared by the parsers
// of device reports and sessions.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace finbrain::fraud {

// A string field; absent or null leaves `out` as it is (an error when `required`).
inline Status ReadString(const boost::json::object& from, const std::string& field,
                         std::string& out, bool required, const std::string& path = "") {
  const boost::json::value* v = from.if_contains(field);
  if (v == nullptr || v->is_null()) {
    return required ? InvalidArgumentError("is required", path + field) : OkStatus();
  }
  if (!v->is_string()) return InvalidArgumentError("must be a string", path + field);
  out = v->get_string();
  return OkStatus();
}

// An optional boolean field.
inline Status ReadBool(const boost::json::object& from, const std::string& field, bool& out) {
  const boost::json::value* v = from.if_contains(field);
  if (v == nullptr || v->is_null()) return OkStatus();
  if (!v->is_bool()) return InvalidArgumentError("must be true or false", field);
  out = v->get_bool();
  return OkStatus();
}

// A required RFC 3339 time field.
inline StatusOr<TimeMicros> ReadTime(const boost::json::object& from, const std::string& field,
                                     const std::string& path = "") {
  std::string text;
  FB_RETURN_IF_ERROR(ReadString(from, field, text, true, path));
  StatusOr<TimeMicros> at = ParseRfc3339(text);
  if (!at.ok()) return InvalidArgumentError(at.status().message(), path + field);
  return *at;
}

}  // namespace finbrain::fraud
