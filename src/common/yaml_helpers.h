// Helpers for FinBrain's YAML documents (train specs, feature sets, strategies): errors that
// name line:column and the key path, strict key checks, typed reads.
//
// Example:
//   FB_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text));
//   FB_RETURN_IF_ERROR(CheckKeys(root, "", {"features", "lateness"}));
//   int n = 0;
//   FB_RETURN_IF_ERROR(ReadScalar(root, "max", "", n));
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace finbrain {

// Parses a YAML document; syntax errors become kInvalidArgument with line:column.
StatusOr<YAML::Node> ParseYaml(std::string_view text);

// kInvalidArgument "line L:C: <path>: <what>" with `path` as the error's field.
Status YamlError(const YAML::Node& node, const std::string& path, const std::string& what);

// Every key of the mapping `node` must be in `allowed`.
Status CheckKeys(const YAML::Node& node, const std::string& path,
                 const std::set<std::string>& allowed);

// Reads parent[key] into `out` when present; a value of the wrong type is an error.
template <typename T>
Status ReadScalar(const YAML::Node& parent, const std::string& key, const std::string& path,
                  T& out) {
  const YAML::Node node = parent[key];
  if (!node) return OkStatus();
  try {
    out = node.as<T>();
  } catch (const YAML::Exception&) {
    return YamlError(node, path.empty() ? key : path + "." + key, "has the wrong type");
  }
  return OkStatus();
}

// The line and column (1-based) where a scalar's text starts (after an opening quote).
std::pair<int, int> ScalarStart(const YAML::Node& node);

// "30s", "5m", "1h", "7d" (also "90d", "2w") as microseconds; kInvalidArgument otherwise.
StatusOr<TimeMicros> ParseDuration(std::string_view text);
// The shortest of those forms for a duration that ParseDuration accepts.
std::string FormatDuration(TimeMicros duration);

}  // namespace finbrain
