// POST /v1/decisions/transaction: payments and logins decided against the behaviour model,
// device fingerprints, payment history and lists, over events posted through the API.
#include <gmock/gmock.h>

#include "server/internal/api_test_fixture.h"

namespace finbrain::server {
namespace {

using ::testing::HasSubstr;

std::string Time(int minute, int second = 0) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-03-01T%02d:%02d:%02dZ", 8 + minute / 60, minute % 60,
                second);
  return buf;
}

// A login at `minute` whose actions follow each other `gap` seconds apart.
std::string Login(const std::string& id, const std::string& user, const std::string& device,
                  int minute, const std::vector<std::string>& actions, int gap,
                  bool new_device = false, const std::string& method = "password") {
  std::string a = "[";
  for (size_t i = 0; i < actions.size(); ++i) {
    a += (i ? "," : "") + std::string(R"({"action":")") + actions[i] + R"(","at":")" +
         Time(minute, std::min(59, int(i + 1) * gap)) + R"("})";
  }
  a += "]";
  return R"({"event_type":"login","event_id":")" + id + R"(","occurred_at":")" + Time(minute) +
         R"(","user_id":")" + user + R"(","session_id":")" + id + R"(","device_id":")" + device +
         R"(","ip":"36.112.4.20","method":")" + method + R"(","success":true,"new_device":)" +
         (new_device ? "true" : "false") + R"(,"actions":)" + a + "}";
}

std::string Payment(const std::string& id, const std::string& user, const std::string& device,
                    int minute, double amount, const std::string& payee,
                    const std::string& session = "") {
  return R"({"event_type":"payment","event_id":")" + id + R"(","occurred_at":")" +
         Time(minute, 50) + R"(","payment_id":")" + id + R"(","user_id":")" + user +
         R"(","payee_id":")" + payee + R"(","payee_type":"merchant","amount":)" +
         std::to_string(amount) + R"(,"channel":"app","device_id":")" + device + R"(")" +
         (session.empty() ? "" : R"(,"session_id":")" + session + R"(")") + "}";
}

class TransactionsTest : public ApiTest {
 protected:
  void SetUp() override {
    key_ = NewTenant("acme");
    // 150 ordinary sessions of other users (the model's warm-up), and alice's own history:
    // her phone, sessions and five small payments to one shop.
    const std::vector<std::vector<std::string>> journeys = {
        {"view_home", "browse_goods"},
        {"view_bill", "repay"},
        {"view_home"},
        {"browse_goods", "add_to_cart", "view_orders"}};
    std::string batch = "[";
    for (int i = 0; i < 150; ++i) {
      batch += Login("n" + std::to_string(i), "n" + std::to_string(i), "dn" + std::to_string(i),
                     i % 50, journeys[size_t(i) % journeys.size()], 15 + i % 20) +
               ",";
    }
    batch += R"({"event_type":"device_report","event_id":"dr1","occurred_at":")" + Time(0) +
             R"(","device_id":"d-alice","user_id":"alice","model":"Mi 13","os":"Android"},)";
    for (int i = 0; i < 5; ++i) {
      batch += Login("a" + std::to_string(i), "alice", "d-alice", 60 + i, {"view_home"}, 20) + "," +
               Payment("p" + std::to_string(i), "alice", "d-alice", 60 + i, 90 + 10 * i, "m-1") +
               (i < 4 ? "," : "]");
    }
    ASSERT_EQ(Call("POST", "/v1/events", batch, key_).status, 200);
  }
  json::value Decide(const std::string& event, int status = 200) {
    HttpResponse r = Call("POST", "/v1/decisions/transaction", event, key_);
    EXPECT_EQ(r.status, status) << r.body;
    return json::parse(r.body);
  }
  static std::vector<std::string> Codes(const json::value& d) {
    std::vector<std::string> codes;
    for (const auto& r : d.at("reasons").as_array()) codes.emplace_back(r.at("code").as_string());
    return codes;
  }
  std::string key_;
};

TEST_F(TransactionsTest, AnOrdinaryPaymentIsAllowed) {
  Decide(Login("a9", "alice", "d-alice", 70, {"view_home", "browse_goods"}, 20));
  const json::value d = Decide(Payment("p9", "alice", "d-alice", 70, 110, "m-1", "a9"));
  EXPECT_EQ(d.at("decision"), "allow") << d;
  EXPECT_TRUE(Codes(d).empty());
  EXPECT_EQ(d.at("signals").at("payment").at("previous_payments"), 5);
  EXPECT_FALSE(d.at("signals").at("device").at("new_to_user").as_bool());
  EXPECT_GT(d.at("latency_us").at("total").to_number<double>(), 0.0);
  // Stored, audited, idempotent by event id.
  const std::string id(d.at("decision_id").as_string());
  EXPECT_EQ(Decide(Payment("p9", "alice", "d-alice", 70, 110, "m-1", "a9")).at("decision_id"),
            json::value(id));
  HttpResponse r = Call("GET", "/v1/decisions/" + id, "", key_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("kind"), "transaction");
}

