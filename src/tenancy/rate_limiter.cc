#include "tenancy/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace finbrain::tenancy {

RateLimiter::Verdict RateLimiter::Admit(std::string_view tenant,
                                        const std::optional<RateLimit>& tenant_limit,
                                        TimeMicros now) {
  const RateLimit& limit = tenant_limit ? *tenant_limit : default_;
  if (limit.requests_per_second <= 0) return {};
  const double capacity = limit.burst > 0 ? limit.burst : std::max(1.0, limit.requests_per_second);

  std::lock_guard lock(mu_);
  auto it = buckets_.find(tenant);
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::string(tenant), Bucket{capacity, now}).first;
  }
  Bucket& bucket = it->second;
  // A clock that steps backwards must not mint tokens.
  const TimeMicros elapsed = std::max<TimeMicros>(0, now - bucket.updated);
  bucket.tokens = std::min(
      capacity, bucket.tokens + static_cast<double>(elapsed) * limit.requests_per_second / 1e6);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return {};
  }
  const double wait_seconds = (1.0 - bucket.tokens) / limit.requests_per_second;
  return {false, std::max(1, static_cast<int>(std::ceil(wait_seconds)))};
}

}  // namespace finbrain::tenancy
