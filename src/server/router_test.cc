#include "server/router.h"

#include <gtest/gtest.h>

namespace finbrain::server {
namespace {

TEST(Router, MatchesTemplatesAndDecodesParams) {
  Router router;
  router.Add("GET", "/healthz");
  router.Add("PUT", "/v1/lists/{list}/{entity_type}/{value}");
  router.Add("GET", "/v1/lists/{list}/{entity_type}/{value}");
  router.Add("GET", "/v1/lists/{list}/{entity_type}");
  auto m = router.Match("GET", "/v1/lists/blacklist/address/a%2Fb%20c", nullptr).value();
  EXPECT_EQ(m.route_index, 2u);
  EXPECT_EQ(m.params, (std::vector<std::string>{"blacklist", "address", "a/b c"}));
  EXPECT_EQ(router.Match("GET", "/v1/lists/blacklist/ip", nullptr)->route_index, 3u);
  EXPECT_EQ(router.Match("GET", "/healthz", nullptr)->route_index, 0u);
}

TEST(Router, UnknownPathIs404AndWrongMethodListsAllowed) {
  Router router;
  router.Add("PUT", "/v1/x/{id}");
  router.Add("GET", "/v1/x/{id}");
  EXPECT_EQ(router.Match("GET", "/v1/y/1", nullptr).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(router.Match("GET", "/v1/x", nullptr).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(router.Match("GET", "/v1/x//", nullptr).status().code(), StatusCode::kNotFound);
  std::string allowed;
  auto m = router.Match("POST", "/v1/x/1", &allowed);
  EXPECT_EQ(m.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(allowed, "PUT, GET");
  EXPECT_EQ(router.Match("GET", "/v1/x/%zz", nullptr).status().field(), "id");
}

TEST(SplitPath, HandlesEdges) {
  EXPECT_TRUE(SplitPath("/").empty());
  EXPECT_TRUE(SplitPath("").empty());
  EXPECT_EQ(SplitPath("/a/b/").size(), 2u);
  EXPECT_EQ(SplitPath("/a//b").size(), 3u);
}

}  // namespace
}  // namespace finbrain::server
