// Strategies and credit decisions through the Api, with a real trained model in the registry.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>

#include "models/train.h"
#include "server/internal/api_test_fixture.h"

namespace finbrain::server {
namespace {

// A small GBDT over two application fields, registered and promoted as "pd".
void RegisterModel(runtime::Runtime& runtime, const std::string& tenant) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::ostringstream csv;
  csv << "declared_income,requested_amount,bad\n";
  for (int i = 0; i < 1200; ++i) {
    const double income = 2000 + 18000 * u(rng), amount = 1000 + 49000 * u(rng);
    const double margin = -1.5 + amount / income / 3 - income / 10000;
    csv << std::round(income) << ',' << std::round(amount) << ','
        << (u(rng) < 1 / (1 + std::exp(-margin))) << "\n";
  }
  models::TrainOptions o{.kind = models::ModelKind::kGbdt, .target = "bad"};
  o.spec.gbdt.max_rounds = 40;
  auto model = models::Train(models::ParseCsv(csv.str(), {}).value(), o).value();
  const tenancy::Actor actor{"test", "test"};
  auto v = runtime.models->Register(tenant, "pd", *model, actor);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(runtime.models->Promote(tenant, "pd", v->version, actor).ok());
}

std::string Application(int i, const std::string& phone = "13800138000") {
  return R"({"event_id":"evt-app-)" + std::to_string(i) +
         R"(","event_type":"credit_application","occurred_at":"2027-01-15T10:00:00Z",)"
         R"("application_id":"app-)" +
         std::to_string(i) + R"(","user_id":"u)" + std::to_string(i) +
         R"(","product":"cash_loan","requested_amount":)" + std::to_string(5000 + 1000 * (i % 20)) +
         R"(,"term_months":12,"declared_income":)" + std::to_string(3000 + 700 * (i % 13)) +
         R"(,"phone":")" + phone + R"(","device_id":"d1","bureau":{"score":)" +
         std::to_string(560 + 9 * (i % 20)) + "}}";
}

constexpr const char* kFeatures =
    "features:\n  - {name: apps_per_phone_1d, entity: phone, event: credit_application, "
    "aggregate: count, window: 1d}\n";

constexpr const char* kStrategy = R"yaml(description: test credit strategy
variables:
  - {name: dti, expr: "app.requested_amount / (app.declared_income * app.term_months)"}
models:
  - {name: pd, model: pd}
rules:
  - name: fraud
    rules:
      - {id: F01, when: lists.blacklisted, action: decline, reason: {code: F01, text: "Blacklisted"}}
      - {id: F03, when: "lists.contact == 'blacklist'", action: decline, reason: {code: F03, text: "Blacklisted contact"}}
      - {id: F02, when: "features.apps_per_phone_1d >= 3", action: review, reason: {code: F02, text: "Phone velocity"}}
  - name: credit
    hit_policy: first
    rules:
      - {id: C01, when: "models.pd.pd > 0.8", action: decline, reason: {code: C01, text: "High PD"}}
tables:
  - name: pricing
    inputs: [app.bureau.score]
    default: {limit: 0, apr: 0.3}
    rows:
      - {when: [">= 650"], then: {limit: "app.declared_income * 3", apr: 0.12}}
      - {when: ["< 650"], then: {limit: "app.declared_income", apr: 0.2}}
outcome: {limit: tables.pricing.limit, apr: tables.pricing.apr}
)yaml";

