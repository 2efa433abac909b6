// /v1/service: knowledge bases published, versioned, audited and isolated per tenant; sentiment.
#include <gmock/gmock.h>

#include <thread>

#include "server/internal/api_test_fixture.h"
#include "service/kb_store.h"

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

TEST_F(ApiTest, MessagesAreAnsweredStoredAsEventsAndHandedOffWhenUnsureTwice) {
  const std::string key = NewTenant("acme");
  const std::string message = R"({"conversation_id":"c1","user_id":"u1","channel":"app","text":")";
  // No KB yet: a clear 404.
  HttpResponse r = Call("POST", "/v1/service/messages", message + R"(怎么还款"})", key);
  EXPECT_EQ(r.status, 404) << r.body;
  ASSERT_EQ(Call("PUT", "/v1/service/kb", kKb, key).status, 201);

  r = Call("POST", "/v1/service/messages", message + R"(怎么还款"})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object reply = json::parse(r.body).as_object();
  EXPECT_EQ(reply.at("type").as_string(), "answer");
  EXPECT_EQ(reply.at("kb_id").as_string(), "repay");
  EXPECT_EQ(reply.at("answer").as_string(), "在App里还款");
  const std::string message_id(reply.at("message_id").as_string());

  // Both turns are in the event log; a phone number typed in is stored as its token.
  r = Call("POST", "/v1/service/messages", message + R"(我的手机号13800138000，今天天气怎么样"})",
           key);
  ASSERT_EQ(r.status, 200) << r.body;
  reply = json::parse(r.body).as_object();
  EXPECT_EQ(reply.at("type").as_string(), "out_of_scope");
  const std::string unsure_id(reply.at("message_id").as_string());
  r = Call("GET", "/v1/events/" + unsure_id, "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("tok_phone_"));
  EXPECT_EQ(r.body.find("13800138000"), std::string::npos) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"direction\":\"inbound\""));
  r = Call("GET", "/v1/events/" + message_id + ":bot", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"direction\":\"outbound\""));

  // A second unsure turn in the same conversation hands off; another conversation is fresh.
  r = Call("POST", "/v1/service/messages", message + R"(帮我订张机票"})", key);
  reply = json::parse(r.body).as_object();
  EXPECT_EQ(reply.at("type").as_string(), "handoff");
  EXPECT_EQ(reply.at("handoff_reason").as_string(), "unsure_twice");
  r = Call("POST", "/v1/service/messages", R"({"conversation_id":"c2","text":"帮我订张机票"})",
           key);
  EXPECT_EQ(json::parse(r.body).at("type").as_string(), "out_of_scope") << r.body;
  r = Call("POST", "/v1/service/messages", R"({"conversation_id":"c3","text":"转人工"})", key);
  EXPECT_EQ(json::parse(r.body).at("handoff_reason").as_string(), "person_requested");
}

