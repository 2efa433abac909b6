// HttpServer: an asynchronous HTTP/1.1 server (Boost.Beast on Asio) with keep-alive, a fixed
// pool of I/O threads, limits on header size, body size and request time, and graceful
// shutdown.
//
// Every parsed request goes to one RequestHandler (server/http_types.h). Requests the server
// rejects itself get JSON errors: 400 malformed request, 413 body too large, 431 header too
// large; a request not fully received within the time limit is dropped.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto server, HttpServer::Start({.host = "127.0.0.1", .port = 0}, handler));
//   std::cout << server->port();
//   server->Shutdown(std::chrono::seconds(30));  // stop accepting, finish in-flight requests
//   server->Wait();
//
// Thread-safety: Shutdown may be called from any thread (e.g. a signal watcher); Wait from one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/http_types.h"

namespace finbrain::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  int io_threads = 2;
  size_t max_body_bytes = 1 << 20;
  // Uploads (model registration) may be larger: requests whose path starts with one of these
  // prefixes get `max_upload_bytes` instead.
  std::vector<std::string> upload_prefixes = {"/v1/models/"};
  size_t max_upload_bytes = 64 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds request_timeout{30'000};  // to receive a whole request, or idle
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;

  // Binds, listens and starts the I/O threads. kUnavailable when the address cannot be bound.
  static StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                     RequestHandler handler);

  virtual std::uint16_t port() const = 0;

  // Stops accepting connections; idle keep-alive connections are closed; requests in flight
  // finish and are answered with "Connection: close". After `grace`, remaining connections are
  // cut. Returns at once; Wait() blocks until everything has stopped.
  virtual void Shutdown(std::chrono::milliseconds grace) = 0;
  virtual void Wait() = 0;
};

}  // namespace finbrain::server
