#include "fraud/behaviour.h"

#include <gtest/gtest.h>

#include <random>

namespace finbrain::fraud {
namespace {

constexpr TimeMicros kSecond = 1'000'000;

Session Browse(std::mt19937& rng, TimeMicros at) {
  static const char* kActions[] = {"view_home", "view_bill", "browse_goods", "add_to_cart",
                                   "repay"};
  std::lognormal_distribution<double> gap(std::log(20.0), 0.6);
  Session s;
  s.user_id = "u";
  s.at = at;
  TimeMicros t = at;
  for (int n = int(rng() % 4) + 1; n > 0; --n) {
    t += TimeMicros(gap(rng) * double(kSecond));
    s.actions.push_back({kActions[rng() % 5], t});
  }
  return s;
}

Session Scripted(std::vector<std::string> actions, TimeMicros gap, bool new_device) {
  Session s;
  s.user_id = "u";
  s.at = 1'000 * kSecond;
  s.new_device = new_device;
  TimeMicros t = s.at;
  for (auto& a : actions) s.actions.push_back({std::move(a), t += gap});
  return s;
}

class BehaviourTest : public ::testing::Test {
 protected:
  BehaviourTest() {
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) model_.Observe(Browse(rng, i * 3600 * kSecond));
  }
  SequenceModel model_;
};

TEST_F(BehaviourTest, OrdinarySessionsAreNotFlagged) {
  std::mt19937 rng(99);
  int flagged = 0;
  for (int i = 0; i < 500; ++i) flagged += !model_.Score(Browse(rng, 0)).reasons.empty();
  EXPECT_LE(flagged, 10);  // about the 3-sigma tail
  EXPECT_EQ(model_.sessions(), 2000u);
}

TEST_F(BehaviourTest, ATakeoverChainIsCaughtAndNotLearned) {
  const Session ato =
      Scripted({"password_reset", "change_payee", "transfer"}, 30 * kSecond, /*new_device=*/true);
  const SessionScore score = model_.Observe(ato);
  EXPECT_TRUE(score.takeover_chain);
  EXPECT_GE(score.risk, 0.99);
  ASSERT_FALSE(score.reasons.empty());
  EXPECT_EQ(score.reasons[0].code, "B03");
  EXPECT_GT(score.z, 3);                                  // never-seen operations are also unusual
  EXPECT_EQ(model_.Observe(ato).reasons[0].code, "B03");  // still, after being seen
  // The same operations on the user's own device are unusual but not the chain.
  EXPECT_FALSE(
      model_.Score(Scripted({"password_reset", "change_payee", "transfer"}, 30 * kSecond, false))
          .takeover_chain);
}

TEST_F(BehaviourTest, ScriptedSpeedIsFlaggedEvenForKnownOperations) {
  const SessionScore score = model_.Score(
      Scripted({"view_home", "browse_goods", "add_to_cart", "repay"}, kSecond / 2, false));
  EXPECT_LT(score.median_gap_seconds, 1);
  bool fast = false;
  for (const Reason& r : score.reasons) fast |= r.code == "B02";
  EXPECT_TRUE(fast);
  EXPECT_GE(score.risk, 0.7);
  EXPECT_GT(score.z, 3);  // the timing model finds sub-second steps unusual too
}

TEST(Behaviour, ParsesLoginsAndNamesBadFields) {
  const Session s =
      ParseSession(
          R"({"event_id":"e","user_id":"u1","occurred_at":"2026-03-01T20:01:02Z","new_device":true,
              "method":"password","actions":[{"action":"repay","at":"2026-03-01T20:02:40Z"},
              {"action":"view_bill","at":"2026-03-01T20:01:05Z"}]})")
          .value();
  EXPECT_TRUE(s.new_device);
  ASSERT_EQ(s.actions.size(), 2u);
  EXPECT_EQ(s.actions[0].action, "view_bill");  // ordered by time
  EXPECT_EQ(
      ParseSession(R"({"event_id":"e","occurred_at":"2026-03-01T20:01:02Z"})").status().field(),
      "user_id");
  EXPECT_EQ(ParseSession(R"({"event_id":"e","user_id":"u","occurred_at":"2026-03-01T20:01:02Z",
                             "actions":[{"action":"x","at":"soon"}]})")
                .status()
                .field(),
            "actions[0].at");
  EXPECT_EQ(ParseSession(R"({"event_id":"e","user_id":"u","occurred_at":"2026-03-01T20:01:02Z",
                             "new_device":"no"})")
                .status()
                .field(),
            "new_device");
}

}  // namespace
}  // namespace finbrain::fraud
