#include "common/yaml_helpers.h"

#include <charconv>

#include "common/strings.h"

namespace finbrain {

StatusOr<YAML::Node> ParseYaml(std::string_view text) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("line " + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Status YamlError(const YAML::Node& node, const std::string& path, const std::string& what) {
  const YAML::Mark mark = node.Mark();
  std::string message;
  if (!mark.is_null()) {
    message += "line ";
    message += std::to_string(mark.line + 1);
    message += ":";
    message += std::to_string(mark.column + 1);
    message += ": ";
  }
  message += path;
  message += ": ";
  message += what;
  return InvalidArgumentError(std::move(message), path);
}

Status CheckKeys(const YAML::Node& node, const std::string& path,
                 const std::set<std::string>& allowed) {
  if (!node.IsMap()) return YamlError(node, path.empty() ? "document" : path, "must be a mapping");
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    if (!allowed.contains(key)) {
      return YamlError(entry.first, path.empty() ? key : path + "." + key,
                       "unknown key (expected one of: " + Join(allowed, ", ") + ")");
    }
  }
  return OkStatus();
}

std::pair<int, int> ScalarStart(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {1, 1};
  // yaml-cpp tags quoted scalars "!" and plain ones "?": a quote precedes the text.
  const int quote = node.Tag() == "!" ? 1 : 0;
  return {mark.line + 1, mark.column + 1 + quote};
}

StatusOr<TimeMicros> ParseDuration(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgumentError(Quote(text) + " is not a duration (use e.g. 30s, 5m, 1h, 7d)");
  };
  if (text.size() < 2) return bad();
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || end != text.data() + text.size() - 1 || n <= 0) return bad();
  constexpr TimeMicros kSecond = 1'000'000;
  TimeMicros unit = 0;
  switch (text.back()) {
    case 's':
      unit = kSecond;
      break;
    case 'm':
      unit = 60 * kSecond;
      break;
    case 'h':
      unit = 3600 * kSecond;
      break;
    case 'd':
      unit = 86400 * kSecond;
      break;
    case 'w':
      unit = 7 * 86400 * kSecond;
      break;
    default:
      return bad();
  }
  if (n > TimeMicros{100} * 365 * 86400 * kSecond / unit) return bad();
  return n * unit;
}

std::string FormatDuration(TimeMicros duration) {
  constexpr TimeMicros kSecond = 1'000'000;
  static constexpr std::pair<TimeMicros, char> kUnits[] = {{7 * 86400 * kSecond, 'w'},
                                                           {86400 * kSecond, 'd'},
                                                           {3600 * kSecond, 'h'},
                                                           {60 * kSecond, 'm'}};
  for (const auto& [unit, suffix] : kUnits) {
    if (duration % unit == 0) return std::to_string(duration / unit) + suffix;
  }
  return std::to_string(duration / kSecond) + "s";
}

}  // namespace finbrain
