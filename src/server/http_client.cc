#include "server/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "common/json_text.h"
#include "server/config.h"

namespace finbrain::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class BeastClient final : public HttpClient {
 public:
  BeastClient(std::string host, std::chrono::milliseconds timeout)
      : stream_(ioc_), host_(std::move(host)), timeout_(timeout) {}

  Status Connect(std::uint16_t port) {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(host_, std::to_string(port), ec);
    if (ec) return UnavailableError("cannot resolve " + host_ + ": " + ec.message());
    stream_.expires_after(timeout_);
    stream_.connect(endpoints, ec);
    if (ec) {
      return UnavailableError("cannot connect to " + host_ + ":" + std::to_string(port) + ": " +
                              ec.message());
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
    return OkStatus();
  }

  StatusOr<HttpResult> Send(
      std::string_view method, std::string_view target, std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) override {
    http::request<http::string_body> request;
    request.method_string(beast::string_view(method.data(), method.size()));
    request.target(beast::string_view(target.data(), target.size()));
    request.version(11);
    request.set(http::field::host, host_);
    request.keep_alive(true);
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::string(body);
    request.prepare_payload();
    beast::error_code ec;
    stream_.expires_after(timeout_);
    http::write(stream_, request, ec);
    if (ec) {
      // A server may answer and close before the whole body is sent (413): read that answer.
      StatusOr<HttpResult> early = Read();
      if (early.ok()) return early;
      return UnavailableError("sending request failed: " + ec.message());
    }
    return Read();
  }

  StatusOr<HttpResult> SendRaw(std::string_view bytes) override {
    beast::error_code ec;
    stream_.expires_after(timeout_);
    asio::write(stream_, asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec) return UnavailableError("sending request failed: " + ec.message());
    return Read();
  }

 private:
  StatusOr<HttpResult> Read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    beast::error_code ec;
    http::read(stream_, buffer_, parser, ec);
    if (ec) return UnavailableError("reading response failed: " + ec.message());
    auto response = parser.release();
    HttpResult result;
    result.status = static_cast<int>(response.result_int());
    result.body = std::move(response.body());
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      result.headers[name] = std::string(field.value());
    }
    return result;
  }

  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string host_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

StatusOr<std::unique_ptr<HttpClient>> HttpClient::Connect(const std::string& host,
                                                          std::uint16_t port,
                                                          std::chrono::milliseconds timeout) {
  auto client = std::make_unique<BeastClient>(host, timeout);
  FB_RETURN_IF_ERROR(client->Connect(port));
  return std::unique_ptr<HttpClient>(std::move(client));
}

Status ParseHttpUrl(std::string_view url, std::string& host, std::uint16_t& port) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return InvalidArgumentError("URL must start with http:// (e.g. http://127.0.0.1:8080)", "url");
  }
  url.remove_prefix(kScheme.size());
  while (url.ends_with('/')) url.remove_suffix(1);
  if (url.find(':') == std::string_view::npos) {
    host = std::string(url);
    port = 80;
    return OkStatus();
  }
  Status s = ParseListen(url, host, port);
  if (!s.ok()) return InvalidArgumentError("bad URL: " + s.message(), "url");
  return OkStatus();
}

StatusOr<std::string> ApiAnswer(int status, std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (status < 400) {
    if (ec) return InternalError("the API answered invalid JSON");
    return ToJsonText(parsed);
  }
  std::string message = "the API answered " + std::to_string(status);
  std::string field;
  const boost::json::value* error =
      parsed.is_object() ? parsed.get_object().if_contains("error") : nullptr;
  if (error != nullptr && error->is_object()) {
    if (const auto* m = error->get_object().if_contains("message"); m && m->is_string()) {
      message = std::string(m->get_string());
    }
    if (const auto* f = error->get_object().if_contains("field"); f && f->is_string()) {
      field = std::string(f->get_string());
    }
  }
  const StatusCode code = status == 400   ? StatusCode::kInvalidArgument
                          : status == 401 ? StatusCode::kUnauthenticated
                          : status == 403 ? StatusCode::kPermissionDenied
                          : status == 404 ? StatusCode::kNotFound
                          : status == 409 ? StatusCode::kFailedPrecondition
                                          : StatusCode::kUnavailable;
  return Status(code, message, field);
}

StatusOr<std::string> CallFinbrainApi(std::string_view url, std::string_view method,
                                      std::string_view target, std::string_view body,
                                      std::string_view bearer) {
  std::string host;
  std::uint16_t port = 0;
  FB_RETURN_IF_ERROR(ParseHttpUrl(url, host, port));
  FB_ASSIGN_OR_RETURN(auto client, HttpClient::Connect(host, port));
  FB_ASSIGN_OR_RETURN(HttpResult result,
                      client->Send(method, target, body,
                                   {{"Authorization", "Bearer " + std::string(bearer)},
                                    {"Content-Type", "application/json"}}));
  return ApiAnswer(result.status, result.body);
}

}  // namespace finbrain::server
