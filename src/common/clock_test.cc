#include "common/clock.h"

#include <gtest/gtest.h>

namespace finbrain {
namespace {

TEST(Rfc3339, ParsesUtcAndOffsets) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseRfc3339("1970-01-01T08:00:00+08:00").value(), 0);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:00:00-01:00").value(), 0);
  EXPECT_EQ(ParseRfc3339("2000-03-01t00:00:00.25z").value(), 951868800LL * 1000000 + 250000);
  EXPECT_EQ(ParseRfc3339("2026-11-26 13:29:54Z").value(), 1795699794LL * 1000000);
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad : {"", "2026-11-26", "2026-11-26T13:29:54", "2026-02-30T00:00:00Z",
                          "2026-11-26T25:00:00Z", "2026-11-26T13:29:54.Z", "tomorrow",
                          "2026-11-26T13:29:54Zjunk", "2026-11-26T13:29:54+8:00"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(Rfc3339, FormatRoundTrips) {
  for (TimeMicros t : {TimeMicros{0}, TimeMicros{1795699794123000}, TimeMicros{1795699794123456},
                       TimeMicros{-86400000000}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)).value(), t) << FormatRfc3339(t);
  }
  EXPECT_EQ(FormatRfc3339(1795699794123000), "2026-11-26T13:29:54.123Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1795699794000001), "2026-11-26T13:29:54.000001Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339(253402300799000000), "9999-12-31T23:59:59Z");
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock clock(100);
  EXPECT_EQ(clock.NowMicros(), 100);
  clock.AdvanceMicros(50);
  EXPECT_EQ(clock.NowMicros(), 150);
  EXPECT_GT(SystemClock().NowMicros(), ParseRfc3339("2020-01-01T00:00:00Z").value());
}

}  // namespace
}  // namespace finbrain
