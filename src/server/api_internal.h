// Types shared by the Api's implementation files. Not part of the server's public interface.
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/api.h"

namespace finbrain::server {

enum class Auth { kNone, kTenant, kAdmin };

struct Api::Context {
  const HttpRequest& request;
  std::vector<std::string> params;  // decoded path parameters, in template order
  std::string tenant;               // the caller's tenant (tenant routes)
  std::string actor;                // API key id, or "admin"
  std::string action;               // "PUT /v1/lists/{list}/{entity_type}/{value}"
  std::string entity;               // what the request touches, PII tokenized; for the audit log
};

// A prepared change: committed with its audit entry, then `response` is sent.
struct Api::Mutation {
  storage::WriteBatch batch;
  HttpResponse response;
};

struct Api::Route {
  std::string method;
  std::string pattern;
  Auth auth = Auth::kNone;
  bool mutating = false;
  std::function<StatusOr<HttpResponse>(Api&, Context&)> immediate;
  std::function<StatusOr<Mutation>(Api&, Context&)> mutation;
  // Answers through the Responder itself once its work is durable; an error returned instead
  // means it has not answered (and the error is audited like any rejected change).
  std::function<Status(Api&, Context&, Responder)> async;
  // Runs on the background worker rather than the I/O thread (seconds of work).
  bool slow = false;
};

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

// The string member `name`, nullopt when absent; kInvalidArgument when present but not a string.
StatusOr<std::optional<std::string>> OptionalString(const boost::json::object& object,
                                                    std::string_view name);

}  // namespace finbrain::server
