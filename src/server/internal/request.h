// Request parsing shared by the route groups: JSON bodies, query strings, typed members. Errors
// are kInvalidArgument naming the field. Not part of the server's public interface.
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http_types.h"

namespace finbrain::server {

// The request body as a JSON object. Errors name the field "body".
StatusOr<boost::json::object> ParseJsonBody(const HttpRequest& request, bool allow_empty = false);

// kInvalidArgument naming the first member of `object` not in `known`.
Status RejectUnknownFields(const boost::json::object& object,
                           std::initializer_list<std::string_view> known);

// The query string as decoded name -> value; kInvalidArgument for names not in `known`.
StatusOr<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                        std::span<const std::string_view> known);
inline StatusOr<std::map<std::string, std::string>> ParseQuery(
    std::string_view query, std::initializer_list<std::string_view> known) {
  return ParseQuery(query, std::span<const std::string_view>(known.begin(), known.size()));
}

// The integer query parameter `name` (from ParseQuery) within [min, max]; `fallback` when
// absent; kInvalidArgument naming it otherwise.
StatusOr<int> IntQueryParam(const std::map<std::string, std::string>& query, std::string_view name,
                            int min, int max, int fallback);

// A path parameter that names a version: a positive integer without leading zeros;
// kInvalidArgument naming "version" otherwise.
StatusOr<int> VersionParam(const std::string& text);

// The string member `name`, nullopt when absent; kInvalidArgument when present but not a string.
StatusOr<std::optional<std::string>> OptionalString(const boost::json::object& object,
                                                    std::string_view name);

}  // namespace finbrain::server
