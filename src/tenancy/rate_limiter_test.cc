#include "tenancy/rate_limiter.h"

#include <gtest/gtest.h>

namespace finbrain::tenancy {
namespace {

TEST(RateLimiter, AllowsBurstThenRefillsAtRate) {
  RateLimiter limiter({.requests_per_second = 10, .burst = 5});
  TimeMicros now = 1'000'000;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Admit("a", std::nullopt, now).allowed) << i;
  RateLimiter::Verdict refused = limiter.Admit("a", std::nullopt, now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 1);
  now += 100'000;  // one token at 10/s
  EXPECT_TRUE(limiter.Admit("a", std::nullopt, now).allowed);
  EXPECT_FALSE(limiter.Admit("a", std::nullopt, now).allowed);
}

TEST(RateLimiter, TenantsHaveSeparateBucketsAndOverrides) {
  RateLimiter limiter({.requests_per_second = 1, .burst = 1});
  EXPECT_TRUE(limiter.Admit("a", std::nullopt, 0).allowed);
  EXPECT_FALSE(limiter.Admit("a", std::nullopt, 0).allowed);
  EXPECT_TRUE(limiter.Admit("b", std::nullopt, 0).allowed);
  const RateLimit generous{.requests_per_second = 100, .burst = 3};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("c", generous, 0).allowed);
  EXPECT_FALSE(limiter.Admit("c", generous, 0).allowed);
}

TEST(RateLimiter, SlowRatesAskForLongerWaitsAndZeroDisables) {
  RateLimiter slow({.requests_per_second = 0.2, .burst = 1});
  EXPECT_TRUE(slow.Admit("a", std::nullopt, 0).allowed);
  EXPECT_EQ(slow.Admit("a", std::nullopt, 0).retry_after_seconds, 5);
  RateLimiter off({.requests_per_second = 0, .burst = 0});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(off.Admit("a", std::nullopt, 0).allowed);
}

TEST(RateLimiter, ClockGoingBackwardsMintsNoTokens) {
  RateLimiter limiter({.requests_per_second = 1, .burst = 1});
  EXPECT_TRUE(limiter.Admit("a", std::nullopt, 10'000'000).allowed);
  EXPECT_FALSE(limiter.Admit("a", std::nullopt, 0).allowed);
  EXPECT_FALSE(limiter.Admit("a", std::nullopt, 10'500'000).allowed);
  EXPECT_TRUE(limiter.Admit("a", std::nullopt, 11'000'000).allowed);
}

}  // namespace
}  // namespace finbrain::tenancy
