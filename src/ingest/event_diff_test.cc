#include "ingest/event_diff.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace finbrain::ingest {
namespace {

namespace json = boost::json;

json::object Parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(EventDiff, NamesEveryChangedAddedAndRemovedLeafByPath) {
  const json::object before =
      Parse(R"({"event_id":"e1","requested_amount":29000,"bureau":{"score":650,"inquiries":2},)"
            R"("contacts":[{"phone":"tok_a"},{"phone":"tok_b"}],"channel":"app"})");
  const json::object after =
      Parse(R"({"event_id":"e2","requested_amount":999,"bureau":{"score":650},)"
            R"("contacts":[{"phone":"tok_a"},{"phone":"tok_c"}],"channel":"app","coupon":"X"})");
  const std::vector<FieldDifference> changed = DifferingFields(before, after, {"event_id"});
  ASSERT_EQ(changed.size(), 4u);
  EXPECT_EQ(changed[0].path, "requested_amount");
  EXPECT_EQ(changed[0].before, "29000");
  EXPECT_EQ(changed[0].after, "999");
  EXPECT_EQ(changed[1].path, "bureau.inquiries");
  EXPECT_EQ(changed[1].after, "");
  EXPECT_EQ(changed[2].path, "contacts[1].phone");
  EXPECT_EQ(changed[3].path, "coupon");
  EXPECT_EQ(DescribeDifferences(changed, 2),
            "requested_amount (29000, now 999), bureau.inquiries (2, now absent) and 2 more");
}

TEST(EventDiff, TheSameContentDiffersInNothingAndNumbersCompareByValue) {
  const json::object a = Parse(R"({"event_id":"e1","amount":5000,"tags":["x"],"n":null})");
  const json::object b = Parse(R"({"event_id":"e9","amount":5000.0,"tags":["x"],"n":null})");
  EXPECT_TRUE(DifferingFields(a, b, {"event_id"}).empty());
  EXPECT_EQ(DifferingFields(a, b).size(), 1u);  // event_id, unless ignored
  EXPECT_EQ(DifferingFields(a, Parse(R"({"event_id":"e1","amount":"5000","tags":["x"],"n":null})"))
                .front()
                .path,
            "amount");  // a string is not the number
}

}  // namespace
}  // namespace finbrain::ingest
