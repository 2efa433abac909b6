#include "server/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "common/logging.h"
#include "common/strings.h"

namespace finbrain::server {

std::string DefaultConsoleDir() { return FINBRAIN_CONSOLE_DIR; }
namespace {

using Setter = Status (*)(ServerConfig&, std::string_view);

template <typename T>
Status ParseNumber(std::string_view text, T min, T max, T& out) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgumentError(Quote(text) + " is not a number");
  }
  if (value < min || value > max) {
    return InvalidArgumentError(Quote(text) + " is out of range [" + std::to_string(min) + ", " +
                                std::to_string(max) + "]");
  }
  out = value;
  return OkStatus();
}

Status ParseBool(std::string_view text, bool& out) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") {
    out = true;
  } else if (text == "false" || text == "0" || text == "no" || text == "off") {
    out = false;
  } else {
    return InvalidArgumentError(Quote(text) + " is not a boolean (true/false)");
  }
  return OkStatus();
}

struct Key {
  const char* path;
  const char* env;
  Setter set;
};

const Key kKeys[] = {
    {"data_dir", "FINBRAIN_DATA_DIR",
     [](ServerConfig& c, std::string_view v) {
       if (v.empty()) return InvalidArgumentError("must not be empty");
       c.data_dir = std::string(v);
       return OkStatus();
     }},
    {"server.listen", "FINBRAIN_LISTEN",
     [](ServerConfig& c, std::string_view v) {
       return ParseListen(v, c.listen_host, c.listen_port);
     }},
    {"server.io_threads", "FINBRAIN_IO_THREADS",
     [](ServerConfig& c, std::string_view v) { return ParseNumber(v, 1, 256, c.io_threads); }},
    {"server.max_body_bytes", "FINBRAIN_MAX_BODY_BYTES",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber<size_t>(v, 1024, size_t{1} << 30, c.max_body_bytes);
     }},
    {"server.max_header_bytes", "FINBRAIN_MAX_HEADER_BYTES",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber<size_t>(v, 1024, size_t{1} << 20, c.max_header_bytes);
     }},
    {"server.request_timeout_ms", "FINBRAIN_REQUEST_TIMEOUT_MS",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber(v, 100, 3'600'000, c.request_timeout_ms);
     }},
    {"server.shutdown_grace_ms", "FINBRAIN_SHUTDOWN_GRACE_MS",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber(v, 0, 3'600'000, c.shutdown_grace_ms);
     }},
    // Deprecated: storage.durability (true: sync, false: process).
    {"storage.sync_writes", "FINBRAIN_SYNC_WRITES",
     [](ServerConfig& c, std::string_view v) {
       bool sync = true;
       FB_RETURN_IF_ERROR(ParseBool(v, sync));
       c.durability = sync ? storage::Durability::kSync : storage::Durability::kProcess;
       return OkStatus();
     }},
    {"storage.durability", "FINBRAIN_DURABILITY",
     [](ServerConfig& c, std::string_view v) -> Status {
       FB_ASSIGN_OR_RETURN(c.durability, storage::ParseDurability(v));
       return OkStatus();
     }},
    {"storage.sync_interval_ms", "FINBRAIN_SYNC_INTERVAL_MS",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber(v, 1, 1000, c.sync_interval_ms);
     }},
    {"storage.snapshot_every_events", "FINBRAIN_SNAPSHOT_EVERY_EVENTS",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber<std::uint64_t>(v, 1, std::uint64_t{1} << 40, c.snapshot_every_events);
     }},
    {"storage.stats_flush_ms", "FINBRAIN_STATS_FLUSH_MS",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber(v, 100, 3'600'000, c.stats_flush_ms);
     }},
    {"security.admin_token", "FINBRAIN_ADMIN_TOKEN",
     [](ServerConfig& c, std::string_view v) {
       if (!v.empty() && v.size() < 16) {
         return InvalidArgumentError("admin token must have at least 16 characters");
       }
       c.admin_token = std::string(v);
       return OkStatus();
     }},
    {"rate_limit.requests_per_second", "FINBRAIN_RATE_LIMIT_RPS",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber(v, 0.0, 1e9, c.rate_limit_rps);
     }},
    {"rate_limit.burst", "FINBRAIN_RATE_LIMIT_BURST",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber(v, 0.0, 1e9, c.rate_limit_burst);
     }},
    {"graph.analysis_interval_s", "FINBRAIN_GRAPH_ANALYSIS_INTERVAL_S",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber(v, 0, 30 * 86'400, c.graph_analysis_interval_s);
     }},
    {"graph.greylist_threshold", "FINBRAIN_GRAPH_GREYLIST_THRESHOLD",
     [](ServerConfig& c, std::string_view v) {
       return ParseNumber(v, 0.0, 1.0, c.graph_greylist_threshold);
     }},
    {"console.dir", "FINBRAIN_CONSOLE_DIR",
     [](ServerConfig& c, std::string_view v) {
       c.console_dir = std::string(v);
       return OkStatus();
     }},
    {"log.level", "FINBRAIN_LOG_LEVEL",
     [](ServerConfig& c, std::string_view v) {
       for (std::string_view level : {"trace", "debug", "info", "warn", "error", "off"}) {
         if (v == level) {
           c.log_level = std::string(v);
           return OkStatus();
         }
       }
       return InvalidArgumentError(Quote(v) +
                                   " is not a log level (trace, debug, info, warn, error, off)");
     }},
};

