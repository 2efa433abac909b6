// Where subcommands send their API requests: a server over HTTP, or the API in-process on a
// data directory.
#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "server/api.h"
#include "server/http_client.h"

namespace finbrain::cli {
namespace {

// An HTTP answer as a Status: the API's own message and field say what was wrong.
StatusOr<std::string> Answer(int status, std::string body) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (status < 400) {
    if (ec) return InternalError("the API answered invalid JSON");
    return ToJsonText(parsed);
  }
  std::string message = "the API answered " + std::to_string(status);
  std::string field;
  const boost::json::object* error = nullptr;
  if (!ec && parsed.is_object()) {
    if (const boost::json::value* e = parsed.get_object().if_contains("error")) {
      error = e->if_object();
    }
  }
  if (error != nullptr) {
    if (const auto* m = error->if_contains("message"); m && m->is_string()) {
      message = std::string(m->get_string());
    }
    if (const auto* f = error->if_contains("field"); f && f->is_string()) {
      field = std::string(f->get_string());
    }
  }
  const StatusCode code = status == 400   ? StatusCode::kInvalidArgument
                          : status == 404 ? StatusCode::kNotFound
                          : status == 409 ? StatusCode::kFailedPrecondition
                          : status == 401 ? StatusCode::kUnauthenticated
                          : status == 403 ? StatusCode::kPermissionDenied
                                          : StatusCode::kUnavailable;
  return Status(code, message, field);
}

// The API over a data directory, opened at the first request of a command.
struct Local {
  std::string data_dir;
  std::unique_ptr<runtime::Runtime> runtime;
  tenancy::RateLimiter limiter{{.requests_per_second = 0}};
  server::HttpMetrics metrics;
  std::unique_ptr<server::Api> api;
};
std::unique_ptr<Local>& TheLocal() {
  static std::unique_ptr<Local> local;
  return local;
}

StatusOr<Local*> OpenLocal(const std::string& data_dir) {
  std::unique_ptr<Local>& local = TheLocal();
  if (local && local->data_dir == data_dir) return local.get();
  CloseLocalRuntime();
  auto opened = std::make_unique<Local>();
  opened->data_dir = data_dir;
  FB_ASSIGN_OR_RETURN(opened->runtime, runtime::Runtime::Open({.data_dir = data_dir}));
  opened->api = std::make_unique<server::Api>(*opened->runtime, opened->limiter, opened->metrics,
                                              server::ApiOptions{});
  local = std::move(opened);
  return local.get();
}

Status CheckTarget(const Target& t) {
  if (t.url.empty() == t.data_dir.empty()) {
    return InvalidArgumentError(
        t.admin ? "give either --url (with the admin token) or --data-dir"
                : "give either --url (with --api-key) or --data-dir (with --tenant)");
  }
  if (!t.url.empty() && t.key.empty()) {
    return t.admin ? InvalidArgumentError(
                         "--url needs the admin token: set FINBRAIN_ADMIN_TOKEN or --admin-token",
                         "admin-token")
                   : InvalidArgumentError("--url needs --api-key (or FINBRAIN_API_KEY)", "api-key");
  }
  if (!t.admin && !t.data_dir.empty() && t.tenant.empty()) {
    return InvalidArgumentError("--data-dir needs --tenant", "tenant");
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::string> CallServer(const std::string& url, const ApiCall& call,
                                 const std::string& bearer) {
  std::string host;
  std::uint16_t port = 0;
  FB_RETURN_IF_ERROR(server::ParseHttpUrl(url, host, port));
  FB_ASSIGN_OR_RETURN(auto client, server::HttpClient::Connect(host, port));
  FB_ASSIGN_OR_RETURN(
      server::HttpResult result,
      client->Send(call.method, call.path, call.body,
                   {{"Authorization", "Bearer " + bearer}, {"Content-Type", "application/json"}}));
  return Answer(result.status, std::move(result.body));
}

StatusOr<std::string> CallApi(const Target& t, const ApiCall& call) {
  FB_RETURN_IF_ERROR(CheckTarget(t));
  if (!t.url.empty()) return CallServer(t.url, call, t.key);
  FB_ASSIGN_OR_RETURN(Local * local, OpenLocal(t.data_dir));
  server::HttpRequest request;
  request.method = call.method;
  const size_t q = call.path.find('?');
  request.path = call.path.substr(0, q);
  if (q != std::string::npos) request.query = call.path.substr(q + 1);
  request.body = call.body;
  std::promise<server::HttpResponse> answered;
  local->api->HandleTrusted(
      std::move(request), {.tenant = t.admin ? "" : t.tenant},
      [&answered](server::HttpResponse r) { answered.set_value(std::move(r)); });
  server::HttpResponse response = answered.get_future().get();
  return Answer(response.status, std::move(response.body));
}

Status CallApiAndPrint(const Target& target, const ApiCall& call) {
  FB_ASSIGN_OR_RETURN(std::string answer, CallApi(target, call));
  std::cout << answer << "\n";
  return OkStatus();
}

StatusOr<runtime::Runtime*> LocalRuntime(const std::string& data_dir) {
  FB_ASSIGN_OR_RETURN(Local * local, OpenLocal(data_dir));
  return local->runtime.get();
}

void CloseLocalRuntime() {
  std::unique_ptr<Local>& local = TheLocal();
  if (!local) return;
  local->api.reset();
  local->runtime->FlushLiveCounts(SystemClock().NowMicros());
  local.reset();  // drains the commit queue
}

void AddTargetOptions(CLI::App* cmd, Target& t) {
  cmd->add_option("--url", t.url, "Server URL, e.g. http://127.0.0.1:8080");
  cmd->add_option("--api-key", t.key, "Tenant API key for --url")->envname("FINBRAIN_API_KEY");
  cmd->add_option("--data-dir", t.data_dir, "Data directory, when no server holds it");
  cmd->add_option("--tenant", t.tenant, "Tenant, with --data-dir");
}

void AddAdminTargetOptions(CLI::App* cmd, Target& t) {
  t.admin = true;
  cmd->add_option("--url", t.url, "Server URL (uses the admin API), e.g. http://127.0.0.1:8080");
  cmd->add_option("--data-dir", t.data_dir,
                  "Data directory, when no server holds it (default: the configuration's)");
  cmd->add_option("--admin-token", t.key, "Admin token for --url")->envname("FINBRAIN_ADMIN_TOKEN");
}

StatusOr<std::string> ReadFile(const std::string& path, std::string_view field) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read '" + path + "'", std::string(field));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace finbrain::cli