TEST_F(TransactionsTest, AnAccountTakeoverIsBlockedAtLoginAndAtPayment) {
  const std::string takeover =
      Login("x1", "alice", "d-attacker", 80, {"password_reset", "change_payee", "transfer"}, 25,
            true, "password_reset");
  json::value d = Decide(takeover);
  EXPECT_EQ(d.at("decision"), "block") << d;
  EXPECT_THAT(Codes(d), ::testing::Contains("T02"));
  EXPECT_TRUE(d.at("signals").at("session").at("takeover_chain").as_bool());

  d = Decide(Payment("x1-pay", "alice", "d-attacker", 81, 20000, "p-mule", "x1"));
  EXPECT_EQ(d.at("decision"), "block") << d;
  const auto codes = Codes(d);
  EXPECT_THAT(codes, ::testing::Contains("T02"));
  EXPECT_THAT(codes, ::testing::Contains("T04"));  // a device new to alice, paying a new payee
  EXPECT_THAT(codes, ::testing::Contains("T06"));  // 200 times her usual amount
  EXPECT_GE(d.at("risk").to_number<double>(), 0.99);

  HttpResponse r = Call("GET", "/v1/behaviour/users/alice", "", key_);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value b = json::parse(r.body);
  EXPECT_EQ(b.at("sessions").as_array().back().at("session_id"), "x1");
  EXPECT_EQ(b.at("payments").at("count"), 6);  // the blocked payment is recorded as an event too
}

TEST_F(TransactionsTest, ScriptedSessionsNewDevicesAndListsAreChallengedOrBlocked) {
  // Known operations at machine speed on alice's phone: challenged, not blocked.
  json::value d = Decide(
      Login("s1", "alice", "d-alice", 90, {"view_home", "view_bill", "repay", "view_orders"}, 0));
  EXPECT_EQ(d.at("decision"), "challenge") << d;
  EXPECT_THAT(Codes(d), ::testing::Contains("T03"));

  // A usual payment from a phone alice never used: challenged.
  d = Decide(Payment("q1", "alice", "d-new", 91, 100, "m-1"));
  EXPECT_EQ(d.at("decision"), "challenge") << d;
  EXPECT_THAT(Codes(d), ::testing::Contains("T04"));

  ASSERT_EQ(
      Call("PUT", "/v1/lists/blacklist/device/d-alice", R"({"reason":"stolen"})", key_).status,
      201);
  d = Decide(Payment("q2", "alice", "d-alice", 92, 100, "m-1"));
  EXPECT_EQ(d.at("decision"), "block");
  EXPECT_THAT(Codes(d), ::testing::Contains("T01"));
}