// Regression: a rule nested 10,000 parentheses deep (a 20 KB body), or `not` repeated 100,000
// times, overflowed the stack of the server's thread and killed every tenant's service.
TEST_F(ApiTest, DeeplyNestedRulesAreRejectedWithTheirPosition) {
  const std::string key = NewTenant("acme");
  const auto rule = [](const std::string& when) {
    return "rules:\n  - name: r\n    rules:\n      - {id: A, when: \"" + when +
           "\", action: flag, reason: {code: A}}\n";
  };
  const std::string parens = std::string(10'000, '(') + "true" + std::string(10'000, ')');
  std::string nots;
  for (int i = 0; i < 100'000; ++i) nots += "not ";
  for (const std::string& when : {parens, nots + "true"}) {
    HttpResponse r = Call("POST", "/v1/strategies/validate", rule(when), key);
    ASSERT_EQ(r.status, 400) << r.body.substr(0, 200);
    const json::value error = json::parse(r.body).at("error");
    EXPECT_EQ(error.at("field"), "rules[0].rules[0].when");
    EXPECT_EQ(error.at("message"),
              when == parens ? "line 4:280: rules[0].rules[0].when: the expression nests more "
                               "than 256 levels deep; split it into variables"
                             : "line 4:1048: rules[0].rules[0].when: the expression nests more "
                               "than 256 levels deep; split it into variables");
  }
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(ApiTest, StrategiesAreValidatedVersionedActivatedAndDecideCreditApplications) {
  const std::string key = NewTenant("acme");
  RegisterModel(*runtime_, "acme");
  ASSERT_EQ(Call("PUT", "/v1/features", kFeatures, key).status, 200);
  // A broken strategy: 400 naming line:column, nothing stored.
  HttpResponse r = Call("PUT", "/v1/strategies/credit",
                        "rules:\n  - name: r\n    rules:\n      - {id: A, when: \"app.bureau.scor "
                        "< 1\", action: flag, reason: {code: A}}\n",
                        key);
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("message"),
            "line 4:24: rules[0].rules[0].when: unknown name 'app.bureau.scor'");
  EXPECT_EQ(Call("GET", "/v1/strategies/credit", "", key).status, 404);
  r = Call("POST", "/v1/strategies/validate", kStrategy, key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("models").at(0), "pd");

  r = Call("PUT", "/v1/strategies/credit", kStrategy, key);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body).at("version"), 1);
  // Stored but not active: deciding says so.
  r = Call("POST", "/v1/decisions/credit", Application(1), key);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(Call("POST", "/v1/strategies/credit/versions/2/activate", "", key).status, 404);
  ASSERT_EQ(Call("POST", "/v1/strategies/credit/versions/1/activate", "", key).status, 200);

  r = Call("POST", "/v1/decisions/credit", Application(1), key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value first = json::parse(r.body);
  EXPECT_EQ(first.at("application_id"), "app-1");
  EXPECT_EQ(first.at("strategy").at("version"), 1);
  EXPECT_EQ(first.at("models").at(0).at("name"), "pd");
  const double pd = first.at("pd").to_number<double>();
  EXPECT_GT(pd, 0);
  EXPECT_LT(pd, 1);
  EXPECT_EQ(first.at("decision"), pd > 0.8 ? "decline" : "approve");
  // An approval needs no adverse-action reasons; the PII of the inputs is tokenized.
  if (first.at("decision") == "approve") {
    EXPECT_TRUE(first.at("reasons").as_array().empty());
  }
  // The answer names the application event instead of repeating it; the record read back has
  // the inputs, PII tokenized.
  EXPECT_FALSE(first.as_object().contains("inputs"));
  EXPECT_TRUE(first.at("inputs_event").is_string());
  // Feature values come by position in the answer and by name when the record is read.
  EXPECT_FALSE(first.at("feature_values").as_array().empty());
  EXPECT_TRUE(first.at("feature_set").is_string());
  for (const char* stage :
       {"validate", "features", "lists", "models", "rules", "commit", "total"}) {
    EXPECT_TRUE(first.at("latency_us").as_object().contains(stage)) << stage;
  }
  // Idempotent by application id: the same application again is the stored decision, marked
  // as a replay; the record is retrievable with its explanation.
  r = Call("POST", "/v1/decisions/credit", Application(1), key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("decision_id"), first.at("decision_id"));
  EXPECT_EQ(json::parse(r.body).at("replayed"), true);
  EXPECT_FALSE(first.as_object().contains("replayed"));
  EXPECT_EQ(r.headers,
            (std::vector<std::pair<std::string, std::string>>{{"Idempotent-Replayed", "true"}}));
  // The same application id with another amount is not that decision: 409, naming the field.
  std::string changed = Application(1);
  const std::string amount = R"("requested_amount":6000)";
  ASSERT_NE(changed.find(amount), std::string::npos);
  changed.replace(changed.find(amount), amount.size(), R"("requested_amount":999)");
  r = Call("POST", "/v1/decisions/credit", changed, key);
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "idempotency_conflict");
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "requested_amount");
  EXPECT_NE(r.body.find("requested_amount (6000, now 999)"), std::string::npos) << r.body;
  const std::string id(first.at("decision_id").as_string());
  r = Call("GET", "/v1/decisions/" + id, "", key);
  ASSERT_EQ(r.status, 200);
  const json::value stored = json::parse(r.body);
  EXPECT_EQ(stored.at("values").at("dti"), first.at("values").at("dti"));
  EXPECT_EQ(stored.at("features").at("apps_per_phone_1d"), 0);
  EXPECT_EQ(stored.at("features").as_object().size(), first.at("feature_values").as_array().size());
  EXPECT_NE(stored.at("inputs").at("phone").as_string().find("tok_phone_"), json::string::npos);
  EXPECT_EQ(stored.at("inputs").at("application_id"), "app-1");
  EXPECT_EQ(Call("GET", "/v1/decisions/" + id, "", NewTenant("other")).status, 404);

  // The applications feed the phone's window: the third on one phone goes to review.
  Call("POST", "/v1/decisions/credit", Application(2), key);
  Call("POST", "/v1/decisions/credit", Application(3), key);
  r = Call("POST", "/v1/decisions/credit", Application(4), key);
  const json::value fourth = json::parse(r.body);
  EXPECT_EQ(
      json::parse(
          Call("GET", "/v1/decisions/" + std::string(fourth.at("decision_id").as_string()), "", key)
              .body)
          .at("features")
          .at("apps_per_phone_1d"),
      3);
  EXPECT_EQ(fourth.at("rule_hits").at(0).at("rule"), "F02");
  // A review carries the rule's reason and the model's top reasons (TreeSHAP).
  const json::array& reasons = fourth.at("reasons").as_array();
  ASSERT_GE(reasons.size(), 2u);
  EXPECT_EQ(reasons.at(0).at("code"), "F02");
  EXPECT_EQ(reasons.at(1).at("source"), "model:pd");
  // A blacklisted phone declines.
  ASSERT_EQ(
      Call("PUT", "/v1/lists/blacklist/phone/13900139000", R"({"reason":"fraud"})", key).status,
      201);
  r = Call("POST", "/v1/decisions/credit", Application(5, "13900139000"), key);
  EXPECT_EQ(json::parse(r.body).at("decision"), "decline");
  EXPECT_EQ(json::parse(r.body).at("reasons").at(0).at("code"), "F01");
  // Naming that phone as a contact is a contact hit, not the applicant's own blacklisting.
  std::string with_contact = Application(9, "13700137000");
  with_contact.replace(with_contact.find(R"("device_id")"), 0,
                       R"("contacts":[{"phone":"139 0013 9000","relation":"friend"}],)");
  r = Call("POST", "/v1/decisions/credit", with_contact, key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("reasons").at(0).at("code"), "F03");
  const json::value contact_record = json::parse(
      Call("GET", "/v1/decisions/" + std::string(json::parse(r.body).at("decision_id").as_string()),
           "", key)
          .body);
  EXPECT_EQ(contact_record.at("lists"), (json::object{{"contact", "blacklist"}}));

  // Bad input: clear 4xx naming the field; nothing decided.
  r = Call("POST", "/v1/decisions/credit", R"({"event_type":"credit_application"})", key);
  EXPECT_EQ(r.status, 400);
  std::string bad = Application(6);
  bad.replace(bad.find("\"term_months\":12"), 16, "\"term_months\":\"x\"");
  r = Call("POST", "/v1/decisions/credit", bad, key);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "term_months");
  EXPECT_EQ(Call("POST", "/v1/decisions/credit?strategy=nope", Application(7), key).status, 404);
  EXPECT_EQ(Call("POST", "/v1/decisions/credit?strategy=Bad!", Application(7), key).status, 400);

  // Dry run of a draft: nothing stored, the draft's rules apply.
  json::object dry{{"application", json::parse(Application(8))},
                   {"yaml", std::string(kStrategy) + "  # draft\n"}};
  r = Call("POST", "/v1/strategies/credit/dry-run", json::serialize(dry), key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("decision_id"), "dry-run");
  // Six applications were decided (and stored as events); the rejected and dry-run ones not.
  EXPECT_EQ(json::parse(Call("GET", "/v1/stats/events", "", key).body)
                .at("counts")
                .at("credit_application"),
            6);

  // A version referring to a model that does not exist is never stored, so never active.
  std::string broken(kStrategy);
  broken.replace(broken.find("model: pd}"), 10, "model: gone}");
  EXPECT_EQ(Call("PUT", "/v1/strategies/credit", broken, key).status, 400);
  r = Call("GET", "/v1/strategies/credit", "", key);
  EXPECT_EQ(json::parse(r.body).at("versions").as_array().size(), 1u);
  EXPECT_EQ(json::parse(r.body).at("active_version"), 1);

  // Champion/challenger: v2 declines everything; v3 = v1 with v2 as a 50% challenger.
  ASSERT_EQ(Call("PUT", "/v1/strategies/credit",
                 "rules: [{name: all, rules: [{id: X, when: 'true', action: decline, reason: "
                 "{code: X, text: no}}]}]\n",
                 key)
                .status,
            201);
  ASSERT_EQ(
      Call("PUT", "/v1/strategies/credit",
           std::string(kStrategy) + "challenger: {version: 2, share: 0.5, key: app.user_id}\n", key)
          .status,
      201);
  ASSERT_EQ(Call("POST", "/v1/strategies/credit/versions/3/activate", "", key).status, 200);
  int challenger = 0;
  for (int i = 100; i < 160; ++i) {
    const json::value d =
        json::parse(Call("POST", "/v1/decisions/credit",
                         Application(i, "1380013" + std::to_string(8000 + i)), key)
                        .body);
    const bool by_challenger = d.at("strategy").at("branch") == "challenger";
    challenger += by_challenger;
    EXPECT_EQ(d.at("strategy").at("version"), by_challenger ? 2 : 3);
    EXPECT_EQ(d.at("shadow").at("version"), by_challenger ? 3 : 2);  // both branches recorded
    EXPECT_EQ(by_challenger ? d.at("decision") : d.at("shadow").at("decision"), "decline");
  }
  EXPECT_GT(challenger, 15);
  EXPECT_LT(challenger, 45);
}

