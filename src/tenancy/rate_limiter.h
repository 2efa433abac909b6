// RateLimiter: a token bucket per tenant.
//
// Each tenant may make `requests_per_second` requests on average with bursts up to `burst`.
// A refused request learns how long to wait (for the HTTP Retry-After header).
//
// Example:
//   RateLimiter limiter({.requests_per_second = 1000, .burst = 2000});
//   auto verdict = limiter.Admit("acme", std::nullopt, clock.NowMicros());
//   if (!verdict.allowed) reply 429 with Retry-After: verdict.retry_after_seconds
//
// Thread-safety: Admit may be called concurrently.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace finbrain::tenancy {

struct RateLimit {
  double requests_per_second = 0;  // 0 disables limiting
  double burst = 0;                // bucket size; defaults to one second's worth when 0
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit default_limit) : default_(default_limit) {}

  struct Verdict {
    bool allowed = true;
    int retry_after_seconds = 0;  // whole seconds, at least 1, when refused
  };

  // Takes one token from `tenant`'s bucket. `tenant_limit` overrides the default when set.
  Verdict Admit(std::string_view tenant, const std::optional<RateLimit>& tenant_limit,
                TimeMicros now);

 private:
  struct Bucket {
    double tokens = 0;
    TimeMicros updated = 0;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  const RateLimit default_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> buckets_;
};

}  // namespace finbrain::tenancy
