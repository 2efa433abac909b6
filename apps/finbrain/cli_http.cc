// One request to a running FinBrain server, for the subcommands that take --url.
#include <boost/json.hpp>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
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

void AddTargetOptions(CLI::App* cmd, Target& t) {
  cmd->add_option("--url", t.url, "Server URL, e.g. http://127.0.0.1:8080");
  cmd->add_option("--api-key", t.api_key, "Tenant API key for --url")->envname("FINBRAIN_API_KEY");
  cmd->add_option("--data-dir", t.data_dir, "Data directory, when no server holds it");
  cmd->add_option("--tenant", t.tenant, "Tenant, with --data-dir");
}

Status CheckTarget(const Target& t) {
  if (t.url.empty() == t.data_dir.empty()) {
    return InvalidArgumentError("give either --url (with --api-key) or --data-dir (with --tenant)");
  }
  if (!t.url.empty() && t.api_key.empty()) {
    return InvalidArgumentError("--url needs --api-key (or FINBRAIN_API_KEY)", "api-key");
  }
  if (!t.data_dir.empty() && t.tenant.empty()) {
    return InvalidArgumentError("--data-dir needs --tenant", "tenant");
  }
  return OkStatus();
}

StatusOr<std::string> CallTarget(const Target& t, std::string_view method, const std::string& path,
                                 const std::string& body) {
  FB_ASSIGN_OR_RETURN(std::string answer, CallServer(t.url, method, path, body, t.api_key));
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(answer, ec);
  if (ec) return InternalError("server sent invalid JSON");
  return ToJsonText(parsed);
}

}  // namespace finbrain::cli