// The account lifecycle over HTTP: a drawdown opens an account, a missed repayment reviews it,
// the batch review and a person's resolution change it, and bad input is named.
TEST_F(ApiTest, AccountsAreOpenedReviewedListedAndResolved) {
  const std::string key = NewTenant("acme");
  ASSERT_EQ(Call("PUT", "/v1/features",
                 "features:\n  - {name: missed_90d, entity: user, event: repayment, filter: "
                 "\"status == 'missed'\", aggregate: count, window: 90d}\n",
                 key)
                .status,
            200);
  constexpr const char* kAccounts = R"yaml(kind: account
rules:
  - name: watch
    rules:
      - {id: EW01, when: "features.missed_90d >= 1", action: flag, reason: {code: EW01, text: "Missed"}}
      - {id: EW02, when: "features.missed_90d >= 1", action: review, reason: {code: EW02, text: "Cut"}}
outcome: {limit: "account.limit / 2"}
)yaml";
  HttpResponse r = Call("PUT", "/v1/strategies/accounts", kAccounts, key);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body).at("kind"), "account");
  ASSERT_EQ(Call("POST", "/v1/strategies/accounts/versions/1/activate", "", key).status, 200);
  // An account strategy decides no credit applications.
  r = Call("POST", "/v1/decisions/credit?strategy=accounts", Application(1), key);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "strategy");

  const std::string events =
      R"([{"event_id":"d1","event_type":"loan_drawdown","occurred_at":"2027-01-01T00:00:00Z",)"
      R"("loan_id":"L1","user_id":"u1","amount":8000,"term_months":6,"apr":0.18},)"
      R"({"event_id":"r1","event_type":"repayment","occurred_at":"2027-02-01T00:00:00Z",)"
      R"("loan_id":"L1","user_id":"u1","installment":1,"due_at":"2027-01-31T00:00:00Z",)"
      R"("amount_due":1400,"amount_paid":0,"status":"missed","days_past_due":1}])";
  ASSERT_EQ(Call("POST", "/v1/events", events, key).status, 200);
  r = Call("GET", "/v1/accounts/L1", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object got = json::parse(r.body).as_object();
  EXPECT_EQ(got.at("account").at("limit"), 8000);
  EXPECT_EQ(got.at("account").at("flags").at(0), "EW01");
  EXPECT_EQ(got.at("account").at("pending").at("limit"), 4000);
  EXPECT_EQ(got.at("history").as_array().size(), 2u);
  EXPECT_EQ(got.at("history").at(0).at("outcome").at("decision"), "review");

  r = Call("GET", "/v1/accounts?flag=EW01&pending=true", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("accounts").as_array().size(), 1u);
  EXPECT_EQ(Call("GET", "/v1/accounts?status=closed", "", key).status, 400);
  EXPECT_EQ(Call("GET", "/v1/accounts?limit=0", "", key).status, 400);

  r = Call("POST", "/v1/strategies/accounts/dry-run", R"({"account_id":"L1"})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::parse(r.body).at("dry_run").as_bool());
  // What an account strategy dry-runs on is the account kind's: an application is refused.
  r = Call("POST", "/v1/strategies/accounts/dry-run", R"({"application":{}})", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "application");
  r = Call("POST", "/v1/strategies/accounts/dry-run", R"({"at":"2027-01-01T00:00:00Z"})", key);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "account_id");

  r = Call("POST", "/v1/accounts/review?at=2027-02-02T00:00:00Z", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("reviewed"), 1);
  EXPECT_EQ(Call("POST", "/v1/accounts/review?at=yesterday", "", key).status, 400);

  r = Call("POST", "/v1/accounts/L1/resolve", R"({"action":"close"})", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("field"), "action");
  EXPECT_EQ(Call("POST", "/v1/accounts/L1/resolve", R"({"action":"unfreeze"})", key).status, 409);
  EXPECT_EQ(Call("POST", "/v1/accounts/L9/resolve", R"({"action":"apply"})", key).status, 404);
  r = Call("POST", "/v1/accounts/L1/resolve", R"({"action":"apply","note":"agreed"})", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("limit"), 4000);
  EXPECT_EQ(Call("GET", "/v1/accounts/L9", "", key).status, 404);
}

