#include "common/strings.h"

#include <gtest/gtest.h>

#include <array>

namespace finbrain {
namespace {

TEST(Hex, RoundTrips) {
  const std::array<std::uint8_t, 4> bytes{0x00, 0x7f, 0xab, 0xff};
  EXPECT_EQ(HexEncode(bytes), "007fabff");
  EXPECT_EQ(HexDecode("007FABff").value(), std::string("\x00\x7f\xab\xff", 4));
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

TEST(Percent, DecodesAndRejectsBadEscapes) {
  EXPECT_EQ(PercentDecode("a%2Fb%20c+d").value(), "a/b c+d");
  EXPECT_EQ(PercentDecode("%E7%99%BD").value(), "\xE7\x99\xBD");
  EXPECT_FALSE(PercentDecode("abc%").ok());
  EXPECT_FALSE(PercentDecode("abc%4").ok());
  EXPECT_FALSE(PercentDecode("%zz").ok());
  EXPECT_EQ(PercentDecode(PercentEncode("1.2.3.4/24 +x")).value(), "1.2.3.4/24 +x");
}

TEST(Quote, EscapesControlBytesAndTruncates) {
  EXPECT_EQ(Quote("a\nb"), "'a\\x0ab'");
  EXPECT_EQ(Quote("abcdef", 3), "'abc...'");
}

TEST(SortableKey, IsFixedWidthAndOrdersLikeTheNumber) {
  EXPECT_EQ(SortableKey(0), "00000000000000000000");
  EXPECT_EQ(SortableKey(42), "00000000000000000042");
  EXPECT_EQ(SortableKey(UINT64_MAX), "18446744073709551615");
  EXPECT_LT(SortableKey(999), SortableKey(1000));
}

}  // namespace
}  // namespace finbrain