TEST_F(ApiTest, AHandoffCarriesTheConversationAndAgentsReplyAndResolveIt) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("PUT", "/v1/service/kb", kKb, key).status, 201);
  const std::string message = R"({"conversation_id":"c1","user_id":"u1","text":")";
  ASSERT_EQ(Call("POST", "/v1/service/messages", message + R"(怎么还款"})", key).status, 200);
  HttpResponse r =
      Call("POST", "/v1/service/messages", message + R"(转人工，我的手机13800138000"})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string id(json::parse(r.body).at("handoff_id").as_string());

  r = Call("GET", "/v1/service/handoffs", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value listed = json::parse(r.body);
  const json::array& queue = listed.at("handoffs").as_array();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].at("handoff_id").as_string(), id);
  EXPECT_EQ(queue[0].at("reason").as_string(), "person_requested");
  EXPECT_EQ(queue[0].at("turn_count").to_number<int>(), 4);

  r = Call("GET", "/v1/service/handoffs/" + id, "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object h = json::parse(r.body).as_object();
  const json::array& turns = h.at("turns").as_array();
  ASSERT_EQ(turns.size(), 4u);  // the whole conversation: what the customer and the bot said
  EXPECT_EQ(turns[0].at("text").as_string(), "怎么还款");
  EXPECT_EQ(turns[1].at("text").as_string(), "在App里还款");
  EXPECT_EQ(r.body.find("13800138000"), std::string::npos) << r.body;
  EXPECT_EQ(h.at("sentiment_trend").as_array().size(), 2u);
  EXPECT_EQ(h.at("user_id").as_string(), "u1");

  r = Call("POST", "/v1/service/handoffs/" + id + "/reply",
           R"({"text":"您好，我是客服小王","agent":"wang"})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("status").as_string(), "replied");
  r = Call("GET", "/v1/service/handoffs/" + id, "", key);
  EXPECT_EQ(json::parse(r.body).at("turns").as_array().back().at("direction").as_string(), "agent");
  EXPECT_TRUE(json::parse(Call("GET", "/v1/service/handoffs", "", key).body)
                  .at("handoffs")
                  .as_array()
                  .empty());  // no longer open

  r = Call("POST", "/v1/service/handoffs/" + id + "/resolve", R"({"resolution":"已说明"})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("status").as_string(), "resolved");
  EXPECT_EQ(Call("POST", "/v1/service/handoffs/" + id + "/resolve", "", key).status, 409);
  EXPECT_EQ(Call("POST", "/v1/service/handoffs/" + id + "/reply", R"({"text":"x"})", key).status,
            409);
  EXPECT_EQ(Call("GET", "/v1/service/handoffs/ho_nope", "", key).status, 404);
  EXPECT_EQ(Call("GET", "/v1/service/handoffs?status=lost", "", key).status, 400);
  r = Call("GET", "/v1/service/handoffs?status=resolved", "", key);
  EXPECT_EQ(json::parse(r.body).at("handoffs").as_array().size(), 1u);
  // Another tenant sees none of it.
  const std::string other = NewTenant("globex");
  EXPECT_EQ(Call("GET", "/v1/service/handoffs/" + id, "", other).status, 404);
}

TEST_F(ApiTest, BadMessagesAreClearErrors) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("PUT", "/v1/service/kb", kKb, key).status, 201);
  const auto field_of = [&](const std::string& body) {
    const HttpResponse r = Call("POST", "/v1/service/messages", body, key);
    EXPECT_EQ(r.status, 400) << body;
    return std::string(json::parse(r.body).at("error").at("field").as_string());
  };
  EXPECT_EQ(field_of(R"({"text":"hi"})"), "conversation_id");
  EXPECT_EQ(field_of(R"({"conversation_id":"a b","text":"hi"})"), "conversation_id");
  EXPECT_EQ(field_of(R"({"conversation_id":"c","text":""})"), "text");
  EXPECT_EQ(field_of(R"({"conversation_id":"c","text":")" + std::string(2001, 'x') + "\"}"),
            "text");
  EXPECT_EQ(field_of(R"({"conversation_id":"c","text":"hi","channel":"fax"})"), "channel");
  EXPECT_EQ(field_of(R"({"conversation_id":"c","text":"hi","colour":"red"})"), "colour");
}

