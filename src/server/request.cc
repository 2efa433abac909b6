// Request parsing shared by the route groups (server/internal/request.h).
#include "server/internal/request.h"

#include <charconv>
#include <string>

#include "common/strings.h"

namespace finbrain::server {

namespace json = boost::json;

StatusOr<json::object> ParseJsonBody(const HttpRequest& request, bool allow_empty) {
  if (request.body.empty()) {
    if (allow_empty) return json::object();
    return InvalidArgumentError("request body is required (a JSON object)", "body");
  }
  // The body is parsed as JSON whatever the Content-Type says: curl's -d sends form encoding
  // by default, and rejecting that would only make the API harder to try.
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value value = json::parse(request.body, ec, {}, options);
  if (ec) return InvalidArgumentError("request body is not valid JSON: " + ec.message(), "body");
  if (!value.is_object()) return InvalidArgumentError("request body must be a JSON object", "body");
  return std::move(value.get_object());
}

Status RejectUnknownFields(const json::object& object,
                           std::initializer_list<std::string_view> known) {
  for (const auto& member : object) {
    const std::string_view key = member.key();
    bool found = false;
    for (std::string_view k : known) found |= (k == key);
    if (!found) {
      return InvalidArgumentError("unknown field " + Quote(key) + "; expected: " + Join(known),
                                  std::string(key));
    }
  }
  return OkStatus();
}

StatusOr<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                        std::span<const std::string_view> known) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    FB_ASSIGN_OR_RETURN(std::string name, PercentDecode(pair.substr(0, eq)));
    std::string raw_value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (char& c : raw_value) {
      if (c == '+') c = ' ';
    }
    StatusOr<std::string> value = PercentDecode(raw_value);
    if (!value.ok()) return InvalidArgumentError(value.status().message(), name);
    bool found = false;
    for (std::string_view k : known) found |= (k == name);
    if (!found) {
      const std::string names = Join(known);
      return InvalidArgumentError(
          "unknown query parameter " + Quote(name) +
              (names.empty() ? "; none are accepted" : "; expected: " + names),
          name);
    }
    out[std::move(name)] = std::move(*value);
  }
  return out;
}

StatusOr<int> IntQueryParam(const std::map<std::string, std::string>& query, std::string_view name,
                            int min, int max, int fallback) {
  const auto it = query.find(std::string(name));
  if (it == query.end()) return fallback;
  int value = 0;
  const std::string& text = it->second;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return InvalidArgumentError(std::string(name) + " must be an integer from " +
                                    std::to_string(min) + " to " + std::to_string(max),
                                std::string(name));
  }
  return value;
}

StatusOr<int> VersionParam(const std::string& text) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos || text.front() == '0') {
    return InvalidArgumentError("version must be a positive integer, not " + Quote(text),
                                "version");
  }
  return std::stoi(text);
}

StatusOr<std::optional<std::string>> OptionalString(const json::object& object,
                                                    std::string_view name) {
  const json::value* v = object.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    return InvalidArgumentError(std::string(name) + " must be a string", std::string(name));
  }
  return std::optional<std::string>(std::string(v->get_string()));
}

}  // namespace finbrain::server
