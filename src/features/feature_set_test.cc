#include "features/feature_set.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>

namespace finbrain::features {
namespace {

namespace json = boost::json;

constexpr std::string_view kYaml = R"(lateness: 10m
features:
  - name: failed_logins_1h
    entity: user
    event: login
    filter: "not success and method != 'biometric'"
    aggregate: count
    window: 1h
  - name: devices_per_user_30d
    entity: user
    event: [login, credit_application]
    aggregate: distinct
    field: device_id
    window: 30d
  - name: requested_per_phone_7d
    entity: phone
    event: credit_application
    aggregate: sum
    field: requested_amount
    window: 7d
  - name: phone_age
    entity: phone
    event: credit_application
    aggregate: since_first
)";

std::string ParseError(std::string_view yaml) {
  auto set = FeatureSet::Parse(yaml);
  EXPECT_FALSE(set.ok()) << yaml;
  return set.ok() ? "" : set.status().message();
}

TEST(FeatureSetTest, ParsesAndExtractsUpdates) {
  auto set = FeatureSet::Parse(kYaml);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  const FeatureSet& s = **set;
  ASSERT_EQ(s.features().size(), 4u);
  EXPECT_EQ(s.lateness(), 600'000'000);
  EXPECT_EQ(s.features()[0].bucket_width(), 60'000'000);
  EXPECT_EQ(s.features()[3].window, 0);
  EXPECT_EQ(s.entities(), (std::vector<std::string>{"phone", "user"}));
  EXPECT_TRUE(s.Consumes("login"));
  EXPECT_FALSE(s.Consumes("order"));

  std::vector<Update> out;
  ASSERT_TRUE(s.Extract("login",
                        R"({"user_id":"u1","device_id":"d1","success":false,"method":"password"})",
                        5, out)
                  .ok());
  ASSERT_EQ(out.size(), 2u);  // the failed-login count and the distinct device
  EXPECT_EQ(out[0].feature, 0u);
  EXPECT_EQ(out[0].entity, "u1");
  EXPECT_EQ(out[1].feature, 1u);
  EXPECT_NE(out[1].distinct, 0u);
  out.clear();
  ASSERT_TRUE(
      s.Extract("login", R"({"user_id":"u1","device_id":"d1","success":true})", 5, out).ok());
  EXPECT_EQ(out.size(), 1u);  // the filter rejects successful logins
  out.clear();
  ASSERT_TRUE(s.Extract("credit_application",
                        R"({"user_id":"u1","phone":"tok_phone_ab","requested_amount":5000})", 9,
                        out)
                  .ok());
  ASSERT_EQ(out.size(), 2u);  // no device_id: only the phone's sum and first-seen
  EXPECT_EQ(out[0].entity, "tok_phone_ab");
  EXPECT_DOUBLE_EQ(out[0].value, 5000);
}

TEST(FeatureSetTest, AValidatedEventGivesTheSameUpdatesFromItsParsedFieldsAsFromItsText) {
  const auto set = FeatureSet::Parse(kYaml).value();
  const FeatureSet& s = *set;
  tenancy::SecretKey key;
  key.fill(3);
  const tenancy::PiiTokenizer tokenizer(key);
  StatusOr<ingest::ValidatedEvent> event = ingest::EventSchema::Get().ValidateJson(
      R"({"event_id":"e1","event_type":"login","occurred_at":"2026-01-01T00:00:00Z",)"
      R"("user_id":"u1","session_id":"s1","device_id":"d1","ip":"10.0.0.1","success":false,)"
      R"("method":"password"})",
      tokenizer);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  ASSERT_NE(event->fields, nullptr);
  ingest::ValidatedEvent from_log = *event;
  from_log.fields.reset();  // as read back from the log: only the text
  std::vector<Update> parsed, text;
  ASSERT_TRUE(s.Extract(*event, parsed).ok());
  ASSERT_TRUE(s.Extract(from_log, text).ok());
  ASSERT_EQ(parsed.size(), 2u);  // the failed login and the distinct device
  ASSERT_EQ(text.size(), parsed.size());
  for (size_t i = 0; i < parsed.size(); ++i) {
    EXPECT_EQ(parsed[i].feature, text[i].feature);
    EXPECT_EQ(parsed[i].entity, text[i].entity);
    EXPECT_EQ(parsed[i].distinct, text[i].distinct);
    EXPECT_EQ(parsed[i].at, event->occurred_at);
  }
}

TEST(FeatureSetTest, DefinitionChangesChangeTheStateId) {
  auto a = FeatureSet::Parse(kYaml).value();
  std::string changed(kYaml);
  changed.replace(changed.find("window: 7d"), 10, "window: 3d");
  auto b = FeatureSet::Parse(changed).value();
  EXPECT_EQ(a->features()[0].id, b->features()[0].id);
  EXPECT_NE(a->features()[2].id, b->features()[2].id);
}

TEST(FeatureSetTest, AKeyInAnArrayGivesOneUpdatePerDistinctItemId) {
  auto set = FeatureSet::Parse(R"(features:
  - {name: contact_mentions_7d, entity: phone, key: "contacts[].phone",
     event: credit_application, aggregate: count, window: 7d}
)");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  std::vector<Update> out;
  ASSERT_TRUE((*set)
                  ->Extract("credit_application",
                            R"({"phone":"own","contacts":[{"phone":"a","relation":"friend"},)"
                            R"({"phone":"b","relation":"parent"},{"phone":"a","relation":"other"},)"
                            R"({"relation":"other"}]})",
                            7, out)
                  .ok());
  ASSERT_EQ(out.size(), 2u);  // "a" listed twice counts once; the item without a phone none
  EXPECT_EQ(out[0].entity, "a");
  EXPECT_EQ(out[1].entity, "b");
  EXPECT_EQ(out[1].at, 7);
  out.clear();
  ASSERT_TRUE((*set)->Extract("credit_application", R"({"phone":"own"})", 7, out).ok());
  EXPECT_TRUE(out.empty());

  EXPECT_EQ(ParseError("features:\n  - {name: x, entity: phone, key: 'contacts[].name', event: "
                       "credit_application, aggregate: count, window: 1h}\n"),
            "line 2:35: features[0].key: credit_application has no text field "
            "'contacts[].name' in an array of objects");
  EXPECT_EQ(ParseError("features:\n  - {name: x, entity: phone, key: 'bureau[].score', event: "
                       "credit_application, aggregate: count, window: 1h}\n"),
            "line 2:35: features[0].key: credit_application has no text field "
            "'bureau[].score' in an array of objects");
}

TEST(FeatureSetTest, ReadForListsTheRequestsIdsAndCombines) {
  auto set = FeatureSet::Parse(R"(features:
  - {name: own_apps_7d, entity: phone, event: credit_application, aggregate: count, window: 7d}
  - {name: contact_apps_max_7d, entity: phone, read_for: "contacts[].phone",
     event: credit_application, aggregate: count, window: 7d}
  - {name: contact_apps_sum_7d, entity: phone, read_for: "contacts[].phone", combine: sum,
     event: credit_application, aggregate: count, window: 7d}
)");
  ASSERT_TRUE(set.ok()) << set.status().message();
  ASSERT_EQ((*set)->read_groups().size(), 2u);  // the own phone, and the listed ones
  EXPECT_EQ((*set)->read_groups()[0].read_for, "");
  EXPECT_EQ((*set)->read_groups()[1].read_for, "contacts[].phone");
  EXPECT_EQ((*set)->read_groups()[1].indices, (std::vector<size_t>{1, 2}));
  EXPECT_EQ((*set)->features()[1].combine, Combine::kMax);
  EXPECT_EQ((*set)->features()[2].combine, Combine::kSum);

  const json::value app = json::parse(
      R"({"phone":"own","contacts":[{"phone":"a"},{"phone":"b"},{"phone":"a"},{"relation":"x"}]})");
  const ListedIds listed = (*set)->Listed(app.as_object());
  EXPECT_EQ(listed.at("contacts[].phone"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE((*set)->Listed(json::object{}).at("contacts[].phone").empty());

  // Missing values are skipped; all missing stays missing.
  EXPECT_EQ(CombineValue(Combine::kMax, 2.0, 5.0), 5.0);
  EXPECT_EQ(CombineValue(Combine::kMin, 2.0, 5.0), 2.0);
  EXPECT_EQ(CombineValue(Combine::kSum, 2.0, 5.0), 7.0);
  EXPECT_EQ(CombineValue(Combine::kSum, std::nullopt, 5.0), 5.0);
  EXPECT_EQ(CombineValue(Combine::kMax, 2.0, std::nullopt), 2.0);
  EXPECT_EQ(CombineValue(Combine::kMax, std::nullopt, std::nullopt), std::nullopt);

  // Ids named for a lookup: entity types and read_for paths (comma-separated), canonical.
  const auto upper = [](std::string_view, std::string_view raw) -> StatusOr<std::string> {
    if (raw == "bad") return InvalidArgumentError("not a phone number");
    std::string out(raw);
    for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
    return out;
  };
  auto named = CanonicalIds(**set, {{"phone", "p"}, {"contacts[].phone", "a,b,,a"}}, upper);
  ASSERT_TRUE(named.ok()) << named.status().message();
  EXPECT_EQ(named->ids.at("phone"), "P");
  EXPECT_EQ(named->listed.at("contacts[].phone"), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(CanonicalIds(**set, {{"contacts[].phone", "a,bad"}}, upper).status().message(),
            "contacts[].phone: not a phone number");
  EXPECT_EQ(CanonicalIds(**set, {{"contacts[].name", "a"}}, upper).status().message(),
            "no feature is read for 'contacts[].name'");

  EXPECT_EQ(ParseError("features:\n  - {name: x, entity: phone, read_for: 'contacts[].relation2', "
                       "event: login, aggregate: count, window: 1h}\n"),
            "line 2:40: features[0].read_for: must name a text field in an array of objects of a "
            "credit_application, like contacts[].phone; 'contacts[].relation2' is not one");
  EXPECT_EQ(ParseError("features:\n  - {name: x, entity: phone, combine: max, event: login, "
                       "aggregate: count, window: 1h}\n"),
            "line 2:39: features[0].combine: combine needs read_for");
  EXPECT_EQ(ParseError("features:\n  - {name: x, entity: phone, read_for: 'contacts[].phone', "
                       "combine: mean, event: login, aggregate: count, window: 1h}\n"),
            "line 2:69: features[0].combine: unknown combine 'mean' (expected max, min, sum)");
  EXPECT_EQ(ParseError("features:\n"
                       "  - {name: a, entity: phone, read_for: 'contacts[].phone', "
                       "event: credit_application, aggregate: count, window: 1h}\n"
                       "  - {name: b, entity: user, read_for: 'contacts[].phone', event: login, "
                       "aggregate: count, window: 1h}\n"),
            "line 3:23: features[1].entity: 'contacts[].phone' is read for phone ids by 'a', not "
            "user ids");
}

TEST(FeatureSetTest, ErrorsNameLineColumnAndKey) {
  EXPECT_EQ(ParseError("features:\n  - name: x\n    entity: usr\n    event: login\n"
                       "    aggregate: count\n    window: 1h\n"),
            "line 3:13: features[0].entity: unknown entity type 'usr' (expected one of: user, "
            "phone, device, ip, address, card, id_number, email, enterprise, merchant, "
            "application)");
  EXPECT_EQ(ParseError("features:\n  - name: x\n    entity: user\n    event: login\n"
                       "    aggregate: count\n    window: 90s\n"),
            "line 6:13: features[0].window: must be whole minutes from 1m to 90d");
  EXPECT_EQ(ParseError("features:\n  - name: x\n    entity: user\n    event: login\n"
                       "    aggregate: sum\n    field: device_id\n    window: 1h\n"),
            "line 6:12: features[0].field: 'device_id' is text; sum needs a number");
  EXPECT_EQ(ParseError("features:\n  - name: x\n    entity: user\n    event: login\n"
                       "    filter: \"success == 1\"\n    aggregate: count\n    window: 1h\n"),
            "line 5:22: features[0].filter: cannot compare bool with number");
  EXPECT_EQ(ParseError("features:\n  - name: x\n    entity: merchant\n    event: login\n"
                       "    aggregate: count\n    window: 1h\n"),
            "line 3:13: features[0].key: login has no text field 'merchant_id' for the "
            "merchant id; name it with 'key'");
  EXPECT_EQ(ParseError("features:\n  - name: x\n    entity: user\n    event: logon\n"
                       "    aggregate: count\n    window: 1h\n"),
            "line 4:12: features[0].event: unknown event type 'logon'");
  EXPECT_EQ(ParseError("features:\n  - name: x\n    entity: user\n    event: login\n"
                       "    aggregate: count\n    windw: 1h\n"),
            "line 6:5: features[0].windw: unknown key (expected one of: aggregate, combine, "
            "description, entity, event, field, filter, key, name, read_for, window)");
  EXPECT_EQ(ParseError("features: []\n"), "line 1:11: features: must be a non-empty list");
  EXPECT_EQ(ParseError("features: [a\n"), "line 2:1: end of sequence flow not found");
}

}  // namespace
}  // namespace finbrain::features
