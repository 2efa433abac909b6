// HttpClient: a small synchronous HTTP/1.1 client over one keep-alive connection, for the CLI
// (talking to a running server) and for tests. Not for the hot path.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto client, HttpClient::Connect("127.0.0.1", 8080));
//   FB_ASSIGN_OR_RETURN(HttpResult r, client->Send("GET", "/healthz"));
//
// Thread-safety: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace finbrain::server {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  static StatusOr<std::unique_ptr<HttpClient>> Connect(
      const std::string& host, std::uint16_t port,
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // kUnavailable when the connection fails or closes.
  virtual StatusOr<HttpResult> Send(
      std::string_view method, std::string_view target, std::string_view body = {},
      const std::vector<std::pair<std::string, std::string>>& headers = {}) = 0;

  // Sends raw bytes and reads one response (tests of malformed requests).
  virtual StatusOr<HttpResult> SendRaw(std::string_view bytes) = 0;
};

// Splits "http://host:port" into host and port. kInvalidArgument otherwise.
Status ParseHttpUrl(std::string_view url, std::string& host, std::uint16_t& port);

// A FinBrain API answer as a Status: the body's JSON (re-written compactly) for 2xx and 3xx;
// otherwise the API's own error message and field, with 400 -> kInvalidArgument, 401 ->
// kUnauthenticated, 403 -> kPermissionDenied, 404 -> kNotFound, 409 -> kFailedPrecondition,
// anything else kUnavailable.
StatusOr<std::string> ApiAnswer(int status, std::string_view body);

// One request to the FinBrain API at `url` ("http://host:port") with `Authorization: Bearer
// <bearer>`, answered as ApiAnswer.
StatusOr<std::string> CallFinbrainApi(std::string_view url, std::string_view method,
                                      std::string_view target, std::string_view body,
                                      std::string_view bearer);

}  // namespace finbrain::server
