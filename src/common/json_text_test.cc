#include "common/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

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
      R"({"auc":0.8247619047619048,"rows":200,"n":3,"s":"a\"b","list":[1.5e-07,-2],"nan":null})");
  EXPECT_EQ(boost::json::parse(ToJsonText(o)).at("auc").as_double(), 0.8247619047619048);
}

}  // namespace
}  // namespace finbrain
