// Router: matches a method and a path against route templates like
// "/v1/lists/{list}/{entity_type}/{value}".
//
// Each "{name}" matches one path segment; the segment is percent-decoded, so "%2F" inside a
// value never splits it. An unknown path answers 404, a known path with another method 405
// with the allowed methods.
//
// Thread-safety: build the router first (Add), then Match concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace finbrain::server {

struct RouteMatch {
  size_t route_index = 0;           // the order in which the route was added
  std::vector<std::string> params;  // decoded, in template order
};

class Router {
 public:
  // Adds a route. REQUIRES: `pattern` starts with '/'.
  void Add(std::string_view method, std::string_view pattern);

  // kNotFound for an unknown path; kFailedPrecondition (used for 405) when the path exists with
  // other methods, with `allowed` set to them ("GET, PUT"); kInvalidArgument for a bad
  // percent-escape.
  StatusOr<RouteMatch> Match(std::string_view method, std::string_view path,
                             std::string* allowed) const;

  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
  };
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Splits "/a/b/c" into {"a","b","c"} without decoding. An empty path gives {}.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace finbrain::server
