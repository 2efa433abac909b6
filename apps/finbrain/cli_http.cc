// One request to a running FinBrain server, for the subcommands that take --url.
#include <boost/json.hpp>

#include "apps/finbrain/cli.h"
#include "server/http_client.h"

namespace finbrain::cli {

StatusOr<std::string> CallServer(const std::string& url, std::string_view method,
                                 const std::string& path, const std::string& body,
                                 const std::string& bearer) {
  std::string host;
  std::uint16_t port = 0;
  FB_RETURN_IF_ERROR(server::ParseHttpUrl(url, host, port));
  FB_ASSIGN_OR_RETURN(auto client, server::HttpClient::Connect(host, port));
  FB_ASSIGN_OR_RETURN(
      server::HttpResult result,
      client->Send(method, path, body,
                   {{"Authorization", "Bearer " + bearer}, {"Content-Type", "application/json"}}));
  if (result.status < 400) return std::move(result.body);
  // The server's own message ({"error": {"message": ...}}) says what was wrong.
  std::string message = "server answered " + std::to_string(result.status);
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(result.body, ec);
  if (!ec && parsed.is_object()) {
    const boost::json::value* error = parsed.get_object().if_contains("error");
    const boost::json::value* text =
        error && error->is_object() ? error->get_object().if_contains("message") : nullptr;
    if (text && text->is_string()) message += ": " + std::string(text->get_string());
  }
  const StatusCode code = result.status == 404   ? StatusCode::kNotFound
                          : result.status == 400 ? StatusCode::kInvalidArgument
                                                 : StatusCode::kUnavailable;
  return Status(code, message);
}

}  // namespace finbrain::cli
