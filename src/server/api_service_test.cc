// /v1/service: knowledge bases published, versioned, audited and isolated per tenant; sentiment.
#include <gmock/gmock.h>

#include "server/internal/api_test_fixture.h"

namespace finbrain::server {
namespace {

using ::testing::HasSubstr;

constexpr const char* kKb =
    "id,question,answer,alternatives\n"
    "repay,怎么还款,在App里还款,如何还钱|在哪里还款|还款方式有哪些\n"
    "limit,怎么提高额度,按时还款,怎样提额|额度太低了能不能提高\n"
    "bad row,问题,答案,\n"
    "refund,退款多久到账,1到3个工作日,退款什么时候到|退货后多久退钱\n";

TEST_F(ApiTest, AKbIsPublishedAsANewVersionWithItsBadRowsReported) {
  const std::string key = NewTenant("acme");
  HttpResponse r = Call("PUT", "/v1/service/kb", kKb, key);
  ASSERT_EQ(r.status, 201) << r.body;
  json::object v = json::parse(r.body).as_object();
  EXPECT_EQ(v.at("version").to_number<int>(), 1);
  EXPECT_EQ(v.at("entries").to_number<int>(), 3);
  EXPECT_TRUE(v.at("active").as_bool());
  EXPECT_TRUE(v.at("answers").as_bool());
  EXPECT_GT(v.at("calibration_messages").to_number<int>(), 8);
  const json::array& rejected = v.at("rejected").as_array();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].at("line").to_number<int>(), 4);
  EXPECT_EQ(rejected[0].at("field").as_string(), "id");

  // The JSON form; the first version stays readable.
  r = Call(
      "PUT", "/v1/service/kb",
      R"({"entries":[{"id":"only","question":"怎么还款","answer":"App","alternatives":["如何还钱"]}]})",
      key);
  ASSERT_EQ(r.status, 201) << r.body;
  r = Call("GET", "/v1/service/kb", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("version").to_number<int>(), 2);
  EXPECT_EQ(json::parse(r.body).at("entries").as_array().size(), 1u);
  r = Call("GET", "/v1/service/kb?version=1", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("entries").as_array()[1].at("id").as_string(), "limit");
  r = Call("GET", "/v1/service/kb/versions", "", key);
  ASSERT_EQ(json::parse(r.body).at("versions").as_array().size(), 2u);

  // Another tenant sees none of it.
  const std::string other = NewTenant("globex");
  EXPECT_EQ(Call("GET", "/v1/service/kb", "", other).status, 404);

  // Audited: both publications and their activations are in the tenant's audit chain.
  std::vector<std::string> entities;
  ASSERT_TRUE(runtime_->audit
                  ->Scan(0, "acme",
                         [&](const tenancy::AuditEntry& e) {
                           entities.push_back(e.entity);
                           return true;
                         })
                  .ok());
  EXPECT_THAT(entities, ::testing::Contains(HasSubstr("kb/kb/v1")));
  EXPECT_THAT(entities, ::testing::Contains(HasSubstr("kb/kb/v2")));
}

TEST_F(ApiTest, BadKbsAndTextsAreClearErrors) {
  const std::string key = NewTenant("acme");
  HttpResponse r = Call("PUT", "/v1/service/kb", "", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"field\":\"body\""));
  r = Call("PUT", "/v1/service/kb", "id,question\nx,y\n", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("answer"));
  r = Call("PUT", "/v1/service/kb", R"({"entries":[{"id":"a","question":"q"}]})", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("entries[0].answer"));
  r = Call("GET", "/v1/service/kb?version=7", "", key);
  EXPECT_EQ(r.status, 404);

  r = Call("POST", "/v1/service/sentiment", R"({"text":"  "})", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"field\":\"text\""));
  r = Call("POST", "/v1/service/sentiment", R"({"text":")" + std::string(2001, 'a') + "\"}", key);
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/v1/service/sentiment", R"({"text":"什么垃圾服务，气死了","mood":1})", key);
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/v1/service/sentiment", R"({"text":"什么垃圾服务，气死了"})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GT(json::parse(r.body).at("negative").to_number<double>(), 0.8);
}

}  // namespace
}  // namespace finbrain::server