// The fixture's clock stands at 2027-01-15T08:00Z.
TEST_F(ApiTest, AccountQuestionsAreAnsweredFromTheUsersOwnAccountAndHandoffsCarryItsCard) {
  const std::string key = NewTenant("acme");
  const std::string kb =
      "id,question,answer,alternatives,tags\n"
      "repay,怎么还款,在App里还款,如何还钱|在哪里还款|还款方式有哪些,\n"
      "bill_amount,这个月要还多少钱,请在账单页查看本期应还,本期应还多少|这期账单要还多少|"
      "我这个月该还多少钱,account:next_due\n"
      "refund,退款多久到账,1到3个工作日,退款什么时候到|退货后多久退钱,\n";
  ASSERT_EQ(Call("PUT", "/v1/service/kb", kb, key).status, 201);
  const std::string events =
      R"([{"event_id":"d1","event_type":"loan_drawdown","occurred_at":"2026-12-01T00:00:00Z",)"
      R"("loan_id":"L1","user_id":"u1","amount":6000,"term_months":6,"apr":0.18},)"
      R"({"event_id":"r1","event_type":"repayment","occurred_at":"2027-01-01T00:00:00Z",)"
      R"("loan_id":"L1","user_id":"u1","installment":1,"due_at":"2026-12-31T00:00:00Z",)"
      R"("amount_due":1090,"amount_paid":0,"status":"missed","days_past_due":1}])";
  ASSERT_EQ(Call("POST", "/v1/events", events, key).status, 200);

  HttpResponse r =
      Call("POST", "/v1/service/messages",
           R"({"conversation_id":"c1","user_id":"u1","text":"我这个月该还多少钱"})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object reply = json::parse(r.body).as_object();
  EXPECT_EQ(reply.at("kb_id").as_string(), "bill_amount");
  EXPECT_EQ(reply.at("account_id").as_string(), "L1");
  EXPECT_THAT(std::string(reply.at("answer").as_string()), HasSubstr("1,090.00 元"));
  EXPECT_THAT(std::string(reply.at("answer").as_string()), HasSubstr("已逾期 15 天"));
  // Another user in the same tenant gets the entry's text: nothing of u1's account.
  r = Call("POST", "/v1/service/messages",
           R"({"conversation_id":"c2","user_id":"u2","text":"我这个月该还多少钱"})", key);
  reply = json::parse(r.body).as_object();
  EXPECT_EQ(reply.at("answer").as_string(), "请在账单页查看本期应还");
  EXPECT_FALSE(reply.contains("account_id"));

  // The handoff's card: the account and the risk flags an agent must see.
  ASSERT_EQ(
      Call("PUT", "/v1/lists/blacklist/user/u1", R"({"reason":"confirmed fraud"})", key).status,
      201);
  r = Call("POST", "/v1/service/messages",
           R"({"conversation_id":"c1","user_id":"u1","text":"转人工"})", key);
  const std::string id(json::parse(r.body).at("handoff_id").as_string());
  r = Call("GET", "/v1/service/handoffs/" + id, "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value card = json::parse(r.body).at("customer");
  EXPECT_EQ(card.at("accounts").at(0).at("account_id").as_string(), "L1");
  EXPECT_EQ(card.at("accounts").at(0).at("overdue_amount").to_number<double>(), 1090);
  EXPECT_EQ(card.at("accounts").at(0).at("days_past_due").to_number<int>(), 15);
  EXPECT_EQ(card.at("risk_flags").at(0).at("code").as_string(), "list:blacklist");
  EXPECT_EQ(card.at("risk_flags").at(0).at("text").as_string(), "confirmed fraud");
  // A guest's handoff has no card.
  r = Call("POST", "/v1/service/messages", R"({"conversation_id":"g1","text":"转人工"})", key);
  r = Call("GET",
           "/v1/service/handoffs/" + std::string(json::parse(r.body).at("handoff_id").as_string()),
           "", key);
  EXPECT_EQ(json::serialize(json::parse(r.body).at("customer")), "{}");
}

// An agent's answer becomes a KB entry once a reviewer publishes it; the bot then answers it.
TEST_F(ApiTest, AnAgentsAnswerProposedAndPublishedIsAnsweredByTheBotNextTime) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("PUT", "/v1/service/kb", kKb, key).status, 201);
  const std::string question = "信用卡积分可以兑换话费吗";
  HttpResponse r = Call("POST", "/v1/service/messages",
                        R"({"conversation_id":"c1","text":")" + question + "\"}", key);
  ASSERT_NE(json::parse(r.body).at("kb_id"), "") << r.body;
  r = Call("POST", "/v1/service/messages", R"({"conversation_id":"c1","text":"转人工"})", key);
  const std::string handoff(json::parse(r.body).at("handoff_id").as_string());
  // Nothing to propose before an agent has answered.
  r = Call("POST", "/v1/service/handoffs/" + handoff + "/propose", "", key);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "answer");
  ASSERT_EQ(Call("POST", "/v1/service/handoffs/" + handoff + "/reply",
                 R"({"text":"可以，在积分商城选择话费充值即可兑换。"})", key)
                .status,
            200);
  // The customer's question would be taken from the last inbound turn ("转人工"): the agent
  // names the question it answered.
  r = Call("POST", "/v1/service/handoffs/" + handoff + "/propose",
           R"({"question":")" + question + "\"}", key);
  ASSERT_EQ(r.status, 201) << r.body;
  json::object proposal = json::parse(r.body).as_object();
  EXPECT_EQ(proposal.at("kind"), "new_entry");
  EXPECT_EQ(proposal.at("answer"), "可以，在积分商城选择话费充值即可兑换。");
  const std::string id(proposal.at("proposal_id").as_string());
  r = Call("GET", "/v1/service/kb/proposals", "", key);
  ASSERT_EQ(json::parse(r.body).at("proposals").as_array().size(), 1u) << r.body;

  r = Call("POST", "/v1/service/kb/proposals/" + id + "/publish",
           R"({"id":"points_topup","answer":"可以。在积分商城选择“话费充值”即可用积分兑换。"})",
           key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("kb_version").to_number<int>(), 2);
  EXPECT_EQ(Call("POST", "/v1/service/kb/proposals/" + id + "/publish", "", key).status, 409);
  EXPECT_EQ(Call("POST", "/v1/service/kb/proposals/" + id + "/reject", "", key).status, 409);
  r = Call("POST", "/v1/service/messages", R"({"conversation_id":"c2","text":")" + question + "\"}",
           key);
  json::object reply = json::parse(r.body).as_object();
  EXPECT_EQ(reply.at("type"), "answer") << r.body;
  EXPECT_EQ(reply.at("kb_id"), "points_topup") << r.body;

  // Another wording of an existing entry; then a rejected proposal.
  r = Call("POST", "/v1/service/handoffs/" + handoff + "/propose",
           R"({"question":"钱什么时候退回来","kb_id":"refund"})", key);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string alternative(json::parse(r.body).at("proposal_id").as_string());
  ASSERT_EQ(Call("POST", "/v1/service/kb/proposals/" + alternative + "/publish", "", key).status,
            200);
  r = Call("GET", "/v1/service/kb", "", key);
  EXPECT_THAT(r.body, HasSubstr("钱什么时候退回来"));
  r = Call("POST", "/v1/service/handoffs/" + handoff + "/propose",
           R"({"question":"你们几点下班","answer":"随时"})", key);
  const std::string rejected(json::parse(r.body).at("proposal_id").as_string());
  r = Call("POST", "/v1/service/kb/proposals/" + rejected + "/reject", R"({"note":"不准确"})", key);
  EXPECT_EQ(json::parse(r.body).at("status"), "rejected") << r.body;
  EXPECT_EQ(json::parse(Call("GET", "/v1/service/kb/proposals?status=all", "", key).body)
                .at("proposals")
                .as_array()
                .size(),
            3u);
  // Bad input names the field.
  r = Call("POST", "/v1/service/handoffs/" + handoff + "/propose", R"({"kb_id":"nope"})", key);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "kb_id");
  EXPECT_EQ(Call("GET", "/v1/service/kb/proposals?status=odd", "", key).status, 400);
  EXPECT_EQ(Call("POST", "/v1/service/kb/proposals/kp_nope/publish", "", key).status, 404);
}

