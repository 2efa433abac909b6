#include "common/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <random>

namespace finbrain {
namespace {

TEST(JsonText, WritesNumbersInShortestPlainForm) {
  boost::json::object o{{"auc", 0.8247619047619048},
                        {"rows", 200.0},
                        {"n", 3},
                        {"s", "a\"b"},
                        {"list", boost::json::array{1.5e-7, -2.0}},
                        {"nan", std::numeric_limits<double>::quiet_NaN()}};
  EXPECT_EQ(
      ToJsonText(o),
      R"({"auc":0.8247619047619048,"rows":200,"n":3,"s":"a\"b","list":[0.00000015,-2],"nan":null})");
  EXPECT_EQ(boost::json::parse(ToJsonText(o)).at("auc").as_double(), 0.8247619047619048);
}

// Strings are written exactly as Boost writes them; only numbers differ.
TEST(JsonText, WritesStringsAsBoostDoes) {
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    for (int n = int(rng() % 12); n > 0; --n) s += static_cast<char>(rng() % 128);
    s += "\xe6\x9d\xad\xe5\xb7\x9e";  // 杭州
    const boost::json::value v{{"k\n" + s, boost::json::array{s, 1, -2, true, nullptr}}};
    ASSERT_EQ(ToJsonText(v), boost::json::serialize(v)) << i;
    ASSERT_EQ(JsonString(s), boost::json::serialize(boost::json::string(s)));
  }
}

}  // namespace
}  // namespace finbrain