Status ApplyYamlNode(ServerConfig& config, const YAML::Node& node, const std::string& prefix,
                     const std::string& file) {
  if (!node.IsMap()) {
    return InvalidArgumentError(
        file + ": " + (prefix.empty() ? "the document" : Quote(prefix)) + " must be a mapping",
        prefix);
  }
  for (const auto& item : node) {
    const std::string key =
        prefix.empty() ? item.first.as<std::string>() : prefix + "." + item.first.as<std::string>();
    if (item.second.IsMap()) {
      FB_RETURN_IF_ERROR(ApplyYamlNode(config, item.second, key, file));
      continue;
    }
    if (!item.second.IsScalar()) {
      return InvalidArgumentError(file + ": " + key + " must be a single value", key);
    }
    Status applied = ApplyConfigValue(config, key, item.second.Scalar());
    if (!applied.ok()) {
      return Status(
          applied.code(),
          file + ":" + std::to_string(item.second.Mark().line + 1) + ": " + applied.message(), key);
    }
  }
  return OkStatus();
}

}  // namespace

EnvLookup EnvFromProcess() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Status ParseListen(std::string_view text, std::string& host, std::uint16_t& port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError(Quote(text) + " is not HOST:PORT (e.g. 127.0.0.1:8080)");
  }
  std::string_view h = text.substr(0, colon);
  if (h.starts_with('[') && h.ends_with(']')) h = h.substr(1, h.size() - 2);
  int p = 0;
  Status port_ok = ParseNumber(text.substr(colon + 1), 0, 65535, p);
  if (!port_ok.ok()) return InvalidArgumentError("port " + port_ok.message());
  host = h.empty() ? "0.0.0.0" : std::string(h);
  port = static_cast<std::uint16_t>(p);
  return OkStatus();
}

Status ApplyConfigValue(ServerConfig& config, std::string_view key, std::string_view value) {
  for (const Key& k : kKeys) {
    if (key == k.path) {
      Status s = k.set(config, value);
      if (!s.ok())
        return InvalidArgumentError(std::string(key) + ": " + s.message(), std::string(key));
      return OkStatus();
    }
  }
  return InvalidArgumentError("unknown config key " + Quote(key), std::string(key));
}

std::vector<std::pair<std::string, std::string>> ConfigKeys() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Key& k : kKeys) out.emplace_back(k.path, k.env);
  return out;
}

StatusOr<ServerConfig> LoadServerConfig(const std::string& yaml_path, const EnvLookup& env) {
  ServerConfig config;
  if (!yaml_path.empty()) {
    if (!std::filesystem::exists(yaml_path)) {
      return InvalidArgumentError("config file " + Quote(yaml_path, 200) + " does not exist",
                                  "config");
    }
    try {
      const YAML::Node root = YAML::LoadFile(yaml_path);
      if (!root.IsNull()) FB_RETURN_IF_ERROR(ApplyYamlNode(config, root, "", yaml_path));
    } catch (const YAML::Exception& e) {
      return InvalidArgumentError(yaml_path + ": invalid YAML: " + e.what(), "config");
    }
  }
  for (const Key& k : kKeys) {
    if (std::optional<std::string> value = env(k.env)) {
      Status s = ApplyConfigValue(config, k.path, *value);
      if (!s.ok())
        return InvalidArgumentError(
            "environment variable " + std::string(k.env) + ": " + s.message(), k.env);
    }
  }
  return config;
}

}  // namespace finbrain::server
