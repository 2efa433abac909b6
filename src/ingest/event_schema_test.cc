#include "ingest/event_schema.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "common/json_text.h"

namespace finbrain::ingest {
namespace {

namespace json = boost::json;

tenancy::PiiTokenizer Tokenizer() {
  tenancy::SecretKey key;
  key.fill(9);
  return tenancy::PiiTokenizer(key);
}

std::vector<std::string> DocExamples() {
  const char* root = std::getenv("FINBRAIN_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") + "/docs/events.md");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> examples;
  const std::string doc = text.str();
  size_t at = 0;
  while ((at = doc.find("```json\n", at)) != std::string::npos) {
    const size_t end = doc.find("```", at + 8);
    examples.push_back(doc.substr(at + 8, end - at - 8));
    at = end + 3;
  }
  return examples;
}

TEST(EventSchema, EveryDocumentedExampleValidatesAndShowsEveryField) {
  const auto tokenizer = Tokenizer();
  const std::vector<std::string> examples = DocExamples();
  // At least one example per type; a type may show variants (inbound and outbound messages).
  ASSERT_GE(examples.size(), std::size(kEventTypes)) << "docs/events.md needs one example per type";
  std::set<std::string> types;
  std::map<std::string, std::set<std::string>> shown;  // type -> fields its examples show
  for (const std::string& example : examples) {
    StatusOr<ValidatedEvent> event = EventSchema::Get().ValidateJson(example, tokenizer);
    ASSERT_TRUE(event.ok()) << event.status().ToString() << "\n" << example;
    types.insert(event->event_type);
    // The parsed object that travels with the event is the canonical text, and Parsed() reads
    // it, or parses the text when an event read back from the log has none.
    ASSERT_NE(event->fields, nullptr);
    EXPECT_EQ(ToJsonText(*event->fields), event->canonical_json);
    json::value storage;
    EXPECT_EQ(Parsed(*event, storage), event->fields.get());
    ValidatedEvent from_log = *event;
    from_log.fields.reset();
    const json::object* reparsed = Parsed(from_log, storage);
    ASSERT_NE(reparsed, nullptr);
    EXPECT_EQ(ToJsonText(*reparsed), event->canonical_json);  // whole numbers read back as integers
    const json::value raw = json::parse(example);
    for (const auto& [field, value] : raw.as_object())
      shown[event->event_type].insert(std::string(field));
  }
  EXPECT_EQ(types.size(), std::size(kEventTypes));
  for (const auto& [type, fields] : shown) {
    for (const std::string& field : EventSchema::Get().FieldNames(type)) {
      if (field == "schema_version") continue;  // optional everywhere, shown once
      EXPECT_TRUE(fields.contains(field)) << type << " examples lack " << field;
    }
  }
}

TEST(EventSchema, RejectionsNameThePathAndTheReason) {
  const auto tokenizer = Tokenizer();
  const std::string base = R"("event_id":"e1","occurred_at":"2026-01-01T00:00:00Z")";
  struct Case {
    std::string body, field, fragment;
  };
  const std::vector<Case> cases = {
      {R"({"event_type":"nope",)" + base + "}", "event_type", "unknown event_type"},
      {R"({)" + base + "}", "event_type", "required"},
      {R"({"event_type":"logistics_update",)" + base + R"(,"status":"delivered"})", "order_id",
       "required"},
      {R"({"event_type":"logistics_update",)" + base + R"(,"order_id":"o","status":"teleported"})",
       "status", "must be one of"},
      {R"({"event_type":"logistics_update",)" + base + R"(,"order_id":7,"status":"delivered"})",
       "order_id", "string"},
      {R"({"event_type":"logistics_update",)" + base +
           R"(,"order_id":"o","status":"delivered","colour":1})",
       "colour", "unknown field"},
      {R"({"event_type":"order",)" + base +
           R"(,"order_id":"o","user_id":"u","amount":5,"consignee_address":"a","payment_method":"card","items":[{"sku":"s","category":"c","price":1,"quantity":1},{"sku":"s","category":"c","price":-1,"quantity":1}]})",
       "items[1].price", "between"},
      {R"({"event_type":"payment",)" + base +
           R"(,"payment_id":"p","user_id":"u","payee_id":"m","amount":1,"channel":"app","card_number":"12ab"})",
       "card_number", "card number"},
      {R"({"event_type":"payment","event_id":"e","occurred_at":"yesterday","payment_id":"p","user_id":"u","payee_id":"m","amount":1,"channel":"app"})",
       "occurred_at", "RFC 3339"},
      {R"({"event_type":"repayment",)" + base +
           R"(,"loan_id":"l","user_id":"u","installment":1.5,"due_at":"2026-01-01T00:00:00Z","amount_due":1,"amount_paid":1,"status":"paid"})",
       "installment", "integer"},
      {R"([1,2])", "", "JSON object"},
      {R"({"event_type":)", "", "not valid JSON"},
  };
  for (const Case& c : cases) {
    StatusOr<ValidatedEvent> event = EventSchema::Get().ValidateJson(c.body, tokenizer);
    ASSERT_FALSE(event.ok()) << c.body;
    EXPECT_EQ(event.status().field(), c.field) << c.body;
    EXPECT_NE(event.status().message().find(c.fragment), std::string::npos)
        << event.status().message() << " for " << c.body;
  }
}

TEST(EventSchema, TokenizesPiiAndNormalizesTimes) {
  const auto tokenizer = Tokenizer();
  const std::string body =
      R"({"event_type":"credit_application","event_id":"a1","occurred_at":"2026-01-01T08:00:00+08:00",
          "application_id":"app","user_id":"u","product":"cash_loan","requested_amount":1000,"term_months":6,
          "phone":"+86 138 0013 8000","id_number":"11010519491231002x",
          "contacts":[{"phone":"139-0013-9000","relation":"friend"}]})";
  ValidatedEvent event = EventSchema::Get().ValidateJson(body, tokenizer).value();
  EXPECT_EQ(event.occurred_at, ParseRfc3339("2026-01-01T00:00:00Z").value());
  const json::object stored = json::parse(event.canonical_json).as_object();
  EXPECT_EQ(stored.at("occurred_at"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(stored.at("schema_version"), 1);
  EXPECT_EQ(std::string(stored.at("phone").as_string()),
            tokenizer.Tokenize(tenancy::PiiKind::kPhone, "13800138000").value());
  EXPECT_TRUE(
      std::string(stored.at("contacts").at(0).at("phone").as_string()).starts_with("tok_phone_"));
  EXPECT_TRUE(std::string(stored.at("id_number").as_string()).starts_with("tok_id_number_"));
  for (const char* raw : {"13800138000", "0013", "11010519491231002", "13900139000"}) {
    EXPECT_EQ(event.canonical_json.find(raw), std::string::npos) << raw;
  }
}

}  // namespace
}  // namespace finbrain::ingest
