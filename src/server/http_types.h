// Transport-independent HTTP request and response, so request handling (server/api.h) can be
// driven by the Beast server, by tests and by the fuzzer without sockets.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace finbrain::server {

struct HttpRequest {
  std::string method;  // "GET", "PUT", ...
  std::string path;    // target before '?', still percent-encoded
  std::string query;   // target after '?', without it
  std::string body;
  std::string authorization;  // the Authorization header, verbatim
  std::string content_type;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Completes a request. Must be called exactly once; may be called from any thread.
using Responder = std::function<void(HttpResponse)>;

// The application entry point the transport calls for every request.
using RequestHandler = std::function<void(HttpRequest, Responder)>;

}  // namespace finbrain::server
