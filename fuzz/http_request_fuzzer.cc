// libFuzzer target: raw bytes -> HTTP request parser (Beast, with the server's limits) -> the
// Api (routing, auth, JSON parsing, handlers, storage). Any crash, sanitizer report or missing
// response is a bug. Requests that send "Authorization: Bearer KEY" get a valid tenant key so
// that the fuzzer reaches the authenticated handlers.
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdlib>
#include <future>

#include "common/temp_dir.h"
#include "runtime/runtime.h"
#include "server/api.h"

namespace {

using namespace finbrain;

struct World {
  World()
      : runtime(std::move(runtime::Runtime::Open({.data_dir = dir.path(),
                                                  .durability = storage::Durability::kProcess}))
                    .value()),
        limiter({.requests_per_second = 0}),
        api(*runtime, limiter, {.admin_token = "fuzz-admin-token-0123456789"}) {
    key = runtime->directory->CreateTenant("fuzz", std::nullopt, {"fuzz", "setup"}).value().api_key;
  }
  TempDir dir{"finbrain_fuzz"};
  std::unique_ptr<runtime::Runtime> runtime;
  tenancy::RateLimiter limiter;
  server::Api api;
  std::string key;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static World* world = new World();  // lives for the whole run
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(1 << 20);
  parser.header_limit(16 << 10);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  auto& request = parser.get();
  server::HttpRequest req;
  req.method = std::string(request.method_string());
  const std::string target(request.target());
  const size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) req.query = target.substr(q + 1);
  req.authorization = std::string(request[http::field::authorization]);
  if (req.authorization == "Bearer KEY") req.authorization = "Bearer " + world->key;
  if (req.authorization == "Bearer ADMIN") req.authorization = "Bearer fuzz-admin-token-0123456789";
  req.body = request.body();

  std::promise<server::HttpResponse> answered;
  auto future = answered.get_future();
  world->api.Handle(std::move(req),
                    [&answered](server::HttpResponse r) { answered.set_value(std::move(r)); });
  const server::HttpResponse response = future.get();
  if (response.status < 200 || response.status > 599) std::abort();
  return 0;
}
