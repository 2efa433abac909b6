#include "server/router.h"

#include "common/strings.h"

namespace finbrain::server {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = path.starts_with('/') ? 1 : 0;
  while (start <= path.size()) {
    const size_t end = path.find('/', start);
    const std::string_view segment =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end == std::string_view::npos) {
      if (!segment.empty()) segments.push_back(segment);
      break;
    }
    segments.push_back(segment);
    start = end + 1;
  }
  return segments;
}

void Router::Add(std::string_view method, std::string_view pattern) {
  Route route{std::string(method), std::string(pattern), {}};
  for (std::string_view s : SplitPath(pattern)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
}

StatusOr<RouteMatch> Router::Match(std::string_view method, std::string_view path,
                                   std::string* allowed) const {
  const std::vector<std::string_view> segments = SplitPath(path);
  bool path_known = false;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    if (route.segments.size() != segments.size()) continue;
    bool matches = true;
    for (size_t s = 0; s < segments.size() && matches; ++s) {
      const std::string& want = route.segments[s];
      const bool is_param = want.size() >= 2 && want.front() == '{' && want.back() == '}';
      matches = is_param ? !segments[s].empty() : segments[s] == want;
    }
    if (!matches) continue;
    if (route.method != method) {
      if (allowed != nullptr) {
        if (path_known) *allowed += ", ";
        *allowed += route.method;
      }
      path_known = true;
      continue;
    }
    RouteMatch match{i, {}};
    for (size_t s = 0; s < segments.size(); ++s) {
      const std::string& want = route.segments[s];
      if (want.front() != '{') continue;
      StatusOr<std::string> decoded = PercentDecode(segments[s]);
      if (!decoded.ok()) {
        return InvalidArgumentError(decoded.status().message(), want.substr(1, want.size() - 2));
      }
      match.params.push_back(std::move(*decoded));
    }
    return match;
  }
  if (path_known) {
    return FailedPreconditionError("method " + std::string(method) + " is not allowed on " +
                                   Quote(path) + "; allowed: " + (allowed ? *allowed : ""));
  }
  return NotFoundError("no route for " + std::string(method) + " " + Quote(path));
}

}  // namespace finbrain::server
