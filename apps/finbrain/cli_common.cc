// What the subcommands share: where their API requests go (a server over HTTP, or the API
// in-process on a data directory) and how their arguments are declared.
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

#include "apps/finbrain/cli.h"
#include "common/entity_types.h"
#include "common/strings.h"
#include "server/api.h"
#include "server/http_client.h"

namespace finbrain::cli {
namespace {

// The API over a data directory, opened at the first request of a command.
struct Local {
  std::string data_dir;
  std::unique_ptr<runtime::Runtime> runtime;
  tenancy::RateLimiter limiter{{.requests_per_second = 0}};
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
  opened->api =
      std::make_unique<server::Api>(*opened->runtime, opened->limiter, server::ApiOptions{});
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

StatusOr<std::string> CallApi(const Target& t, const ApiCall& call) {
  FB_RETURN_IF_ERROR(CheckTarget(t));
  if (!t.url.empty())
    return server::CallFinbrainApi(t.url, call.method, call.path, call.body, t.key);
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
  return server::ApiAnswer(response.status, response.body);
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

StatusOr<std::string> ReadFile(const std::string& path, std::string_view field) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read '" + path + "'", std::string(field));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Args::operator[](const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

double Args::Number(const std::string& name) const {
  const std::string text = (*this)[name];
  return text.empty() ? 0 : std::stod(text);
}

const std::vector<std::string>& Args::List(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = lists.find(name);
  return it == lists.end() ? kNone : it->second;
}

StatusOr<std::map<std::string, std::string>> Args::Assignments(const std::string& name) const {
  std::map<std::string, std::string> out;
  for (const std::string& item : List(name)) {
    const size_t eq = item.find('=');
    const std::string type = item.substr(0, std::min(eq, item.size()));
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size() ||
        (!IsEntityType(type) && type.find("[].") == std::string::npos)) {
      return InvalidArgumentError(
          "--" + name + " takes TYPE=VALUE with an entity type, not " + Quote(item), name);
    }
    out[type] = item.substr(eq + 1);
  }
  return out;
}

CLI::App* Commands::Group(const std::string& name, const std::string& about) {
  for (CLI::App* existing : app_.get_subcommands({})) {
    if (existing->get_name() == name) return existing;
  }
  CLI::App* group = app_.add_subcommand(name, about);
  group->require_subcommand(1);
  return group;
}

CLI::App* Commands::Add(CLI::App* parent, const std::string& name, const std::string& about,
                        std::vector<Arg> args, Targets targets, Run run) {
  CLI::App* cmd = (parent != nullptr ? parent : &app_)->add_subcommand(name, about);
  auto a = std::make_shared<Args>();
  for (Arg& arg : args) {
    const std::string key = arg.name.substr(arg.name.find_first_not_of('-'));
    CLI::Option* option = nullptr;
    if (arg.flag) {
      option = cmd->add_flag_callback(
          arg.name, [a, key] { a->values[key] = "true"; }, arg.help);
    } else if (arg.separator != 0) {
      option = cmd->add_option(arg.name, a->lists[key], arg.help);
      if (arg.separator != '\n') option->delimiter(arg.separator);
    } else {
      a->values[key] = arg.fallback;
      option = cmd->add_option(arg.name, a->values[key], arg.help);
      if (!arg.fallback.empty()) option->capture_default_str();
    }
    if (arg.required) option->required();
    option->check(arg.check);
  }
  if (targets == Targets::kTenant) {
    cmd->add_option("--url", a->url, "Server URL, e.g. http://127.0.0.1:8080");
    cmd->add_option("--api-key", a->key, "Tenant API key for --url")->envname("FINBRAIN_API_KEY");
    cmd->add_option("--data-dir", a->data_dir, "Data directory, when no server holds it");
    cmd->add_option("--tenant", a->tenant, "Tenant, with --data-dir");
  } else if (targets == Targets::kAdmin) {
    a->admin = true;
    cmd->add_option("--url", a->url, "Server URL (the admin API), e.g. http://127.0.0.1:8080");
    cmd->add_option("--data-dir", a->data_dir,
                    "Data directory, when no server holds it (default: the configuration's)");
    cmd->add_option("--admin-token", a->key, "Admin token for --url")
        ->envname("FINBRAIN_ADMIN_TOKEN");
  }
  cmd->callback([this, a, run = std::move(run)] { run_ = [a, run] { return run(*a); }; });
  return cmd;
}

CLI::App* Commands::Api(CLI::App* parent, const std::string& name, const std::string& about,
                        std::vector<Arg> args,
                        std::function<StatusOr<ApiCall>(const Args&)> request) {
  const Targets targets =
      parent != nullptr && (parent->get_name() == "tenant" || parent->get_name() == "key")
          ? Targets::kAdmin
          : Targets::kTenant;
  return Add(parent, name, about, std::move(args), targets,
             [this, request = std::move(request)](Args& a) -> Status {
               FB_ASSIGN_OR_RETURN(ApiCall call, request(a));
               if (a.admin && a.url.empty() && a.data_dir.empty()) {
                 FB_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(*this));
                 a.data_dir = config.data_dir;
               }
               return CallApiAndPrint(a, call);
             });
}

StatusOr<server::ServerConfig> LoadConfig(const Commands& c) {
  return server::LoadServerConfig(c.config_path, server::EnvFromProcess());
}

}  // namespace finbrain::cli