TEST_F(ApiTest, DecisionsAreSearchableNewestFirstAndCountedLive) {
  const std::string key = NewTenant("acme");
  const std::string other = NewTenant("other");
  RegisterModel(*runtime_, "acme");
  ASSERT_EQ(Call("PUT", "/v1/features", kFeatures, key).status, 200);
  ASSERT_EQ(Call("PUT", "/v1/strategies/credit", kStrategy, key).status, 201);
  ASSERT_EQ(Call("POST", "/v1/strategies/credit/versions/1/activate", "", key).status, 200);
  std::map<std::string, int> outcomes;
  for (int i = 1; i <= 4; ++i) {
    clock_.AdvanceMicros(1'000'000);
    HttpResponse r = Call("POST", "/v1/decisions/credit", Application(i), key);
    ASSERT_EQ(r.status, 200) << r.body;
    ++outcomes[std::string(json::parse(r.body).at("decision").as_string())];
  }

  HttpResponse r = Call("GET", "/v1/decisions", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array all = json::parse(r.body).at("decisions").as_array();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].at("application_id"), "app-4");  // newest first
  EXPECT_EQ(all[3].at("application_id"), "app-1");
  EXPECT_EQ(all[0].at("kind"), "credit");
  EXPECT_TRUE(all[0].at("reasons").is_array());
  EXPECT_TRUE(json::parse(r.body).at("next_cursor").is_null());

  // Pages of one follow the cursor; filters by outcome agree with the answers.
  r = Call("GET", "/v1/decisions?limit=1", "", key);
  const std::string cursor(json::parse(r.body).at("next_cursor").as_string());
  r = Call("GET", "/v1/decisions?limit=1&cursor=" + cursor, "", key);
  EXPECT_EQ(json::parse(r.body).at("decisions").at(0).at("application_id"), "app-3");
  for (const auto& [decision, n] : outcomes) {
    r = Call("GET", "/v1/decisions?kind=credit&decision=" + decision, "", key);
    EXPECT_EQ(json::parse(r.body).at("decisions").as_array().size(), static_cast<size_t>(n));
  }
  EXPECT_EQ(Call("GET", "/v1/decisions?kind=transaction", "", key).body,
            R"({"decisions":[],"next_cursor":null})");
  EXPECT_EQ(
      json::parse(Call("GET", "/v1/decisions", "", other).body).at("decisions").as_array().size(),
      0u);

  // The live overview counts the same decisions.
  r = Call("GET", "/v1/stats/decisions?minutes=5", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object stats = json::parse(r.body).as_object();
  EXPECT_EQ(stats.at("credit_decisions").to_number<double>(), 4);
  EXPECT_EQ(stats.at("series").as_array().size(), 5u);
  double approvals = outcomes.contains("approve") ? outcomes["approve"] : 0;
  EXPECT_DOUBLE_EQ(stats.at("approval_rate").to_number<double>(), approvals / 4);
  EXPECT_GT(stats.at("p99_us").to_number<double>(), 0);

  // Bad parameters name themselves.
  for (const char* bad :
       {"/v1/decisions?kind=loan", "/v1/decisions?from=yesterday", "/v1/decisions?limit=0",
        "/v1/decisions?cursor=zz", "/v1/decisions?colour=red", "/v1/stats/decisions?minutes=0"}) {
    r = Call("GET", bad, "", key);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(json::parse(r.body).at("error").as_object().contains("field")) << bad;
  }
}

TEST_F(ApiTest, ModelVersionsCarryTheirEvaluationReport) {
  const std::string key = NewTenant("acme");
  RegisterModel(*runtime_, "acme");
  const std::string path = "/v1/models/pd/versions/1/evaluation";
  HttpResponse r = Call("GET", path, "", key);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("no evaluation report"), std::string::npos) << r.body;

  for (const char* bad : {"[1, 2]", "not json", R"({"auc": 0.8})", R"({"auc": "high", "ks": 1})"}) {
    r = Call("PUT", path, bad, key);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(json::parse(r.body).at("error").at("field"), "evaluation") << bad;
  }
  EXPECT_EQ(
      Call("PUT", "/v1/models/pd/versions/9/evaluation", R"({"auc":0.8,"ks":0.4})", key).status,
      404);

  const std::string report =
      R"({"auc":0.81,"ks":0.44,"roc":[[0,0],[0.2,0.6],[1,1]],"fairness":{"age":[]}})";
  r = Call("PUT", path, report, key);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Call("GET", path, "", key);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::parse(report));
  // Another tenant sees neither the model nor its report.
  EXPECT_EQ(Call("GET", path, "", NewTenant("other")).status, 404);
}

}  // namespace
}  // namespace finbrain::server
