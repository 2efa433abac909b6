#include "common/strings.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>

namespace finbrain {
namespace {

TEST(FormatNumber, PlainDecimalsThatReadBackExactly) {
  EXPECT_EQ(FormatNumber(0.0001), "0.0001");
  EXPECT_EQ(FormatNumber(1e6), "1000000");
  EXPECT_EQ(FormatNumber(0.125), "0.125");
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(200), "200");
  EXPECT_EQ(FormatNumber(-2.5), "-2.5");
  EXPECT_EQ(FormatNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(1e20), "100000000000000000000");
  // Beyond JavaScript's thresholds, an exponent.
  EXPECT_EQ(FormatNumber(1e21), "1e+21");
  EXPECT_EQ(FormatNumber(5e-8), "5e-08");
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::infinity()), "null");
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> exponent(-7, 21);
  for (int i = 0; i < 10'000; ++i) {
    const double v = std::pow(10.0, exponent(rng)) * (i % 2 ? 1 : -1);
    const std::string text = FormatNumber(v);
    ASSERT_EQ(text.find('e'), std::string::npos) << text;
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
  }
}

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