// Answers are rated by the customer, or count as not helping when asked again within minutes;
// the figures come from the event log.
TEST_F(ApiTest, FeedbackAndAskingAgainMeasureAnswerPrecisionInProduction) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("PUT", "/v1/service/kb", kKb, key).status, 201);
  const auto say = [&](const std::string& conversation, const std::string& text) {
    const HttpResponse r =
        Call("POST", "/v1/service/messages",
             R"({"conversation_id":")" + conversation + R"(","text":")" + text + "\"}", key);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  };
  json::object a = say("c1", "怎么还款");
  ASSERT_EQ(a.at("type"), "answer");
  const std::string rated(a.at("message_id").as_string());
  HttpResponse r =
      Call("POST", "/v1/service/messages/" + rated + "/feedback", R"({"helped":true})", key);
  EXPECT_EQ(r.status, 201) << r.body;
  r = Call("POST", "/v1/service/messages/" + rated + "/feedback", R"({"helped":false})", key);
  EXPECT_EQ(r.status, 409) << r.body;  // once per answer

  // Asked again at once: the first answer did not help.
  say("c2", "退款多久到账");
  say("c2", "退款什么时候到");
  const json::object clarify_or_oos = say("c3", "帮我订张机票");
  r = Call("POST",
           "/v1/service/messages/" + std::string(clarify_or_oos.at("message_id").as_string()) +
               "/feedback",
           R"({"helped":true})", key);
  EXPECT_EQ(r.status, 409) << r.body;  // only answers take feedback
  EXPECT_EQ(
      Call("POST", "/v1/service/messages/msg-nope/feedback", R"({"helped":true})", key).status,
      404);
  r = Call("POST", "/v1/service/messages/" + rated + "/feedback", R"({"helped":"yes"})", key);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "helped");
  say("c4", "转人工");

  r = Call("GET", "/v1/service/stats", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value stats = json::parse(r.body);
  EXPECT_EQ(stats.at("inbound").to_number<int>(), 5);
  EXPECT_EQ(stats.at("replies").at("answer").to_number<int>(), 3);
  EXPECT_EQ(stats.at("replies").at("handoff").to_number<int>(), 1);
  EXPECT_EQ(stats.at("handoff_reasons").at("person_requested").to_number<int>(), 1);
  EXPECT_EQ(stats.at("median_seconds_to_handoff").to_number<double>(), 0);  // the first turn
  EXPECT_EQ(stats.at("feedback").at("helped").to_number<int>(), 1);
  EXPECT_EQ(stats.at("feedback").at("asked_again").to_number<int>(), 1);
  EXPECT_EQ(stats.at("feedback").at("precision").to_number<double>(), 0.5);
  EXPECT_EQ(stats.at("entries").at(0).at("kb_id"), "refund");
  EXPECT_EQ(stats.at("entries").at(0).at("answers").to_number<int>(), 2);
}

// After a restart, bots are built in the background; a message never waits for a build.
TEST_F(ApiTest, AfterARestartBotsAreBuiltInTheBackgroundAndMessagesDoNotWait) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("PUT", "/v1/service/kb", kKb, key).status, 201);
  service::KbStore restarted(*runtime_->store, *runtime_->audit, clock_, service::SharedBotModels);
  EXPECT_EQ(restarted.ReadyBot("globex").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(restarted.ReadyBot("acme").status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(restarted.WarmUp().ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  StatusOr<std::shared_ptr<const service::FaqBot>> bot = restarted.ReadyBot("acme");
  while (!bot.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, with a deadline
    bot = restarted.ReadyBot("acme");
  }
  ASSERT_TRUE(bot.ok()) << bot.status().ToString();
  EXPECT_EQ((*bot)->Respond("怎么还款", {}).kb_id, "repay");
}

}  // namespace
}  // namespace finbrain::server