TEST_F(TransactionsTest, BadInputNamesTheField) {
  json::value e = Decide(R"({"event_type":"order","event_id":"o1"})", 400);
  EXPECT_THAT(json::serialize(e), HasSubstr("error"));
  e = Decide(R"({"event_type":"payment","event_id":"b1","occurred_at":"2026-03-01T08:00:00Z",
                 "payment_id":"b1","user_id":"alice","payee_id":"m","channel":"app"})",
             400);
  EXPECT_EQ(e.at("error").at("field"), "amount");
  e = Decide(
      R"({"event_type":"device_report","event_id":"r1","occurred_at":"2026-03-01T08:00:00Z",
          "device_id":"d","model":"m","os":"Android"})",
      400);
  EXPECT_EQ(e.at("error").at("field"), "event_type") << e;
  EXPECT_EQ(Call("POST", "/v1/decisions/transaction", "", key_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/behaviour/users/nobody", "", key_).status, 404);
}

// A tenant's own payment rules: an active strategy named "transaction" (`kind: transaction`)
// reads the event and the signals; its decline blocks and its review challenges, on top of the
// fixed rules.
TEST_F(TransactionsTest, ATransactionStrategyAddsTheTenantsRules) {
  constexpr const char* kStrategy = R"yaml(kind: transaction
description: the tenant's payment rules
rules:
  - name: payments
    hit_policy: all
    rules:
      - {id: X01, when: "event.amount >= 5000 and payment.new_payee == 1", action: decline, reason: {code: X01, text: "A large payment to a new payee"}}
      - {id: X02, when: "event.payee_id == 'm-watch'", action: review, reason: {code: X02, text: "A payee under watch"}}
      - {id: X03, when: "device.known == 1 and session.risk < 0.5", action: flag, reason: {code: X03, text: "Known device"}}
)yaml";
  // Before it is active, only the fixed rules decide.
  json::value d = Decide(Payment("w0", "alice", "d-alice", 70, 100, "m-watch"));
  EXPECT_EQ(d.at("decision"), "allow") << d;
  EXPECT_FALSE(d.as_object().contains("strategy"));

  ASSERT_EQ(Call("PUT", "/v1/strategies/transaction", kStrategy, key_).status, 201);
  // Dry runs take the event and store nothing.
  HttpResponse r =
      Call("POST", "/v1/strategies/transaction/dry-run",
           R"({"version":1,"event":)" + Payment("w1", "alice", "d-alice", 71, 100, "m-watch") + "}",
           key_);
  ASSERT_EQ(r.status, 200) << r.body;
  d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "challenge") << d;
  EXPECT_TRUE(d.at("dry_run").as_bool());
  EXPECT_EQ(Call("GET", "/v1/events/w1", "", key_).status, 404);
  r = Call("POST", "/v1/strategies/transaction/dry-run", R"({"version":1,"application":{}})", key_);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "application");

  ASSERT_EQ(Call("POST", "/v1/strategies/transaction/versions/1/activate", "", key_).status, 200);
  d = Decide(Payment("w2", "alice", "d-alice", 72, 100, "m-watch"));
  EXPECT_EQ(d.at("decision"), "challenge") << d;
  EXPECT_EQ(Codes(d), std::vector<std::string>{"X02"});
  EXPECT_EQ(d.at("strategy").at("name"), "transaction");
  EXPECT_EQ(d.at("strategy").at("version"), 1);
  EXPECT_EQ(d.at("strategy").at("decision"), "review");
  EXPECT_EQ(d.at("strategy").at("rule_hits").as_array().size(), 2u);  // X02 and the X03 flag
  // A large payment to a new payee: the fixed rules challenge it (T06), the tenant's block it.
  d = Decide(Payment("w3", "alice", "d-alice", 73, 8000, "p-new"));
  EXPECT_EQ(d.at("decision"), "block") << d;
  EXPECT_THAT(Codes(d), ::testing::Contains("T06"));
  EXPECT_THAT(Codes(d), ::testing::Contains("X01"));
  // An ordinary payment is still allowed.
  d = Decide(Payment("w4", "alice", "d-alice", 74, 110, "m-1"));
  EXPECT_EQ(d.at("decision"), "allow") << d;
}

// Credit strategies read the same behaviour scores (behaviour.*).
TEST_F(TransactionsTest, CreditStrategiesReadTheApplicantsBehaviour) {
  constexpr const char* kStrategy = R"yaml(description: behaviour screens
rules:
  - name: sessions
    hit_policy: all
    rules:
      - {id: H01, when: "behaviour.machine_speed_sessions >= 1", action: review, reason: {code: H01, text: "Operated at machine speed"}}
outcome: {limit: 1000, apr: 0.2}
)yaml";
  ASSERT_EQ(Call("PUT", "/v1/strategies/credit", kStrategy, key_).status, 201);
  ASSERT_EQ(Call("POST", "/v1/strategies/credit/versions/1/activate", "", key_).status, 200);
  // A scripted session: five operations a second apart.
  ASSERT_EQ(
      Call("POST", "/v1/events",
           "[" +
               Login("bot-1", "bot", "d-bot", 90,
                     {"view_home", "browse_goods", "add_to_cart", "view_orders", "view_bill"}, 1) +
               "]",
           key_)
          .status,
      200);
  HttpResponse r = Call("POST", "/v1/decisions/credit", CreditApplication("bot", "d-bot"), key_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "review") << r.body;
  EXPECT_THAT(r.body, HasSubstr("H01"));
  const json::value& b = d.at("behaviour");
  EXPECT_EQ(b.at("recent_sessions").to_number<double>(), 1.0);
  EXPECT_EQ(b.at("machine_speed_sessions").to_number<double>(), 1.0);
  EXPECT_GT(b.at("last_session_risk").to_number<double>(), 0.0);

  r = Call("POST", "/v1/decisions/credit", CreditApplication("alice", "d-alice"), key_);
  ASSERT_EQ(r.status, 200) << r.body;
  d = json::parse(r.body);
  EXPECT_EQ(d.at("decision"), "approve") << r.body;
  EXPECT_EQ(d.at("behaviour").at("recent_sessions").to_number<double>(), 5.0);
  EXPECT_EQ(d.at("behaviour").at("payments").to_number<double>(), 5.0);

  r = Call("POST", "/v1/decisions/credit", CreditApplication("stranger", "d-new"), key_);
  d = json::parse(r.body);
  EXPECT_EQ(d.at("behaviour").at("recent_sessions").to_number<double>(), 0.0);
  EXPECT_TRUE(d.at("behaviour").at("last_session_risk").is_null());  // missing: no sessions
}

}  // namespace
}  // namespace finbrain::server
